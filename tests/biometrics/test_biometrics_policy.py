"""Fingerprint decisions: the template quality policy, FMR -> threshold, verify() and `chipid match finger`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chipid.biometrics import match
from chipid.biometrics.template import encode_template, parse_template
from chipid.errors import InvalidArgumentError, ParseError
from tests.biometrics._samples import few_minutiae, fvc_bytes, fvc_path, record
from tests.conftest import ROOT


def _blob(db: str, finger: int, impression: int) -> bytes:
    return match.prepare(parse_template(fvc_bytes(db, finger, impression)))


def test_assess_counts_minutiae_and_cylinders() -> None:
    q = match.assess(_blob("DB1_B", 101, 1))
    view = parse_template(fvc_bytes("DB1_B", 101, 1)).views[0]
    assert q.minutiae == len(view.minutiae)
    assert match.MIN_CYLINDERS <= q.cylinders <= q.minutiae
    assert q.usable and q.reason == ""
    with pytest.raises(ParseError):
        match.assess(b"MCC4")


@pytest.mark.parametrize("n", [0, 1, 2, 5, match.MIN_MINUTIAE - 1])
def test_small_templates_are_unusable_not_a_silent_zero(n: int) -> None:
    small = match.prepare(few_minutiae(n))
    q = match.assess(small)
    assert not q.usable and "minutiae" in q.reason
    result = match.verify(small, _blob("DB2_B", 101, 1))
    assert result.decision is match.FingerDecision.UNUSABLE_TEMPLATE
    assert result.score is None and not result.matched
    assert match.verify(_blob("DB2_B", 101, 1), small).decision is match.FingerDecision.UNUSABLE_TEMPLATE


def test_template_at_the_minimum_is_usable() -> None:
    q = match.assess(match.prepare(few_minutiae(24)))
    assert q.minutiae == 24 and q.usable, q


def test_thresholds_follow_the_table_and_reject_uncalibrated_rates() -> None:
    assert match.threshold_for_fmr(1e-4) == match.FMR_THRESHOLDS[1e-4] == match.THRESHOLD_FMR_10K
    assert match.threshold_for_fmr(1e-2) < match.threshold_for_fmr(1e-3) < match.threshold_for_fmr(1e-4)
    for bad in (1e-5, 0.0, 0.5, -1.0):
        with pytest.raises(InvalidArgumentError):
            match.threshold_for_fmr(bad)
    with pytest.raises(InvalidArgumentError):
        match.verify(_blob("DB1_B", 101, 1), _blob("DB1_B", 101, 2), fmr=1e-6)


def test_verify_decides_at_the_calibrated_threshold() -> None:
    same = match.verify(_blob("DB1_B", 101, 1), _blob("DB1_B", 101, 2))
    assert same.decision is match.FingerDecision.MATCH and same.matched
    assert same.score is not None and same.score >= same.threshold == match.FMR_THRESHOLDS[1e-4]
    other = match.verify(_blob("DB1_B", 101, 1), _blob("DB1_B", 102, 1))
    assert other.decision is match.FingerDecision.NO_MATCH
    assert other.score is not None and other.score < other.threshold


def test_rotation_limit_is_checked() -> None:
    a = _blob("DB1_B", 101, 1)
    for bad in (-1.0, 181.0, float("nan")):
        with pytest.raises(InvalidArgumentError):
            match.compare(a, a, max_rotation=bad)
    assert match.compare(a, a, max_rotation=0.0) == pytest.approx(1.0)


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chipid", "--no-color", "match", "finger", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)  # fmt: skip


def test_cli_match_finger_fmr_and_unusable_template(tmp_path: Path) -> None:
    probe, same, other = fvc_path("DB1_B", 101, 1), fvc_path("DB1_B", 101, 2), fvc_path("DB1_B", 102, 1)
    ok = _cli(probe, same, "--fmr", "1e-4", "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    payload = json.loads(ok.stdout)
    assert payload["match"] and payload["status"] == "match"
    assert payload["threshold"] == match.FMR_THRESHOLDS[1e-4]
    assert _cli(probe, other).returncode == 1
    small = tmp_path / "small.iso"
    small.write_bytes(encode_template(record(few_minutiae(5))))
    bad = _cli(small, same)
    assert bad.returncode == 2
    assert "unusable template" in bad.stdout + bad.stderr
    assert "no match" not in bad.stdout + bad.stderr
    assert json.loads(_cli(small, same, "--json").stdout)["status"] == "unusable template"
    listed = _cli(probe, same, small, "--json")  # 1:N: the small candidate is reported, not scored
    assert listed.returncode == 0
    assert [u["template"] for u in json.loads(listed.stdout)["unusable"]] == [str(small)]
    wrong = _cli(probe, same, "--fmr", "1e-7")
    assert wrong.returncode == 64 and "calibrated" in wrong.stdout + wrong.stderr
