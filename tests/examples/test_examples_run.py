"""Every example in examples/ runs against the virtual chip (or the sample data in tests/data) and succeeds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=300,
                          cwd=cwd or ROOT, check=False)


def test_examples_read_cccd_on_the_virtual_chip() -> None:
    proc = _run(EXAMPLES / "read_cccd.py", "--sim")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Verdict: GENUINE" in proc.stdout
    assert "full_name" in proc.stdout


def test_examples_verify_offline_is_incomplete_without_the_chip() -> None:
    proc = _run(EXAMPLES / "verify_offline.py", "--demo")
    # Passive Authentication passes, but AA/CA cannot run offline: INCOMPLETE (exit 2), never GENUINE
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "INCOMPLETE" in proc.stdout
    assert "pa.sod_signature" in proc.stdout


def test_examples_desk_verification_demo() -> None:
    proc = _run(EXAMPLES / "desk_verification.py", "--demo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Fingerprint: score" in proc.stdout and "MATCH" in proc.stdout
    assert "RESULT: OK" in proc.stdout


def test_examples_batch_search_finds_the_right_finger() -> None:
    proc = _run(EXAMPLES / "batch_search.py", "--demo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first_hit = next(line for line in proc.stdout.splitlines() if line.startswith("  "))
    assert "105_1.iso" in first_hit and "MATCH" in first_hit


def test_examples_run_conformance_writes_reports(tmp_path: Path) -> None:
    proc = _run(EXAMPLES / "run_conformance.py", "--out", tmp_path, "--sessions", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "conformance.xml").read_bytes().startswith(b"<?xml")
    assert "<html" in (tmp_path / "conformance.html").read_text().lower()


def test_examples_run_conformance_detects_a_corrupted_chip(tmp_path: Path) -> None:
    proc = _run(EXAMPLES / "run_conformance.py", "--out", tmp_path, "--sessions", "2", "--fault", "corrupt_dgs=2")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL" in proc.stdout
