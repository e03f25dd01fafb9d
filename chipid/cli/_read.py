"""``chipid readers``, ``chipid read`` and ``chipid verify``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from chipid.cli._console import Console
from chipid.cli._exit import EXIT_ERROR, EXIT_NO_CARD, CLIError, check_paths, usage_error
from chipid.cli._keys import add_key_options, key_from_args
from chipid.cli._labels import LANGS, Labels
from chipid.errors import NoCardError
from chipid.report import Verdict, VerificationReport
from chipid.transport.base import Transport

__all__ = ["bounded_float", "open_transport", "register", "verdict_exit_code", "write_outputs"]

MAX_WAIT_S = 3600.0


def bounded_float(low: float, high: float) -> Any:
    """An argparse type: a number in [low, high] (else a usage error, exit 64)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range ({low:g} to {high:g})")
        return value

    return parse


def register(sub: Any) -> None:
    p = sub.add_parser("readers", help="list PC/SC readers and whether a card is present")
    p.set_defaults(func=cmd_readers)

    for name, helptext in (("read", "read a card: holder data, photo, raw files and verdict"),
                           ("verify", "verify a card (live) or a saved dump directory; exit code = verdict")):
        p = sub.add_parser(name, help=helptext)
        if name == "verify":
            p.add_argument("dump", nargs="?", type=Path, help="a directory written by 'chipid read --out'")
            p.add_argument("--live-photo", type=Path, metavar="FILE",
                           help="photo of the customer (JPEG, PNG): adds the required biometric.face check "
                                "against the chip portrait (needs pip install 'chipid[face]')")
            p.add_argument("--face-fmr", type=float, default=1e-3, metavar="FMR",
                           help="target false-match rate of the face check (default 0.001 = 1/1,000)")
        add_card_options(p)
        add_key_options(p, required=False)
        p.add_argument("--trust", action="append", type=Path, default=[], metavar="PATH",
                       help="CSCA trust: certificate (PEM/DER), CRL, CSCA master list, LDIF, or a folder of them "
                            "(repeatable; recognised by content). Default: the store of 'chipid trust add'")
        p.add_argument("--strict-trust", action="store_true",
                       help="accept only independently trusted CSCAs (not ones that rest on a self-consistent "
                            "master list alone)")
        p.add_argument("--json", action="store_true", help="print the JSON document (schema chipid.read/1, "
                                                           "docs/read.schema.json)")
        p.add_argument("--lang", choices=LANGS, default="en",
                       help="labels of the holder view: en, or vi (Vietnamese, dates dd/mm/yyyy)")
        if name == "read":
            p.add_argument("--out", type=Path, metavar="DIR", help="write raw files, photo, document.json "
                                                                   "(chipid.read/1) and report.json here")
            p.add_argument("--read-dg3", action="store_true", help="also try DG3 (fingerprints; needs EAC)")
        p.set_defaults(func=cmd_read if name == "read" else cmd_verify)


def add_card_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("card")
    g.add_argument("--reader", metavar="R", help="reader name substring or index (default: first with a card)")
    g.add_argument("--wait", type=bounded_float(0, MAX_WAIT_S), default=0.0, metavar="S",
                   help="wait up to S seconds for a card")
    g.add_argument("--sim", nargs="?", const="default", metavar="PROFILE",
                   help="use the in-process virtual chip (built-in card, or a saved profile)")
    g.add_argument("--trace", action="store_true", help="print the APDU log to stderr (secrets redacted)")
    g.add_argument("--trace-secrets", action="store_true", help="with --trace: show secrets too (DANGER)")


def load_profile(spec: str) -> Any:
    """The virtual card for ``--sim [PROFILE]`` (usage error when the profile folder does not exist)."""
    from chipid.sim.personalize import default_profile
    from chipid.sim.profile import CardProfile

    if spec == "default":
        return default_profile()
    if not Path(spec).exists():
        raise usage_error(f"--sim {spec}: no such profile (make one with 'chipid sim issue --out DIR')")
    return CardProfile.load(Path(spec))


