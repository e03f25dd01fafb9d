"""Full read of the virtual CCCD: time per session and APDU count, in process and through pcscd + vpcd.

Run: ``python -m pytest benchmarks/bench_sim_read.py --benchmark-enable`` (the pcscd cases need pcscd with
the vpcd driver; skipped otherwise, failed when CHIPID_PCSCD=1; wrap them in
``flock /tmp/chipid-pcscd.lock``). Each round is one ``DocumentReader.read()`` session: EF.CardAccess,
PACE (CAN), the EF.CardSecurity probe (absent: one READ by SFI), SELECT of the application, EF.COM, EF.SOD,
DG14, Chip Authentication (MSE:Set AT + GENERAL AUTHENTICATE), DG1 (its READ under the new keys is the CA proof),
DG2, DG13, DG15, Active Authentication, Passive Authentication: 12 APDUs after access control with extended
length (the 7 files, the probe and 4), 20 in all.

Variants: extended length or short APDUs only (``Faults(no_extended_length=True)``), and a per-APDU
``delay_ms`` in the chip modelling a real contactless chip under secure messaging (each APDU costs
milliseconds there). ``extra_info`` records ``apdus`` (all), ``apdus_after_access_control`` (those
under secure messaging) and ``files_read`` (files read under secure messaging) per session.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chipid.reader import DocumentReader
from chipid.report import Verdict
from chipid.sim import Faults, SimTransport, VirtualChip
from chipid.sim.personalize import default_profile
from chipid.sim.vpcd import VpcdBridge
from chipid.transport.base import Transport
from chipid.transport.pcsc import PCSCTransport
from tests.counting import CountingTransport
from tests.e2e.conftest import READER, require_vpcd_reader, start_card, stop_card

DELAY_MS = 20
"""Per-APDU delay of the 'slow chip' variants (a contactless chip under secure messaging: ~10-40 ms)."""
CASES = [(False, 0), (True, 0), (False, DELAY_MS), (True, DELAY_MS)]
"""(short APDUs only, per-APDU delay in ms)."""
IDS = ["extended", "short-only", f"extended-{DELAY_MS}ms", f"short-only-{DELAY_MS}ms"]


def _session(transport: Transport, info: dict[str, object]) -> Verdict:
    counting = CountingTransport(transport)
    profile = default_profile()
    result = DocumentReader(counting, profile.can_key(), trust=profile.trust_store()).read()
    info["apdus"] = len(counting.sent)
    info["apdus_after_access_control"] = len(counting.protected)
    info["files_read"] = sum(name != "EF.CardAccess" for name in result.document.raw)
    return result.report.verdict


@pytest.fixture
def card(request: pytest.FixtureRequest) -> Iterator[VpcdBridge]:
    short_only, delay_ms = request.param
    require_vpcd_reader()
    bridge = start_card(default_profile(), Faults(no_extended_length=short_only, delay_ms=delay_ms))
    yield bridge
    stop_card(bridge)


@pytest.mark.parametrize("card", CASES, ids=IDS, indirect=True)
def test_bench_full_read_pcscd(benchmark, card: VpcdBridge) -> None:  # type: ignore[no-untyped-def]
    def one() -> Verdict:
        transport = PCSCTransport.open(READER, wait=5)
        try:
            return _session(transport, benchmark.extra_info)
        finally:
            transport.close()

    assert benchmark.pedantic(one, rounds=3, iterations=1) is Verdict.GENUINE


@pytest.mark.parametrize(("short_only", "delay_ms"), CASES, ids=IDS)
def test_bench_full_read_in_process(benchmark, short_only: bool, delay_ms: int) -> None:  # type: ignore[no-untyped-def]
    chip = VirtualChip(default_profile(), faults=Faults(no_extended_length=short_only, delay_ms=delay_ms))

    def one() -> Verdict:
        return _session(SimTransport(chip), benchmark.extra_info)

    assert benchmark.pedantic(one, rounds=3, iterations=1) is Verdict.GENUINE
