"""Access keys: the MRZ key (BAC and PACE) and the Card Access Number (PACE).

ICAO 9303-11 §9.7.2 derives the BAC key seed from ``MRZ_information``: the document
number, date of birth and date of expiry, each followed by its check digit
(ICAO 9303-3 §4.9: weights 7-3-1, digits as themselves, ``A``-``Z`` as 10-35, ``<``
as 0). PACE (§4.4.3.1, §9.7.3) uses the same ``MRZ_information`` hashed with SHA-1
as the password, or the CAN as an ISO 8859-1 string.

The secrets never appear in ``repr()``: the keys show their kind only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from chipid.errors import ParseError
from chipid.lds.mrz import check_digit, mrz_information

__all__ = ["AccessKey", "CANKey", "MRZKey"]

_DOC_CHARS = re.compile(r"[0-9A-Z<]+")
_DATE = re.compile(r"[0-9]{6}")


@runtime_checkable
class AccessKey(Protocol):
    """What BAC/PACE need from a key: the PACE password and its reference."""

    @property
    def kind(self) -> Literal["MRZ", "CAN"]:
        """``"MRZ"`` or ``"CAN"``."""
        ...

    @property
    def password_ref(self) -> int:
        """The MSE:Set AT password reference (DO'83'): 1 MRZ, 2 CAN (9303-11 §4.4.4.1)."""
        ...

    def pace_password(self) -> bytes:
        """f(π) of 9303-11 §4.4.3.1, the input of KDF_π."""
        ...


@dataclass(frozen=True, repr=False)
class MRZKey:
    """The MRZ-derived access key (document number, date of birth, date of expiry).

    Args:
        document_number: the document number; shorter ones are padded with ``<`` to 9.
        date_of_birth: YYMMDD.
        date_of_expiry: YYMMDD.

    Raises:
        ParseError: when a field has the wrong shape.
    """

    document_number: str
    date_of_birth: str
    date_of_expiry: str
    kind: Literal["MRZ"] = field(default="MRZ", init=False)
    password_ref: int = field(default=1, init=False)

    def __post_init__(self) -> None:
        number = self.document_number.strip().upper().replace(" ", "")
        if not number or not _DOC_CHARS.fullmatch(number):
            raise ParseError("document number must be 1+ characters of 0-9, A-Z, <",
                             path="MRZKey > document_number")
        object.__setattr__(self, "document_number", number.ljust(9, "<"))
        for name in ("date_of_birth", "date_of_expiry"):
            if not _DATE.fullmatch(getattr(self, name)):
                raise ParseError("date must be YYMMDD", path=f"MRZKey > {name}")

    def __repr__(self) -> str:
        return "MRZKey(<redacted>)"

    @property
    def mrz_information(self) -> str:
        """``MRZ_information`` of 9303-11 §9.7.2: each field followed by its check digit."""
        return mrz_information(self.document_number, self.date_of_birth, self.date_of_expiry)

    def seed(self) -> bytes:
        """K_seed of 9303-11 §9.7.2: the first 16 bytes of SHA-1(MRZ_information)."""
        return self.pace_password()[:16]

    def pace_password(self) -> bytes:
        """f(π) = SHA-1(MRZ_information) (9303-11 §4.4.3.1, 20 bytes)."""
        return hashlib.sha1(self.mrz_information.encode("ascii")).digest()  # noqa: S324 - mandated by 9303

    @classmethod
    def for_cccd(cls, id_number: str, date_of_birth: str, date_of_expiry: str) -> MRZKey:
        """The key of a Vietnamese CCCD: document number = the last 9 digits of the 12-digit ID.

        Args:
            id_number: the 12-digit personal identification number.
            date_of_birth: YYMMDD.
            date_of_expiry: YYMMDD.
        """
        digits = id_number.strip()
        if not (len(digits) == 12 and digits.isdigit()):
            raise ParseError("CCCD ID number must be 12 digits", path="MRZKey > id_number")
        return cls(digits[-9:], date_of_birth, date_of_expiry)

    @classmethod
    def from_mrz(cls, text: str | Sequence[str]) -> MRZKey:
        """Build the key from a whole TD1, TD2 or TD3 MRZ (ICAO 9303-5/-6/-4 layouts).

        Check digits are verified (an OCR error would only yield a wrong key later).
        A TD1/TD2 document number longer than 9 characters (check-digit position
        ``<``, the rest in the optional data, 9303-5 §4.2.4 note j) is supported.

        Args:
            text: the MRZ as one string (lines separated by newlines) or a sequence of lines.

        Raises:
            ParseError: unknown layout or a wrong check digit.
        """
        raw = text.splitlines() if isinstance(text, str) else [str(line) for line in text]
        lines = [ln.strip().replace(" ", "") for ln in raw if ln.strip()]
        shape = (len(lines), {len(ln) for ln in lines})
        if shape == (3, {30}):
            top, bottom = lines[0], lines[1]
            number, number_cd, extra = top[5:14], top[14], top[15:30]
            dob, dob_cd, doe, doe_cd = bottom[0:6], bottom[6], bottom[8:14], bottom[14]
        elif shape[0] == 2 and shape[1] in ({36}, {44}):
            bottom = lines[1]
            number, number_cd = bottom[0:9], bottom[9]
            extra = bottom[28:35] if len(bottom) == 36 else ""
            dob, dob_cd, doe, doe_cd = bottom[13:19], bottom[19], bottom[21:27], bottom[27]
        else:
            raise ParseError("not a TD1 (3x30), TD2 (2x36) or TD3 (2x44) MRZ", path="MRZ")
        if number_cd == "<" and extra:
            tail = extra.split("<", 1)[0]
            if len(tail) < 2:
                raise ParseError("extended document number missing", path="MRZ > document number")
            number, number_cd = number.rstrip("<") + tail[:-1], tail[-1]
        for name, value, cd in (("document number", number, number_cd),
                                ("date of birth", dob, dob_cd), ("date of expiry", doe, doe_cd)):
            if check_digit(value) != cd:
                raise ParseError("check digit mismatch", path=f"MRZ > {name}")
        return cls(number, dob, doe)


@dataclass(frozen=True, repr=False)
class CANKey:
    """The Card Access Number (printed on the card; CCCD: last 6 digits of the ID number).

    Raises:
        ParseError: when the CAN is not a string of digits.
    """

    can: str
    kind: Literal["CAN"] = field(default="CAN", init=False)
    password_ref: int = field(default=2, init=False)

    def __post_init__(self) -> None:
        if not (self.can and self.can.isdigit() and self.can.isascii()):
            raise ParseError("CAN must be decimal digits", path="CANKey > can")

    def __repr__(self) -> str:
        return "CANKey(<redacted>)"

    def pace_password(self) -> bytes:
        """f(π) = the CAN as ISO 8859-1 bytes (9303-11 §4.4.3.1)."""
        return self.can.encode("latin-1")
