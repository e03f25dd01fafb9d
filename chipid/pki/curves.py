"""Explicit EC domain parameters in certificates, matched to the named curve they spell out.

ICAO 9303-12 §4.1.6.2 (and BSI TR-03111 §5.1.1): CSCA, Document Signer and chip keys may carry *explicit*
ECParameters (prime p, coefficients a and b, base point G, order n, cofactor h) instead of a named-curve OID.
``cryptography`` refuses explicit parameters, so they are compared with the one curve table
(:mod:`chipid.ecc.curves`; p, a, b, G, n and h all equal) and mapped to the named curve; parameters matching
no entry (or a curve ``cryptography`` lacks, such as brainpoolP224r1) are verified with the pure-Python
arithmetic of :mod:`chipid.ecc`.

Cost bound (issue 10, CPU exhaustion): an attacker's certificate could spell out a curve over a huge field,
making every scalar multiplication take seconds. Fields over 521 bits are refused before any arithmetic, and so
are parameters that are not exactly a known curve (p, a, b, G, n, h; another base point is another domain).
Explicit keys therefore run natively, or in pure Python only on brainpoolP192r1/P224r1/P320r1 (a few ms).
"""

from __future__ import annotations

from typing import Any

from chipid.ecc.arith import Curve
from chipid.ecc.curves import KNOWN_CURVES, curve_by_params
from chipid.errors import ASN1_ERRORS, ParseError, UnsupportedError

__all__ = ["MAX_FIELD_BITS", "from_specified_domain"]

MAX_FIELD_BITS = 521
"""The largest prime field accepted in explicit parameters (secp521r1; ICAO 9303-12 §4.1.6.2 curves are smaller)."""


def from_specified_domain(domain: Any, *, path: str = "ECParameters") -> Curve:
    """Read explicit ECParameters (asn1crypto ``keys.SpecifiedECDomain``) and name them when known.

    Args:
        domain: the parsed SpecifiedECDomain.
        path: location for error messages.

    Returns:
        The matching :data:`chipid.ecc.curves.KNOWN_CURVES` entry.

    Raises:
        ParseError: malformed parameters or base point.
        UnsupportedError: a characteristic-two field, a field over :data:`MAX_FIELD_BITS` bits, or parameters
            that are no known curve.
    """
    try:
        field_id = domain["field_id"]
        if field_id["field_type"].native != "prime_field":
            raise UnsupportedError("characteristic-two curves are not supported", oid=field_id["field_type"].dotted)
        field_contents = field_id["parameters"].contents
        if len(field_contents) > MAX_FIELD_BITS // 8 + 2:
            bits = len(field_contents) * 8
            raise UnsupportedError(f"explicit EC field of {bits} bits refused (max {MAX_FIELD_BITS})")
        p = int(field_id["parameters"].native)
        curve = domain["curve"]
        a = int.from_bytes(curve["a"].native, "big")
        b = int.from_bytes(curve["b"].native, "big")
        base = bytes(domain["base"].native)
        n = int(domain["order"].native)
        cof = domain["cofactor"].native
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed explicit EC parameters: {err}", path=path) from err
    if p.bit_length() > MAX_FIELD_BITS or p < 3:
        raise UnsupportedError(f"explicit EC field of {p.bit_length()} bits refused (max {MAX_FIELD_BITS})")
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
    named = curve_by_params(candidate)
    if named is None:
        same_curve = any((c.p, c.a, c.b, c.n) == (p, a, b, n) for c in KNOWN_CURVES)
        detail = " (a known curve with another base point)" if same_curve else ""
        raise UnsupportedError(f"explicit EC parameters match no known curve{detail}: refused")
    return named
