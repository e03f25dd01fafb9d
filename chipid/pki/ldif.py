"""Reading ICAO PKD LDIF exports (RFC 2849) for the binary attributes the trust store needs.

The ICAO PKD publishes Document Signer certificates (``userCertificate;binary``), CRLs
(``certificateRevocationList;binary``) and master lists (``pkdMasterListContent``; some national exports
use ``CscaMasterListData``), CSCAs sometimes as ``cACertificate;binary``, all as base64 values
(``attr:: value``), folded on lines that continue with a single leading space (RFC 2849 §"Notes" 2).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

from chipid.errors import ParseError

__all__ = ["BINARY_ATTRIBUTES", "parse_ldif"]

BINARY_ATTRIBUTES = frozenset(
    {"usercertificate", "cacertificate", "certificaterevocationlist", "pkdmasterlistcontent", "cscamasterlistdata"}
)
"""Attribute names (lower case, options such as ``;binary`` stripped) returned by :func:`parse_ldif`."""


def _unfold(text: str) -> Iterator[tuple[int, str]]:
    current: str | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(" ") and current is not None:
            current += line[1:]
            continue
        if current is not None:
            yield start, current
        current, start = line, number
    if current is not None:
        yield start, current


def parse_ldif(data: str | bytes, *, path: str = "ldif") -> Iterator[tuple[str, bytes]]:
    """Yield (attribute, value bytes) for every certificate, CRL and master-list value in an LDIF file.

    Args:
        data: the LDIF text.
        path: location for error messages.

    Raises:
        ParseError: a wanted value that is not valid base64.
    """
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    for line_no, line in _unfold(text):
        if not line or line.startswith("#") or ":" not in line:
            continue
        name, _, rest = line.partition(":")
        attribute = name.split(";", 1)[0].strip().lower()
        if attribute not in BINARY_ATTRIBUTES:
            continue
        if not rest.startswith(":"):
            raise ParseError(f"{name} value is not base64 (expected '::')", path=f"{path} > line {line_no}")
        try:
            yield attribute, base64.b64decode(rest[1:].strip(), validate=True)
        except (binascii.Error, ValueError) as err:
            raise ParseError(f"bad base64 in {name}: {err}", path=f"{path} > line {line_no}") from err
