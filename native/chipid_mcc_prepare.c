/* MCC template preparation: convex hull, cylinder creation, blob packing.
 *
 * Implements the bit-based Minutia Cylinder-Code of Cappelli, Ferrara and Maltoni, "Minutia Cylinder-Code:
 * a new representation and matching technique for fingerprint recognition", IEEE TPAMI 32(12), 2010,
 * section 3 (cell centres, eq. 2; spatial contribution, eq. 5; directional contribution, eq. 7-8; bit
 * quantisation psi_Bit; cell validity with the convex hull offset; cylinder validity minVC / minM).
 * C99, no globals, caller-allocated output.
 */
#include <math.h>

#include "mcc_internal.h"

typedef struct {
    int x, y;
} pt;

static long long cross(pt o, pt a, pt b) {
    return (long long)(a.x - o.x) * (b.y - o.y) - (long long)(a.y - o.y) * (b.x - o.x);
}

/* Andrew's monotone chain; hull receives the counter-clockwise hull (in y-up terms), returns its size. */
static int convex_hull(const int *xs, const int *ys, int n, pt *hull) {
    pt p[CHIPID_MAX_MINUTIAE];
    for (int i = 0; i < n; i++) {
        pt q = {xs[i], ys[i]};
        int j = i;
        while (j > 0 && (p[j - 1].x > q.x || (p[j - 1].x == q.x && p[j - 1].y > q.y))) {
            p[j] = p[j - 1];
            j--;
        }
        p[j] = q;
    }
    int m = 0;
    for (int i = 0; i < n; i++) { /* drop duplicates */
        if (m == 0 || p[i].x != p[m - 1].x || p[i].y != p[m - 1].y) p[m++] = p[i];
    }
    if (m <= 2) {
        for (int i = 0; i < m; i++) hull[i] = p[i];
        return m;
    }
    int k = 0;
    for (int i = 0; i < m; i++) {
        while (k >= 2 && cross(hull[k - 2], hull[k - 1], p[i]) <= 0) k--;
        hull[k++] = p[i];
    }
    for (int i = m - 2, t = k + 1; i >= 0; i--) {
        while (k >= t && cross(hull[k - 2], hull[k - 1], p[i]) <= 0) k--;
        hull[k++] = p[i];
    }
    return k - 1;
}

static double seg_dist2(double px, double py, pt a, pt b) {
    double dx = b.x - a.x, dy = b.y - a.y;
    double wx = px - a.x, wy = py - a.y;
    double len2 = dx * dx + dy * dy;
    double t = len2 > 0.0 ? (wx * dx + wy * dy) / len2 : 0.0;
    if (t < 0.0) t = 0.0;
    if (t > 1.0) t = 1.0;
    double ex = wx - t * dx, ey = wy - t * dy;
    return ex * ex + ey * ey;
}

/* Is (px, py) inside the hull or within MCC_OMEGA of it? */
static int in_hull(double px, double py, const pt *h, int nh) {
    if (nh == 0) return 0;
    if (nh >= 3) {
        int inside = 1;
        for (int i = 0; i < nh && inside; i++) {
            pt a = h[i], b = h[(i + 1) % nh];
            double c = (b.x - a.x) * (py - a.y) - (b.y - a.y) * (px - a.x);
            if (c < 0.0) inside = 0;
        }
        if (inside) return 1;
    }
    int ne = nh >= 3 ? nh : (nh == 2 ? 1 : 1);
    for (int i = 0; i < ne; i++) {
        pt a = h[i], b = h[nh == 1 ? 0 : (i + 1) % nh];
        if (seg_dist2(px, py, a, b) <= MCC_OMEGA * MCC_OMEGA) return 1;
    }
    return 0;
}

static void st64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void st16(unsigned char *p, int v) {
    p[0] = (unsigned char)(v & 0xFF);
    p[1] = (unsigned char)((v >> 8) & 0xFF);
}

