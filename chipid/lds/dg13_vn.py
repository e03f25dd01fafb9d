"""DG13 of the Vietnamese CCCD / Căn cước card: the holder's personal details (issuer-specific DG13).

Layout (ICAO 9303-10 §4.7.13 leaves DG13 to the issuer; this is the CCCD layout as seen in public readers):
``6D { SEQUENCE { INTEGER version, OID 1.0.10646.1.0.8 (UTF-8),
SET OF SEQUENCE { INTEGER fieldNo, value... } } }``.
Fields are looked up by number, any may be missing; values are UTF8String or PrintableString; field 13 holds
one SEQUENCE of strings per parent. Unknown field numbers are kept raw.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from asn1crypto import core

from chipid.errors import ASN1_ERRORS, ParseError
from chipid.lds import _asn1
from chipid.lds._tlv import encode_tlv, iter_tlv, read_tlv

__all__ = [
    "DG13_FIELD_NAMES",
    "NOT_CCCD_LAYOUT",
    "DG13Field",
    "DG13VN",
    "encode_dg13",
    "parse_dg13",
    "parse_vn_date",
]

_DG13_TAG = 0x6D
_UTF8_OID = "1.0.10646.1.0.8"
_UTF8_OID_DER = core.ObjectIdentifier(_UTF8_OID).contents
NOT_CCCD_LAYOUT = "not the CCCD layout"
"""Start of the ParseError reason for another issuer's DG13 (reported as such, never as malformed)."""
_STRING_TAGS = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii", 0x14: "latin-1"}
_UTF8, _PRINTABLE, _SEQUENCE = 0x0C, 0x13, 0x30
_PRINTABLE_FIELDS = frozenset({1, 3, 11, 15, 16})  # as written by issued cards and the project vector
_PARENTS = 13
_PRINTABLE_CHARS = re.compile(r"[A-Za-z0-9 '()+,\-./:=?]*")  # X.680 §41.4 PrintableString
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

DG13_FIELD_NAMES: dict[int, str] = {
    1: "id_number",
    2: "full_name",
    3: "date_of_birth",
    4: "sex",
    5: "nationality",
    6: "ethnicity",
    7: "religion",
    8: "place_of_origin",
    9: "place_of_residence",
    10: "identifying_marks",
    11: "date_of_issue",
    12: "date_of_expiry",
    13: "parents",
    14: "spouse",
    15: "old_id_number",
    16: "unidentified",
}
"""Known CCCD DG13 field numbers -> English key."""


def parse_vn_date(text: str | None) -> date | str | None:
    """``"dd/mm/yyyy"`` -> :class:`datetime.date`; anything else (``"Không thời hạn"``...) stays text."""
    if text is None:
        return None
    m = _DATE.fullmatch(text.strip())
    if not m:
        return text
    try:
        return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return text


@dataclass(frozen=True)
class DG13Field:
    """One DG13 field.

    Attributes:
        number: the field number (1..16 known, see :data:`DG13_FIELD_NAMES`).
        values: the decoded strings (for field 13 one per parent, every string of every SEQUENCE).
        raw: the field's DER for unknown field numbers (not decoded), else ``None``.
    """

    number: int
    values: tuple[str, ...]
    raw: bytes | None = None


@dataclass(frozen=True)
class DG13VN:
    """The CCCD DG13 content; fields in file order, looked up by number."""

    version: int
    charset: str
    fields: tuple[DG13Field, ...]

    def field(self, number: int) -> DG13Field | None:
        """The first field with this number, or ``None``."""
        return next((f for f in self.fields if f.number == number), None)

    def text(self, number: int) -> str | None:
        """The field's strings joined by a space, ``None`` when absent or empty."""
        f = self.field(number)
        return " ".join(f.values) if f is not None and f.values else None

    @property
    def id_number(self) -> str | None:
        return self.text(1)

    @property
    def full_name(self) -> str | None:
        return self.text(2)

    @property
    def date_of_birth(self) -> date | str | None:
        return parse_vn_date(self.text(3))

    @property
    def sex(self) -> str | None:
        return self.text(4)

    @property
    def date_of_issue(self) -> date | str | None:
        return parse_vn_date(self.text(11))

    @property
    def date_of_expiry(self) -> date | str | None:
        return parse_vn_date(self.text(12))

    @property
    def parents(self) -> tuple[str, ...]:
        """Every parent name of field 13, in order (father first on issued cards)."""
        f = self.field(_PARENTS)
        return f.values if f is not None else ()

    @property
    def unknown(self) -> tuple[DG13Field, ...]:
        """Fields whose number is not in :data:`DG13_FIELD_NAMES` (kept raw)."""
        return tuple(f for f in self.fields if f.raw is not None)

    @classmethod
    def from_values(cls, values: Mapping[int, str | Sequence[str] | None], *, version: int = 1) -> DG13VN:
        """Build from ``{field number: text | [texts] | None}`` (e.g. to personalise a virtual card)."""
        fields = []
        for number in sorted(values):
            value = values[number]
            texts = () if value is None else (value,) if isinstance(value, str) else tuple(value)
            fields.append(DG13Field(number, texts))
        return cls(version, _UTF8_OID, tuple(fields))


