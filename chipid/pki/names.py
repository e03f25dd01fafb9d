"""Tolerant comparison of X.500 distinguished names (issuer of a DS certificate vs. subject of a CSCA).

RFC 5280 §7.1 asks for caseIgnoreMatch after string preparation; national PKIs additionally differ in RDN
order and string types (PrintableString vs UTF8String) between a DS certificate's issuer and the CSCA's
subject. A name is therefore reduced to the multiset of (attribute type OID, casefolded value with
whitespace collapsed) pairs, which ignores RDN order, string type, case and spacing.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["NormalizedName", "normalize_name", "same_name"]

NormalizedName = tuple[tuple[str, str], ...]
"""A sorted tuple of (type OID, normalised value): a hashable multiset."""

_SPACES = re.compile(r"\s+")


def _value(value: Any) -> str:
    native = value.native
    if isinstance(native, str):
        return _SPACES.sub(" ", native).strip().casefold()
    encoded: bytes = value.dump()
    return encoded.hex()


def normalize_name(name: Any) -> NormalizedName:
    """Normalise an asn1crypto ``x509.Name`` (see module docstring)."""
    pairs: list[tuple[str, str]] = []
    for rdn in name.chosen:
        for attribute in rdn:
            pairs.append((attribute["type"].dotted, _value(attribute["value"])))
    return tuple(sorted(pairs))


def same_name(a: Any, b: Any) -> bool:
    """True if two asn1crypto names are equal under :func:`normalize_name`."""
    return normalize_name(a) == normalize_name(b)
