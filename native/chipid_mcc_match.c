/* MCC 1:1 comparison: bit-vector local similarities, rotation estimate, one-to-one pairing, relaxation
 * (LSS-R) and the overlap normalisation.
 *
 * Cappelli, Ferrara, Maltoni, IEEE TPAMI 32(12), 2010: section 4.1 (local similarity of bit cylinders:
 * 1 - ||ca xor cb|| / (||ca|| + ||cb||) over the matchable cells, matchable cells >= minME), section 4.3
 * (relaxation of the candidate pairs with compatibility rho, efficiency ranking, global score = mean
 * relaxed similarity of the top nP pairs, nP growing with the template size).  Departures, mirrored in
 * _match_ref.py:
 *  - any rotation: instead of a fixed direction gap deltaTheta around 0, every pair votes for the rotation
 *    bin (30 degrees) of its best partner; only partners within the winning window (+-ROTWIN bins) are
 *    candidates.  max_rotation bounds the rotations considered (the upright-sensor option).
 *  - candidates are the best partner of each probe cylinder, made one-to-one greedily; rho compares pair
 *    k's vector in A with its vector in B rotated by pair t's direction difference (one symmetric value
 *    per {t, k}), with linear ramps that widen by D_K per pixel of the vector (non-linear distortion).
 *  - the LSS-R score is multiplied by the overlap factor (mcc_internal.h), which normalises for the
 *    number of minutiae the two prints share: few consistent minutiae in a small overlap score low.
 * Run-time dispatch: portable C, POPCNT, AVX2 and AVX-512 VPOPCNTDQ (table or square-root variant) compile
 * the same source (the per-row popcount loop vectorises); every path gives the same bits (chipid_compare_isa
 * lets tests check that).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "mcc_internal.h"
#include "mcc_sqrt_table.h"

typedef struct {
    double sim;
    int a, b;
} cand;

/* B cylinders as structure of arrays, so the per-row loop runs across partners; padded to a multiple of
 * 8 entries with empty cylinders (mask 0: never matchable). */
#define MCC_SOA_CAP 256
#define MCC_SM_STACK 4096 /* similarity matrix entries kept on the stack (32 KiB) */
typedef struct {
    uint64_t v[MCC_ND][MCC_SOA_CAP];
    uint64_t m[MCC_SOA_CAP];
    int64_t a[MCC_SOA_CAP];
} mcc_soa;

static const double mcc_default_params[CHIPID_NPARAMS] = MCC_DEFAULT_PARAMS;

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define MCC_HAVE_AVX512 1
/* One row of consolidate's rho (pairs k = t+1 .. np-1 against pair t) with AVX-512, the same IEEE operations
 * per pair as the portable loop.  A pair whose relative direction difference da reaches A_HI has za = 0
 * after the clamp, so rho = zd * 0.0 = +0.0 whatever zd (finite, in [0, 1]): only the other pairs (about a
 * sixth for unrelated prints) go through the distance arithmetic and its two square roots.  They are
 * packed (register compress), computed 8 at a time, and expanded back in place. */
