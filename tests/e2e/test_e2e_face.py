"""The desk face flow through the real PC/SC stack: a virtual CCCD personalised with a real photo in the vpcd
reader, read by pcscd + pyscard, verified, and matched against the customer's live photo.

Run with the pcscd lock:
``flock /tmp/chipid-pcscd.lock env CHIPID_PCSCD=1 python -m pytest tests/e2e/test_e2e_face.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from chipid.sim.personalize import issue_card
from chipid.sim.profile import CardProfile
from chipid.sim.vpcd import VpcdBridge
from tests.conftest import DATA, ROOT
from tests.e2e.conftest import READER

pytestmark = pytest.mark.pcscd

FACES = DATA / "faces"
Start = Callable[..., VpcdBridge]


def _run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          check=False)


@pytest.fixture(scope="module")
def photo_profile() -> CardProfile:
    return issue_card("e2e-face", photo=(FACES / "rose_leslie_2.jpg").read_bytes())


@pytest.fixture
def csca(photo_profile: CardProfile, tmp_path: Path) -> Path:
    path = tmp_path / "csca.der"
    path.write_bytes(photo_profile.csca_certificates[0])
    return path


def test_e2e_desk_face_example_through_pcscd(virtual_card: Start, photo_profile: CardProfile, csca: Path) -> None:
    virtual_card(photo_profile)
    proc = _run(ROOT / "examples" / "desk_face.py", "--reader", READER, "--can", photo_profile.can, "--trust", csca,
                "--live-photo", FACES / "rose_leslie_1.jpg")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "portrait image/jp2" in proc.stdout and "Face: PASSED" in proc.stdout
    assert "Verdict: GENUINE" in proc.stdout and "RESULT: OK" in proc.stdout


def test_e2e_cli_verify_live_photo_through_pcscd(virtual_card: Start, photo_profile: CardProfile, csca: Path) -> None:
    virtual_card(photo_profile)
    same = _run("-m", "chipid", "--no-color", "verify", "--reader", READER, "--can", photo_profile.can, "--trust",
                csca, "--live-photo", FACES / "rose_leslie_1.jpg", "--json")
    assert same.returncode == 0, same.stdout + same.stderr
    face = next(c for c in json.loads(same.stdout)["report"]["checks"] if c["name"] == "biometric.face")
    assert face["status"] == "PASSED" and face["details"]["portrait_authenticated"] == "true"
    other = _run("-m", "chipid", "--no-color", "verify", "--reader", READER, "--can", photo_profile.can, "--trust",
                 csca, "--live-photo", FACES / "obama_2.jpg")
    assert other.returncode == 1, other.stdout + other.stderr
    assert "FAIL biometric.face" in other.stdout
