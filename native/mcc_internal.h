/* Internal constants and blob accessors of the MCC matcher (not part of the cffi interface).
 *
 * The same constants are spelled out in chipid/biometrics/_match_ref.py, the pure-Python oracle: change
 * both together and bump chipid_abi_version().
 */
#ifndef CHIPID_MCC_INTERNAL_H
#define CHIPID_MCC_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "chipid_match.h"

/* Cylinder geometry (Cappelli et al. 2010, section 3; NS reduced from 16 to 8 so a layer is one word). */
#define MCC_R 70.0                  /* cylinder radius, pixels */
#define MCC_NS 8                    /* spatial cells per side */
#define MCC_ND 6                    /* direction layers */
#define MCC_DS (2.0 * MCC_R / MCC_NS)
#define MCC_SIGMA_S (28.0 / 3.0)
#define MCC_SIGMA_D (2.0 * MCC_PI / 9.0)
#define MCC_MU_PSI 0.0075           /* bit threshold of the summed contribution */
#define MCC_OMEGA 50.0              /* convex-hull offset, pixels */
#define MCC_CELLS_IN_CIRCLE 52      /* cells of the 8x8 grid whose centre lies within R */
#define MCC_MIN_VC 31               /* floor(0.60 * 52): valid cells for a valid cylinder */
#define MCC_MIN_M 2                 /* neighbour minutiae within R + 3 sigma_s */
#define MCC_NBIN 12                 /* rotation histogram: 30-degree bins over the full turn */

/* Consolidation (LSS-R, section 4.3), with a cheaper pair-consistency function rho. */
#define MCC_NR_MAX 48
#define MCC_NREL 5
#define MCC_WR 0.5
#define MCC_D_LO 5.0                /* local-vector distance ramp, pixels */
#define MCC_D_HI 20.0
#define MCC_A_LO 2731               /* relative-direction ramp, angle units (pi/12 .. pi/6) */
#define MCC_A_HI 5461
#define MCC_MIN_NP 6
#define MCC_MAX_NP 16
#define MCC_MU_P 20.0
#define MCC_TAU_P 0.4

/* Overlap normalisation (after the LSS-R score): B is aligned on A by the pair of highest relaxed
 * similarity; an A minutia is "matched" when an aligned B minutia lies within T0 + D_K * r pixels (r: its
 * distance from that anchor; the slope absorbs non-linear distortion) and MCC_A_TOL of its direction; it
 * is "in the overlap" when an aligned B minutia lies within D_OV (likewise for B).  With quality weights
 * w (1 when not reported), score = LSS-R * min(1, sum_matched w / max(N_FLOOR, mean overlap weight))^BETA.
 * The tunable values are a parameter vector (defaults below; chosen by leave-one-database-out
 * cross-validation on FVC2002, see docs/biometrics.md); the relaxation ramps widen by D_K too.
 * Rotation vote: each A cylinder votes for the rotation bin of its best partner; the window of ROTWIN bins
 * either side with the largest vote wins, its vote weighted by 1 - ROTCOST * |bin - 5.5| / 5.5 (a cost on
 * turning away from upright: a rotated print must win by that margin; 0 = no preference).
 * MINME: matchable cells two cylinders need in common for a non-zero similarity (the paper's minME;
 * the paper's 0.60 of the 52 cells would be 32; the cross-validation chose 26 (0.50)). */
#define MCC_A_TOL 5461              /* pi / 6 in angle units */
#define MCC_Q_FULL 40.0             /* minutia quality from which a minutia weighs 1 (below: q / Q_FULL) */
enum { MCC_P_DK, MCC_P_NFLOOR, MCC_P_BETA, MCC_P_DOV, MCC_P_T0, MCC_P_ROTWIN, MCC_P_ROTCOST, MCC_P_MINME };
#define MCC_DEFAULT_PARAMS {0.05, 8.0, 1.0, 30.0, 12.0, 1.0, 0.6, 26.0}

#define MCC_PI 3.14159265358979323846
#define MCC_TWO_PI (2.0 * MCC_PI)
#define MCC_UNIT (MCC_TWO_PI / CHIPID_ANGLE_UNITS)

/* One unpacked cylinder (blob record of CHIPID_CYL_BYTES bytes, little-endian: 6 value words, the
 * validity mask, x, y, angle (16 bits each), neighbour count and minutia quality (one byte each)). */
typedef struct {
    uint64_t v[MCC_ND]; /* value bits: layer k, cell i * 8 + j */
    uint64_t m;         /* validity bits of the spatial cells */
    int x, y, a;        /* minutia position and angle (units) */
    double w;           /* quality weight: 1 when not reported or >= MCC_Q_FULL, else q / MCC_Q_FULL */
} mcc_cyl;

/* Little-endian 64-bit load: one unaligned load on little-endian hosts, byte assembly elsewhere. */
static inline uint64_t mcc_ld64(const unsigned char *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
#endif
}

static inline int mcc_ld16(const unsigned char *p) { return p[0] | (p[1] << 8); }

static inline void mcc_load(const unsigned char *rec, mcc_cyl *c) {
    for (int k = 0; k < MCC_ND; k++) c->v[k] = mcc_ld64(rec + 8 * k);
    c->m = mcc_ld64(rec + 48);
    c->x = (int16_t)mcc_ld16(rec + 56);
    c->y = (int16_t)mcc_ld16(rec + 58);
    c->a = mcc_ld16(rec + 60);
    int q = rec[63];
    c->w = (q == 0 || q >= MCC_Q_FULL) ? 1.0 : q / MCC_Q_FULL;
}

/* Signed angle difference a - b in units, normalised to [-32768, 32767]. */
static inline int mcc_adiff(int a, int b) {
    int d = (a - b) & 0xFFFF;
    return d >= 32768 ? d - 65536 : d;
}

/* Score of two validated blobs (defined in chipid_mcc_match.c); params: CHIPID_NPARAMS values or NULL.
 * Negative (-1.0) only when the scratch memory for large templates could not be allocated. */
double mcc_score(const unsigned char *a, const unsigned char *b, int max_rotation, const double *params,
                 double *detail);

#endif