__attribute__((target("avx2,avx512f"))) static inline void rho_row_avx512(
    int t, int np, const double *xa, const double *ya, const double *xb, const double *yb, const int *aa,
    const int *ab, double c, double s, double dk, double *row) {
    double pdxa[MCC_NR_MAX + 8], pdya[MCC_NR_MAX + 8], pdxb[MCC_NR_MAX + 8], pdyb[MCC_NR_MAX + 8];
    double pda[MCC_NR_MAX + 8], out[MCC_NR_MAX + 16];
    __mmask8 keep[MCC_NR_MAX / 8 + 2];
    const __m512d vxa = _mm512_set1_pd(xa[t]), vya = _mm512_set1_pd(ya[t]);
    const __m512d vxb = _mm512_set1_pd(xb[t]), vyb = _mm512_set1_pd(yb[t]);
    const __m256i ta = _mm256_set1_epi32(aa[t]), tb = _mm256_set1_epi32(ab[t]);
    const __m256i h16 = _mm256_set1_epi32(32768), lo16 = _mm256_set1_epi32(0xFFFF);
    const __m256i ahi = _mm256_set1_epi32(MCC_A_HI), lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    int n = 0, nk = 0;
    for (int k = t + 1; k < np; k += 8, nk++) {
        /* lanes past np read the zero slack and are masked off */
        __m256i dkk = _mm256_sub_epi32(_mm256_sub_epi32(_mm256_loadu_si256((const __m256i *)(aa + k)), ta),
                                       _mm256_sub_epi32(_mm256_loadu_si256((const __m256i *)(ab + k)), tb));
        __m256i da = _mm256_abs_epi32(_mm256_sub_epi32(_mm256_and_si256(_mm256_add_epi32(dkk, h16), lo16), h16));
        __m256i live = _mm256_and_si256(_mm256_cmpgt_epi32(ahi, da),
                                        _mm256_cmpgt_epi32(_mm256_set1_epi32(np - k), lane));
        __mmask8 m = (__mmask8)_mm256_movemask_ps(_mm256_castsi256_ps(live));
        keep[nk] = m;
        _mm512_storeu_pd(pdxa + n, _mm512_maskz_compress_pd(m, _mm512_sub_pd(_mm512_loadu_pd(xa + k), vxa)));
        _mm512_storeu_pd(pdya + n, _mm512_maskz_compress_pd(m, _mm512_sub_pd(_mm512_loadu_pd(ya + k), vya)));
        _mm512_storeu_pd(pdxb + n, _mm512_maskz_compress_pd(m, _mm512_sub_pd(_mm512_loadu_pd(xb + k), vxb)));
        _mm512_storeu_pd(pdyb + n, _mm512_maskz_compress_pd(m, _mm512_sub_pd(_mm512_loadu_pd(yb + k), vyb)));
        _mm512_storeu_pd(pda + n, _mm512_maskz_compress_pd(m, _mm512_cvtepi32_pd(da)));
        n += __builtin_popcount(m);
    }
    const __m512d vc = _mm512_set1_pd(c), vs = _mm512_set1_pd(s), vdk = _mm512_set1_pd(dk);
    const __m512d dhi = _mm512_set1_pd(MCC_D_HI), dsc = _mm512_set1_pd(1.0 / (MCC_D_HI - MCC_D_LO));
    const __m512d ahd = _mm512_set1_pd(MCC_A_HI), asc = _mm512_set1_pd(1.0 / (MCC_A_HI - MCC_A_LO));
    const __m512d one = _mm512_set1_pd(1.0), zero = _mm512_setzero_pd();
    for (int u = 0; u < n; u += 8) {
        __mmask8 lm = (__mmask8)(n - u >= 8 ? 0xFF : (1u << (n - u)) - 1u);
        __m512d dxa = _mm512_maskz_loadu_pd(lm, pdxa + u), dya = _mm512_maskz_loadu_pd(lm, pdya + u);
        __m512d dxb = _mm512_maskz_loadu_pd(lm, pdxb + u), dyb = _mm512_maskz_loadu_pd(lm, pdyb + u);
        __m512d ex = _mm512_sub_pd(dxa, _mm512_add_pd(_mm512_mul_pd(vc, dxb), _mm512_mul_pd(vs, dyb)));
        __m512d ey = _mm512_sub_pd(dya, _mm512_sub_pd(_mm512_mul_pd(vc, dyb), _mm512_mul_pd(vs, dxb)));
        __m512d q = _mm512_add_pd(_mm512_mul_pd(ex, ex), _mm512_mul_pd(ey, ey));
        __m512d len = dk != 0.0 ? _mm512_sqrt_pd(_mm512_add_pd(_mm512_mul_pd(dxa, dxa), _mm512_mul_pd(dya, dya)))
                                : zero;
        __m512d zd = _mm512_mul_pd(_mm512_sub_pd(_mm512_add_pd(dhi, _mm512_mul_pd(vdk, len)), _mm512_sqrt_pd(q)), dsc);
        __m512d za = _mm512_mul_pd(_mm512_sub_pd(ahd, _mm512_maskz_loadu_pd(lm, pda + u)), asc);
        /* the portable clamps: z < 1 ? z : 1, then z > 0 ? z : 0 */
        zd = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(zd, one, _CMP_LT_OQ), one, zd);
        zd = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(zd, zero, _CMP_GT_OQ), zero, zd);
        za = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(za, one, _CMP_LT_OQ), one, za);
        za = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(za, zero, _CMP_GT_OQ), zero, za);
        _mm512_storeu_pd(out + u, _mm512_mul_pd(zd, za));
    }
    _mm512_storeu_pd(out + ((n + 7) & ~7), zero); /* what the last expand may read past n */
    int pos = 0;
    nk = 0;
    for (int k = t + 1; k < np; k += 8, nk++) {
        __m512d v = _mm512_maskz_expand_pd(keep[nk], _mm512_loadu_pd(out + pos));
        _mm512_storeu_pd(row + k, v); /* row has 8 entries of slack past np */
        pos += __builtin_popcount(keep[nk]);
    }
}
#endif

/* One row of overlap_factor with AVX-512: A minutia (xi, yi, ai) against the aligned B minutiae, the same
 * IEEE operations per pair as the portable loop; ORs the B "in the overlap or matched" flags into nearm
 * (bit j & 7 of byte j >> 3) and sets *near / *hit.  bx, by, ba run to a multiple of 8 (padding far away:
 * never near, never matched). */
__attribute__((target("avx2,avx512f"))) static inline void overlap_row_avx512(double xi, double yi, int ai,
                                                                              const double *bx, const double *by,
                                                                              const int *ba, int nb, double dov2,
                                                                              double tol2, unsigned char *nearm,
                                                                              int *near, int *hit) {
    const __m512d vx = _mm512_set1_pd(xi), vy = _mm512_set1_pd(yi);
    const __m512d vd = _mm512_set1_pd(dov2), vt = _mm512_set1_pd(tol2);
    const __m256i va = _mm256_set1_epi32(ai), lo16 = _mm256_set1_epi32(0xFFFF);
    const __m256i h16m1 = _mm256_set1_epi32(32767), full = _mm256_set1_epi32(65536);
    const __m256i atol = _mm256_set1_epi32(MCC_A_TOL + 1);
    unsigned any_ov = 0, any_hit = 0;
    for (int j = 0; j < nb; j += 8) {
        __m512d ex = _mm512_sub_pd(vx, _mm512_loadu_pd(bx + j));
        __m512d ey = _mm512_sub_pd(vy, _mm512_loadu_pd(by + j));
        __m512d d = _mm512_add_pd(_mm512_mul_pd(ex, ex), _mm512_mul_pd(ey, ey));
        __m256i da = _mm256_and_si256(_mm256_sub_epi32(va, _mm256_loadu_si256((const __m256i *)(ba + j))), lo16);
        da = _mm256_blendv_epi8(da, _mm256_sub_epi32(full, da), _mm256_cmpgt_epi32(da, h16m1)); /* |difference| */
        __mmask8 aok = (__mmask8)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(atol, da)));
        __mmask8 in_ov = _mm512_cmp_pd_mask(d, vd, _CMP_LE_OQ);
        __mmask8 h = _mm512_cmp_pd_mask(d, vt, _CMP_LE_OQ) & aok;
        any_ov |= in_ov;
        any_hit |= h;
        nearm[j >> 3] |= (unsigned char)(in_ov | h);
    }
    *near = any_ov != 0;
    *hit = any_hit != 0;
}

