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
from chipid.cli._exit import check_paths

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("match", help="compare fingerprint templates or face vectors (1:1 and 1:N)")
    msub = p.add_subparsers(dest="kind", required=True, parser_class=type(p))
    f = msub.add_parser("finger", help="probe template against one or more candidate templates / a folder")
    f.add_argument("probe", type=Path, help="ISO 19794-2 or ANSI 378 minutiae record")
    f.add_argument("candidates", nargs="*", type=Path, help="templates, or folders of *.iso / *.ist / *.ansi")
    f.add_argument("--top", type=int, default=5, help="how many best candidates to list (1:N)")
    f.add_argument("--fmr", type=float, default=1e-4,
                   help="target false match rate; its calibrated threshold decides (1e-2, 1e-3 or 1e-4)")
    f.add_argument("--max-rotation", type=float, default=180.0, metavar="DEGREES",
                   help="largest rotation between the prints (default 180: any; 60 for upright sensors)")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=cmd_match_finger)
    _add_gallery_options(f, cmd_match_finger)
    v = msub.add_parser("face", help="two face photos (--image A --image B: same person?), or a probe vector "
                                     "against a gallery of vectors (float32 raw files)")
    v.add_argument("--image", action="append", type=Path, default=[], metavar="FILE",
                   help="a face photo (JPEG, PNG, JPEG 2000); give exactly two: exit 0 same person, 1 not, "
                        "3 unusable image (needs pip install 'chipid[face]')")
    v.add_argument("--fmr", type=float, default=1e-3, help="target false-match rate for --image (default 0.001)")
    v.add_argument("probe", type=Path, nargs="?", help="raw little-endian float32 vector file")
    v.add_argument("gallery", type=Path, nargs="?", help="raw float32 matrix file (rows of --dim floats)")
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
    """1:1 (one candidate) or 1:N; exit 0 match, 1 no match, 2 unusable probe template, 64 bad --fmr."""
    from chipid.biometrics import Gallery, assess, parse_template, prepare, search, threshold_for_fmr, verify
    from chipid.errors import InvalidArgumentError

    console = Console(color=False if args.no_color else None)
    check_paths([args.probe], "probe")
    check_paths(args.candidates, "candidate")
    try:
        threshold = threshold_for_fmr(args.fmr)
    except InvalidArgumentError as err:
        console.bad(str(err))
        return 64
    probe = prepare(parse_template(args.probe.read_bytes()))
    quality = assess(probe)
    paths = _templates(args.candidates)
    blobs = [prepare(parse_template(p.read_bytes())) for p in paths]
    usable = [(p, b) for p, b in zip(paths, blobs, strict=True) if assess(b).usable]
    unusable = [{"template": str(p), "reason": assess(b).reason} for p, b in zip(paths, blobs, strict=True)
                if not assess(b).usable]  # fmt: skip
    hits: list[tuple[Path, float]] = []
    if quality.usable and len(paths) == 1 and usable:
        result = verify(probe, blobs[0], fmr=args.fmr, max_rotation=args.max_rotation)
        hits = [(paths[0], result.score or 0.0)]
    elif quality.usable and usable:
        gallery = Gallery(b for _, b in usable)
        found = search(probe, gallery, args.top, max_rotation=args.max_rotation)
        hits = [(usable[h.index][0], h.score) for h in found]
    matched = bool(hits) and hits[0][1] >= threshold
    status = "match" if matched else ("no match" if quality.usable and usable else "unusable template")
    if args.json:
        print(json.dumps({"fmr": args.fmr, "threshold": threshold, "match": matched, "status": status,
                          "probe": {"minutiae": quality.minutiae, "cylinders": quality.cylinders,
                                    "usable": quality.usable, "reason": quality.reason},
                          "unusable": unusable,
                          "hits": [{"template": str(p), "score": round(s, 6)} for p, s in hits]}, indent=2))
    else:
        for p, s in hits:
            console.print(f"{s:8.4f}  {'MATCH' if s >= threshold else '     '}  {p}")
        for u in unusable:
            console.print(f"   -----  unusable template ({u['reason']})  {u['template']}")
        if not quality.usable:
            console.bad(f"unusable template: the probe has {quality.reason}")
        elif not usable:
            console.bad("unusable template: no candidate passes the template quality policy")
        else:
            (console.ok if matched else console.bad)(
                f"{status} (FMR {args.fmr:g}: threshold {threshold:.3f})")
    if matched:
        return 0
    return 1 if quality.usable and usable else 2


