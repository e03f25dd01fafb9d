"""The real ``chipid`` commands (subprocesses) against the virtual CCCD through pcscd + vpcd + pyscard."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipid.sim.personalize import default_profile
from tests.conftest import ROOT
from tests.e2e.conftest import READER, Served, card_present, served_sim, wait_card
from tests.schemas import validate

pytestmark = pytest.mark.pcscd


def chipid(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chipid", "--no-color", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, check=False)


@pytest.fixture
def served_card(vpcd_reader: str) -> Iterator[Served]:
    """``chipid sim serve`` in the background, the default card in the vpcd reader; stopped with Ctrl-C."""
    with served_sim("--seconds", "120") as served:
        yield served
    assert served.returncode == 0, served.out + served.err


def test_e2e_cli_demo_uses_the_real_pcsc_path(vpcd_reader: str) -> None:
    if card_present():
        wait_card(False, timeout=5.0)
    proc = chipid("demo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "real PC/SC stack" in proc.stdout
    assert "Verdict: GENUINE" in proc.stdout


def test_e2e_cli_readers_read_verify_conformance(served_card: Served, tmp_path: Path) -> None:
    profile = default_profile()
    readers = chipid("readers")
    assert readers.returncode == 0
    assert f"{READER}  [card present]" in readers.stdout

    csca = tmp_path / "csca.der"
    csca.write_bytes(profile.csca_certificates[0])
    read = chipid("read", "--reader", READER, "--can", profile.can, "--trust", csca, "--json", "--out",
                  tmp_path / "dump")
    assert read.returncode == 0, read.stdout + read.stderr
    payload = json.loads(read.stdout)
    validate(payload, "read.schema.json")
    assert payload["protocol"] == "PACE"
    assert payload["document"]["holder"]["id_number"] == profile.holder["id_number"]
    assert (tmp_path / "dump" / "DG2.bin").exists()

    mrz = chipid("verify", "--reader", READER, "--doc-number", profile.document_number, "--dob",
                 profile.date_of_birth, "--doe", profile.date_of_expiry, "--trust", csca)
    assert mrz.returncode == 0, mrz.stdout + mrz.stderr
    assert "Verdict: GENUINE" in mrz.stdout

    wrong = chipid("read", "--reader", READER, "--can", "000000" if profile.can != "000000" else "111111")
    assert wrong.returncode == 5, wrong.stdout + wrong.stderr

    junit = tmp_path / "conformance.xml"
    conf = chipid("conformance", "--reader", READER, "--can", profile.can, "--trust", csca, "--sessions", "3",
                  "--junit", junit, timeout=300)
    assert conf.returncode == 0, conf.stdout + conf.stderr
    assert junit.read_bytes().startswith(b"<?xml")


def test_e2e_cli_no_card_exits_4(vpcd_reader: str) -> None:
    if card_present():
        wait_card(False, timeout=5.0)
    proc = chipid("read", "--reader", READER, "--can", "123456")
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "no card" in proc.stderr.lower()