/* Relaxation over the selected pairs (section 4.3): lam receives the relaxed similarities; returns the
 * LSS-R score (mean relaxed similarity of the top nP pairs by efficiency). */
static inline __attribute__((always_inline)) double consolidate(const mcc_cyl *ca, const mcc_cyl *cb,
                                                                 const cand *p, int np, int n_min, double dk,
                                                                 int wide, double *lam) {
    double l0[MCC_NR_MAX], nxt[MCC_NR_MAX], rho[MCC_NR_MAX][MCC_NR_MAX];
    /* 8 entries of slack past np (zeros) for the AVX-512 row's full-width loads */
    double xa[MCC_NR_MAX + 8], ya[MCC_NR_MAX + 8], xb[MCC_NR_MAX + 8], yb[MCC_NR_MAX + 8];
    int aa[MCC_NR_MAX + 8], ab[MCC_NR_MAX + 8];
    for (int t = np; t < np + 8; t++) {
        xa[t] = ya[t] = xb[t] = yb[t] = 0.0;
        aa[t] = ab[t] = 0;
    }
    for (int t = 0; t < np; t++) {
        xa[t] = ca[p[t].a].x;
        ya[t] = ca[p[t].a].y;
        aa[t] = ca[p[t].a].a;
        xb[t] = cb[p[t].b].x;
        yb[t] = cb[p[t].b].y;
        ab[t] = cb[p[t].b].a;
        l0[t] = lam[t] = p[t].sim;
    }
    /* rho[k][t]: compatibility of pair t with pair k, transposed so the relaxation sweeps t.  Branch-free
     * (min/max clamps equal the ramp's branches bit for bit), so the k loop vectorises. */
    for (int t = 0; t < np; t++) {
        /* pair t maps B onto A by the rotation phi = theta_a - theta_b: compare dA with R(phi) dB;
         * rho is made symmetric by evaluating each (t, k) once, in the frame of the earlier pair t */
        double phi = mcc_adiff(aa[t], ab[t]) * MCC_UNIT;
        double c = cos(phi), s = sin(phi);
        double row[MCC_NR_MAX + 8];
#ifdef MCC_HAVE_AVX512
        if (wide) rho_row_avx512(t, np, xa, ya, xb, yb, aa, ab, c, s, dk, row);
#else
        (void)wide;
#endif
        for (int k = t + 1; k < np && !wide; k++) {
            int dkk = (aa[k] - aa[t]) - (ab[k] - ab[t]);
            int da = abs(((dkk + 32768) & 0xFFFF) - 32768);
            double dxa = xa[k] - xa[t], dya = ya[k] - ya[t];
            double dxb = xb[k] - xb[t], dyb = yb[k] - yb[t];
            double ex = dxa - (c * dxb + s * dyb), ey = dya - (c * dyb - s * dxb);
            double q = ex * ex + ey * ey;
            double len = dk != 0.0 ? sqrt(dxa * dxa + dya * dya) : 0.0; /* dk * 0.0 == dk * len when dk == 0 */
            double zd = (MCC_D_HI + dk * len - sqrt(q)) * (1.0 / (MCC_D_HI - MCC_D_LO));
            double za = (MCC_A_HI - (double)da) * (1.0 / (MCC_A_HI - MCC_A_LO));
            zd = zd < 1.0 ? zd : 1.0;
            zd = zd > 0.0 ? zd : 0.0;
            za = za < 1.0 ? za : 1.0;
            za = za > 0.0 ? za : 0.0;
            row[k] = zd * za;
        }
        rho[t][t] = 0.0;
        for (int k = t + 1; k < np; k++) rho[k][t] = rho[t][k] = row[k];
    }
    if (np > 1) {
        for (int it = 0; it < MCC_NREL; it++) {
            /* s[t] = sum over k in order of rho(t, k) * lam[k]: independent accumulators, same order */
            double s[MCC_NR_MAX];
            for (int t = 0; t < np; t++) s[t] = 0.0;
            for (int k = 0; k < np; k++) {
                for (int t = 0; t < np; t++) s[t] += rho[k][t] * lam[k];
            }
            for (int t = 0; t < np; t++) nxt[t] = MCC_WR * lam[t] + (1.0 - MCC_WR) * s[t] / (np - 1);
            for (int t = 0; t < np; t++) lam[t] = nxt[t];
        }
    }
    double z = 1.0 / (1.0 + exp(-MCC_TAU_P * (n_min - MCC_MU_P)));
    int want = MCC_MIN_NP + (int)floor(z * (MCC_MAX_NP - MCC_MIN_NP) + 0.5);
    /* the top `want` pairs by efficiency lam / l0 (ties: lower index first), summed in that order: pair t
     * is the rank[t]-th, rank[t] = pairs of higher efficiency + earlier pairs of equal efficiency (a
     * branch-free count that vectorises; efficiencies are finite: l0 > 0) */
    double eff[MCC_NR_MAX], top[MCC_NR_MAX];
    for (int t = 0; t < np; t++) eff[t] = lam[t] / l0[t];
    int nt = want < np ? want : np, rank[MCC_NR_MAX];
    for (int t = 0; t < np; t++) rank[t] = 0;
    for (int u = 0; u < np; u++) {
        const double e = eff[u];
        for (int t = 0; t < np; t++) rank[t] += (e > eff[t]) | ((e == eff[t]) & (u < t));
    }
    for (int t = 0; t < np; t++) {
        if (rank[t] < nt) top[rank[t]] = lam[t];
    }
    double total = 0.0;
    for (int r = 0; r < nt; r++) total += top[r];
    return total / want;
}

