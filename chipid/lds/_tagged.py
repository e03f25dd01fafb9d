"""Shared reader/writer of the 'tag list + tagged elements' data groups DG11 and DG12 (ICAO 9303-10 §4.7.11,
§4.7.12): ``outer { 5C <tag list>, element..., [A0 { 02 count, repeated element... }] }``.

As other issuers write them: the repeated element (DG11 other names 5F0F, DG12 other persons 5F1A) also
without its ``A0`` wrapper; dates (5F2B, 5F26) as 8 ASCII digits ``YYYYMMDD`` or as 4 bytes of packed BCD.
An element that cannot be decoded is kept raw (``undecoded``), never turned into a wrong value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chipid.errors import ParseError
from chipid.lds._tlv import encode_tlv, iter_tlv, single_tlv, tag_hex

__all__ = ["decode_date", "decode_elements", "decode_texts", "encode_tagged", "parse_tagged", "text_or_none"]

_TAG_LIST, _GROUP, _COUNT = 0x5C, 0xA0, 0x02


def text_or_none(value: bytes) -> str | None:
    """The element as UTF-8 text, or None when it is not UTF-8 or holds control characters."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if all(ch.isprintable() or ch in "\r\n" for ch in text) else None


def decode_date(value: bytes) -> str | None:
    """A DG11/DG12 date as ``YYYYMMDD`` text: 8 ASCII digits, or 4 bytes of packed BCD (``19 69 08 06``).

    Other printable text (a partial or differently formatted date) is returned as written; None when the
    bytes are neither (the caller keeps them raw).
    """
    if len(value) == 4:
        digits = value.hex()  # ASCII digits (30..39) never pass: their "month" would be 30 or more
        if digits.isdigit() and int(digits[4:6]) <= 12 and int(digits[6:8]) <= 31:
            return digits
    return text_or_none(value)


def decode_elements(
    elements: Mapping[int, bytes], text_tags: Mapping[str, int], dates: frozenset[int]
) -> tuple[dict[str, object], dict[str, bytes]]:
    """Decode the text elements of DG11/DG12: (field name -> text, tag hex -> raw bytes of the undecodable)."""
    values: dict[str, object] = {}
    undecoded: dict[str, bytes] = {}
    for key, tag in text_tags.items():
        if tag not in elements:
            continue
        text = decode_date(elements[tag]) if tag in dates else text_or_none(elements[tag])
        if text is None:
            undecoded[f"{tag:04X}"] = elements[tag]
        values[key] = text
    return values, undecoded


def decode_texts(values: Sequence[bytes], tag: int) -> tuple[tuple[str, ...], dict[str, bytes]]:
    """A repeated text element (DG11 other names, DG12 other persons): the texts, and the raw bytes of each
    undecodable one keyed ``"TAG[i]"`` (kept, never guessed)."""
    texts: list[str] = []
    undecoded: dict[str, bytes] = {}
    for i, raw in enumerate(values):
        text = text_or_none(raw)
        if text is None:
            undecoded[f"{tag:04X}[{i}]"] = raw
        else:
            texts.append(text)
    return tuple(texts), undecoded


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
        elif obj.tag == repeated:
            group.append(obj.value)  # written without the A0 wrapper by some issuers
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
