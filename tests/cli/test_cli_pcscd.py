"""The CLI contract through the real pcscd + vpcd stack (two readers, "Virtual PCD 00 00" and "... 00 01"):
reader advice, removal and reinsertion with ``chipid sim serve``, and no warning or traceback on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipid.sim.personalize import default_profile
from tests.conftest import ROOT
from tests.e2e.conftest import (
    READER,
    Served,
    card_present,
    pcsc_reader_names,
    require_vpcd_reader,
    served_sim,
    wait_card,
)

pytestmark = pytest.mark.pcscd


@pytest.fixture(scope="module")
def vpcd_reader() -> str:
    return require_vpcd_reader()

NOISE = ("Traceback", "Warning", "Exception ignored")


def chipid(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 120,
           ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "chipid", "--no-color", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, check=False, env={**os.environ, **(env or {})})
    for word in NOISE:
        assert word not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def two_empty_readers(vpcd_reader: str) -> list[str]:
    names = pcsc_reader_names() or []
    if len(names) < 2:
        pytest.skip(f"needs the two vpcd readers, found {names}")
    for name in names:
        if card_present(name):
            wait_card(False, reader=name, timeout=5.0)
    return names


def test_no_card_names_both_empty_readers(two_empty_readers: list[str]) -> None:
    proc = chipid("read", "--can", "123456")
    assert proc.returncode == 4
    assert all(f"'{name}'" in proc.stderr for name in two_empty_readers), proc.stderr


def test_reader_index_out_of_range_says_so_without_plug_one_in(two_empty_readers: list[str]) -> None:
    proc = chipid("read", "--reader", "5", "--can", "123456")
    assert proc.returncode == 4
    assert f"no reader #5: {len(two_empty_readers)} reader(s)" in proc.stderr
    assert "plug one in" not in proc.stderr


def test_conformance_refuses_faults_on_a_real_reader(two_empty_readers: list[str]) -> None:
    proc = chipid("conformance", "--reader", "0", "--fault", "cloned")
    assert proc.returncode == 64 and "--fault needs --sim" in proc.stderr
    assert chipid("conformance", "--reader", "0", "--sim").returncode == 64


@pytest.fixture
def torn_card(vpcd_reader: str) -> Iterator[Served]:
    """``chipid sim serve`` with a card torn after 12 APDUs and put back 1 s later."""
    with served_sim("--seconds", "60", "--fault", "tear_after=12", "--reinsert-after", "1") as served:
        yield served
    assert served.returncode == 0, served.out + served.err
    assert "Card torn from the field" in served.out and "Card put back on the reader" in served.out, served.out
    for word in NOISE:
        assert word not in served.err, served.err


def test_removed_card_exits_6_and_the_put_back_card_reads(torn_card: Served, tmp_path: Path) -> None:
    can = default_profile().can
    env = {"CHIPID_TRUST_DIR": str(tmp_path)}
    first = chipid("read", "--reader", READER, "--can", can, "--wait", "5", env=env)
    assert first.returncode == 6, first.stdout + first.stderr
    assert "put it back" in first.stderr
    wait_card(False, timeout=10.0)
    wait_card(True, timeout=10.0)  # serve put it back
    again = chipid("read", "--reader", READER, "--can", can, "--wait", "5", env=env)
    assert again.returncode == 2, again.stdout + again.stderr  # no trust anchors here: INCOMPLETE
    assert again.stdout.startswith("INCOMPLETE — ")


def test_main_commands_print_no_warning_or_traceback(vpcd_reader: str, tmp_path: Path) -> None:
    env = {"CHIPID_TRUST_DIR": str(tmp_path / "store")}
    assert chipid("readers", env=env).returncode == 0
    assert chipid("demo", env=env).returncode == 0  # through pcscd + vpcd
    assert chipid("read", "--sim", "--out", tmp_path / "dump", env=env).returncode == 0
    assert chipid("verify", tmp_path / "dump", env=env).returncode == 2
    assert chipid("read", "--can", "123456", env=env).returncode == 4  # empty readers
    assert chipid("trust", "list", env=env).returncode == 3