/* Build the cylinder of minutia m; returns 1 when valid (written to rec), 0 otherwise. */
static int make_cylinder(const int *xs, const int *ys, const int *as, int q, int n, int m, const pt *h, int nh,
                         unsigned char *rec) {
    const double reach2 = (MCC_R + 3.0 * MCC_SIGMA_S) * (MCC_R + 3.0 * MCC_SIGMA_S);
    const double near2 = (3.0 * MCC_SIGMA_S) * (3.0 * MCC_SIGMA_S);
    const double gs_norm = 1.0 / (MCC_SIGMA_S * sqrt(MCC_TWO_PI));
    const double dd = MCC_TWO_PI / MCC_ND;
    int nb[CHIPID_MAX_MINUTIAE];
    double gd[CHIPID_MAX_MINUTIAE][MCC_ND];
    int cnt = 0;
    for (int t = 0; t < n; t++) {
        if (t == m) continue;
        double ex = (double)(xs[t] - xs[m]), ey = (double)(ys[t] - ys[m]);
        if (ex * ex + ey * ey > reach2) continue;
        double dth = mcc_adiff(as[m], as[t]) * MCC_UNIT;
        for (int k = 0; k < MCC_ND; k++) {
            double dk = -MCC_PI + (k + 0.5) * dd;
            double al = dk - dth;
            if (al < -MCC_PI) al += MCC_TWO_PI;
            else if (al >= MCC_PI) al -= MCC_TWO_PI;
            double s2 = MCC_SIGMA_D * sqrt(2.0);
            gd[cnt][k] = 0.5 * (erf((al + dd / 2.0) / s2) - erf((al - dd / 2.0) / s2));
        }
        nb[cnt++] = t;
    }
    if (cnt < MCC_MIN_M) return 0;
    double th = as[m] * MCC_UNIT, c = cos(th), s = sin(th);
    uint64_t v[MCC_ND] = {0}, mask = 0;
    int valid = 0;
    for (int i = 0; i < MCC_NS; i++) {
        for (int j = 0; j < MCC_NS; j++) {
            int di = 2 * i - (MCC_NS - 1), dj = 2 * j - (MCC_NS - 1);
            if (di * di + dj * dj > MCC_NS * MCC_NS) continue; /* centre beyond R */
            double ii = di * 0.5, jj = dj * 0.5;
            double px = xs[m] + MCC_DS * (c * ii + s * jj);
            double py = ys[m] + MCC_DS * (-s * ii + c * jj);
            if (!in_hull(px, py, h, nh)) continue;
            int bit = i * MCC_NS + j;
            mask |= (uint64_t)1 << bit;
            valid++;
            double sum[MCC_ND] = {0};
            for (int q = 0; q < cnt; q++) {
                double ex = px - xs[nb[q]], ey = py - ys[nb[q]];
                double d2 = ex * ex + ey * ey;
                if (d2 > near2) continue;
                double gs = gs_norm * exp(-d2 / (2.0 * MCC_SIGMA_S * MCC_SIGMA_S));
                for (int k = 0; k < MCC_ND; k++) sum[k] += gs * gd[q][k];
            }
            for (int k = 0; k < MCC_ND; k++) {
                if (sum[k] >= MCC_MU_PSI) v[k] |= (uint64_t)1 << bit;
            }
        }
    }
    if (valid < MCC_MIN_VC) return 0;
    for (int k = 0; k < MCC_ND; k++) st64(rec + 8 * k, v[k]);
    st64(rec + 48, mask);
    st16(rec + 56, xs[m] & 0xFFFF);
    st16(rec + 58, ys[m] & 0xFFFF);
    st16(rec + 60, as[m]);
    rec[62] = (unsigned char)cnt;
    rec[63] = (unsigned char)q;
    return 1;
}

int chipid_abi_version(void) { return 4; }

int chipid_blob_size(int n) {
    if (n < 0 || n > CHIPID_MAX_MINUTIAE) return CHIPID_EINVAL;
    return CHIPID_BLOB_HEADER + CHIPID_CYL_BYTES * n;
}

int chipid_prepare(const int *xs, const int *ys, const int *angles, const int *qualities, int n,
                   unsigned char *out, int out_cap) {
    if (n < 0 || n > CHIPID_MAX_MINUTIAE || out == NULL) return CHIPID_EINVAL;
    if (n > 0 && (xs == NULL || ys == NULL || angles == NULL)) return CHIPID_EINVAL;
    if (out_cap < chipid_blob_size(n)) return CHIPID_EINVAL;
    for (int i = 0; i < n; i++) {
        if (xs[i] < 0 || xs[i] > 16383 || ys[i] < 0 || ys[i] > 16383) return CHIPID_EINVAL;
        if (angles[i] < 0 || angles[i] >= CHIPID_ANGLE_UNITS) return CHIPID_EINVAL;
        if (qualities != NULL && (qualities[i] < 0 || qualities[i] > 100)) return CHIPID_EINVAL;
    }
    pt hull[CHIPID_MAX_MINUTIAE + 1];
    int nh = convex_hull(xs, ys, n, hull);
    /* cylinders are stored by ascending angle (then minutia index): the comparison's direction test
     * then selects a contiguous run of partners and its branches stay predictable */
    int order[CHIPID_MAX_MINUTIAE];
    for (int i = 0; i < n; i++) {
        int j = i;
        while (j > 0 && angles[order[j - 1]] > angles[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    int ncyl = 0;
    for (int q = 0; q < n; q++) {
        int qm = qualities != NULL ? qualities[order[q]] : 0;
        ncyl += make_cylinder(xs, ys, angles, qm, n, order[q], hull, nh,
                              out + CHIPID_BLOB_HEADER + (size_t)CHIPID_CYL_BYTES * ncyl);
    }
    memset(out, 0, CHIPID_BLOB_HEADER);
    memcpy(out, "MCC4", 4);
    st16(out + 4, ncyl);
    st16(out + 6, n);
    return CHIPID_BLOB_HEADER + CHIPID_CYL_BYTES * ncyl;
}

int chipid_blob_check(const unsigned char *blob, long long len) {
    if (blob == NULL || len < CHIPID_BLOB_HEADER || memcmp(blob, "MCC4", 4) != 0) return CHIPID_EPARSE;
    int ncyl = mcc_ld16(blob + 4), n = mcc_ld16(blob + 6);
    if (ncyl > n || n > CHIPID_MAX_MINUTIAE) return CHIPID_EPARSE;
    if (len != CHIPID_BLOB_HEADER + (long long)CHIPID_CYL_BYTES * ncyl) return CHIPID_EPARSE;
    for (int i = 8; i < CHIPID_BLOB_HEADER; i++) {
        if (blob[i] != 0) return CHIPID_EPARSE;
    }
    return CHIPID_OK;
}
