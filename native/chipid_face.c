/* Face-vector matching: L2 normalisation, cosine 1:1, threaded 1:N top-k, and a memory-scan yardstick.
 *
 * The inner loops use GCC/Clang vector types with two independent accumulators (SSE2 at the portable
 * baseline, AVX2 through a run-time dispatched clone); no -ffast-math.  1:N is memory-bandwidth bound
 * once vectorised, so threads take contiguous row ranges; benchmarks compare it with chipid_face_scan.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "chipid_match.h"

#define FACE_LANES 8

/* Eight floats as one GCC/Clang vector: two SSE registers at the baseline, one AVX register in the
 * AVX2 clone.  Unaligned loads go through memcpy (no aliasing or alignment assumptions). */
typedef float face_vec __attribute__((vector_size(4 * FACE_LANES)));

static inline __attribute__((always_inline)) float dot(const float *a, const float *b, int d) {
    face_vec acc0 = {0}, acc1 = {0};
    int i = 0;
    for (; i + 2 * FACE_LANES <= d; i += 2 * FACE_LANES) {
        face_vec a0, b0, a1, b1;
        memcpy(&a0, a + i, sizeof a0);
        memcpy(&b0, b + i, sizeof b0);
        memcpy(&a1, a + i + FACE_LANES, sizeof a1);
        memcpy(&b1, b + i + FACE_LANES, sizeof b1);
        acc0 += a0 * b0;
        acc1 += a1 * b1;
    }
    face_vec acc = acc0 + acc1;
    float s = 0.0f;
    for (int l = 0; l < FACE_LANES; l++) s += acc[l];
    for (; i < d; i++) s += a[i] * b[i];
    return s;
}

int chipid_face_normalize(float *rows, long long n, int d) {
    if (n < 0 || d < 1 || (n > 0 && rows == NULL)) return CHIPID_EINVAL;
    for (long long r = 0; r < n; r++) {
        float *v = rows + r * d;
        double ss = 0.0;
        for (int i = 0; i < d; i++) ss += (double)v[i] * v[i];
        if (!(ss > 0.0) || !isfinite(ss)) {
            if (!isfinite(ss)) return CHIPID_EINVAL;
            continue;
        }
        float inv = (float)(1.0 / sqrt(ss));
        for (int i = 0; i < d; i++) v[i] *= inv;
    }
    return CHIPID_OK;
}

int chipid_face_cosine(const float *a, const float *b, int d, float *out) {
    if (a == NULL || b == NULL || out == NULL || d < 1) return CHIPID_EINVAL;
    *out = dot(a, b, d);
    return CHIPID_OK;
}

typedef struct {
    const float *q, *rows;
    long long lo, hi;
    int d, k;
    long long *idx;
    float *score;
    double sum;
} face_slice;

static void topk_insert(long long *idx, float *score, int k, long long i, float s) {
    int pos = k;
    while (pos > 0 && (idx[pos - 1] < 0 || s > score[pos - 1] || (s == score[pos - 1] && i < idx[pos - 1]))) {
        pos--;
    }
    if (pos >= k) return;
    for (int j = k - 1; j > pos; j--) {
        idx[j] = idx[j - 1];
        score[j] = score[j - 1];
    }
    idx[pos] = i;
    score[pos] = s;
}

static inline __attribute__((always_inline)) void face_run_body(face_slice *s) {
    for (int j = 0; j < s->k; j++) {
        s->idx[j] = -1;
        s->score[j] = 0.0f;
    }
    float worst = -INFINITY;
    for (long long r = s->lo; r < s->hi; r++) {
        float v = dot(s->q, s->rows + r * s->d, s->d);
        if (v < worst || v != v) continue; /* below the current k-th (or NaN): cannot enter */
        topk_insert(s->idx, s->score, s->k, r, v);
        if (s->idx[s->k - 1] >= 0) worst = s->score[s->k - 1];
    }
}

