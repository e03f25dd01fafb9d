"""``chipid conformance``: the reader/card conformance suite with terminal, JUnit XML and HTML reports."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from chipid.cli._console import Console
from chipid.cli._keys import add_key_options, key_from_args

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("conformance", help="run the reader/card conformance suite")
    p.add_argument("--reader", metavar="R", help="reader name substring or index")
    p.add_argument("--sim", nargs="?", const="default", metavar="PROFILE",
                   help="run against the in-process virtual chip (built-in card or a saved profile)")
    p.add_argument("--fault", action="append", default=[], metavar="NAME[=VALUE]",
                   help="with --sim: inject a fault (e.g. corrupt_dg=2, wrong_mac, no_extended_length)")
    add_key_options(p, required=False)
    p.add_argument("--trust", action="append", type=Path, default=[], metavar="PATH")
    p.add_argument("--cases", nargs="*", metavar="ID", help="case IDs or groups (default: all)")
    p.add_argument("--sessions", type=int, default=10, help="sessions of the stability case")
    p.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML")
    p.add_argument("--html", type=Path, metavar="FILE", help="write a self-contained HTML report")
    p.add_argument("--details", action="store_true", help="show measurements and messages per case")
    p.add_argument("--interactive", action="store_true",
                   help="a person is at the reader: run the removal case (REM-001) with prompts")
    p.set_defaults(func=cmd_conformance)


def _prompt(message: str) -> None:
    input(f"{message} — press Enter when done ")


def cmd_conformance(args: argparse.Namespace) -> int:
    from chipid.cli._read import trust_for as _trust
    from chipid.cli._sim import parse_faults
    from chipid.conformance.html import write_html
    from chipid.conformance.junit import write_junit
    from chipid.conformance.runner import run_suite
    from chipid.conformance.summary import format_summary
    from chipid.transport.base import Transport

    console = Console(color=False if args.no_color else None)
    key = key_from_args(args)
    profile = None
    factory: Any
    if args.sim:
        from chipid.sim import SimTransport, VirtualChip
        from chipid.sim.personalize import default_profile
        from chipid.sim.profile import CardProfile

        profile = default_profile() if args.sim == "default" else CardProfile.load(Path(args.sim))
        chip = VirtualChip(profile, faults=parse_faults(args.fault))

        def factory() -> Transport:
            return SimTransport(chip)

        keys: Any = key or [profile.mrz_key(), profile.can_key()]
        reader = "in-process virtual chip"
    else:
        from chipid.transport.pcsc import PCSCTransport

        selected: str | int | None = int(args.reader) if args.reader and args.reader.isdigit() else args.reader

        def factory() -> Transport:
            return PCSCTransport.open(selected)

        keys, reader = key, None

    def progress(result: Any, index: int, total: int) -> None:
        console.print(f"[{index:>3}/{total}] {result.case.id:<10} {result.outcome.value:<5} {result.case.title}")

    result = run_suite(factory, keys, cases=args.cases or None, trust=_trust(args.trust, profile),
                       progress=progress, sessions=args.sessions, reader=reader,
                       interactive=_prompt if args.interactive else None)
    console.print(format_summary(result, details=args.details))
    if args.junit:
        write_junit(result, args.junit)
        console.print(f"JUnit XML: {args.junit}")
    if args.html:
        write_html(result, args.html)
        console.print(f"HTML report: {args.html}")
    return 0 if result.passed else 1
