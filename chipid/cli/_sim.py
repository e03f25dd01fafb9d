"""``chipid sim serve|issue`` (the virtual chip) and ``chipid demo`` (the main job, no reader needed)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

from chipid.cli._console import Console
from chipid.cli._exit import usage_error
from chipid.cli._labels import Labels
from chipid.cli._read import bounded_float

__all__ = ["FAULT_HELP", "parse_faults", "register"]

VPCD_READER = "Virtual PCD 00 00"


def register(sub: Any) -> None:
    p = sub.add_parser("sim", help="the virtual CCCD chip: issue a card profile, or serve one to pcscd (vpcd)")
    ssub = p.add_subparsers(dest="sim_command", required=True, parser_class=type(p))
    s = ssub.add_parser("serve", help="attach a virtual card to pcscd's vpcd reader until Ctrl-C")
    s.add_argument("--profile", type=Path, help="a saved card profile (default: the built-in card)")
    s.add_argument("--seed", help="issue a fresh card from this seed instead")
    s.add_argument("--port", type=int, default=35963, choices=range(1, 65536), metavar="PORT",
                   help="vpcd port (35963 = 'Virtual PCD 00 00', 35964 = '... 00 01')")
    s.add_argument("--fault", action="append", default=[], metavar="NAME[=VALUE]", help=FAULT_HELP)
    s.add_argument("--seconds", type=bounded_float(0, 7 * 24 * 3600), default=None,
                   help="stop after this many seconds")
    s.add_argument("--reinsert-after", type=bounded_float(0, 3600), default=None, metavar="S",
                   help="put a torn card (--fault tear_after=N) back on the reader after S seconds "
                        "(on a terminal, Enter puts it back at once)")
    s.set_defaults(func=cmd_serve)
    i = ssub.add_parser("issue", help="personalise a synthetic Vietnamese citizen card and save its profile")
    i.add_argument("--seed", default="1", help="deterministic seed (same seed, same card)")
    i.add_argument("--pki", choices=("ec", "rsa"), default="ec")
    i.add_argument("--face", choices=("jpeg", "jp2"), default="jpeg", help="format of the drawn synthetic face")
    i.add_argument("--photo", type=Path, metavar="FILE",
                   help="a real photo for DG2 instead of the drawn face (stored as ICAO-size JPEG 2000)")
    i.add_argument("--out", type=Path, required=True, help="where to save the profile")
    from chipid.sim.deviations import DEVIATIONS  # small: no crypto, no PKI

    i.add_argument("--deviation", action="append", default=[], metavar="NAME", choices=tuple(DEVIATIONS),
                   help="a chip that deviates from the ideal (repeatable): " + ", ".join(DEVIATIONS))
    i.set_defaults(func=cmd_issue)
    d = sub.add_parser("demo", help="read and verify the built-in virtual CCCD end to end (exit 0 = verified)")
    d.add_argument("--in-process", action="store_true", help="skip pcscd/vpcd even when available")
    d.add_argument("--lang", choices=("en", "vi"), default="en",
                   help="labels of the holder view: en, or vi (Vietnamese, dates dd/mm/yyyy)")
    d.set_defaults(func=cmd_demo)


FAULT_HELP = ("inject a fault: tear_after=N, tear_repeat, wrong_mac=once|always, corrupt_dgs=2,13, cloned, "
              "delay_ms=N (0-10000), no_extended_length, refuse_sfi, refuse_le_zero, max_read=N, bac_only, "
              "aa_replay (repeatable)")
MAX_DELAY_MS = 10_000
MAX_TEAR_AFTER = 1_000_000
MAX_INT_FAULT = 1 << 20


def _int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise usage_error(f"--fault {name}={value}: not a whole number") from None
    if not low <= number <= high:
        raise usage_error(f"--fault {name}={value}: out of range ({low} to {high})")
    return number


def parse_faults(specs: list[str]) -> Any:
    """``["corrupt_dgs=2,13", "cloned"]`` -> ``Faults(corrupt_dgs=(2, 13), cloned=True)``.

    Raises:
        CLIError: an unknown fault or a bad value (usage error, exit 64).
    """
    from chipid.sim import Faults

    fields = {f.name: f for f in dataclasses.fields(Faults)}
    values: dict[str, Any] = {}
    for spec in specs:
        name, has_value, value = spec.partition("=")
        name = name.strip().replace("-", "_")
        value = value.strip()
        if name not in fields:
            raise usage_error(f"unknown fault {name!r}", f"known faults: {', '.join(fields)}")
        default = getattr(Faults(), name)
        if isinstance(default, bool):
            if value.lower() not in ("", "1", "true", "yes", "0", "false", "no"):
                raise usage_error(f"--fault {name}={value}: use {name}, {name}=true or {name}=false")
            values[name] = value.lower() not in ("0", "false", "no")
        elif isinstance(default, tuple):
            parts = [v for v in value.split(",") if v.strip()]
            if not parts:
                raise usage_error(f"--fault {name} needs data group numbers, e.g. {name}=2,13")
            values[name] = tuple(_int(name, v.strip(), 1, 16) for v in parts)
        elif name == "tear_after":
            values[name] = _int(name, value, 0, MAX_TEAR_AFTER) if has_value else None
            if values[name] is None:
                raise usage_error("--fault tear_after needs a number of APDUs, e.g. tear_after=12")
        elif name == "delay_ms":
            values[name] = _int(name, value, 0, MAX_DELAY_MS)
        elif name == "wrong_mac":
            if value not in ("", "once", "always"):
                raise usage_error(f"--fault wrong_mac={value}: use once or always")
            values[name] = value or "once"
        elif isinstance(default, int) or name in ("max_read",):
            if not has_value:
                raise usage_error(f"--fault {name} needs a number, e.g. {name}=1024")
            values[name] = _int(name, value, 0, MAX_INT_FAULT)
        else:
            values[name] = value or None
    return Faults(**values)


def _load_profile(args: argparse.Namespace) -> Any:
    from chipid.sim.personalize import default_profile, issue_card
    from chipid.sim.profile import CardProfile

    if getattr(args, "seed", None):
        return issue_card(args.seed)
    if getattr(args, "profile", None):
        if not args.profile.exists():
            raise usage_error(f"--profile {args.profile}: no such profile (make one with 'chipid sim issue')")
        return CardProfile.load(args.profile)
    return default_profile()


def cmd_issue(args: argparse.Namespace) -> int:
    from chipid.sim.personalize import issue_card

    console = Console(color=False if args.no_color else None)
    photo = None
    if args.photo is not None:
        try:
            photo = args.photo.read_bytes()
        except OSError as err:
            from chipid.errors import UnreadableImageError

            raise UnreadableImageError(f"cannot read {args.photo}: {err.strerror}", source="photo") from err
    profile = issue_card(args.seed, pki=args.pki, face=args.face, photo=photo, deviations=args.deviation)
    path = profile.save(args.out)
    console.print(f"Issued virtual card for {profile.holder.get('full_name', '?')} -> {path}")
    console.print(f"  read it with: chipid read --sim {path} --can {profile.can}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from chipid.sim import VirtualChip
    from chipid.sim.vpcd import VpcdBridge

    console = Console(color=False if args.no_color else None)
    faults = parse_faults(args.fault)
    profile = _load_profile(args)
    chip = VirtualChip(profile, faults=faults)
    with VpcdBridge(chip, port=args.port) as bridge:
        if not bridge.wait_connected(3.0):
            Console(sys.stderr, color=False if args.no_color else None).warn(
                f"vpcd does not answer on 127.0.0.1:{args.port} yet (is pcscd running with vsmartcard-vpcd?); "
                "still trying")
        console.print(f"Virtual card served to vpcd on 127.0.0.1:{args.port}; Ctrl-C to remove it")
        console.print(f"  CAN {profile.can}, document number {profile.document_number}, "
                      f"DOB {profile.date_of_birth}, DOE {profile.date_of_expiry} (synthetic test card)")
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        torn_at: float | None = None
        try:
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.1)
                if torn_at is None and not bridge.inserted:
                    torn_at = time.monotonic()
                    _announce_tear(console, args.reinsert_after)
                if torn_at is not None and _reinsert_due(torn_at, args.reinsert_after):
                    bridge.insert_card()
                    torn_at = None
                    console.print("Card put back on the reader")
        except KeyboardInterrupt:
            pass
    return 0


def _announce_tear(console: Console, reinsert_after: float | None) -> None:
    if reinsert_after is not None:
        console.print(f"Card torn from the field; putting it back in {reinsert_after:g} s")
    elif sys.stdin.isatty():
        console.print("Card torn from the field; press Enter to put it back")
    else:
        console.print("Card torn from the field (it stays out: use --reinsert-after S to put it back)")


def _reinsert_due(torn_at: float, reinsert_after: float | None) -> bool:
    if reinsert_after is not None:
        return time.monotonic() - torn_at >= reinsert_after
    if sys.stdin.isatty():
        import select

        ready, _, _ = select.select([sys.stdin], [], [], 0)
        if ready:
            sys.stdin.readline()
            return True
    return False


def _vpcd_reader_present() -> bool:
    try:
        from chipid.transport.pcsc import list_readers

        return any(VPCD_READER in r for r in list_readers())
    except Exception:  # pcscd absent or pyscard unusable: the demo falls back to in-process
        return False


def cmd_demo(args: argparse.Namespace) -> int:
    from chipid.cli._read import print_holder, print_report, print_summary, trust_for, verdict_exit_code
    from chipid.reader import DocumentReader
    from chipid.sim import SimTransport, VirtualChip
    from chipid.sim.personalize import default_profile
    from chipid.transport.base import Transport

    console = Console(color=False if args.no_color else None)
    labels = Labels(args.lang)
    profile = default_profile()
    chip = VirtualChip(profile)
    can = profile.can_key()
    bridge = None
    transport: Transport
    if not args.in_process and _vpcd_reader_present():
        from chipid.sim.vpcd import VpcdBridge
        from chipid.transport.pcsc import PCSCTransport

        bridge = VpcdBridge(chip)
        bridge.start()
        path = f"Path: real PC/SC stack (pcscd + vpcd reader '{VPCD_READER}')"
        try:
            transport = PCSCTransport.open(VPCD_READER, wait=10.0)
        except BaseException:
            bridge.stop()
            raise
    else:
        transport = SimTransport(chip)
        path = "Path: in-process transport (pcscd with the vpcd driver not available)"
    try:
        started = time.perf_counter()
        with console.progress() as update:
            result = DocumentReader(transport, can, trust=trust_for([], profile), progress=update).read()
        elapsed = time.perf_counter() - started
    finally:
        transport.close()
        if bridge is not None:
            bridge.stop()
    print_summary(console, result.document, result.report, labels)
    console.heading("chipid demo: a synthetic Vietnamese CCCD on a virtual chip")
    console.print(path)
    console.print(f"Access control: {result.protocol} with the CAN; read and verified in {elapsed:.2f} s")
    print_holder(console, result.document, labels)
    print_report(console, result.report, labels)
    return verdict_exit_code(result.report)
