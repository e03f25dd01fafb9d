"""A synthetic Vietnamese citizen, deterministic from a seed (never a real person).

The 12-digit personal ID follows the layout described in DESIGN.md (CCCD facts): digits 1-3
the province code, digit 4 sex and century of birth (0/1 male/female born 1900-1999, 2/3 born
2000-2099), digits 5-6 the last two digits of the birth year, then 6 random digits. The card
expires on the holder's 25th, 40th or 60th birthday: the first one more than two years after issue.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from dataclasses import dataclass
from datetime import date

from chipid.lds.vn_id import PROVINCE_CODES

__all__ = ["Citizen", "ascii_fold", "make_citizen"]

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
           "Ngô", "Dương", "Lý")  # fmt: skip
_MIDDLE_M = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công")
_MIDDLE_F = ("Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Kim", "Bảo")
_GIVEN_M = ("Anh", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Quân", "Sơn",
            "Thắng", "Trí", "Tuấn", "Việt")  # fmt: skip
_GIVEN_F = ("An", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngân",
            "Phương", "Thảo", "Trang", "Yến")  # fmt: skip
_STREETS = ("Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Phan Đình Phùng")
_MARKS = ("Nốt ruồi C:2cm trên đuôi mắt trái", "Sẹo chấm C:1cm dưới cằm", "Nốt ruồi C:1cm trên mép phải")


def ascii_fold(text: str) -> str:
    """Upper-case ASCII for the MRZ: diacritics removed, Đ -> D (ICAO 9303-3 §6 transliteration)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


@dataclass(frozen=True)
class Citizen:
    """The synthetic holder of one virtual card (all text as printed on a CCCD)."""

    id_number: str
    family_name: str
    middle_name: str
    given_name: str
    sex: str  # "M" or "F"
    date_of_birth: date
    date_of_issue: date
    date_of_expiry: date
    place_of_origin: str
    place_of_residence: str
    identifying_marks: str
    father: str
    mother: str
    old_id_number: str

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.middle_name} {self.given_name}"

    @property
    def document_number(self) -> str:
        """The MRZ document number of a CCCD: the last 9 digits of the ID."""
        return self.id_number[3:]

    @property
    def can(self) -> str:
        """The card access number: the last 6 digits of the ID."""
        return self.id_number[6:]


def _rng(seed: int | str) -> random.Random:
    digest = hashlib.sha256(f"chipid-citizen|{seed}".encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February
        return born.replace(year=born.year + age, day=28)


def make_citizen(seed: int | str, *, issued_by: date = date(2023, 12, 31)) -> Citizen:
    """A deterministic synthetic citizen for ``seed``, with a card issued in 2021..``issued_by``."""
    rng = _rng(seed)
    sex = rng.choice("MF")
    born = date(rng.randint(1965, 2004), rng.randint(1, 12), rng.randint(1, 28))
    province = rng.choice(sorted(PROVINCE_CODES))
    century_digit = (0 if born.year < 2000 else 2) + (1 if sex == "F" else 0)
    id_number = f"{province}{century_digit}{born.year % 100:02d}{rng.randint(0, 999999):06d}"
    family = rng.choice(_FAMILY)
    middle = rng.choice(_MIDDLE_M if sex == "M" else _MIDDLE_F)
    given = rng.choice(_GIVEN_M if sex == "M" else _GIVEN_F)
    issued = date(rng.randint(2021, issued_by.year), rng.randint(1, 12), rng.randint(1, 28))
    issued = max(issued, _birthday(born, 14))
    # a card issued within two years of a milestone age is valid until the next one
    expiry = next(
        (_birthday(born, age) for age in (25, 40, 60) if _birthday(born, age - 2) > issued),
        _birthday(born, 60),
    )
    home = PROVINCE_CODES[province]
    origin = f"Xã {rng.choice(_GIVEN_M)}, {PROVINCE_CODES[rng.choice(sorted(PROVINCE_CODES))]}"
    residence = f"Số {rng.randint(1, 199)} {rng.choice(_STREETS)}, Phường {rng.randint(1, 15)}, {home}"
    father = f"{family} {rng.choice(_MIDDLE_M)} {rng.choice(_GIVEN_M)}"
    mother = f"{rng.choice(_FAMILY)} Thị {rng.choice(_GIVEN_F)}"
    return Citizen(
        id_number=id_number,
        family_name=family,
        middle_name=middle,
        given_name=given,
        sex=sex,
        date_of_birth=born,
        date_of_issue=issued,
        date_of_expiry=expiry,
        place_of_origin=origin,
        place_of_residence=residence,
        identifying_marks=rng.choice(_MARKS),
        father=father,
        mother=mother,
        old_id_number=f"{rng.randint(0, 999999999):09d}",
    )
