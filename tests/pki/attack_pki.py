"""An attacker's certificate workshop for the PKI attack tests (issue 10): what chipid.sim.pkigen does not build.

Certificates with a chosen profile (CA flag, extendedKeyUsage, forged issuer name and AKI), a Master List
Signer with its ICAO extendedKeyUsage, a self-signed non-CA signer, keys swapped for explicit EC parameters
over hostile fields, and byte-level edits of RSASSA-PSS parameters. Everything is built the way an attacker
would: his own keys, only public data of the genuine PKI (certificates, public keys).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from chipid.ecc.arith import Curve
from chipid.ecc.curves import curve_by_name
from chipid.sim import pkigen
from chipid.sim.pkigen import EPOCH, Issued, PrivateKey

MLS_EKU = "2.23.136.1.1.3"
SERVER_AUTH = ExtendedKeyUsageOID.SERVER_AUTH.dotted_string


def _hash(key: PrivateKey) -> hashes.HashAlgorithm:
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size > 300:
        return hashes.SHA384()
    return hashes.SHA256()


def _name(country: str, cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chipid test"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def certificate(
    signer_key: PrivateKey,
    seed: bytes,
    *,
    label: str,
    subject: x509.Name,
    issuer: x509.Name,
    aki_key: Any = None,
    ca: bool | None = None,
    digital_signature: bool = True,
    key_cert_sign: bool = False,
    eku: tuple[str, ...] = (),
    not_before: datetime = EPOCH,
    days: int = 3650,
    subject_key: PrivateKey | None = None,
) -> Issued:
    """Any certificate: ``signer_key`` signs; ``aki_key`` (a public key) is what its AKI claims."""
    key = subject_key or pkigen.generate_key(seed, label)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(hashlib.sha256(seed + label.encode()).digest()[:8], "big") | 1)
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
        .add_extension(
            x509.KeyUsage(digital_signature, False, False, False, False, key_cert_sign, key_cert_sign, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(aki_key or signer_key.public_key()), critical=False
        )
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ObjectIdentifier(o) for o in eku]), critical=False)
    cert = builder.sign(signer_key, _hash(signer_key), ecdsa_deterministic=True)
    return Issued(key, cert.public_bytes(serialization.Encoding.DER))


def ds_under(csca: Issued, seed: bytes, *, label: str, **options: Any) -> Issued:
    """A certificate issued by ``csca`` for a DS subject of its country (profile set by ``options``)."""
    issuer = csca.certificate.subject
    country = str(issuer.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value)
    cn = options.pop("cn", "Document Signer")
    return certificate(csca.key, seed, label=label, subject=_name(country, cn), issuer=issuer, **options)


def mls_under(csca: Issued, seed: bytes, *, label: str = "mls-eku", country: str | None = None) -> Issued:
    """A Master List Signer with the ICAO extendedKeyUsage (9303-12 §7.1.1), issued by ``csca``."""
    issuer = csca.certificate.subject
    c = country or str(issuer.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value)
    return certificate(
        csca.key, seed, label=label, subject=_name(c, "Master List Signer"), issuer=issuer, eku=(MLS_EKU,)
    )


def self_signed(seed: bytes, *, label: str, country: str = "VN", cn: str = "List Signer", ca: bool = False) -> Issued:
    """A self-signed certificate (a non-CA "signer" by default)."""
    key = pkigen.generate_key(seed, label)
    name = _name(country, cn)
    return certificate(key, seed, label=label, subject=name, issuer=name, ca=ca, key_cert_sign=ca, subject_key=key)


def forged_issuer_ds(genuine: Issued, attacker_key: PrivateKey, seed: bytes) -> Issued:
    """A DS whose issuer name and AKI are the genuine CSCA's, signed with the attacker's own key."""
    issuer = genuine.certificate.subject
    return certificate(
        attacker_key, seed, label="forged-aki", subject=_name("VN", "Document Signer"), issuer=issuer,
        aki_key=genuine.key.public_key(),
    )


def resign_with_spki(cert_der: bytes, spki_der: bytes, issuer_key: PrivateKey) -> bytes:
    """``cert_der`` with its subjectPublicKeyInfo replaced, re-signed by ``issuer_key`` (ECDSA or PKCS#1)."""
    cert: Any = asn1_x509.Certificate.load(cert_der)
    tbs = cert["tbs_certificate"].copy()
    tbs["subject_public_key_info"] = asn1_keys.PublicKeyInfo.load(spki_der)
    tbs_der: bytes = tbs.dump(force=True)
    if isinstance(issuer_key, ec.EllipticCurvePrivateKey):
        signature = issuer_key.sign(tbs_der, ec.ECDSA(_hash(issuer_key), deterministic_signing=True))
    else:
        signature = issuer_key.sign(tbs_der, padding.PKCS1v15(), _hash(issuer_key))
    result: bytes = asn1_x509.Certificate(
        {
            "tbs_certificate": asn1_x509.TbsCertificate.load(tbs_der),
            "signature_algorithm": cert["signature_algorithm"],
            "signature_value": signature,
        }
    ).dump()
    return result


def huge_field_curve(bits: int = 4096) -> Curve:
    """A "curve" over a field of ``bits`` bits (not a real group: x = 0, y = 1 lies on y^2 = x^3 + 3x + 1)."""
    p = (1 << bits) - 159  # odd; primality does not matter for a parameter set that must be refused unread
    return Curve("huge", p, 3, 1, 0, 1, p - 2)


def tweaked_curve() -> Curve:
    """brainpoolP256r1's field and a, but b = 4 (G = (0, 2)): a 256-bit curve matching no known curve."""
    bp = curve_by_name("brainpoolP256r1")
    return Curve("tweaked", bp.p, bp.a, 4, 0, 2, bp.n)


MGF1 = bytes.fromhex("06092a864886f70d010108")
SHA256_OID = bytes.fromhex("0609608648016503040201")
PSS_EDITS = {
    "unknown-mgf": (MGF1, bytes.fromhex("06092a864886f70d01017f")),
    "mgf-oid-is-rsa-encryption": (MGF1, bytes.fromhex("06092a864886f70d010101")),
    "unknown-hash": (SHA256_OID, bytes.fromhex("060960864801650304027f")),
    "mgf-oid-is-sha256": (MGF1, bytes.fromhex("0609608648016503040201")),
}
"""Same-length byte edits of RSASSA-PSS-params (RFC 4055 §3.1): what a hostile certificate carries."""


def edit_pss(der: bytes, edit: str) -> bytes:
    old, new = PSS_EDITS[edit]
    assert old in der, "no RSASSA-PSS parameters to edit"
    return der.replace(old, new)
