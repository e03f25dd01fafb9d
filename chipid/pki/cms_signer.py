"""Verification of one CMS SignerInfo (RFC 5652 §5.4, §5.6), shared by EF.SOD and master lists.

ICAO 9303-10 §4.6.2.2 / 9303-12 §9: when signedAttrs are present the signature covers their DER encoding
(re-tagged as SET OF), which must hold contentType (equal to eContentType) and messageDigest (the hash of
eContent with the SignerInfo's digestAlgorithm); without signedAttrs the signature covers eContent itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chipid.errors import ASN1_ERRORS, ParseError, UnsupportedError
from chipid.pki.certs import Certificate
from chipid.pki.keys import HASHES, digest, signature_spec, verify_signature

__all__ = ["SignerCheck", "find_signer_certificate", "signing_time_of", "verify_signer_info"]


@dataclass(frozen=True)
class SignerCheck:
    """Each part of a SignerInfo verification; ``None`` means "not applicable" (no signedAttrs).

    Attributes:
        signature: the signature verifies with the signer certificate's key.
        message_digest: messageDigest equals the hash of eContent.
        content_type: the contentType attribute equals eContentType.
        signing_time: the signingTime attribute, if present.
        algorithm: signature scheme and hash, e.g. ``"ecdsa/sha256"``.
        reason: why ``signature`` is False, when it is.
    """

    signature: bool
    message_digest: bool | None
    content_type: bool | None
    signing_time: datetime | None
    algorithm: str
    reason: str = ""


def _attribute(signed_attrs: Any, name: str) -> Any:
    for attr in signed_attrs:
        if attr["type"].native == name:
            values = attr["values"]
            return values[0] if len(values) == 1 else None
    return None


def signing_time_of(signer_info: Any) -> datetime | None:
    """The signingTime signed attribute, read before (and independently of) any signature check; ``None`` when
    absent or unreadable. Used only to judge the DS's validity; a wrong one fails with the signature."""
    try:
        attrs = signer_info["signed_attrs"]
        if attrs.native is None:
            return None
        value = _attribute(attrs, "signing_time")
        native = value.native if value is not None else None
    except ASN1_ERRORS:
        return None
    return native if isinstance(native, datetime) else None


def find_signer_certificate(signer_info: Any, certificates: tuple[Certificate, ...]) -> Certificate | None:
    """The certificate named by the SignerInfo's sid (issuerAndSerialNumber or subjectKeyIdentifier).

    Raises:
        ParseError: a malformed sid.
    """
    try:
        return _find(signer_info, certificates)
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed SignerIdentifier: {err}", path="SignedData > signerInfos[0] > sid") from err


def _find(signer_info: Any, certificates: tuple[Certificate, ...]) -> Certificate | None:
    sid = signer_info["sid"]
    for cert in certificates:
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if (
                int(wanted["serial_number"].native) == cert.serial_number
                and wanted["issuer"].dump() == cert.asn1.issuer.dump()
            ):
                return cert
        elif cert.ski == bytes(sid.chosen.native):
            return cert
    if sid.name == "issuer_and_serial_number":
        # Tolerate re-encoded issuer names: fall back to the serial number alone.
        serial = int(sid.chosen["serial_number"].native)
        return next((c for c in certificates if c.serial_number == serial), None)
    return None


def verify_signer_info(signer_info: Any, econtent: bytes, content_type: str, signer: Certificate) -> SignerCheck:
    """Verify a SignerInfo over ``econtent`` with ``signer``'s public key.

    Raises:
        UnsupportedError: an unknown signature or digest algorithm.
        ParseError: a malformed SignerInfo field.
    """
    try:
        return _verify(signer_info, econtent, content_type, signer)
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed SignerInfo: {err}", path="SignedData > signerInfos[0]") from err


def _verify(signer_info: Any, econtent: bytes, content_type: str, signer: Certificate) -> SignerCheck:
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    if digest_name not in HASHES:
        raise UnsupportedError(
            f"unsupported digest algorithm {digest_name}",
            oid=signer_info["digest_algorithm"]["algorithm"].dotted,
        )
    spec = signature_spec(signer_info["signature_algorithm"], signer_info["digest_algorithm"])
    algorithm = f"{spec.scheme}/{spec.hash_name}"
    signed_attrs = signer_info["signed_attrs"]
    signature = bytes(signer_info["signature"].native)
    if signed_attrs.native is None or len(signed_attrs) == 0:
        ok = verify_signature(signer.public_key, signature, econtent, spec)
        return SignerCheck(ok, None, None, None, algorithm, "" if ok else "signature over eContent does not verify")
    md = _attribute(signed_attrs, "message_digest")
    ct = _attribute(signed_attrs, "content_type")
    st = _attribute(signed_attrs, "signing_time")
    md_ok = md is not None and bytes(md.native) == digest(digest_name, econtent)
    ct_ok = ct is not None and ct.dotted == content_type
    signing_time = st.native if st is not None else None
    # RFC 5652 §5.4: the DER of signedAttrs with the EXPLICIT SET OF tag (31), not the [0] IMPLICIT tag.
    as_read = b"\x31" + signed_attrs.dump()[1:]
    ok = verify_signature(signer.public_key, signature, as_read, spec)
    if not ok:
        # A BER-encoded SOD may carry signedAttrs in BER; the signer signed their DER encoding.
        der = b"\x31" + signed_attrs.copy().dump(force=True)[1:]
        ok = der != as_read and verify_signature(signer.public_key, signature, der, spec)
    reason = "" if ok else f"{algorithm} signature over signedAttrs does not verify with the signer key"
    return SignerCheck(ok, md_ok, ct_ok, signing_time, algorithm, reason)
