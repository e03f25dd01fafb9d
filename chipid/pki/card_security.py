"""Passive Authentication of EF.CardSecurity (ICAO 9303-11 §9.2.11; BSI TR-03110-3 §A.1.2.2).

EF.CardSecurity is a CMS SignedData, signed by a Document Signer, whose eContent of type id-SecurityObject
(0.4.0.127.0.7.3.2.1) is the chip's SecurityInfos (e.g. the PACE-CAM / Chip Authentication public keys).
Before those keys are trusted the signature and the DS certificate must verify as for EF.SOD; the content
itself is parsed by :func:`chipid.lds.security_infos.parse_card_security`. Checks are named ``cs.*``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone

from asn1crypto import cms

from chipid.errors import ASN1_ERRORS, ParseError, UnsupportedError
from chipid.pki.certs import Certificate, load_certificate
from chipid.pki.chain import chain_checks
from chipid.pki.cms_signer import find_signer_certificate, signing_time_of, verify_signer_info
from chipid.pki.trust import TrustStore
from chipid.report import CheckResult, CheckStatus

__all__ = ["SECURITY_OBJECT_OID", "CardSecurityResult", "verify_card_security"]

SECURITY_OBJECT_OID = "0.4.0.127.0.7.3.2.1"
"""id-SecurityObject (BSI TR-03110-3 §A.1.2.2)."""

_P, _F, _N = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.NOT_PERFORMED


@dataclass(frozen=True)
class CardSecurityResult:
    """Outcome of verifying EF.CardSecurity.

    Attributes:
        checks: ``cs.parse``, ``cs.signature``, ``cs.content_type``, ``cs.message_digest``, ``cs.ds_chain``...
        passed: every required check passed (the SecurityInfos inside may be trusted).
        ds_certificate: the signer certificate, when found.
    """

    checks: tuple[CheckResult, ...]
    passed: bool
    ds_certificate: Certificate | None = None


def _parse(data: bytes) -> tuple[object, bytes, str, tuple[Certificate, ...]]:
    try:
        info = cms.ContentInfo.load(data, strict=True)
        if info["content_type"].dotted != "1.2.840.113549.1.7.2":
            raise ParseError("not a SignedData", path="EF.CardSecurity")
        signed = info["content"]
        encap = signed["encap_content_info"]
        content_type = encap["content_type"].dotted
        econtent = bytes(encap["content"])
        signers = list(signed["signer_infos"])
        certificates = tuple(
            load_certificate(c.chosen.dump(), path="EF.CardSecurity > certificates")
            for c in signed["certificates"] or []
            if c.name == "certificate"
        )
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed CMS SignedData: {err}", path="EF.CardSecurity") from err
    if len(signers) != 1:
        raise ParseError(f"expected one SignerInfo, found {len(signers)}", path="EF.CardSecurity > signerInfos")
    return signers[0], econtent, content_type, certificates


def verify_card_security(
    data: bytes,
    trust: TrustStore | None,
    *,
    at: datetime | None = None,
    require_crl: bool = False,
    issuing_state: str | None = None,
) -> CardSecurityResult:
    """Verify the signature and DS certificate of EF.CardSecurity (bad input gives FAILED checks).

    Args:
        data: EF.CardSecurity as read.
        trust: the CSCA trust store (``None``: the chain is NOT_PERFORMED).
        at: verification time (default: the clock).
        require_crl: a missing CRL makes the result incomplete rather than informational.
        issuing_state: the document's issuing State (DG1), bound to the CSCA's country (``cs.country``).

    The DS certificate's path is checked first; a DS no trusted CSCA vouches for is not used to verify.
    """
    now = at or datetime.now(timezone.utc)
    try:
        signer_info, econtent, content_type, embedded = _parse(data)
        known = tuple(trust.document_signers) if trust is not None else ()
        ds = find_signer_certificate(signer_info, embedded + known)
    except ParseError as err:
        return CardSecurityResult((CheckResult("cs.parse", _F, f"EF.CardSecurity cannot be parsed: {err}"),), False)
    checks = [CheckResult("cs.parse", _P, "CMS SignedData with one SignerInfo")]
    if ds is None:
        checks.append(CheckResult("cs.ds_certificate", _N, "no signer certificate in EF.CardSecurity or the store"))
        return CardSecurityResult(tuple(checks), False)
    chain, _ = chain_checks(
        ds, trust, signing_time_of(signer_info), now, require_crl=require_crl, issuing_state=issuing_state
    )
    chain = [replace(c, name="cs." + c.name.removeprefix("pa.")) for c in chain]
    refused = [c for c in chain if c.failed and c.required]
    if refused:
        reason = f"not checked: the DS certificate is not trusted ({refused[0].name}: {refused[0].reason})"
        checks += [CheckResult("cs.signature", _N, reason), *chain]
        return CardSecurityResult(tuple(checks), False, ds)
    try:
        result = verify_signer_info(signer_info, econtent, content_type, ds)
    except (UnsupportedError, ParseError) as err:
        checks.append(CheckResult("cs.signature", _F, f"signature algorithm not usable: {err}"))
        return CardSecurityResult(tuple(checks), False, ds)
    checks.append(CheckResult("cs.signature", _P if result.signature else _F, result.reason or "signature verifies"))
    type_ok = content_type == SECURITY_OBJECT_OID and result.content_type is not False
    checks.append(
        CheckResult(
            "cs.content_type",
            _P if type_ok else _F,
            "id-SecurityObject" if type_ok else f"content type {content_type} is not id-SecurityObject",
        )
    )
    digest_ok = result.message_digest is not False
    checks.append(
        CheckResult(
            "cs.message_digest",
            _P if digest_ok else _F,
            "messageDigest matches eContent" if digest_ok else "messageDigest does not match eContent",
        )
    )
    checks += chain
    passed = all(c.passed for c in checks if c.required)
    return CardSecurityResult(tuple(checks), passed, ds)
