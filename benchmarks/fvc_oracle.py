"""How many minutiae two FVC2002 impressions share at best: a rigid-alignment oracle.

Run: ``python -m benchmarks.fvc_oracle [DB ...]`` (numpy; about 6 minutes for the four databases on one core).

For every pair of templates of a database, every minutia pair (i of a, j of b) is tried as the anchor of a
rigid alignment (b rotated by the direction difference and moved onto a_i); a minutia of a is matched when an
aligned minutia of b lies within 12 px and 30 degrees.  The best anchor's count is an upper bound of what a
rigid minutiae matcher can pair (no distortion tolerance), independent of any score.  It prints, per database,
how many genuine pairs share at most 7 minutiae and how many impostor pairs reach 8 or more, and the 20
lowest-scoring genuine pairs of the shipped matcher with both counts (docs/biometrics.md, "What limits the two
points not met").
"""

from __future__ import annotations

import itertools
import sys

import numpy as np

from benchmarks.accuracy_fvc import DBS, load_views
from chipid.biometrics import match
from chipid.biometrics._match_ref import DEFAULT_PARAMS

TOL_PX, TOL_DEG = 12.0, 30.0


def shared(a: np.ndarray, b: np.ndarray) -> int:
    """Most minutiae of a matched by b over every anchor pair (arrays of x, y, angle in degrees)."""
    rot = np.radians(a[:, None, 2] - b[None, :, 2])  # anchor (i, j): turn b by a_i - b_j
    c, s = np.cos(rot)[:, :, None], np.sin(rot)[:, :, None]
    dx = b[None, None, :, 0] - b[None, :, None, 0]
    dy = b[None, None, :, 1] - b[None, :, None, 1]
    x = a[:, None, None, 0] + c * dx + s * dy  # y grows downwards, angles counter-clockwise
    y = a[:, None, None, 1] - s * dx + c * dy
    ang = b[None, None, :, 2] + np.degrees(rot)[:, :, None]
    d2 = (x[..., None] - a[:, 0]) ** 2 + (y[..., None] - a[:, 1]) ** 2
    da = np.abs((ang[..., None] - a[:, 2] + 180.0) % 360.0 - 180.0)
    hit = (d2 <= TOL_PX * TOL_PX) & (da <= TOL_DEG)
    return int(hit.any(axis=2).sum(axis=-1).max())


def main(argv: list[str]) -> int:
    views = load_views()
    for db in argv or DBS:
        arr = {k: np.array([[m.x, m.y, m.angle] for m in v], float) for k, v in views[db].items()}
        blobs = {k: match.prepare(v) for k, v in views[db].items()}
        gen: list[tuple[float, int, int, tuple]] = []
        imp: list[int] = []
        for ka, kb in itertools.combinations(sorted(arr), 2):
            n = shared(arr[ka], arr[kb])
            if ka[0] == kb[0]:
                score, detail = match._compare_tuned(blobs[ka], blobs[kb], DEFAULT_PARAMS)
                gen.append((score, n, int(detail[1]), (ka, kb)))
            else:
                imp.append(n)
        low = sum(g[1] <= 7 for g in gen)
        high = sum(i >= 8 for i in imp)
        print(f"{db}: genuine pairs sharing <= 7 minutiae: {low}/{len(gen)}; "
              f"impostor pairs reaching 8: {high}/{len(imp)}")  # fmt: skip
        worst = sorted(gen)[:20]
        print("  20 lowest-scoring genuine pairs, oracle / matcher matched counts:",
              " ".join(f"{g[1]}/{g[2]}" for g in worst))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
