"""ECDSA signature verification on any prime curve, for keys ``cryptography`` cannot load.

BSI TR-03111 §4.2.1.4 (SEC 1 v2 §4.1.4). Used when a Document Signer or chip key carries
explicit domain parameters that name no curve ``cryptography`` supports (ICAO 9303-12
§4.1.6.2). Nothing secret is processed, so constant time is not a goal.
"""

from __future__ import annotations

from chipid.ecc.arith import Curve

__all__ = ["ecdsa_verify"]


def ecdsa_verify(curve: Curve, public: tuple[int, int], digest: bytes, r: int, s: int) -> bool:
    """ECDSA verification: accept iff x(u1·G + u2·Q) mod n == r.

    Args:
        curve: the domain parameters.
        public: the signer's public point Q (already validated, e.g. by :meth:`Curve.decode_point`).
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
    point = curve.add(curve.multiply(e * w % n), curve.multiply(r * w % n, public))
    return point is not None and point[0] % n == r
