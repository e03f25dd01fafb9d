"""Key agreement of Chip Authentication: ephemeral key on the chip's domain parameters, shared secret.

ICAO 9303-11 §6.2.1 / BSI TR-03110-3 §A.2: ECDH shared secret = x-coordinate of k * Q (field size bytes,
TR-03111 §4.3.1); DH shared secret = y^x mod p, as many bytes as p. The ephemeral public key is sent as an
uncompressed point (ECDH) or as y, big-endian with the size of p (DH).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from chipid.errors import ASN1_ERRORS, ChipAuthError, ParseError
from chipid.pki.dh_keys import DHPublicKey
from chipid.pki.keys import ExplicitECKey, load_public_key

__all__ = ["ephemeral_key_agreement"]



def _scalar(rng: Callable[[int], bytes], order: int) -> int:
    raw = rng((order.bit_length() + 7) // 8 + 8)
    return int.from_bytes(raw, "big") % (order - 1) + 1


def _ecdh_named(chip: ec.EllipticCurvePublicKey, ephemeral: Any, rng: Callable[[int], bytes]) -> tuple[bytes, bytes]:
    if isinstance(ephemeral, ec.EllipticCurvePrivateKey):
        private = ephemeral
    elif ephemeral is None and rng is os.urandom:
        private = ec.generate_private_key(chip.curve)
    else:
        # The order is not exposed by cryptography; a scalar below 2^(bits-1) is always below n.
        scalar = ephemeral if isinstance(ephemeral, int) else _scalar(rng, 1 << (chip.curve.key_size - 1))
        private = ec.derive_private_key(scalar, chip.curve)
    if private.curve.name != chip.curve.name:
        raise ChipAuthError("ephemeral key is not on the chip's curve")
    public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return public, private.exchange(ec.ECDH(), chip)


def _ecdh_explicit(chip: ExplicitECKey, ephemeral: Any, rng: Callable[[int], bytes]) -> tuple[bytes, bytes]:
    curve = chip.curve
    scalar = ephemeral if isinstance(ephemeral, int) else _scalar(rng, curve.n)
    if not 0 < scalar < curve.n:
        raise ChipAuthError("ephemeral scalar out of range")
    public = curve.multiply(scalar)
    shared = curve.multiply(scalar * curve.h, chip.point)
    if public is None or shared is None:
        raise ChipAuthError("ECDH gave the point at infinity")
    return curve.encode_point(public), shared[0].to_bytes(curve.size, "big")


def _dh(spki: bytes, ephemeral: Any, rng: Callable[[int], bytes]) -> tuple[bytes, bytes]:
    chip = DHPublicKey.from_spki(spki, path="DG14 > ChipAuthenticationPublicKeyInfo")
    p, g, q, y = chip.p, chip.g, chip.q, chip.y
    if not 1 < y < p - 1 or (q and pow(y, q, p) != 1):
        raise ChipAuthError("chip DH public value out of range or outside the prime-order subgroup")
    order = q if q else p - 1
    x = ephemeral if isinstance(ephemeral, int) else _scalar(rng, order)
    return pow(g, x, p).to_bytes(chip.size, "big"), pow(y, x, p).to_bytes(chip.size, "big")


def ephemeral_key_agreement(
    chip_public_key: bytes, *, ephemeral_private_key: Any = None, rng: Callable[[int], bytes]
) -> tuple[bytes, bytes]:
    """Generate (or use the injected) ephemeral key and agree on the shared secret.

    Args:
        chip_public_key: the chip's static key, SubjectPublicKeyInfo DER (EC named/explicit, or DH).
        ephemeral_private_key: an ``int`` (EC scalar or DH exponent) or a ``cryptography`` EC private key.
        rng: randomness for a fresh ephemeral key.

    Returns:
        (ephemeral public key encoding to send, shared secret K).

    Raises:
        ChipAuthError / ParseError / UnsupportedError: an unusable chip key.
    """
    try:
        algorithm = asn1_keys.PublicKeyInfo.load(chip_public_key)["algorithm"]["algorithm"].native
    except ASN1_ERRORS as err:
        raise ParseError(f"not a SubjectPublicKeyInfo: {err}", path="DG14 > ChipAuthenticationPublicKeyInfo") from err
    if algorithm == "dh":
        return _dh(chip_public_key, ephemeral_private_key, rng)
    key = load_public_key(chip_public_key, path="DG14 > ChipAuthenticationPublicKeyInfo")
    if isinstance(key, ec.EllipticCurvePublicKey):
        return _ecdh_named(key, ephemeral_private_key, rng)
    if isinstance(key, ExplicitECKey):
        return _ecdh_explicit(key, ephemeral_private_key, rng)
    raise ChipAuthError("Chip Authentication needs an EC or DH key, not RSA")
