"""Explicit EC domain parameters in certificates, matched to the named curve they spell out.

ICAO 9303-12 §4.1.6.2 (and BSI TR-03111 §5.1.1): CSCA, Document Signer and chip keys may carry *explicit*
ECParameters (prime p, coefficients a and b, base point G, order n, cofactor h) instead of a named-curve OID.
``cryptography`` refuses explicit parameters, so they are compared with the one curve table
(:mod:`chipid.ecc.curves`; p, a, b, G, n and h all equal) and mapped to the named curve; parameters matching
no entry (or a curve ``cryptography`` lacks, such as brainpoolP224r1) are verified with the pure-Python
arithmetic of :mod:`chipid.ecc`.
"""

from __future__ import annotations

from typing import Any

from chipid.ecc.arith import Curve
from chipid.ecc.curves import curve_by_params
from chipid.errors import ASN1_ERRORS, ParseError, UnsupportedError

__all__ = ["from_specified_domain"]


def from_specified_domain(domain: Any, *, path: str = "ECParameters") -> Curve:
    """Read explicit ECParameters (asn1crypto ``keys.SpecifiedECDomain``) and name them when known.

    Args:
        domain: the parsed SpecifiedECDomain.
        path: location for error messages.

    Returns:
        The matching :data:`chipid.ecc.curves.KNOWN_CURVES` entry, or an anonymous ``Curve`` named ``"explicit"``.

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
    candidate = Curve(
        "explicit",
        p,
        a,
        b,
        int.from_bytes(base[1 : 1 + size], "big"),
        int.from_bytes(base[1 + size :], "big"),
        n,
        int(cof) if cof is not None else 1,
    )
    return curve_by_params(candidate) or candidate
