"""Data groups as other issuers write them (issue 11 point 9), with vectors built from the specifications.

ICAO 9303-10 §4.7.11 / §4.7.12 (DG11 / DG12: tag list 5C, elements, the A0 group of repeated elements),
ISO/IEC 39794-5 (FaceImageDataBlock), 9303-10 §4.7.13 (DG13 is issuer-defined), ICAO 9303-11 §9.2.1 (PACEInfo
version 2). An element chipid cannot decode is reported as such, with its raw bytes, never as a wrong value.
"""

from __future__ import annotations

import json

import pytest
from asn1crypto import core

from chipid.access.select import choose_pace_info
from chipid.document import Document
from chipid.errors import ParseError
from chipid.iso7816.tlv import encode_tlv
from chipid.lds.cbeff import BDB_CONSTRUCTED, BiometricInfo, encode_biometric_group
from chipid.lds.dg1 import encode_dg1
from chipid.lds.dg2 import parse_dg2
from chipid.lds.dg11 import DG11, encode_dg11, parse_dg11
from chipid.lds.dg12 import encode_dg12, parse_dg12
from chipid.lds.dg13_vn import DG13VN, NOT_CCCD_LAYOUT, encode_dg13, parse_dg13
from chipid.lds.face import FaceImage
from chipid.lds.face39794 import encode_face_39794
from chipid.lds.mrz import build_mrz
from chipid.lds.oids import ID_PACE
from chipid.lds.security_infos import PACEInfo, SecurityInfos, encode_security_infos, parse_security_infos
from tests.schemas import validate

H = bytes.fromhex
T = encode_tlv


def _tag_list(*tags: int) -> bytes:
    return T(0x5C, b"".join(t.to_bytes(2 if t > 0xFF else 1, "big") for t in tags))


# ------------------------------------------------------------------ DG11 / DG12
def test_dg11_other_names_without_the_a0_wrapper() -> None:
    """9303-10 §4.7.11 puts repeated 5F0F inside A0 { 02 count, 5F0F... }; some issuers write them bare."""
    bare = T(0x6B, _tag_list(0x5F0E, 0x5F0F) + T(0x5F0E, b"SMITH<<JOHN") + T(0x5F0F, b"SMITH<<J") + T(0x5F0F, b"JS"))
    assert parse_dg11(bare).other_names == ("SMITH<<J", "JS")
    wrapped = encode_dg11(DG11(full_name="SMITH<<JOHN", other_names=("SMITH<<J", "JS")))
    assert parse_dg11(wrapped).other_names == ("SMITH<<J", "JS")


def test_dg12_other_persons_without_the_a0_wrapper() -> None:
    bare = T(0x6C, _tag_list(0x5F1A) + T(0x5F1A, b"DOE<<JANE"))
    assert parse_dg12(bare).other_persons == ("DOE<<JANE",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (H("19690806"), "19690806"),  # 4 bytes of packed BCD
        (b"19690806", "19690806"),  # 8 ASCII digits (9303-10 table)
        (H("20000229"), "20000229"),
        (b"1969", "1969"),  # printable text that is not a full date: shown as written
    ],
)
def test_dg11_full_date_of_birth_text_or_bcd(value: bytes, expected: str) -> None:
    dg11 = parse_dg11(T(0x6B, _tag_list(0x5F2B) + T(0x5F2B, value)))
    assert dg11.full_date_of_birth == expected and not dg11.undecoded


def test_dg12_date_of_issue_bcd() -> None:
    dg12 = parse_dg12(T(0x6C, _tag_list(0x5F19, 0x5F26) + T(0x5F19, b"BUNDESDRUCKEREI") + T(0x5F26, H("20210601"))))
    assert dg12.date_of_issue == "20210601" and dg12.issuing_authority == "BUNDESDRUCKEREI"