static void *face_run(void *arg) {
    face_run_body((face_slice *)arg);
    return NULL;
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
/* Same loop compiled for AVX2 + FMA (8-float vectors, fused multiply-add), chosen at run time. */
__attribute__((target("avx2,fma"))) static void *face_run_avx2(void *arg) {
    face_run_body((face_slice *)arg);
    return NULL;
}
#define FACE_HAVE_DISPATCH 1
#endif

static inline __attribute__((always_inline)) void scan_body(face_slice *s) {
    face_vec acc0 = {0}, acc1 = {0}, acc2 = {0}, acc3 = {0};
    long long i = s->lo;
    for (; i + 4 * FACE_LANES <= s->hi; i += 4 * FACE_LANES) {
        face_vec a0, a1, a2, a3;
        memcpy(&a0, s->rows + i, sizeof a0);
        memcpy(&a1, s->rows + i + FACE_LANES, sizeof a1);
        memcpy(&a2, s->rows + i + 2 * FACE_LANES, sizeof a2);
        memcpy(&a3, s->rows + i + 3 * FACE_LANES, sizeof a3);
        acc0 += a0;
        acc1 += a1;
        acc2 += a2;
        acc3 += a3;
    }
    face_vec acc = (acc0 + acc1) + (acc2 + acc3);
    double t = 0.0;
    for (int l = 0; l < FACE_LANES; l++) t += acc[l];
    for (; i < s->hi; i++) t += s->rows[i];
    s->sum = t;
}

static void *scan_run(void *arg) {
    scan_body((face_slice *)arg);
    return NULL;
}

#ifdef FACE_HAVE_DISPATCH
__attribute__((target("avx2"))) static void *scan_run_avx2(void *arg) {
    scan_body((face_slice *)arg);
    return NULL;
}
#endif

/* Run fn over n_threads slices of [0, n); slice t gets its own k-sized scratch. */
static int run_threads(void *(*fn)(void *), face_slice *sl, int n_threads, long long n) {
    pthread_t th[64];
    int ok[64] = {0};
    for (int t = 0; t < n_threads; t++) {
        sl[t].lo = n * t / n_threads;
        sl[t].hi = n * (t + 1) / n_threads;
        if (t > 0) ok[t] = pthread_create(&th[t], NULL, fn, &sl[t]) == 0;
    }
    fn(&sl[0]);
    for (int t = 1; t < n_threads; t++) {
        if (ok[t]) pthread_join(th[t], NULL);
        else fn(&sl[t]);
    }
    return CHIPID_OK;
}

int chipid_face_search(const float *query, const float *rows, long long n, int d, int top_k, int n_threads,
                       long long *out_idx, float *out_score) {
    if (query == NULL || d < 1 || n < 0 || top_k < 1 || n_threads < 1) return CHIPID_EINVAL;
    if ((n > 0 && rows == NULL) || out_idx == NULL || out_score == NULL) return CHIPID_EINVAL;
    if (n_threads > 64) n_threads = 64;
    if (n_threads > n) n_threads = n > 0 ? (int)n : 1;
    long long *idx = malloc(sizeof(long long) * (size_t)top_k * (size_t)n_threads);
    float *sc = malloc(sizeof(float) * (size_t)top_k * (size_t)n_threads);
    if (idx == NULL || sc == NULL) {
        free(idx);
        free(sc);
        return CHIPID_ENOMEM;
    }
    face_slice sl[64];
    for (int t = 0; t < n_threads; t++) {
        sl[t] = (face_slice){query, rows, 0, 0, d, top_k, idx + (size_t)top_k * t, sc + (size_t)top_k * t, 0.0};
    }
    void *(*fn)(void *) = face_run;
#ifdef FACE_HAVE_DISPATCH
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) fn = face_run_avx2;
#endif
    run_threads(fn, sl, n_threads, n);
    for (int j = 0; j < top_k; j++) {
        out_idx[j] = -1;
        out_score[j] = 0.0f;
    }
    for (int t = 0; t < n_threads; t++) {
        for (int j = 0; j < top_k && sl[t].idx[j] >= 0; j++) {
            topk_insert(out_idx, out_score, top_k, sl[t].idx[j], sl[t].score[j]);
        }
    }
    free(idx);
    free(sc);
    return CHIPID_OK;
}

