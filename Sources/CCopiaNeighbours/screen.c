/* The fused screening kernel of CopiaTable's nearest-neighbour search.
 *
 * Register blocking after BLIS (Van Zee & van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS
 * Functionality", ACM TOMS 2015; Goto & van de Geijn 2008): a micro-tile of Q queries x one panel of candidates
 * lives in vector registers (AVX-512: 12 queries x 32 candidates in 24 zmm; AVX2: 6 x 16 in 12 ymm), each step
 * loading one feature of the panel (two vectors) and broadcasting one coordinate per query. Unlike a GEMM, the
 * finished tile is not written out: it is compared at once with each query's running limit, and only the rare
 * candidates that pass go to the query's screened list, so the products never leave the registers.
 *
 * What is computed, per query q and candidate x (both centred, float-rounded, `dims` features):
 *     acc = -|x|^2 / 2 + q_0 x_0 + q_1 x_1 + ...        (fused multiply-adds in feature order)
 *     f   = |q|^2 - 2 acc                                (the screened squared distance)
 * and x goes to q's list when f < threshold (the list's k-th value plus its margin, as in ScreenLists.insert).
 * The vector test is `acc > h` with h = (|q|^2 - threshold) / 2 rounded and then moved a few floats down: f < L
 * implies the exact |q|^2 - 2 acc < L (rounding is monotone and L is a float), i.e. acc > (|q|^2 - L) / 2 >= h, so
 * the test passes every candidate the list would take; the list's own test then decides exactly.
 *
 * Error bound (u = 2^-24, gamma_n = n u / (1 - n u); Higham, "Accuracy and Stability of Numerical Algorithms",
 * 2002, section 3.1). The Swift side keeps every candidate within twice its bound, (8 dims + 32) u (|q|^2 + max|x|^2),
 * of the k-th screened value, which holds every true neighbour as long as each screened value is within half of
 * that, (4 dims + 16) u (...), of the exact distance. Here: the start -|x|^2 / 2 is exact (halving); a sum of n
 * terms in any order carries at most gamma_(n-1) times the sum of their magnitudes, and a fused multiply-add rounds
 * once where a multiply and an add round twice, so FMA only removes error terms; acc's error is thus at most
 * gamma_dims (|x|^2 / 2 + sum |q_d x_d|) <= gamma_dims (|x|^2 + |q|^2 / 2), which f doubles. |x|^2 and |q|^2 are float
 * sums of squares (gamma_dims each), the last subtraction rounds once a value <= 2 (|q|^2 + |x|^2), and rounding the
 * centred coordinates to float moves the exact distance by about 4 u (|q|^2 + |x|^2). In all at most about
 * (3 dims + 6) u (|q|^2 + |x|^2), inside the (4 dims + 16) u allowed; the Double ranking's own rounding (2^-53) is
 * far below the slack.
 *
 * NaN and infinity: padded candidate rows have norm +infinity, so acc = -infinity and never passes. The Swift side
 * marks queries with non-finite norms (and every query when a candidate norm is not finite) for the exact scan.
 */
#include "ccopia_neighbours.h"
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* The hit path's f = |q|^2 - 2 acc is rounded once as written (2 acc is exact). */
#pragma clang fp contract(off)

#if defined(__x86_64__)
// MARK: - Screened lists (ScreenLists.insert, ported)

static inline float list_threshold(const ccopia_nn_lists *l, ptrdiff_t q) {
    return l->counts[q] < l->k ? INFINITY : l->values[q * l->width + l->k - 1] + l->margins[q];
}

/* Inserts slot with screened value v (after equal values already there), then drops what lies beyond the k-th
 * value + margin; past capacity, marks the query for an exact scan. */