@pytest.mark.parametrize("value", [H("19691306"), H("FFFFFFFF"), H("196908"), H("0A0B0C"), H("C3")])
def test_undecodable_date_is_reported_raw_not_as_garbage(value: bytes) -> None:
    """Invalid BCD (month 13, hex nibbles), control characters, broken UTF-8: None plus the raw bytes."""
    dg11 = parse_dg11(T(0x6B, _tag_list(0x5F0E, 0x5F2B) + T(0x5F0E, b"SMITH<<JOHN") + T(0x5F2B, value)))
    assert dg11.full_date_of_birth is None
    assert dg11.undecoded == {"5F2B": value}
    assert dg11.full_name == "SMITH<<JOHN"  # the rest of the data group is unaffected
    assert encode_dg11(dg11) == T(0x6B, _tag_list(0x5F0E, 0x5F2B) + T(0x5F0E, b"SMITH<<JOHN") + T(0x5F2B, value))


def test_undecodable_text_elements_in_dg12_and_other_names() -> None:
    raw = T(0x6C, _tag_list(0x5F19, 0x5F26) + T(0x5F19, H("FF00")) + T(0x5F26, H("99999999")))
    dg12 = parse_dg12(raw)
    assert dg12.issuing_authority is None and dg12.date_of_issue is None
    assert dg12.undecoded == {"5F19": H("FF00"), "5F26": H("99999999")}
    assert encode_dg12(dg12) == raw  # kept raw: written back byte for byte
    dg11 = parse_dg11(T(0x6B, _tag_list(0x5F0F) + T(0x5F0F, b"OK") + T(0x5F0F, H("C328"))))
    assert dg11.other_names == ("OK",) and dg11.undecoded == {"5F0F[1]": H("C328")}


def test_undecoded_elements_in_the_document_json() -> None:
    dg11 = T(0x6B, _tag_list(0x5F2B) + T(0x5F2B, H("FFFFFFFF")))
    dg12 = T(0x6C, _tag_list(0x5F26) + T(0x5F26, H("20210601")))
    doc = Document.from_files({"DG11": dg11, "DG12": dg12})
    payload = json.loads(doc.to_json())
    validate(payload, "document.schema.json")
    assert payload["dg11"]["full_date_of_birth"] is None and payload["dg11"]["undecoded"] == {"5F2B": "/////w=="}
    assert payload["dg12"]["date_of_issue"] == "20210601"


# ------------------------------------------------------------------ ISO/IEC 39794-5 portraits
JPEG = H("FFD8FFE000104A46494600010100000100010000FFD9")


def _dg2(bdb: bytes) -> bytes:
    header = {0x80: b"\x01\x01", 0x81: b"\x02", 0x87: b"\x01\x01", 0x88: b"\x00\x08"}
    return encode_biometric_group(0x75, [BiometricInfo(header, BDB_CONSTRUCTED, bdb)])


@pytest.mark.parametrize("wrapping", ["65", "A1", "A1 wrapping 65"])
def test_39794_face_image_data_block_wrappings(wrapping: str) -> None:
    """The FaceImageDataBlock as [APPLICATION 5] (65), as context A1, and as A1 { 65 {...} } (ICAO's samples)."""
    block = encode_face_39794(FaceImage("ISO39794-5", JPEG, "jpeg", 2, 240, 320))
    assert block[0] == 0x65
    if wrapping == "A1":
        block = T(0xA1, block[2:] if block[1] < 0x80 else block[2 + (block[1] & 0x7F) :])
    elif wrapping == "A1 wrapping 65":
        block = T(0xA1, block)
    faces = parse_dg2(_dg2(block)).faces
    assert len(faces) == 1
    assert (faces[0].image, faces[0].encoding, faces[0].width, faces[0].height) == (JPEG, "ISO39794-5", 240, 320)


def test_39794_unknown_outer_block_is_a_typed_error() -> None:
    with pytest.raises(ParseError, match="65 or A1"):
        parse_dg2(_dg2(T(0xA2, T(0x65, b""))))


