"""Shared reader/writer of the 'tag list + tagged elements' data groups DG11 and DG12 (ICAO 9303-10 §4.7.11,
§4.7.12): ``outer { 5C <tag list>, element..., [A0 { 02 count, repeated element... }] }``."""

from __future__ import annotations

from collections.abc import Sequence

from chipid.errors import ParseError
from chipid.lds._tlv import encode_tlv, iter_tlv, single_tlv, tag_hex

__all__ = ["decode_text", "encode_tagged", "parse_tagged"]

_TAG_LIST, _GROUP, _COUNT = 0x5C, 0xA0, 0x02


def decode_text(value: bytes, path: str) -> str:
    """Decode an element as UTF-8 (ICAO 9303-10 §4.7.11: ISO/IEC 10646 UTF-8)."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ParseError("text is not UTF-8", path=path) from err


def _tags(value: bytes, path: str) -> tuple[int, ...]:
    tags, pos = [], 0
    while pos < len(value):
        tag = value[pos]
        pos += 1
        if tag & 0x1F == 0x1F:
            if pos >= len(value):
                raise ParseError("truncated tag in tag list", path=path)
            tag = (tag << 8) | value[pos]
            pos += 1
        tags.append(tag)
    return tuple(tags)


def parse_tagged(
    data: bytes, outer: int, name: str, repeated: int
) -> tuple[tuple[int, ...], dict[int, bytes], tuple[bytes, ...]]:
    """Return (tag list, first value of each element, values of the repeated elements inside ``A0``)."""
    body = single_tlv(bytes(data), outer, path=name)
    tag_list: tuple[int, ...] | None = None
    elements: dict[int, bytes] = {}
    group: list[bytes] = []
    for obj in iter_tlv(body, path=name):
        if obj.tag == _TAG_LIST:
            tag_list = _tags(obj.value, f"{name} > 5C")
        elif obj.tag == _GROUP:
            for inner in iter_tlv(obj.value, path=f"{name} > A0"):
                if inner.tag == repeated:
                    group.append(inner.value)
                elif inner.tag != _COUNT:
                    raise ParseError(f"unexpected tag {tag_hex(inner.tag)}", path=f"{name} > A0")
        else:
            elements.setdefault(obj.tag, obj.value)
    if tag_list is None:
        raise ParseError("missing tag list (5C)", path=name)
    return tag_list, elements, tuple(group)


def encode_tagged(outer: int, elements: Sequence[tuple[int, bytes]], repeated: int, group: Sequence[bytes]) -> bytes:
    """Encode with a tag list listing every present element (``A0`` for a non-empty repeated group)."""
    tags = [t for t, _ in elements] + ([_GROUP] if group else [])
    tag_bytes = b"".join(t.to_bytes(2 if t > 0xFF else 1, "big") for t in tags)
    body = encode_tlv(_TAG_LIST, tag_bytes) + b"".join(encode_tlv(t, v) for t, v in elements)
    if group:
        inner = encode_tlv(_COUNT, bytes([len(group)])) + b"".join(encode_tlv(repeated, v) for v in group)
        body += encode_tlv(_GROUP, inner)
    return encode_tlv(outer, body)
