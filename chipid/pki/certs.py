"""X.509 certificates and CRLs as PA needs them (ICAO 9303-12 §7 profiles), parsed with asn1crypto.

asn1crypto (not ``cryptography``) parses here because real CSCA and DS certificates carry explicit EC domain
parameters and negative serial numbers, which ``cryptography`` refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from chipid.errors import ASN1_ERRORS, ParseError, UnsupportedError
from chipid.pki.keys import VerifyKey, load_public_key, signature_spec, verify_signature
from chipid.pki.names import NormalizedName, normalize_name

__all__ = ["CRL", "Certificate", "load_certificate", "load_crl", "signed_by"]


@dataclass(frozen=True)
class Certificate:
    """A parsed certificate with the facts trust decisions need.

    Attributes:
        der: the DER bytes.
        asn1: the asn1crypto ``x509.Certificate``.
    """

    der: bytes
    asn1: Any = field(repr=False, compare=False)

    @cached_property
    def subject(self) -> NormalizedName:
        return normalize_name(self.asn1.subject)

    @cached_property
    def issuer(self) -> NormalizedName:
        return normalize_name(self.asn1.issuer)

    @property
    def subject_text(self) -> str:
        return str(self.asn1.subject.human_friendly)

    @property
    def issuer_text(self) -> str:
        return str(self.asn1.issuer.human_friendly)

    @property
    def serial_number(self) -> int:
        return int(self.asn1.serial_number)

    @property
    def ski(self) -> bytes | None:
        value = self.asn1.key_identifier
        return bytes(value) if value is not None else None

    @property
    def aki(self) -> bytes | None:
        value = self.asn1.authority_key_identifier
        return bytes(value) if value is not None else None

    @property
    def not_before(self) -> datetime:
        result: datetime = self.asn1["tbs_certificate"]["validity"]["not_before"].native
        return result

    @property
    def not_after(self) -> datetime:
        result: datetime = self.asn1["tbs_certificate"]["validity"]["not_after"].native
        return result

    def valid_at(self, when: datetime) -> bool:
        return self.not_before <= when <= self.not_after

    @property
    def key_usage(self) -> frozenset[str] | None:
        """Key usage bit names (``"digital_signature"``, ``"key_cert_sign"``...), ``None`` if absent."""
        value = self.asn1.key_usage_value
        return frozenset(value.native) if value is not None else None

    @property
    def extended_key_usage(self) -> frozenset[str] | None:
        """extendedKeyUsage purposes as dotted OIDs, ``None`` if the extension is absent."""
        value = self.asn1.extended_key_usage_value
        return frozenset(purpose.dotted for purpose in value) if value is not None else None

    @property
    def is_ca(self) -> bool:
        return bool(self.asn1.ca)

    @property
    def self_issued(self) -> bool:
        return self.subject == self.issuer

    @cached_property
    def public_key(self) -> VerifyKey:
        return load_public_key(self.asn1.public_key, path="Certificate > subjectPublicKeyInfo")


@dataclass(frozen=True)
class CRL:
    """A parsed certificate revocation list."""

    der: bytes
    asn1: Any = field(repr=False, compare=False)

    @cached_property
    def issuer(self) -> NormalizedName:
        return normalize_name(self.asn1.issuer)

    @property
    def aki(self) -> bytes | None:
        value = self.asn1.authority_key_identifier
        return bytes(value) if value is not None else None

    @property
    def next_update(self) -> datetime | None:
        value = self.asn1["tbs_cert_list"]["next_update"].native
        return value if isinstance(value, datetime) else None

    @cached_property
    def revoked_serials(self) -> frozenset[int]:
        revoked = self.asn1["tbs_cert_list"]["revoked_certificates"]
        return frozenset(int(entry["user_certificate"].native) for entry in revoked or [])


def _der(data: bytes) -> bytes:
    if pem.detect(data):
        _, _, der = pem.unarmor(data)
        return bytes(der)
    return data


def load_certificate(data: bytes, *, path: str = "Certificate") -> Certificate:
    """Parse a DER or PEM certificate.

    Raises:
        ParseError: not a certificate.
    """
    try:
        der = _der(data)
        cert = asn1_x509.Certificate.load(der, strict=True)
        cert.native  # noqa: B018 - force a full parse now, not at first use
    except ASN1_ERRORS as err:
        raise ParseError(f"not an X.509 certificate: {err}", path=path) from err
    return Certificate(der, cert)


def load_crl(data: bytes, *, path: str = "CRL") -> CRL:
    """Parse a DER or PEM CRL.

    Raises:
        ParseError: not a CRL.
    """
    try:
        der = _der(data)
        value = asn1_crl.CertificateList.load(der, strict=True)
        value.native  # noqa: B018
    except ASN1_ERRORS as err:
        raise ParseError(f"not a CRL: {err}", path=path) from err
    return CRL(der, value)


def signed_by(signed: Certificate | CRL, issuer: Certificate) -> bool:
    """True if ``issuer``'s key verifies the signature of a certificate or CRL (RFC 5280 §6.1.3 (a)(1))."""
    asn1 = signed.asn1
    tbs_field = "tbs_certificate" if isinstance(signed, Certificate) else "tbs_cert_list"
    try:
        spec = signature_spec(asn1["signature_algorithm"])
        key = issuer.public_key
    except (UnsupportedError, ParseError):
        return False
    return verify_signature(key, bytes(asn1.signature), asn1[tbs_field].dump(), spec)