def _floats(path: Path) -> array.array[float]:
    data = array.array("f")
    data.frombytes(path.read_bytes())
    return data


def cmd_match_face(args: argparse.Namespace) -> int:
    from chipid.biometrics.face import FaceGallery, normalize

    check_paths(args.image, "--image")
    if args.image or args.probe is None or args.gallery is None:
        return cmd_match_face_images(args)
    check_paths([args.probe], "probe")
    check_paths([args.gallery], "gallery")
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


def cmd_match_face_images(args: argparse.Namespace) -> int:
    """``chipid match face --image A --image B``: exit 0 same person, 1 not, 3 unusable image (ChipIDError)."""
    from chipid.biometrics.face_check import fmr_text
    from chipid.biometrics.face_verify import FaceVerifier
    from chipid.errors import UnreadableImageError

    console = Console(color=False if args.no_color else None)
    if len(args.image) != 2 or args.probe is not None:
        print("chipid match face: give exactly two --image FILE (or a probe and a gallery of vectors)",
              file=sys.stderr)
        return 64
    verifier = FaceVerifier(args.fmr)
    templates = []
    for path in args.image:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise UnreadableImageError(f"cannot read {path}: {err.strerror}") from err
        templates.append(verifier.embed(data))
    m = verifier.compare(templates[0], templates[1])
    if args.json:
        print(json.dumps({**m.to_dict(), "images": [
            {"path": str(p), "eye_distance": round(t.eye_distance, 1), "sharpness": round(t.sharpness, 1)}
            for p, t in zip(args.image, templates, strict=True)]}, indent=2))
    else:
        text = f"distance {m.score:.3f}, threshold {m.threshold:.2f} (FMR {fmr_text(m.fmr)})"
        (console.ok if m.same_person else console.bad)(
            f"{'same person' if m.same_person else 'not the same person'}: {text}")
    return 0 if m.same_person else 1


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
        if args.kind == "finger" and not args.candidates:
            print("chipid match finger: give candidates (templates or folders), or --gallery DIR", file=sys.stderr)
            return 64
        if args.kind == "face" and not args.image and (args.probe is None or args.gallery is None):
            print("chipid match face: give --image A --image B, a probe and a gallery file, or --gallery DIR",
                  file=sys.stderr)
            return 64
        result: int = plain(args)
        return result

    p.set_defaults(func=dispatch)


def cmd_match_gallery(args: argparse.Namespace) -> int:
    """Exit 0: match found (finger) / hits listed (face); 1: no match; 2: partial result without a match."""
    from chipid.biometrics import parse_template, prepare, threshold_for_fmr
    from chipid.biometrics.gallery_store import GalleryStore
    from chipid.errors import InvalidArgumentError

    console = Console(color=False if args.no_color else None)
    check_paths([args.probe] if args.probe is not None else [], "probe")
    check_paths([args.gallery_dir], "--gallery")
    kind = args.kind
    try:
        threshold = threshold_for_fmr(args.fmr) if kind == "finger" else None
    except InvalidArgumentError as err:
        console.bad(str(err))
        return 64
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
                f"{'match' if matched else 'no match'} (FMR {args.fmr:g}: threshold {threshold:.3f})")
    if matched or (threshold is None and not missing):
        return 0
    return 2 if missing else 1
