"""Soft validation of the Vietnamese 12-digit personal identification number (số định danh cá nhân).

Structure (Decree 137/2015/ND-CP, Circular 07/2016/TT-BCA as amended by 59/2021/TT-BCA): digits 1-3 the
province of birth registration (or the country code for citizens born abroad), digit 4 sex and century
(0/1 = male/female born 1900-1999, 2/3 = 2000-2099, 4/5 = 2100-2199, 6/7 = 2200-2299, 8/9 = 2300-2399),
digits 5-6 the last two digits of the birth year, digits 7-12 a random number. The province codes of the 63
provinces stay valid after the 1 July 2025 merger into 34 provinces; :data:`MERGED_2025` notes where each
went. Validation returns findings and never raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["MERGED_2025", "PROVINCE_CODES", "IDNumberCheck", "validate_id_number"]

PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip
"""Province code -> province name (the 63 provinces, codes 001..096)."""

MERGED_2025: dict[str, str] = {
    "002": "Tuyên Quang", "015": "Lào Cai", "006": "Thái Nguyên", "026": "Phú Thọ", "017": "Phú Thọ",
    "024": "Bắc Ninh", "034": "Hưng Yên", "030": "Hải Phòng", "035": "Ninh Bình", "036": "Ninh Bình",
    "044": "Quảng Trị", "049": "Đà Nẵng", "062": "Quảng Ngãi", "052": "Gia Lai", "058": "Khánh Hòa",
    "067": "Lâm Đồng", "060": "Lâm Đồng", "054": "Đắk Lắk", "074": "Hồ Chí Minh", "077": "Hồ Chí Minh",
    "070": "Đồng Nai", "080": "Tây Ninh", "094": "Cần Thơ", "093": "Cần Thơ", "083": "Vĩnh Long",
    "084": "Vĩnh Long", "082": "Đồng Tháp", "095": "Cà Mau", "091": "An Giang", "046": "Huế",
}  # fmt: skip
"""Codes whose province was merged (or renamed) on 1 July 2025 -> the province it is now part of."""


@dataclass(frozen=True)
class IDNumberCheck:
    """Result of :func:`validate_id_number`.

    Attributes:
        id_number: the input.
        province_code, province: digits 1-3 and their province (``None`` when unknown or malformed).
        sex: ``"M"`` / ``"F"`` from digit 4, ``None`` when malformed.
        birth_year: from digits 4-6, ``None`` when malformed.
        findings: human-readable problems; empty when everything is consistent.
    """

    id_number: str
    province_code: str | None
    province: str | None
    sex: str | None
    birth_year: int | None
    findings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


def _sex_of(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip().casefold()
    if v in {"m", "male", "nam"}:
        return "M"
    if v in {"f", "female", "nữ", "nu"}:
        return "F"
    return None


def validate_id_number(
    id_number: str,
    *,
    date_of_birth: date | None = None,
    sex: str | None = None,
    document_number: str | None = None,
) -> IDNumberCheck:
    """Check a 12-digit personal ID softly, cross-checking what other files say.

    Args:
        id_number: the 12-digit number (DG13 field 1 or the TD1 optional data).
        date_of_birth: from DG13 or DG1, to compare with digits 4-6.
        sex: ``"M"``/``"F"``/``"Nam"``/``"Nữ"``, to compare with digit 4.
        document_number: the MRZ document number, which on the CCCD is the last 9 digits of the ID.
    """
    if len(id_number) != 12 or not id_number.isdigit():
        return IDNumberCheck(id_number, None, None, None, None, ("not 12 digits",))
    findings: list[str] = []
    code = id_number[:3]
    province = PROVINCE_CODES.get(code)
    if province is None:
        findings.append(f"unknown province code {code}")
    digit = int(id_number[3])
    id_sex = "F" if digit % 2 else "M"
    year = 1900 + (digit // 2) * 100 + int(id_number[4:6])
    if date_of_birth is not None and date_of_birth.year != year:
        findings.append(f"birth year {date_of_birth.year} but the ID encodes {year}")
    other_sex = _sex_of(sex)
    if other_sex is not None and other_sex != id_sex:
        findings.append(f"sex {other_sex} but the ID encodes {id_sex}")
    if document_number is not None and document_number != id_number[3:]:
        findings.append("MRZ document number is not the last 9 digits of the ID")
    return IDNumberCheck(id_number, code, province, id_sex, year, tuple(findings))
