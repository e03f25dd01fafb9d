"""DG15: the Active Authentication public key (ICAO 9303-10 §4.7.15, 9303-11 §6.1).

``6F { SubjectPublicKeyInfo }``: RSA or EC. The DER is kept as found; a ``cryptography`` key object is
offered when the library accepts it (it refuses EC keys with explicit domain parameters, then ``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asn1crypto import keys
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import load_der_public_key

from chipid.errors import ASN1_ERRORS, ParseError
from chipid.lds._tlv import encode_tlv, single_tlv

__all__ = ["DG15", "encode_dg15", "parse_dg15"]

_DG15 = 0x6F


@dataclass(frozen=True)
class DG15:
    """DG15 content.

    Attributes:
        public_key_der: the SubjectPublicKeyInfo DER as found.
        algorithm: ``"rsa"`` or ``"ec"`` (asn1crypto's name for the key algorithm).
        key_size: modulus / field size in bits when known.
    """

    public_key_der: bytes
    algorithm: str
    key_size: int | None

    def public_key(self) -> PublicKeyTypes | None:
        """The key as a ``cryptography`` object, or ``None`` when cryptography cannot load it.

        RSA moduli that were encoded without their leading zero (a negative INTEGER, seen in the BSI 2008
        specimen) are read as unsigned, which is what the issuer meant.
        """
        try:
            return load_der_public_key(self.public_key_der)
        except (ValueError, UnsupportedAlgorithm):
            pass
        numbers = _rsa_unsigned(self.public_key_der) if self.algorithm == "rsa" else None
        if numbers is None:
            return None
        try:
            return rsa.RSAPublicNumbers(numbers[1], numbers[0]).public_key()
        except ValueError:
            return None


def _rsa_unsigned(der: bytes) -> tuple[int, int] | None:
    """(modulus, exponent) of an RSA SubjectPublicKeyInfo, INTEGER contents read as unsigned."""
    try:
        info: Any = keys.PublicKeyInfo.load(der)
        rsa_key: Any = keys.RSAPublicKey.load(info["public_key"].contents[1:])
        n = int.from_bytes(rsa_key["modulus"].contents, "big")
        e = int.from_bytes(rsa_key["public_exponent"].contents, "big")
    except ASN1_ERRORS:
        return None
    return n, e


def parse_dg15(data: bytes) -> DG15:
    """Parse DG15.

    Raises:
        ParseError: not ``6F``, or the content is not a SubjectPublicKeyInfo.
    """
    der = single_tlv(bytes(data), _DG15, path="DG15")
    try:
        info: Any = keys.PublicKeyInfo.load(der, strict=True)
        algorithm = str(info.algorithm)
        size: int | None
        try:
            size = int(info.bit_size)
        except ASN1_ERRORS:
            rsa_numbers = _rsa_unsigned(der) if algorithm == "rsa" else None
            size = rsa_numbers[0].bit_length() if rsa_numbers else None
    except ASN1_ERRORS as err:
        raise ParseError(f"not a SubjectPublicKeyInfo: {err}", path="DG15 > SubjectPublicKeyInfo") from err
    return DG15(der, algorithm, size)


def encode_dg15(public_key_der: bytes) -> bytes:
    """Wrap a SubjectPublicKeyInfo DER into DG15."""
    return encode_tlv(_DG15, public_key_der)
