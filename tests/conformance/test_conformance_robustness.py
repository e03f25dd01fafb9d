"""A misbehaving card never crashes or hangs the suite: every case ends in one of the four outcomes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipid.access import CANKey, MRZKey
from chipid.conformance import Outcome, render_html, render_junit, run_suite
from chipid.errors import CardRemovedError
from tests.conformance.junit_schema import junit_problems

_SW = st.sampled_from([0x9000, 0x6282, 0x6300, 0x6700, 0x6982, 0x6987, 0x6988, 0x6A82, 0x6B00, 0x6D00, 0x6F00])
_ANSWER = st.tuples(st.binary(max_size=40), _SW).map(lambda t: t[0] + t[1].to_bytes(2, "big"))
_BUILTIN = {"TypeError", "IndexError", "KeyError", "AttributeError", "ValueError", "ZeroDivisionError",
            "AssertionError", "UnboundLocalError", "OverflowError", "RuntimeError"}
_KEYS = [MRZKey("C01X00T47", "880101", "300101"), CANKey("123456")]


class _Scripted:
    """A card that answers from a list of canned responses, cycling; may tear after some APDUs."""

    def __init__(self, answers: list[bytes], atr: bytes, tear_after: int | None) -> None:
        self.answers = answers
        self.atr = atr
        self.tear_after = tear_after
        self.count = 0

    def transmit(self, apdu: bytes) -> bytes:
        self.count += 1
        if self.tear_after is not None and self.count > self.tear_after:
            raise CardRemovedError("torn")
        return self.answers[self.count % len(self.answers)]

    def close(self) -> None:
        return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=st.lists(_ANSWER, min_size=1, max_size=8),
    atr=st.binary(max_size=24),
    tear_after=st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
)
def test_garbage_card_gives_outcomes_not_exceptions(
    answers: list[bytes], atr: bytes, tear_after: int | None
) -> None:
    result = run_suite(lambda: _Scripted(answers, atr, tear_after), _KEYS, sessions=2)
    assert len(result.results) == 31
    for r in result.results:
        assert isinstance(r.outcome, Outcome)
        assert r.outcome is Outcome.PASS or r.message, r.id
        # an ERROR must carry a typed chipid error, never a Python bug (TypeError, IndexError...)
        assert not (r.outcome is Outcome.ERROR and r.message.split(":")[0] in _BUILTIN), f"{r.id}: {r.message}"
    assert junit_problems(render_junit(result)) == []
    render_html(result)
