"""``chipid readers``, ``chipid read`` and ``chipid verify``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from chipid.cli._console import Console
from chipid.cli._keys import add_key_options, key_from_args
from chipid.report import Verdict, VerificationReport
from chipid.transport.base import Transport

__all__ = ["open_transport", "register", "verdict_exit_code", "write_outputs"]

READ_SCHEMA = "chipid.read/1"


def register(sub: Any) -> None:
    p = sub.add_parser("readers", help="list PC/SC readers and whether a card is present")
    p.set_defaults(func=cmd_readers)

    for name, helptext in (("read", "read a card: holder data, photo, raw files and verdict"),
                           ("verify", "verify a card (live) or a saved dump directory; exit code = verdict")):
        p = sub.add_parser(name, help=helptext)
        if name == "verify":
            p.add_argument("dump", nargs="?", type=Path, help="a directory written by 'chipid read --out'")
        _add_card_options(p)
        add_key_options(p, required=False)
        p.add_argument("--trust", action="append", type=Path, default=[], metavar="PATH",
                       help="CSCA certificates: PEM/DER file or folder, master list, LDIF, CRL (repeatable)")
        p.add_argument("--json", action="store_true", help="print the JSON document (schema chipid.read/1)")
        if name == "read":
            p.add_argument("--out", type=Path, metavar="DIR", help="write raw files, photo and JSON here")
            p.add_argument("--read-dg3", action="store_true", help="also try DG3 (fingerprints; needs EAC)")
        p.set_defaults(func=cmd_read if name == "read" else cmd_verify)


def _add_card_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("card")
    g.add_argument("--reader", metavar="R", help="reader name substring or index (default: first with a card)")
    g.add_argument("--wait", type=float, default=0.0, metavar="S", help="wait up to S seconds for a card")
    g.add_argument("--sim", nargs="?", const="default", metavar="PROFILE",
                   help="use the in-process virtual chip (built-in card, or a saved profile)")
    g.add_argument("--trace", action="store_true", help="print the APDU log to stderr (secrets redacted)")
    g.add_argument("--trace-secrets", action="store_true", help="with --trace: show secrets too (DANGER)")


def open_transport(args: argparse.Namespace) -> tuple[Transport, str, Any]:
    """The transport the options ask for, a description, and the virtual chip's profile (or None)."""
    profile = None
    transport: Transport
    if getattr(args, "sim", None):
        from chipid.sim import SimTransport, VirtualChip
        from chipid.sim.personalize import default_profile
        from chipid.sim.profile import CardProfile

        profile = default_profile() if args.sim == "default" else CardProfile.load(Path(args.sim))
        transport = SimTransport(VirtualChip(profile))
        where = "in-process virtual chip"
    else:
        from chipid.transport.pcsc import PCSCTransport

        reader: str | int | None = args.reader
        if isinstance(reader, str) and reader.isdigit():
            reader = int(reader)
        pcsc = PCSCTransport.open(reader, wait=args.wait)
        transport, where = pcsc, pcsc.reader
    if getattr(args, "trace", False):
        from chipid.transport.trace import TracingTransport

        transport = TracingTransport(transport, lambda line: print(line, file=sys.stderr),
                                     show_secrets=bool(args.trace_secrets))
    return transport, where, profile


def _trust(paths: list[Path], profile: Any) -> Any:
    """The trust store from ``--trust`` paths, plus the virtual card's own test CSCA and CRL; None if neither."""
    from chipid.pki.trust import TrustStore

    if not paths and profile is None:
        return None
    store = profile.trust_store() if profile is not None else TrustStore()
    for path in paths:
        store.load_path(path)
    return store


def verdict_exit_code(report: VerificationReport) -> int:
    return {Verdict.GENUINE: 0, Verdict.NOT_GENUINE: 1, Verdict.INCOMPLETE: 2}[report.verdict]


def _result_json(document: Any, report: VerificationReport, protocol: str | None, steps: Any) -> dict[str, Any]:
    return {
        "schema": READ_SCHEMA,
        "protocol": protocol,
        "document": document.to_dict(photo="base64"),
        "report": report.to_dict(),
        "steps": [{"name": s.name, "status": s.status, "detail": s.detail, "seconds": round(s.seconds, 4)}
                  for s in steps],
    }


