"""Public keys from SubjectPublicKeyInfo and signature verification for PA (RSA, RSA-PSS, ECDSA).

ICAO 9303-12 §4.4 (algorithms for CSCA / Document Signer signatures): RSASSA-PKCS1-v1_5, RSASSA-PSS
(RFC 4055 parameters) and ECDSA (BSI TR-03111), with SHA-1 .. SHA-512. EC keys with explicit domain
parameters are mapped to their named curve (:mod:`chipid.pki.curves`) or verified in pure Python
(:mod:`chipid.ecc`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from asn1crypto import algos, keys
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from chipid.ecc.arith import Curve
from chipid.ecc.curves import curve_by_name
from chipid.ecc.ecdsa import ecdsa_verify
from chipid.errors import ASN1_ERRORS, ParseError, UnsupportedError
from chipid.pki.curves import from_specified_domain

__all__ = [
    "HASHES",
    "ExplicitECKey",
    "SignatureSpec",
    "VerifyKey",
    "digest",
    "load_public_key",
    "signature_spec",
    "verify_signature",
]

HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


@dataclass(frozen=True)
class ExplicitECKey:
    """An EC public key on a curve ``cryptography`` cannot load (verified by :mod:`chipid.ecc.ecdsa`)."""

    curve: Curve
    point: tuple[int, int]


VerifyKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ExplicitECKey


@dataclass(frozen=True)
class SignatureSpec:
    """How a signature is computed: scheme ``"pkcs1"``, ``"pss"`` or ``"ecdsa"``, and its hash."""

    scheme: str
    hash_name: str
    salt_length: int | None = None
    mgf_hash: str | None = None


def digest(hash_name: str, data: bytes) -> bytes:
    """Hash ``data`` with one of :data:`HASHES`."""
    if hash_name not in HASHES:
        raise UnsupportedError(f"unsupported hash algorithm {hash_name!r}")
    return hashlib.new(hash_name, data).digest()


def _ec_key(curve: Curve, point_bytes: bytes, path: str) -> VerifyKey:
    if point_bytes[:1] in (b"\x02", b"\x03"):
        raise UnsupportedError("compressed EC points are not supported")
    try:
        point = curve.decode_point(point_bytes)
    except ParseError as err:
        raise ParseError(err.reason, path=f"{path} > subjectPublicKey") from err
    named = curve.cryptography_curve()
    if named is None:
        return ExplicitECKey(curve, point)
    return ec.EllipticCurvePublicNumbers(point[0], point[1], named).public_key()


def load_public_key(spki: bytes | Any, *, path: str = "SubjectPublicKeyInfo") -> VerifyKey:
    """Load an RSA or EC public key, including EC keys with explicit domain parameters.

    Args:
        spki: DER bytes or an asn1crypto ``keys.PublicKeyInfo``.
        path: location for error messages.

    Raises:
        ParseError: malformed key. UnsupportedError: DSA, DH or an unknown key type.
    """
    try:
        info = keys.PublicKeyInfo.load(spki) if isinstance(spki, bytes) else spki
        algo = info["algorithm"]["algorithm"].native
        if algo in ("rsa", "rsassa_pss"):
            numbers = info["public_key"].parsed
            # INTEGER contents read as unsigned: some issuers drop the leading zero of the modulus
            # (a "negative" modulus, e.g. the BSI 2008 specimen's DG15), which is what they meant.
            modulus = int.from_bytes(numbers["modulus"].contents, "big")
            exponent = int.from_bytes(numbers["public_exponent"].contents, "big")
            if modulus.bit_length() > _MAX_RSA_BITS or exponent.bit_length() > _MAX_RSA_EXPONENT_BITS:
                raise UnsupportedError(
                    f"RSA key of {modulus.bit_length()} bits with a {exponent.bit_length()}-bit exponent is "
                    f"refused (limits {_MAX_RSA_BITS} and {_MAX_RSA_EXPONENT_BITS} bits)"
                )
            return rsa.RSAPublicNumbers(exponent, modulus).public_key()
        if algo != "ec":
            oid = info["algorithm"]["algorithm"].dotted
            raise UnsupportedError(f"unsupported public key algorithm {algo}", oid=oid)
        params = info["algorithm"]["parameters"]
        point_bytes = bytes(info["public_key"].native)
        if params.name == "named":
            curve = curve_by_name(params.chosen.native)
        elif params.name == "specified":
            curve = from_specified_domain(params.chosen, path=f"{path} > parameters")
        else:
            raise UnsupportedError("implicitlyCA EC parameters are not supported")
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed public key: {err}", path=path) from err
    return _ec_key(curve, point_bytes, path)


_MGF1_OID = "1.2.840.113549.1.1.8"
_MAX_SALT = 1024
_MAX_RSA_BITS = 8192
"""Largest RSA modulus accepted (ICAO 9303-12 §4.4 keys are 2048..4096 bits); bounds the cost of any verify."""
_MAX_RSA_EXPONENT_BITS = 64
"""OpenSSL's own bound for large moduli (RSA_MAX_PUBEXP_BITS); real keys use 3 or 65537."""