def open_pcsc(reader_arg: str | None, wait: float) -> Any:
    """Connect to a card through PC/SC with advice that names the readers concerned."""
    from chipid.errors import NoReaderError
    from chipid.transport.pcsc import PCSCTransport, list_readers

    names = list_readers()
    if not names:
        raise NoReaderError("no PC/SC reader found")
    listing = "; ".join(f"{i}: {n}" for i, n in enumerate(names))
    reader: str | int | None = reader_arg
    if reader_arg is None:
        chosen = names
    elif reader_arg.isdigit():
        reader = int(reader_arg)
        if reader >= len(names):
            raise CLIError(f"no reader #{reader}: {len(names)} reader(s) connected ({listing})", code=EXIT_NO_CARD,
                           hint=f"pick one with --reader 0..{len(names) - 1} or a part of its name")
        chosen = [names[reader]]
    else:
        chosen = [n for n in names if reader_arg.lower() in n.lower()]
        if not chosen:
            raise CLIError(f"no reader matching {reader_arg!r} ({listing})", code=EXIT_NO_CARD,
                           hint="pick one with --reader INDEX or a part of its name")
    try:
        return PCSCTransport.open(reader, wait=wait)
    except NoCardError as err:
        where = ", ".join(f"'{n}'" for n in chosen)
        raise CLIError(f"no card on {'the reader' if len(chosen) == 1 else 'any reader'}: {where} "
                       f"{'is' if len(chosen) == 1 else 'are'} empty", code=EXIT_NO_CARD,
                       hint="place the card flat on the reader and retry (--wait S waits for it)") from err


def open_transport(args: argparse.Namespace) -> tuple[Transport, str, Any]:
    """The transport the options ask for, a description, and the virtual chip's profile (or None)."""
    profile = None
    transport: Transport
    if getattr(args, "sim", None):
        from chipid.sim import SimTransport, VirtualChip

        if getattr(args, "reader", None) is not None:
            raise usage_error("--sim and --reader exclude each other (the virtual chip is not behind a reader)")
        profile = load_profile(args.sim)
        transport = SimTransport(VirtualChip(profile))
        where = "in-process virtual chip"
    else:
        pcsc = open_pcsc(args.reader, args.wait)
        transport, where = pcsc, pcsc.reader
    if getattr(args, "trace", False):
        from chipid.transport.trace import TracingTransport

        transport = TracingTransport(transport, lambda line: print(line, file=sys.stderr),
                                     show_secrets=bool(args.trace_secrets))
    return transport, where, profile


def trust_for(paths: list[Path], profile: Any, console: Console | None = None, *, strict: bool = False) -> Any:
    """The trust store: ``--trust`` paths, else the default store; plus the virtual card's test CSCA and CRL.

    Every skipped file is listed on ``console``. None when there is nothing to trust at all. ``strict``
    (``--strict-trust``): only independently trusted CSCAs count (see docs/verification.md).
    """
    from chipid.cli._trust import default_store_dir, load_trust
    from chipid.cli._trustcmd import load_default_store

    base = profile.trust_store() if profile is not None else None
    if paths:
        load = load_trust(paths, store=base)
        where = ", ".join(map(str, paths))
    else:
        found = load_default_store(store=base)  # loaded into the card's store: provenance kept as loaded
        where = f"default store {default_store_dir()}"
        if found is None:
            if console is not None and profile is None:
                console.warn(f"No trust anchors: the {where} is empty and no --trust was given "
                             "(add CSCAs with 'chipid trust add'); the verdict can be at best INCOMPLETE")
            if base is not None:
                base.strict = strict
            return base
        load = found
    if console is not None:
        console.print(f"Trust: {where} ({len(load.store.anchors)} CSCA(s), {len(load.store.crls)} CRL(s))")
        for file, reason in load.skipped:
            console.warn(f"Trust: skipped {file}: {reason}")
    load.store.strict = strict
    return load.store


