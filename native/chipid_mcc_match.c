/* MCC 1:1 comparison: bit-vector local similarities, one-to-one pairing, relaxation (LSS-R).
 *
 * Cappelli, Ferrara, Maltoni, IEEE TPAMI 32(12), 2010: section 4.1 (local similarity of bit cylinders:
 * 1 - ||ca xor cb|| / (||ca|| + ||cb||) over the matchable cells, direction gap <= deltaTheta, matchable
 * cells >= minME), section 4.3 (relaxation of the candidate pairs with compatibility rho, efficiency
 * ranking, global score = mean relaxed similarity of the top nP pairs).  Departures, mirrored in
 * _match_ref.py: candidates are the best partner of each probe cylinder made one-to-one greedily; rho
 * compares pair k's vector in A with its vector in B rotated by pair t's direction difference (one
 * symmetric value per {t, k}), with linear ramps instead of three sigmoids.  Run-time dispatch: portable C, POPCNT, AVX2 (vectorised consolidation) and AVX-512
 * VPOPCNTDQ (local stage); every path gives the same bits (chipid_compare_isa lets tests check that).
 */
#include <math.h>
#include <stdlib.h>

#include "mcc_internal.h"
#include "mcc_sqrt_table.h"

typedef struct {
    double sim;
    int a, b;
} cand;

static inline int cand_before(const cand *p, const cand *q) {
    if (p->sim != q->sim) return p->sim > q->sim;
    if (p->a != q->a) return p->a < q->a;
    return p->b < q->b;
}

