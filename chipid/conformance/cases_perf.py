"""Performance and robustness cases: DG2 throughput, APDU latency, repeated sessions, card removal.

Throughput (PERF-001) and latency (PERF-002) pass only within the run's thresholds
(:class:`~chipid.conformance.thresholds.Thresholds`: defaults from ISO/IEC 14443 and ICAO 9303 figures,
configurable with ``chipid conformance --min-throughput`` / ``--max-latency-p90``), so a slow chip or reader fails.
ISO/IEC 14443-4 §7 (block transmission) and ICAO 9303-10 §3.5
(READ BINARY of the LDS files) bound what is measured; removal follows PC/SC Part 3 card events.
"""

from __future__ import annotations

import time

from chipid.conformance.context import CaseContext, CaseSkipped
from chipid.conformance.model import Case
from chipid.conformance.stats import latency_measurements, percentile
from chipid.errors import CardRemovedError, ChipFileNotFoundError, NoCardError

__all__ = ["CASES"]

_DG1, _DG2, _COM = 0x0101, 0x0102, 0x011E


def _throughput(ctx: CaseContext) -> None:
    channel = ctx.session()
    before = len(ctx.latencies_ms)
    start = time.perf_counter()
    try:
        data = ctx.read_file(channel, _DG2)
    except ChipFileNotFoundError:
        ctx.skip("no DG2 on this document")
    elapsed = time.perf_counter() - start
    apdus = len(ctx.latencies_ms) - before
    ctx.measure("DG2 size", len(data), "B")
    ctx.measure("read time", round(elapsed, 4), "s")
    ctx.measure("throughput", round(len(data) / elapsed if elapsed else 0.0, 1), "B/s")
    ctx.measure("apdus", apdus, "APDU")
    rate = len(data) / elapsed if elapsed else float("inf")
    floor = ctx.thresholds.min_throughput_bps
    ctx.check(rate >= floor, f"DG2 read at {rate:,.0f} B/s, below the {floor:,.0f} B/s threshold "
                             f"({len(data)} bytes in {elapsed:.3f} s, {apdus} APDUs)")
    ctx.message = f"{len(data)} bytes in {elapsed:.3f} s ({apdus} APDUs; threshold {floor:,.0f} B/s)"


def _latency(ctx: CaseContext) -> None:
    channel = ctx.session()
    _, sw = ctx.send(channel, "00A4020C020101")
    ctx.check(sw == 0x9000, f"SELECT DG1 answered {sw:04X}")
    rounds = max(20, ctx.sessions * 5)
    before = len(ctx.latencies_ms)
    for _ in range(rounds):
        data, sw = ctx.send(channel, "00B0000020")
        ctx.check(sw in (0x9000, 0x6282) and bool(data), f"READ BINARY answered {sw:04X}")
    samples = ctx.latencies_ms[before:]
    ctx.measurements.extend(latency_measurements(samples))
    p90, limit = percentile(samples, 90), ctx.thresholds.max_latency_p90_ms
    ctx.check(p90 <= limit, f"p90 latency {p90:.1f} ms of a 32-byte protected READ BINARY exceeds the "
                            f"{limit:g} ms threshold")
    ctx.message = (f"{rounds} READ BINARY of 32 bytes: p50 {percentile(samples, 50):.2f} ms, p90 {p90:.2f} ms "
                   f"(threshold {limit:g} ms)")


def _stability(ctx: CaseContext) -> None:
    durations: list[float] = []
    failures: list[str] = []
    reference: bytes | None = None
    for index in range(ctx.sessions):
        start = time.perf_counter()
        try:
            channel = ctx.session()
            data = ctx.read_file(channel, _COM) + ctx.read_file(channel, _DG1)
        except CaseSkipped:
            raise
        except Exception as err:
            failures.append(f"session {index + 1}: {type(err).__name__}: {err}")
            continue
        finally:
            ctx.close_all()
        durations.append((time.perf_counter() - start) * 1000.0)
        if reference is None:
            reference = data
        elif data != reference:
            failures.append(f"session {index + 1}: EF.COM/DG1 differ from session 1")
    for line in failures:
        ctx.note(line)
    ctx.measure("sessions", ctx.sessions, "")
    ctx.measure("failed sessions", len(failures), "")
    if durations:
        ctx.measurements.extend(latency_measurements(durations, prefix="session time"))
    if failures:
        ctx.fail(f"{len(failures)} of {ctx.sessions} sessions failed: {failures[0]}")
    ctx.message = f"{ctx.sessions} sessions, identical data each time"


_REMOVAL_ROUNDS = 16
"""Rounds of EF.COM/DG1/DG2 reads REM-001 makes while waiting for the removal (a tear or the operator): with
whole-file reads a session is short, so a ``tear_after=N`` fault needs enough APDUs after access control to fire."""


def _removal(ctx: CaseContext) -> None:
    channel = ctx.session()
    reference = ctx.read_file(channel, _COM)
    removed: BaseException | None = None
    if ctx.interactive is not None:
        ctx.interactive("Remove the card from the reader now, then press Enter.")
    try:
        for fid in (_COM, _DG1, _DG2) * _REMOVAL_ROUNDS:  # reads go on until the card leaves (or give up)
            ctx.read_file(channel, fid)
    except (CardRemovedError, NoCardError) as err:
        removed = err
    except ChipFileNotFoundError:
        pass
    if removed is None:
        ctx.skip("needs a card removal: a fault-injecting virtual chip (tear) or --interactive")
    ctx.note(f"removal reported as {type(removed).__name__}: {removed}")
    ctx.close_all()
    if ctx.interactive is not None:
        ctx.interactive("Put the card back on the reader, then press Enter.")
    again = ctx.read_file(ctx.session(), _COM)
    ctx.check(again == reference, "EF.COM read after reinsertion differs from before the removal")
    ctx.message = f"removal raised {type(removed).__name__}; clean re-read after reconnecting"


CASES = (
    Case("PERF-001", "Large-file read throughput: DG2 under secure messaging (bytes/s, APDU count)",
         "ICAO 9303-10 §3.5; ISO/IEC 14443-4 §7", ("access key", "DG2"), _throughput),
    Case("PERF-002", "Per-APDU latency percentiles (p50/p90/p99) of short protected READ BINARY",
         "ISO/IEC 14443-4 §7; ICAO 9303-11 §9.8", ("access key",), _latency),
    Case("STAB-001", "N successive sessions (fresh connection, access, read) all succeed with identical data",
         "ICAO 9303-11 §4.2; ISO/IEC 7816-4:2005 §7.2.3", ("access key",), _stability),
    Case("REM-001", "Card removal mid-session raises a typed error and a new session reads cleanly",
         "ISO/IEC 7816-3:2006 §6 (deactivation); PC/SC Part 3 (card removal events)", ("access key", "removal"),
         _removal),
)
