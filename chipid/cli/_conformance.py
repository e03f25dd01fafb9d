"""``chipid conformance``: the reader/card conformance suite with terminal, JUnit XML and HTML reports."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from chipid.cli._console import Console
from chipid.cli._exit import EXIT_NOT_GENUINE, EXIT_OK, check_paths, usage_error
from chipid.cli._keys import add_key_options, keys_from_args
from chipid.cli._read import bounded_float, load_profile, open_pcsc
from chipid.cli._sim import FAULT_HELP, parse_faults
from chipid.conformance.thresholds import DEFAULT_THRESHOLDS, Thresholds
from chipid.errors import ParseError

__all__ = ["register"]

_REMOVAL_CASE = "REM-001"


def _sessions(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"{text} is out of range (1 to 10000)")
    return value


def register(sub: Any) -> None:
    p = sub.add_parser("conformance", help="run the reader/card conformance suite",
                       description="Examples: chipid conformance --reader 0 --can 123456 --mrz '...' --html r.html; "
                                   "chipid conformance --sim --fault corrupt_dgs=2 (PA-001 must FAIL); "
                                   "chipid conformance --sim --fault tear_after=25 (REM-001 tears and recovers)")
    p.add_argument("--reader", metavar="R", help="reader name substring or index")
    p.add_argument("--sim", nargs="?", const="default", metavar="PROFILE",
                   help="run against the in-process virtual chip (built-in card or a saved profile)")
    p.add_argument("--fault", action="append", default=[], metavar="NAME[=VALUE]",
                   help=f"with --sim only: {FAULT_HELP}. tear_after=N tears the card at the N-th APDU of the "
                        "removal case REM-001 (the other cases run on an intact card): choose N past its access "
                        "and first read, e.g. 25")
    add_key_options(p, required=False, both=True)
    p.add_argument("--trust", action="append", type=Path, default=[], metavar="PATH",
                   help="CSCA trust (as for 'chipid read'); default: the store of 'chipid trust add'")
    p.add_argument("--cases", nargs="*", metavar="ID", help="case IDs or groups (default: all)")
    p.add_argument("--sessions", type=_sessions, default=10, help="sessions of the stability case (1-10000)")
    perf = p.add_argument_group("performance thresholds (defaults from ISO/IEC 14443 and ICAO 9303 figures)")
    perf.add_argument("--min-throughput", type=bounded_float(0, 1e9), metavar="B/S",
                      default=DEFAULT_THRESHOLDS.min_throughput_bps,
                      help="PERF-001 fails below this DG2 read rate (default %(default)g bytes/s)")
    perf.add_argument("--max-latency-p90", type=bounded_float(0.01, 60_000), metavar="MS",
                      default=DEFAULT_THRESHOLDS.max_latency_p90_ms,
                      help="PERF-002 fails above this p90 APDU round trip (default %(default)g ms)")
    report = p.add_argument_group("report")
    report.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML")
    report.add_argument("--html", type=Path, metavar="FILE", help="write a self-contained HTML report")
    report.add_argument("--dut", default="", metavar="TEXT",
                        help="the device under test, for the reports (card model, batch, reader)")
    report.add_argument("--operator", default="", metavar="NAME", help="who runs the suite, for the reports")
    p.add_argument("--details", action="store_true", help="show measurements and messages per case")
    p.add_argument("--interactive", action="store_true",
                   help="a person is at the reader: run the removal case (REM-001) with prompts")
    p.set_defaults(func=cmd_conformance)


def _prompt(message: str) -> None:
    input(f"{message} — press Enter when done ")


def _check_options(args: argparse.Namespace) -> None:
    from chipid.conformance.catalogue import select_cases

    if args.sim and args.reader is not None:
        raise usage_error("--sim and --reader exclude each other: the suite runs on a reader or on the virtual chip")
    if args.fault and not args.sim:
        raise usage_error("--fault needs --sim: faults are injected by the virtual chip, a real card cannot be "
                          "told to misbehave")
    if args.cases:
        try:
            select_cases(args.cases)
        except ParseError as err:
            raise usage_error(str(err.reason), "case IDs and groups are listed in docs/conformance.md") from err
    check_paths(args.trust)


def cmd_conformance(args: argparse.Namespace) -> int:
    from chipid.cli._read import trust_for
    from chipid.conformance.html import write_html
    from chipid.conformance.junit import write_junit
    from chipid.conformance.runner import run_suite
    from chipid.conformance.summary import format_summary
    from chipid.transport.base import Transport

    console = Console(color=False if args.no_color else None)
    _check_options(args)
    can, mrz = keys_from_args(args)
    keys: list[Any] = [k for k in (mrz, can) if k is not None]
    profile = None
    factory: Any
    overrides: dict[str, Any] = {}
    if args.sim:
        from chipid.sim import SimTransport, VirtualChip

        faults = parse_faults(args.fault)
        profile = load_profile(args.sim)
        chip = VirtualChip(profile, faults=dataclasses.replace(faults, tear_after=None))

        def factory() -> Transport:
            return SimTransport(chip)

        if faults.tear_after is not None:
            torn_chip = VirtualChip(profile, faults=faults)  # counts APDUs from REM-001's first one
            overrides[_REMOVAL_CASE] = lambda: SimTransport(torn_chip)
        keys = keys or [profile.mrz_key(), profile.can_key()]
        reader = "in-process virtual chip"
    else:
        first = open_pcsc(args.reader, 0.0)  # the reader exists and holds a card: say so now, not per case
        reader = first.reader
        first.close()

        def factory() -> Transport:
            from chipid.transport.pcsc import PCSCTransport

            return PCSCTransport.open(reader)

    def progress(result: Any, index: int, total: int) -> None:
        console.print(f"[{index:>3}/{total}] {result.case.id:<10} {result.outcome.value:<5} {result.case.title}")

    thresholds = Thresholds(min_throughput_bps=args.min_throughput, max_latency_p90_ms=args.max_latency_p90)
    result = run_suite(factory, keys or None, cases=args.cases or None, trust=trust_for(args.trust, profile),
                       progress=progress, sessions=args.sessions, reader=reader,
                       interactive=_prompt if args.interactive else None, thresholds=thresholds,
                       case_factories=overrides, device_under_test=args.dut, operator=args.operator)
    console.print(format_summary(result, details=args.details))
    if args.junit:
        write_junit(result, args.junit)
        console.print(f"JUnit XML: {args.junit}")
    if args.html:
        write_html(result, args.html)
        console.print(f"HTML report: {args.html}")
    return EXIT_OK if result.passed else EXIT_NOT_GENUINE
