"""The asn1crypto boundary of the pki package: the exceptions it raises on malformed input.

asn1crypto parses lazily, so malformed bytes surface on first field access as any of these; pki code
catches exactly this tuple and re-raises :class:`chipid.errors.ParseError` with a path.
"""

from __future__ import annotations

__all__ = ["ASN1_ERRORS"]

ASN1_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
)