def write_outputs(out: Path, document: Any, report: VerificationReport, protocol: str | None, steps: Any) -> None:
    """Write the raw files (as read), the photo, document.json and report.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, data in document.raw.items():
        (out / f"{name.replace('.', '_')}.bin").write_bytes(data)
    face = document.face_image()
    if face is not None:
        ext = {"image/jpeg": "jpg", "image/jp2": "jp2", "image/j2k": "j2k"}.get(document.face_mime_type() or "", "bin")
        (out / f"face.{ext}").write_bytes(face)
    payload = _result_json(document, report, protocol, steps)
    (out / "document.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    (out / "report.json").write_text(report.to_json(indent=2) + "\n")


def print_holder(console: Console, document: Any) -> None:
    holder = document.holder()
    if holder is None:
        console.warn("No holder data (DG1 and DG13 unreadable)")
        return
    console.heading(f"Holder (from {holder.source})")
    for f in dataclasses.fields(holder):
        value = getattr(holder, f.name)
        if f.name == "source" or value in (None, "", [], ()):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        console.print(f"  {f.name.replace('_', ' '):<20} {shown}")


def print_report(console: Console, report: VerificationReport) -> None:
    console.heading("Verification")
    for check in report.checks:
        mark = {"PASSED": "ok  ", "WARN": "WARN", "FAILED": "FAIL", "NOT_PERFORMED": "--  "}[check.status.value]
        if check.failed and not check.required:
            mark = "WARN"  # informational: never changes the verdict
        line = f"  {mark} {check.name:<34} {check.reason}"
        if check.failed and check.required:
            console.bad(line)
        elif check.passed:
            console.print(line)
        else:
            console.warn(line)
    verdict = report.verdict
    text = f"Verdict: {verdict.value} — {report.verdict_reason}"
    {Verdict.GENUINE: console.ok, Verdict.NOT_GENUINE: console.bad, Verdict.INCOMPLETE: console.warn}[verdict](text)


def _read_live(args: argparse.Namespace, console: Console) -> Any:
    from chipid.reader import DocumentReader

    key = key_from_args(args)
    if key is None:
        if getattr(args, "sim", None):
            key = None
        else:
            raise SystemExit("chipid: an access key is needed: --can, --mrz, or --id-card/--doc-number with "
                             "--dob --doe")
    transport, where, profile = open_transport(args)
    if key is None and profile is not None:
        key = profile.can_key()
    assert key is not None
    console.print(f"Reading from {where}")
    try:
        with console.progress() as update:
            reader = DocumentReader(transport, key, trust=_trust(args.trust, profile), progress=update,
                                    read_dg3=bool(getattr(args, "read_dg3", False)))
            return reader.read()
    finally:
        transport.close()


def cmd_readers(args: argparse.Namespace) -> int:
    from chipid.transport.pcsc import card_present, list_readers

    console = Console(color=False if args.no_color else None)
    names = list_readers()
    if not names:
        console.warn("no PC/SC readers (is pcscd running? is a reader plugged in?)")
        return 4
    for i, name in enumerate(names):
        console.print(f"{i}: {name}  [{'card present' if card_present(name) else 'no card'}]")
    return 0


def cmd_read(args: argparse.Namespace) -> int:
    console = Console(sys.stderr if args.json else None, color=False if args.no_color else None)
    result = _read_live(args, console)
    if args.out:
        write_outputs(args.out, result.document, result.report, result.protocol, result.steps)
        console.print(f"Wrote raw files, photo and document.json to {args.out}")
    if args.json:
        print(json.dumps(_result_json(result.document, result.report, result.protocol, result.steps),
                         indent=2, ensure_ascii=False, sort_keys=True))
    else:
        console.print(f"Access control: {result.protocol}")
        print_holder(console, result.document)
        print_report(console, result.report)
    return verdict_exit_code(result.report)


def cmd_verify(args: argparse.Namespace) -> int:
    console = Console(sys.stderr if args.json else None, color=False if args.no_color else None)
    if args.dump is None:
        result = _read_live(args, console)
        document, report, protocol, steps = result.document, result.report, result.protocol, result.steps
    else:
        document, report = verify_dump(args.dump, _trust(args.trust, None))
        protocol, steps = None, ()
    if args.json:
        print(json.dumps(_result_json(document, report, protocol, steps), indent=2, ensure_ascii=False,
                         sort_keys=True))
    else:
        print_report(console, report)
    return verdict_exit_code(report)


def _file_name(stem: str) -> str:
    """``EF_COM`` -> ``EF.COM``; ``DG1`` stays."""
    return "EF." + stem[3:] if stem.startswith("EF_") else stem


def verify_dump(directory: Path, trust: Any) -> tuple[Any, VerificationReport]:
    """Passive Authentication of a dump written by ``chipid read --out`` (AA/CA need the chip: not performed)."""
    from chipid.document import Document
    from chipid.verify import verify

    if not directory.is_dir():
        raise SystemExit(f"chipid: {directory} is not a directory written by 'chipid read --out'")
    raw = {_file_name(p.stem): p.read_bytes() for p in sorted(directory.glob("*.bin"))}
    if "EF.SOD" not in raw:
        raise SystemExit(f"chipid: {directory} holds no EF_SOD.bin: nothing to verify against")
    document = Document.from_files(raw)
    return document, verify(document, trust)
