"""Readable pure-Python reference of the native matching kernels (the test oracle and the fallback).

It implements the same algorithm with the same quantisation, constants and floating-point operation
order as native/chipid_mcc_prepare.c, native/chipid_mcc_match.c and native/chipid_face.c, so blobs are
byte-identical and scores agree to rounding.  It is about two orders of magnitude slower than C.

Minutia Cylinder-Code: Cappelli, Ferrara, Maltoni, IEEE TPAMI 32(12), 2010 (section 3: cylinders,
section 4.1: bit-vector local similarity, section 4.3: relaxation, LSS-R).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence

__all__ = [
    "DEFAULT_PARAMS",
    "blob_check",
    "compare",
    "compare_detail",
    "face_cosine",
    "face_normalize",
    "face_search",
    "prepare",
    "search",
]

# Constants: keep equal to native/mcc_internal.h.
R = 70.0
NS = 8
ND = 6
DS = 2.0 * R / NS
SIGMA_S = 28.0 / 3.0
SIGMA_D = 2.0 * math.pi / 9.0
MU_PSI = 0.0075
OMEGA = 50.0
MIN_VC = 31
MIN_M = 2
NBIN = 12
NR_MAX = 48
NREL = 5
WR = 0.5
D_LO, D_HI = 5.0, 20.0
A_LO, A_HI = 2731, 5461
MIN_NP, MAX_NP = 6, 16
MU_P, TAU_P = 20.0, 0.4
A_TOL = 5461
Q_FULL = 40.0
#: The tunable score parameters (native/mcc_internal.h, MCC_DEFAULT_PARAMS): D_K (distortion slope),
#: N_FLOOR (overlap floor), BETA (overlap exponent), D_OV (overlap radius, px), T0 (match tolerance, px),
#: ROTWIN (rotation window, bins either side of the voted bin), ROTCOST (cost of turning away from upright),
#: MINME (matchable cells two cylinders need in common).
DEFAULT_PARAMS: tuple[float, ...] = (0.05, 8.0, 1.0, 30.0, 12.0, 1.0, 0.6, 26.0)
UNIT = 2.0 * math.pi / 65536
HEADER, CYL = 16, 64
MAGIC = b"MCC4"

_Cyl = tuple[tuple[int, ...], int, int, int, int, int]  # (value words, mask, x, y, angle, quality)


def _adiff(a: int, b: int) -> int:
    """Signed angle difference a - b in 65536 units, in [-32768, 32767]."""
    d = (a - b) & 0xFFFF
    return d - 65536 if d >= 32768 else d


def _hull(pts: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Andrew's monotone chain over integer points (collinear points dropped)."""
    p = sorted(set(pts))
    if len(p) <= 2:
        return p

    def cross(o: tuple[int, int], a: tuple[int, int], b: tuple[int, int]) -> int:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[int, int]] = []
    for q in p:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], q) <= 0:
            lower.pop()
        lower.append(q)
    upper: list[tuple[int, int]] = []
    for q in reversed(p):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], q) <= 0:
            upper.pop()
        upper.append(q)
    return lower[:-1] + upper[:-1]


