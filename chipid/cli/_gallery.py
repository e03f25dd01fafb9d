"""``chipid gallery create|add|remove|compact|info``: build and maintain an on-disk 1:N gallery from the shell.

The gallery is a :class:`chipid.biometrics.gallery_store.GalleryStore` directory, searched by
``chipid match finger|face PROBE --gallery DIR``. Output names files and ids only, never template contents.

``add`` goes on past a bad input: an unusable template (under the quality minimum) is skipped with its reason, a
file that does not parse or an id already enrolled is listed as an error (exit 3), and every other entry is added.
"""

from __future__ import annotations

import argparse
import array
import json
import math
import shlex
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipid.cli._console import Console
from chipid.cli._exit import EXIT_ERROR, EXIT_OK, CLIError, check_paths, usage_error
from chipid.errors import ChipIDError

if TYPE_CHECKING:
    from chipid.biometrics.gallery_store import GalleryStore, Kind

__all__ = ["register"]

_KINDS: tuple[Kind, ...] = ("finger", "face")  # gallery_chunk.KINDS, without importing the matcher
_MAX_RECORD = 1 << 20  # a minutiae record is a few KiB (255 minutiae x 6 bytes per view): anything larger is not one


def _positive(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, not {text!r}")
    return value


def register(sub: Any) -> None:
    p = sub.add_parser("gallery", help="build and maintain an on-disk 1:N gallery (create, add, remove, compact, "
                                       "info); 'chipid match ... --gallery DIR' searches it")
    gsub = p.add_subparsers(dest="gallery_command", required=True, parser_class=type(p))

    def command(name: str, func: Any, help_text: str, **kw: Any) -> Any:
        parser = gsub.add_parser(name, help=help_text, **kw)
        parser.add_argument("dir", type=Path, metavar="DIR", help="the gallery folder")
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.set_defaults(func=func)
        return parser

    c = command("create", cmd_create, "a new, empty gallery in a new or empty folder")
    c.add_argument("--face-dim", type=_positive, default=128, metavar="N",
                   help="values per face vector (default 128, the dlib descriptor)")
    c.add_argument("--chunk-size", type=_positive, default=None, metavar="N",
                   help="entries per chunk file (default 65536 finger templates, 1048576 face vectors)")
    a = command("add", cmd_add, "add fingerprint templates (or face vectors with ids) to a gallery",
                description="Unusable templates (under the quality minimum) are skipped; files that do not parse "
                            "and ids already enrolled are errors (exit 3); all the others are added.")
    a.add_argument("--finger", nargs="+", action="extend", type=Path, default=[], metavar="FILE_OR_FOLDER",
                   help="ISO 19794-2 / ANSI 378 minutiae records, or folders of them (every regular file in a "
                        "folder, sorted; not recursive; hidden files ignored); the first finger view is enrolled")
    a.add_argument("--id-from", choices=("stem", "path"), default=None,
                   help="a template's id: its file name without the extension (stem, the default) or its path as "
                        "given (folder/name for a file found in a folder)")
    a.add_argument("--face-vectors", type=Path, metavar="FILE.f32",
                   help="raw little-endian float32 rows of the gallery's face dim (needs --ids)")
    a.add_argument("--ids", type=Path, metavar="IDS.txt", help="with --face-vectors: one id per line, in row order")
    r = command("remove", cmd_remove, "delete entries by id (tombstoned; 'compact' frees the space)")
    r.add_argument("ids", nargs="+", metavar="ID")
    r.add_argument("--kind", choices=_KINDS, default="finger", help="finger (default) or face")
    k = command("compact", cmd_compact, "rewrite the chunks holding deleted entries without them")
    k.add_argument("--kind", choices=_KINDS, default=None, help="one kind (default: both)")
    command("info", cmd_info, "entries per kind, chunks, template format and size on disk")


# --------------------------------------------------------------------------- helpers
def _open(directory: Path) -> GalleryStore:
    from chipid.biometrics.gallery_store import GalleryStore

    if not directory.is_dir():
        what = "is not a folder" if directory.exists() else "no such folder"
        raise usage_error(f"gallery {directory}: {what}", "create one with 'chipid gallery create DIR'")
    return GalleryStore(directory)


def _summary(store: GalleryStore) -> dict[str, Any]:
    from chipid.biometrics.gallery_chunk import blob_format

    files = [p for p in store.path.iterdir() if p.is_file()]
    kinds: dict[str, Any] = {kind: {"count": store.count(kind), "chunks": len(store.chunks(kind)),
                                    "deleted": sum(len(c.deleted) for c in store.chunks(kind))} for kind in _KINDS}
    return {"gallery": str(store.path), "generation": store.generation, **kinds, "face_dim": store.face_dim,
            "template_format": {"blob": store.blob_magic, "abi": store.abi,
                                "searchable": (store.blob_magic, store.abi) == blob_format()},
            "files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    value, unit = n / 1024, "KiB"
    for bigger in ("MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}"


def _dump(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, indent=2, ensure_ascii=False))


def _consoles(args: argparse.Namespace) -> tuple[Console, Console]:
    color = False if args.no_color else None
    return Console(color=color), Console(sys.stderr, color=color)


# --------------------------------------------------------------------------- create / info
def cmd_create(args: argparse.Namespace) -> int:
    from chipid.biometrics.gallery_store import GalleryStore

    directory: Path = args.dir
    if directory.exists() and not directory.is_dir():
        raise usage_error(f"gallery create {directory}: exists and is not a folder")
    if directory.is_dir() and any(directory.iterdir()):
        if (directory / "manifest.json").exists():
            raise usage_error(f"gallery create {directory}: the folder already holds a gallery",
                              "add to it with 'chipid gallery add DIR ...', or pick a new folder")
        raise usage_error(f"gallery create {directory}: the folder is not empty", "pick a new or empty folder")
    store = GalleryStore.create(directory, face_dim=args.face_dim, chunk_size=args.chunk_size,
                                face_chunk_size=args.chunk_size)
    if args.json:
        _dump(_summary(store))
    else:
        _consoles(args)[0].ok(f"created an empty gallery in {directory} (face vectors of {store.face_dim} values)")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    info = _summary(_open(args.dir))
    if args.json:
        _dump(info)
        return EXIT_OK
    out = _consoles(args)[0]
    out.heading(f"Gallery {info['gallery']} (generation {info['generation']})")
    for kind in _KINDS:
        k = info[kind]
        dim = f", {info['face_dim']}-d vectors" if kind == "face" else ""
        out.print(f"  {kind + ':':<7} {k['count']} live, {k['deleted']} deleted, {k['chunks']} chunk(s){dim}")
    fmt = info["template_format"]
    line = f"  templates prepared as {fmt['blob']} / ABI {fmt['abi']}"
    if fmt["searchable"]:
        out.print(line + " (this chipid's format)")
    else:
        out.warn(line + ": NOT this chipid's format, re-prepare the gallery from its source records")
    out.print(f"  on disk: {_size(info['bytes'])} in {info['files']} file(s)")
    return EXIT_OK


# --------------------------------------------------------------------------- add
def _finger_files(paths: list[Path]) -> list[Path]:
    """Every file named, and every regular non-hidden file of every folder named (sorted); all must exist."""
    check_paths(paths, "gallery add --finger")
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")))
        else:
            files.append(path)
    return files


def _prepare(file: Path) -> tuple[bytes, int]:
    """The prepared blob of the record's first finger view, and the record's number of views."""
    from chipid.biometrics import parse_template, prepare
    from chipid.errors import ParseError

    size = file.stat().st_size
    if size > _MAX_RECORD:
        raise ParseError(f"{size} bytes: too large for a minutiae record", path="FMR")
    record = parse_template(file.read_bytes())
    return prepare(record), len(record.views)


def _error_text(err: Exception) -> str:
    if isinstance(err, OSError):
        return f"cannot read: {err.strerror or err}"
    return f"{type(err).__name__}: {err}"


def _finger_entries(args: argparse.Namespace, report: dict[str, Any]) -> list[tuple[str, str, bytes]]:
    """(file, id, blob) of every usable template; unusable ones go to report["skipped"], bad files to "errors"."""
    from chipid.biometrics import assess

    entries: list[tuple[str, str, bytes]] = []
    for file in _finger_files(args.finger):
        ident = file.stem if (args.id_from or "stem") == "stem" else file.as_posix()
        try:
            blob, views = _prepare(file)
        except (ChipIDError, OSError) as err:
            report["errors"].append({"file": str(file), "error": _error_text(err)})
            continue
        quality = assess(blob)
        if not quality.usable:
            report["skipped"].append({"file": str(file), "id": ident, "reason": f"unusable template: "
                                                                                f"{quality.reason}"})
            continue
        if views > 1:
            report["notes"].append({"file": str(file), "id": ident,
                                    "note": f"{views} finger views: only the first is enrolled"})
        entries.append((str(file), ident, blob))
    return entries


_Entry = tuple[str, str, Any]  # (file or row label, id, prepared blob or float32 row)


def _face_entries(args: argparse.Namespace, store: GalleryStore, report: dict[str, Any]) -> list[_Entry]:
    """(row label, id, row) of every finite non-zero row (row N goes with line N of --ids); bad rows go to
    report["errors"]."""
    dim, source = store.face_dim, args.face_vectors
    for path in (source, args.ids):
        if not path.is_file():
            raise usage_error(f"gallery add {path}: no such file")
    data = source.read_bytes()
    if not data or len(data) % (4 * dim):
        raise CLIError(f"{source}: {len(data)} bytes is not a whole number of {dim}-d float32 rows "
                       f"({4 * dim} bytes each)", code=EXIT_ERROR)
    try:
        ids = [line.strip() for line in args.ids.read_text(encoding="utf-8").splitlines()]
    except UnicodeDecodeError as err:
        raise CLIError(f"{args.ids}: not UTF-8 text ({err.reason})", code=EXIT_ERROR) from err
    rows = array.array("f", data)
    if sys.byteorder == "big":
        rows.byteswap()
    if len(ids) != len(rows) // dim:
        raise CLIError(f"{args.ids} holds {len(ids)} id(s), {source} holds {len(rows) // dim} row(s)",
                       code=EXIT_ERROR, hint="give one id per line, in row order; nothing was added")
    entries = []
    for n, ident in enumerate(ids):
        label, row = f"{source} row {n + 1}", rows[n * dim : (n + 1) * dim]
        if not ident:
            report["errors"].append({"file": label, "error": f"line {n + 1} of {args.ids} is empty"})
        elif not all(math.isfinite(v) for v in row):
            report["errors"].append({"file": label, "error": f"the vector of {ident!r} holds NaN or infinity"})
        elif not any(row):
            report["errors"].append({"file": label, "error": f"the vector of {ident!r} is all zeros"})
        else:
            entries.append((label, ident, row))
    return entries


def _drop_duplicates(store: GalleryStore, kind: Kind, entries: list[tuple[str, str, Any]],
                     report: dict[str, Any]) -> list[tuple[str, Any]]:
    """GalleryStore refuses a whole batch over one duplicate id: list those entries as errors, keep the rest."""
    enrolled = {ident for _, _, ident in store.iter_ids(kind)}
    given = Counter(ident for _, ident, _ in entries)
    kept = []
    for label, ident, payload in entries:
        if ident in enrolled:
            remove = shlex.join(["chipid", "gallery", "remove", str(store.path), ident, *(["--kind", kind] if
                                                                                        kind == "face" else [])])
            report["errors"].append({"file": label, "error": f"id {ident!r} is already enrolled (to replace it, "
                                                             f"remove it first: {remove})"})
        elif given[ident] > 1:
            hint = "; use --id-from path" if kind == "finger" else ""
            report["errors"].append({"file": label, "error": f"id {ident!r} is given {given[ident]} times in this "
                                                             f"batch: none of them is added{hint}"})
        else:
            kept.append((ident, payload))
    return kept


def cmd_add(args: argparse.Namespace) -> int:
    """Exit 0: everything added or skipped as unusable; 3: some file, row or id not added (the others were)."""
    if bool(args.finger) == (args.face_vectors is not None):
        raise usage_error("gallery add: give --finger FILE_OR_FOLDER... or --face-vectors FILE.f32 --ids IDS.txt")
    if (args.face_vectors is None) != (args.ids is None):
        raise usage_error("gallery add: --face-vectors and --ids go together")
    if args.face_vectors is not None and args.id_from is not None:
        raise usage_error("gallery add: --id-from applies to --finger (face ids come from --ids)")
    store = _open(args.dir)
    kind: Kind = "finger" if args.finger else "face"
    report: dict[str, Any] = {"skipped": [], "errors": [], "notes": []}
    entries = _finger_entries(args, report) if kind == "finger" else _face_entries(args, store, report)
    kept = _drop_duplicates(store, kind, entries, report)
    added = store.append_fingers(kept) if kind == "finger" else store.append_faces(kept)
    summary = _summary(store)
    if args.json:
        _dump({"gallery": str(args.dir), "kind": kind, "added": added, "ids": [i for i, _ in kept], **report,
               "count": {k: summary[k]["count"] for k in _KINDS}})
    else:
        out, err = _consoles(args)
        for s in report["skipped"]:
            out.warn(f"skipped {s['file']} ({s['id']}): {s['reason']}")
        for n in report["notes"]:
            out.warn(f"note: {n['file']} ({n['id']}): {n['note']}")
        for e in report["errors"]:
            err.bad(f"chipid: error: {e['file']}: {e['error']}")
        (out.ok if not report["errors"] else out.print)(
            f"added {added} {kind} entr{'y' if added == 1 else 'ies'} to {args.dir}; skipped "
            f"{len(report['skipped'])}, not added {len(report['errors'])}; the gallery holds "
            f"{summary['finger']['count']} finger, {summary['face']['count']} face")
    return EXIT_ERROR if report["errors"] else EXIT_OK


# --------------------------------------------------------------------------- remove / compact
def cmd_remove(args: argparse.Namespace) -> int:
    from chipid.errors import GalleryError

    store = _open(args.dir)
    try:
        removed = store.delete(args.kind, args.ids)  # all or nothing: one read of the ids
    except GalleryError as err:
        if not err.ids:
            raise
        missing = err.ids
        shown = ", ".join(missing[:10]) + (f" (and {len(missing) - 10} more)" if len(missing) > 10 else "")
        raise CLIError(f"not enrolled as {args.kind} in {args.dir}: {shown}", code=EXIT_ERROR,
                       hint="nothing was removed") from err
    left = store.count(args.kind)
    if args.json:
        _dump({"gallery": str(args.dir), "kind": args.kind, "removed": removed, "ids": sorted(set(args.ids)),
               "count": left})
    else:
        _consoles(args)[0].ok(f"removed {removed} {args.kind} entr{'y' if removed == 1 else 'ies'} from {args.dir} "
                              f"({left} left); 'chipid gallery compact {args.dir}' frees the space")
    return EXIT_OK


def cmd_compact(args: argparse.Namespace) -> int:
    store = _open(args.dir)
    kinds = [args.kind] if args.kind else list(_KINDS)
    before = _summary(store)
    for kind in kinds:
        store.compact(kind)
    after = _summary(store)
    result = {kind: {"dropped": before[kind]["deleted"], "chunks": after[kind]["chunks"],
                     "count": after[kind]["count"]} for kind in kinds}
    if args.json:
        _dump({"gallery": str(args.dir), **result, "bytes_before": before["bytes"], "bytes": after["bytes"]})
    else:
        out = _consoles(args)[0]
        for kind, r in result.items():
            out.print(f"{kind}: dropped {r['dropped']} deleted entr{'y' if r['dropped'] == 1 else 'ies'}, "
                      f"{r['count']} live in {r['chunks']} chunk(s)")
        out.ok(f"compacted {args.dir}: {_size(before['bytes'])} -> {_size(after['bytes'])}")
    return EXIT_OK
