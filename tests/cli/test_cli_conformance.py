"""``chipid conformance`` options as a QA lead uses them (in-process virtual chip; the pcscd path is in
tests/cli/test_cli_pcscd.py): faults honoured or refused, PERF thresholds, REM-001 in a full run, both keys,
help examples that exist, and the HTML report's order, fields and traces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chipid.cli._sim import FAULT_HELP, parse_faults
from chipid.sim.personalize import default_profile
from tests.cli._run import run
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def _empty_default_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPID_TRUST_DIR", str(tmp_path_factory.mktemp("store")))


def outcomes(out: str) -> dict[str, str]:
    return dict(re.findall(r"^\[\s*\d+/\d+\] (\S+)\s+(PASS|FAIL|SKIP|ERROR)", out, re.M))


def test_fault_on_a_real_reader_is_refused_not_ignored(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "conformance", "--reader", "0", "--fault", "cloned")
    assert code == 64 and "--fault needs --sim" in err and not out


def test_sim_with_reader_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "conformance", "--reader", "0", "--sim")
    assert code == 64 and "exclude each other" in err and not out


def test_unknown_case_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "conformance", "--sim", "--cases", "NOPE-001")
    assert code == 64 and "NOPE-001" in err


def test_a_slow_chip_fails_the_latency_threshold_and_a_looser_one_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "conformance", "--sim", "--fault", "delay_ms=120", "--cases", "PERF-002")
    assert code == 1 and outcomes(out) == {"PERF-002": "FAIL"}
    assert "exceeds the 100 ms threshold" in out
    code, out, _ = run(capsys, "conformance", "--sim", "--fault", "delay_ms=120", "--cases", "PERF-002",
                       "--max-latency-p90", "1000")
    assert code == 0 and outcomes(out) == {"PERF-002": "PASS"}


def test_throughput_threshold_is_configurable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "conformance", "--sim", "--cases", "PERF-001", "--min-throughput", "1e9")
    assert code == 1 and "below the 1,000,000,000 B/s threshold" in out
    code, out, _ = run(capsys, "conformance", "--sim", "--cases", "PERF-001")
    assert code == 0 and outcomes(out) == {"PERF-001": "PASS"}


def test_full_run_with_a_tear_runs_the_removal_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "conformance", "--sim", "--sessions", "2", "--fault", "tear_after=25")
    seen = outcomes(out)
    assert seen["REM-001"] == "PASS", out
    assert code == 0, out  # the tear hits REM-001 only: every other case ran on an intact card
    assert "FAIL" not in seen.values() and "ERROR" not in seen.values()


def test_can_and_mrz_together_run_both_pace_cases(capsys: pytest.CaptureFixture[str]) -> None:
    p = default_profile()
    code, out, _ = run(capsys, "conformance", "--sim", "--cases", "PACE-001", "PACE-002", "--can", p.can,
                       "--doc-number", p.document_number, "--dob", p.date_of_birth, "--doe", p.date_of_expiry)
    assert code == 0, out
    assert outcomes(out) == {"PACE-001": "PASS", "PACE-002": "PASS"}


def test_every_fault_named_in_help_and_readme_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("Faults for tests and QA"):]
    section = section[:section.index("A bad fault name")]
    named = set(re.findall(r"`([a-z_]+(?:=[^`]+)?)`", section))
    named |= {m.strip() for m in FAULT_HELP.split(":", 1)[1].split("(")[0].split(", ")}
    assert len(named) >= 8
    for spec in named:
        example = spec.replace("N", "3").replace("once|always", "once").split(" ")[0]
        parse_faults([example])  # raises a usage error for a name that does not exist


def test_html_report_lists_failures_first_with_dut_operator_and_trace(capsys: pytest.CaptureFixture[str],
                                                                     tmp_path: Path) -> None:
    report = tmp_path / "r.html"
    code, _, _ = run(capsys, "conformance", "--sim", "--sessions", "2", "--fault", "corrupt_dgs=2",
                     "--html", report, "--junit", tmp_path / "r.xml", "--dut", "CCCD batch 7 on ACR1252U",
                     "--operator", "QA Nguyễn")
    assert code == 1
    html = report.read_text(encoding="utf-8")
    assert "Device under test" in html and "CCCD batch 7 on ACR1252U" in html
    assert "Operator" in html and "QA Nguyễn" in html
    summary = html[html.index("<h2>Summary</h2>"):html.index("<h2>APDU latency</h2>")]
    first_row = re.search(r'<td class="mono id"><a href="#([A-Z]+-\d+)">', summary)
    assert first_row is not None and first_row.group(1) == "PA-001"
    details = html[html.index("<h2>Details</h2>"):]
    assert details.index('id="PA-001"') < details.index('id="ATR-001"')
    failed = details[details.index('id="PA-001"'):]
    failed = failed[:failed.index("</details>")]
    assert "APDU trace" in failed
    trace = failed[failed.index('<pre class="mono trace">'):]
    assert "&gt; 00 86" in trace or "&gt; 0C 86" in trace or "&gt; 10 86" in trace  # PACE was traced
    assert "redacted" in trace
    passed = details[details.index('id="ATR-001"'):]
    assert "APDU trace" not in passed[:passed.index("</details>")]
    assert "APDU trace (secrets redacted)" in (tmp_path / "r.xml").read_text(encoding="utf-8")
