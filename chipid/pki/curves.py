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
from chipid.pki._asn1 import ASN1_ERRORS

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
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000000000000000000000001,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFE,
        0xB4050A850C04B3ABF54132565044B0B7D7BFD8BA270B39432355FFB4,
        0xB70E0CBD6BB4BF7F321390B94A03C1D356C21122343280D6115C1D21,
        0xBD376388B5F723FB4C22DFE6CD4375A05A07476444D5819985007E34,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFF16A2E0B8F03E13DD29455C5C2A3D,
        1,
    ),
    CurveParams(
        "secp256r1",
        0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
        0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
        0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
        0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
        0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
        0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
        1,
    ),
    CurveParams(
        "secp384r1",
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFC,
        0xB3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF,
        0xAA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7,
        0x3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
        1,
    ),
    CurveParams(
        "secp521r1",
        0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,
        0x01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC,
        0x0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00,
        0x00C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66,
        0x011839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD16650,
        0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409,
        1,
    ),
    CurveParams(
        "brainpoolP224r1",
        0xD7C134AA264366862A18302575D1D787B09F075797DA89F57EC8C0FF,
        0x68A5E62CA9CE6C1C299803A6C1530B514E182AD8B0042A59CAD29F43,
        0x2580F63CCFE44138870713B1A92369E33E2135D266DBB372386C400B,
        0x0D9029AD2C7E5CF4340823B2A87DC68C9E4CE3174C1E6EFDEE12C07D,
        0x58AA56F772C0726F24C6B89E4ECDAC24354B9E99CAA3F6D3761402CD,
        0xD7C134AA264366862A18302575D0FB98D116BC4B6DDEBCA3A5A7939F,
        1,
    ),
    CurveParams(
        "brainpoolP256r1",
        0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
        0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
        0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
        0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
        0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
        0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
        1,
    ),
    CurveParams(
        "brainpoolP384r1",
        0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53,
        0x7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826,
        0x04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11,
        0x1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E,
        0x8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315,
        0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565,
        1,
    ),
    CurveParams(
        "brainpoolP512r1",
        0xAADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3,
        0x7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA,
        0x3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723,
        0x81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822,
        0x7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892,
        0xAADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069,
        1,
    ),
)

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
            raise UnsupportedError("characteristic-two curves are not supported", oid=field_id["field_type"].dotted)
        p = int(field_id["parameters"].native)
        curve = domain["curve"]
        a = int.from_bytes(curve["a"].native, "big")
        b = int.from_bytes(curve["b"].native, "big")
        base = bytes(domain["base"].native)
        n = int(domain["order"].native)
        cof = domain["cofactor"].native
    except ASN1_ERRORS as err:
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
