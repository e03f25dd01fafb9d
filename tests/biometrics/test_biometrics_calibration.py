"""The published FMR -> threshold table is what the calibration rule gives with the shipped parameters.

The rule (benchmarks/accuracy_fvc.py, docs/biometrics.md): per FVC2002 database, the smallest score rounded up
to 0.001 that at most floor(FMR x 2,880) impostor pairs reach; the table holds the highest of the four.  A
change to the matcher or its parameters that moves a threshold must update the table (and the docs).
"""

from __future__ import annotations

import itertools
import math

import pytest

from chipid.biometrics import match
from chipid.biometrics.template import parse_template
from tests.biometrics._samples import fvc_bytes

DBS = ("DB1_B", "DB2_B", "DB3_B", "DB4_B")


def _impostors(db: str) -> list[float]:
    blobs = {(f, i): match.prepare(parse_template(fvc_bytes(db, f, i))) for f in range(101, 111) for i in range(1, 9)}
    return [match.compare(blobs[a], blobs[b]) for a, b in itertools.combinations(sorted(blobs), 2) if a[0] != b[0]]


def _calibrate(impostors: list[float], fmr: float) -> float:
    s = sorted(impostors, reverse=True)
    return math.ceil(s[math.floor(fmr * len(s))] * 1000 + 1e-9) / 1000


@pytest.mark.skipif(match.BACKEND != "native", reason="2 x 11,520 comparisons: too slow for the Python fallback")
def test_threshold_table_matches_the_calibration_rule() -> None:
    per_db = [_impostors(db) for db in DBS]
    assert all(len(imp) == 2880 for imp in per_db)
    for fmr, threshold in match.FMR_THRESHOLDS.items():
        assert threshold == max(_calibrate(imp, fmr) for imp in per_db), fmr
    # at the 1e-4 threshold no impostor pair of any of the four sensors matches
    t = match.threshold_for_fmr(1e-4)
    assert max(max(imp) for imp in per_db) < t