/* Overlap factor (mcc_internal.h): B aligned on A by the pair of highest relaxed similarity. */
static inline __attribute__((always_inline)) double overlap_factor(const mcc_cyl *ca, int na, const mcc_cyl *cb,
                                                                    int nb, const cand *p, int np,
                                                                    const double *lam, const double *prm,
                                                                    int wide, double *det) {
    int t0 = 0;
    for (int t = 1; t < np; t++) {
        if (lam[t] > lam[t0]) t0 = t;
    }
    const mcc_cyl *a0 = &ca[p[t0].a], *b0 = &cb[p[t0].b];
    int rot = mcc_adiff(a0->a, b0->a);
    double phi = rot * MCC_UNIT, c = cos(phi), s = sin(phi);
    double bx[CHIPID_MAX_MINUTIAE + 8], by[CHIPID_MAX_MINUTIAE + 8]; /* + padding for the AVX-512 rows */
    int ba[CHIPID_MAX_MINUTIAE + 8];
    for (int j = nb; j < ((nb + 7) & ~7); j++) { /* far away: squared distance 1e60 exceeds any tolerance */
        bx[j] = by[j] = 1e30;
        ba[j] = 0;
    }
    int nearb[CHIPID_MAX_MINUTIAE]; /* B minutia in the overlap (or matched) */
    for (int j = 0; j < nb; j++) {
        double dx = cb[j].x - b0->x, dy = cb[j].y - b0->y;
        bx[j] = a0->x + (c * dx + s * dy);
        by[j] = a0->y + (c * dy - s * dx);
        ba[j] = (cb[j].a + rot) & 0xFFFF;
        nearb[j] = 0;
    }
    const double dov2 = prm[MCC_P_DOV] * prm[MCC_P_DOV];
    double matched = 0.0, ova = 0.0, ovb = 0.0;
    int nb_scalar = nb;
    unsigned char nearm[CHIPID_MAX_MINUTIAE / 8 + 1] = {0}; /* nearb as 8-bit masks (AVX-512 rows) */
    double tol2s[CHIPID_MAX_MINUTIAE];
    const double t0px = prm[MCC_P_T0], dkp = prm[MCC_P_DK];
    for (int i = 0; i < na; i++) { /* a separate loop, so that it vectorises (square roots 8 at a time) */
        double ex0 = ca[i].x - a0->x, ey0 = ca[i].y - a0->y;
        double tol = t0px + (dkp != 0.0 ? dkp * sqrt(ex0 * ex0 + ey0 * ey0) : 0.0);
        tol2s[i] = tol * tol;
    }
    for (int i = 0; i < na; i++) {
        double xi = ca[i].x, yi = ca[i].y;
        double tol2 = tol2s[i];
        int near = 0, hit = 0, ai = ca[i].a;
#ifdef MCC_HAVE_AVX512
        if (wide) {
            overlap_row_avx512(xi, yi, ai, bx, by, ba, nb, dov2, tol2, nearm, &near, &hit);
            nb_scalar = 0;
        }
#else
        (void)wide;
#endif
        for (int j = 0; j < nb_scalar; j++) { /* vectorises: no branch, integer reductions */
            double ex = xi - bx[j], ey = yi - by[j];
            double d = ex * ex + ey * ey;
            int da = (ai - ba[j]) & 0xFFFF;
            da = da >= 32768 ? 65536 - da : da; /* |direction difference| */
            int in_ov = d <= dov2, h = (d <= tol2) & (da <= MCC_A_TOL);
            near |= in_ov;
            hit |= h;
            nearb[j] |= in_ov | h;
        }
        if (hit) matched += ca[i].w;
        if (hit || near) ova += ca[i].w;
    }
    for (int j = 0; j < nb; j++) {
        if (nearb[j] | ((nearm[j >> 3] >> (j & 7)) & 1)) ovb += cb[j].w;
    }
    double ov = (ova + ovb) * 0.5;
    double den = ov > prm[MCC_P_NFLOOR] ? ov : prm[MCC_P_NFLOOR];
    double ratio = den > 0.0 ? matched / den : 0.0;
    ratio = ratio < 1.0 ? ratio : 1.0;
    if (det != NULL) {
        det[1] = matched;
        det[2] = ova;
        det[3] = ovb;
        det[6] = rot;
    }
    /* pow(x, 1) is x exactly (the result is representable and pow errs by under one unit in the last place) */
    return prm[MCC_P_BETA] == 1.0 ? ratio : pow(ratio, prm[MCC_P_BETA]);
}

#define MCC_POP(x) __builtin_popcountll(x)

/* Row of the local stage (section 4.1): for cylinder x against every B cylinder, the bit-vector similarity
 * 1 - sqrt|a xor b| / (sqrt|a| + sqrt|b|) over the matchable cells (0 when fewer than minME cells are
 * matchable or the direction gap exceeds the rotation limit; a similarity is never negative).
 * Branch-free: (1 - q) * 1.0 is exact and (1 - q) * 0.0 is +0.0, so no data-dependent branch is needed;
 * the table holds sqrt(0..384) exactly.  Padding entries (mask 0) get +0.0. */
static inline __attribute__((always_inline)) void row_sims(const mcc_cyl *x, const mcc_soa *sb, int nb, int gate,
                                                            int min_me, double *sim) {
    int pm[MCC_SOA_CAP], pa[MCC_SOA_CAP], pb[MCC_SOA_CAP], px[MCC_SOA_CAP];
    for (int j = 0; j < nb; j++) {
        uint64_t m = x->m & sb->m[j];
        int ca = 0, cb = 0, cx = 0;
        for (int k = 0; k < MCC_ND; k++) {
            uint64_t va = x->v[k] & m, vb = sb->v[k][j] & m;
            ca += MCC_POP(va);
            cb += MCC_POP(vb);
            cx += MCC_POP(va ^ vb);
        }
        pm[j] = MCC_POP(m);
        pa[j] = ca;
        pb[j] = cb;
        px[j] = cx;
    }
    for (int j = 0; j < nb; j++) {
        int dth = mcc_adiff(x->a, (int)sb->a[j]);
        int ok = (pm[j] >= min_me) & (pa[j] + pb[j] > 0) & (dth <= gate) & (dth >= -gate);
        double okd = (double)ok;
        double den = mcc_sqrt_table[pa[j]] + mcc_sqrt_table[pb[j]] + (1.0 - okd);
        sim[j] = (1.0 - mcc_sqrt_table[px[j]] / den) * okd;
    }
}

