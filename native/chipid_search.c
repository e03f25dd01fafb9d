/* 1:N fingerprint search over a prepared gallery, split across pthreads.
 *
 * The threads take blocks of MCC_SEARCH_BLOCK templates from a shared atomic counter (a thread slowed by
 * other work on the machine, or given larger templates, takes fewer blocks) and score them into their own
 * top-k lists; the lists are merged at the end (score descending, gallery index ascending on ties), so the
 * result does not depend on the number of threads or on which thread scored what.  No globals; scratch
 * lives on the thread stacks and in one caller-sized heap block (plus one per comparison of templates over
 * 64 cylinders, see score_body; if that fails the search returns CHIPID_ENOMEM, not a partial list).
 */
#include <pthread.h>
#include <stdlib.h>

#include "mcc_internal.h"

#define MCC_SEARCH_BLOCK 256

typedef struct {
    const unsigned char *probe, *gallery;
    const long long *offsets;
    int n, k, max_rotation;
    long long *next; /* next unclaimed template index, shared by the threads (atomic) */
    int *failed;     /* set (atomic) when a comparison could not allocate its scratch memory */
    int *idx;
    double *score;
} slice;

/* Insert (s, i) into a top-k list kept sorted best first; entries with idx -1 are empty. */
static void topk_insert(int *idx, double *score, int k, int i, double s) {
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

static void *run_slice(void *arg) {
    slice *s = (slice *)arg;
    for (int j = 0; j < s->k; j++) {
        s->idx[j] = -1;
        s->score[j] = 0.0;
    }
    for (;;) {
        long long lo = __atomic_fetch_add(s->next, (long long)MCC_SEARCH_BLOCK, __ATOMIC_RELAXED);
        if (lo >= s->n) break;
        int hi = s->n - lo < MCC_SEARCH_BLOCK ? s->n : (int)lo + MCC_SEARCH_BLOCK;
        for (int i = (int)lo; i < hi; i++) {
            double sc = mcc_score(s->probe, s->gallery + s->offsets[i], s->max_rotation, NULL, NULL);
            if (sc < 0.0) {
                __atomic_store_n(s->failed, 1, __ATOMIC_RELAXED);
                continue;
            }
            topk_insert(s->idx, s->score, s->k, i, sc);
        }
    }
    return NULL;
}

int chipid_search(const unsigned char *probe, long long probe_len, const unsigned char *gallery,
                  long long gallery_len, const long long *offsets, int n, int top_k, int n_threads,
                  int max_rotation, int *out_idx, double *out_score) {
    if (n < 0 || top_k < 1 || n_threads < 1 || out_idx == NULL || out_score == NULL) return CHIPID_EINVAL;
    if (max_rotation < 0 || max_rotation > 32768) return CHIPID_EINVAL;
    if (n > 0 && (gallery == NULL || offsets == NULL)) return CHIPID_EINVAL;
    if (chipid_blob_check(probe, probe_len) != CHIPID_OK) return CHIPID_EPARSE;
    for (int i = 0; i < n; i++) {
        long long lo = offsets[i], hi = offsets[i + 1];
        if (lo < 0 || hi < lo || hi > gallery_len) return CHIPID_EINVAL;
        if (chipid_blob_check(gallery + lo, hi - lo) != CHIPID_OK) return CHIPID_EPARSE;
    }
    if (n_threads > 64) n_threads = 64;
    if (n_threads > n) n_threads = n > 0 ? n : 1;
    int *idx = malloc(sizeof(int) * (size_t)top_k * (size_t)n_threads);
    double *sc = malloc(sizeof(double) * (size_t)top_k * (size_t)n_threads);
    slice sl[64];
    pthread_t th[64];
    int started[64] = {0};
    if (idx == NULL || sc == NULL) {
        free(idx);
        free(sc);
        return CHIPID_ENOMEM;
    }
    long long next = 0;
    int failed = 0;
    for (int t = 0; t < n_threads; t++) {
        sl[t] = (slice){probe,        gallery, offsets, n, top_k, max_rotation, &next, &failed,
                        idx + (size_t)top_k * t, sc + (size_t)top_k * t};
        if (t > 0) started[t] = pthread_create(&th[t], NULL, run_slice, &sl[t]) == 0;
    }
    run_slice(&sl[0]);
    for (int t = 1; t < n_threads; t++) {
        if (started[t]) pthread_join(th[t], NULL);
        else run_slice(&sl[t]); /* thread creation failed: its list stays empty (the others took the work) */
    }
    for (int j = 0; j < top_k; j++) {
        out_idx[j] = -1;
        out_score[j] = 0.0;
    }
    for (int t = 0; t < n_threads; t++) {
        for (int j = 0; j < top_k && sl[t].idx[j] >= 0; j++) {
            topk_insert(out_idx, out_score, top_k, sl[t].idx[j], sl[t].score[j]);
        }
    }
    free(idx);
    free(sc);
    return failed ? CHIPID_ENOMEM : CHIPID_OK;
}
