"""1:N fingerprint search: find who a live scan belongs to in a gallery of enrolled templates.

    python examples/batch_search.py PROBE.iso GALLERY_DIR [--top 5]
    python examples/batch_search.py --demo      # FVC2002 DB1_B templates from tests/data

The gallery is prepared once (templates packed into one cache-friendly buffer) and searched on all cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from chipid.biometrics import BACKEND, THRESHOLD_FMR_10K, Gallery, parse_template, prepare, search

DEMO_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "fvc2002-iso-templates" / "DB1_B"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("probe", nargs="?", type=Path)
    parser.add_argument("gallery", nargs="?", type=Path)
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args()
    if args.demo:
        if not DEMO_DIR.is_dir():
            print(f"demo data not found at {DEMO_DIR}", file=sys.stderr)
            return 3
        enrolled = sorted(DEMO_DIR.glob("*_1.iso"))  # first impression of each finger = the enrolment
        probe_path = DEMO_DIR / "105_3.iso"  # a later impression of finger 105 = the live scan
    elif args.probe and args.gallery:
        enrolled, probe_path = sorted(p for p in args.gallery.iterdir() if p.is_file()), args.probe
    else:
        parser.error("give PROBE and GALLERY_DIR, or --demo")

    started = time.perf_counter()
    gallery = Gallery(prepare(parse_template(p.read_bytes())) for p in enrolled)
    probe = prepare(parse_template(probe_path.read_bytes()))
    prepared = time.perf_counter()
    hits = search(probe, gallery, args.top)
    searched = time.perf_counter()
    print(f"backend {BACKEND}; gallery of {len(gallery)} prepared in {prepared - started:.3f} s, "
          f"searched in {(searched - prepared) * 1000:.2f} ms")
    for hit in hits:
        flag = "MATCH" if hit.score >= THRESHOLD_FMR_10K else ""
        print(f"  {hit.score:7.4f}  {enrolled[hit.index].name:<12} {flag}")
    best = hits[0] if hits else None
    return 0 if best is not None and best.score >= THRESHOLD_FMR_10K else 1


if __name__ == "__main__":
    sys.exit(main())
