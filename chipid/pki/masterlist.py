"""CSCA master lists (ICAO 9303-12 §8.2 / ICAO Doc "CSCA Master List").

A master list is a CMS SignedData whose eContent, of type id-icao-cscaMasterList (2.23.136.1.1.2), is::

    CscaMasterList ::= SEQUENCE { version CscaMasterListVersion (v0), certList SET OF Certificate }

It is signed by a Master List Signer certificate issued by the publishing State's CSCA.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509

from chipid.errors import ASN1_ERRORS, ParseError, UnsupportedError
from chipid.pki.certs import Certificate, load_certificate
from chipid.pki.cms_signer import SignerCheck, find_signer_certificate, verify_signer_info

__all__ = ["CSCA_MASTER_LIST_OID", "CscaMasterList", "MasterList", "parse_master_list", "verify_master_list"]

CSCA_MASTER_LIST_OID = "2.23.136.1.1.2"


class _CertificateSet(core.SetOf):  # type: ignore[misc]
    _child_spec = asn1_x509.Certificate


class CscaMasterList(core.Sequence):  # type: ignore[misc]
    """``CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("version", core.Integer),
        ("cert_list", _CertificateSet),
    ]


@dataclass(frozen=True)
class MasterList:
    """A parsed master list and the check of its own signature.

    Attributes:
        certificates: the CSCA (and link) certificates listed.
        signer: the Master List Signer certificate embedded in SignedData, if any.
        signer_check: the CMS signature verification with ``signer``'s key (``None`` without signer).
        skipped: why each unparsable listed certificate was left out.
    """

    certificates: tuple[Certificate, ...]
    signer: Certificate | None
    signer_check: SignerCheck | None
    skipped: tuple[str, ...] = ()
    signer_info: Any = field(default=None, repr=False, compare=False)
    econtent: bytes = field(default=b"", repr=False, compare=False)

    @property
    def signature_valid(self) -> bool:
        check = self.signer_check
        return bool(check and check.signature and check.message_digest is not False and check.content_type is not False)


def verify_master_list(parsed: MasterList) -> MasterList:
    """The same list with :attr:`MasterList.signer_check` filled in (the CMS signature with the signer's key).

    :class:`chipid.pki.trust.TrustStore` first checks that the signer was issued by a CSCA, then calls this:
    no signature is verified with a key nobody vouched for (issue 10, CPU exhaustion).
    """
    if parsed.signer is None or parsed.signer_info is None:
        return parsed
    try:
        check = verify_signer_info(parsed.signer_info, parsed.econtent, CSCA_MASTER_LIST_OID, parsed.signer)
    except (UnsupportedError, ParseError) as err:
        check = SignerCheck(False, None, None, None, "unsupported", str(err))
    return replace(parsed, signer_check=check)


def parse_master_list(data: bytes, *, path: str = "MasterList", verify: bool = True) -> MasterList:
    """Parse a CMS-signed CSCA master list and (with ``verify``) check its signature with the embedded signer.

    Whether that signer is itself trusted is decided by the caller (:class:`chipid.pki.trust.TrustStore`).

    Raises:
        ParseError: not a master list.
    """
    try:
        info = cms.ContentInfo.load(data, strict=True)
        signed = info["content"]
        encap = signed["encap_content_info"]
        content_type = encap["content_type"].dotted
        econtent = bytes(encap["content"])
        embedded = tuple(
            load_certificate(c.chosen.dump(), path=f"{path} > certificates")
            for c in signed["certificates"] or []
            if c.name == "certificate"
        )
        signer_infos = list(signed["signer_infos"])
    except ParseError:
        raise
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed CMS SignedData: {err}", path=path) from err
    if content_type != CSCA_MASTER_LIST_OID:
        raise ParseError(f"eContentType {content_type} is not id-icao-cscaMasterList", path=path)
    try:
        listed = CscaMasterList.load(econtent, strict=True)
        ders = [c.dump() for c in listed["cert_list"]]
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed CscaMasterList: {err}", path=f"{path} > CscaMasterList") from err
    certificates: list[Certificate] = []
    skipped: list[str] = []
    for i, der in enumerate(ders):
        try:
            certificates.append(load_certificate(der, path=f"{path} > certList[{i}]"))
        except ParseError as err:  # one odd certificate must not discard a whole national list
            skipped.append(str(err))
    signer = None
    if signer_infos:
        try:
            signer = find_signer_certificate(signer_infos[0], embedded)
        except ParseError:
            signer = None
    parsed = MasterList(
        tuple(certificates), signer, None, tuple(skipped), signer_infos[0] if signer_infos else None, econtent
    )
    return verify_master_list(parsed) if verify else parsed