def _strings(der: bytes, path: str, depth: int = 0) -> list[str]:
    """Decode a string, or every string inside a (nested) SEQUENCE."""
    obj = read_tlv(der, 0, path=path)
    if obj.tag in _STRING_TAGS:
        try:
            return [obj.value.decode(_STRING_TAGS[obj.tag])]
        except UnicodeDecodeError as err:
            raise ParseError(f"string is not valid {_STRING_TAGS[obj.tag]}", path=path) from err
    if obj.tag == _SEQUENCE and depth < 2:
        out: list[str] = []
        for i, child in enumerate(iter_tlv(obj.value, path=path)):
            out += _strings(encode_tlv(child.tag, child.value), f"{path}[{i}]", depth + 1)
        return out
    raise ParseError(f"unexpected value tag {obj.tag:02X} (want a string)", path=path)


def _cccd_layout(content: bytes) -> bool:
    """Whether ``content`` starts as the CCCD DG13 does: SEQUENCE { INTEGER, OID 1.0.10646.1.0.8 (UTF-8), ... }."""
    try:
        outer = read_tlv(content, 0, path="DG13")
        if outer.tag != _SEQUENCE or outer.end != len(content):
            return False
        children = list(iter_tlv(outer.value, path="DG13"))
    except ParseError:
        return False
    if len(children) < 2 or children[0].tag != 0x02:
        return False
    return (children[1].tag, children[1].value) == (0x06, _UTF8_OID_DER)


def _layout_of(content: bytes) -> str:
    """A short description of a DG13 that is not in the CCCD layout (for the clerk and the log)."""
    try:
        objects = list(iter_tlv(content, path="DG13"))
    except ParseError:
        return "its content is not BER-TLV (another issuer's format)"
    if not objects:
        return "it is empty"
    first = objects[0]
    if first.tag == _SEQUENCE:
        try:
            inner = list(iter_tlv(first.value, path="DG13"))
        except ParseError:
            inner = []
        if len(inner) >= 2 and inner[1].tag == 0x06 and inner[1].value != _UTF8_OID_DER:
            charset = core.ObjectIdentifier.load(encode_tlv(0x06, inner[1].value)).dotted
            return f"its character set {charset} is not ISO/IEC 10646 UTF-8 ({_UTF8_OID})"
    tags = " ".join(f"{o.tag:X}" for o in objects[:4])
    return f"its data objects ({tags}{' ...' if len(objects) > 4 else ''}) are another issuer's layout"


def parse_dg13(data: bytes) -> DG13VN:
    """Parse the CCCD DG13 (tag ``6D``).

    ICAO 9303-10 §4.7.13 leaves DG13 to the issuer: a DG13 that does not start as the CCCD one
    (SEQUENCE { INTEGER, OID 1.0.10646.1.0.8, ... }) raises a ParseError whose reason starts with
    :data:`NOT_CCCD_LAYOUT` (the file is kept raw by the caller); one that does but breaks further on
    is "malformed".

    Raises:
        ParseError: with a path such as ``"DG13 > field 9"``.
    """
    obj = read_tlv(bytes(data), 0, path="DG13")
    if obj.tag != _DG13_TAG or obj.end != len(data):
        raise ParseError("not a single DG13 object (tag 6D)", path="DG13")
    if not _cccd_layout(obj.value):
        raise ParseError(f"{NOT_CCCD_LAYOUT}: {_layout_of(obj.value)}; kept raw, not decoded", path="DG13")
    try:
        content = _asn1.DG13Content.load(obj.value, strict=True)
        version = int(content["version"].native)
        charset = content["charset"].dotted
        items = list(content["fields"])
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed DG13 content: {err}", path="DG13") from err
    fields = []
    for i, item in enumerate(items):
        path = f"DG13 > SET[{i}]"
        try:
            parts = [part.dump() for part in item]
            number = int(core.Integer.load(parts[0], strict=True).native)
        except ASN1_ERRORS as err:
            raise ParseError(f"field without an INTEGER number: {err}", path=path) from err
        path = f"DG13 > field {number}"
        if number not in DG13_FIELD_NAMES:
            fields.append(DG13Field(number, (), item.dump()))
            continue
        values: list[str] = []
        for j, part in enumerate(parts[1:]):
            values += _strings(part, path if len(parts) == 2 else f"{path} > value[{j}]")
        fields.append(DG13Field(number, tuple(values)))
    return DG13VN(version, charset, tuple(fields))


def _encode_field(f: DG13Field) -> bytes:
    if f.raw is not None:
        return f.raw
    body = core.Integer(f.number).dump()
    printable = f.number in _PRINTABLE_FIELDS and all(_PRINTABLE_CHARS.fullmatch(v) for v in f.values)
    tag = _PRINTABLE if printable else _UTF8
    for value in f.values:
        encoded = encode_tlv(tag, value.encode("utf-8"))
        body += encode_tlv(_SEQUENCE, encoded) if f.number == _PARENTS else encoded
    return encode_tlv(_SEQUENCE, body)


def encode_dg13(dg13: DG13VN) -> bytes:
    """Encode DG13 in the CCCD layout (fields in the model's order; PrintableString for the numeric fields
    1, 3, 11, 15, 16, UTF8String otherwise; one SEQUENCE per parent in field 13)."""
    fields = b"".join(_encode_field(f) for f in dg13.fields)
    content = core.Integer(dg13.version).dump() + core.ObjectIdentifier(dg13.charset).dump()
    content += encode_tlv(0x31, fields)
    return encode_tlv(_DG13_TAG, encode_tlv(_SEQUENCE, content))
