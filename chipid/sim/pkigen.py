"""A test PKI generator: CSCA -> Document Signer, CRLs, link certificates, master lists, LDIF.

ICAO 9303-12 §7 (certificate profiles): the CSCA is self-signed (basicConstraints CA, keyCertSign + cRLSign),
the Document Signer carries digitalSignature and an authorityKeyIdentifier; CRLs are signed by the CSCA
(§7.1.4). Deterministic from a seed where ``cryptography`` allows it: EC private scalars are derived from the
seed (stable keys); RSA keys cannot be seeded and are cached per (seed, label, size) within a process.
Everything here is for tests and the virtual chip; it is never used to verify anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from chipid.ecc.arith import Curve
from chipid.ecc.curves import curve_by_name
from chipid.errors import UnsupportedError
from chipid.pki.masterlist import CSCA_MASTER_LIST_OID, CscaMasterList
from chipid.sim._keys import seeded_rsa_key

__all__ = [
    "Issued",
    "PrivateKey",
    "TestPKI",
    "explicit_domain",
    "explicit_ec_spki",
    "explicit_spki",
    "generate_key",
    "generate_pki",
    "issue_csca",
    "issue_ds",
    "link_certificate",
    "make_crl",
    "master_list",
    "master_list_signer",
    "signed_data",
    "with_ds",
]

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
"""Default 'now' of generated PKIs, so tests do not depend on the wall clock."""

_RSA_CACHE: dict[tuple[bytes, str, int], rsa.RSAPrivateKey] = {}


@dataclass(frozen=True)
class Issued:
    """A private key with its certificate (DER in ``der``)."""

    key: PrivateKey
    der: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.der)


@dataclass(frozen=True)
class TestPKI:
    """One country's test PKI: CSCA, a Document Signer it issued and an (empty) CRL."""

    csca: Issued
    ds: Issued
    crl: bytes
    country: str


def generate_key(
    seed: bytes, label: str, kind: str = "ec", *, curve: str = "brainpoolP256r1", rsa_bits: int = 2048
) -> PrivateKey:
    """A key pair that depends only on ``seed`` and ``label`` (EC: a derived scalar; RSA: seeded primes, cached
    per process because generating them in Python takes a moment)."""
    if kind == "rsa":
        cache_key = (seed, label, rsa_bits)
        if cache_key not in _RSA_CACHE:
            _RSA_CACHE[cache_key] = seeded_rsa_key(f"{seed.hex()}|{label}", rsa_bits)
        return _RSA_CACHE[cache_key]
    params = curve_by_name(curve)
    named = params.cryptography_curve()
    if named is None:
        raise UnsupportedError(f"cryptography cannot generate keys on {curve}")
    scalar = int.from_bytes(hashlib.sha512(seed + b"|" + label.encode()).digest(), "big") % (params.n - 1) + 1
    return ec.derive_private_key(scalar, named)


def _hash_for(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384:
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size > 300:
        return hashes.SHA384()
    return hashes.SHA256()


def _det(key: PrivateKey) -> bool | None:
    return True if isinstance(key, ec.EllipticCurvePrivateKey) else None


def _name(country: str, cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chipid test"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _serial(seed: bytes, label: str) -> int:
    return int.from_bytes(hashlib.sha256(b"serial|" + seed + label.encode()).digest()[:8], "big") | 1


def issue_csca(
    seed: bytes,
    *,
    country: str = "VN",
    cn: str = "CSCA",
    kind: str = "ec",
    curve: str = "brainpoolP256r1",
    rsa_bits: int = 3072,
    not_before: datetime = EPOCH,
    years: int = 15,
    label: str = "csca",
) -> Issued:
    """A self-signed CSCA certificate (ICAO 9303-12 §7.1.1)."""
    key = generate_key(seed, label, kind, curve=curve, rsa_bits=rsa_bits)
    name = _name(country, cn)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(_serial(seed, label))
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, _hash_for(key), ecdsa_deterministic=_det(key))
    )
    return Issued(key, cert.public_bytes(serialization.Encoding.DER))