int chipid_face_scan(const float *rows, long long count, int n_threads, double *out_sum) {
    if (count < 0 || n_threads < 1 || out_sum == NULL || (count > 0 && rows == NULL)) return CHIPID_EINVAL;
    if (n_threads > 64) n_threads = 64;
    face_slice sl[64];
    for (int t = 0; t < n_threads; t++) sl[t] = (face_slice){NULL, rows, 0, 0, 1, 1, NULL, NULL, 0.0};
    void *(*fn)(void *) = scan_run;
#ifdef FACE_HAVE_DISPATCH
    if (__builtin_cpu_supports("avx2")) fn = scan_run_avx2;
#endif
    run_threads(fn, sl, n_threads, count);
    double s = 0.0;
    for (int t = 0; t < n_threads; t++) s += sl[t].sum;
    *out_sum = s;
    return CHIPID_OK;
}

/* ------------------------------------------------------------------------------------------------
 * Batch 1:N: many probes against one gallery, reading the gallery once per block of probes.
 *
 * Probes are packed transposed in blocks of FACE_PB (16): packed[b][i][p] = probe (b * 16 + p), value i,
 * zero for padding probes.  A micro-kernel takes FACE_RB (6) gallery rows at a time and, for every probe
 * block, accumulates the 6 x 16 dot products in 12 eight-float registers: per vector element one
 * broadcast of each row value against two probe vectors (12 multiply-adds for 8 loads).  The 6 rows stay
 * in L1 while every probe block passes over them, so the gallery streams from memory once per call;
 * the packed probes (64 x 512 floats = 128 KB at most in the benchmarks) stay in L2.  No score matrix is
 * written: each score is compared at once with its probe's current k-th best.
 * ------------------------------------------------------------------------------------------------ */
#define FACE_PB 16
#define FACE_RB 6

typedef struct {
    const float *packed, *rows;
    long long lo, hi;
    int d, nq, nblocks, k;
    long long *idx; /* nq * k, per probe best indices (-1 = empty) */
    float *score;   /* nq * k */
    float *worst;   /* nblocks * FACE_PB: score a row must beat to enter (-inf while not full, +inf padding) */
} face_batch;

static void batch_offer(face_batch *s, int probe, long long row, float v) {
    if (!(v >= s->worst[probe])) return; /* also drops NaN */
    long long *idx = s->idx + (size_t)probe * s->k;
    float *sc = s->score + (size_t)probe * s->k;
    topk_insert(idx, sc, s->k, row, v);
    if (idx[s->k - 1] >= 0) s->worst[probe] = sc[s->k - 1];
}

/* Generic (portable vector types, separate multiply and add) micro-kernel over nr <= FACE_RB rows. */
static inline __attribute__((always_inline)) void batch_block_generic(face_batch *s, long long r0, int nr) {
    const int d = s->d;
    for (int b = 0; b < s->nblocks; b++) {
        const float *qb = s->packed + (size_t)b * d * FACE_PB;
        face_vec acc[FACE_RB][2];
        memset(acc, 0, sizeof acc);
        for (int i = 0; i < d; i++) {
            face_vec q0, q1;
            memcpy(&q0, qb + (size_t)i * FACE_PB, sizeof q0);
            memcpy(&q1, qb + (size_t)i * FACE_PB + FACE_LANES, sizeof q1);
            for (int r = 0; r < nr; r++) {
                float x = s->rows[(r0 + r) * d + i];
                face_vec xv = {x, x, x, x, x, x, x, x};
                acc[r][0] += xv * q0;
                acc[r][1] += xv * q1;
            }
        }
        for (int r = 0; r < nr; r++) {
            for (int p = 0; p < FACE_PB; p++) {
                float v = acc[r][p / FACE_LANES][p % FACE_LANES];
                if (v >= s->worst[b * FACE_PB + p]) batch_offer(s, b * FACE_PB + p, r0 + r, v);
            }
        }
    }
}

static void *batch_run_generic(void *arg) {
    face_batch *s = (face_batch *)arg;
    long long r = s->lo;
    for (; r + FACE_RB <= s->hi; r += FACE_RB) batch_block_generic(s, r, FACE_RB);
    for (; r < s->hi; r++) batch_block_generic(s, r, 1);
    return NULL;
}

#ifdef FACE_HAVE_DISPATCH
#include <immintrin.h>