static void list_insert(ccopia_nn_lists *l, ptrdiff_t q, float v, ptrdiff_t slot) {
    if (!(v < list_threshold(l, q))) return;
    float *vp = l->values + q * l->width;
    ptrdiff_t *sp = l->slots + q * l->width;
    ptrdiff_t count = l->counts[q], i = count;
    while (i > 0 && vp[i - 1] > v) {
        vp[i] = vp[i - 1];
        sp[i] = sp[i - 1];
        i--;
    }
    vp[i] = v;
    sp[i] = slot;
    count++;
    if (count >= l->k) {
        float limit = vp[l->k - 1] + l->margins[q];
        while (count > l->k && vp[count - 1] > limit) count--;
    }
    if (count > l->capacity) {
        l->overflowed[q] = true;
        count = l->capacity;
    }
    l->counts[q] = count;
}

/* The vector test's number for query q: every acc with |q|^2 - 2 acc below the threshold is above it (see top). */
static float prefilter_limit(const ccopia_nn_lists *l, ptrdiff_t q, float qn) {
    if (l->overflowed[q]) return INFINITY;
    float t = list_threshold(l, q);
    if (isinf(t)) return -INFINITY;
    /* H = (qn - t) / 2 exactly; h within half an ulp of it (halving is exact above the subnormals); moving h down
     * by 2^-22 |h| (exact) lands at least 3 u |h| below h after rounding, below H; FLT_MIN covers subnormal h. */
    const float h = (qn - t) * 0.5f;
    return (h - fabsf(h) * 0x1p-22f) - FLT_MIN;
}

/* The candidates of one query's tile row whose acc passed the vector test (a bit each in `mask`, lowest first). */
static void screen_hits(ccopia_nn_lists *l, ptrdiff_t q, float qn, float *h, const float *acc, uint32_t mask,
                        ptrdiff_t slot0) {
    while (mask != 0) {
        const int i = __builtin_ctz(mask);
        mask &= mask - 1;
        if (!(acc[i] > *h)) continue;  /* *h rose since the mask was taken */
        const float f = qn - 2.0f * acc[i];
        if (f < list_threshold(l, q)) {
            list_insert(l, q, f, slot0 + i);
            *h = prefilter_limit(l, q, qn);
        }
    }
}

// MARK: - Kernels

#define Q512 12
#define Q256 6

/* Panels p0..<p1 against one tile of Q512 queries (qt: [feature][query]; h, qn: per tile row). */
__attribute__((target("avx512f")))
static void tile_avx512(const float *qt, float *h, const float *qn, ptrdiff_t q0, ptrdiff_t rows, ptrdiff_t dims,
                        const float *packed, const float *norms, ptrdiff_t p0, ptrdiff_t p1, ccopia_nn_lists *l) {
    const __m512 minusHalf = _mm512_set1_ps(-0.5f);
    for (ptrdiff_t p = p0; p < p1; p++) {
        const float *x0 = packed + p * CCOPIA_NN_PANEL * dims, *x1 = x0 + CCOPIA_NN_BLOCK * dims;
        const __m512 n0 = _mm512_mul_ps(_mm512_loadu_ps(norms + p * CCOPIA_NN_PANEL), minusHalf);
        const __m512 n1 = _mm512_mul_ps(_mm512_loadu_ps(norms + p * CCOPIA_NN_PANEL + 16), minusHalf);
        __m512 a0[Q512], a1[Q512];
#pragma clang loop unroll(full)
        for (int j = 0; j < Q512; j++) {
            a0[j] = n0;
            a1[j] = n1;
        }
        for (ptrdiff_t d = 0; d < dims; d++) {
            const __m512 v0 = _mm512_loadu_ps(x0 + d * 16), v1 = _mm512_loadu_ps(x1 + d * 16);
            const float *qd = qt + d * Q512;
#pragma clang loop unroll(full)
            for (int j = 0; j < Q512; j++) {
                const __m512 b = _mm512_set1_ps(qd[j]);
                a0[j] = _mm512_fmadd_ps(v0, b, a0[j]);
                a1[j] = _mm512_fmadd_ps(v1, b, a1[j]);
            }
        }
        __mmask16 any = 0;
#pragma clang loop unroll(full)
        for (int j = 0; j < Q512; j++) {
            const __m512 hj = _mm512_set1_ps(h[j]);
            any |= _mm512_cmp_ps_mask(a0[j], hj, _CMP_GT_OQ) | _mm512_cmp_ps_mask(a1[j], hj, _CMP_GT_OQ);
        }
        if (__builtin_expect(any != 0, 0)) {
            /* Rare once the lists fill: each row's own mask, and only its hits leave the registers. */
#pragma clang loop unroll(full)
            for (int j = 0; j < Q512; j++) {
                const __m512 hj = _mm512_set1_ps(h[j]);
                const uint32_t m = (uint32_t)_mm512_cmp_ps_mask(a0[j], hj, _CMP_GT_OQ) |
                                   (uint32_t)_mm512_cmp_ps_mask(a1[j], hj, _CMP_GT_OQ) << 16;
                if (m != 0 && j < rows) {
                    float acc[CCOPIA_NN_PANEL];
                    _mm512_storeu_ps(acc, a0[j]);
                    _mm512_storeu_ps(acc + 16, a1[j]);
                    screen_hits(l, q0 + j, qn[j], &h[j], acc, m, p * CCOPIA_NN_PANEL);
                }
            }
        }
    }
}

