"""DG11: additional personal details (ICAO 9303-10 §4.7.11). Every element is optional; text is UTF-8.

Other names (5F0F) are read inside ``A0`` or bare; the full date of birth (5F2B) as ``YYYYMMDD`` text or packed
BCD. An element that cannot be decoded is kept raw in :attr:`DG11.undecoded` (its value stays ``None``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from chipid.lds._tagged import decode_elements, decode_texts, encode_tagged, parse_tagged

__all__ = ["DG11", "encode_dg11", "parse_dg11"]

_DG11, _OTHER_NAME = 0x6B, 0x5F0F
_TEXT_TAGS: dict[str, int] = {
    "full_name": 0x5F0E,
    "personal_number": 0x5F10,
    "full_date_of_birth": 0x5F2B,
    "place_of_birth": 0x5F11,
    "permanent_address": 0x5F42,
    "telephone": 0x5F12,
    "profession": 0x5F13,
    "title": 0x5F14,
    "personal_summary": 0x5F15,
    "other_td_numbers": 0x5F17,
    "custody_information": 0x5F18,
}
_PROOF_OF_CITIZENSHIP = 0x5F16
_DATES = frozenset({0x5F2B})


@dataclass(frozen=True)
class DG11:
    """DG11 content. Names use '<' separators as on the MRZ; ``full_date_of_birth`` is ``YYYYMMDD`` text.

    ``undecoded`` maps the tag (``"5F2B"``) of each element that could not be decoded to its raw bytes.
    """

    full_name: str | None = None
    other_names: tuple[str, ...] = ()
    personal_number: str | None = None
    full_date_of_birth: str | None = None
    place_of_birth: str | None = None
    permanent_address: str | None = None
    telephone: str | None = None
    profession: str | None = None
    title: str | None = None
    personal_summary: str | None = None
    proof_of_citizenship: bytes | None = None
    other_td_numbers: str | None = None
    custody_information: str | None = None
    undecoded: Mapping[str, bytes] = field(default_factory=dict, hash=False)


def parse_dg11(data: bytes) -> DG11:
    """Parse DG11. Raises ParseError (path ``"DG11 > 5C"``...) when its structure is broken."""
    _, elements, others = parse_tagged(data, _DG11, "DG11", _OTHER_NAME)
    values, undecoded = decode_elements(elements, _TEXT_TAGS, _DATES)
    values["other_names"], undecoded_names = decode_texts(others, _OTHER_NAME)
    undecoded.update(undecoded_names)
    values["proof_of_citizenship"] = elements.get(_PROOF_OF_CITIZENSHIP)
    return DG11(**values, undecoded=undecoded)  # type: ignore[arg-type]


def encode_dg11(dg11: DG11) -> bytes:
    """Encode DG11 (elements in the order of the 9303-10 table, tag list built from what is present)."""
    elements: list[tuple[int, bytes]] = []
    for f in fields(dg11):
        value = getattr(dg11, f.name)
        if f.name in _TEXT_TAGS and value is None and f"{_TEXT_TAGS[f.name]:04X}" in dg11.undecoded:
            elements.append((_TEXT_TAGS[f.name], dg11.undecoded[f"{_TEXT_TAGS[f.name]:04X}"]))
        elif f.name in _TEXT_TAGS and value is not None:
            elements.append((_TEXT_TAGS[f.name], value.encode("utf-8")))
        elif f.name == "proof_of_citizenship" and value is not None:
            elements.append((_PROOF_OF_CITIZENSHIP, value))
    return encode_tagged(_DG11, elements, _OTHER_NAME, [n.encode("utf-8") for n in dg11.other_names])
