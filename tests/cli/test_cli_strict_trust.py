"""``chipid verify --trust LIST --strict-trust`` (issue 10 point 5): a CSCA that rests only on a self-consistent
master list is shown as such (pa.csca_trust WARN) and, in strict mode, is not accepted (pa.ds_chain
NOT_PERFORMED). Driven as a subprocess against a dump of the virtual chip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chipid.sim import pkigen
from chipid.sim.personalize import default_profile
from tests.cli.test_cli_commands import chipid, validate_read_json


@pytest.fixture(scope="module")
def dump_and_list(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("strict")
    proc = chipid("read", "--sim", "--out", root / "dump")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    csca = pkigen.generate_pki("chipid-sim-VN", kind="ec").csca  # the virtual card's test CSCA (seeded)
    assert csca.der == default_profile().csca_certificates[0]
    signer = pkigen.master_list_signer(csca, b"cli-strict")
    (root / "list.ml").write_bytes(pkigen.master_list(signer, [csca.der]))
    return root / "dump", root / "list.ml"


def _checks(*args: str | Path) -> dict[str, dict[str, str]]:
    proc = chipid("verify", *args, "--json")
    assert proc.returncode in (1, 2), proc.stdout + proc.stderr  # offline: never GENUINE (no chip for AA/CA)
    payload = json.loads(proc.stdout)
    validate_read_json(payload)
    return {c["name"]: c for c in payload["report"]["checks"]}


def test_self_consistent_list_is_flagged_and_refused_in_strict_mode(dump_and_list: tuple[Path, Path]) -> None:
    dump, ml = dump_and_list
    lenient = _checks(dump, "--trust", ml)
    assert lenient["pa.ds_chain"]["status"] == "PASSED"
    assert lenient["pa.csca_trust"]["status"] == "WARN"
    assert "self-consistent" in lenient["pa.csca_trust"]["reason"]
    strict = _checks(dump, "--trust", ml, "--strict-trust")
    assert strict["pa.ds_chain"]["status"] == "NOT_PERFORMED"
    assert "strict trust" in strict["pa.ds_chain"]["reason"]
