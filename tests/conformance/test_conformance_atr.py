"""ATR parsing (ISO/IEC 7816-3:2006 §8.2) and the ATR cases on the fake card."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.conformance import run_suite
from chipid.conformance.atr import parse_atr
from chipid.errors import ParseError
from tests.conformance.fake_card import FakeCard, FakeCardState


def test_contactless_atr_pcsc_part3_form() -> None:
    """PC/SC Part 3 §3.1.3.2.3: 3B 8n 80 01 <ATS historical bytes> TCK; ISO/IEC 7816-3 §8.2.5 TCK."""
    info = parse_atr(FakeCardState().atr)
    assert info.contactless
    assert info.protocols == (0, 1)
    assert info.interface == (("TD1", 0x80), ("TD2", 0x01))
    assert info.historical == bytes.fromhex("80318065B0850300EF120FFF829000")
    assert info.tck_required and info.tck_valid


def test_t0_only_atr_has_no_tck() -> None:
    """ISO/IEC 7816-3 §8.2.5: TCK absent when only T=0 is indicated."""
    info = parse_atr(bytes.fromhex("3B 02 14 50"))
    assert info.protocols == (0,)
    assert info.tck is None and info.tck_valid and not info.contactless
    assert info.historical == bytes.fromhex("1450")


def test_wrong_tck_detected() -> None:
    atr = bytearray(FakeCardState().atr)
    atr[-1] ^= 0xFF
    assert not parse_atr(bytes(atr)).tck_valid


@pytest.mark.parametrize(
    ("atr", "path"),
    [
        ("3B", "ATR"),
        ("3C00", "ATR > TS"),
        ("3B8F8001", "ATR > historical"),
        ("3B80", "ATR > TD1"),
        ("3B00AABB", "ATR > TCK"),
    ],
)
def test_malformed_atr_raises_parse_error(atr: str, path: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_atr(bytes.fromhex(atr))
    assert info.value.path == path


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40))
def test_random_bytes_parse_or_raise_parse_error(data: bytes) -> None:
    try:
        info = parse_atr(data)
    except ParseError:
        return
    assert len(info.historical) == data[1] & 0x0F


def _run(state: FakeCardState, case: str) -> str:
    result = run_suite(lambda: FakeCard(state), None, cases=[case])
    return result.results[0].outcome.value


def test_atr_cases_pass_on_a_good_atr_and_fail_on_a_bad_one() -> None:
    state = FakeCardState()
    assert [_run(state, c) for c in ("ATR-001", "ATR-002", "ATR-003")] == ["PASS"] * 3
    bad = bytearray(state.atr)
    bad[-1] ^= 0x01
    state.atr = bytes(bad)
    assert _run(state, "ATR-001") == "FAIL"
    state.atr = bytes.fromhex("3B 02 14 50")
    assert _run(state, "ATR-002") == "SKIP"
    state.atr = bytes.fromhex("3B 8F 80 01")  # truncated: historical bytes missing
    assert _run(state, "ATR-001") == "FAIL"
