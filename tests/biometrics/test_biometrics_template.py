"""ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 minutiae records: parse, write, reject."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.biometrics.template import (
    ExtendedDataBlock,
    FingerView,
    Minutia,
    MinutiaType,
    TemplateFormat,
    detect_format,
    encode_template,
    parse_template,
)
from chipid.errors import DataQuirkWarning, ParseError, UnsupportedError
from tests.biometrics._samples import fvc_bytes, minutia, record


def test_template_parses_real_fvc_record() -> None:
    """ISO/IEC 19794-2:2005 record format: 24-byte header, one view, 6-byte minutiae, empty extended data."""
    data = fvc_bytes("DB1_B", 101, 1)
    rec = parse_template(data)
    assert rec.format is TemplateFormat.ISO_19794_2_2005
    assert (rec.width, rec.height, rec.x_resolution, rec.y_resolution) == (300, 400, 197, 197)
    view = rec.views[0]
    assert len(view.minutiae) == 25 and view.extended == ()
    first = view.minutiae[0]
    # bytes 80 a5 00 30 6b 00: bifurcation at (165, 48), angle 0x6b units of 360/256 degrees
    assert first == Minutia(MinutiaType.BIFURCATION, 165, 48, 0x6B * 360 / 256, 0)
    assert encode_template(rec) == data


def test_template_all_fvc_records_round_trip() -> None:
    for db in ("DB1_B", "DB2_B", "DB3_B", "DB4_B"):
        for finger in (101, 110):
            data = fvc_bytes(db, finger, 8)
            assert encode_template(parse_template(data)) == data


def test_template_ansi_round_trip_and_angle_units() -> None:
    """ANSI INCITS 378-2004 record format: 26-byte header with CBEFF product id; angles in 2-degree units."""
    rec = record(
        [minutia(10, 20, 90.0), minutia(300, 40, 358.0, MinutiaType.BIFURCATION)],
        TemplateFormat.ANSI_378_2004,
    )
    data = encode_template(rec)
    assert detect_format(data) is TemplateFormat.ANSI_378_2004
    assert int.from_bytes(data[8:10], "big") == len(data)
    assert data[26 + 4 + 4] == 45  # first minutia angle byte: 90 degrees / 2
    back = parse_template(data)
    assert back == rec
    iso = parse_template(encode_template(rec, TemplateFormat.ISO_19794_2_2005))
    assert iso.format is TemplateFormat.ISO_19794_2_2005
    assert [m.angle for m in iso.views[0].minutiae] == [90.0, 358.59375]  # nearest 360/256 unit


def test_template_extended_data_kept_raw() -> None:
    view = FingerView(
        1, 0, 0, 60, (minutia(1, 2, 0.0),), (ExtendedDataBlock(1, b"\x01\x02\x03"), ExtendedDataBlock(2, b""))
    )
    rec = record([]).__class__(TemplateFormat.ISO_19794_2_2005, 300, 400, 197, 197, (view,))
    assert parse_template(encode_template(rec)) == rec


def test_template_version_quirk_warns() -> None:
    data = bytearray(fvc_bytes("DB2_B", 101, 1))
    data[4:8] = b"020\x00"
    with pytest.warns(DataQuirkWarning, match="020"):
        rec = parse_template(bytes(data))
    assert len(rec.views[0].minutiae) == 55


def test_template_clean_record_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parse_template(fvc_bytes("DB3_B", 105, 2))


def test_template_ansi_angles_in_iso_units_warn() -> None:
    data = bytearray(encode_template(record([minutia(5, 5, 10.0)], TemplateFormat.ANSI_378_2004)))
    data[26 + 4 + 4] = 200
    with pytest.warns(DataQuirkWarning, match="above 179"):
        rec = parse_template(bytes(data))
    assert rec.views[0].minutiae[0].angle == 200 * 360 / 256


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: b"FMX\x00" + d[4:], "FMR > magic"),
        (lambda d: d[:4] + b" 21\x00" + d[8:], "FMR > version"),
        (lambda d: d[:-1], "FMR"),  # length field disagrees
        (lambda d: d + b"\x00", "FMR"),
        (lambda d: d[:10] + (len(d) - 6).to_bytes(2, "big") + d[12:-6], "FMR > view[0] > minutia[24]"),
        (lambda d: d[:22] + b"\x00" + d[23:], "FMR > number of views"),
        (lambda d: d[:24] + b"", "FMR"),
        (lambda d: d[:28] + b"\xc0" + d[29:], "FMR > view[0] > minutia[0] > type"),
        (lambda d: d[:-2] + b"\x00\x05", "FMR > view[0] > extended data"),
    ],
)
def test_template_rejects_broken_records(mutate, path: str) -> None:
    data = fvc_bytes("DB1_B", 101, 1)
    with pytest.raises(ParseError) as info:
        parse_template(mutate(data))
    assert info.value.path == path


def test_template_rejects_short_and_2011() -> None:
    with pytest.raises(ParseError):
        parse_template(b"FMR\x00 20\x00")
    with pytest.raises(UnsupportedError):
        parse_template(b"FMR\x00030\x00" + bytes(30))


def test_template_encode_refuses_too_many_minutiae() -> None:
    rec = record([minutia(i % 300, i % 400, 0.0) for i in range(256)])
    with pytest.raises(ValueError, match="255"):
        encode_template(rec)


def test_template_detects_long_forms() -> None:
    assert detect_format(b"FMR\x00 20\x00\x00\x01\x00\x10" + bytes(20)) is TemplateFormat.ISO_19794_2_2005
    assert detect_format(b"FMR\x00 20\x00\x00\x00\x00\x01\x00\x10" + bytes(20)) is TemplateFormat.ANSI_378_2004


_minutiae = st.lists(
    st.builds(
        Minutia,
        st.sampled_from(list(MinutiaType)),
        st.integers(0, 0x3FFF),
        st.integers(0, 0x3FFF),
        st.integers(0, 179).map(lambda u: u * 2.0),
        st.integers(0, 100),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(_minutiae, st.sampled_from(list(TemplateFormat)))
def test_template_round_trip_property(minutiae: list[Minutia], fmt: TemplateFormat) -> None:
    if fmt is TemplateFormat.ISO_19794_2_2005:  # only 360/256-degree steps survive an ISO round trip
        minutiae = [
            dataclasses.replace(m, angle=math.floor(m.angle * 256 / 360 + 0.5) % 256 * 360 / 256) for m in minutiae
        ]
    rec = record(minutiae, fmt)
    assert parse_template(encode_template(rec)) == rec


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=120), st.integers(0, 200))
@pytest.mark.filterwarnings("ignore::chipid.errors.DataQuirkWarning")
def test_template_garbage_only_raises_parse_errors(tail: bytes, cut: int) -> None:
    base = fvc_bytes("DB4_B", 106, 1)
    for data in (tail, base[:cut] + tail, b"FMR\x00 20\x00" + tail):
        with contextlib.suppress(ParseError, UnsupportedError):
            parse_template(data)


def test_template_ansi_long_length_form_round_trip() -> None:
    """ANSI INCITS 378-2004: a record over 65,535 bytes writes length 0x0000 then a 4-byte length."""
    view = FingerView(2, 0, 0, 80, tuple(minutia(i, 2 * i, float(2 * (i % 180))) for i in range(255)))
    rec = record([]).__class__(TemplateFormat.ANSI_378_2004, 500, 500, 197, 197, (view,) * 50)
    data = encode_template(rec)
    assert len(data) > 0xFFFF and data[8:10] == b"\x00\x00"
    assert int.from_bytes(data[10:14], "big") == len(data)
    assert detect_format(data) is TemplateFormat.ANSI_378_2004
    assert parse_template(data) == rec
    iso = encode_template(rec, TemplateFormat.ISO_19794_2_2005)
    assert detect_format(iso) is TemplateFormat.ISO_19794_2_2005
    assert len(parse_template(iso).views) == 50
