"""JUnit XML output checked against the junit-10.xsd facts (see junit_schema.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from chipid.conformance import write_junit
from chipid.conformance.junit import render_junit
from chipid.conformance.model import Case, CaseResult, Environment, Measurement, Outcome, SuiteResult
from tests.conformance.junit_schema import junit_problems


def _noop(ctx: object) -> None:
    return None


def sample_result() -> SuiteResult:
    """A suite result with every outcome, measurements and awkward characters."""
    env = Environment("Reader <&> \"1\"", bytes.fromhex("3B8180018080"), "0.1.0", "3.11.7", "Linux",
                      "2026-11-23T11:00:00+00:00")
    outcomes = [
        (Outcome.PASS, "6A82", (Measurement("apdu latency p50", 1.25, "ms"),)),
        (Outcome.FAIL, "chip answered 9000 <expected 6A82> & more \x01", ()),
        (Outcome.SKIP, "limitation: extended length not supported (6700)", ()),
        (Outcome.ERROR, "CardRemovedError: card removed", ()),
    ]
    results = tuple(
        CaseResult(
            Case(f"T-00{i}", f"title {i} ü", "ICAO 9303-11 §9.8", ("access key",), _noop),
            outcome,
            message,
            0.5 * i,
            measurements,
            (f"detail {i}",),
            (1.0, 2.0),
        )
        for i, (outcome, message, measurements) in enumerate(outcomes, start=1)
    )
    return SuiteResult(env, results, 3.25)


def test_junit_conforms_to_junit10_xsd_facts() -> None:
    assert junit_problems(render_junit(sample_result())) == []


def test_junit_content(tmp_path: Path) -> None:
    path = write_junit(sample_result(), tmp_path / "out.xml")
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "4", "1", "1", "1"
    )
    assert suite.get("timestamp") == "2026-11-23T11:00:00"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["reader"] == "Reader <&> \"1\""
    assert props["atr"] == "3B8180018080"
    cases = suite.findall("testcase")
    assert [c.get("classname") for c in cases] == ["chipid.conformance.T"] * 4
    assert cases[0].get("name") == "T-001 title 1 ü" and cases[0].get("time") == "0.500000"
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("message", "").startswith("chip answered 9000 <expected 6A82>")
    assert "\x01" not in (failure.get("message") or "")
    skipped = cases[2].find("skipped")
    assert skipped is not None and "limitation" in (skipped.get("message") or "")
    error = cases[3].find("error")
    assert error is not None and error.get("type") == "CardRemovedError"
    out = cases[0].findtext("system-out") or ""
    assert "clause: ICAO 9303-11 §9.8" in out and "apdu latency p50: 1.25 ms" in out


def test_checker_catches_schema_violations() -> None:
    bad = (
        b"<testsuites><testsuite name='x'><testcase classname='c' bogus='1'>"
        b"<failure/><skipped/><properties/></testcase></testsuite><oops/></testsuites>"
    )
    problems = "\n".join(junit_problems(bad))
    assert "lacks required attribute 'tests'" in problems
    assert "lacks required attribute 'name'" in problems
    assert "'bogus'" in problems
    assert "<properties> not allowed inside <testcase>" in problems
    assert "several verdicts" in problems
    assert "<oops> not allowed inside <testsuites>" in problems
    assert junit_problems(b"<testsuites><testsuite tests='2' time='1s'/></testsuites>") == [
        "testsuites/testsuite: <testsuite time='1s'> is not a decimal",
        "testsuites/testsuite: tests=2 but 0 testcases say so",
    ]