/* Offer the 16 scores of one row (two ymm accumulators) to the probes' top-k lists when any beats them. */
__attribute__((target("avx2,fma"))) static inline void batch_offer_avx2(face_batch *s, int b, long long row,
                                                                         __m256 a0, __m256 a1) {
    __m256 w0 = _mm256_loadu_ps(s->worst + b * FACE_PB);
    __m256 w1 = _mm256_loadu_ps(s->worst + b * FACE_PB + FACE_LANES);
    int m = _mm256_movemask_ps(_mm256_cmp_ps(a0, w0, _CMP_GE_OQ)) |
            _mm256_movemask_ps(_mm256_cmp_ps(a1, w1, _CMP_GE_OQ)) << FACE_LANES;
    if (m == 0) return;
    float v[FACE_PB];
    _mm256_storeu_ps(v, a0);
    _mm256_storeu_ps(v + FACE_LANES, a1);
    for (int p = 0; p < FACE_PB; p++) {
        if (m >> p & 1) batch_offer(s, b * FACE_PB + p, row, v[p]);
    }
}

/* AVX2 + FMA micro-kernel: 6 rows x 16 probes in 12 named ymm accumulators (named, not an array, so the
 * compiler keeps them in registers: 12 accumulators + 2 probe vectors + 1 broadcast = 15 of 16 ymm). */
#define FACE_FMA2(X, A0, A1)                 \
    do {                                     \
        __m256 x_ = (X);                     \
        A0 = _mm256_fmadd_ps(x_, q0, A0);    \
        A1 = _mm256_fmadd_ps(x_, q1, A1);    \
    } while (0)

__attribute__((target("avx2,fma"))) static void batch_block_avx2_6(face_batch *s, long long r0) {
    const int d = s->d;
    const float *p0 = s->rows + r0 * d, *p1 = p0 + d, *p2 = p1 + d, *p3 = p2 + d, *p4 = p3 + d, *p5 = p4 + d;
    for (int b = 0; b < s->nblocks; b++) {
        const float *qb = s->packed + (size_t)b * d * FACE_PB;
        __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int i = 0; i < d; i++) {
            __m256 q0 = _mm256_loadu_ps(qb + (size_t)i * FACE_PB);
            __m256 q1 = _mm256_loadu_ps(qb + (size_t)i * FACE_PB + FACE_LANES);
            FACE_FMA2(_mm256_broadcast_ss(p0 + i), c00, c01);
            FACE_FMA2(_mm256_broadcast_ss(p1 + i), c10, c11);
            FACE_FMA2(_mm256_broadcast_ss(p2 + i), c20, c21);
            FACE_FMA2(_mm256_broadcast_ss(p3 + i), c30, c31);
            FACE_FMA2(_mm256_broadcast_ss(p4 + i), c40, c41);
            FACE_FMA2(_mm256_broadcast_ss(p5 + i), c50, c51);
        }
        batch_offer_avx2(s, b, r0, c00, c01);
        batch_offer_avx2(s, b, r0 + 1, c10, c11);
        batch_offer_avx2(s, b, r0 + 2, c20, c21);
        batch_offer_avx2(s, b, r0 + 3, c30, c31);
        batch_offer_avx2(s, b, r0 + 4, c40, c41);
        batch_offer_avx2(s, b, r0 + 5, c50, c51);
    }
}

__attribute__((target("avx2,fma"))) static void batch_block_avx2_1(face_batch *s, long long r0) {
    const int d = s->d;
    const float *p0 = s->rows + r0 * d;
    for (int b = 0; b < s->nblocks; b++) {
        const float *qb = s->packed + (size_t)b * d * FACE_PB;
        __m256 c00 = _mm256_setzero_ps(), c01 = c00;
        for (int i = 0; i < d; i++) {
            __m256 q0 = _mm256_loadu_ps(qb + (size_t)i * FACE_PB);
            __m256 q1 = _mm256_loadu_ps(qb + (size_t)i * FACE_PB + FACE_LANES);
            FACE_FMA2(_mm256_broadcast_ss(p0 + i), c00, c01);
        }
        batch_offer_avx2(s, b, r0, c00, c01);
    }
}