/* Relaxation and global score over the selected pairs (section 4.3). */
static inline __attribute__((always_inline)) double consolidate(const mcc_cyl *ca, const mcc_cyl *cb, const cand *p, int np, int n_min) {
    double l0[MCC_NR_MAX], lam[MCC_NR_MAX], nxt[MCC_NR_MAX], rho[MCC_NR_MAX][MCC_NR_MAX];
    double xa[MCC_NR_MAX], ya[MCC_NR_MAX], xb[MCC_NR_MAX], yb[MCC_NR_MAX];
    int aa[MCC_NR_MAX], ab[MCC_NR_MAX];
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
        double row[MCC_NR_MAX];
        for (int k = t + 1; k < np; k++) {
            int dk = (aa[k] - aa[t]) - (ab[k] - ab[t]);
            int da = abs(((dk + 32768) & 0xFFFF) - 32768);
            double dxa = xa[k] - xa[t], dya = ya[k] - ya[t];
            double dxb = xb[k] - xb[t], dyb = yb[k] - yb[t];
            double ex = dxa - (c * dxb + s * dyb), ey = dya - (c * dyb - s * dxb);
            double q = ex * ex + ey * ey;
            double zd = (MCC_D_HI - sqrt(q)) * (1.0 / (MCC_D_HI - MCC_D_LO));
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
    /* pick the top `want` pairs by efficiency lam / l0 (ties: lower index first) */
    int used[MCC_NR_MAX] = {0};
    double total = 0.0;
    for (int r = 0; r < want && r < np; r++) {
        int best = -1;
        double be = 0.0;
        for (int t = 0; t < np; t++) {
            if (used[t]) continue;
            double e = lam[t] / l0[t];
            if (best < 0 || e > be) {
                best = t;
                be = e;
            }
        }
        used[best] = 1;
        total += lam[best];
    }
    return total / want;
}

#define MCC_POP(x) __builtin_popcountll(x)

/* Insert a candidate keeping c[0..*nc) sorted best first (cand_before order). */
static inline void cand_push(cand *c, int *nc, cand x) {
    int k = (*nc)++;
    while (k > 0 && cand_before(&x, &c[k - 1])) {
        c[k] = c[k - 1];
        k--;
    }
    c[k] = x;
}

/* Similarity from the three popcounts (section 4.1); the table holds sqrt(0..384) exactly. */
static inline double local_sim(int pa, int pb, int px) {
    return 1.0 - mcc_sqrt_table[px] / (mcc_sqrt_table[pa] + mcc_sqrt_table[pb]);
}

/* Local stage: for each A cylinder its best B partner (lowest j on ties); returns the candidate count. */
static inline __attribute__((always_inline)) int local_stage(const mcc_cyl *ca, int na, const mcc_cyl *cb, int nb,
                                                             cand *c) {
    int nc = 0;
    for (int i = 0; i < na; i++) {
        double best = 0.0;
        int bj = -1;
        for (int j = 0; j < nb; j++) {
            int dth = mcc_adiff(ca[i].a, cb[j].a);
            if (dth > MCC_DELTA_THETA || dth < -MCC_DELTA_THETA) continue;
            uint64_t m = ca[i].m & cb[j].m;
            if (MCC_POP(m) < MCC_MIN_ME) continue;
            int pa = 0, pb = 0, px = 0;
            for (int k = 0; k < MCC_ND; k++) {
                uint64_t va = ca[i].v[k] & m, vb = cb[j].v[k] & m;
                pa += MCC_POP(va);
                pb += MCC_POP(vb);
                px += MCC_POP(va ^ vb);
            }
            if (pa + pb == 0) continue;
            double sim = local_sim(pa, pb, px);
            if (sim > best) {
                best = sim;
                bj = j;
            }
        }
        if (bj >= 0) cand_push(c, &nc, (cand){best, i, bj});
    }
    return nc;
}

#if defined(__GNUC__) && defined(__x86_64__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <immintrin.h>
#define MCC_HAVE_AVX512 1
/* The same local stage with AVX-512 VPOPCNTDQ: a 64-byte cylinder record is one zmm (6 value words, the
 * mask, the geometry word); the three popcounts of a pair are summed in one vector reduction. */
__attribute__((target("avx512f,avx512vpopcntdq,popcnt"))) static int local_stage_avx512(
    const unsigned char *a, const mcc_cyl *ca, int na, const unsigned char *b, const mcc_cyl *cb, int nb, cand *c) {
    const __mmask8 values = (1u << MCC_ND) - 1;
    int nc = 0;
    for (int i = 0; i < na; i++) {
        __m512i ra = _mm512_maskz_loadu_epi64(values, a + CHIPID_BLOB_HEADER + CHIPID_CYL_BYTES * i);
        double best = 0.0;
        int bj = -1;
        for (int j = 0; j < nb; j++) {
            int dth = mcc_adiff(ca[i].a, cb[j].a);
            if (dth > MCC_DELTA_THETA || dth < -MCC_DELTA_THETA) continue;
            uint64_t m = ca[i].m & cb[j].m;
            if (MCC_POP(m) < MCC_MIN_ME) continue;
            __m512i mv = _mm512_set1_epi64((long long)m);
            __m512i rb = _mm512_maskz_loadu_epi64(values, b + CHIPID_BLOB_HEADER + CHIPID_CYL_BYTES * j);
            __m512i va = _mm512_and_si512(ra, mv), vb = _mm512_and_si512(rb, mv);
            __m512i sum = _mm512_add_epi64(_mm512_popcnt_epi64(va), _mm512_slli_epi64(_mm512_popcnt_epi64(vb), 16));
            sum = _mm512_add_epi64(sum, _mm512_slli_epi64(_mm512_popcnt_epi64(_mm512_xor_si512(va, vb)), 32));
            uint64_t r = (uint64_t)_mm512_reduce_add_epi64(sum);
            int pa = (int)(r & 0xFFFF), pb = (int)((r >> 16) & 0xFFFF), px = (int)(r >> 32);
            if (pa + pb == 0) continue;
            double sim = local_sim(pa, pb, px);
            if (sim > best) {
                best = sim;
                bj = j;
            }
        }
        if (bj >= 0) cand_push(c, &nc, (cand){best, i, bj});
    }
    return nc;
}
#endif

static inline __attribute__((always_inline)) double score_body(const unsigned char *a, const unsigned char *b,
                                                                 int wide) {
    int na = mcc_ld16(a + 4), nb = mcc_ld16(b + 4);
    if (na == 0 || nb == 0) return 0.0;
    mcc_cyl ca[CHIPID_MAX_MINUTIAE], cb[CHIPID_MAX_MINUTIAE];
    for (int i = 0; i < na; i++) mcc_load(a + CHIPID_BLOB_HEADER + CHIPID_CYL_BYTES * i, &ca[i]);
    for (int i = 0; i < nb; i++) mcc_load(b + CHIPID_BLOB_HEADER + CHIPID_CYL_BYTES * i, &cb[i]);
    cand c[CHIPID_MAX_MINUTIAE];
    int nc;
#ifdef MCC_HAVE_AVX512
    nc = wide ? local_stage_avx512(a, ca, na, b, cb, nb, c) : local_stage(ca, na, cb, nb, c);
#else
    (void)wide;
    nc = local_stage(ca, na, cb, nb, c);
#endif
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
    if (np == 0) return 0.0;
    return consolidate(ca, cb, p, np, na < nb ? na : nb);
}

static double score_generic(const unsigned char *a, const unsigned char *b) { return score_body(a, b, 0); }

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
__attribute__((target("popcnt"))) static double score_popcnt(const unsigned char *a, const unsigned char *b) {
    return score_body(a, b, 0);
}
__attribute__((target("popcnt,avx2"))) static double score_avx2(const unsigned char *a, const unsigned char *b,
                                                                int wide) {
    return score_body(a, b, wide);
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

double mcc_score(const unsigned char *a, const unsigned char *b) {
    canonical_order(&a, &b);
#ifdef MCC_HAVE_DISPATCH
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) {
#ifdef MCC_HAVE_AVX512
        int wide = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
#else
        int wide = 0;
#endif
        return score_avx2(a, b, wide);
    }
    if (__builtin_cpu_supports("popcnt")) return score_popcnt(a, b);
#endif
    return score_generic(a, b);
}

int chipid_compare(const unsigned char *a, long long a_len, const unsigned char *b, long long b_len,
                   double *score) {
    if (score == NULL) return CHIPID_EINVAL;
    *score = 0.0;
    if (chipid_blob_check(a, a_len) != CHIPID_OK || chipid_blob_check(b, b_len) != CHIPID_OK) {
        return CHIPID_EPARSE;
    }
    *score = mcc_score(a, b);
    return CHIPID_OK;
}

int chipid_compare_isa(const unsigned char *a, long long a_len, const unsigned char *b, long long b_len, int isa,
                       double *score) {
    if (score == NULL || isa < 0 || isa > 3) return CHIPID_EINVAL;
    *score = 0.0;
    if (chipid_blob_check(a, a_len) != CHIPID_OK || chipid_blob_check(b, b_len) != CHIPID_OK) {
        return CHIPID_EPARSE;
    }
    canonical_order(&a, &b);
    if (isa == 0) {
        *score = score_generic(a, b);
        return CHIPID_OK;
    }
#ifdef MCC_HAVE_DISPATCH
    if (isa == 1 && __builtin_cpu_supports("popcnt")) {
        *score = score_popcnt(a, b);
        return CHIPID_OK;
    }
    if (isa >= 2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) {
#ifdef MCC_HAVE_AVX512
        if (isa == 3 && !(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq"))) {
            return CHIPID_EINVAL;
        }
#else
        if (isa == 3) return CHIPID_EINVAL;
#endif
        *score = score_avx2(a, b, isa == 3);
        return CHIPID_OK;
    }
#endif
    return CHIPID_EINVAL;
}
