"""Command/response APDU encoding: ISO/IEC 7816-4 §5.1 cases 1-4, short and extended."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.errors import (
    ParseError,
    SecurityStatusNotSatisfiedError,
    StatusWordError,
    WrongLengthError,
    WrongPasswordError,
)
from chipid.iso7816.apdu import CommandAPDU, ResponseAPDU

H = bytes.fromhex

CASES = [
    # (apdu, short encoding, extended encoding)
    (CommandAPDU(0x00, 0xA4, 0x00, 0x0C), "00A4000C", "00A4000C"),
    (CommandAPDU(0x00, 0x84, 0x00, 0x00, ne=8), "0084000008", "0084000000 0008"),
    (CommandAPDU(0x00, 0xB0, 0x00, 0x00, ne=256), "00B0000000", "00B0000000 0100"),
    (CommandAPDU(0x00, 0xA4, 0x02, 0x0C, H("011E")), "00A4020C02011E", "00A4020C000002011E"),
    (CommandAPDU(0x00, 0x88, 0x00, 0x00, H("0102"), ne=256), "00880000020102 00", "0088000000000201020100"),
]


@pytest.mark.parametrize(("apdu", "short", "ext"), CASES)
def test_four_cases(apdu: CommandAPDU, short: str, ext: str) -> None:
    """ISO/IEC 7816-4 §5.1 table 1: one example per case, short and extended."""
    assert apdu.to_bytes() == H(short.replace(" ", ""))
    assert apdu.to_bytes(extended=True) == H(ext.replace(" ", ""))
    assert CommandAPDU.from_bytes(H(short.replace(" ", ""))) == apdu
    assert CommandAPDU.from_bytes(H(ext.replace(" ", ""))) == apdu


def test_extended_when_needed() -> None:
    assert CommandAPDU(0, 0xB0, 0, 0, ne=65536).to_bytes() == H("00B00000000000")
    assert CommandAPDU(0, 0xB0, 0, 0, ne=257).to_bytes() == H("00B00000000101")
    big = CommandAPDU(0, 0xD6, 0, 0, bytes(256), ne=65536)
    raw = big.to_bytes()
    assert raw[4:7] == H("000100") and raw[-2:] == H("0000")
    assert CommandAPDU.from_bytes(raw) == big
    with pytest.raises(ParseError):
        big.to_bytes(extended=False)


@settings(max_examples=120, deadline=None)
@given(
    header=st.tuples(*[st.integers(0, 255)] * 4),
    data=st.one_of(st.binary(max_size=300), st.integers(65000, 65535).map(bytes)),
    ne=st.one_of(st.none(), st.integers(1, 65536)),
    force=st.sampled_from([None, True]),
)
def test_roundtrip(header: tuple[int, int, int, int], data: bytes, ne: int | None, force: bool | None) -> None:
    apdu = CommandAPDU(*header, data=data, ne=ne)
    assert CommandAPDU.from_bytes(apdu.to_bytes(force)) == apdu


@pytest.mark.parametrize(
    "raw",
    ["", "00", "00A400", "00A4020C03011E", "00A4020C0000", "00A4020C000003011E", "00A4020C0000020102030405"],
)
def test_malformed_commands(raw: str) -> None:
    with pytest.raises(ParseError):
        CommandAPDU.from_bytes(H(raw))


@pytest.mark.parametrize("kwargs", [{"cla": 256}, {"ins": -1}, {"ne": 0}, {"ne": 65537}, {"data": bytes(65536)}])
def test_invalid_fields(kwargs: dict[str, object]) -> None:
    fields: dict[str, object] = {"cla": 0, "ins": 0xB0, "p1": 0, "p2": 0}
    fields.update(kwargs)
    with pytest.raises(ParseError):
        CommandAPDU(**fields)  # type: ignore[arg-type]


def test_response_basics() -> None:
    r = ResponseAPDU.from_bytes(H("60145F019000"))
    assert r.data == H("60145F01") and r.sw == 0x9000 and r.sw1 == 0x90 and r.sw2 == 0
    assert r.ok and r.check() is r
    assert r.to_bytes() == H("60145F019000")
    assert "9000" in repr(r)
    with pytest.raises(ParseError):
        ResponseAPDU.from_bytes(b"\x90")
    with pytest.raises(ParseError):
        ResponseAPDU(b"", 0x10000)


@pytest.mark.parametrize("sw", [0x9000, 0x6110, 0x6282, 0x6283, 0x6381])
def test_response_ok_and_warnings(sw: int) -> None:
    r = ResponseAPDU(b"", sw)
    assert r.ok
    r.check(0xB0)


@pytest.mark.parametrize(
    ("sw", "cls"),
    [
        (0x6300, WrongPasswordError),
        (0x63C2, WrongPasswordError),
        (0x6982, SecurityStatusNotSatisfiedError),
        (0x6C10, WrongLengthError),
        (0x6F00, StatusWordError),
    ],
)
def test_response_check_raises_typed(sw: int, cls: type[StatusWordError]) -> None:
    r = ResponseAPDU(b"", sw)
    assert not r.ok
    with pytest.raises(cls) as info:
        r.check(0x82)
    assert info.value.sw == sw and info.value.ins == 0x82
    assert type(info.value) is cls


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=40))
def test_from_bytes_never_crashes(raw: bytes) -> None:
    with contextlib.suppress(ParseError):
        CommandAPDU.from_bytes(raw)
