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
