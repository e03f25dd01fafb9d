"""Minimal BER-TLV reader/writer for the LDS data objects, with error paths.

ISO/IEC 7816-4 §5.2 (BER-TLV data objects) as profiled by ICAO 9303-10 §4.4: tags of one to three bytes,
definite lengths of up to four length bytes. Used only for the LDS data-object wrappers (``61``/``5F1F``,
``7F61``/``5F2E``...); ASN.1 structures are declared in :mod:`chipid.lds._asn1`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chipid.errors import ParseError

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
    tag = data[offset]
    pos = offset + 1
    if tag & 0x1F == 0x1F:  # ISO 7816-4 §5.2.2.1: subsequent tag bytes, bit 8 set = more follow
        for _ in range(2):
            if pos >= n:
                raise ParseError("truncated tag", path=path)
            tag = (tag << 8) | data[pos]
            pos += 1
            if not data[pos - 1] & 0x80:
                break
        else:
            raise ParseError("tag longer than three bytes", path=path)
    if pos >= n:
        raise ParseError(f"tag {tag_hex(tag)}: missing length", path=path)
    first = data[pos]
    pos += 1
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise ParseError(f"tag {tag_hex(tag)}: indefinite length not allowed", path=path)
    else:
        count = first & 0x7F
        if count > 4:
            raise ParseError(f"tag {tag_hex(tag)}: length field of {count} bytes", path=path)
        if pos + count > n:
            raise ParseError(f"tag {tag_hex(tag)}: truncated length", path=path)
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
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


def encode_length(length: int) -> bytes:
    """DER length octets (ISO 7816-4 §5.2.2.2)."""
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def encode_tlv(tag: int, value: bytes) -> bytes:
    """Encode one data object with a definite, minimal length."""
    return tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big") + encode_length(len(value)) + value