/* Rotation bin (30 degrees) of the direction gap theta_x - theta_b: ((gap + 32768) * 12) >> 16 with the
 * gap in [-32768, 32767], i.e. of ((theta_x - theta_b + 32768) mod 65536). */
static inline int rot_bin(int xa, int ba) { return ((((xa - ba) + 32768) & 0xFFFF) * MCC_NBIN) >> 16; }

/* The vote of one row: its best similarity tv over all partners and, among the partners that reach it, the
 * lowest rotation bin (this equals "best per bin, then the first bin with the highest best": the bin of
 * the row maximum that comes first).  Returns the bin, or -1 when the row has no similarity above 0. */
static inline __attribute__((always_inline)) int row_vote(const mcc_cyl *x, const mcc_soa *sb, int nb,
                                                           const double *sim, double *tv_out) {
    double tv = 0.0;
    for (int j = 0; j < nb; j++) tv = sim[j] > tv ? sim[j] : tv;
    *tv_out = tv;
    if (!(tv > 0.0)) return -1;
    int top = MCC_NBIN;
    for (int j = 0; j < nb; j++) {
        int b = rot_bin(x->a, (int)sb->a[j]);
        top = (sim[j] == tv && b < top) ? b : top;
    }
    return top;
}

/* The candidate of one row once the window is known (wbits: bit b set for the bins in the window): its
 * highest similarity among partners whose bin is in the window, and the first such partner (lowest j).
 * Equal to "best per bin (lowest j on ties), then the best bin of the window (lower j on ties)". */
static inline __attribute__((always_inline)) int row_pick(const mcc_cyl *x, const mcc_soa *sb, int nb,
                                                           const double *sim, unsigned wbits, double *s_out) {
    double s = 0.0;
    int best = -1;
    for (int j = 0; j < nb; j++) {
        int in = (wbits >> rot_bin(x->a, (int)sb->a[j])) & 1u;
        if (in && sim[j] > s) {
            s = sim[j];
            best = j;
        }
    }
    *s_out = s;
    return best;
}

#ifdef MCC_HAVE_AVX512
/* row_sims with AVX-512 VPOPCNTDQ, 8 partners per step: the same IEEE operations in the same order (square
 * roots, add, divide, subtract; masked lanes give +0.0), so the same bits.  nb is rounded up to 8 (the
 * padding entries are empty cylinders).  Also does row_vote: *tv_out and the returned bin.  The square
 * roots of the counts come from the table (gathers) or, with sq (a constant after inlining), two of the
 * three from the square-root instruction, correctly rounded as the table is: the same values.  On AMD Zen 4
 * the gather unit is the bottleneck and sq is about 5 % faster; on Intel cores, whose 512-bit square root
 * is slow and gathers fast, the table alone is expected faster (best_isa chooses by vendor). */
__attribute__((target("avx512f,avx512dq,avx512vpopcntdq"))) static inline int row_sims_avx512(
    const mcc_cyl *x, const mcc_soa *sb, int nb, int gate, int min_me, int sq, double *sim, double *tv_out) {
    const __m512i xm = _mm512_set1_epi64((long long)x->m), xa = _mm512_set1_epi64(x->a);
    const __m512i lo16 = _mm512_set1_epi64(0xFFFF), half = _mm512_set1_epi64(32768);
    const __m512i full = _mm512_set1_epi64(65536), gmax = _mm512_set1_epi64(gate), gmin = _mm512_set1_epi64(-gate);
    const __m512i minme = _mm512_set1_epi64(min_me), zero = _mm512_setzero_si512();
    const __m512d one = _mm512_set1_pd(1.0);
    __m512d vmax = _mm512_setzero_pd();
    __m512i vbin = _mm512_set1_epi64(MCC_NBIN);
    __m512i xv[MCC_ND];
    for (int k = 0; k < MCC_ND; k++) xv[k] = _mm512_set1_epi64((long long)x->v[k]);
    for (int j = 0; j < nb; j += 8) {
        __m512i m = _mm512_and_si512(xm, _mm512_loadu_si512(sb->m + j));
        __m512i pa = zero, pb = zero, px = zero;
        for (int k = 0; k < MCC_ND; k++) {
            __m512i va = _mm512_and_si512(xv[k], m), vb = _mm512_and_si512(_mm512_loadu_si512(sb->v[k] + j), m);
            pa = _mm512_add_epi64(pa, _mm512_popcnt_epi64(va));
            pb = _mm512_add_epi64(pb, _mm512_popcnt_epi64(vb));
            px = _mm512_add_epi64(px, _mm512_popcnt_epi64(_mm512_xor_si512(va, vb)));
        }
        __m512i d = _mm512_and_si512(_mm512_sub_epi64(xa, _mm512_loadu_si512(sb->a + j)), lo16);
        d = _mm512_mask_sub_epi64(d, _mm512_cmpge_epi64_mask(d, half), d, full);
        __mmask8 ok = _mm512_cmpge_epi64_mask(_mm512_popcnt_epi64(m), minme) &
                      _mm512_cmpgt_epi64_mask(_mm512_add_epi64(pa, pb), zero) & _mm512_cmple_epi64_mask(d, gmax) &
                      _mm512_cmpge_epi64_mask(d, gmin);
        __m512d ta = _mm512_i64gather_pd(pa, mcc_sqrt_table, 8), tb, tx;
        if (sq) {
            tb = _mm512_sqrt_pd(_mm512_cvtepi64_pd(pb));
            tx = _mm512_sqrt_pd(_mm512_cvtepi64_pd(px));
        } else {
            tb = _mm512_i64gather_pd(pb, mcc_sqrt_table, 8);
            tx = _mm512_i64gather_pd(px, mcc_sqrt_table, 8);
        }
        __m512d den = _mm512_add_pd(_mm512_add_pd(ta, tb), _mm512_mask_blend_pd(ok, one, _mm512_setzero_pd()));
        __m512d s = _mm512_maskz_sub_pd(ok, one, _mm512_div_pd(tx, den));
        _mm512_storeu_pd(sim + j, s);
        /* the vote, per lane: the best similarity so far and the lowest bin among the partners reaching it */
        __m512i b = _mm512_add_epi64(d, half);
        b = _mm512_srli_epi64(_mm512_add_epi64(_mm512_slli_epi64(b, 3), _mm512_slli_epi64(b, 2)), 16);
        __mmask8 gt = _mm512_cmp_pd_mask(s, vmax, _CMP_GT_OQ), eq = _mm512_cmp_pd_mask(s, vmax, _CMP_EQ_OQ);
        vbin = _mm512_mask_mov_epi64(vbin, gt, b);
        vbin = _mm512_mask_min_epi64(vbin, eq, vbin, b);
        vmax = _mm512_max_pd(vmax, s);
    }
    double tv = _mm512_reduce_max_pd(vmax);
    *tv_out = tv;
    if (!(tv > 0.0)) return -1;
    __mmask8 at = _mm512_cmp_pd_mask(vmax, _mm512_set1_pd(tv), _CMP_EQ_OQ);
    return (int)_mm512_reduce_min_epi64(_mm512_mask_mov_epi64(_mm512_set1_epi64(MCC_NBIN), at, vbin));
}

