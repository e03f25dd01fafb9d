"""No warnings for users: no CryptographyDeprecationWarning from the virtual chip (its finite-field DH keys and
arithmetic are plain integers, chipid.sim._keys.DHPrivateKey; tests/test_layers.py checks that no module imports
cryptography's dh), and no finalizer traceback (pyscard's
``PCSCCardConnection.__del__``) printed by a command. The pcscd commands are checked in test_cli_pcscd.py."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest

from chipid import read_document
from chipid.lds.oids import ID_PACE
from chipid.sim import Faults, SimTransport, VirtualChip
from chipid.sim.personalize import issue_card
from tests.conftest import ROOT

_LEAK = """
import sys
import chipid.cli._trustcmd as t

class Leaky:
    def __del__(self):
        raise RuntimeError("release failed in a finalizer")

original = t.cmd_list

def cmd_list(args):
    leak = Leaky()
    leak.cycle = leak  # only the garbage collector finalises it
    return original(args)

t.cmd_list = cmd_list
sys.argv = ["chipid", "--no-color", "trust", "list"]
import chipid.cli
sys.exit(chipid.cli.main())
"""


@pytest.mark.parametrize("debug", ["", "1"])
def test_finalizer_errors_are_not_printed_unless_debugging(tmp_path: object, debug: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CHIPID_TRUST_DIR": str(tmp_path), "CHIPID_DEBUG": debug}
    proc = subprocess.run([sys.executable, "-c", _LEAK], capture_output=True, text=True, env=env, timeout=60,
                          check=False)
    assert proc.returncode == 3  # the store is empty
    if debug:
        assert "release failed in a finalizer" in proc.stderr  # the hook really saw it
    else:
        assert "Exception ignored" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("parameter_id", [0, 2])
def test_dh_cards_read_without_cryptography_warnings(parameter_id: int) -> None:
    """DH-GM PACE and DH Chip Authentication on the 1024- and 2048-bit groups, also as a clone (fresh DH key)."""
    profile = issue_card(f"dh-{parameter_id}", ca_kind="dh", ca_dh_parameter_id=parameter_id,
                         pace_suites=[(ID_PACE + ".1.2", parameter_id)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for faults in (Faults(), Faults(cloned=True)):
            with SimTransport(VirtualChip(profile, faults=faults)) as card:
                result = read_document(card, profile.can_key(), trust=profile.trust_store())
            assert result.protocol == "PACE"
    assert [str(w.message) for w in caught] == []
