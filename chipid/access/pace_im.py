"""PACE Integrated Mapping (ICAO 9303-11 §4.4.3.3.2 and Appendix B).

The terminal sends a second nonce t in clear; both sides map (s, t) into the group:
Ĝ = f_G(R_p(s, t)) on a curve, ĝ = R_p(s, t)^((p-1)/q) mod p in a MODP group.
R_p is the block-cipher pseudo-random number mapping of §4.4.3.3.2 (figure 2);
f_G the point encoding of [BCIMRT2010] in the affine form of Appendix B.2
(defined for p ≡ 3 mod 4, which holds for every standardised curve but NIST P-224).
"""

from __future__ import annotations

from chipid.access.pace_crypto import PACEAlgorithm, block_encrypt
from chipid.access.pace_domain import Domain
from chipid.ecc.arith import Curve
from chipid.errors import ParseError, UnsupportedError

__all__ = ["map_integrated", "point_encode", "pseudo_random"]

# §4.4.3.3.2: c0, c1 for l = 128 (3DES, AES-128) and l = 256 (AES-192, AES-256)
_C128 = (bytes.fromhex("a668892a7c41e3ca739f40b057d85904"), bytes.fromhex("a4e136ac725f738b01c1f60217c188ad"))
_C256 = (
    bytes.fromhex("d463d65234124ef7897054986dca0a174e28df758cbaa03f240616414d5a1676"),
    bytes.fromhex("54bd7255f0aaf831bec3423fcf39d69b6cbf066677d0faae5aadd99df8e53517"),
)


def pseudo_random(s: bytes, t: bytes, algorithm: PACEAlgorithm, p: int) -> int:
    """R_p(s, t) = int(x_1 || ... || x_n) mod p (ICAO 9303-11 §4.4.3.3.2, figure 2).

    k_0 = E(t, s); then for each round x_i = E(k_i, c1) and k_{i+1} = E(k_i, c0), keys
    truncated to the key size k (3DES counts as k = 128), n the least with n·l ≥ log2 p + 64.

    Args:
        s: the chip's nonce (decrypted).
        t: the terminal's nonce, k bits.
        algorithm: gives the block cipher and key size.
        p: the field prime (curve) or group modulus (DH).
    """
    key_len = 16 if algorithm.cipher == "3DES" else algorithm.key_bits // 8
    c0, c1 = _C128 if key_len == 16 else _C256
    if len(t) != key_len:
        raise ParseError(f"nonce t must be {key_len} bytes", path="PACE-IM > t")
    if not s or len(s) % algorithm.block_size:
        raise ParseError("nonce s is not whole cipher blocks", path="PACE-IM > s")
    rounds = -(-(p.bit_length() + 64) // (len(c1) * 8))
    key = block_encrypt(t, s, algorithm.cipher)[:key_len]
    out = b""
    for _ in range(rounds):
        key = key[:key_len]
        out += block_encrypt(key, c1, algorithm.cipher)
        key = block_encrypt(key, c0, algorithm.cipher)
    return int.from_bytes(out, "big") % p


def point_encode(curve: Curve, t: int) -> tuple[int, int]:
    """f_G(t): the point encoding of ICAO 9303-11 Appendix B.2 (affine coordinates).

    Raises:
        UnsupportedError: the curve's p is not ≡ 3 mod 4 (NIST P-224).
        ParseError: the degenerate input (t = 0 and similar) that yields no point.
    """
    p, a, b = curve.p, curve.a, curve.b
    if p % 4 != 3:
        raise UnsupportedError(f"IM point encoding needs p = 3 mod 4 ({curve.name})")
    alpha = -t * t % p
    denom = a * (alpha + alpha * alpha) % p
    if denom == 0:
        raise ParseError("point encoding undefined for this input", path="PACE-IM > f_G")
    x2 = -b * (1 + alpha + alpha * alpha) * pow(denom, -1, p) % p
    x3 = alpha * x2 % p
    h2 = (x2 * x2 * x2 + a * x2 + b) % p
    u = t * t * t * h2 % p
    big_a = pow(h2, p - 1 - (p + 1) // 4, p)
    point = (x2, big_a * h2 % p) if big_a * big_a * h2 % p == 1 else (x3, big_a * u % p)
    if curve.h != 1:
        mapped = curve.multiply(curve.h, point)
        if mapped is None:
            raise ParseError("point encoding gave the point at infinity", path="PACE-IM > f_G")
        point = mapped
    return curve.validate(point)


def map_integrated(domain: Domain, s: bytes, t: bytes, algorithm: PACEAlgorithm) -> Domain:
    """Integrated Mapping: the ephemeral domain parameters for nonces (s, t).

    Raises:
        ParseError: the mapped generator is degenerate (ĝ = 1 must be rejected, §4.4.3.3.2).
    """
    r = pseudo_random(s, t, algorithm, domain.p)
    if isinstance(domain, Curve):
        return domain.with_generator(point_encode(domain, r))
    g = pow(r, (domain.p - 1) // domain.q, domain.p)
    return domain.with_generator(g)