def _pss_spec(params: Any) -> SignatureSpec:
    """RSASSA-PSS-params (RFC 4055 §3.1): every field checked, unknown values refused with a typed error."""
    if not isinstance(params, algos.RSASSAPSSParams):
        params = algos.RSASSAPSSParams.load(params.dump(), strict=True)
    hash_name = params["hash_algorithm"]["algorithm"].native
    if hash_name not in HASHES:
        raise UnsupportedError(
            f"RSASSA-PSS with unsupported hash {hash_name}", oid=params["hash_algorithm"]["algorithm"].dotted
        )
    mgf = params["mask_gen_algorithm"]
    if mgf["algorithm"].dotted != _MGF1_OID:
        raise UnsupportedError("RSASSA-PSS mask generation function is not MGF1", oid=mgf["algorithm"].dotted)
    mgf_params = mgf["parameters"]
    if mgf_params.native is None:
        mgf_hash = "sha1"
    else:
        if not isinstance(mgf_params, algos.DigestAlgorithm):
            mgf_params = algos.DigestAlgorithm.load(mgf_params.dump(), strict=True)
        mgf_hash = mgf_params["algorithm"].native
    if mgf_hash not in HASHES:
        raise UnsupportedError(f"RSASSA-PSS MGF1 with unsupported hash {mgf_hash}")
    salt = params["salt_length"].native
    if not isinstance(salt, int) or not 0 <= salt <= _MAX_SALT:
        raise ParseError(f"RSASSA-PSS salt length {salt} out of range", path="RSASSA-PSS-params > saltLength")
    if params["trailer_field"].native not in ("trailer_field_bc", 1):
        raise UnsupportedError("RSASSA-PSS trailer field other than 0xBC")
    return SignatureSpec("pss", hash_name, salt, mgf_hash)


def signature_spec(signature_algorithm: Any, digest_algorithm: Any = None) -> SignatureSpec:
    """Interpret a (CMS / X.509) signature AlgorithmIdentifier.

    Args:
        signature_algorithm: asn1crypto ``SignedDigestAlgorithm``.
        digest_algorithm: asn1crypto ``DigestAlgorithm`` of a SignerInfo, used when the signature OID
            names no hash (``rsaEncryption``, ``ecPublicKey``).

    Raises:
        UnsupportedError: an unknown algorithm, hash, or RSASSA-PSS mask generation function.
        ParseError: malformed parameters.
    """
    try:
        return _signature_spec(signature_algorithm, digest_algorithm)
    except (UnsupportedError, ParseError):
        raise
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed signature algorithm parameters: {err}", path="AlgorithmIdentifier") from err


def _signature_spec(signature_algorithm: Any, digest_algorithm: Any) -> SignatureSpec:
    name = signature_algorithm["algorithm"].native
    if name == "rsassa_pss":
        return _pss_spec(signature_algorithm["parameters"])
    try:
        scheme = {"rsassa_pkcs1v15": "pkcs1", "ecdsa": "ecdsa"}[signature_algorithm.signature_algo]
    except (KeyError, ValueError) as err:
        raise UnsupportedError(
            f"unsupported signature algorithm {name}", oid=signature_algorithm["algorithm"].dotted
        ) from err
    try:
        hash_name = signature_algorithm.hash_algo
    except ValueError:
        if digest_algorithm is None:
            raise UnsupportedError(f"signature algorithm {name} names no hash") from None
        hash_name = digest_algorithm["algorithm"].native
    if hash_name not in HASHES:
        raise UnsupportedError(f"unsupported hash algorithm {hash_name}")
    return SignatureSpec(scheme, hash_name)


def verify_signature(key: VerifyKey, signature: bytes, data: bytes, spec: SignatureSpec) -> bool:
    """Verify ``signature`` over ``data``; False on a wrong signature or a key/scheme mismatch.

    Raises:
        UnsupportedError: an unknown hash.
    """
    if spec.hash_name not in HASHES or (spec.mgf_hash is not None and spec.mgf_hash not in HASHES):
        raise UnsupportedError(f"unsupported hash algorithm {spec.hash_name}/{spec.mgf_hash}")
    hash_alg = HASHES[spec.hash_name]()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if spec.scheme == "pkcs1":
                key.verify(signature, data, padding.PKCS1v15(), hash_alg)
            elif spec.scheme == "pss":
                mgf_hash = HASHES[spec.mgf_hash or spec.hash_name]()
                salt = spec.salt_length if spec.salt_length is not None else hash_alg.digest_size
                key.verify(signature, data, padding.PSS(padding.MGF1(mgf_hash), salt), hash_alg)
            else:
                return False
            return True
        if spec.scheme != "ecdsa":
            return False
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hash_alg))
            return True
        r, s = decode_dss_signature(signature)
        return ecdsa_verify(key.curve, key.point, digest(spec.hash_name, data), r, s)
    except (InvalidSignature, ValueError, TypeError):
        return False
    except UnsupportedAlgorithm as err:
        raise UnsupportedError(f"signature scheme not available: {err}") from err