def _seg_dist2(px: float, py: float, a: tuple[int, int], b: tuple[int, int]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    wx, wy = px - a[0], py - a[1]
    len2 = dx * dx + dy * dy
    t = (wx * dx + wy * dy) / len2 if len2 > 0 else 0.0
    t = min(max(t, 0.0), 1.0)
    ex, ey = wx - t * dx, wy - t * dy
    return ex * ex + ey * ey


def _in_hull(px: float, py: float, h: list[tuple[int, int]]) -> bool:
    nh = len(h)
    if nh == 0:
        return False
    if nh >= 3 and all(
        (h[(i + 1) % nh][0] - h[i][0]) * (py - h[i][1]) - (h[(i + 1) % nh][1] - h[i][1]) * (px - h[i][0])
        >= 0.0
        for i in range(nh)
    ):
        return True
    edges = [(h[i], h[(i + 1) % nh]) for i in range(nh)] if nh >= 3 else [(h[0], h[-1])]
    return any(_seg_dist2(px, py, a, b) <= OMEGA * OMEGA for a, b in edges)


def _cylinder(
    xs: Sequence[int], ys: Sequence[int], angs: Sequence[int], m: int, hull: list[tuple[int, int]], *, q: int
) -> bytes:
    """Cylinder record of minutia m (section 3), or b"" when the cylinder is invalid."""
    reach2 = (R + 3.0 * SIGMA_S) * (R + 3.0 * SIGMA_S)
    near2 = (3.0 * SIGMA_S) * (3.0 * SIGMA_S)
    gs_norm = 1.0 / (SIGMA_S * math.sqrt(2.0 * math.pi))
    dd = 2.0 * math.pi / ND
    nbrs: list[tuple[int, list[float]]] = []
    for t in range(len(xs)):
        if t == m:
            continue
        ex, ey = float(xs[t] - xs[m]), float(ys[t] - ys[m])
        if ex * ex + ey * ey > reach2:
            continue
        dth = _adiff(angs[m], angs[t]) * UNIT
        gd = []
        for k in range(ND):
            al = (-math.pi + (k + 0.5) * dd) - dth
            if al < -math.pi:
                al += 2.0 * math.pi
            elif al >= math.pi:
                al -= 2.0 * math.pi
            s2 = SIGMA_D * math.sqrt(2.0)
            gd.append(0.5 * (math.erf((al + dd / 2.0) / s2) - math.erf((al - dd / 2.0) / s2)))
        nbrs.append((t, gd))
    if len(nbrs) < MIN_M:
        return b""
    th = angs[m] * UNIT
    c, s = math.cos(th), math.sin(th)
    words, mask, valid = [0] * ND, 0, 0
    for i in range(NS):
        for j in range(NS):
            di, dj = 2 * i - (NS - 1), 2 * j - (NS - 1)
            if di * di + dj * dj > NS * NS:
                continue
            ii, jj = di * 0.5, dj * 0.5
            px = xs[m] + DS * (c * ii + s * jj)
            py = ys[m] + DS * (-s * ii + c * jj)
            if not _in_hull(px, py, hull):
                continue
            bit = 1 << (i * NS + j)
            mask |= bit
            valid += 1
            total = [0.0] * ND
            for t, gd in nbrs:
                ex, ey = px - xs[t], py - ys[t]
                d2 = ex * ex + ey * ey
                if d2 > near2:
                    continue
                gs = gs_norm * math.exp(-d2 / (2.0 * SIGMA_S * SIGMA_S))
                for k in range(ND):
                    total[k] += gs * gd[k]
            for k in range(ND):
                if total[k] >= MU_PSI:
                    words[k] |= bit
    if valid < MIN_VC:
        return b""
    return struct.pack("<7Q3H2B", *words, mask, xs[m], ys[m], angs[m], len(nbrs), q)


def prepare(
    xs: Sequence[int], ys: Sequence[int], angles: Sequence[int], qualities: Sequence[int] | None = None
) -> bytes:
    """Blob of a template: header + one 64-byte record per valid cylinder (see chipid_prepare)."""
    hull = _hull(list(zip(xs, ys, strict=True)))
    order = sorted(range(len(xs)), key=lambda i: (angles[i], i))  # by angle, as the C code stores them
    qs = list(qualities) if qualities is not None else [0] * len(xs)
    cyls = [c for m in order if (c := _cylinder(xs, ys, angles, m, hull, q=qs[m]))]
    return MAGIC + struct.pack("<HH8x", len(cyls), len(xs)) + b"".join(cyls)


def blob_check(blob: bytes) -> bool:
    """The structural check of chipid_blob_check."""
    if len(blob) < HEADER or blob[:4] != MAGIC or any(blob[8:HEADER]):
        return False
    ncyl, n = struct.unpack_from("<HH", blob, 4)
    return bool(ncyl <= n <= 255 and len(blob) == HEADER + CYL * ncyl)


def _load(blob: bytes) -> list[_Cyl]:
    out = []
    for i in range(struct.unpack_from("<H", blob, 4)[0]):
        f = struct.unpack_from("<7QhhHxB", blob, HEADER + CYL * i)
        out.append((f[:6], f[6], f[7], f[8], f[9], f[10]))
    return out


def _consolidate(
    ca: list[_Cyl], cb: list[_Cyl], pairs: list[tuple[float, int, int]], n_min: int, dk: float
) -> tuple[float, list[float]]:
    """Relaxation of the selected pairs (section 4.3): (LSS-R score, relaxed similarities)."""
    np_ = len(pairs)
    l0 = [p[0] for p in pairs]
    rho = [[0.0] * np_ for _ in range(np_)]
    for t, (_, a, b) in enumerate(pairs):
        at, bt = ca[a], cb[b]
        # pair t maps B onto A by the rotation phi = theta_a - theta_b: compare dA with R(phi) dB
        phi = _adiff(at[4], bt[4]) * UNIT
        c, s = math.cos(phi), math.sin(phi)
        for k in range(t + 1, np_):  # symmetric: computed in the frame of the earlier pair
            ak, bk = ca[pairs[k][1]], cb[pairs[k][2]]
            dxa, dya = float(ak[2] - at[2]), float(ak[3] - at[3])
            dxb, dyb = float(bk[2] - bt[2]), float(bk[3] - bt[3])
            ex, ey = dxa - (c * dxb + s * dyb), dya - (c * dyb - s * dxb)
            length = math.sqrt(dxa * dxa + dya * dya)
            # the distance ramp D_LO..D_HI widens by dk per pixel of the vector (non-linear distortion)
            zd = (D_HI + dk * length - math.sqrt(ex * ex + ey * ey)) * (1.0 / (D_HI - D_LO))
            da = abs(_adiff(_adiff(ak[4], at[4]), _adiff(bk[4], bt[4])))
            za = (A_HI - float(da)) * (1.0 / (A_HI - A_LO))
            rho[t][k] = rho[k][t] = _clamp01(zd) * _clamp01(za)
    lam = list(l0)
    if np_ > 1:
        for _ in range(NREL):
            nxt = []
            for t in range(np_):
                s = 0.0
                for k in range(np_):
                    s += rho[t][k] * lam[k]
                nxt.append(WR * lam[t] + (1.0 - WR) * s / (np_ - 1))
            lam = nxt
    z = 1.0 / (1.0 + math.exp(-TAU_P * (n_min - MU_P)))
    want = MIN_NP + math.floor(z * (MAX_NP - MIN_NP) + 0.5)
    order = sorted(range(np_), key=lambda t: (-(lam[t] / l0[t]), t))
    total = 0.0
    for t in order[:want]:
        total += lam[t]
    return total / want, lam


def _clamp01(z: float) -> float:
    """min(max(z, 0), 1) exactly as the C code clamps."""
    z = z if z < 1.0 else 1.0
    return z if z > 0.0 else 0.0


def _overlap_factor(
    ca: list[_Cyl], cb: list[_Cyl], pairs: list[tuple[float, int, int]], lam: list[float], prm: Sequence[float]
) -> tuple[float, float, float, float, int]:
    """(factor, matched, overlap A, overlap B, rotation): the overlap normalisation of mcc_internal.h."""
    t0 = 0
    for t in range(1, len(pairs)):
        if lam[t] > lam[t0]:
            t0 = t
    a0, b0 = ca[pairs[t0][1]], cb[pairs[t0][2]]
    rot = _adiff(a0[4], b0[4])
    phi = rot * UNIT
    c, s = math.cos(phi), math.sin(phi)
    bx, by, ba = [], [], []
    for y in cb:
        dx, dy = float(y[2] - b0[2]), float(y[3] - b0[3])
        bx.append(a0[2] + (c * dx + s * dy))
        by.append(a0[3] + (c * dy - s * dx))
        ba.append((y[4] + rot) & 0xFFFF)
    dk, nfloor, beta, dov, t0_px = prm[0], prm[1], prm[2], prm[3], prm[4]
    dov2 = dov * dov
    colmin = [math.inf] * len(cb)
    hitb = [False] * len(cb)
    matched = ova = ovb = 0.0
    for x in ca:
        ex0, ey0 = float(x[2] - a0[2]), float(x[3] - a0[3])
        tol = t0_px + dk * math.sqrt(ex0 * ex0 + ey0 * ey0)
        tol2, mn = tol * tol, math.inf
        d2 = []
        for j in range(len(cb)):
            ex, ey = x[2] - bx[j], x[3] - by[j]
            d = ex * ex + ey * ey
            d2.append(d)
            mn = d if d < mn else mn
            colmin[j] = d if d < colmin[j] else colmin[j]
        hit = False
        for j in range(len(cb)):
            if d2[j] <= tol2 and -A_TOL <= _adiff(x[4], ba[j]) <= A_TOL:
                hit = hitb[j] = True
        w = _weight(x[5])
        if hit:
            matched += w
        if hit or mn <= dov2:
            ova += w
    for j, y in enumerate(cb):
        if hitb[j] or colmin[j] <= dov2:
            ovb += _weight(y[5])
    ov = (ova + ovb) * 0.5
    den = ov if ov > nfloor else nfloor
    ratio = matched / den if den > 0.0 else 0.0
    ratio = ratio if ratio < 1.0 else 1.0
    return math.pow(ratio, beta), matched, ova, ovb, rot


def _weight(q: int) -> float:
    """Quality weight of a minutia: 1 when not reported (0) or >= Q_FULL, else q / Q_FULL."""
    return 1.0 if q == 0 or q >= Q_FULL else q / Q_FULL


def _row_sims(x: _Cyl, cb: list[_Cyl], gate: int, min_me: int) -> list[tuple[int, float]]:
    """(bin, similarity) per B cylinder (bin -1: not matchable), section 4.1 bit-vector similarity."""
    out = []
    for y in cb:
        m = x[1] & y[1]
        pa = pb = px = 0
        for k in range(ND):
            va, vb = x[0][k] & m, y[0][k] & m
            pa += va.bit_count()
            pb += vb.bit_count()
            px += (va ^ vb).bit_count()
        dth = _adiff(x[4], y[4])
        if m.bit_count() < min_me or pa + pb == 0 or dth > gate or dth < -gate:
            out.append((-1, 0.0))
            continue
        sim = 1.0 - math.sqrt(px) / (math.sqrt(pa) + math.sqrt(pb))
        out.append((((dth + 32768) * NBIN) >> 16, sim))
    return out


def _candidates(
    ca: list[_Cyl], cb: list[_Cyl], gate: int, win: int, *, rot_cost: float, min_me: int
) -> list[tuple[float, int, int]]:
    """Best partner of each A cylinder within the voted rotation window, sorted best first."""
    best: list[list[tuple[float, int]]] = []
    hist = [0.0] * NBIN
    for x in ca:
        row = [(0.0, -1)] * NBIN
        for j, (b, sim) in enumerate(_row_sims(x, cb, gate, min_me)):
            if b >= 0 and sim > row[b][0]:
                row[b] = (sim, j)
        best.append(row)
        top, tv = -1, 0.0
        for b in range(NBIN):
            if row[b][0] > tv:
                top, tv = b, row[b][0]
        if top >= 0:
            hist[top] += tv
    peak, hv = 0, -1.0
    for b in range(NBIN):
        v = (hist[(b + NBIN - 1) % NBIN] + hist[b] + hist[(b + 1) % NBIN]) * (1.0 - rot_cost * abs(b - 5.5) / 5.5)
        if v > hv:
            peak, hv = b, v
    cands = []
    for i, row in enumerate(best):
        s, j = 0.0, -1
        for d in range(-win, win + 1):
            sim, bj = row[(peak + d) % NBIN]
            if bj >= 0 and (sim > s or (sim == s and bj < j)):
                s, j = sim, bj
        if j >= 0:
            cands.append((s, i, j))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    return cands


def compare(
    a: bytes, b: bytes, max_rotation: int = 32768, params: Sequence[float] = DEFAULT_PARAMS
) -> float:
    """Similarity in [0, 1] of two blobs (symmetric: the pair is put in a canonical order)."""
    return compare_detail(a, b, max_rotation, params)[0]


def compare_detail(
    a: bytes, b: bytes, max_rotation: int = 32768, params: Sequence[float] = DEFAULT_PARAMS
) -> tuple[float, list[float]]:
    """(score, detail) as chipid_compare_tuned: LSS-R, matched, overlap A, overlap B, na, nb, rotation, pairs."""
    if (len(a), a) > (len(b), b):
        a, b = b, a
    ca, cb = _load(a), _load(b)
    detail = [0.0, 0.0, 0.0, 0.0, float(len(ca)), float(len(cb)), 0.0, 0.0]
    if not ca or not cb:
        return 0.0, detail
    win = min(max(int(params[5]), 0), NBIN // 2)
    cands = _candidates(ca, cb, max(max_rotation, 0), win, rot_cost=params[6], min_me=int(params[7]))
    nr = min(len(ca), len(cb), NR_MAX)
    taken: set[int] = set()
    pairs: list[tuple[float, int, int]] = []
    for c in cands:
        if len(pairs) >= nr:
            break
        if c[2] not in taken:
            taken.add(c[2])
            pairs.append(c)
    detail[7] = float(len(pairs))
    if not pairs:
        return 0.0, detail
    lss, lam = _consolidate(ca, cb, pairs, min(len(ca), len(cb)), params[0])
    factor, matched, ova, ovb, rot = _overlap_factor(ca, cb, pairs, lam, params)
    detail[0:4] = [lss, matched, ova, ovb]
    detail[6] = float(rot)
    return lss * factor, detail


def search(
    probe: bytes, gallery: Sequence[bytes], top_k: int, max_rotation: int = 32768
) -> list[tuple[int, float]]:
    """Top-k (index, score), score descending then index ascending."""
    scored = sorted(
        ((i, compare(probe, g, max_rotation)) for i, g in enumerate(gallery)), key=lambda p: (-p[1], p[0])
    )
    return scored[:top_k]


def face_normalize(v: Sequence[float]) -> list[float]:
    """L2-normalised copy (float32 rounding as in C); a zero vector stays zero."""
    f32 = [struct.unpack("f", struct.pack("f", x))[0] for x in v]
    ss = 0.0
    for x in f32:  # sequential double sum, as in C (not sum(): 3.12+ compensates)
        ss += x * x
    if ss == 0.0:
        return f32
    inv = struct.unpack("f", struct.pack("f", 1.0 / math.sqrt(ss)))[0]
    return [struct.unpack("f", struct.pack("f", x * inv))[0] for x in f32]


def face_cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Dot product (the cosine of normalised vectors), in double precision."""
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


def face_search(
    query: Sequence[float], rows: Sequence[Sequence[float]], top_k: int
) -> list[tuple[int, float]]:
    """Top-k (row index, cosine) of one query against rows."""
    scored = sorted(((i, face_cosine(query, r)) for i, r in enumerate(rows)), key=lambda p: (-p[1], p[0]))
    return scored[:top_k]
