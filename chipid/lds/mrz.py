"""Machine readable zone: TD1 (3x30), TD2 (2x36), TD3 (2x44) parsing, check digits and building.

ICAO 9303-3 §4.9 (check digits, weights 7-3-1), 9303-4 §4.2.2 (TD3), 9303-5 §4.2.2 (TD1, incl. the long
document number whose check digit sits in the optional data), 9303-6 §4.2.2 (TD2). Check digits are
validated and *reported* in :attr:`MRZ.checks`, never raised: a chip MRZ with a bad digit is still read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from chipid.errors import ParseError

__all__ = ["MRZ", "build_mrz", "check_digit", "mrz_date", "mrz_information"]

_CHARSET = re.compile(r"[A-Z0-9<]*")
_LAYOUTS = {90: ("TD1", 30), 72: ("TD2", 36), 88: ("TD3", 44)}
_WEIGHTS = (7, 3, 1)


def _char_value(ch: str) -> int:
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    if ch == "<":
        return 0  # ICAO 9303-3 §4.9: the filler counts as zero
    raise ParseError(f"character {ch!r} not allowed in an MRZ field", path="MRZ")


def check_digit(text: str) -> str:
    """ICAO 9303-3 §4.9 check digit of ``text`` (digits, A-Z = 10..35, '<' = 0, weights 7, 3, 1).

    Raises:
        ParseError: ``text`` holds a character other than ``0-9``, ``A-Z`` and ``<``.
    """
    return str(sum(_char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)


def mrz_information(document_number: str, date_of_birth: str, date_of_expiry: str) -> str:
    """``MRZ_information`` of ICAO 9303-11 §9.7.2: each field followed by its check digit.

    The document number is padded with '<' to at least 9 characters (§4.3.2). Secret-bearing: do not log.

    Raises:
        ParseError: a character outside ``0-9``, ``A-Z`` and ``<``.
    """
    number = document_number.ljust(9, "<")
    return "".join(f + check_digit(f) for f in (number, date_of_birth, date_of_expiry))


def _ok(text: str, digit: str) -> bool:
    return check_digit(text) == ("0" if digit == "<" else digit)


def mrz_date(yymmdd: str, *, pivot_year: int) -> date | None:
    """Turn an MRZ ``YYMMDD`` into a date; years above ``pivot_year % 100`` go to the previous century.

    Returns ``None`` for unknown or invalid dates (``"<<<<<<"``, month 13...).
    """
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    century = (pivot_year // 100) * 100
    year = century + yy if yy <= pivot_year % 100 else century - 100 + yy
    try:
        return date(year, mm, dd)
    except ValueError:
        return None


def _name(field_text: str) -> tuple[str, str]:
    primary, _, secondary = field_text.partition("<<")
    return primary.replace("<", " ").strip(), secondary.replace("<", " ").strip()


def _text(raw: str) -> str:
    return raw.rstrip("<")


@dataclass(frozen=True)
class MRZ:
    """One parsed MRZ. Text fields have trailing fillers removed; names have '<' turned into spaces.

    Attributes:
        document_type: ``"TD1"``, ``"TD2"`` or ``"TD3"``.
        document_number: the full number (a TD1/TD2 long number included).
        optional_data1: TD1 line 1 / TD2 / TD3 (personal number) optional data, fillers stripped.
        optional_data2: TD1 line 2 optional data (``""`` elsewhere).
        date_of_birth, date_of_expiry: ``YYMMDD`` as printed (see :func:`mrz_date`).
        lines: the raw lines.
        checks: ``{"document_number", "date_of_birth", "date_of_expiry", ["optional_data",] "composite"}``
            -> passed (ICAO 9303-3 §4.9).
    """

    document_type: str
    document_code: str
    issuing_state: str
    document_number: str
    optional_data1: str
    optional_data2: str
    date_of_birth: str
    sex: str
    date_of_expiry: str
    nationality: str
    primary_identifier: str
    secondary_identifier: str
    lines: tuple[str, ...]
    checks: Mapping[str, bool] = field(hash=False)

    @property
    def valid(self) -> bool:
        """True when every check digit passed."""
        return all(self.checks.values())

    @property
    def full_name(self) -> str:
        """``"PRIMARY SECONDARY"`` (as on the MRZ, upper case, transliterated)."""
        return f"{self.primary_identifier} {self.secondary_identifier}".strip()

    @property
    def cccd_id_number(self) -> str | None:
        """Vietnam CCCD: the 12-digit personal ID held in TD1 optional data 1, when present."""
        head = self.optional_data1[:12]
        if self.document_type == "TD1" and self.issuing_state == "VNM" and len(head) == 12 and head.isdigit():
            return head
        return None

    @property
    def cccd_id_check(self) -> bool | None:
        """Vietnam CCCD: whether the digit closing optional data 1 (after ``<<``) is the 9303-3 check digit of
        the 12-digit ID; ``None`` when the optional data does not have that shape. Not an ICAO check."""
        number = self.cccd_id_number
        rest = self.optional_data1[12:]
        if number is None or len(rest) != 3 or rest[:2] != "<<" or not rest[2].isdigit():
            return None
        return check_digit(number) == rest[2]

    @property
    def mrz_information(self) -> str:
        """Document number + check digit, birth + check, expiry + check: the BAC/PACE key seed text.

        ICAO 9303-11 §4.3.2 (the number padded with '<' to at least 9 characters). Secret-bearing: do not log.
        """
        return mrz_information(self.document_number, self.date_of_birth, self.date_of_expiry)

    def to_string(self) -> str:
        """The MRZ as stored in DG1: the lines concatenated without separators."""
        return "".join(self.lines)

    @classmethod
    def parse(cls, text: str, *, path: str = "MRZ") -> MRZ:
        """Parse an MRZ from its lines (newline-separated) or the concatenated DG1 form.

        Raises:
            ParseError: wrong length or characters outside ``A-Z0-9<``.
        """
        flat = "".join(text.split())
        if len(flat) not in _LAYOUTS:
            raise ParseError(f"MRZ of {len(flat)} characters is not TD1 (90), TD2 (72) or TD3 (88)", path=path)
        if not _CHARSET.fullmatch(flat):
            raise ParseError("MRZ has characters outside A-Z 0-9 <", path=path)
        kind, width = _LAYOUTS[len(flat)]
        lines = tuple(flat[i : i + width] for i in range(0, len(flat), width))
        return _parse_td1(lines) if kind == "TD1" else _parse_td23(kind, lines)


def _long_number(number9: str, digit: str, optional: str) -> tuple[str, str, str]:
    """ICAO 9303-5 §4.2.2 note j: a '<' check digit means the number continues in the optional data,
    followed by its check digit and a filler. Returns (number, check digit, rest of the optional data)."""
    if digit != "<" or not optional[:1].isalnum():
        return number9, digit, optional
    tail = optional.split("<", 1)[0]
    if len(tail) < 2:
        return number9, digit, optional
    return number9 + tail[:-1], tail[-1], optional[len(tail) + 1 :]


def _parse_td1(lines: tuple[str, ...]) -> MRZ:
    l1, l2, l3 = lines
    number, digit, opt1 = _long_number(l1[5:14], l1[14], l1[15:30])
    primary, secondary = _name(l3)
    checks = {
        "document_number": _ok(number, digit),
        "date_of_birth": _ok(l2[0:6], l2[6]),
        "date_of_expiry": _ok(l2[8:14], l2[14]),
        "composite": _ok(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29]),
    }
    return MRZ(
        "TD1", _text(l1[0:2]), _text(l1[2:5]), _text(number), _text(opt1), _text(l2[18:29]), l2[0:6],
        l2[7], l2[8:14], _text(l2[15:18]), primary, secondary, lines, checks,
    )  # fmt: skip


def _parse_td23(kind: str, lines: tuple[str, ...]) -> MRZ:
    l1, l2 = lines
    end = len(l2) - 1  # position of the composite check digit
    opt_end = end - 1 if kind == "TD3" else end
    number, digit, opt = l2[0:9], l2[9], l2[28:opt_end]
    if kind == "TD2":
        number, digit, opt = _long_number(number, digit, opt)
    primary, secondary = _name(l1[5:])
    checks = {
        "document_number": _ok(number, digit),
        "date_of_birth": _ok(l2[13:19], l2[19]),
        "date_of_expiry": _ok(l2[21:27], l2[27]),
    }
    if kind == "TD3":
        checks["optional_data"] = _ok(l2[28:42], l2[42])
    checks["composite"] = _ok(l2[0:10] + l2[13:20] + l2[21:end], l2[end])
    return MRZ(
        kind, _text(l1[0:2]), _text(l1[2:5]), _text(number), _text(opt), "", l2[13:19], l2[20],
        l2[21:27], _text(l2[10:13]), primary, secondary, lines, checks,
    )  # fmt: skip


def _field(value: str, width: int, what: str) -> str:
    value = value.upper().replace(" ", "<")
    if len(value) > width or not _CHARSET.fullmatch(value):
        raise ParseError(f"{what} {value!r} does not fit {width} MRZ characters", path="MRZ")
    return value.ljust(width, "<")


def build_mrz(
    *,
    document_type: str,
    document_code: str,
    issuing_state: str,
    document_number: str,
    date_of_birth: str,
    sex: str,
    date_of_expiry: str,
    nationality: str,
    primary_identifier: str,
    secondary_identifier: str,
    optional_data1: str = "",
    optional_data2: str = "",
) -> MRZ:
    """Build a TD1 or TD3 MRZ with correct check digits (ICAO 9303-4/-5 §4.2.2), e.g. for a virtual chip.

    Document numbers longer than 9 characters use the TD1 long-number rule. Raises ParseError when a field
    does not fit.
    """
    name = primary_identifier.replace(" ", "<") + "<<" + secondary_identifier.replace(" ", "<")
    dob = _field(date_of_birth, 6, "date of birth") + check_digit(date_of_birth)
    exp = _field(date_of_expiry, 6, "date of expiry") + check_digit(date_of_expiry)
    head = _field(document_code, 2, "document code") + _field(issuing_state, 3, "issuing state")
    if document_type == "TD1":
        number = document_number.upper()
        if len(number) > 9:
            opt1 = number[9:] + check_digit(number) + "<" + optional_data1
            l1 = head + number[:9] + "<" + _field(opt1, 15, "optional data 1")
        else:
            num9 = _field(number, 9, "document number")
            l1 = head + num9 + check_digit(num9) + _field(optional_data1, 15, "optional data 1")
        l2 = dob + _field(sex, 1, "sex") + exp + _field(nationality, 3, "nationality")
        l2 += _field(optional_data2, 11, "optional data 2")
        l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
        lines: tuple[str, ...] = (l1, l2, _field(name, 30, "name"))
    elif document_type == "TD3":
        num9 = _field(document_number, 9, "document number")
        opt = _field(optional_data1, 14, "personal number")
        l2 = num9 + check_digit(num9) + _field(nationality, 3, "nationality") + dob + _field(sex, 1, "sex")
        l2 += exp + opt + check_digit(opt)
        l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:43])
        lines = (head + _field(name, 39, "name"), l2)
    else:
        raise ParseError(f"cannot build document type {document_type!r} (TD1 or TD3)", path="MRZ")
    return MRZ.parse("".join(lines))
