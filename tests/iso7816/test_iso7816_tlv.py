"""BER-TLV (ISO/IEC 7816-4 §5.2.2, ISO/IEC 8825-1): multi-byte tags, long and indefinite lengths."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.errors import ParseError
from chipid.iso7816.tlv import (
    decode_length,
    decode_tag,
    decode_tlv,
    encode_length,
    encode_tag,
    encode_tlv,
    iter_tlv,
)

H = bytes.fromhex


def test_known_encodings() -> None:
    assert encode_tlv(0x5F1F, b"AB") == H("5F1F024142")
    assert encode_tlv(0x7F49, bytes(3)) == H("7F4903000000")
    assert encode_length(0x7F) == H("7F")
    assert encode_length(0x80) == H("8180")
    assert encode_length(0x100) == H("820100")
    assert encode_length(0x10000) == H("83010000")
    assert encode_length(0x1000000) == H("8401000000")
    assert decode_tlv(H("7F6103AABBCC0102")) == (0x7F61, H("AABBCC"), H("0102"))
    assert decode_tag(H("5F1F00"), 0) == (0x5F1F, 2)
    assert decode_tag(H("9F8101"), 0) == (0x9F8101, 3)
    assert decode_length(H("00820100"), 1) == (256, 4)


def test_ef_com_structure() -> None:
    """ICAO 9303-10 §4.6.1 EF.COM (from App. D.4 of 9303-11): tag 60 with 5F01, 5F36, 5C."""
    tag, value, rest = decode_tlv(H("60145F0104303130365F36063034303030305C026175"))
    assert tag == 0x60 and rest == b""
    assert list(iter_tlv(value)) == [(0x5F01, b"0106"), (0x5F36, b"040000"), (0x5C, H("6175"))]


def test_indefinite_length() -> None:
    data = H("61805F1F0241423080 0401AA 00000000FF")
    tag, value, rest = decode_tlv(data)
    assert tag == 0x61 and rest == H("FF")
    assert next(iter(iter_tlv(value))) == (0x5F1F, b"AB")
    with pytest.raises(ParseError, match="primitive"):
        decode_tlv(H("0480 0000"))
    with pytest.raises(ParseError):
        decode_tlv(H("6180 5F1F024142"))
    with pytest.raises(ParseError, match="indefinite"):
        decode_length(H("80"), 0)


@pytest.mark.parametrize(
    "raw",
    [
        "",  # no tag
        "5F",  # truncated multi-byte tag
        "5F8181818101",  # tag too long
        "61",  # no length
        "6105AABB",  # oversized length
        "6181",  # truncated long form
        "618201",  # truncated long form
        "6185FFFFFFFFFF00",  # 5-byte length field
        "61820100" + "00" * 10,  # 256 announced, 10 present
        "6103AA",
    ],
)
def test_malformed(raw: str) -> None:
    with pytest.raises(ParseError):
        decode_tlv(H(raw))


def test_error_path_and_iter_errors() -> None:
    with pytest.raises(ParseError) as info:
        list(iter_tlv(H("5F0101AA5F0205AA"), path="DG1"))
    assert info.value.path.startswith("DG1 > tag 5F02")
    with pytest.raises(ParseError):
        encode_length(-1)
    with pytest.raises(ParseError):
        encode_tag(-1)


def test_deep_indefinite_nesting_is_bounded() -> None:
    data = H("3080") * 200 + H("0000") * 200
    with pytest.raises(ParseError, match="deep"):
        decode_tlv(data)


def _tags() -> st.SearchStrategy[int]:
    single = st.integers(0x01, 0xFE).filter(lambda t: t & 0x1F != 0x1F)
    two = st.tuples(st.integers(0, 7).map(lambda c: (c << 5) | 0x1F), st.integers(0x1F, 0x7F)).map(
        lambda p: (p[0] << 8) | p[1]
    )
    three = st.tuples(st.sampled_from([0x5F, 0x7F, 0x9F, 0xBF]), st.integers(0x81, 0xFF), st.integers(0, 0x7F)).map(
        lambda p: (p[0] << 16) | (p[1] << 8) | p[2]
    )
    return st.one_of(single, two, three)


@settings(max_examples=100, deadline=None)
@given(tag=_tags(), value=st.one_of(st.binary(max_size=300), st.integers(65530, 70000).map(bytes)))
def test_roundtrip(tag: int, value: bytes) -> None:
    encoded = encode_tlv(tag, value)
    assert decode_tlv(encoded + b"\x01\x02") == (tag, value, b"\x01\x02")
    assert list(iter_tlv(encoded * 2)) == [(tag, value)] * 2


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 0xFFFFFFFF))
def test_length_roundtrip(n: int) -> None:
    enc = encode_length(n)
    assert decode_length(enc + b"\xaa", 0) == (n, len(enc))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=60))
def test_garbage_only_raises_parse_error(raw: bytes) -> None:
    with contextlib.suppress(ParseError):
        list(iter_tlv(raw))