def issue_ds(
    csca: Issued,
    seed: bytes,
    *,
    label: str = "ds",
    cn: str = "Document Signer",
    kind: str = "ec",
    curve: str = "brainpoolP256r1",
    rsa_bits: int = 2048,
    not_before: datetime = EPOCH,
    days: int = 3650,
    key_usage: bool = True,
    serial: int | None = None,
    explicit_params: bool = False,
    negative_serial: bool = False,
    subject_key: PrivateKey | None = None,
    pss: bool = False,
) -> Issued:
    """A Document Signer certificate issued by ``csca`` (ICAO 9303-12 §7.1.2).

    Args:
        key_usage: ``False`` gives keyCertSign only (a DS key that must be refused).
        explicit_params: rewrite the EC SubjectPublicKeyInfo with explicit domain parameters.
        negative_serial: encode a negative serial number (seen in real national PKIs).
        subject_key: certify this key instead of a fresh one (link certificates use it).
        pss: an RSA CSCA signs the certificate with RSASSA-PSS instead of PKCS#1 v1.5.
    """
    key = subject_key or generate_key(seed, label, kind, curve=curve, rsa_bits=rsa_bits)
    issuer = csca.certificate
    usage = (
        x509.KeyUsage(True, False, False, False, False, False, False, False, False)
        if key_usage
        else x509.KeyUsage(False, False, False, False, False, True, False, False, False)
    )
    country = issuer.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(str(country), cn))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else _serial(seed, label))
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(csca.key.public_key()), critical=False)
    )
    hash_alg = _hash_for(csca.key)
    pss_padding = padding.PSS(padding.MGF1(hash_alg), hash_alg.digest_size) if pss else None
    der = builder.sign(csca.key, hash_alg, rsa_padding=pss_padding, ecdsa_deterministic=_det(csca.key)).public_bytes(
        serialization.Encoding.DER
    )
    if explicit_params or negative_serial:
        der = _patch(der, csca.key, explicit=explicit_params, negate_serial=negative_serial)
    return Issued(key, der)


def link_certificate(old: Issued, new: Issued) -> bytes:
    """A link certificate: the new CSCA's key and subject, signed by the old CSCA (9303-12 §5.5.1)."""
    new_cert = new.certificate
    old_cert = old.certificate
    cert = (
        x509.CertificateBuilder()
        .subject_name(new_cert.subject)
        .issuer_name(old_cert.subject)
        .public_key(new.key.public_key())
        .serial_number(new_cert.serial_number + 1)
        .not_valid_before(new_cert.not_valid_before_utc)
        .not_valid_after(new_cert.not_valid_after_utc)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(new.key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(old.key.public_key()), critical=False)
        .sign(old.key, _hash_for(old.key), ecdsa_deterministic=_det(old.key))
    )
    return cert.public_bytes(serialization.Encoding.DER)


def make_crl(csca: Issued, revoked: tuple[int, ...] = (), *, this_update: datetime = EPOCH, days: int = 90) -> bytes:
    """A CRL signed by ``csca`` revoking the given serial numbers (ICAO 9303-12 §7.1.4)."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(csca.certificate.subject)
        .last_update(this_update)
        .next_update(this_update + timedelta(days=days))
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(this_update).build()
        )
    return builder.sign(csca.key, _hash_for(csca.key), ecdsa_deterministic=_det(csca.key)).public_bytes(
        serialization.Encoding.DER
    )


def explicit_domain(curve: Curve) -> Any:
    """``curve`` written out as explicit SpecifiedECDomain parameters (ICAO 9303-12 §4.1.6.2, X9.62 / SEC 1)."""
    size = curve.size
    return asn1_keys.SpecifiedECDomain(
        {
            "version": "ecdpVer1",
            "field_id": {"field_type": "prime_field", "parameters": curve.p},
            "curve": {"a": curve.a.to_bytes(size, "big"), "b": curve.b.to_bytes(size, "big")},
            "base": curve.encode_point(curve.generator),
            "order": curve.n,
            "cofactor": curve.h,
        }
    )


def explicit_ec_spki(curve: Curve, point: tuple[int, int]) -> bytes:
    """The SubjectPublicKeyInfo of the EC public ``point`` with ``curve`` as explicit domain parameters."""
    info = asn1_keys.PublicKeyInfo(
        {
            "algorithm": {
                "algorithm": "ec",
                "parameters": asn1_keys.ECDomainParameters("specified", explicit_domain(curve)),
            },
            "public_key": curve.encode_point(point),
        }
    )
    der: bytes = info.dump()
    return der


def explicit_spki(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The SubjectPublicKeyInfo of a ``cryptography`` EC key, with explicit (specified) domain parameters."""
    numbers = public_key.public_numbers()
    return explicit_ec_spki(curve_by_name(public_key.curve.name), (numbers.x, numbers.y))


def _patch(der: bytes, issuer_key: PrivateKey, *, explicit: bool, negate_serial: bool) -> bytes:
    """Edit a certificate with asn1crypto (``cryptography`` refuses both edits) and re-sign it."""
    cert: Any = asn1_x509.Certificate.load(der)
    tbs = cert["tbs_certificate"].copy()
    if explicit:
        public = x509.load_der_x509_certificate(der).public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        tbs["subject_public_key_info"] = asn1_keys.PublicKeyInfo.load(explicit_spki(public))
    if negate_serial:
        tbs["serial_number"] = -abs(int(tbs["serial_number"].native))
    tbs_der: bytes = tbs.dump(force=True)
    hash_alg = _hash_for(issuer_key)
    if isinstance(issuer_key, ec.EllipticCurvePrivateKey):
        signature = issuer_key.sign(tbs_der, ec.ECDSA(hash_alg, deterministic_signing=True))
    else:
        signature = issuer_key.sign(tbs_der, padding.PKCS1v15(), hash_alg)
    patched: bytes = asn1_x509.Certificate(
        {
            "tbs_certificate": asn1_x509.TbsCertificate.load(tbs_der),
            "signature_algorithm": cert["signature_algorithm"],
            "signature_value": signature,
        }
    ).dump()
    return patched


