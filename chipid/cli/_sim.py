"""``chipid sim serve|issue`` (the virtual chip) and ``chipid demo`` (the main job, no reader needed)."""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path
from typing import Any

from chipid.cli._console import Console

__all__ = ["parse_faults", "register"]

VPCD_READER = "Virtual PCD 00 00"


def register(sub: Any) -> None:
    p = sub.add_parser("sim", help="the virtual CCCD chip: issue a card profile, or serve one to pcscd (vpcd)")
    ssub = p.add_subparsers(dest="sim_command", required=True, parser_class=type(p))
    s = ssub.add_parser("serve", help="attach a virtual card to pcscd's vpcd reader until Ctrl-C")
    s.add_argument("--profile", type=Path, help="a saved card profile (default: the built-in card)")
    s.add_argument("--seed", help="issue a fresh card from this seed instead")
    s.add_argument("--port", type=int, default=35963, help="vpcd port (35963 = 'Virtual PCD 00 00')")
    s.add_argument("--fault", action="append", default=[], metavar="NAME[=VALUE]", help=_FAULT_HELP)
    s.add_argument("--seconds", type=float, default=None, help="stop after this many seconds")
    s.set_defaults(func=cmd_serve)
    i = ssub.add_parser("issue", help="personalise a synthetic Vietnamese citizen card and save its profile")
    i.add_argument("--seed", default="1", help="deterministic seed (same seed, same card)")
    i.add_argument("--pki", choices=("ec", "rsa"), default="ec")
    i.add_argument("--face", choices=("jpeg", "jp2"), default="jpeg")
    i.add_argument("--out", type=Path, required=True, help="where to save the profile")
    from chipid.sim.deviations import DEVIATIONS  # small: no crypto, no PKI

    i.add_argument("--deviation", action="append", default=[], metavar="NAME", choices=tuple(DEVIATIONS),
                   help="a chip that deviates from the ideal (repeatable): " + ", ".join(DEVIATIONS))
    i.set_defaults(func=cmd_issue)
    d = sub.add_parser("demo", help="read and verify the built-in virtual CCCD end to end (exit 0 = verified)")
    d.add_argument("--in-process", action="store_true", help="skip pcscd/vpcd even when available")
    d.set_defaults(func=cmd_demo)


_FAULT_HELP = ("inject a fault: tear_after=N, wrong_mac=once|always, corrupt_dgs=2,13, cloned, delay_ms=N, "
               "no_extended_length, refuse_sfi, refuse_le_zero, max_read=N, bac_only, aa_replay (repeatable)")


def parse_faults(specs: list[str]) -> Any:
    """``["corrupt_dgs=2,13", "cloned"]`` -> ``Faults(corrupt_dgs=(2, 13), cloned=True)``."""
    from chipid.sim import Faults

    fields = {f.name: f for f in dataclasses.fields(Faults)}
    values: dict[str, Any] = {}
    for spec in specs:
        name, _, value = spec.partition("=")
        name = name.strip().replace("-", "_")
        if name not in fields:
            raise SystemExit(f"chipid: unknown fault {name!r}; known: {', '.join(fields)}")
        default = getattr(Faults(), name)
        if isinstance(default, bool):
            values[name] = value.lower() not in ("0", "false", "no") if value else True
        elif isinstance(default, tuple):
            values[name] = tuple(int(v) for v in value.split(",") if v)
        elif name in ("tear_after", "delay_ms") or isinstance(default, int):
            values[name] = int(value)
        else:
            values[name] = value or None
    return Faults(**values)


def _load_profile(args: argparse.Namespace) -> Any:
    from chipid.sim.personalize import default_profile, issue_card
    from chipid.sim.profile import CardProfile

    if getattr(args, "seed", None):
        return issue_card(args.seed)
    if getattr(args, "profile", None):
        return CardProfile.load(args.profile)
    return default_profile()


def cmd_issue(args: argparse.Namespace) -> int:
    from chipid.sim.personalize import issue_card

    console = Console(color=False if args.no_color else None)
    profile = issue_card(args.seed, pki=args.pki, face=args.face, deviations=args.deviation)
    path = profile.save(args.out)
    console.print(f"Issued virtual card for {profile.holder.get('full_name', '?')} -> {path}")
    console.print(f"  read it with: chipid read --sim {path} --can {profile.can}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from chipid.sim import VirtualChip
    from chipid.sim.vpcd import VpcdBridge

    console = Console(color=False if args.no_color else None)
    profile = _load_profile(args)
    chip = VirtualChip(profile, faults=parse_faults(args.fault))
    with VpcdBridge(chip, port=args.port):
        console.print(f"Virtual card attached to vpcd on 127.0.0.1:{args.port}; Ctrl-C to remove it")
        console.print(f"  CAN {profile.can}, document number {profile.document_number}, "
                      f"DOB {profile.date_of_birth}, DOE {profile.date_of_expiry} (synthetic test card)")
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        try:
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
    return 0


def _vpcd_reader_present() -> bool:
    try:
        from chipid.transport.pcsc import list_readers

        return any(VPCD_READER in r for r in list_readers())
    except Exception:  # pcscd absent or pyscard unusable: the demo falls back to in-process
        return False


def cmd_demo(args: argparse.Namespace) -> int:
    from chipid.cli._read import _trust, print_holder, print_report, verdict_exit_code
    from chipid.reader import DocumentReader
    from chipid.sim import SimTransport, VirtualChip
    from chipid.sim.personalize import default_profile
    from chipid.transport.base import Transport

    console = Console(color=False if args.no_color else None)
    profile = default_profile()
    chip = VirtualChip(profile)
    can = profile.can_key()
    console.heading("chipid demo: a synthetic Vietnamese CCCD on a virtual chip")
    bridge = None
    transport: Transport
    if not args.in_process and _vpcd_reader_present():
        from chipid.sim.vpcd import VpcdBridge
        from chipid.transport.pcsc import PCSCTransport

        bridge = VpcdBridge(chip)
        bridge.start()
        transport = PCSCTransport.open(VPCD_READER, wait=10.0)
        console.print(f"Path: real PC/SC stack (pcscd + vpcd reader '{VPCD_READER}')")
    else:
        transport = SimTransport(chip)
        console.print("Path: in-process transport (pcscd with the vpcd driver not available)")
    try:
        started = time.perf_counter()
        with console.progress() as update:
            result = DocumentReader(transport, can, trust=_trust([], profile), progress=update).read()
        elapsed = time.perf_counter() - started
    finally:
        transport.close()
        if bridge is not None:
            bridge.stop()
    console.print(f"Access control: {result.protocol} with the CAN; read and verified in {elapsed:.2f} s")
    print_holder(console, result.document)
    print_report(console, result.report)
    return verdict_exit_code(result.report)
