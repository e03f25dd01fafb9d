"""An all-DH card (PACE DH-GM + DH Chip Authentication) through pcscd + vpcd, from the CLI, printing no warning.

The card is the profile saved before the chip's DH keys became plain integers (tests/data/sim/dh-profile-f924832):
``chipid sim serve --profile`` puts it in the vpcd reader, ``chipid read --reader`` reads it (issue 11 point 5:
no CryptographyDeprecationWarning printed by any command; the served chip runs DH CA with its stored key).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chipid.lds.oids import ID_CA
from chipid.sim import CardProfile
from tests.conftest import DATA, ROOT
from tests.e2e.conftest import READER, served_sim

pytestmark = pytest.mark.pcscd

LEGACY = DATA / "sim" / "dh-profile-f924832"


def test_e2e_all_dh_card_reads_genuine_without_warnings(vpcd_reader: str, tmp_path: Path) -> None:
    profile = CardProfile.load(LEGACY)
    with served_sim("--profile", str(LEGACY), "--seconds", "120") as served:
        csca = tmp_path / "csca.der"
        csca.write_bytes(profile.csca_certificates[0])
        read = subprocess.run(
            [sys.executable, "-m", "chipid", "--no-color", "read", "--reader", READER, "--can", profile.can,
             "--trust", str(csca), "--json"],
            capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
        )
    assert read.returncode == 0, read.stdout + read.stderr
    payload = json.loads(read.stdout)
    assert payload["protocol"] == "PACE"
    access = [step["detail"] for step in payload["steps"] if step["name"] == "access control"]
    assert access == ["PACE (id-PACE-DH-GM-AES-CBC-CMAC-128)"]
    assert payload["report"]["verdict"] == "GENUINE"
    (ca,) = [c for c in payload["report"]["checks"] if c["name"] == "chip_authentication"]
    assert ca["status"] == "PASSED" and ca["details"]["protocol"] == ID_CA + ".1.2"
    assert served.returncode == 0, served.out + served.err
    for stderr in (read.stderr, served.err):
        assert "Warning" not in stderr and "Traceback" not in stderr, stderr
