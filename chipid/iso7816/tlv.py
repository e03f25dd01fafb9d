"""BER-TLV data objects as used by ISO/IEC 7816-4 and the ICAO 9303 LDS.

ISO/IEC 7816-4 §5.2.2 ("BER-TLV data objects") and ISO/IEC 8825-1 (BER):

* tag: one byte, or when its low five bits are all ones (``xxx1 1111``) further bytes
  follow while bit 8 is set (``5F1F``, ``7F49``, ``7F61``...). Tags are handled as ints of
  their encoded bytes (``0x5F1F``); bit 6 of the first byte marks a constructed object.
* length: ``00..7F`` short form; ``81 xx``, ``82 xxxx``, ``83 xxxxxx``, ``84 xxxxxxxx`` long
  form; ``80`` indefinite (constructed objects only, closed by ``00 00``), accepted when
  parsing and never produced.

Every malformed input raises :class:`~chipid.errors.ParseError` (never ``IndexError``).
"""

from __future__ import annotations

from collections.abc import Iterator

from chipid.errors import ParseError

__all__ = [
    "decode_length",
    "decode_tag",
    "decode_tlv",
    "encode_length",
    "encode_tag",
    "encode_tlv",
    "iter_tlv",
]

_MAX_LENGTH_BYTES = 4
_MAX_TAG_BYTES = 4
_MAX_DEPTH = 32


def _where(path: str, what: str) -> str:
    return f"{path} > {what}" if path else what


def encode_tag(tag: int) -> bytes:
    """Encode a tag int (``0x5F1F``) as its bytes (``5F 1F``)."""
    if tag < 0:
        raise ParseError(f"negative tag {tag}", path="tag")
    if tag == 0:
        return b"\x00"
    return tag.to_bytes((tag.bit_length() + 7) // 8, "big")


def encode_length(n: int) -> bytes:
    """Encode a length in BER definite form (short form below 128, else ``81``..``84``)."""
    if n < 0 or n > 0xFFFFFFFF:
        raise ParseError(f"length {n} cannot be encoded", path="length")
    if n < 0x80:
        return bytes((n,))
    size = (n.bit_length() + 7) // 8
    return bytes((0x80 | size,)) + n.to_bytes(size, "big")


def encode_tlv(tag: int, value: bytes) -> bytes:
    """Encode one data object: tag, definite length, value."""
    return encode_tag(tag) + encode_length(len(value)) + bytes(value)


def decode_tag(data: bytes, offset: int = 0, *, path: str = "") -> tuple[int, int]:
    """Read a tag at ``offset``.

    Returns:
        ``(tag, offset after the tag)``.
    """
    if offset >= len(data):
        raise ParseError("truncated: tag expected", path=_where(path, f"offset {offset}"))
    first = data[offset]
    tag = first
    pos = offset + 1
    if first & 0x1F == 0x1F:
        while True:
            if pos >= len(data):
                raise ParseError("truncated multi-byte tag", path=_where(path, f"offset {offset}"))
            if pos - offset >= _MAX_TAG_BYTES:
                raise ParseError("tag longer than 4 bytes", path=_where(path, f"offset {offset}"))
            byte = data[pos]
            tag = (tag << 8) | byte
            pos += 1
            if not byte & 0x80:
                break
    return tag, pos


def _read_length(data: bytes, offset: int, path: str) -> tuple[int | None, int]:
    """Like :func:`decode_length` but returns ``None`` for the indefinite form."""
    if offset >= len(data):
        raise ParseError("truncated: length expected", path=_where(path, f"offset {offset}"))
    first = data[offset]
    if first < 0x80:
        return first, offset + 1
    if first == 0x80:
        return None, offset + 1
    size = first & 0x7F
    if size > _MAX_LENGTH_BYTES:
        raise ParseError(f"{size}-byte length field not supported", path=_where(path, f"offset {offset}"))
    end = offset + 1 + size
    if end > len(data):
        raise ParseError("truncated long-form length", path=_where(path, f"offset {offset}"))
    return int.from_bytes(data[offset + 1 : end], "big"), end


def decode_length(data: bytes, offset: int = 0, *, path: str = "") -> tuple[int, int]:
    """Read a definite length at ``offset``.

    Returns:
        ``(length, offset after the length field)``. The value itself is not checked
        against the remaining data; :func:`decode_tlv` does that.

    Raises:
        ParseError: truncated field, more than 4 length bytes, or the indefinite form.
    """
    length, pos = _read_length(data, offset, path)
    if length is None:
        raise ParseError("indefinite length not allowed here", path=_where(path, f"offset {offset}"))
    return length, pos


def _decode_at(data: bytes, offset: int, path: str, depth: int) -> tuple[int, int, int, int]:
    """Return ``(tag, value_start, value_end, next_offset)`` for the object at ``offset``."""
    tag, pos = decode_tag(data, offset, path=path)
    length, pos = _read_length(data, pos, _where(path, f"tag {tag:X}"))
    if length is not None:
        end = pos + length
        if end > len(data):
            raise ParseError(
                f"length {length} exceeds the {len(data) - pos} bytes available",
                path=_where(path, f"tag {tag:X}"),
            )
        return tag, pos, end, end
    first = encode_tag(tag)[0]
    if not first & 0x20:
        raise ParseError("indefinite length on a primitive object", path=_where(path, f"tag {tag:X}"))
    if depth >= _MAX_DEPTH:
        raise ParseError("indefinite-length nesting too deep", path=_where(path, f"tag {tag:X}"))
    cursor = pos
    while True:
        if data[cursor : cursor + 2] == b"\x00\x00":
            return tag, pos, cursor, cursor + 2
        if cursor >= len(data):
            raise ParseError("missing end-of-contents 0000", path=_where(path, f"tag {tag:X}"))
        cursor = _decode_at(data, cursor, _where(path, f"tag {tag:X}"), depth + 1)[3]


def decode_tlv(data: bytes, *, path: str = "") -> tuple[int, bytes, bytes]:
    """Decode the first data object of ``data``.

    Args:
        data: bytes starting with a BER-TLV object.
        path: prefix for error paths (e.g. ``"DG13"``).

    Returns:
        ``(tag, value, rest)``: ``rest`` is whatever follows the object. For an
        indefinite-length object the value excludes the closing ``00 00``.
    """
    data = bytes(data)
    tag, start, end, nxt = _decode_at(data, 0, path, 0)
    return tag, data[start:end], data[nxt:]


def iter_tlv(data: bytes, *, path: str = "") -> Iterator[tuple[int, bytes]]:
    """Yield ``(tag, value)`` for each consecutive data object in ``data``."""
    data = bytes(data)
    offset = 0
    while offset < len(data):
        tag, start, end, offset = _decode_at(data, offset, path, 0)
        yield tag, data[start:end]
