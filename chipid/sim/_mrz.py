"""MRZ arithmetic the chip and the issuer need: check digits and the BAC key seed input.

ICAO 9303-3 §4.9 (check digits: weights 7-3-1, '<' = 0, A-Z = 10..35) and 9303-11 §9.7.2
(MRZ_information = document number, date of birth, date of expiry, each with its check digit).
"""

from __future__ import annotations

__all__ = ["check_digit", "mrz_information"]


def _value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if char == "<":
        return 0
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise ValueError(f"character {char!r} is not allowed in an MRZ")


def check_digit(field: str) -> str:
    """The ICAO 9303-3 check digit of ``field`` as one character."""
    weights = (7, 3, 1)
    return str(sum(_value(c) * weights[i % 3] for i, c in enumerate(field)) % 10)


def mrz_information(document_number: str, date_of_birth: str, date_of_expiry: str) -> str:
    """MRZ_information of 9303-11 §9.7.2 (the document number padded to 9 with '<')."""
    number = document_number.ljust(9, "<")
    return (
        number
        + check_digit(number)
        + date_of_birth
        + check_digit(date_of_birth)
        + date_of_expiry
        + check_digit(date_of_expiry)
    )
