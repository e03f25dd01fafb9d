"""EF.SOD, the Document Security Object: parse and build.

ICAO 9303-10 §4.6.2 and 9303-12 §9 (Appendix "Document Security Object"): EF.SOD is ``77`` wrapping a CMS
ContentInfo of type SignedData (RFC 5652) whose encapsulated content, of type
id-icao-mrtd-security-ldsSecurityObject (2.23.136.1.1.1), is::

    LDSSecurityObject ::= SEQUENCE {
        version LDSSecurityObjectVersion,           -- v0(0), v1(1) (v1 adds ldsVersionInfo)
        hashAlgorithm DigestAlgorithmIdentifier,
        dataGroupHashValues SEQUENCE SIZE (2..ub-DataGroups) OF DataGroupHash,
        ldsVersionInfo LDSVersionInfo OPTIONAL }

DER and BER (indefinite lengths) are both accepted. Signature verification lives in :mod:`chipid.pki.passive`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from asn1crypto import algos, cms, core, x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from chipid.errors import ASN1_ERRORS, ParseError, UnsupportedError

__all__ = [
    "LDS_SECURITY_OBJECT_OID",
    "SOD",
    "SignerKey",
    "DataGroupHash",
    "LDSSecurityObject",
    "LDSVersionInfo",
    "build_sod",
    "parse_sod",
]

LDS_SECURITY_OBJECT_OID = "2.23.136.1.1.1"
"""id-icao-mrtd-security-ldsSecurityObject (ICAO 9303-10 §4.6.2.1)."""


class DataGroupHash(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("data_group_number", core.Integer),
        ("data_group_hash_value", core.OctetString),
    ]


class DataGroupHashValues(core.SequenceOf):  # type: ignore[misc]
    _child_spec = DataGroupHash


class LDSVersionInfo(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("lds_version", core.PrintableString),
        ("unicode_version", core.PrintableString),
    ]


class LDSSecurityObject(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LDSVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class SOD:
    """A parsed EF.SOD.

    Attributes:
        raw: the file bytes as read.
        signed_data: the asn1crypto ``cms.SignedData`` (for signature verification).
        content_type: eContentType, dotted (must be :data:`LDS_SECURITY_OBJECT_OID`).
        econtent: the encapsulated content octets (the DER of the LDSSecurityObject) that are hashed.
        version: LDSSecurityObject version (0 or 1).
        hash_algorithm: the data-group hash algorithm (``"sha256"``...).
        dg_hashes: data-group number -> hash value.
        lds_version: ldsVersionInfo.ldsVersion (``"0108"``) for v1, else ``None``.
        unicode_version: ldsVersionInfo.unicodeVersion for v1, else ``None``.
        certificates: DER of every certificate embedded in SignedData (the Document Signer first, usually).
    """

    raw: bytes = field(repr=False)
    signed_data: Any = field(repr=False)
    content_type: str
    econtent: bytes = field(repr=False)
    version: int
    hash_algorithm: str
    dg_hashes: Mapping[int, bytes]
    lds_version: str | None
    unicode_version: str | None
    certificates: tuple[bytes, ...] = field(repr=False)

    @property
    def signer_info(self) -> Any:
        """The single SignerInfo (ICAO 9303-10 §4.6.2.2: exactly one signer)."""
        return self.signed_data["signer_infos"][0]


def _unwrap(data: bytes) -> bytes:
    if not data or data[0] != 0x77:
        raise ParseError(f"EF.SOD must start with tag 77, got {data[:1].hex() or 'nothing'}", path="SOD")
    try:
        outer = core.Asn1Value.load(data, strict=True)
        return bytes(outer.contents)
    except (ValueError, TypeError) as err:
        raise ParseError(f"bad tag 77 wrapper: {err}", path="SOD") from err


def _parse_lds_object(econtent: bytes) -> tuple[int, str, dict[int, bytes], str | None, str | None]:
    base = "SOD > LDSSecurityObject"
    try:
        obj = LDSSecurityObject.load(econtent, strict=True)
        version = int(obj["version"].native)
        hash_algorithm = obj["hash_algorithm"]["algorithm"].native
        values = obj["data_group_hash_values"]
        count = len(values)
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed LDSSecurityObject: {err}", path=base) from err
    if version not in (0, 1):
        raise ParseError(f"unknown version {version}", path=f"{base} > version")
    hashes: dict[int, bytes] = {}
    for i in range(count):
        where = f"{base} > dataGroupHashValues[{i}]"
        try:
            number = int(values[i]["data_group_number"].native)
            value = bytes(values[i]["data_group_hash_value"].native)
        except ASN1_ERRORS as err:
            raise ParseError(f"malformed DataGroupHash: {err}", path=where) from err
        if not 1 <= number <= 16:
            raise ParseError(f"data group number {number} out of 1..16", path=where)
        if number in hashes:
            raise ParseError(f"DG{number} listed twice", path=where)
        hashes[number] = value
    lds_version = unicode_version = None
    try:
        info = obj["lds_version_info"]
        if info.native is not None:
            lds_version = info["lds_version"].native
            unicode_version = info["unicode_version"].native
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed LDSVersionInfo: {err}", path=f"{base} > ldsVersionInfo") from err
    return version, hash_algorithm, hashes, lds_version, unicode_version


def _check_versions(signed_data: Any) -> None:
    """RFC 5652 §5.1/§5.3: SignerInfo v1 goes with issuerAndSerialNumber, v3 with subjectKeyIdentifier."""
    for i, signer in enumerate(signed_data["signer_infos"]):
        expected = "v1" if signer["sid"].name == "issuer_and_serial_number" else "v3"
        if signer["version"].native != expected:
            raise ParseError(
                f"version {signer['version'].native} does not match its sid (expected {expected})",
                path=f"SOD > SignedData > signerInfos[{i}]",
            )


def parse_sod(data: bytes) -> SOD:
    """Parse EF.SOD (tag 77, CMS SignedData, LDSSecurityObject v0/v1).

    Args:
        data: the whole file as read from the chip.

    Raises:
        ParseError: any structural problem, with a ``.path`` such as
            ``"SOD > LDSSecurityObject > dataGroupHashValues[3]"``.
    """
    inner = _unwrap(data)
    try:
        info = cms.ContentInfo.load(inner, strict=True)
        if info["content_type"].dotted != "1.2.840.113549.1.7.2":
            raise ParseError(f"content type {info['content_type'].dotted} is not signedData", path="SOD > ContentInfo")
        signed_data = info["content"]
        encap = signed_data["encap_content_info"]
        content_type = encap["content_type"].dotted
        econtent_value = encap["content"]
        if econtent_value.native is None:
            raise ParseError("no encapsulated content (detached SOD)", path="SOD > SignedData > eContent")
        econtent = bytes(econtent_value)
        certificates = tuple(c.chosen.dump() for c in signed_data["certificates"] or [] if c.name == "certificate")
        signer_count = len(signed_data["signer_infos"])
        # Parse every field now (asn1crypto is lazy): a malformed unsigned field is still a ParseError.
        signed_data["version"].native  # noqa: B018
        signed_data["digest_algorithms"].native  # noqa: B018
        signed_data["signer_infos"].native  # noqa: B018
    except ParseError:
        raise
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed CMS SignedData: {err}", path="SOD > SignedData") from err
    _check_versions(signed_data)
    if signer_count != 1:
        raise ParseError(
            f"expected exactly one SignerInfo, found {signer_count}", path="SOD > SignedData > signerInfos"
        )
    version, hash_algorithm, hashes, lds_version, unicode_version = _parse_lds_object(econtent)
    return SOD(
        raw=bytes(data),
        signed_data=signed_data,
        content_type=content_type,
        econtent=econtent,
        version=version,
        hash_algorithm=hash_algorithm,
        dg_hashes=hashes,
        lds_version=lds_version,
        unicode_version=unicode_version,
        certificates=certificates,
    )


SignerKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _hash(name: str, data: bytes) -> bytes:
    if name not in _HASHES:
        raise UnsupportedError(f"unsupported hash algorithm {name!r}")
    h = hashes.Hash(_HASHES[name]())
    h.update(data)
    return h.finalize()


def _sign(key: SignerKey, data: bytes, hash_name: str, pss: bool) -> tuple[bytes, Any]:
    hash_alg = _HASHES[hash_name]()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        sig = key.sign(data, ec.ECDSA(hash_alg, deterministic_signing=True))
        return sig, algos.SignedDigestAlgorithm({"algorithm": f"{hash_name}_ecdsa"})
    if pss:
        params = algos.RSASSAPSSParams(
            {
                "hash_algorithm": {"algorithm": hash_name},
                "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": hash_name}},
                "salt_length": hash_alg.digest_size,
            }
        )
        sig = key.sign(data, padding.PSS(padding.MGF1(hash_alg), hash_alg.digest_size), hash_alg)
        return sig, algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": params})
    sig = key.sign(data, padding.PKCS1v15(), hash_alg)
    return sig, algos.SignedDigestAlgorithm({"algorithm": f"{hash_name}_rsa"})


def build_sod(
    data_groups: Mapping[int, bytes],
    signer_key: SignerKey,
    signer_certificate: bytes,
    *,
    hash_algorithm: str = "sha256",
    signature_hash: str | None = None,
    pss: bool = False,
    signing_time: datetime | None = None,
    lds_version: tuple[str, str] | None = ("0108", "040000"),
    signed_attributes: bool = True,
    include_certificate: bool = True,
    sid_by_key_id: bool = False,
    dg_hashes: Mapping[int, bytes] | None = None,
    content_type: str = LDS_SECURITY_OBJECT_OID,
    message_digest: bytes | None = None,
) -> bytes:
    """Build and sign EF.SOD over ``data_groups`` (used by the virtual chip's personalisation and tests).

    ICAO 9303-10 §4.6.2: one SignerInfo (sid = issuerAndSerialNumber), signedAttrs contentType,
    messageDigest and (optionally) signingTime; LDSSecurityObject v1 when ``lds_version`` is given.
    The override arguments (``dg_hashes``, ``content_type``, ``message_digest``) exist to build the
    negative cases of the forgery tests.

    Args:
        data_groups: data-group number -> exact file bytes.
        signer_key: the Document Signer private key (RSA or EC on a named curve).
        signer_certificate: the Document Signer certificate (DER).
        hash_algorithm: data-group hash algorithm.
        signature_hash: hash of the signature (default: ``hash_algorithm``).
        pss: RSASSA-PSS instead of PKCS#1 v1.5 for RSA keys.
        signing_time: adds the signingTime attribute.
        lds_version: (ldsVersion, unicodeVersion) for a v1 object, ``None`` for v0.
        signed_attributes: ``False`` builds the rare SOD whose signature covers eContent directly.
        include_certificate: embed the DS certificate in SignedData.certificates.
        sid_by_key_id: identify the signer by subjectKeyIdentifier (SignerInfo v3) instead of
            issuerAndSerialNumber (v1).
        dg_hashes: replaces the computed hashes.
        content_type: eContentType and contentType attribute.
        message_digest: replaces the messageDigest attribute value.

    Returns:
        The EF.SOD bytes (tag 77).
    """
    sig_hash = signature_hash or hash_algorithm
    values = dict(dg_hashes) if dg_hashes is not None else {n: _hash(hash_algorithm, d) for n, d in data_groups.items()}
    lds: dict[str, Any] = {
        "version": 1 if lds_version else 0,
        "hash_algorithm": {"algorithm": hash_algorithm},
        "data_group_hash_values": [
            {"data_group_number": n, "data_group_hash_value": values[n]} for n in sorted(values)
        ],
    }
    if lds_version:
        lds["lds_version_info"] = {"lds_version": lds_version[0], "unicode_version": lds_version[1]}
    econtent = LDSSecurityObject(lds).dump()
    cert = x509.Certificate.load(signer_certificate)
    if sid_by_key_id and cert.key_identifier is not None:
        sid = cms.SignerIdentifier({"subject_key_identifier": cert.key_identifier})
    else:
        sid = cms.SignerIdentifier(
            {"issuer_and_serial_number": {"issuer": cert.issuer, "serial_number": cert.serial_number}}
        )
    signer: dict[str, Any] = {
        "version": "v3" if sid.name == "subject_key_identifier" else "v1",
        "sid": sid,
        "digest_algorithm": {"algorithm": sig_hash},
    }
    to_sign = econtent
    if signed_attributes:
        attrs = [
            {"type": "content_type", "values": [content_type]},
            {"type": "message_digest", "values": [message_digest or _hash(sig_hash, econtent)]},
        ]
        if signing_time is not None:
            attrs.append({"type": "signing_time", "values": [cms.Time({"utc_time": signing_time})]})
        signed_attrs = cms.CMSAttributes(attrs)
        signer["signed_attrs"] = signed_attrs
        to_sign = signed_attrs.dump()
    signature, sig_alg = _sign(signer_key, to_sign, sig_hash, pss)
    signer["signature_algorithm"] = sig_alg
    signer["signature"] = signature
    signed_data = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": sig_hash}],
            "encap_content_info": {"content_type": content_type, "content": econtent},
            "certificates": [cert] if include_certificate else None,
            "signer_infos": [cms.SignerInfo(signer)],
        }
    )
    info = cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
    wrapped: bytes = core.Asn1Value(class_="application", tag=23, method=1, contents=info).dump()
    return wrapped
