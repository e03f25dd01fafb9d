"""MRZ / CAN access keys: ICAO 9303-3 §4.9 check digits, 9303-11 §9.7.2 key seed (App. D.2)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.access.keys import AccessKey, CANKey, MRZKey
from chipid.errors import ParseError
from chipid.lds.mrz import check_digit
from tests.access.access_fakes import h
from tests.conftest import DATA, load_vector

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"


def test_appendix_d2_key_seed() -> None:
    """App. D.2: MRZ_information, SHA-1 and K_seed of L898902C<, 690806, 940623."""
    v = load_vector("bac_9303p11_appD.json")
    m = v["mrz"]
    key = MRZKey("L898902C", m["date_of_birth"], m["date_of_expiry"])
    assert key.document_number == m["document_number"]
    assert key.mrz_information == m["mrz_information"]
    assert key.pace_password() == h(v["D2_key_seed"]["sha1_mrz_information"])
    assert key.seed() == h(v["D2_key_seed"]["kseed"])
    assert key.password_ref == 1 and key.kind == "MRZ"
    assert isinstance(key, AccessKey)


def test_check_digits() -> None:
    """ICAO 9303-3 §4.9 examples (App. D and the TD3 specimen)."""
    assert check_digit("L898902C<") == "3"
    assert check_digit("690806") == "1"
    assert check_digit("940623") == "6"
    assert check_digit("520727") == "3"
    with pytest.raises(ParseError):
        check_digit("ab")


@pytest.mark.parametrize(("mrz", "number"), [(TD3, "L898902C3"), (TD1, "D23145890"), (TD2, "D23145890")])
def test_from_mrz(mrz: str, number: str) -> None:
    """TD3 (9303-4), TD1 (9303-5) and TD2 (9303-6) specimen MRZs."""
    key = MRZKey.from_mrz(mrz)
    assert key.document_number == number
    assert (key.date_of_birth, key.date_of_expiry) == ("740812", "120415")


def test_from_mrz_extended_document_number() -> None:
    """TD1, document number over 9 characters (9303-5 note j): check digit "<", rest in optional data."""
    number = "D23145890734"
    tail = number[9:] + check_digit(number)
    line1 = ("I<UTO" + number[:9] + "<" + tail).ljust(30, "<")
    mrz = line1 + "\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
    key = MRZKey.from_mrz(mrz)
    assert key.document_number == number
    assert key.mrz_information.startswith(number + check_digit(number))


@pytest.mark.parametrize("bad", [
    TD3.replace("L898902C36", "L898902C37"),  # wrong document number check digit
    TD3.replace("7408122", "7408123"),  # wrong birth date check digit
    "P<UTO\nSHORT",
    "",
])
def test_from_mrz_rejects(bad: str) -> None:
    with pytest.raises(ParseError):
        MRZKey.from_mrz(bad)


def test_for_cccd_uses_last_nine_digits() -> None:
    """CCCD: document number = last 9 digits of the 12-digit ID; CAN = last 6 digits."""
    path = DATA / "cccd" / "synthetic_cccd_vector.json"
    data = json.loads(path.read_text())
    from_mrz = MRZKey.from_mrz(data["mrz_td1"])
    key = MRZKey.for_cccd(data["id_number"], from_mrz.date_of_birth, from_mrz.date_of_expiry)
    assert key.document_number == data["id_number"][-9:]
    assert key.mrz_information == from_mrz.mrz_information == data["bac_mrz_information"]
    assert CANKey(data["can_last6"]).pace_password() == data["id_number"][-6:].encode()
    with pytest.raises(ParseError):
        MRZKey.for_cccd("12345", "990101", "390101")


def test_can_key() -> None:
    key = CANKey("123456")
    assert key.pace_password() == b"123456"
    assert key.password_ref == 2 and key.kind == "CAN"
    for bad in ("", "12a456", "١٢٣"):
        with pytest.raises(ParseError):
            CANKey(bad)


def test_repr_hides_secrets() -> None:
    key = MRZKey("L898902C", "690806", "940623")
    assert "L898902C" not in repr(key) and "690806" not in repr(key) and "940623" not in str(key)
    assert "123456" not in repr(CANKey("123456"))


@pytest.mark.parametrize(("field", "args"), [
    ("document_number", ("l8989-02", "690806", "940623")),
    ("date_of_birth", ("L898902C", "69086", "940623")),
    ("date_of_expiry", ("L898902C", "690806", "9406x3")),
])
def test_mrz_key_rejects(field: str, args: tuple[str, str, str]) -> None:
    with pytest.raises(ParseError) as info:
        MRZKey(*args)
    assert field in info.value.path


@settings(max_examples=50)
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<", min_size=1, max_size=20),
       st.integers(0, 19), st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"))
def test_check_digit_catches_single_substitution(text: str, pos: int, ch: str) -> None:
    """7-3-1 weights catch any single changed digit (digits only: values < 10 make it bijective)."""
    digits = "".join(c if c.isdigit() else "0" for c in text)
    pos %= len(digits)
    if not ch.isdigit() or digits[pos] == ch:
        return
    changed = digits[:pos] + ch + digits[pos + 1 :]
    assert check_digit(changed) != check_digit(digits)
