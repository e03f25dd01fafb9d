"""Latency percentiles used by the PERF/STAB measurements."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.conformance.stats import latency_measurements, percentile


def test_percentile_linear_interpolation() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 50) == 2.5
    assert percentile(values, 90) == pytest.approx(3.7)
    assert percentile([7.0], 99) == 7.0


def test_percentile_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_latency_measurements_names_and_units() -> None:
    ms = latency_measurements([1.0, 2.0, 3.0, 10.0])
    names = ["apdu latency p50", "apdu latency p90", "apdu latency p99", "apdu latency max"]
    assert [m.name for m in ms] == names
    assert all(m.unit == "ms" for m in ms)
    assert ms[-1].value == 10.0
    assert latency_measurements([]) == []


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50),
    st.floats(min_value=0, max_value=100),
    st.floats(min_value=0, max_value=100),
)
def test_percentile_bounded_and_monotonic(values: list[float], q1: float, q2: float) -> None:
    lo, hi = sorted((q1, q2))
    assert min(values) <= percentile(values, lo) <= percentile(values, hi) <= max(values)
