"""The one prime-curve arithmetic of chipid: PACE mapping, ECDH, explicit-parameter ECDSA.

PACE Generic Mapping (ICAO 9303-11 §4.4.3.3.1) builds a new generator G~ = s·G + H
and then runs ECDH on it, and national PKIs may sign with explicit domain parameters
(ICAO 9303-12 §4.1.6.2) on curves ``cryptography`` lacks; ``cryptography`` can neither
add points nor use a custom generator, so this module implements short Weierstrass curves
``y^2 = x^3 + a·x + b`` over GF(p) itself: Jacobian coordinates (no inversion per
step) and width-5 wNAF scalar multiplication. Every point taken from outside is
validated (BSI TR-03111 §3.2.2.1: coordinates in range, on the curve, not the point
at infinity; for cofactor h > 1 also n·P = O). The named curves are in
:mod:`chipid.ecc.curves`.

Points are affine ``(x, y)`` tuples; ``None`` is the point at infinity.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric import ec

from chipid.errors import ParseError

__all__ = ["Curve", "Point"]

Point = tuple[int, int] | None

_Jac = tuple[int, int, int]  # (X, Y, Z), Z == 0 is infinity
_INF: _Jac = (1, 1, 0)
_WINDOW = 5

# curves whose standard generator cryptography (OpenSSL) can multiply much faster than Python
_NATIVE: dict[str, type[ec.EllipticCurve]] = {
    "secp192r1": ec.SECP192R1, "secp224r1": ec.SECP224R1, "secp256r1": ec.SECP256R1,
    "secp384r1": ec.SECP384R1, "secp521r1": ec.SECP521R1, "brainpoolP256r1": ec.BrainpoolP256R1,
    "brainpoolP384r1": ec.BrainpoolP384R1, "brainpoolP512r1": ec.BrainpoolP512R1,
}


@dataclass(frozen=True)
class Curve:
    """A prime curve with base point ``(gx, gy)`` of prime order ``n`` (cofactor ``h``).

    A mapped PACE generator is the same curve with another ``(gx, gy)``
    (:meth:`with_generator`). ``native`` names the same curve in ``cryptography``
    (SEC 2 / RFC 5639 name): multiples of the standard generator and ECDH
    x-coordinates (:meth:`shared_x`) are then computed by OpenSSL. ``oid`` is the
    named curve's object identifier (``None`` for explicit, unnamed parameters).
    """

    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int
    h: int = 1
    native: str | None = None
    oid: str | None = None
    mapped: bool = False

    @property
    def size(self) -> int:
        """Byte length of a field element (and of each coordinate in an encoding)."""
        return (self.p.bit_length() + 7) // 8

    @property
    def generator(self) -> tuple[int, int]:
        """The base point ``G`` as an affine pair."""
        return (self.gx, self.gy)

    def same_domain(self, other: Curve) -> bool:
        """True if every domain parameter (p, a, b, G, n, h; not the names) is equal."""
        mine = (self.p, self.a, self.b, self.gx, self.gy, self.n, self.h)
        return mine == (other.p, other.a, other.b, other.gx, other.gy, other.n, other.h)

    def cryptography_curve(self) -> ec.EllipticCurve | None:
        """The ``cryptography`` curve object of this curve, or ``None`` if Python must do the work."""
        cls = None if self.mapped else _NATIVE.get(self.native or "")
        return cls() if cls is not None else None

    def with_generator(self, point: Point) -> Curve:
        """Return the same curve with ``point`` as base point (validated)."""
        x, y = self.validate(point)
        return replace(self, gx=x, gy=y, mapped=True)

    # ------------------------------------------------------------------ validation
    def is_on_curve(self, point: Point) -> bool:
        """True when ``point`` is a finite point of the curve with reduced coordinates."""
        if point is None:
            return False
        x, y = point
        if not (0 <= x < self.p and 0 <= y < self.p):
            return False
        return (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0

    def validate(self, point: Point) -> tuple[int, int]:
        """Return ``point`` if it is a valid finite point of the prime-order group.

        Raises:
            ParseError: infinity, out-of-range coordinates, off the curve, or (cofactor > 1)
                outside the order-n subgroup.
        """
        if point is None:
            raise ParseError("point at infinity", path=f"{self.name} point")
        if not self.is_on_curve(point):
            raise ParseError("point is not on the curve", path=f"{self.name} point")
        if self.h != 1 and self.multiply(self.n, point) is not None:
            raise ParseError("point is not in the prime-order subgroup", path=f"{self.name} point")
        return point

    # ------------------------------------------------------------------ encoding
    def encode_point(self, point: Point) -> bytes:
        """Uncompressed SEC 1 encoding ``04 || X || Y`` (BSI TR-03111 §3.2.1)."""
        x, y = self.validate(point)
        return b"\x04" + x.to_bytes(self.size, "big") + y.to_bytes(self.size, "big")

    def decode_point(self, data: bytes) -> tuple[int, int]:
        """Decode and validate an uncompressed point.

        Raises:
            ParseError: wrong length or prefix, or an invalid point.
        """
        if len(data) != 1 + 2 * self.size or data[0] != 0x04:
            raise ParseError(f"expected an uncompressed point of {1 + 2 * self.size} bytes",
                             path=f"{self.name} point")
        x = int.from_bytes(data[1 : 1 + self.size], "big")
        y = int.from_bytes(data[1 + self.size :], "big")
        return self.validate((x, y))

    # ------------------------------------------------------------------ group law
    def add(self, p1: Point, p2: Point) -> Point:
        """``p1 + p2`` (affine in, affine out)."""
        return self._to_affine(self._add(self._from_affine(p1), self._from_affine(p2)))

    def negate(self, point: Point) -> Point:
        """``-point``."""
        if point is None:
            return None
        return (point[0], (-point[1]) % self.p)

    def multiply(self, k: int, point: Point = None) -> Point:
        """``k · point`` (``point`` defaults to the base point) by width-5 wNAF.

        Not constant time: Python integers are not, whatever the algorithm. The secrets
        concerned are single-use PACE ephemeral keys.
        """
        base = self.generator if point is None else point
        k %= self.n if self.h == 1 else self.n * self.h
        if k == 0 or base is None:
            return None
        if point is None and not self.mapped and self.native in _NATIVE:
            numbers = ec.derive_private_key(k, _NATIVE[self.native]()).public_key().public_numbers()
            return (numbers.x, numbers.y)
        j = self._from_affine(base)
        double = self._double(j)
        table = [j]  # odd multiples 1P, 3P, ..., (2^(w-1) - 1)P
        for _ in range((1 << (_WINDOW - 2)) - 1):
            table.append(self._add(table[-1], double))
        acc = _INF
        for digit in reversed(_wnaf(k, _WINDOW)):
            acc = self._double(acc)
            if digit > 0:
                acc = self._add(acc, table[digit >> 1])
            elif digit < 0:
                x, y, z = table[(-digit) >> 1]
                acc = self._add(acc, (x, self.p - y, z))
        return self._to_affine(acc)

    def shared_x(self, k: int, point: Point) -> int:
        """x(k · point) for ECKA (BSI TR-03111 §4.3.1), ``point`` validated first.

        Raises:
            ParseError: an invalid point, or a product at infinity.
        """
        x, y = self.validate(point)
        k %= self.n
        if k and self.h == 1 and self.native in _NATIVE:
            curve = _NATIVE[self.native]()
            peer = ec.EllipticCurvePublicNumbers(x, y, curve).public_key()
            secret = ec.derive_private_key(k, curve).exchange(ec.ECDH(), peer)
            return int.from_bytes(secret, "big")
        product = self.multiply(k, (x, y))
        if product is None:
            raise ParseError("key agreement gave the point at infinity", path=f"{self.name} point")
        return product[0]

    # ------------------------------------------------------------------ Jacobian internals
    def _from_affine(self, point: Point) -> _Jac:
        return _INF if point is None else (point[0], point[1], 1)

    def _to_affine(self, j: _Jac) -> Point:
        x, y, z = j
        if z % self.p == 0:
            return None
        zi = pow(z, -1, self.p)
        zi2 = zi * zi % self.p
        return (x * zi2 % self.p, y * zi2 * zi % self.p)

    def _double(self, j: _Jac) -> _Jac:
        x, y, z = j
        p = self.p
        if z == 0 or y == 0:
            return _INF
        yy = y * y % p
        s = 4 * x * yy % p
        zz = z * z % p
        m = (3 * x * x + self.a * zz * zz) % p
        x3 = (m * m - 2 * s) % p
        y3 = (m * (s - x3) - 8 * yy * yy) % p
        return (x3, y3, 2 * y * z % p)

    def _add(self, j1: _Jac, j2: _Jac) -> _Jac:
        x1, y1, z1 = j1
        x2, y2, z2 = j2
        if z1 == 0:
            return j2
        if z2 == 0:
            return j1
        p = self.p
        z1z1 = z1 * z1 % p
        z2z2 = z2 * z2 % p
        u1 = x1 * z2z2 % p
        u2 = x2 * z1z1 % p
        s1 = y1 * z2 * z2z2 % p
        s2 = y2 * z1 * z1z1 % p
        h = (u2 - u1) % p
        r = (s2 - s1) % p
        if h == 0:
            return self._double(j1) if r == 0 else _INF
        hh = h * h % p
        hhh = h * hh % p
        v = u1 * hh % p
        x3 = (r * r - hhh - 2 * v) % p
        y3 = (r * (v - x3) - s1 * hhh) % p
        return (x3, y3, z1 * z2 * h % p)


def _wnaf(k: int, width: int) -> list[int]:
    """Width-w non-adjacent form of ``k`` > 0, least significant digit first."""
    digits: list[int] = []
    full = 1 << width
    half = full >> 1
    while k > 0:
        if k & 1:
            d = k & (full - 1)
            if d >= half:
                d -= full
            k -= d
        else:
            d = 0
        digits.append(d)
        k >>= 1
    return digits
