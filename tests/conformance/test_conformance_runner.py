"""The runner: independence of cases, outcomes, progress, environment, connection bookkeeping."""

from __future__ import annotations

import pytest

from chipid.conformance import CATALOGUE, Outcome, run_suite, select_cases
from chipid.conformance.context import CaseContext
from chipid.conformance.model import Case
from chipid.conformance.runner import run_case
from chipid.errors import NoReaderError, ParseError
from tests.conformance.fake_card import FakeCard, FakeCardState


def test_plain_cases_pass_on_the_fake_card_and_key_cases_skip() -> None:
    state = FakeCardState()
    seen: list[tuple[str, int, int]] = []
    result = run_suite(
        lambda: FakeCard(state), None, progress=lambda r, i, n: seen.append((r.id, i, n)), sessions=2
    )
    assert [r.id for r in result.results] == [c.id for c in CATALOGUE]
    assert seen == [(c.id, i, len(CATALOGUE)) for i, c in enumerate(CATALOGUE, start=1)]
    outcomes = {r.id: r.outcome for r in result.results}
    for case_id in ("ATR-001", "ATR-002", "ATR-003", "SEL-001", "SEL-002", "SEL-003", "SEL-004"):
        assert outcomes[case_id] is Outcome.PASS, result.result(case_id).message
    skipped = [r for r in result.results if r.outcome is Outcome.SKIP]
    assert {r.id for r in skipped} == {c.id for c in CATALOGUE} - {
        "ATR-001", "ATR-002", "ATR-003", "SEL-001", "SEL-002", "SEL-003", "SEL-004"
    }
    assert all(r.message for r in skipped)
    assert result.ok
    assert state.opened == state.closed  # every connection closed, the environment probe included
    assert result.environment.reader == "Fake Reader 00"
    assert result.environment.atr == state.atr


def test_wrong_status_word_fails_only_that_case() -> None:
    state = FakeCardState(unknown_aid_sw=0x9000)
    result = run_suite(lambda: FakeCard(state), None, cases=["SEL"])
    assert [r.outcome.value for r in result.results] == ["PASS", "PASS", "PASS", "FAIL", "SKIP"]
    assert "expected 6A82" in result.result("SEL-004").message
    assert not result.ok


def test_unexpected_exception_is_an_error_and_the_suite_goes_on() -> None:
    def boom(ctx: CaseContext) -> None:
        raise KeyError("surprise")

    case = Case("X-001", "explodes", "none", (), boom)
    state = FakeCardState()
    result = run_case(case, lambda: FakeCard(state), ())
    assert result.outcome is Outcome.ERROR
    assert result.message == "KeyError: 'surprise'"


def test_no_reader_errors_every_case_but_returns_a_result() -> None:
    def factory() -> FakeCard:
        raise NoReaderError("no PC/SC reader")

    result = run_suite(factory, None, cases=["ATR", "SEL-003"])
    assert result.environment.reader.startswith("unavailable (NoReaderError")
    assert {r.outcome for r in result.results} == {Outcome.ERROR}
    assert "no PC/SC reader" in result.results[0].message


def test_latencies_are_recorded_per_apdu() -> None:
    state = FakeCardState()
    result = run_suite(lambda: FakeCard(state), None, cases=["SEL-002"])
    assert len(result.results[0].latencies_ms) == 2  # SELECT + READ BINARY
    assert all(x >= 0 for x in result.results[0].latencies_ms)


def test_case_selection() -> None:
    assert [c.id for c in select_cases(["sel-004", "ATR"])] == ["ATR-001", "ATR-002", "ATR-003", "SEL-004"]
    with pytest.raises(ParseError):
        select_cases(["NOPE-001"])
    with pytest.raises(ParseError):
        run_suite(lambda: FakeCard(FakeCardState()), None, cases=["XYZ"])
    with pytest.raises(ParseError):
        run_suite(lambda: FakeCard(FakeCardState()), None, sessions=0)


def test_timed_connection_is_transparent_for_transport_hints() -> None:
    state = FakeCardState()
    ctx = CaseContext(lambda: FakeCard(state), ())
    transport = ctx.open()
    assert getattr(transport, "reader_name", None) == "Fake Reader 00"
    assert not hasattr(transport, "extended_length")
    ctx.close_all()
    assert state.opened == state.closed == 1