/* As tile_avx512, with Q256 queries against one block (16 candidates, two ymm) at a time. */
__attribute__((target("avx2,fma")))
static void tile_avx2(const float *qt, float *h, const float *qn, ptrdiff_t q0, ptrdiff_t rows, ptrdiff_t dims,
                      const float *packed, const float *norms, ptrdiff_t p0, ptrdiff_t p1, ccopia_nn_lists *l) {
    const __m256 minusHalf = _mm256_set1_ps(-0.5f);
    for (ptrdiff_t b = 2 * p0; b < 2 * p1; b++) {
        const float *x = packed + b * CCOPIA_NN_BLOCK * dims;
        const __m256 n0 = _mm256_mul_ps(_mm256_loadu_ps(norms + b * CCOPIA_NN_BLOCK), minusHalf);
        const __m256 n1 = _mm256_mul_ps(_mm256_loadu_ps(norms + b * CCOPIA_NN_BLOCK + 8), minusHalf);
        __m256 a0[Q256], a1[Q256];
#pragma clang loop unroll(full)
        for (int j = 0; j < Q256; j++) {
            a0[j] = n0;
            a1[j] = n1;
        }
        for (ptrdiff_t d = 0; d < dims; d++) {
            const __m256 v0 = _mm256_loadu_ps(x + d * 16), v1 = _mm256_loadu_ps(x + d * 16 + 8);
            const float *qd = qt + d * Q256;
#pragma clang loop unroll(full)
            for (int j = 0; j < Q256; j++) {
                const __m256 q = _mm256_broadcast_ss(qd + j);
                a0[j] = _mm256_fmadd_ps(v0, q, a0[j]);
                a1[j] = _mm256_fmadd_ps(v1, q, a1[j]);
            }
        }
        __m256 any = _mm256_setzero_ps();
#pragma clang loop unroll(full)
        for (int j = 0; j < Q256; j++) {
            const __m256 hj = _mm256_broadcast_ss(h + j);
            any = _mm256_or_ps(any, _mm256_or_ps(_mm256_cmp_ps(a0[j], hj, _CMP_GT_OQ), _mm256_cmp_ps(a1[j], hj, _CMP_GT_OQ)));
        }
        if (__builtin_expect(_mm256_movemask_ps(any) != 0, 0)) {
#pragma clang loop unroll(full)
            for (int j = 0; j < Q256; j++) {
                const __m256 hj = _mm256_broadcast_ss(h + j);
                const uint32_t m = (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(a0[j], hj, _CMP_GT_OQ)) |
                                   (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(a1[j], hj, _CMP_GT_OQ)) << 8;
                if (m != 0 && j < rows) {
                    float acc[CCOPIA_NN_BLOCK];
                    _mm256_storeu_ps(acc, a0[j]);
                    _mm256_storeu_ps(acc + 8, a1[j]);
                    screen_hits(l, q0 + j, qn[j], &h[j], acc, m, b * CCOPIA_NN_BLOCK);
                }
            }
        }
    }
}
#endif