/* Lanes j..j+7 of a row: rotation bins of x against those B cylinders (rot_bin, 64-bit lanes). */
__attribute__((target("avx512f"))) static inline __m512i bins_avx512(const mcc_cyl *x, const mcc_soa *sb, int j) {
    __m512i d = _mm512_sub_epi64(_mm512_set1_epi64(x->a + 32768), _mm512_loadu_si512(sb->a + j));
    d = _mm512_and_si512(d, _mm512_set1_epi64(0xFFFF));
    d = _mm512_add_epi64(_mm512_slli_epi64(d, 3), _mm512_slli_epi64(d, 2)); /* * 12 */
    return _mm512_srli_epi64(d, 16);
}

/* row_pick with AVX-512: the window maximum, then the first lane that holds it. */
__attribute__((target("avx512f"))) static inline int row_pick_avx512(const mcc_cyl *x, const mcc_soa *sb, int nb,
                                                                      const double *sim, unsigned wbits,
                                                                      double *s_out) {
    const __m512i wv = _mm512_set1_epi64(wbits), one = _mm512_set1_epi64(1);
    __mmask8 in[MCC_SOA_CAP / 8];
    __m512d vmax = _mm512_setzero_pd();
    for (int j = 0; j < nb; j += 8) {
        in[j / 8] = _mm512_test_epi64_mask(_mm512_srlv_epi64(wv, bins_avx512(x, sb, j)), one);
        vmax = _mm512_mask_max_pd(vmax, in[j / 8], vmax, _mm512_loadu_pd(sim + j));
    }
    double s = _mm512_reduce_max_pd(vmax);
    *s_out = s > 0.0 ? s : 0.0;
    if (!(s > 0.0)) return -1;
    const __m512d vs = _mm512_set1_pd(s);
    for (int j = 0; j < nb; j += 8) {
        unsigned k = in[j / 8] & _mm512_cmp_pd_mask(_mm512_loadu_pd(sim + j), vs, _CMP_EQ_OQ);
        if (k) return j + __builtin_ctz(k);
    }
    return -1; /* not reached: s is one of the lanes */
}
#endif

/* Local stage: every cylinder pair's similarity (kept in sm, one row per A cylinder), the rotation vote
 * (each A cylinder votes for the bin of its best partner), then for each A cylinder its best partner within
 * the winning window (lowest j on ties); returns the candidate count.  sm: na rows of nbp entries. */
