"""The suite through the real PC/SC stack: virtual chip -> vpcd bridge -> pcscd -> pyscard -> PCSCTransport.

Uses the second vpcd reader ("Virtual PCD 00 01", TCP 35964) so it does not collide with the e2e tests on
the first. Skips without pcscd/vpcd locally; with CHIPID_PCSCD=1 (CI) a missing reader fails.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chipid.conformance import Outcome, render_junit, run_suite
from chipid.errors import TransportError
from tests.conformance.junit_schema import junit_problems

sim = pytest.importorskip("chipid.sim", reason="needs chipid.sim")
vpcd = pytest.importorskip("chipid.sim.vpcd", reason="needs chipid.sim.vpcd")
personalize = pytest.importorskip("chipid.sim.personalize", reason="needs chipid.sim.personalize")
access = pytest.importorskip("chipid.access", reason="needs chipid.access")
pcsc = pytest.importorskip("chipid.transport.pcsc", reason="needs chipid.transport.pcsc")

pytestmark = pytest.mark.pcscd

READER = "Virtual PCD 00 01"
PORT = 35964


def _readers() -> list[str] | None:
    try:
        return list(pcsc.list_readers())
    except TransportError:  # NoReaderError: pcscd not reachable
        return None


@pytest.fixture
def card() -> Iterator[Any]:
    names = _readers()
    if names is None or READER not in names:
        reason = f"pcscd with the vpcd reader {READER!r} not available (readers: {names})"
        if os.environ.get("CHIPID_PCSCD") == "1":
            pytest.fail(f"CHIPID_PCSCD=1 but {reason}")
        pytest.skip(reason)
    profile = personalize.default_profile()
    bridge = vpcd.VpcdBridge(sim.VirtualChip(profile), port=PORT).start()
    try:
        deadline = time.monotonic() + 10
        while not pcsc.card_present(READER):
            if time.monotonic() > deadline:
                pytest.fail(f"the virtual card never appeared in {READER!r}")
            time.sleep(0.3)
        yield profile
    finally:
        bridge.stop()


def test_suite_through_pcscd(card: Any) -> None:
    keys = [access.MRZKey(card.document_number, card.date_of_birth, card.date_of_expiry), access.CANKey(card.can)]
    result = run_suite(lambda: pcsc.PCSCTransport.open(READER, wait=5.0), keys, sessions=3)
    bad = [f"{r.id} {r.outcome.value}: {r.message}" for r in result.results
           if r.outcome in (Outcome.FAIL, Outcome.ERROR)]
    assert not bad, "\n".join(bad)
    assert result.environment.reader == READER
    assert result.environment.atr[:1] == b"\x3b"
    assert result.result("ATR-002").outcome is Outcome.PASS
    assert result.result("PERF-001").outcome is Outcome.PASS
    assert junit_problems(render_junit(result)) == []
    perf = {m.name: m.value for m in result.result("PERF-001").measurements}
    lat = {m.name: m.value for m in result.result("PERF-002").measurements}
    print(f"\nthrough pcscd: DG2 {perf['DG2 size']:g} B in {perf['read time']:g} s "
          f"({perf['throughput']:g} B/s, {perf['apdus']:g} APDUs); APDU p50 {lat['apdu latency p50']} ms, "
          f"p90 {lat['apdu latency p90']} ms, p99 {lat['apdu latency p99']} ms")