// MARK: - Entry points

int ccopia_nn_best_kernel(void) {
#if defined(__x86_64__)
    static int cached = -1;
    int k = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (k < 0) {
        /* __builtin_cpu_supports also checks that the operating system saves the AVX-512 / AVX state. */
        if (__builtin_cpu_supports("avx512f")) k = CCOPIA_NN_AVX512;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) k = CCOPIA_NN_AVX2;
        else k = CCOPIA_NN_NONE;
        __atomic_store_n(&cached, k, __ATOMIC_RELAXED);
    }
    return k;
#else
    return CCOPIA_NN_NONE;
#endif
}

void ccopia_nn_screen(int kernel, const float *queries, const float *qnorms, ptrdiff_t count, ptrdiff_t dims,
                      const float *packed, const float *norms, ptrdiff_t panels, ccopia_nn_lists *lists) {
#if defined(__x86_64__)
    if (count <= 0 || panels <= 0 || kernel == CCOPIA_NN_NONE || kernel > ccopia_nn_best_kernel()) return;
    const ptrdiff_t q = kernel == CCOPIA_NN_AVX512 ? Q512 : Q256;
    const ptrdiff_t tiles = (count + q - 1) / q;
    /* Per tile: coordinates [feature][row] (zero in padding rows), then each row's |q|^2 and test number (+infinity
     * in padding rows, so they never pass). */
    float *qt = malloc(sizeof(float) * (size_t)(tiles * q * (dims + 2)));
    if (qt == NULL) {
        for (ptrdiff_t i = 0; i < count; i++) lists->overflowed[i] = true;
        return;
    }
    float *qn = qt + tiles * q * dims, *h = qn + tiles * q;
    for (ptrdiff_t r = 0; r < tiles * q; r++) {
        const ptrdiff_t t = r / q, j = r % q;
        for (ptrdiff_t d = 0; d < dims; d++) qt[(t * dims + d) * q + j] = r < count ? queries[r * dims + d] : 0;
        qn[r] = r < count ? qnorms[r] : 0;
        h[r] = r < count ? prefilter_limit(lists, r, qnorms[r]) : INFINITY;
    }
    /* Candidates in chunks of about 256 KB, which stay in L2 while every tile of the group passes over them. */
    ptrdiff_t chunk = (256 * 1024) / (CCOPIA_NN_PANEL * dims * (ptrdiff_t)sizeof(float));
    if (chunk < 1) chunk = 1;
    for (ptrdiff_t c0 = 0; c0 < panels; c0 += chunk) {
        const ptrdiff_t c1 = c0 + chunk < panels ? c0 + chunk : panels;
        for (ptrdiff_t t = 0; t < tiles; t++) {
            const ptrdiff_t rows = count - t * q < q ? count - t * q : q;
            if (kernel == CCOPIA_NN_AVX512)
                tile_avx512(qt + t * q * dims, h + t * q, qn + t * q, t * q, rows, dims, packed, norms, c0, c1, lists);
            else
                tile_avx2(qt + t * q * dims, h + t * q, qn + t * q, t * q, rows, dims, packed, norms, c0, c1, lists);
        }
    }
    free(qt);
#else
    (void)kernel; (void)queries; (void)qnorms; (void)count; (void)dims; (void)packed; (void)norms; (void)panels;
    (void)lists;
#endif
}
