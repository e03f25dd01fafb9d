"""An all-DH card (PACE DH-GM + DH Chip Authentication) through pcscd + vpcd, from the CLI, printing no warning.

The card is the profile saved before the chip's DH keys became plain integers (tests/data/sim/dh-profile-f924832):
``chipid sim serve --profile`` puts it in the vpcd reader, ``chipid read --reader`` reads it (issue 11 point 5:
no CryptographyDeprecationWarning printed by any command; the served chip runs DH CA with its stored key).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from chipid.lds.oids import ID_CA
from chipid.sim import CardProfile
from tests.conftest import DATA, ROOT
from tests.e2e.conftest import READER, card_present, wait_card

pytestmark = pytest.mark.pcscd

LEGACY = DATA / "sim" / "dh-profile-f924832"


def test_e2e_all_dh_card_reads_genuine_without_warnings(vpcd_reader: str, tmp_path: Path) -> None:
    profile = CardProfile.load(LEGACY)
    if card_present():
        wait_card(False, timeout=5.0)
    serve = subprocess.Popen(
        [sys.executable, "-m", "chipid", "--no-color", "sim", "serve", "--profile", str(LEGACY), "--seconds", "120"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        wait_card(True, timeout=20.0)
        csca = tmp_path / "csca.der"
        csca.write_bytes(profile.csca_certificates[0])
        read = subprocess.run(
            [sys.executable, "-m", "chipid", "--no-color", "read", "--reader", READER, "--can", profile.can,
             "--trust", str(csca), "--json"],
            capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
        )
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve_out, serve_err = serve.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve_out, serve_err = serve.communicate()
        wait_card(False)
    assert read.returncode == 0, read.stdout + read.stderr
    payload = json.loads(read.stdout)
    assert payload["protocol"] == "PACE"
    access = [step["detail"] for step in payload["steps"] if step["name"] == "access control"]
    assert access == ["PACE (id-PACE-DH-GM-AES-CBC-CMAC-128)"]
    assert payload["report"]["verdict"] == "GENUINE"
    (ca,) = [c for c in payload["report"]["checks"] if c["name"] == "chip_authentication"]
    assert ca["status"] == "PASSED" and ca["details"]["protocol"] == ID_CA + ".1.2"
    assert serve.returncode == 0, serve_out + serve_err
    for stderr in (read.stderr, serve_err):
        assert "Warning" not in stderr and "Traceback" not in stderr, stderr
