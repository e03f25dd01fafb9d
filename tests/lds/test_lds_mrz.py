"""MRZ parsing, check digits and building (ICAO 9303-3 §4.9, 9303-4/-5/-6 §4.2.2), DG1 and EF.COM."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.errors import ParseError
from chipid.lds.com import COM, encode_com, parse_com
from chipid.lds.dg1 import encode_dg1, parse_dg1
from chipid.lds.mrz import MRZ, build_mrz, check_digit, mrz_date
from tests.lds._samples import BSI, cccd_vector, read


def test_check_digit_9303_3_example() -> None:
    """ICAO 9303-3 §4.9 worked example: '520727' -> 3; ICAO 9303-5 TD1 specimen long number -> 9."""
    assert check_digit("520727") == "3"
    assert check_digit("D23145890734") == "9"
    assert check_digit("L898902C3") == "6"


def test_bsi_dg1_td3() -> None:
    data = read(BSI / "DG1.bin")
    mrz = parse_dg1(data)
    assert mrz.document_type == "TD3"
    assert (mrz.primary_identifier, mrz.secondary_identifier) == ("MUSTERMANN", "ERIKA")
    assert mrz.document_code == "P" and mrz.issuing_state == "D" and mrz.nationality == "D"
    assert mrz.document_number == "C11T002JM"
    assert (mrz.date_of_birth, mrz.sex, mrz.date_of_expiry) == ("960812", "F", "131031")
    assert mrz.valid and set(mrz.checks) == {
        "document_number",
        "date_of_birth",
        "date_of_expiry",
        "optional_data",
        "composite",
    }
    assert encode_dg1(mrz) == data


def test_cccd_td1() -> None:
    vec = cccd_vector()
    mrz = MRZ.parse("\n".join(vec["mrz_td1"]))
    assert mrz.document_type == "TD1" and mrz.valid
    assert mrz.cccd_id_number == vec["id_number"] and mrz.cccd_id_check is True
    assert mrz.document_number == vec["id_number"][3:]
    assert mrz.mrz_information == vec["bac_mrz_information"]
    assert (mrz.primary_identifier, mrz.secondary_identifier) == ("NGUYEN", "VAN THU")
    again = build_mrz(
        document_type="TD1", document_code="ID", issuing_state="VNM", document_number="090000001",
        date_of_birth="900101", sex="M", date_of_expiry="300101", nationality="VNM",
        primary_identifier="NGUYEN", secondary_identifier="VAN THU", optional_data1="001090000001<<9",
    )  # fmt: skip
    assert again == mrz
    assert parse_dg1(encode_dg1(mrz)) == mrz


def test_td1_long_document_number() -> None:
    """ICAO 9303-5 §4.2.2 note j: number D23145890734, check digit 9 in the optional data."""
    mrz = build_mrz(
        document_type="TD1", document_code="I", issuing_state="UTO", document_number="D23145890734",
        date_of_birth="740812", sex="F", date_of_expiry="120415", nationality="UTO",
        primary_identifier="ERIKSSON", secondary_identifier="ANNA MARIA",
    )  # fmt: skip
    assert mrz.lines[0] == "I<UTOD23145890<7349<<<<<<<<<<<"
    assert mrz.document_number == "D23145890734" and mrz.valid


def test_td2_and_bad_digits_reported_not_raised() -> None:
    td2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<" + "D231458907UTO7408122F1204159<<<<<<<6"
    mrz = MRZ.parse(td2)
    assert mrz.document_type == "TD2" and mrz.valid
    broken = MRZ.parse(td2[:45] + "8" + td2[46:])  # damage the document number check digit
    assert broken.checks["document_number"] is False and not broken.valid


@pytest.mark.parametrize("bad", ["", "P<D" * 10, "p" * 88, "é" * 90])
def test_bad_mrz_raises_parse_error(bad: str) -> None:
    with pytest.raises(ParseError):
        MRZ.parse(bad)


def test_mrz_date_pivot() -> None:
    assert mrz_date("960812", pivot_year=2026) == date(1996, 8, 12)
    assert mrz_date("300101", pivot_year=2050) == date(2030, 1, 1)
    assert mrz_date("991399", pivot_year=2026) is None


@settings(max_examples=60, deadline=None)
@given(
    number=st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=1, max_size=9),
    name=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12),
    kind=st.sampled_from(["TD1", "TD3"]),
)
def test_build_parse_round_trip(number: str, name: str, kind: str) -> None:
    mrz = build_mrz(
        document_type=kind, document_code="P", issuing_state="UTO", document_number=number,
        date_of_birth="740812", sex="F", date_of_expiry="120415", nationality="UTO",
        primary_identifier=name, secondary_identifier="ANNA",
    )  # fmt: skip
    assert mrz.valid and mrz.document_number == number and mrz.primary_identifier == name
    assert MRZ.parse(mrz.to_string()) == mrz


def test_bsi_ef_com() -> None:
    data = read(BSI / "EF_COM.bin")
    com = parse_com(data)
    assert com.lds_version_text == "1.7" and com.unicode_version == "040000"
    assert com.data_groups == (1, 2, 3, 14)
    assert encode_com(com) == data
    cccd = COM("0107", "040000", (0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F))
    assert parse_com(encode_com(cccd)).data_groups == (1, 2, 3, 13, 14, 15)


@pytest.mark.parametrize("bad", [b"", b"\x60\x00", b"\x61\x00", bytes.fromhex("60065f0102303c5c00")])
def test_bad_com(bad: bytes) -> None:
    with pytest.raises(ParseError):
        parse_com(bad)
