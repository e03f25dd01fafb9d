"""Cost of a conformance run over the in-process virtual chip, and of writing its reports.

Run: python -m pytest benchmarks/bench_conformance_suite.py --benchmark-enable
The suite's own PERF-001/PERF-002 figures (DG2 throughput, APDU latency) are printed with -s.
"""

from __future__ import annotations

from typing import Any

import pytest

from chipid.conformance import Outcome, SuiteResult, format_summary, render_html, render_junit, run_suite

sim = pytest.importorskip("chipid.sim", reason="needs chipid.sim")
personalize = pytest.importorskip("chipid.sim.personalize", reason="needs chipid.sim.personalize")
access = pytest.importorskip("chipid.access", reason="needs chipid.access")


def _suite(**faults: Any) -> SuiteResult:
    profile = personalize.default_profile()
    chip = sim.VirtualChip(profile, faults=sim.Faults(**faults))
    keys = [
        access.MRZKey(profile.document_number, profile.date_of_birth, profile.date_of_expiry),
        access.CANKey(profile.can),
    ]
    return run_suite(lambda: sim.SimTransport(chip), keys, sessions=10)


@pytest.mark.parametrize("extended", [True, False], ids=["extended", "short-only"])
def test_bench_conformance_full_suite_sim(benchmark: Any, extended: bool) -> None:
    result = benchmark.pedantic(lambda: _suite(no_extended_length=not extended), rounds=3, iterations=1)
    assert result.count(Outcome.FAIL) == 0
    for case_id in ("PERF-001", "PERF-002", "STAB-001"):
        r = result.result(case_id)
        print(f"\n{case_id} ({'extended' if extended else 'short only'}): "
              + ", ".join(f"{m.name} {m.value:g} {m.unit}" for m in r.measurements))


def test_bench_conformance_reports(benchmark: Any) -> None:
    result = _suite()

    def render() -> int:
        return len(render_junit(result)) + len(render_html(result)) + len(format_summary(result))

    assert benchmark(render) > 10_000
