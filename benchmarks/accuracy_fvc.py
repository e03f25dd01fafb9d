"""Accuracy of the MCC matcher on the FVC2002 DB1_B..DB4_B minutiae templates; prints a table.

Run: ``python benchmarks/accuracy_fvc.py`` (templates in tests/data/fvc2002-iso-templates).

FVC protocol per database (10 fingers x 8 impressions):
  genuine pairs: every pair of impressions of one finger, one order (scores are symmetric): 28 x 10 = 280;
  impostor pairs: first impressions of different fingers, one order: 45.
EER is where FMR and FNMR cross (mean of the two at the threshold minimising |FMR - FNMR|).
FMR100 / FMR1000: the lowest FNMR with FMR <= 1% / 0.1%; with 45 impostors both mean "no impostor
accepted" (FMRzero).  A second table uses every impostor pair of the database (2,880).

Calibration of match.THRESHOLD_FMR_10K: all 320 templates against each other, every cross-finger pair
(within and across databases, 49,920 pairs) is an impostor; the threshold is the smallest score, rounded
up to 0.001, that at most 1 in 10,000 of them reach.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from pathlib import Path

from chipid.biometrics.match import BACKEND, THRESHOLD_FMR_10K, compare, prepare
from chipid.biometrics.template import parse_template

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "fvc2002-iso-templates"
DBS = ("DB1_B", "DB2_B", "DB3_B", "DB4_B")
FINGERS = range(101, 111)
IMPRESSIONS = range(1, 9)


def load(db: str) -> dict[tuple[int, int], bytes]:
    """Prepared blobs of one database keyed by (finger, impression)."""
    return {
        (f, i): prepare(parse_template((DATA / db / f"{f}_{i}.iso").read_bytes()))
        for f in FINGERS
        for i in IMPRESSIONS
    }


def rates(genuine: list[float], impostor: list[float]) -> tuple[float, float, float]:
    """(EER, FNMR at FMR <= 1%, FNMR at FMR <= 0.1%) from score lists."""
    thresholds = sorted(set(genuine) | set(impostor) | {math.inf})
    best = (2.0, 1.0)
    fmr100 = fmr1000 = 1.0
    for t in thresholds:
        fnmr = sum(g < t for g in genuine) / len(genuine)
        fmr = sum(s >= t for s in impostor) / len(impostor)
        if abs(fnmr - fmr) < best[0]:
            best = (abs(fnmr - fmr), (fnmr + fmr) / 2)
        if fmr <= 0.01:
            fmr100 = min(fmr100, fnmr)
        if fmr <= 0.001:
            fmr1000 = min(fmr1000, fnmr)
    return best[1], fmr100, fmr1000


def fvc_pairs(blobs: dict[tuple[int, int], bytes], all_impostors: bool) -> tuple[list[float], list[float]]:
    genuine = [
        compare(blobs[f, i], blobs[f, j]) for f in FINGERS for i, j in itertools.combinations(IMPRESSIONS, 2)
    ]
    if all_impostors:
        keys = list(blobs)
        impostor = [compare(blobs[a], blobs[b]) for a, b in itertools.combinations(keys, 2) if a[0] != b[0]]
    else:
        impostor = [compare(blobs[f, 1], blobs[g, 1]) for f, g in itertools.combinations(FINGERS, 2)]
    return genuine, impostor


def calibrate(all_blobs: dict[tuple[str, int, int], bytes], fmr: float = 1e-4) -> tuple[float, int]:
    """(threshold, number of impostor pairs) for the target FMR over every cross-finger pair."""
    keys = list(all_blobs)
    scores = sorted(
        (compare(all_blobs[a], all_blobs[b]) for a, b in itertools.combinations(keys, 2) if a[:2] != b[:2]),
        reverse=True,
    )
    allowed = math.floor(fmr * len(scores))
    threshold = math.ceil(scores[allowed] * 1000 + 1e-9) / 1000  # strictly above the (allowed+1)-th highest
    return threshold, len(scores)


def main() -> int:
    if not DATA.exists():
        print(f"data not found: {DATA}")
        return 1
    print(f"backend: {BACKEND}")
    start = time.perf_counter()
    dbs = {db: load(db) for db in DBS}
    for title, full in (("FVC protocol (280 genuine, 45 impostor per DB)", False),
                        ("all impostor pairs (280 genuine, 2880 impostor per DB)", True)):  # fmt: skip
        print(f"\n{title}\n{'DB':8}{'EER %':>8}{'FMR100 %':>10}{'FMR1000 %':>11}")
        total = [0.0, 0.0, 0.0]
        for db, blobs in dbs.items():
            eer, f100, f1000 = rates(*fvc_pairs(blobs, full))
            total = [total[0] + eer, total[1] + f100, total[2] + f1000]
            print(f"{db:8}{eer * 100:8.2f}{f100 * 100:10.2f}{f1000 * 100:11.2f}")
        print(f"{'average':8}{total[0] * 25:8.2f}{total[1] * 25:10.2f}{total[2] * 25:11.2f}")
    all_blobs = {(db, f, i): b for db, blobs in dbs.items() for (f, i), b in blobs.items()}
    threshold, n = calibrate(all_blobs)
    print(f"\nthreshold for FMR 1/10,000 over {n} impostor pairs: {threshold:.3f}")
    genuine = [s for blobs in dbs.values() for s in fvc_pairs(blobs, False)[0]]
    for name, t in (("calibrated", threshold), ("THRESHOLD_FMR_10K", THRESHOLD_FMR_10K)):
        fnmr = sum(g < t for g in genuine) / len(genuine)
        print(f"FNMR at the {name} threshold {t:.3f}: {fnmr * 100:.2f}% of {len(genuine)} genuine pairs")
    print(f"time: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