def verdict_exit_code(report: VerificationReport) -> int:
    return {Verdict.GENUINE: 0, Verdict.NOT_GENUINE: 1, Verdict.INCOMPLETE: 2}[report.verdict]


def _result_json(document: Any, report: VerificationReport, protocol: str | None, steps: Any) -> dict[str, Any]:
    from chipid.reader import read_json

    return read_json(document, report, protocol, steps)


def write_outputs(out: Path, document: Any, report: VerificationReport, protocol: str | None, steps: Any) -> None:
    """Write the raw files (as read), the photo, document.json (chipid.read/1) and report.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, data in document.raw.items():
        (out / f"{name.replace('.', '_')}.bin").write_bytes(data)
    face = document.face_image()
    if face is not None:
        ext = {"image/jpeg": "jpg", "image/jp2": "jp2", "image/j2k": "j2k"}.get(document.face_mime_type() or "", "bin")
        (out / f"face.{ext}").write_bytes(face)
    payload = _result_json(document, report, protocol, steps)
    (out / "document.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                       encoding="utf-8")
    (out / "report.json").write_text(report.to_json(indent=2) + "\n", encoding="utf-8")


def print_summary(console: Console, document: Any, report: VerificationReport, labels: Labels) -> None:
    """The clerk's first line: ``GENUINE — Đặng Thu Dung, 001090000001``."""
    text = labels.summary(report.verdict.value, document.holder())
    {Verdict.GENUINE: console.ok, Verdict.NOT_GENUINE: console.bad,
     Verdict.INCOMPLETE: console.warn}[report.verdict](text)


def print_holder(console: Console, document: Any, labels: Labels | None = None) -> None:
    labels = labels or Labels()
    holder = document.holder()
    if holder is None:
        console.warn(labels.word("no_holder"))
        return
    console.heading(labels.word("holder", source=holder.source))
    width = 24 if labels.lang == "vi" else 20
    for f in dataclasses.fields(holder):
        value = getattr(holder, f.name)
        if f.name == "source" or value in (None, "", [], ()):
            continue
        console.print(f"  {labels.field(f.name):<{width}} {labels.value(value)}")


def print_report(console: Console, report: VerificationReport, labels: Labels | None = None) -> None:
    labels = labels or Labels()
    console.heading(labels.word("verification"))
    for check in report.checks:
        mark = {"PASSED": "ok  ", "FAILED": "FAIL", "NOT_PERFORMED": "--  ", "WARN": "WARN"}.get(
            check.status.value, check.status.value)
        if check.failed and not check.required:
            mark = "WARN"  # informational: never changes the verdict
        line = f"  {mark} {check.name:<34} {check.reason}"
        if check.failed and check.required:
            console.bad(line)
        elif check.passed and mark != "WARN":
            console.print(line)
        else:
            console.warn(line)
    verdict = report.verdict
    text = f"{labels.word('verdict')}: {verdict.value} — {report.verdict_reason}"
    {Verdict.GENUINE: console.ok, Verdict.NOT_GENUINE: console.bad, Verdict.INCOMPLETE: console.warn}[verdict](text)


def _read_live(args: argparse.Namespace, console: Console, info: Console) -> Any:
    from chipid.reader import DocumentReader

    key = key_from_args(args)
    if key is None and not getattr(args, "sim", None):
        raise usage_error("an access key is needed: --can, --mrz, or --id-card/--doc-number with --dob --doe")
    check_paths(args.trust)
    transport, where, profile = open_transport(args)
    try:
        if key is None:
            key = profile.can_key()
        trust = trust_for(args.trust, profile, info, strict=args.strict_trust)
        info.print(f"Reading from {where}")
        with console.progress() as update:
            reader = DocumentReader(transport, key, trust=trust, progress=update,
                                    read_dg3=bool(getattr(args, "read_dg3", False)))
            return reader.read()
    finally:
        transport.close()


def _consoles(args: argparse.Namespace) -> tuple[Console, Console]:
    """(main output, side information): with --json the main output is the JSON, so both go to stderr."""
    color = False if args.no_color else None
    if args.json:
        err = Console(sys.stderr, color=color)
        return err, err
    return Console(color=color), Console(sys.stderr, color=color)


