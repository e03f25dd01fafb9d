/* chipid native core: public prototypes and constants (cdef-clean: no #include, no macros with expressions).
 *
 * Fingerprint matching is Minutia Cylinder-Code (Cappelli, Ferrara, Maltoni, IEEE TPAMI 32(12), 2010) in
 * its bit-vector form, followed by a relaxation / consolidation step (LSS-R).  Face matching is cosine
 * similarity over L2-normalised float32 vectors.  Every function is thread-safe: no globals, caller-allocated
 * buffers, int status codes (CHIPID_OK or a negative CHIPID_E* value).
 */
#ifndef CHIPID_MATCH_H
#define CHIPID_MATCH_H

#define CHIPID_OK 0
#define CHIPID_EINVAL -1
#define CHIPID_ENOMEM -2
#define CHIPID_EPARSE -3

/* Most minutiae one template may hold (ISO 19794-2 / ANSI 378 count field is one byte). */
#define CHIPID_MAX_MINUTIAE 255
/* Size of the prepared-template header and of one packed cylinder, in bytes. */
#define CHIPID_BLOB_HEADER 16
#define CHIPID_CYL_BYTES 64
/* Angles are passed quantised: 65536 units per full turn, counter-clockwise. */
#define CHIPID_ANGLE_UNITS 65536

/* Version of the native ABI; bumped when a prototype or the blob layout changes. */
int chipid_abi_version(void);

/* Bytes needed by chipid_prepare for n minutiae. */
int chipid_blob_size(int n);

/* Preprocess one template into a packed blob (cylinders + geometry + minutia quality).
 * xs, ys: pixel coordinates; angles: 0..65535 units; qualities: 0..100 (0 = not reported) or NULL (all 0);
 * n: 0..255.  out: caller buffer of out_cap bytes.
 * Returns the number of bytes written (>= CHIPID_BLOB_HEADER) or a negative status. */
int chipid_prepare(const int *xs, const int *ys, const int *angles, const int *qualities, int n,
                   unsigned char *out, int out_cap);

/* Check a blob's structure; returns CHIPID_OK or CHIPID_EPARSE. */
int chipid_blob_check(const unsigned char *blob, long long len);

/* Tunable parameters of the score (see mcc_internal.h for their meaning and defaults). */
#define CHIPID_NPARAMS 8

/* 1:1 comparison of two prepared blobs; *score receives a similarity in [0, 1].
 * max_rotation: largest rotation between the prints considered, in angle units (32768 = any rotation;
 * smaller values are the upright-sensor option). */
int chipid_compare(const unsigned char *a, long long a_len, const unsigned char *b, long long b_len,
                   int max_rotation, double *score);

/* chipid_compare with explicit score parameters (CHIPID_NPARAMS doubles; NULL = the defaults) and the
 * score's components in detail[0..7] (NULL = not wanted): LSS-R score, matched, overlap A, overlap B,
 * cylinders A, cylinders B, rotation (units), pairs.  For the cross-validation tool and the tests. */
int chipid_compare_tuned(const unsigned char *a, long long a_len, const unsigned char *b, long long b_len,
                         int max_rotation, const double *params, double *score, double *detail);

/* chipid_compare through one code path: 0 portable C, 1 POPCNT, 2 AVX2, 3 AVX2 + AVX-512 VPOPCNTDQ,
 * 4 the same with square-root instructions for two of the three table lookups (the default on AMD).
 * For tests (all paths must agree bit for bit); CHIPID_EINVAL when the CPU lacks the path. */
int chipid_compare_isa(const unsigned char *a, long long a_len, const unsigned char *b, long long b_len, int isa,
                       int max_rotation, double *score);

/* 1:N search: gallery is one buffer, template i spans [offsets[i], offsets[i + 1]).
 * out_idx / out_score receive the best top_k (score descending, index ascending on ties); entries
 * past the gallery size get index -1.  n_threads >= 1 (pthreads). */
int chipid_search(const unsigned char *probe, long long probe_len, const unsigned char *gallery,
                  long long gallery_len, const long long *offsets, int n, int top_k, int n_threads,
                  int max_rotation, int *out_idx, double *out_score);

/* Face vectors: L2-normalise n rows of d float32 values in place (zero rows stay zero). */
int chipid_face_normalize(float *rows, long long n, int d);

/* Cosine similarity of two d-dimensional vectors (normalised inputs: the dot product). */
int chipid_face_cosine(const float *a, const float *b, int d, float *out);

/* 1:N top-k dot products of one query against n rows of d floats, threaded across rows. */
int chipid_face_search(const float *query, const float *rows, long long n, int d, int top_k, int n_threads,
                       long long *out_idx, float *out_score);

/* Batch 1:N: nq queries (row-major, nq x d) against n rows, the gallery read once per block of probes.
 * out_idx / out_score: nq x top_k (query q's hits at [q * top_k, (q + 1) * top_k)), score descending,
 * index ascending on ties, -1 past the gallery size.  Threaded across rows. */
int chipid_face_search_batch(const float *queries, int nq, const float *rows, long long n, int d, int top_k,
                             int n_threads, long long *out_idx, float *out_score);

/* Yardstick: sum every float of the buffer with the same threading (memory-bandwidth time). */
int chipid_face_scan(const float *rows, long long count, int n_threads, double *out_sum);

#endif
