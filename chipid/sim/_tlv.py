"""Chip-side BER-TLV for ISO 7816-4 data objects (ISO/IEC 7816-4 §5.2 / ISO 8825-1).

Kept inside ``chipid.sim`` so the virtual chip stays an independent oracle for the
reader-side codec. Errors are ``ValueError``; the chip turns them into status words.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["parse_tlv", "iter_tlv", "tlv"]


def _encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, value: bytes) -> bytes:
    """Encode one data object; ``tag`` is the int of its tag bytes (0x7F49, 0x86...)."""
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big") + _encode_length(len(value)) + value


def parse_tlv(data: bytes, offset: int = 0) -> tuple[int, bytes, int]:
    """Decode the data object at ``offset``: returns (tag, value, offset after it). Raises ValueError."""
    if offset >= len(data):
        raise ValueError("truncated tag")
    start = offset
    first = data[offset]
    offset += 1
    if first & 0x1F == 0x1F:
        while True:
            if offset >= len(data):
                raise ValueError("truncated tag")
            offset += 1
            if not data[offset - 1] & 0x80:
                break
            if offset - start > 3:
                raise ValueError("tag too long")
    tag = int.from_bytes(data[start:offset], "big")
    if offset >= len(data):
        raise ValueError("truncated length")
    length = data[offset]
    offset += 1
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 3 or offset + count > len(data):
            raise ValueError("bad length")
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    if offset + length > len(data):
        raise ValueError("value runs past the end")
    return tag, data[offset : offset + length], offset + length


def iter_tlv(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Iterate over the concatenated data objects in ``data``. Raises ValueError on bad encoding."""
    offset = 0
    while offset < len(data):
        tag, value, offset = parse_tlv(data, offset)
        yield tag, value
