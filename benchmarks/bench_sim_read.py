"""Full read of the virtual CCCD through pcscd + vpcd: time per read session and APDU count.

Run: ``python -m pytest benchmarks/bench_sim_read.py --benchmark-enable`` (needs pcscd with the
vpcd driver; skipped otherwise, failed when CHIPID_PCSCD=1). Each round is one session: connect,
PACE (CAN), select the application, read EF.COM, DG1, DG2, DG13, DG14, DG15 and EF.SOD.
The in-process SimTransport variant measures the chip + reader cost without pcscd.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chipid.access import CANKey, establish
from chipid.iso7816 import commands
from chipid.iso7816.apdu import ResponseAPDU
from chipid.iso7816.binary import ReadPolicy, read_ef
from chipid.lds.files import EMRTD_AID
from chipid.sim import Faults, SimTransport, VirtualChip
from chipid.sim.personalize import default_profile
from chipid.sim.vpcd import VpcdBridge
from chipid.transport.base import Transport
from chipid.transport.pcsc import PCSCTransport
from tests.e2e.conftest import READER, require_vpcd_reader, start_card, stop_card

SFIS = (0x1E, 1, 2, 13, 14, 15, 0x1D)


def _session(transport: Transport) -> int:
    channel = establish(transport, CANKey(default_profile().can)).channel
    ResponseAPDU.from_bytes(channel.transmit(commands.select_aid(EMRTD_AID).to_bytes())).check(0xA4)
    policy = ReadPolicy()
    return sum(len(read_ef(channel, sfi=sfi, policy=policy)) for sfi in SFIS)


@pytest.fixture(params=[False, True], ids=["extended", "short-only"])
def card(request: pytest.FixtureRequest) -> Iterator[VpcdBridge]:
    require_vpcd_reader()
    bridge = start_card(default_profile(), Faults(no_extended_length=request.param))
    yield bridge
    stop_card(bridge)


def test_bench_full_read_pcscd(benchmark, card: VpcdBridge) -> None:  # type: ignore[no-untyped-def]
    def one() -> int:
        start = card.apdus
        transport = PCSCTransport.open(READER, wait=5)
        try:
            return _session(transport)
        finally:
            transport.close()
            benchmark.extra_info["apdus_per_read"] = card.apdus - start

    total = benchmark(one)
    assert total == sum(
        len(default_profile().files[n]) for n in ("EF.COM", "DG1", "DG2", "DG13", "DG14", "DG15", "EF.SOD")
    )


@pytest.mark.parametrize("short_only", [False, True], ids=["extended", "short-only"])
def test_bench_full_read_in_process(benchmark, short_only: bool) -> None:  # type: ignore[no-untyped-def]
    chip = VirtualChip(default_profile(), faults=Faults(no_extended_length=short_only))

    def one() -> int:
        transport = SimTransport(chip)
        size = _session(transport)
        benchmark.extra_info["apdus_per_read"] = transport.apdus
        return size

    assert benchmark(one) > 10_000