# ------------------------------------------------------------------ DG13 of other issuers
def _cccd_dg13(charset: str = "1.0.10646.1.0.8") -> bytes:
    return encode_dg13(DG13VN(1, charset, DG13VN.from_values({1: "001090000001", 2: "Đặng Thu Dung"}).fields))


@pytest.mark.parametrize(
    ("dg13", "why"),
    [
        (T(0x6D, b"FREE TEXT FROM ANOTHER ISSUER"), "not BER-TLV"),
        (T(0x6D, T(0x5F0E, b"MUSTERMANN") + T(0x5F2B, b"19640812")), "5F0E 5F2B"),
        (_cccd_dg13(charset="1.2.840.113549.1.9.1"), "character set 1.2.840.113549.1.9.1"),
        (T(0x6D, T(0x30, core.Integer(1).dump() + T(0x0C, b"x"))), "30"),
    ],
    ids=["non-tlv", "other-tags", "other-charset", "other-sequence"],
)
def test_foreign_dg13_is_not_the_cccd_layout(dg13: bytes, why: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_dg13(dg13)
    assert info.value.reason.startswith(NOT_CCCD_LAYOUT) and why in info.value.reason
    assert "malformed" not in info.value.reason
    doc = Document.from_files({"DG13": dg13})
    assert doc.raw["DG13"] == dg13 and doc.dg13 is None
    assert doc.errors["DG13"].reason.startswith(NOT_CCCD_LAYOUT)


def test_broken_cccd_dg13_is_malformed() -> None:
    good = _cccd_dg13()
    broken = good[:-3] + b"\x02\x01\xff"  # the last value is an INTEGER where a string must be
    with pytest.raises(ParseError) as info:
        parse_dg13(broken)
    assert not info.value.reason.startswith(NOT_CCCD_LAYOUT)


def _dg1(issuing_state: str) -> bytes:
    number = "090000001" if issuing_state == "VNM" else "T22000129"
    mrz = build_mrz(
        document_type="TD1", document_code="ID", issuing_state=issuing_state, document_number=number,
        date_of_birth="900101", sex="F", date_of_expiry="300101", nationality=issuing_state,
        primary_identifier="DANG", secondary_identifier="THU DUNG",
        optional_data1="001090000001<<2" if issuing_state == "VNM" else "",
    )  # fmt: skip
    return encode_dg1(mrz)


def test_cccd_layout_dg13_in_another_states_document_is_not_vietnamese_holder_data() -> None:
    foreign = Document.from_files({"DG1": _dg1("D"), "DG13": _cccd_dg13()})
    assert foreign.dg13 is not None  # still shown as the data group it is
    holder = foreign.holder()
    assert holder is not None and holder.source == "DG1" and holder.id_number is None
    assert foreign.id_number_check() is None
    vietnamese = Document.from_files({"DG1": _dg1("VNM"), "DG13": _cccd_dg13()})
    holder = vietnamese.holder()
    assert holder is not None and holder.source == "DG13" and holder.full_name == "Đặng Thu Dung"


# ------------------------------------------------------------------ PACEInfo version
def test_pace_info_version_1_is_kept_but_not_used() -> None:
    """ICAO 9303-11 §9.2.1: PACEInfo.version SHALL be 2."""
    oid = ID_PACE + ".2.2"  # id-PACE-ECDH-GM-AES-CBC-CMAC-128
    card_access = encode_security_infos(SecurityInfos(pace_infos=(PACEInfo(oid, 1, 13),)))
    infos = parse_security_infos(card_access, name="EF.CardAccess")
    assert infos.pace_infos == (PACEInfo(oid, 1, 13),)
    assert infos.usable_pace_infos == ()
    problem = infos.pace_infos[0].problem
    assert problem is not None and "version 1" in problem and "requires 2" in problem
    assert choose_pace_info(infos.pace_infos) is None
    v2 = PACEInfo(oid, 2, 13)
    assert v2.problem is None and choose_pace_info((PACEInfo(oid, 1, 13), v2)) == v2
