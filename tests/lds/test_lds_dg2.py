"""DG2 faces (ICAO 9303-10 §4.7.2): CBEFF, ISO/IEC 19794-5:2005 and 39794-5, image detection."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from chipid.errors import ParseError
from chipid.lds.dg2 import build_face, encode_dg2, parse_dg2
from chipid.lds.face import FeaturePoint
from chipid.lds.face39794 import parse_face_39794
from chipid.lds.image import detect_image_format
from tests.lds._samples import BSI, read


def _jpeg(w: int = 120, h: int = 160) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 150, 100)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_bsi_dg2_jpeg2000() -> None:
    data = read(BSI / "DG2.bin")
    dg2 = parse_dg2(data)
    (face,) = dg2.faces
    assert face.encoding == "ISO19794-5" and face.image_format == "jp2" and face.mime_type == "image/jp2"
    assert (face.declared_type, face.width, face.height, face.face_image_type) == (1, 337, 449, 1)
    assert len(face.image) == 14999
    assert dg2.templates[0].format_owner == 0x0101 and dg2.templates[0].format_type == 0x0008
    assert face.decode().size == (413, 531)  # the JP2 itself is larger than the header claims
    from chipid.lds.cbeff import encode_biometric_group

    assert encode_biometric_group(0x75, dg2.templates) == data


def test_build_encode_parse_round_trip_with_feature_points() -> None:
    face = build_face(_jpeg())
    assert (face.width, face.height, face.image_format) == (120, 160, "jpeg")
    from dataclasses import replace

    face = replace(face, feature_points=(FeaturePoint(1, 0x31, 40, 60), FeaturePoint(1, 0x32, 80, 60)))
    dg2 = parse_dg2(encode_dg2([face, face]))
    assert dg2.faces == (face, face)
    assert dg2.faces[0].feature_points[0].label == "3.1"


def test_39794_round_trip() -> None:
    face = build_face(_jpeg())
    data = encode_dg2([face], encoding="ISO39794-5")
    dg2 = parse_dg2(data)
    assert dg2.templates[0].bdb_tag == 0x7F2E
    (got,) = dg2.faces
    assert got.encoding == "ISO39794-5" and got.image == face.image
    assert (got.width, got.height, got.declared_type, got.image_format) == (120, 160, 2, "jpeg")
    # the context-tagged variant (A1 instead of 65) is accepted too
    bdb = dg2.templates[0].bdb
    assert parse_face_39794(b"\xa1" + bdb[1:])[0].image == face.image


def test_detect_formats() -> None:
    assert detect_image_format(_jpeg()) == "jpeg"
    assert detect_image_format(bytes.fromhex("ff4fff51")) == "j2k"
    assert detect_image_format(b"\x00" * 12) == "unknown"


@pytest.mark.parametrize(
    "bad",
    [b"", b"\x75\x00", bytes.fromhex("75037f6100"), bytes.fromhex("75087f610502010200a1")],
)
def test_bad_dg2(bad: bytes) -> None:
    with pytest.raises(ParseError):
        parse_dg2(bad)


def test_truncated_record_has_path() -> None:
    data = bytearray(read(BSI / "DG2.bin"))
    data[0x26:0x2A] = (0xFFFF).to_bytes(4, "big")  # facial record length
    with pytest.raises(ParseError) as info:
        parse_dg2(bytes(data))
    assert info.value.path == "DG2 > 7F61 > 7F60[0] > 5F2E"


def test_undecodable_image_is_parse_error() -> None:
    face = build_face(_jpeg())
    from dataclasses import replace

    broken = replace(face, image=face.image[:40])
    with pytest.raises(ParseError):
        broken.decode()