def generate_pki(
    seed: bytes | str,
    *,
    kind: str = "ec",
    curve: str = "brainpoolP256r1",
    country: str = "VN",
    now: datetime = EPOCH,
    explicit_params: bool = False,
) -> TestPKI:
    """A whole test PKI: CSCA, one Document Signer valid from ``now`` and an empty CRL.

    Args:
        seed: makes EC keys (and serials) reproducible.
        kind: ``"ec"`` or ``"rsa"`` for both CSCA and DS.
        curve: EC curve name (``"brainpoolP256r1"``, ``"secp256r1"``, ...).
        country: two-letter country of the subject names.
        now: start of validity of both certificates.
        explicit_params: the DS certificate carries explicit EC domain parameters.
    """
    raw_seed = seed.encode() if isinstance(seed, str) else seed
    csca = issue_csca(raw_seed, country=country, kind=kind, curve=curve, not_before=now)
    ds = issue_ds(csca, raw_seed, kind=kind, curve=curve, not_before=now, explicit_params=explicit_params)
    return TestPKI(csca, ds, make_crl(csca, this_update=now), country)


def with_ds(pki: TestPKI, ds: Issued) -> TestPKI:
    """The same PKI with another Document Signer."""
    return replace(pki, ds=ds)


def master_list_signer(csca: Issued, seed: bytes, *, label: str = "mls") -> Issued:
    """A Master List Signer certificate issued by ``csca`` (ICAO 9303-12 §7.1.3)."""
    return issue_ds(csca, seed, label=label, cn="Master List Signer")


def signed_data(signer: Issued, econtent: bytes, content_type: str, *, signed_econtent: bytes | None = None) -> bytes:
    """A CMS ContentInfo/SignedData over ``econtent`` (RFC 5652 §5) signed by ``signer`` with signedAttrs.

    Args:
        signer: key and certificate (embedded in SignedData.certificates).
        econtent: the encapsulated content.
        content_type: eContentType and the contentType attribute (dotted OID).
        signed_econtent: sign these bytes instead (a tampered content whose signature must fail).
    """
    cert = asn1_x509.Certificate.load(signer.der)
    hash_alg = _hash_for(signer.key)
    digest_of = signed_econtent if signed_econtent is not None else econtent
    attrs = cms.CMSAttributes(
        [
            {"type": "content_type", "values": [content_type]},
            {"type": "message_digest", "values": [hashlib.new(hash_alg.name, digest_of).digest()]},
        ]
    )
    if isinstance(signer.key, ec.EllipticCurvePrivateKey):
        signature = signer.key.sign(attrs.dump(), ec.ECDSA(hash_alg, deterministic_signing=True))
        sig_alg = f"{hash_alg.name}_ecdsa"
    else:
        signature = signer.key.sign(attrs.dump(), padding.PKCS1v15(), hash_alg)
        sig_alg = f"{hash_alg.name}_rsa"
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {"issuer_and_serial_number": {"issuer": cert.issuer, "serial_number": cert.serial_number}}
            ),
            "digest_algorithm": {"algorithm": hash_alg.name},
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": sig_alg},
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": hash_alg.name}],
            "encap_content_info": {"content_type": content_type, "content": econtent},
            "certificates": [cert],
            "signer_infos": [signer_info],
        }
    )
    der: bytes = cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()
    return der


def master_list(signer: Issued, certificates: list[bytes], *, tamper: bool = False) -> bytes:
    """A CMS-signed CscaMasterList (OID 2.23.136.1.1.2) listing ``certificates`` (DER).

    Args:
        signer: the Master List Signer (key and certificate, embedded in SignedData).
        certificates: the CSCA and link certificates to list.
        tamper: list only the first certificate but sign the full list (the signature must fail).
    """

    def _list(ders: list[bytes]) -> bytes:
        value: bytes = CscaMasterList({"version": 0, "cert_list": [asn1_x509.Certificate.load(c) for c in ders]}).dump()
        return value

    full = _list(certificates)
    if tamper:
        return signed_data(signer, _list(certificates[:1]), CSCA_MASTER_LIST_OID, signed_econtent=full)
    return signed_data(signer, full, CSCA_MASTER_LIST_OID)
