"""DG3 (19794-4), DG7, DG11, DG12, DG15 (ICAO 9303-10 §4.7.3/7/11/12/15): round trips and specimens."""

from __future__ import annotations

import struct

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from chipid.errors import ParseError
from chipid.lds.cbeff import BDB_PLAIN, BiometricInfo, encode_biometric_group
from chipid.lds.dg3 import parse_dg3
from chipid.lds.dg7 import encode_dg7, parse_dg7
from chipid.lds.dg11 import DG11, encode_dg11, parse_dg11
from chipid.lds.dg12 import DG12, encode_dg12, parse_dg12
from chipid.lds.dg15 import encode_dg15, parse_dg15
from tests.lds._samples import BSI, read


def _finger_record(images: list[bytes]) -> bytes:
    """ISO/IEC 19794-4:2005 §8.2/§8.3 record with WSQ-flagged images."""
    body = b"".join(
        struct.pack(">IBBBBBHHB", 14 + len(i), 2 + n, 1, 1, 80, 0, 400, 500, 0) + i for n, i in enumerate(images)
    )
    header = struct.pack(">4s4s6sHHBBHHHHBBH", b"FIR\x00", b"010\x00", (32 + len(body)).to_bytes(6, "big"),
                         0, 31, len(images), 1, 197, 197, 197, 197, 8, 2, 0)  # fmt: skip
    return header + body


def test_dg3_finger_records() -> None:
    record = _finger_record([b"\xff\xa0wsq-1", b"\xff\xa0wsq-22"])
    data = encode_biometric_group(0x63, [BiometricInfo({0x81: b"\x08"}, BDB_PLAIN, record)])
    dg3 = parse_dg3(data)
    assert [f.position for f in dg3.fingers] == [2, 3]
    assert dg3.fingers[1].image == b"\xff\xa0wsq-22" and dg3.fingers[0].image_format == "wsq"
    assert (dg3.fingers[0].width, dg3.fingers[0].height, dg3.fingers[0].compression) == (400, 500, 2)
    bad = encode_biometric_group(0x63, [BiometricInfo({}, BDB_PLAIN, record[:-3])])
    with pytest.raises(ParseError) as info:
        parse_dg3(bad)
    assert info.value.path.startswith("DG3 > 7F61 > 7F60[0] > 5F2E")


def test_dg7_round_trip() -> None:
    dg7 = parse_dg7(encode_dg7([b"\xff\xd8\xffsig"]))
    assert dg7.images == (b"\xff\xd8\xffsig",) and dg7.formats == ("jpeg",)
    with pytest.raises(ParseError):
        parse_dg7(bytes.fromhex("6703020102"))


def test_dg11_dg12_round_trip() -> None:
    dg11 = DG11(
        full_name="NGUYEN<<VAN<THU", other_names=("NGUYEN<<THU",), full_date_of_birth="19900101",
        place_of_birth="Hà Nội", telephone="+84 24", proof_of_citizenship=b"\xff\xd8\xff",
    )  # fmt: skip
    data = encode_dg11(dg11)
    assert parse_dg11(data) == dg11
    assert encode_dg11(parse_dg11(data)) == data
    dg12 = DG12(
        issuing_authority="Cục Cảnh sát QLHC về TTXH", date_of_issue="20210601", other_persons=("A", "B"),
        image_front=b"\x00\x01", personalization_time=b"20210601120000",
    )  # fmt: skip
    data = encode_dg12(dg12)
    assert parse_dg12(data) == dg12 and encode_dg12(parse_dg12(data)) == data


@pytest.mark.parametrize("bad", [b"", b"\x6b\x00", bytes.fromhex("6b035f0e00"), bytes.fromhex("6b075c025f0e5f0e01ff")])
def test_bad_dg11(bad: bytes) -> None:
    with pytest.raises(ParseError):
        parse_dg11(bad)


def test_bsi_dg15_rsa_1024_negative_modulus() -> None:
    data = read(BSI / "DG15_not_in_SOD.bin")
    dg15 = parse_dg15(data)
    assert dg15.algorithm == "rsa" and dg15.key_size == 1024
    key = dg15.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.public_numbers().e == 65537
    assert encode_dg15(dg15.public_key_der) == data


def test_dg15_ec_round_trip() -> None:
    key = ec.generate_private_key(ec.BrainpoolP256R1()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    dg15 = parse_dg15(encode_dg15(der))
    assert dg15.algorithm == "ec" and dg15.key_size == 256 and dg15.public_key() == key


@pytest.mark.parametrize("bad", [b"", b"\x6f\x00", b"\x6f\x02\x30\x00", b"\x6f\x03\x02\x01\x01"])
def test_bad_dg15(bad: bytes) -> None:
    with pytest.raises(ParseError):
        parse_dg15(bad)
