"""DG12: additional document details (ICAO 9303-10 §4.7.12). Every element is optional; text is UTF-8.

Other persons (5F1A) are read inside ``A0`` or bare; the date of issue (5F26) as ``YYYYMMDD`` text or packed
BCD. An element that cannot be decoded is kept raw in :attr:`DG12.undecoded` (its value stays ``None``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from chipid.lds._tagged import decode_elements, decode_texts, encode_tagged, parse_tagged

__all__ = ["DG12", "encode_dg12", "parse_dg12"]

_DG12, _OTHER_PERSON = 0x6C, 0x5F1A
_TEXT_TAGS: dict[str, int] = {
    "issuing_authority": 0x5F19,
    "date_of_issue": 0x5F26,
    "endorsements": 0x5F1B,
    "tax_exit_requirements": 0x5F1C,
}
_DATES = frozenset({0x5F26})
_BINARY_TAGS: dict[str, int] = {
    "image_front": 0x5F1D,
    "image_rear": 0x5F1E,
    "personalization_time": 0x5F55,
    "personalization_device": 0x5F56,
}


@dataclass(frozen=True)
class DG12:
    """DG12 content. ``date_of_issue`` is ``YYYYMMDD`` text; images and personalisation data stay bytes.

    ``undecoded`` maps the tag (``"5F26"``) of each element that could not be decoded to its raw bytes.
    """

    issuing_authority: str | None = None
    date_of_issue: str | None = None
    other_persons: tuple[str, ...] = ()
    endorsements: str | None = None
    tax_exit_requirements: str | None = None
    image_front: bytes | None = None
    image_rear: bytes | None = None
    personalization_time: bytes | None = None
    personalization_device: bytes | None = None
    undecoded: Mapping[str, bytes] = field(default_factory=dict, hash=False)


def parse_dg12(data: bytes) -> DG12:
    """Parse DG12. Raises ParseError (path ``"DG12 > 5C"``...) when its structure is broken."""
    _, elements, others = parse_tagged(data, _DG12, "DG12", _OTHER_PERSON)
    values, undecoded = decode_elements(elements, _TEXT_TAGS, _DATES)
    values.update({key: elements[tag] for key, tag in _BINARY_TAGS.items() if tag in elements})
    values["other_persons"], undecoded_persons = decode_texts(others, _OTHER_PERSON)
    undecoded.update(undecoded_persons)
    return DG12(**values, undecoded=undecoded)  # type: ignore[arg-type]


def encode_dg12(dg12: DG12) -> bytes:
    """Encode DG12 (tag list built from what is present)."""
    elements: list[tuple[int, bytes]] = []
    for f in fields(dg12):
        value = getattr(dg12, f.name)
        if value is None and f.name in _TEXT_TAGS and f"{_TEXT_TAGS[f.name]:04X}" in dg12.undecoded:
            value = dg12.undecoded[f"{_TEXT_TAGS[f.name]:04X}"]
        if value is None or f.name in ("other_persons", "undecoded"):
            continue
        tag = _TEXT_TAGS.get(f.name) or _BINARY_TAGS[f.name]
        elements.append((tag, value.encode("utf-8") if isinstance(value, str) else value))
    return encode_tagged(_DG12, elements, _OTHER_PERSON, [p.encode("utf-8") for p in dg12.other_persons])