static inline __attribute__((always_inline)) int local_stage(const mcc_cyl *ca, int na, const mcc_soa *sb, int nb,
                                                              int gate, int win, int min_me,
                                                              double rot_cost, int wide, double *sm, cand *c,
                                                              int *peak) {
    double hist[MCC_NBIN] = {0};
    const int nbp = (nb + 7) & ~7;
    for (int i = 0; i < na; i++) {
        double *sim = sm + (size_t)nbp * i, tv;
        int top;
#ifdef MCC_HAVE_AVX512
        if (wide) {
            top = row_sims_avx512(&ca[i], sb, nbp, gate, min_me, wide == 2, sim, &tv);
        } else {
            row_sims(&ca[i], sb, nb, gate, min_me, sim);
            top = row_vote(&ca[i], sb, nb, sim, &tv);
        }
#else
        (void)wide;
        row_sims(&ca[i], sb, nb, gate, min_me, sim);
        top = row_vote(&ca[i], sb, nb, sim, &tv);
#endif
        if (top >= 0) hist[top] += tv;
    }
    int pk = 0;
    double hv = -1.0;
    for (int b = 0; b < MCC_NBIN; b++) {
        double v = (hist[(b + MCC_NBIN - 1) % MCC_NBIN] + hist[b] + hist[(b + 1) % MCC_NBIN]) *
                   (1.0 - rot_cost * fabs(b - 5.5) / 5.5);
        if (v > hv) {
            hv = v;
            pk = b;
        }
    }
    *peak = pk;
    unsigned wbits = 0;
    for (int d = -win; d <= win; d++) wbits |= 1u << ((pk + d + 2 * MCC_NBIN) % MCC_NBIN);
    int nc = 0;
    double cs[CHIPID_MAX_MINUTIAE];
    int ci[CHIPID_MAX_MINUTIAE], cj[CHIPID_MAX_MINUTIAE];
    for (int i = 0; i < na; i++) {
        const double *sim = sm + (size_t)nbp * i;
        double s;
        int j;
#ifdef MCC_HAVE_AVX512
        if (wide) j = row_pick_avx512(&ca[i], sb, nbp, sim, wbits, &s);
        else j = row_pick(&ca[i], sb, nb, sim, wbits, &s);
#else
        j = row_pick(&ca[i], sb, nb, sim, wbits, &s);
#endif
        cs[nc] = s;
        ci[nc] = i;
        cj[nc] = j;
        nc += j >= 0;
    }
    /* sorted best first (similarity descending, then a, then b): the candidates come in
     * ascending a, one per a, so candidate t's place is the number of higher similarities plus the number
     * of earlier equal ones (a branch-free count that vectorises) */
    int rank[CHIPID_MAX_MINUTIAE];
    for (int t = 0; t < nc; t++) rank[t] = 0;
    for (int u = 0; u < nc; u++) {
        const double e = cs[u];
        for (int t = 0; t < nc; t++) rank[t] += (e > cs[t]) | ((e == cs[t]) & (u < t));
    }
    for (int t = 0; t < nc; t++) c[rank[t]] = (cand){cs[t], ci[t], cj[t]};
    return nc;
}

static inline __attribute__((always_inline)) double score_body(const unsigned char *a, const unsigned char *b,
                                                                int gate, const double *prm, double *det, int wide) {
    int na = mcc_ld16(a + 4), nb = mcc_ld16(b + 4);
    if (det != NULL) {
        for (int k = 0; k < 8; k++) det[k] = 0.0;
        det[4] = na;
        det[5] = nb;
    }
    if (na == 0 || nb == 0) return 0.0;
    mcc_cyl ca[CHIPID_MAX_MINUTIAE], cb[CHIPID_MAX_MINUTIAE];
    mcc_soa sb __attribute__((aligned(64))); /* rows of 8 entries: whole cache lines */
    for (int i = 0; i < na; i++) mcc_load(a + CHIPID_BLOB_HEADER + CHIPID_CYL_BYTES * i, &ca[i]);
    for (int j = 0; j < nb; j++) {
        mcc_load(b + CHIPID_BLOB_HEADER + CHIPID_CYL_BYTES * j, &cb[j]);
        for (int k = 0; k < MCC_ND; k++) sb.v[k][j] = cb[j].v[k];
        sb.m[j] = cb[j].m;
        sb.a[j] = cb[j].a;
    }
    for (int j = nb; j < ((nb + 7) & ~7); j++) { /* padding: empty cylinders */
        for (int k = 0; k < MCC_ND; k++) sb.v[k][j] = 0;
        sb.m[j] = 0;
        sb.a[j] = 0;
    }
    int win = (int)prm[MCC_P_ROTWIN];
    win = win < 0 ? 0 : (win > MCC_NBIN / 2 ? MCC_NBIN / 2 : win);
    cand c[CHIPID_MAX_MINUTIAE];
    int peak = 0;
    /* the pair similarities, na rows of nbp entries: on the stack up to MCC_SM_STACK entries (64 x 64
     * cylinders), in a heap block above that, so that a comparison of the largest templates needs about
     * 110 KiB of stack, not 0.6 MiB (too much for small thread stacks)
     * (two inlined calls: with the stack array itself, the compiler knows it aliases nothing else) */
    const size_t sm_need = (size_t)na * (size_t)((nb + 7) & ~7);
    const int min_me = (int)prm[MCC_P_MINME];
    int nc;
    if (sm_need <= MCC_SM_STACK) {
        /* 64-byte aligned: a row (nbp entries, a multiple of 8) then starts on a cache line, so the AVX-512
         * stores never split one (the alignment of a plain array would follow the caller's stack depth) */
        double sm[MCC_SM_STACK] __attribute__((aligned(64)));
        nc = local_stage(ca, na, &sb, nb, gate, win, min_me, prm[MCC_P_ROTCOST], wide, sm, c, &peak);
    } else {
        void *raw = malloc(sm_need * sizeof(double) + 64);
        if (raw == NULL) return -1.0; /* out of memory: the callers turn a negative score into CHIPID_ENOMEM */
        double *sm = (double *)(((uintptr_t)raw + 63) & ~(uintptr_t)63);
        nc = local_stage(ca, na, &sb, nb, gate, win, min_me, prm[MCC_P_ROTCOST], wide, sm, c, &peak);
        free(raw);
    }
    /* one-to-one: walk the candidates best first, keep a pair when its b is still free */
    unsigned char taken[CHIPID_MAX_MINUTIAE] = {0};
    cand p[MCC_NR_MAX];
    int np = 0, nr = na < nb ? na : nb;
    if (nr > MCC_NR_MAX) nr = MCC_NR_MAX;
    for (int i = 0; i < nc && np < nr; i++) {
        if (taken[c[i].b]) continue;
        taken[c[i].b] = 1;
        p[np++] = c[i];
    }
    if (det != NULL) det[7] = np;
    if (np == 0) return 0.0;
    double lam[MCC_NR_MAX];
    double lss = consolidate(ca, cb, p, np, na < nb ? na : nb, prm[MCC_P_DK], wide, lam);
    if (det != NULL) det[0] = lss;
    return lss * overlap_factor(ca, na, cb, nb, p, np, lam, prm, wide, det);
}

