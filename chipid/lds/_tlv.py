"""LDS view of the one BER-TLV codec (:mod:`chipid.iso7816.tlv`): objects with their end offset, error paths.

ISO/IEC 7816-4 §5.2 (BER-TLV data objects) as profiled by ICAO 9303-10 §4.4: definite lengths only (the
indefinite form is refused here). Used only for the LDS data-object wrappers (``61``/``5F1F``,
``7F61``/``5F2E``...); ASN.1 structures are declared in :mod:`chipid.lds._asn1`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chipid.errors import ParseError
from chipid.iso7816.tlv import decode_length, decode_tag, encode_length, encode_tlv

__all__ = ["TLV", "encode_length", "encode_tlv", "iter_tlv", "read_tlv", "single_tlv", "tag_hex"]


@dataclass(frozen=True)
class TLV:
    """One BER-TLV data object as found.

    Attributes:
        tag: the tag as an int (``0x5F1F``).
        value: the value field.
        end: the offset just past this object in the buffer it was read from.
    """

    tag: int
    value: bytes
    end: int


def tag_hex(tag: int) -> str:
    """Format a tag as upper-case hex (``0x7F61`` -> ``"7F61"``)."""
    return f"{tag:02X}" if tag < 0x100 else f"{tag:04X}" if tag < 0x10000 else f"{tag:06X}"


def read_tlv(data: bytes, offset: int = 0, *, path: str = "") -> TLV:
    """Read the data object that starts at ``offset``.

    Args:
        data: the buffer.
        offset: where the tag starts.
        path: the error path of the enclosing structure.

    Raises:
        ParseError: truncated tag, length or value, indefinite or over-long length.
    """
    n = len(data)
    if offset >= n:
        raise ParseError("missing data object", path=path)
    tag, pos = decode_tag(data, offset, path=path)
    length, pos = decode_length(data, pos, path=f"{path} > tag {tag_hex(tag)}" if path else f"tag {tag_hex(tag)}")
    end = pos + length
    if end > n:
        raise ParseError(f"tag {tag_hex(tag)}: value of {length} bytes but only {n - pos} left", path=path)
    return TLV(tag, bytes(data[pos:end]), end)


def iter_tlv(data: bytes, *, path: str = "") -> Iterator[TLV]:
    """Iterate over the concatenated data objects of ``data`` (all of it must be TLVs)."""
    offset = 0
    while offset < len(data):
        obj = read_tlv(data, offset, path=path)
        yield obj
        offset = obj.end


def single_tlv(data: bytes, expected: int, *, path: str = "") -> bytes:
    """Read exactly one data object of tag ``expected`` filling ``data``; return its value.

    Raises:
        ParseError: wrong tag, or bytes left over after the object.
    """
    obj = read_tlv(data, 0, path=path)
    if obj.tag != expected:
        raise ParseError(f"expected tag {tag_hex(expected)}, found {tag_hex(obj.tag)}", path=path)
    if obj.end != len(data):
        raise ParseError(f"{len(data) - obj.end} trailing bytes after tag {tag_hex(expected)}", path=path)
    return obj.value
