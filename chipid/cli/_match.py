"""``chipid match``: fingerprint templates (ISO 19794-2 / ANSI 378) and face vectors, 1:1 and 1:N."""

from __future__ import annotations

import argparse
import array
import json
import os
import sys
from pathlib import Path
from typing import Any

from chipid.cli._console import Console

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("match", help="compare fingerprint templates or face vectors (1:1 and 1:N)")
    msub = p.add_subparsers(dest="kind", required=True, parser_class=type(p))
    f = msub.add_parser("finger", help="probe template against one or more candidate templates / a folder")
    f.add_argument("probe", type=Path, help="ISO 19794-2 or ANSI 378 minutiae record")
    f.add_argument("candidates", nargs="*", type=Path, help="templates, or folders of *.iso / *.ist / *.ansi")
    f.add_argument("--top", type=int, default=5, help="how many best candidates to list (1:N)")
    f.add_argument("--threshold", type=float, default=None, help="decision threshold (default: FMR 1/10,000)")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=cmd_match_finger)
    _add_gallery_options(f, cmd_match_finger)
    v = msub.add_parser("face", help="probe vector against a gallery of vectors (float32 .npy-free raw files)")
    v.add_argument("probe", type=Path, help="raw little-endian float32 vector file")
    v.add_argument("gallery", nargs="?", type=Path, help="raw float32 matrix file (rows of --dim floats)")
    v.add_argument("--dim", type=int, default=128)
    v.add_argument("--top", type=int, default=5)
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=cmd_match_face)
    _add_gallery_options(v, cmd_match_face)


def _templates(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in (".iso", ".ist", ".ansi", ".fmr")))
        else:
            found.append(path)
    return found


def cmd_match_finger(args: argparse.Namespace) -> int:
    from chipid.biometrics import THRESHOLD_FMR_10K, Gallery, compare, parse_template, prepare, search

    console = Console(color=False if args.no_color else None)
    threshold = THRESHOLD_FMR_10K if args.threshold is None else args.threshold
    probe = prepare(parse_template(args.probe.read_bytes()))
    paths = _templates(args.candidates)
    if len(paths) == 1:
        score = compare(probe, prepare(parse_template(paths[0].read_bytes())))
        hits = [(paths[0], score)]
    else:
        gallery = Gallery(prepare(parse_template(p.read_bytes())) for p in paths)
        hits = [(paths[h.index], h.score) for h in search(probe, gallery, args.top)]
    matched = bool(hits) and hits[0][1] >= threshold
    if args.json:
        print(json.dumps({"threshold": threshold, "match": matched,
                          "hits": [{"template": str(p), "score": round(s, 6)} for p, s in hits]}, indent=2))
    else:
        for p, s in hits:
            console.print(f"{s:8.4f}  {'MATCH' if s >= threshold else '     '}  {p}")
        (console.ok if matched else console.bad)(
            f"{'match' if matched else 'no match'} (threshold {threshold:.4f}, FMR 1/10,000)")
    return 0 if matched else 1


def _floats(path: Path) -> array.array[float]:
    data = array.array("f")
    data.frombytes(path.read_bytes())
    return data


def cmd_match_face(args: argparse.Namespace) -> int:
    from chipid.biometrics.face import FaceGallery, normalize

    console = Console(color=False if args.no_color else None)
    probe = normalize(_floats(args.probe))
    gallery = FaceGallery.from_buffer(_floats(args.gallery), args.dim)
    hits = gallery.search(probe, args.top)
    if args.json:
        print(json.dumps({"hits": [{"index": h.index, "score": round(h.score, 6)} for h in hits]}, indent=2))
    else:
        for h in hits:
            console.print(f"{h.score:8.4f}  row {h.index}")
    return 0


# --------------------------------------------------------------------------- --gallery DIR [--ray ADDRESS]
def _add_gallery_options(p: Any, plain: Any) -> None:
    """``--gallery DIR``: 1:N against an on-disk gallery, in process or sharded on Ray (``--ray``)."""
    p.add_argument("--gallery", dest="gallery_dir", type=Path, default=None,
                   help="search an on-disk gallery directory (chipid.biometrics.gallery_store) instead")
    p.add_argument("--ray", dest="ray_address", default=None, metavar="ADDRESS",
                   help="with --gallery: search on a Ray cluster (HOST:PORT, auto, or 'local' to start one)")
    p.add_argument("--shards", type=int, default=1, help="with --ray: shard actors (default 1)")
    p.add_argument("--allow-partial", action="store_true",
                   help="with --ray: report a partial result when shards are lost instead of failing")

    def dispatch(args: argparse.Namespace) -> int:
        if args.gallery_dir is not None:
            return cmd_match_gallery(args)
        if (args.kind == "finger" and not args.candidates) or (args.kind == "face" and args.gallery is None):
            print(f"chipid match {args.kind}: give candidates / a gallery file, or --gallery DIR", file=sys.stderr)
            return 64
        result: int = plain(args)
        return result

    p.set_defaults(func=dispatch)


def cmd_match_gallery(args: argparse.Namespace) -> int:
    """Exit 0: match found (finger) / hits listed (face); 1: no match; 2: partial result without a match."""
    from chipid.biometrics import THRESHOLD_FMR_10K, parse_template, prepare
    from chipid.biometrics.gallery_store import GalleryStore

    console = Console(color=False if args.no_color else None)
    kind = args.kind
    probe: Any = prepare(parse_template(args.probe.read_bytes())) if kind == "finger" else _floats(args.probe)
    missing: tuple[int, ...] = ()
    if args.ray_address is None:
        hits = GalleryStore(args.gallery_dir).searcher(kind).search(probe, args.top)
    else:
        from chipid.biometrics import distributed

        cpus = max(args.shards, os.cpu_count() or 1)  # a local cluster gets a CPU slot for every shard
        distributed.connect(args.ray_address, num_cpus=cpus if args.ray_address == "local" else None)
        try:
            with distributed.DistributedGallery(args.gallery_dir, kind, shards=args.shards,
                                                allow_partial=args.allow_partial) as dist:
                result = dist.search(probe, args.top)
        finally:
            distributed.shutdown()
        hits, missing = list(result.hits), result.missing
    threshold = (THRESHOLD_FMR_10K if args.threshold is None else args.threshold) if kind == "finger" else None
    matched = threshold is not None and bool(hits) and hits[0].score >= threshold
    if args.json:
        print(json.dumps({"gallery": str(args.gallery_dir), "kind": kind, "threshold": threshold,
                          "match": matched if threshold is not None else None, "partial": bool(missing),
                          "missing_shards": list(missing),
                          "hits": [{"id": h.id, "score": round(h.score, 6), "shard": h.shard} for h in hits]},
                         indent=2))
    else:
        for h in hits:
            mark = "MATCH" if threshold is not None and h.score >= threshold else "     "
            console.print(f"{h.score:8.4f}  {mark}  {h.id}  (shard {h.shard})")
        if missing:
            console.bad(f"partial result: shards {list(missing)} did not answer")
        if threshold is not None:
            (console.ok if matched else console.bad)(
                f"{'match' if matched else 'no match'} (threshold {threshold:.4f}, FMR 1/10,000)")
    if matched or (threshold is None and not missing):
        return 0
    return 2 if missing else 1