static double score_generic(const unsigned char *a, const unsigned char *b, int gate, const double *prm,
                            double *det) {
    return score_body(a, b, gate, prm, det, 0);
}

#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target("popcnt"))) static double score_popcnt(const unsigned char *a, const unsigned char *b,
                                                             int gate, const double *prm, double *det) {
    return score_body(a, b, gate, prm, det, 0);
}
__attribute__((target("popcnt,avx2"))) static double score_avx2(const unsigned char *a, const unsigned char *b,
                                                                int gate, const double *prm, double *det) {
    return score_body(a, b, gate, prm, det, 0);
}
__attribute__((target("popcnt,avx2,avx512f,avx512dq,avx512vpopcntdq"))) static double score_avx512(
    const unsigned char *a, const unsigned char *b, int gate, const double *prm, double *det) {
    return score_body(a, b, gate, prm, det, 1);
}
__attribute__((target("popcnt,avx2,avx512f,avx512dq,avx512vpopcntdq"))) static double score_avx512_sqrt(
    const unsigned char *a, const unsigned char *b, int gate, const double *prm, double *det) {
    return score_body(a, b, gate, prm, det, 2);
}
#define MCC_HAVE_DISPATCH 1
#endif

/* Order the pair canonically (shorter blob first, then bytewise) so compare(a, b) == compare(b, a). */
static void canonical_order(const unsigned char **a, const unsigned char **b) {
    int la = CHIPID_BLOB_HEADER + CHIPID_CYL_BYTES * mcc_ld16(*a + 4);
    int lb = CHIPID_BLOB_HEADER + CHIPID_CYL_BYTES * mcc_ld16(*b + 4);
    int c = la != lb ? (la < lb ? -1 : 1) : memcmp(*a, *b, (size_t)la);
    if (c > 0) {
        const unsigned char *t = *a;
        *a = *b;
        *b = t;
    }
}

/* The best code path this CPU has: 4 AVX-512 VPOPCNTDQ with square-root instructions (chosen on AMD),
 * 3 AVX-512 VPOPCNTDQ with table gathers (elsewhere), 2 AVX2, 1 POPCNT, 0 portable C.  Paths 3 and 4 need
 * the same instructions (AVX-512 F, DQ, VPOPCNTDQ); every path gives the same bits. */
static int best_isa(void) {
#ifdef MCC_HAVE_DISPATCH
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("avx2") &&
        __builtin_cpu_supports("popcnt")) {
        return __builtin_cpu_is("amd") ? 4 : 3;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) return 2;
    if (__builtin_cpu_supports("popcnt")) return 1;
#endif
    return 0;
}

static double score_isa(const unsigned char *a, const unsigned char *b, int isa, int gate, const double *prm,
                        double *det) {
    canonical_order(&a, &b);
    if (gate < 0) gate = 0;
    if (prm == NULL) prm = mcc_default_params;
#ifdef MCC_HAVE_DISPATCH
    if (isa == 4) return score_avx512_sqrt(a, b, gate, prm, det);
    if (isa == 3) return score_avx512(a, b, gate, prm, det);
    if (isa == 2) return score_avx2(a, b, gate, prm, det);
    if (isa == 1) return score_popcnt(a, b, gate, prm, det);
#endif
    return score_generic(a, b, gate, prm, det);
}

/* The status of a score just computed: a negative score means the scratch allocation for large templates failed
 * (score_body); the caller then gets CHIPID_ENOMEM and a score of 0. */
static int score_status(double *score) {
    if (*score < 0.0) {
        *score = 0.0;
        return CHIPID_ENOMEM;
    }
    return CHIPID_OK;
}

double mcc_score(const unsigned char *a, const unsigned char *b, int max_rotation, const double *params,
                 double *detail) {
    return score_isa(a, b, best_isa(), max_rotation, params, detail);
}

int chipid_compare(const unsigned char *a, long long a_len, const unsigned char *b, long long b_len,
                   int max_rotation, double *score) {
    return chipid_compare_tuned(a, a_len, b, b_len, max_rotation, NULL, score, NULL);
}

int chipid_compare_tuned(const unsigned char *a, long long a_len, const unsigned char *b, long long b_len,
                         int max_rotation, const double *params, double *score, double *detail) {
    if (score == NULL || max_rotation < 0 || max_rotation > 32768) return CHIPID_EINVAL;
    *score = 0.0;
    if (params != NULL) { /* finite, non-negative; the two counts small enough to convert to int */
        for (int k = 0; k < CHIPID_NPARAMS; k++) {
            if (!(params[k] >= 0.0 && params[k] <= 1e6)) return CHIPID_EINVAL;
        }
        if (params[MCC_P_ROTWIN] > MCC_NBIN || params[MCC_P_MINME] > 64.0) return CHIPID_EINVAL;
    }
    if (chipid_blob_check(a, a_len) != CHIPID_OK || chipid_blob_check(b, b_len) != CHIPID_OK) {
        return CHIPID_EPARSE;
    }
    *score = mcc_score(a, b, max_rotation, params, detail);
    return score_status(score);
}

int chipid_compare_isa(const unsigned char *a, long long a_len, const unsigned char *b, long long b_len, int isa,
                       int max_rotation, double *score) {
    if (score == NULL || isa < 0 || isa > 4 || max_rotation < 0 || max_rotation > 32768) return CHIPID_EINVAL;
    *score = 0.0;
    if (chipid_blob_check(a, a_len) != CHIPID_OK || chipid_blob_check(b, b_len) != CHIPID_OK) {
        return CHIPID_EPARSE;
    }
    int best = best_isa();
    if (isa > (best >= 3 ? 4 : best)) return CHIPID_EINVAL; /* 3 and 4 imply 2, which implies 1 */
    *score = score_isa(a, b, isa, max_rotation, NULL, NULL);
    return score_status(score);
}
