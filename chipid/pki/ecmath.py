"""Small, correct pure-Python elliptic-curve arithmetic for curves ``cryptography`` cannot load.

Used only for *verification* (ECDSA, BSI TR-03111 §4.2.1.4) and public-key validation with explicit domain
parameters that match no named curve ``cryptography`` supports; constant time is not a goal here (nothing
secret is processed). Jacobian coordinates, double-and-add; SEC 1 v2 §2.3.3/§2.3.4 point encoding.
"""

from __future__ import annotations

from chipid.errors import ParseError, UnsupportedError
from chipid.pki.curves import CurveParams

__all__ = ["Point", "decode_point", "ecdsa_verify", "encode_point", "scalar_mult"]

Point = tuple[int, int] | None
"""An affine point (x, y); ``None`` is the point at infinity."""

_Jacobian = tuple[int, int, int]


def _to_jacobian(point: Point) -> _Jacobian:
    return (1, 1, 0) if point is None else (point[0], point[1], 1)


def _to_affine(curve: CurveParams, q: _Jacobian) -> Point:
    x, y, z = q
    if z == 0:
        return None
    p = curve.p
    zi = pow(z, -1, p)
    zi2 = zi * zi % p
    return (x * zi2 % p, y * zi2 * zi % p)


def _double(curve: CurveParams, q: _Jacobian) -> _Jacobian:
    x, y, z = q
    p = curve.p
    if z == 0 or y == 0:
        return (1, 1, 0)
    yy = y * y % p
    s = 4 * x * yy % p
    zz = z * z % p
    m = (3 * x * x + curve.a * zz * zz) % p
    x3 = (m * m - 2 * s) % p
    y3 = (m * (s - x3) - 8 * yy * yy) % p
    z3 = 2 * y * z % p
    return (x3, y3, z3)


def _add(curve: CurveParams, q1: _Jacobian, q2: _Jacobian) -> _Jacobian:
    if q1[2] == 0:
        return q2
    if q2[2] == 0:
        return q1
    p = curve.p
    x1, y1, z1 = q1
    x2, y2, z2 = q2
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    if u1 == u2:
        return _double(curve, q1) if s1 == s2 else (1, 1, 0)
    h = (u2 - u1) % p
    r = (s2 - s1) % p
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    y3 = (r * (v - x3) - s1 * hhh) % p
    z3 = h * z1 * z2 % p
    return (x3, y3, z3)


def scalar_mult(curve: CurveParams, k: int, point: Point) -> Point:
    """k * point (double-and-add, not constant time: verification and public data only)."""
    result: _Jacobian = (1, 1, 0)
    addend = _to_jacobian(point)
    k %= curve.n
    while k:
        if k & 1:
            result = _add(curve, result, addend)
        addend = _double(curve, addend)
        k >>= 1
    return _to_affine(curve, result)


def _on_curve(curve: CurveParams, x: int, y: int) -> bool:
    p = curve.p
    return 0 <= x < p and 0 <= y < p and (y * y - (x * x * x + curve.a * x + curve.b)) % p == 0


def decode_point(curve: CurveParams, data: bytes) -> tuple[int, int]:
    """Decode an uncompressed SEC 1 point (04 || X || Y) and check it lies on the curve.

    Raises:
        ParseError: wrong length, not on the curve, or the point at infinity.
        UnsupportedError: compressed encoding.
    """
    size = curve.byte_length
    if data[:1] in (b"\x02", b"\x03"):
        raise UnsupportedError("compressed EC points are not supported")
    if len(data) != 1 + 2 * size or data[0] != 0x04:
        raise ParseError(f"EC point must be 04 || X || Y of {1 + 2 * size} bytes, got {len(data)}")
    x = int.from_bytes(data[1 : 1 + size], "big")
    y = int.from_bytes(data[1 + size :], "big")
    if not _on_curve(curve, x, y):
        raise ParseError("EC point is not on the curve")
    return (x, y)


def encode_point(curve: CurveParams, point: tuple[int, int]) -> bytes:
    """Uncompressed SEC 1 encoding 04 || X || Y."""
    size = curve.byte_length
    return b"\x04" + point[0].to_bytes(size, "big") + point[1].to_bytes(size, "big")


def ecdsa_verify(curve: CurveParams, public: tuple[int, int], digest: bytes, r: int, s: int) -> bool:
    """ECDSA verification (BSI TR-03111 §4.2.1.4; SEC 1 v2 §4.1.4).

    Args:
        curve: the domain parameters.
        public: the signer's public point (already validated by :func:`decode_point`).
        digest: the message hash; truncated to the bit length of n as the standard requires.
        r: signature component r.
        s: signature component s.
    """
    n = curve.n
    if not (0 < r < n and 0 < s < n):
        return False
    e = int.from_bytes(digest, "big")
    excess = len(digest) * 8 - n.bit_length()
    if excess > 0:
        e >>= excess
    w = pow(s, -1, n)
    u1 = e * w % n
    u2 = r * w % n
    u1g = _to_jacobian(scalar_mult(curve, u1, (curve.gx, curve.gy)))
    u2q = _to_jacobian(scalar_mult(curve, u2, public))
    total = _add(curve, u1g, u2q)
    point = _to_affine(curve, total)
    return point is not None and point[0] % n == r