def cmd_readers(args: argparse.Namespace) -> int:
    from chipid.transport.pcsc import card_present, list_readers

    console = Console(color=False if args.no_color else None)
    names = list_readers()
    if not names:
        raise CLIError("no PC/SC readers", code=EXIT_NO_CARD, hint="is pcscd running? is a reader plugged in?")
    for i, name in enumerate(names):
        console.print(f"{i}: {name}  [{'card present' if card_present(name) else 'no card'}]")
    return 0


def _show(args: argparse.Namespace, console: Console, document: Any, report: VerificationReport, *,
          protocol: str | None, steps: Any) -> None:
    labels = Labels(args.lang)
    if args.json:
        print(json.dumps(_result_json(document, report, protocol, steps), indent=2, ensure_ascii=False,
                         sort_keys=True))
        return
    print_summary(console, document, report, labels)
    if protocol:
        console.print(f"{labels.word('access')}: {protocol}")
    print_holder(console, document, labels)
    print_report(console, report, labels)


def cmd_read(args: argparse.Namespace) -> int:
    console, info = _consoles(args)
    result = _read_live(args, console, info)
    if args.out:
        write_outputs(args.out, result.document, result.report, result.protocol, result.steps)
        info.print(f"Wrote raw files, photo and document.json to {args.out}")
    _show(args, console, result.document, result.report, protocol=result.protocol, steps=result.steps)
    return verdict_exit_code(result.report)


def cmd_verify(args: argparse.Namespace) -> int:
    console, info = _consoles(args)
    face = _face_setup(args)
    if args.dump is None:
        result = _read_live(args, console, info)
        document, report, protocol, steps = result.document, result.report, result.protocol, result.steps
    else:
        if getattr(args, "sim", None) or getattr(args, "reader", None) is not None:
            raise usage_error("a dump directory is verified offline: --sim and --reader do not apply")
        document, report = verify_dump(args.dump, trust_for(args.trust, None, info, strict=args.strict_trust))
        protocol, steps = None, ()
    if face is not None:
        from chipid.biometrics.face_check import face_check, with_check

        verifier, live = face
        report = with_check(report, face_check(document, live, verifier=verifier, report=report))
    _show(args, console, document, report, protocol=protocol, steps=steps)
    return verdict_exit_code(report)


def _face_setup(args: argparse.Namespace) -> tuple[Any, bytes] | None:
    """The face verifier and the live photo's bytes for ``--live-photo`` (read before the card is)."""
    if args.live_photo is None:
        return None
    from chipid.biometrics.face_verify import FaceVerifier, load_dlib
    from chipid.errors import UnreadableImageError

    load_dlib()  # FaceExtraMissingError (exit 3) before the card is read
    try:
        live = args.live_photo.read_bytes()
    except OSError as err:
        raise UnreadableImageError(f"cannot read {args.live_photo}: {err.strerror}", source="live") from err
    return FaceVerifier(args.face_fmr), live


def verify_dump(directory: Path, trust: Any) -> tuple[Any, VerificationReport]:
    """Passive Authentication of a dump written by ``chipid read --out`` (AA/CA need the chip: not performed)."""
    from chipid.document import Document
    from chipid.verify import load_dump, verify

    if not directory.exists():
        raise usage_error(f"{directory}: no such directory", "give a directory written by 'chipid read --out'")
    if not directory.is_dir():
        raise usage_error(f"{directory} is not a directory", "give a directory written by 'chipid read --out'")
    files = load_dump(directory)  # a dump without EF_SOD.bin is NOT_GENUINE (unsigned), decided by the policy
    if not files:
        raise CLIError(f"{directory} holds no raw files (EF_*.bin, DG*.bin)", code=EXIT_ERROR,
                       hint="give a directory written by 'chipid read --out'")
    document = Document.from_files(files)
    return document, verify(document, trust)