__attribute__((target("avx2,fma"))) static void *batch_run_avx2(void *arg) {
    face_batch *s = (face_batch *)arg;
    long long r = s->lo;
    for (; r + FACE_RB <= s->hi; r += FACE_RB) batch_block_avx2_6(s, r);
    for (; r < s->hi; r++) batch_block_avx2_1(s, r);
    return NULL;
}
#endif

int chipid_face_search_batch(const float *queries, int nq, const float *rows, long long n, int d, int top_k,
                             int n_threads, long long *out_idx, float *out_score) {
    if (queries == NULL || nq < 1 || d < 1 || n < 0 || top_k < 1 || n_threads < 1) return CHIPID_EINVAL;
    if ((n > 0 && rows == NULL) || out_idx == NULL || out_score == NULL) return CHIPID_EINVAL;
    if (n_threads > 64) n_threads = 64;
    long long per_thread_min = 4 * FACE_RB;
    if (n_threads > 1 && n / n_threads < per_thread_min) n_threads = (int)(n / per_thread_min) > 0 ? (int)(n / per_thread_min) : 1;
    if (n_threads > 64) n_threads = 64;
    int nblocks = (nq + FACE_PB - 1) / FACE_PB;
    size_t slots = (size_t)nq * (size_t)top_k;
    float *packed = malloc(sizeof(float) * (size_t)nblocks * FACE_PB * (size_t)d);
    long long *idx = malloc(sizeof(long long) * slots * (size_t)n_threads);
    float *sc = malloc(sizeof(float) * slots * (size_t)n_threads);
    float *worst = malloc(sizeof(float) * (size_t)nblocks * FACE_PB * (size_t)n_threads);
    if (packed == NULL || idx == NULL || sc == NULL || worst == NULL) {
        free(packed);
        free(idx);
        free(sc);
        free(worst);
        return CHIPID_ENOMEM;
    }
    for (int b = 0; b < nblocks; b++) {
        for (int i = 0; i < d; i++) {
            for (int p = 0; p < FACE_PB; p++) {
                int q = b * FACE_PB + p;
                packed[((size_t)b * d + i) * FACE_PB + p] = q < nq ? queries[(size_t)q * d + i] : 0.0f;
            }
        }
    }
    face_batch sl[64];
    for (int t = 0; t < n_threads; t++) {
        float *w = worst + (size_t)t * nblocks * FACE_PB;
        for (int p = 0; p < nblocks * FACE_PB; p++) w[p] = p < nq ? -INFINITY : INFINITY;
        for (size_t j = 0; j < slots; j++) {
            idx[(size_t)t * slots + j] = -1;
            sc[(size_t)t * slots + j] = 0.0f;
        }
        sl[t] = (face_batch){packed, rows, n * t / n_threads, n * (t + 1) / n_threads, d, nq, nblocks, top_k,
                             idx + (size_t)t * slots, sc + (size_t)t * slots, w};
    }
    void *(*fn)(void *) = batch_run_generic;
#ifdef FACE_HAVE_DISPATCH
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) fn = batch_run_avx2;
#endif
    pthread_t th[64];
    int ok[64] = {0};
    for (int t = 1; t < n_threads; t++) ok[t] = pthread_create(&th[t], NULL, fn, &sl[t]) == 0;
    fn(&sl[0]);
    for (int t = 1; t < n_threads; t++) {
        if (ok[t]) pthread_join(th[t], NULL);
        else fn(&sl[t]);
    }
    for (size_t j = 0; j < slots; j++) {
        out_idx[j] = -1;
        out_score[j] = 0.0f;
    }
    for (int q = 0; q < nq; q++) {
        long long *oi = out_idx + (size_t)q * top_k;
        float *os = out_score + (size_t)q * top_k;
        for (int t = 0; t < n_threads; t++) {
            const long long *ti = sl[t].idx + (size_t)q * top_k;
            const float *ts = sl[t].score + (size_t)q * top_k;
            for (int j = 0; j < top_k && ti[j] >= 0; j++) topk_insert(oi, os, top_k, ti[j], ts[j]);
        }
    }
    free(packed);
    free(idx);
    free(sc);
    free(worst);
    return CHIPID_OK;
}
