"""``chipid trust add|list|check``: the local CSCA trust store that ``chipid read`` / ``verify`` use by default."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from chipid.cli._console import Console
from chipid.cli._exit import EXIT_ERROR, CLIError, check_paths
from chipid.cli._trust import (
    SOURCES_FILE,
    TrustLoad,
    _files,
    classify,
    default_store_dir,
    load_trust,
    store_sources,
)
from chipid.pki.trust import TrustStore

__all__ = ["load_default_store", "register"]

_SIGNER_TEXT = {
    "verified": "list signer verified (chains to a CSCA trusted on its own)",
    "self-consistent": "list signer NOT independently verified (chains only to a CSCA inside the list)",
    "untrusted": "list signer NOT verified (chains to no known CSCA)",
    "unverified": "list signature NOT valid",
    None: "",
}


def register(sub: Any) -> None:
    p = sub.add_parser("trust", help="the local CSCA trust store: add master lists, CSCAs, CRLs; list; check",
                       description=f"The default store is {default_store_dir()} (set CHIPID_TRUST_DIR to move "
                                   "it); 'chipid read' and 'chipid verify' use it when no --trust is given.")
    tsub = p.add_subparsers(dest="trust_command", required=True, parser_class=type(p))
    a = tsub.add_parser("add", help="copy master lists, LDIF, PEM/DER certificates and CRLs into the store")
    a.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    a.set_defaults(func=cmd_add)
    ls = tsub.add_parser("list", help="the CSCAs in the store: country, subject, validity, source, list signer")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=cmd_list)
    c = tsub.add_parser("check", help="what the given files would make trusted, and why (nothing is copied)")
    c.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    c.add_argument("--alone", action="store_true",
                   help="ignore the store (by default a master list's signer may chain to a CSCA in the store)")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.set_defaults(func=cmd_check)
    for parser in (a, ls, c):
        parser.add_argument("--store", type=Path, metavar="DIR", help=f"the store folder (default: "
                            f"$CHIPID_TRUST_DIR or {default_store_dir()})")


def _store_dir(args: argparse.Namespace) -> Path:
    return Path(args.store) if getattr(args, "store", None) else default_store_dir()


def load_default_store(directory: Path | None = None, *, store: TrustStore | None = None) -> TrustLoad | None:
    """The default store (loaded into ``store`` when given), or None when it does not exist or holds nothing."""
    root = directory or default_store_dir()
    if not root.is_dir() or not any(p.name != SOURCES_FILE for p in root.iterdir()):
        return None
    return load_trust([root], store=store, names=store_sources(root), option="trust store")


def _anchor_rows(load: TrustLoad, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for anchor in load.anchors:
        cert = anchor.certificate
        rows.append({
            "country": anchor.country,
            "subject": cert.subject_text,
            "not_before": cert.not_before.strftime("%Y-%m-%d"),
            "not_after": cert.not_after.strftime("%Y-%m-%d"),
            "valid_now": cert.valid_at(now),
            "source": anchor.source,
            "how": anchor.how,
            "list_signer": anchor.list_signer,
            "sha256": hashlib.sha256(cert.der).hexdigest(),
        })
    return sorted(rows, key=lambda r: (r["country"], r["subject"], r["not_after"]))


def _crl_rows(load: TrustLoad) -> list[dict[str, Any]]:
    return [{"issuer": str(crl.asn1.issuer.human_friendly),
             "next_update": crl.next_update.strftime("%Y-%m-%d") if crl.next_update else None,
             "revoked": len(crl.revoked_serials)} for crl in load.store.crls]


def _print(console: Console, load: TrustLoad, *, as_json: bool, header: str) -> None:
    now = datetime.now(timezone.utc)
    anchors, crls = _anchor_rows(load, now), _crl_rows(load)
    if as_json:
        print(json.dumps({"anchors": anchors, "crls": crls, "loaded": [{"file": f, "what": w} for f, w in load.loaded],
                          "skipped": [{"file": f, "reason": r} for f, r in load.skipped]}, indent=2,
                         ensure_ascii=False))
        return
    console.heading(header)
    for row in anchors:
        state = "" if row["valid_now"] else "  (not valid now)"
        console.print(f"  {row['country']:<3} {row['subject']}")
        console.print(f"      valid {row['not_before']} .. {row['not_after']}{state}")
        console.print(f"      from {row['source']} ({row['how']})")
        if row["list_signer"]:
            line = f"      {_SIGNER_TEXT[row['list_signer']]}"
            (console.print if row["list_signer"] == "verified" else console.warn)(line)
    for crl in crls:
        console.print(f"  CRL {crl['issuer']}: next update {crl['next_update'] or '-'}, {crl['revoked']} revoked")
    for file, what in load.loaded:
        console.print(f"  loaded {file}: {what}")
    for file, reason in load.skipped:
        console.warn(f"  skipped {file}: {reason}")
    console.print(f"{len(anchors)} CSCA(s), {len(crls)} CRL(s), {len(load.skipped)} file(s) skipped")


def cmd_list(args: argparse.Namespace) -> int:
    console = Console(color=False if args.no_color else None)
    root = _store_dir(args)
    load = load_default_store(root)
    if load is None:
        raise CLIError(f"the trust store {root} is empty", code=EXIT_ERROR,
                       hint="add the ICAO master list or national CSCAs with 'chipid trust add FILE'")
    _print(console, load, as_json=args.json, header=f"Trust store {root}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    console = Console(color=False if args.no_color else None)
    base = None if args.alone else load_default_store(_store_dir(args))
    known = {a.certificate.der for a in base.anchors} if base else set()
    load = load_trust(list(args.paths), store=base.store if base else None, option="check")
    load.anchors = [a for a in load.anchors if a.certificate.der not in known]
    _print(console, load, as_json=args.json, header="Would be trusted:")
    return 0 if load.anchors or load.store.crls else EXIT_ERROR


def cmd_add(args: argparse.Namespace) -> int:
    console = Console(color=False if args.no_color else None)
    errors = Console(sys.stderr, color=False if args.no_color else None)
    root = _store_dir(args)
    candidates: list[tuple[Path, str]] = []
    skipped = []
    check_paths(args.paths, "trust add")
    for path in args.paths:
        for file in _files(path):
            try:
                data = file.read_bytes()
            except OSError as err:
                skipped.append((file, f"unreadable: {err.strerror or err}"))
                continue
            kind = classify(data, file.name)
            if kind is None:
                skipped.append((file, "not a certificate, CRL, CSCA master list or LDIF"))
            else:
                candidates.append((file, kind))
    for file, reason in skipped:
        errors.warn(f"skipped {file}: {reason}")
    if not candidates:
        raise CLIError("nothing to add", code=EXIT_ERROR)
    # everything must load (a corrupt master list is refused before anything is copied)
    check = load_trust([f for f, _ in candidates], option="trust add")
    root.mkdir(parents=True, exist_ok=True)
    index = store_sources(root)
    for file, kind in candidates:
        digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16]
        name = f"{digest}-{file.name}"
        if (root / name).exists():
            console.print(f"already in the store: {file}")
            continue
        shutil.copyfile(file, root / name)
        index[name] = {"source": str(file.resolve()), "kind": kind,
                       "added": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        console.print(f"added {file} ({kind})")
    (root / SOURCES_FILE).write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for shown, what in check.loaded:
        console.print(f"  {shown}: {what}")
    console.print(f"Trust store {root}: used by 'chipid read' and 'chipid verify' when no --trust is given")
    return 0
