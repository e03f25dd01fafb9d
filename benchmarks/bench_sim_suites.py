"""The virtual chip's extra suites, chip + reader in process: PACE-IM per cipher and DH Chip Authentication.

Run: ``python -m pytest benchmarks/bench_sim_suites.py --benchmark-enable``. Each PACE round is one
``establish`` (CAN) against a card offering only that IM suite; each CA round is PACE (ECDH-GM) followed by
DH Chip Authentication on the 2048/256 group with the new keys proven by a read (ICAO 9303-11 §6.2).
"""

from __future__ import annotations

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from chipid.access import establish
from chipid.auth.chip import perform_chip_auth
from chipid.lds.security_infos import parse_security_infos
from chipid.report import CheckStatus
from chipid.sim import SimTransport, VirtualChip
from chipid.sim.personalize import IM_PACE_SUITES, issue_card

_IDS = [f"{'ECDH' if oid.split('.')[-2] == '4' else 'DH'}-IM-{oid[-1]}" for oid, _ in IM_PACE_SUITES]


@pytest.mark.parametrize("suite", IM_PACE_SUITES, ids=_IDS)
def test_bench_pace_im(benchmark: BenchmarkFixture, suite: tuple[str, int]) -> None:
    profile = issue_card("bench-im", aa=None, pace_suites=(suite,))

    def run() -> str:
        return establish(SimTransport(VirtualChip(profile)), profile.can_key()).protocol

    assert benchmark(run) == "PACE"


@pytest.mark.parametrize("cipher", ["3DES", "AES-128", "AES-256"])
def test_bench_dh_chip_authentication(benchmark: BenchmarkFixture, cipher: str) -> None:
    profile = issue_card("bench-dh", aa=None, ca_kind="dh", ca_cipher=cipher)  # type: ignore[arg-type]
    dg14 = parse_security_infos(profile.files["DG14"])

    def run() -> CheckStatus:
        chip = VirtualChip(profile)
        channel = establish(SimTransport(chip), profile.can_key()).channel
        channel.transmit(bytes.fromhex("00A4040C07A0000002471001"))
        return perform_chip_auth(channel, dg14).check.status

    assert benchmark(run) is CheckStatus.PASSED
