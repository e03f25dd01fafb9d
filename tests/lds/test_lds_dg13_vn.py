"""CCCD DG13 (tag 6D) and the 12-digit personal ID soft validator, on the synthetic CCCD vector."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.errors import ParseError
from chipid.lds._tlv import encode_tlv
from chipid.lds.dg13_vn import DG13VN, encode_dg13, parse_dg13, parse_vn_date
from chipid.lds.vn_id import PROVINCE_CODES, validate_id_number
from tests.lds._samples import cccd_vector


def _dg13() -> bytes:
    return bytes.fromhex(cccd_vector()["dg13_hex"])


def test_synthetic_vector_fields() -> None:
    dg13 = parse_dg13(_dg13())
    assert dg13.version == 1 and dg13.charset == "1.0.10646.1.0.8"
    assert dg13.id_number == "001090000001"
    assert dg13.full_name == "Nguyễn Văn Thử"
    assert dg13.date_of_birth == date(1990, 1, 1)
    assert dg13.sex == "Nam"
    assert dg13.text(5) == "Việt Nam" and dg13.text(6) == "Kinh" and dg13.text(7) == "Không"
    assert dg13.text(9) == "Số 1 Phố Mẫu, Phường Thử, Quận Mẫu, Hà Nội"
    assert dg13.date_of_issue == date(2021, 6, 1) and dg13.date_of_expiry == date(2030, 1, 1)
    assert dg13.parents == ("Nguyễn Văn Bố", "Trần Thị Mẹ")
    assert dg13.text(14) is None  # spouse present but empty
    assert dg13.text(15) == "012345678"
    assert dg13.unknown == ()


def test_encode_is_byte_exact() -> None:
    data = _dg13()
    assert encode_dg13(parse_dg13(data)) == data


def _dg13_with(*fields: bytes) -> bytes:
    body = bytes.fromhex("020101060628d316010008") + encode_tlv(0x31, b"".join(fields))
    return encode_tlv(0x6D, encode_tlv(0x30, body))


def test_from_values_round_trip_and_unknown_field_kept_raw() -> None:
    built = DG13VN.from_values({1: "079203000123", 2: "Lê Thị Hoa", 3: "31/12/2003", 13: ["A", "B"], 14: None})
    assert parse_dg13(encode_dg13(built)) == built
    extra = bytes.fromhex("300602012a020105")  # field 42 holding an INTEGER: kept raw, not decoded
    data = _dg13_with(bytes.fromhex("3009020101130431323334"), extra)
    parsed = parse_dg13(data)
    assert parsed.unknown[0].number == 42 and parsed.unknown[0].raw == extra
    assert encode_dg13(parsed) == data


def test_vn_dates_stay_text_when_invalid() -> None:
    assert parse_vn_date("31/02/2020") == "31/02/2020"
    assert parse_vn_date("Không thời hạn") == "Không thời hạn"
    assert parse_vn_date("1/2/2020") == date(2020, 2, 1)


def test_bad_field_value_has_path() -> None:
    with pytest.raises(ParseError) as info:
        parse_dg13(_dg13_with(bytes.fromhex("3006020109020101")))  # field 9 holding an INTEGER
    assert info.value.path == "DG13 > field 9"


@pytest.mark.parametrize("bad", [b"", b"\x6d\x00", b"\x6c\x02\x30\x00", b"\x6d\x03\x30\x01\x02"])
def test_bad_dg13(bad: bytes) -> None:
    with pytest.raises(ParseError):
        parse_dg13(bad)


def test_id_validator() -> None:
    vec = cccd_vector()
    ok = validate_id_number(vec["id_number"], date_of_birth=date(1990, 1, 1), sex="Nam", document_number="090000001")
    assert ok.ok and ok.province == "Hà Nội" and ok.sex == "M" and ok.birth_year == 1990
    assert len(PROVINCE_CODES) == 63
    bad = validate_id_number("999390000001", date_of_birth=date(1990, 1, 1), sex="Nam")
    assert len(bad.findings) == 3 and bad.birth_year == 2090 and bad.sex == "F"
    assert validate_id_number("12ab").findings == ("not 12 digits",)
    assert validate_id_number("079305000001").birth_year == 2005


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=50, deadline=None)
@given(
    values=st.dictionaries(st.integers(min_value=1, max_value=16).filter(lambda n: n != 13), _TEXT, max_size=8),
    parents=st.lists(_TEXT, max_size=3),
)
def test_from_values_property_round_trip(values: dict[int, str], parents: list[str]) -> None:
    built = DG13VN.from_values({**values, 13: parents})
    data = encode_dg13(built)
    assert parse_dg13(data) == built and encode_dg13(parse_dg13(data)) == data
