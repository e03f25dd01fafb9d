"""Elliptic-curve domain parameters: the named curves national PKIs write out explicitly.

ICAO 9303-12 §4.1.6.2 (and BSI TR-03111 §5.1.1): CSCA, Document Signer and chip keys may carry *explicit*
ECParameters (prime p, coefficients a and b, base point G, order n, cofactor h) instead of a named-curve OID.
``cryptography`` refuses explicit parameters, so they are compared with this table (p, a, b, G, n and h
all equal) and mapped to the named curve; parameters matching no entry (or a curve ``cryptography`` lacks,
such as brainpoolP224r1) are verified with the pure-Python arithmetic of :mod:`chipid.pki.ecmath`.
Values from SEC 2 v2 §2 and RFC 5639 §3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from chipid.errors import ParseError, UnsupportedError

__all__ = ["KNOWN_CURVES", "CurveParams", "cryptography_curve", "curve_by_name", "from_specified_domain"]


@dataclass(frozen=True)
class CurveParams:
    """Short Weierstrass curve y^2 = x^3 + a*x + b over GF(p) with base point G of order n."""

    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int
    h: int

    @property
    def byte_length(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def same_domain(self, other: CurveParams) -> bool:
        """True if every domain parameter (not the name) is equal."""
        mine = (self.p, self.a, self.b, self.gx, self.gy, self.n, self.h)
        return mine == (other.p, other.a, other.b, other.gx, other.gy, other.n, other.h)


KNOWN_CURVES: tuple[CurveParams, ...] = (
    CurveParams(
        "secp224r1",
        0xffffffffffffffffffffffffffffffff000000000000000000000001,
        0xfffffffffffffffffffffffffffffffefffffffffffffffffffffffe,
        0xb4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4,
        0xb70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21,
        0xbd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34,
        0xffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d,
        1,
    ),
    CurveParams(
        "secp256r1",
        0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff,
        0xffffffff00000001000000000000000000000000fffffffffffffffffffffffc,
        0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b,
        0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296,
        0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5,
        0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551,
        1,
    ),
    CurveParams(
        "secp384r1",
        0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff,
        0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc,
        0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef,
        0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7,
        0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f,
        0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973,
        1,
    ),
    CurveParams(
        "secp521r1",
        0x1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff,
        0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc,
        0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00,
        0x00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66,
        0x011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650,
        0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409,
        1,
    ),
    CurveParams(
        "brainpoolP224r1",
        0xd7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff,
        0x68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43,
        0x2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b,
        0x0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d,
        0x58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd,
        0xd7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f,
        1,
    ),
    CurveParams(
        "brainpoolP256r1",
        0xa9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377,
        0x7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9,
        0x26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6,
        0x8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262,
        0x547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997,
        0xa9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7,
        1,
    ),
    CurveParams(
        "brainpoolP384r1",
        0x8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53,
        0x7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826,
        0x04a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11,
        0x1d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1e,
        0x8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c5315,
        0x8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565,
        1,
    ),
    CurveParams(
        "brainpoolP512r1",
        0xaadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3,
        0x7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca,
        0x3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723,
        0x81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f822,
        0x7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892,
        0xaadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069,
        1,
    ),)

_CRYPTOGRAPHY_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "secp224r1": ec.SECP224R1,
    "secp256r1": ec.SECP256R1,
    "secp384r1": ec.SECP384R1,
    "secp521r1": ec.SECP521R1,
    "brainpoolP256r1": ec.BrainpoolP256R1,
    "brainpoolP384r1": ec.BrainpoolP384R1,
    "brainpoolP512r1": ec.BrainpoolP512R1,
}


def curve_by_name(name: str) -> CurveParams:
    """The table entry called ``name`` (asn1crypto / cryptography spelling, case-insensitive)."""
    aliases = {"prime256v1": "secp256r1"}
    wanted = aliases.get(name.lower(), name.lower())
    for curve in KNOWN_CURVES:
        if curve.name.lower() == wanted:
            return curve
    raise UnsupportedError(f"unknown elliptic curve {name!r}")


def cryptography_curve(curve: CurveParams) -> ec.EllipticCurve | None:
    """The ``cryptography`` curve object for a known curve, or ``None`` if it must be done in Python."""
    cls = _CRYPTOGRAPHY_CURVES.get(curve.name)
    return cls() if cls is not None else None


def from_specified_domain(domain: Any, *, path: str = "ECParameters") -> CurveParams:
    """Read explicit ECParameters (asn1crypto ``keys.SpecifiedECDomain``) and name them when known.

    Args:
        domain: the parsed SpecifiedECDomain.
        path: location for error messages.

    Returns:
        The matching :data:`KNOWN_CURVES` entry, or an anonymous ``CurveParams`` named ``"explicit"``.

    Raises:
        ParseError: not a prime-field curve, or a malformed base point.
    """
    try:
        field_id = domain["field_id"]
        if field_id["field_type"].native != "prime_field":
            raise UnsupportedError(
                "characteristic-two curves are not supported", oid=field_id["field_type"].dotted
            )
        p = int(field_id["parameters"].native)
        curve = domain["curve"]
        a = int.from_bytes(curve["a"].native, "big")
        b = int.from_bytes(curve["b"].native, "big")
        base = bytes(domain["base"].native)
        n = int(domain["order"].native)
        cof = domain["cofactor"].native
    except (ValueError, TypeError, KeyError) as err:
        raise ParseError(f"malformed explicit EC parameters: {err}", path=path) from err
    size = (p.bit_length() + 7) // 8
    if len(base) != 1 + 2 * size or base[0] != 0x04:
        raise ParseError("base point is not an uncompressed point of the field size", path=f"{path} > base")
    candidate = CurveParams(
        "explicit",
        p,
        a,
        b,
        int.from_bytes(base[1 : 1 + size], "big"),
        int.from_bytes(base[1 + size :], "big"),
        n,
        int(cof) if cof is not None else 1,
    )
    for known in KNOWN_CURVES:
        if known.same_domain(candidate):
            return known
    return candidate
