"""The real ``chipid`` commands, driven as subprocesses against the virtual chip (in-process transport).

The same commands through pcscd + vpcd are in tests/e2e/test_e2e_cli.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATA, ROOT
from tests.schemas import validate


def chipid(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chipid", "--no-color", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, check=False)


def validate_read_json(payload: dict[str, Any]) -> None:
    """Validate against docs/read.schema.json (which refers to the document and report schemas)."""
    validate(payload, "read.schema.json")


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dump")
    proc = chipid("read", "--sim", "--out", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_cli_demo_in_process_exits_zero_when_verified() -> None:
    proc = chipid("demo", "--in-process")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "in-process transport" in proc.stdout
    assert "Verdict: GENUINE" in proc.stdout


def test_cli_read_json_validates_against_the_documented_schema() -> None:
    proc = chipid("read", "--sim", "--json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    validate_read_json(payload)
    assert payload["protocol"] == "PACE"
    assert payload["report"]["verdict"] == "GENUINE"
    assert payload["document"]["holder"]["id_number"]


def test_cli_read_out_writes_raw_files_photo_and_json(dump: Path) -> None:
    names = {p.name for p in dump.iterdir()}
    assert {"EF_COM.bin", "EF_SOD.bin", "DG1.bin", "DG2.bin", "DG13.bin", "document.json", "report.json"} <= names
    assert any(n.startswith("face.") for n in names)
    validate_read_json(json.loads((dump / "document.json").read_text()))


def test_cli_verify_dump_offline_is_incomplete(dump: Path) -> None:
    from chipid.sim.personalize import default_profile

    trust = dump.parent / "csca.der"
    trust.write_bytes(default_profile().csca_certificates[0])
    proc = chipid("verify", dump, "--trust", trust, "--json")
    assert proc.returncode == 2, proc.stdout + proc.stderr  # AA/CA need the chip
    payload = json.loads(proc.stdout)
    validate_read_json(payload)
    checks = {c["name"]: c["status"] for c in payload["report"]["checks"]}
    assert checks["pa.sod_signature"] == "PASSED"


def test_cli_verify_tampered_dump_is_not_genuine(dump: Path, tmp_path: Path) -> None:
    for f in dump.glob("*.bin"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    dg13 = bytearray((tmp_path / "DG13.bin").read_bytes())
    dg13[-1] ^= 0x01
    (tmp_path / "DG13.bin").write_bytes(bytes(dg13))
    proc = chipid("verify", tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "NOT_GENUINE" in proc.stdout


def test_cli_wrong_can_exits_5_with_a_hint() -> None:
    proc = chipid("read", "--sim", "--can", "999999")
    assert proc.returncode == 5, proc.stdout + proc.stderr
    assert "CAN" in proc.stderr


def test_cli_usage_error_exits_64() -> None:
    proc = chipid("read", "--bogus")
    assert proc.returncode == 64


def test_cli_sim_issue_then_read_the_saved_profile(tmp_path: Path) -> None:
    proc = chipid("sim", "issue", "--seed", "42", "--out", tmp_path / "card")
    assert proc.returncode == 0, proc.stderr
    proc = chipid("read", "--sim", tmp_path / "card", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["report"]["verdict"] == "GENUINE"


def test_cli_trace_redacts_secrets_by_default() -> None:
    proc = chipid("read", "--sim", "--trace", "--json")
    assert proc.returncode == 0
    assert "86" in proc.stderr  # GENERAL AUTHENTICATE traced
    assert "redacted" in proc.stderr.lower()


def test_cli_match_finger_one_to_one_and_one_to_n() -> None:
    db = DATA / "fvc2002-iso-templates" / "DB1_B"
    same = chipid("match", "finger", db / "101_1.iso", db / "101_2.iso")
    assert same.returncode == 0, same.stdout + same.stderr
    other = chipid("match", "finger", db / "101_1.iso", db / "102_1.iso")
    assert other.returncode == 1
    search = chipid("match", "finger", db / "103_4.iso", db, "--json")
    hits = json.loads(search.stdout)["hits"]
    assert hits[0]["template"].endswith(("103_4.iso",))


def test_cli_conformance_on_the_virtual_chip_writes_junit_and_html(tmp_path: Path) -> None:
    proc = chipid("conformance", "--sim", "--sessions", "2", "--junit", tmp_path / "r.xml", "--html",
                  tmp_path / "r.html")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "r.xml").exists() and (tmp_path / "r.html").exists()


def test_cli_conformance_detects_a_fault(tmp_path: Path) -> None:
    proc = chipid("conformance", "--sim", "--sessions", "2", "--fault", "cloned")
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_cli_match_face_finds_the_probe_row(tmp_path: Path) -> None:
    import array
    import random

    rng = random.Random(7)
    rows = [[rng.gauss(0, 1) for _ in range(128)] for _ in range(50)]
    (tmp_path / "gallery.f32").write_bytes(array.array("f", [x for row in rows for x in row]).tobytes())
    probe = [x + rng.gauss(0, 0.05) for x in rows[17]]
    (tmp_path / "probe.f32").write_bytes(array.array("f", probe).tobytes())
    proc = chipid("match", "face", tmp_path / "probe.f32", tmp_path / "gallery.f32", "--json")
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)["hits"]
    assert hits[0]["index"] == 17 and hits[0]["score"] > 0.99
