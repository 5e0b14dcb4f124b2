/* Hot pixel loops of CopiaImage's kernels.
 *
 * Each kernel is written once as a static inline function and compiled twice: for AVX2/FMA (selected at run time
 * with ccopia_pixels_has_avx2) and for the baseline target, so the package needs no unsafe compiler flags and runs on
 * older x86 and on ARM. Floating-point contraction is off: the compiler may vectorise but never fuse a multiply and an
 * add, so every result is bit-identical to the Swift code these loops replace (same operations, same order, same
 * rounding) on every path. */
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "ccopia_pixels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int ccopia_pixels_has_avx2(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

__attribute__((unused)) static int use_avx2(void) {
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) { v = ccopia_pixels_has_avx2(); __atomic_store_n(&cached, v, __ATOMIC_RELAXED); }
    return v;
}

#define INLINE static inline __attribute__((always_inline))
#if defined(__x86_64__)
#define AVX2_TARGET __attribute__((target("avx2,fma")))
/* Defines name##_avx2 and name##_base around the inline body `impl`, and `dispatch` calls the right one. */
#define TWO_VERSIONS(ret, name, params, args) \
    AVX2_TARGET static ret name##_avx2 params { return name##_impl args; } \
    static ret name##_base params { return name##_impl args; } \
    static ret name##_pick params { return use_avx2() ? name##_avx2 args : name##_base args; }
#else
#define TWO_VERSIONS(ret, name, params, args) \
    static ret name##_pick params { return name##_impl args; }
#endif

/* Eight floats as one value: lowered to AVX registers in the AVX2 version, to SSE pairs in the baseline. */
typedef float v8f __attribute__((vector_size(32), aligned(4)));

/* Swift's sampleFromFloat: clamp to [0, m] (NaN to 0), round half to even by adding and subtracting k = 1.5 * 2^23
 * (IEEE arithmetic without fast-math: the compiler keeps both operations). */
INLINE int32_t sample_from_float_k(float v, float m, float k) {
    float c = v > 0 ? v : 0;
    c = c < m ? c : m;
    return (int32_t)((c + k) - k);
}

INLINE float rounding_constant(void) { return 12582912.0f; }

/* BorderMode.index: the index inside 0..<length that p reads, -1 for constant outside. */
INLINE int64_t border_index(int mode, int64_t p, int64_t length) {
    if ((uint64_t)p < (uint64_t)length) return p;
    switch (mode) {
    case CCOPIA_BORDER_CONSTANT: return -1;
    case CCOPIA_BORDER_REPLICATE: return p < 0 ? 0 : length - 1;
    case CCOPIA_BORDER_REFLECT:
    case CCOPIA_BORDER_REFLECT101: {
        if (length == 1) return 0;
        int64_t delta = mode == CCOPIA_BORDER_REFLECT101 ? 1 : 0;
        int64_t period = 2 * length - 2 * delta;
        if (period > 0) { p %= period; if (p < 0) p += period; }
        while ((uint64_t)p >= (uint64_t)length) p = p < 0 ? -p - 1 + delta : length - 1 - (p - length) - delta;
        return p;
    }
    default: {
        int64_t q = p % length;
        if (q < 0) q += length;
        return q;
    }
    }
}

/* MARK: - Lookup tables */

INLINE void lut_impl(const uint8_t *src, uint8_t *dst, size_t n, int cn, int colors, const uint8_t *tables, int ntables) {
    if (cn == 3 && colors == 3) {
        const uint8_t *t0 = tables, *t1 = tables + 256 * (ntables > 1 ? 1 : 0), *t2 = tables + 256 * (ntables > 2 ? 2 : ntables - 1);
        for (size_t i = 0; i < n; i++) {
            dst[3 * i] = t0[src[3 * i]];
            dst[3 * i + 1] = t1[src[3 * i + 1]];
            dst[3 * i + 2] = t2[src[3 * i + 2]];
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < cn; c++) {
            size_t k = i * cn + c;
            dst[k] = c < colors ? tables[256 * (c < ntables ? c : ntables - 1) + src[k]] : src[k];
        }
    }
}
TWO_VERSIONS(void, lut, (const uint8_t *src, uint8_t *dst, size_t n, int cn, int colors, const uint8_t *tables, int ntables),
             (src, dst, n, cn, colors, tables, ntables))
void ccopia_lut_u8(const uint8_t *src, uint8_t *dst, size_t n, int cn, int colors, const uint8_t *tables, int ntables) {
    lut_pick(src, dst, n, cn, colors, tables, ntables);
}

/* MARK: - Gray and saturation */

INLINE int64_t luma(int64_t r, int64_t g, int64_t b) { return (r * 4899 + g * 9617 + b * 1868 + 8192) >> 14; }

INLINE void gray_impl(const uint8_t *src, size_t n, int cn, int64_t *out) {
    for (size_t i = 0; i < n; i++) out[i] = luma(src[i * cn], src[i * cn + 1], src[i * cn + 2]);
}
TWO_VERSIONS(void, gray, (const uint8_t *src, size_t n, int cn, int64_t *out), (src, n, cn, out))
void ccopia_gray_u8(const uint8_t *src, size_t n, int cn, int64_t *out) { gray_pick(src, n, cn, out); }

/* Double.saturatedSample(255): NaN to 0, round half to even, clamp. */
INLINE int32_t saturate_double(double v) {
    if (v != v) return 0;
    double r = __builtin_rint(v);
    return r <= 0 ? 0 : (r >= 255 ? 255 : (int32_t)r);
}

/* A table over (gray, sample) of the same double expression: 64K entries built by a loop the compiler vectorises,
 * then three lookups per pixel. */
INLINE void blend_gray_impl(uint8_t *d, size_t n, int cn, double factor) {
    double rest = 1 - factor;
    uint8_t *table = malloc(256 * 256);
    if (!table) {
        for (size_t i = 0; i < n; i++) {
            uint8_t *p = d + i * cn;
            double gr = (double)luma(p[0], p[1], p[2]) * rest;
            for (int c = 0; c < 3; c++) p[c] = (uint8_t)saturate_double((double)p[c] * factor + gr);
        }
        return;
    }
    for (int g = 0; g < 256; g++) {
        double gr = (double)g * rest;
        for (int v = 0; v < 256; v++) table[g * 256 + v] = (uint8_t)saturate_double((double)v * factor + gr);
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = d + i * cn;
        const uint8_t *t = table + luma(p[0], p[1], p[2]) * 256;
        p[0] = t[p[0]];
        p[1] = t[p[1]];
        p[2] = t[p[2]];
    }
    free(table);
}
TWO_VERSIONS(void, blend_gray, (uint8_t *d, size_t n, int cn, double factor), (d, n, cn, factor))
void ccopia_blend_gray_u8(uint8_t *data, size_t n, int cn, double factor) { blend_gray_pick(data, n, cn, factor); }

/* MARK: - HSV */

INLINE void map_hsv_impl(const uint8_t *src, uint8_t *dst, size_t n, int cn, const float *ht, const float *st, const float *vt,
                         const int32_t *sdiv, const int32_t *hdiv) {
    const float k = rounding_constant();
    const float hueRange = 180;
    const float sectors = 6 / hueRange;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = src + i * cn;
        uint8_t *o = dst + i * cn;
        int64_t r = p[0], g = p[1], b = p[2];
        int64_t v = r > g ? r : g; v = v > b ? v : b;
        int64_t vmin = r < g ? r : g; vmin = vmin < b ? vmin : b;
        int64_t diff = v - vmin;
        int64_t s = (diff * sdiv[v] + (1 << 11)) >> 12;
        int64_t h;
        if (v == r) h = g - b; else if (v == g) h = b - r + 2 * diff; else h = r - g + 4 * diff;
        h = (h * hdiv[diff] + (1 << 11)) >> 12;
        if (h < 0) h += 180;
        float hv = ht[h], sv = st[s], vv = vt[v];
        float R, G, B;
        if (sv == 0) {
            R = G = B = vv;
        } else {
            float hh = hv * sectors;
            while (hh < 0) hh += 6;
            while (hh >= 6) hh -= 6;
            int sector = hh >= 0 ? (int)hh : -1;
            hh -= (float)sector;
            if (sector < 0 || sector >= 6) { sector = 0; hh = 0; }
            float t0 = vv, t1 = vv * (1 - sv), t2 = vv * (1 - sv * hh), t3 = vv * (1 - sv * (1 - hh));
            switch (sector) {
            case 0: R = t0; G = t3; B = t1; break;
            case 1: R = t2; G = t0; B = t1; break;
            case 2: R = t1; G = t0; B = t3; break;
            case 3: R = t1; G = t2; B = t0; break;
            case 4: R = t3; G = t1; B = t0; break;
            default: R = t0; G = t1; B = t2; break;
            }
        }
        o[0] = (uint8_t)sample_from_float_k(R * 255, 255, k);
        o[1] = (uint8_t)sample_from_float_k(G * 255, 255, k);
        o[2] = (uint8_t)sample_from_float_k(B * 255, 255, k);
        for (int c = 3; c < cn; c++) o[c] = p[c];
    }
}
TWO_VERSIONS(void, map_hsv, (const uint8_t *src, uint8_t *dst, size_t n, int cn, const float *ht, const float *st, const float *vt,
                             const int32_t *sdiv, const int32_t *hdiv), (src, dst, n, cn, ht, st, vt, sdiv, hdiv))
#if defined(__x86_64__)
#include <immintrin.h>
/* Eight RGB pixels of map_hsv_impl at once. Returns 0 (writing nothing) when some lane's hue falls outside [0, 6)
 * sectors, which the scalar loop's wrapping handles. */
AVX2_TARGET static inline int map_hsv8(const uint8_t *p, uint8_t *o, const float *ht, const float *st, const float *vt,
                                       const int32_t *sdiv, const int32_t *hdiv, float sectors) {
    __m128i lo = _mm_loadu_si128((const __m128i *)p), hi = _mm_loadl_epi64((const __m128i *)(p + 16));
    const char z = (char)0x80;
    __m128i r8 = _mm_or_si128(_mm_shuffle_epi8(lo, _mm_setr_epi8(0, 3, 6, 9, 12, 15, z, z, z, z, z, z, z, z, z, z)),
                              _mm_shuffle_epi8(hi, _mm_setr_epi8(z, z, z, z, z, z, 2, 5, z, z, z, z, z, z, z, z)));
    __m128i g8 = _mm_or_si128(_mm_shuffle_epi8(lo, _mm_setr_epi8(1, 4, 7, 10, 13, z, z, z, z, z, z, z, z, z, z, z)),
                              _mm_shuffle_epi8(hi, _mm_setr_epi8(z, z, z, z, z, 0, 3, 6, z, z, z, z, z, z, z, z)));
    __m128i b8 = _mm_or_si128(_mm_shuffle_epi8(lo, _mm_setr_epi8(2, 5, 8, 11, 14, z, z, z, z, z, z, z, z, z, z, z)),
                              _mm_shuffle_epi8(hi, _mm_setr_epi8(z, z, z, z, z, 1, 4, 7, z, z, z, z, z, z, z, z)));
    __m256i r = _mm256_cvtepu8_epi32(r8), g = _mm256_cvtepu8_epi32(g8), b = _mm256_cvtepu8_epi32(b8);
    __m256i v = _mm256_max_epi32(_mm256_max_epi32(r, g), b), vmin = _mm256_min_epi32(_mm256_min_epi32(r, g), b);
    __m256i diff = _mm256_sub_epi32(v, vmin);
    const __m256i half = _mm256_set1_epi32(1 << 11);
    __m256i sIdx = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(diff, _mm256_i32gather_epi32(sdiv, v, 4)), half), 12);
    __m256i hR = _mm256_sub_epi32(g, b);
    __m256i hG = _mm256_add_epi32(_mm256_sub_epi32(b, r), _mm256_slli_epi32(diff, 1));
    __m256i hB = _mm256_add_epi32(_mm256_sub_epi32(r, g), _mm256_slli_epi32(diff, 2));
    __m256i isR = _mm256_cmpeq_epi32(v, r), isG = _mm256_cmpeq_epi32(v, g);
    __m256i h = _mm256_blendv_epi8(_mm256_blendv_epi8(hB, hG, isG), hR, isR);
    h = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(h, _mm256_i32gather_epi32(hdiv, diff, 4)), half), 12);
    h = _mm256_add_epi32(h, _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_setzero_si256(), h), _mm256_set1_epi32(180)));
    __m256 hv = _mm256_i32gather_ps(ht, h, 4), sv = _mm256_i32gather_ps(st, sIdx, 4), vv = _mm256_i32gather_ps(vt, v, 4);
    __m256 hh = _mm256_mul_ps(hv, _mm256_set1_ps(sectors));
    const __m256 zero = _mm256_setzero_ps(), six = _mm256_set1_ps(6), one = _mm256_set1_ps(1);
    __m256 inRange = _mm256_and_ps(_mm256_cmp_ps(hh, zero, _CMP_GE_OQ), _mm256_cmp_ps(hh, six, _CMP_LT_OQ));
    if (_mm256_movemask_ps(inRange) != 0xFF) return 0;
    __m256i sector = _mm256_cvttps_epi32(hh);
    hh = _mm256_sub_ps(hh, _mm256_cvtepi32_ps(sector));
    __m256 t0 = vv, t1 = _mm256_mul_ps(vv, _mm256_sub_ps(one, sv)), t2 = _mm256_mul_ps(vv, _mm256_sub_ps(one, _mm256_mul_ps(sv, hh)));
    __m256 t3 = _mm256_mul_ps(vv, _mm256_sub_ps(one, _mm256_mul_ps(sv, _mm256_sub_ps(one, hh))));
#define SEC(k) _mm256_castsi256_ps(_mm256_cmpeq_epi32(sector, _mm256_set1_epi32(k)))
    __m256 s1 = SEC(1), s2 = SEC(2), s3 = SEC(3), s4 = SEC(4), s5 = SEC(5);
#undef SEC
    /* R: 0,5 t0; 1 t2; 2,3 t1; 4 t3.  G: 0 t3; 1,2 t0; 3 t2; 4,5 t1.  B: 0,1 t1; 2 t3; 3,4 t0; 5 t2. */
    __m256 R = _mm256_blendv_ps(_mm256_blendv_ps(_mm256_blendv_ps(t0, t2, s1), t1, _mm256_or_ps(s2, s3)), t3, s4);
    __m256 G = _mm256_blendv_ps(_mm256_blendv_ps(_mm256_blendv_ps(t3, t0, _mm256_or_ps(s1, s2)), t2, s3), t1, _mm256_or_ps(s4, s5));
    __m256 B = _mm256_blendv_ps(_mm256_blendv_ps(_mm256_blendv_ps(t1, t3, s2), t0, _mm256_or_ps(s3, s4)), t2, s5);
    __m256 sZero = _mm256_cmp_ps(sv, zero, _CMP_EQ_OQ);
    R = _mm256_blendv_ps(R, vv, sZero);
    G = _mm256_blendv_ps(G, vv, sZero);
    B = _mm256_blendv_ps(B, vv, sZero);
    const __m256 top = _mm256_set1_ps(255), k = _mm256_set1_ps(12582912.0f);
#define Q(x) _mm256_cvttps_epi32(_mm256_sub_ps(_mm256_add_ps(_mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(x, top), zero), top), k), k))
    __m256i packed = _mm256_or_si256(_mm256_or_si256(Q(R), _mm256_slli_epi32(Q(G), 8)), _mm256_slli_epi32(Q(B), 16));
#undef Q
    uint32_t lanes[8];
    _mm256_storeu_si256((__m256i *)lanes, packed);
    for (int i = 0; i < 7; i++) memcpy(o + 3 * i, &lanes[i], 4);
    memcpy(o + 21, &lanes[7], 3);
    return 1;
}

AVX2_TARGET static void map_hsv_rgb_avx2(const uint8_t *src, uint8_t *dst, size_t n, const float *ht, const float *st,
                                         const float *vt, const int32_t *sdiv, const int32_t *hdiv) {
    const float hueRange = 180;
    const float sectors = 6 / hueRange;
    size_t i = 0;
    /* p + 16 .. p + 23 is read: stop while a full group of eight pixels remains */
    for (; i + 8 <= n; i += 8) {
        if (!map_hsv8(src + 3 * i, dst + 3 * i, ht, st, vt, sdiv, hdiv, sectors)) map_hsv_base(src + 3 * i, dst + 3 * i, 8, 3, ht, st, vt, sdiv, hdiv);
    }
    if (i < n) map_hsv_base(src + 3 * i, dst + 3 * i, n - i, 3, ht, st, vt, sdiv, hdiv);
}
#endif
void ccopia_map_hsv_u8(const uint8_t *src, uint8_t *dst, size_t n, int cn, const float *ht, const float *st, const float *vt,
                       const int32_t *sdiv, const int32_t *hdiv) {
#if defined(__x86_64__)
    if (cn == 3 && use_avx2()) { map_hsv_rgb_avx2(src, dst, n, ht, st, vt, sdiv, hdiv); return; }
#endif
    map_hsv_pick(src, dst, n, cn, ht, st, vt, sdiv, hdiv);
}

/* MARK: - Bilinear warp */

#define COORDINATE_LIMIT 16777216.0f

/* RowSampler.floorIndex: floor and fraction, far outside for |v| >= 2^24 and NaN. */
INLINE void floor_index(float v, int64_t *i, float *frac) {
    if (!(v > -COORDINATE_LIMIT && v < COORDINATE_LIMIT)) {
        *i = v > 0 ? (int64_t)COORDINATE_LIMIT : -(int64_t)COORDINATE_LIMIT;
        *frac = 0;
        return;
    }
    int32_t t = (int32_t)v;
    if ((float)t > v) t -= 1;
    *i = t;
    *frac = v - (float)t;
}

INLINE void bilinear_pixel(const uint8_t *src, int64_t sw, int64_t sh, int cn, float vx, float vy, uint8_t *out,
                           int border, const int32_t *fill, float k) {
    int64_t sx, sy;
    float a, b;
    floor_index(vx, &sx, &a);
    floor_index(vy, &sy, &b);
    float w0 = (1 - a) * (1 - b), w1 = a * (1 - b), w2 = (1 - a) * b, w3 = a * b;
    int64_t rowLength = sw * cn;
    if (sx >= 0 && sx + 1 < sw && sy >= 0 && sy + 1 < sh) {
        const uint8_t *p0 = src + sy * rowLength + sx * cn, *p1 = p0 + rowLength;
        for (int c = 0; c < cn; c++) {
            float v = (float)p0[c] * w0 + (float)p0[cn + c] * w1 + (float)p1[c] * w2 + (float)p1[cn + c] * w3;
            out[c] = (uint8_t)sample_from_float_k(v, 255, k);
        }
    } else if (border == CCOPIA_BORDER_CONSTANT && (sx >= sw || sx + 1 < 0 || sy >= sh || sy + 1 < 0)) {
        for (int c = 0; c < cn; c++) out[c] = (uint8_t)fill[c];
    } else {
        int64_t x0 = border_index(border, sx, sw), x1 = border_index(border, sx + 1, sw);
        int64_t y0 = border_index(border, sy, sh), y1 = border_index(border, sy + 1, sh);
        for (int c = 0; c < cn; c++) {
#define AT(xi, yi) ((float)((xi) < 0 || (yi) < 0 ? fill[c] : (int32_t)src[(yi) * rowLength + (xi) * cn + c]))
            float v = AT(x0, y0) * w0 + AT(x1, y0) * w1 + AT(x0, y1) * w2 + AT(x1, y1) * w3;
#undef AT
            out[c] = (uint8_t)sample_from_float_k(v, 255, k);
        }
    }
}

INLINE void sample_row_impl(const uint8_t *src, int sw, int sh, int cn, const float *xy, size_t n, uint8_t *dst,
                            int border, const int32_t *fill) {
    const float k = rounding_constant();
    if (cn == 3) {
        for (size_t x = 0; x < n; x++) bilinear_pixel(src, sw, sh, 3, xy[2 * x], xy[2 * x + 1], dst + x * 3, border, fill, k);
        return;
    }
    for (size_t x = 0; x < n; x++) bilinear_pixel(src, sw, sh, cn, xy[2 * x], xy[2 * x + 1], dst + x * cn, border, fill, k);
}
TWO_VERSIONS(void, sample_row, (const uint8_t *src, int sw, int sh, int cn, const float *xy, size_t n, uint8_t *dst,
                                int border, const int32_t *fill), (src, sw, sh, cn, xy, n, dst, border, fill))
void ccopia_sample_row_bilinear_u8(const uint8_t *src, int sw, int sh, int cn, const float *xy, size_t n, uint8_t *dst,
                                   int border, const int32_t *fill) {
    sample_row_pick(src, sw, sh, cn, xy, n, dst, border, fill);
}

#if defined(__x86_64__)
#include <immintrin.h>

/* Eight RGB pixels of one output row at once, when all eight read 2x2 blocks inside the image: the same Float
 * coordinates, weights, sums and rounding as bilinear_pixel, lane by lane. Returns 0 (writing nothing) otherwise. */
AVX2_TARGET static inline int bilinear8_rgb(const uint8_t *src, int sw, int sh, __m256 vx, __m256 vy, uint8_t *out) {
    const __m256 limit = _mm256_set1_ps(COORDINATE_LIMIT), nlimit = _mm256_set1_ps(-COORDINATE_LIMIT);
    __m256 ok = _mm256_and_ps(_mm256_and_ps(_mm256_cmp_ps(vx, nlimit, _CMP_GT_OQ), _mm256_cmp_ps(vx, limit, _CMP_LT_OQ)),
                              _mm256_and_ps(_mm256_cmp_ps(vy, nlimit, _CMP_GT_OQ), _mm256_cmp_ps(vy, limit, _CMP_LT_OQ)));
    if (_mm256_movemask_ps(ok) != 0xFF) return 0;
    __m256i tx = _mm256_cvttps_epi32(vx), ty = _mm256_cvttps_epi32(vy);
    __m256 fx = _mm256_cvtepi32_ps(tx), fy = _mm256_cvtepi32_ps(ty);
    /* t -= 1 where float(t) > v: the mask is all ones (-1) there */
    __m256 gx = _mm256_cmp_ps(fx, vx, _CMP_GT_OQ), gy = _mm256_cmp_ps(fy, vy, _CMP_GT_OQ);
    tx = _mm256_add_epi32(tx, _mm256_castps_si256(gx));
    ty = _mm256_add_epi32(ty, _mm256_castps_si256(gy));
    __m256i inside = _mm256_and_si256(
        _mm256_and_si256(_mm256_cmpgt_epi32(tx, _mm256_set1_epi32(-1)), _mm256_cmpgt_epi32(_mm256_set1_epi32(sw - 1), tx)),
        _mm256_and_si256(_mm256_cmpgt_epi32(ty, _mm256_set1_epi32(-1)), _mm256_cmpgt_epi32(_mm256_set1_epi32(sh - 1), ty)));
    if (_mm256_movemask_epi8(inside) != -1) return 0;
    __m256 a = _mm256_sub_ps(vx, _mm256_cvtepi32_ps(tx)), b = _mm256_sub_ps(vy, _mm256_cvtepi32_ps(ty));
    const __m256 one = _mm256_set1_ps(1);
    __m256 ia = _mm256_sub_ps(one, a), ib = _mm256_sub_ps(one, b);
    __m256 w0 = _mm256_mul_ps(ia, ib), w1 = _mm256_mul_ps(a, ib), w2 = _mm256_mul_ps(ia, b), w3 = _mm256_mul_ps(a, b);
    __m256i p0 = _mm256_add_epi32(_mm256_mullo_epi32(ty, _mm256_set1_epi32(sw * 3)), _mm256_mullo_epi32(tx, _mm256_set1_epi32(3)));
    __m256i p1 = _mm256_add_epi32(p0, _mm256_set1_epi32(sw * 3));
    /* Left pixels read bytes 0..3 (R G B x); right pixels at +2 read (x R G B), so no read passes the pixel's end. */
    __m256i q00 = _mm256_i32gather_epi32((const int *)src, p0, 1);
    __m256i q01 = _mm256_srli_epi32(_mm256_i32gather_epi32((const int *)(src + 2), p0, 1), 8);
    __m256i q10 = _mm256_i32gather_epi32((const int *)src, p1, 1);
    __m256i q11 = _mm256_srli_epi32(_mm256_i32gather_epi32((const int *)(src + 2), p1, 1), 8);
    const __m256i mask = _mm256_set1_epi32(0xFF);
    const __m256 zero = _mm256_setzero_ps(), top = _mm256_set1_ps(255), k = _mm256_set1_ps(12582912.0f);
    __m256i packed = _mm256_setzero_si256();
    for (int c = 0; c < 3; c++) {
        __m256 s00 = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(q00, 8 * c), mask));
        __m256 s01 = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(q01, 8 * c), mask));
        __m256 s10 = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(q10, 8 * c), mask));
        __m256 s11 = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(q11, 8 * c), mask));
        __m256 v = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(s00, w0), _mm256_mul_ps(s01, w1)), _mm256_mul_ps(s10, w2)),
                                 _mm256_mul_ps(s11, w3));
        v = _mm256_min_ps(_mm256_max_ps(v, zero), top);
        v = _mm256_sub_ps(_mm256_add_ps(v, k), k);
        packed = _mm256_or_si256(packed, _mm256_slli_epi32(_mm256_cvttps_epi32(v), 8 * c));
    }
    uint32_t lanes[8];
    _mm256_storeu_si256((__m256i *)lanes, packed);
    for (int i = 0; i < 7; i++) memcpy(out + 3 * i, &lanes[i], 4);  /* the 4th byte is overwritten by the next pixel */
    memcpy(out + 21, &lanes[7], 3);
    return 1;
}

AVX2_TARGET static void warp_affine_rgb_avx2(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                                             const float *m, int border, const int32_t *fill) {
    const float k = rounding_constant();
    const float a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5];
    const __m256 va = _mm256_set1_ps(a), vd = _mm256_set1_ps(d), vc = _mm256_set1_ps(c), vf = _mm256_set1_ps(f);
    const __m256 lane = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
    for (int y = 0; y < dh; y++) {
        float Y = (float)y;
        float by = b * Y, ey = e * Y;
        const __m256 vby = _mm256_set1_ps(by), vey = _mm256_set1_ps(ey);
        uint8_t *row = dst + (size_t)y * dw * 3;
        int x = 0;
        for (; x + 8 <= dw; x += 8) {
            __m256 X = _mm256_add_ps(_mm256_set1_ps((float)x), lane);  /* exact: integers below 2^24 */
            __m256 vx = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(va, X), vby), vc);
            __m256 vy = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(vd, X), vey), vf);
            if (bilinear8_rgb(src, sw, sh, vx, vy, row + 3 * x)) continue;
            for (int i = 0; i < 8; i++) {
                float Xs = (float)(x + i);
                bilinear_pixel(src, sw, sh, 3, a * Xs + by + c, d * Xs + ey + f, row + 3 * (x + i), border, fill, k);
            }
        }
        for (; x < dw; x++) {
            float X = (float)x;
            bilinear_pixel(src, sw, sh, 3, a * X + by + c, d * X + ey + f, row + 3 * x, border, fill, k);
        }
    }
}
#endif

INLINE void warp_affine_impl(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                             const float *m, int border, const int32_t *fill) {
    const float k = rounding_constant();
    const float a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5];
    for (int y = 0; y < dh; y++) {
        float Y = (float)y;
        float by = b * Y, ey = e * Y;
        uint8_t *row = dst + (size_t)y * dw * cn;
        if (cn == 3) {
            for (int x = 0; x < dw; x++) {
                float X = (float)x;
                bilinear_pixel(src, sw, sh, 3, a * X + by + c, d * X + ey + f, row + 3 * x, border, fill, k);
            }
        } else {
            for (int x = 0; x < dw; x++) {
                float X = (float)x;
                bilinear_pixel(src, sw, sh, cn, a * X + by + c, d * X + ey + f, row + cn * x, border, fill, k);
            }
        }
    }
}
TWO_VERSIONS(void, warp_affine, (const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                                 const float *m, int border, const int32_t *fill), (src, sw, sh, cn, dst, dw, dh, m, border, fill))
void ccopia_warp_affine_bilinear_u8(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                                    const float *m, int border, const int32_t *fill) {
#if defined(__x86_64__)
    /* Pixel offsets stay below 2^31 in the vector path's int32 lanes. */
    if (cn == 3 && use_avx2() && (int64_t)sw * sh * 3 < ((int64_t)1 << 30)) { warp_affine_rgb_avx2(src, sw, sh, dst, dw, dh, m, border, fill); return; }
#endif
    warp_affine_pick(src, sw, sh, cn, dst, dw, dh, m, border, fill);
}

/* MARK: - Separable correlation */

/* out[i] = sum over taps t (in order) of rows[t][i] * w[t], starting from 0, for i < len. */
/* out[i] = sum over taps t (in order) of rows[t][i] * w[t], starting from 0, for i < len. Four independent
 * accumulators of eight lanes each, so the adds overlap instead of waiting on one another. */
INLINE void weighted_sum(float *out, const float *const *rows, const float *w, int taps, size_t len) {
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        v8f a0 = {0, 0, 0, 0, 0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0;
        for (int t = 0; t < taps; t++) {
            const float *r = rows[t] + i;
            float wt = w[t];
            v8f x0, x1, x2, x3;
            memcpy(&x0, r, sizeof x0);
            memcpy(&x1, r + 8, sizeof x1);
            memcpy(&x2, r + 16, sizeof x2);
            memcpy(&x3, r + 24, sizeof x3);
            a0 = a0 + x0 * wt;
            a1 = a1 + x1 * wt;
            a2 = a2 + x2 * wt;
            a3 = a3 + x3 * wt;
        }
        memcpy(out + i, &a0, sizeof a0);
        memcpy(out + i + 8, &a1, sizeof a1);
        memcpy(out + i + 16, &a2, sizeof a2);
        memcpy(out + i + 24, &a3, sizeof a3);
    }
    for (; i + 8 <= len; i += 8) {
        v8f acc = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int t = 0; t < taps; t++) {
            v8f x;
            memcpy(&x, rows[t] + i, sizeof x);
            acc = acc + x * w[t];
        }
        memcpy(out + i, &acc, sizeof acc);
    }
    for (; i < len; i++) {
        float acc = 0;
        for (int t = 0; t < taps; t++) acc = acc + rows[t][i] * w[t];
        out[i] = acc;
    }
}

INLINE int separable_impl(const uint8_t *src, uint8_t *dst, int w, int h, int cn, int colors,
                          const float *kx, int nkx, const int32_t *xs, const float *ky, int nky, const int32_t *ys) {
    int npad = w + 2 * (nkx / 2);
    size_t rowLength = (size_t)w * cn, padLength = (size_t)npad * cn;
    float *rows = malloc(sizeof(float) * ((size_t)h * rowLength + padLength + rowLength));
    const float **taps = malloc(sizeof(float *) * (size_t)(nkx + nky));
    float *tw = malloc(sizeof(float) * (size_t)(nkx + nky));
    if (!rows || !taps || !tw) { free(rows); free(taps); free(tw); return -1; }
    float *pad = rows + (size_t)h * rowLength, *orow = pad + padLength;
    const float k = rounding_constant(), m = 255;
    for (int y = 0; y < h; y++) {
        const uint8_t *s = src + (size_t)y * rowLength;
        /* Inside the row xs is the identity (a contiguous conversion the compiler vectorises); only the margins
         * go through the border indices. */
        int rx = nkx / 2;
        for (int i = 0; i < rx; i++) for (int c = 0; c < cn; c++) pad[(size_t)i * cn + c] = (float)s[(size_t)xs[i] * cn + c];
        float *inner = pad + (size_t)rx * cn;
        for (size_t j = 0; j < rowLength; j++) inner[j] = (float)s[j];
        for (int i = rx + w; i < npad; i++) for (int c = 0; c < cn; c++) pad[(size_t)i * cn + c] = (float)s[(size_t)xs[i] * cn + c];
        int nt = 0;
        for (int t = 0; t < nkx; t++) if (kx[t] != 0) { taps[nt] = pad + (size_t)t * cn; tw[nt] = kx[t]; nt++; }
        weighted_sum(rows + (size_t)y * rowLength, taps, tw, nt, rowLength);
    }
    for (int y = 0; y < h; y++) {
        int nt = 0;
        for (int t = 0; t < nky; t++) if (ky[t] != 0) { taps[nt] = rows + (size_t)ys[y + t] * rowLength; tw[nt] = ky[t]; nt++; }
        weighted_sum(orow, taps, tw, nt, rowLength);
        uint8_t *d = dst + (size_t)y * rowLength;
        if (colors == cn) {
            for (size_t i = 0; i < rowLength; i++) d[i] = (uint8_t)sample_from_float_k(orow[i], m, k);
        } else {
            for (size_t i = 0; i < rowLength; i += cn) for (int c = 0; c < colors; c++) d[i + c] = (uint8_t)sample_from_float_k(orow[i + c], m, k);
        }
    }
    free(rows); free(taps); free(tw);
    return 0;
}
TWO_VERSIONS(int, separable, (const uint8_t *src, uint8_t *dst, int w, int h, int cn, int colors, const float *kx, int nkx,
                              const int32_t *xs, const float *ky, int nky, const int32_t *ys),
             (src, dst, w, h, cn, colors, kx, nkx, xs, ky, nky, ys))
int ccopia_separable_u8(const uint8_t *src, uint8_t *dst, int w, int h, int cn, int colors,
                        const float *kx, int nkx, const int32_t *xs, const float *ky, int nky, const int32_t *ys) {
    return separable_pick(src, dst, w, h, cn, colors, kx, nkx, xs, ky, nky, ys);
}

/* MARK: - Gaussian noise */

/* CounterRandom.philox: Philox4x32-10. */
INLINE void philox(uint64_t counter, uint64_t stream, uint64_t key, uint64_t *o0, uint64_t *o1) {
    uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = (uint32_t)stream, c3 = (uint32_t)(stream >> 32);
    uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        uint64_t p0 = 0xD2511F53ull * c0, p1 = 0xCD9E8D57ull * c2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0, hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    }
    *o0 = (uint64_t)c0 | (uint64_t)c1 << 32;
    *o1 = (uint64_t)c2 | (uint64_t)c3 << 32;
}

INLINE void normal_pair(uint64_t bits, float twoPi, float *za, float *zb) {
    float u1 = ((float)((uint32_t)bits >> 8) + 1) * 0x1p-24f;
    float u2 = (float)((uint32_t)(bits >> 32) >> 8) * 0x1p-24f;
    float r = sqrtf(-2 * logf(u1)), t = twoPi * u2;
    *za = r * cosf(t);
    *zb = r * sinf(t);
}

static void normals_libm(float *z, size_t count, uint64_t key, uint64_t stream, uint64_t counter, float twoPi) {
    size_t pairs = (count + 1) / 2, j = 0;
    for (; j + 2 <= pairs; j += 2) {
        uint64_t b0, b1;
        philox(counter++, stream, key, &b0, &b1);
        normal_pair(b0, twoPi, z + 2 * j, z + 2 * j + 1);
        normal_pair(b1, twoPi, z + 2 * j + 2, z + 2 * j + 3);
    }
    if (j < pairs) {
        uint64_t b0, b1;
        philox(counter, stream, key, &b0, &b1);
        normal_pair(b0, twoPi, z + 2 * j, z + 2 * j + 1);
    }
}

#if defined(__x86_64__) && defined(__linux__)
/* glibc's logf, sinf and cosf as its x86-64 FMA variants (__logf_fma, __sinf_fma, __cosf_fma, which glibc selects on
 * processors with AVX2 and FMA) compute them: the same tables, polynomials, reductions and fused operations, four
 * lanes at a time, for the arguments Box-Muller gives them (u1 in (0, 1], t in [0, 2 pi)). Checked against libm for
 * every one of those arguments (2^24 each) and, at first use, on a sample; any difference falls back to libm. */
static const double logf_tab[16][2] = {
    {0x1.661ec79f8f3bep+0, -0x1.57bf7808caadep-2}, {0x1.571ed4aaf883dp+0, -0x1.2bef0a7c06ddbp-2},
    {0x1.49539f0f010b0p+0, -0x1.01eae7f513a67p-2}, {0x1.3c995b0b80385p+0, -0x1.b31d8a68224e9p-3},
    {0x1.30d190c8864a5p+0, -0x1.6574f0ac07758p-3}, {0x1.25e227b0b8ea0p+0, -0x1.1aa2bc79c8100p-3},
    {0x1.1bb4a4a1a343fp+0, -0x1.a4e76ce8c0e5ep-4}, {0x1.12358f08ae5bap+0, -0x1.1973c5a611cccp-4},
    {0x1.0953f419900a7p+0, -0x1.252f438e10c1ep-5}, {0x1.0000000000000p+0, 0x0.0p+0},
    {0x1.e608cfd9a47acp-1, 0x1.aa5aa5df25984p-5}, {0x1.ca4b31f026aa0p-1, 0x1.c5e53aa362eb4p-4},
    {0x1.b2036576afce6p-1, 0x1.526e57720db08p-3}, {0x1.9c2d163a1aa2dp-1, 0x1.bc2860d224770p-3},
    {0x1.886e6037841edp-1, 0x1.1058bc8a07ee1p-2}, {0x1.767dcf5534862p-1, 0x1.4043057b6ee09p-2}};
static const double logf_ln2 = 0x1.62e42fefa39efp-1;
static const double logf_a0 = -0x1.00ea348b88334p-2, logf_a1 = 0x1.5575b0be00b6ap-2, logf_a2 = -0x1.ffffef20a4123p-2;
/* __sincosf_table[0] and [1]: signs, 2/pi * 2^24, pi/2, then c0 c1 s1 c2 s2 c3 s3 c4 as glibc lays them out. */
static const double sincos_tab[2][14] = {
    {1, -1, -1, 1, 0x1.45f306dc9c883p+23, 0x1.921fb54442d18p+0, 0x1.0000000000000p+0, -0x1.ffffffd0c621cp-2,
     -0x1.555545995a603p-3, 0x1.55553e1068f19p-5, 0x1.1107605230bc4p-7, -0x1.6c087e89a359dp-10, -0x1.994eb3774cf24p-13,
     0x1.99343027bf8c3p-16},
    {1, -1, -1, 1, 0x1.45f306dc9c883p+23, 0x1.921fb54442d18p+0, -0x1.0000000000000p+0, 0x1.ffffffd0c621cp-2,
     -0x1.555545995a603p-3, -0x1.55553e1068f19p-5, 0x1.1107605230bc4p-7, 0x1.6c087e89a359dp-10, -0x1.994eb3774cf24p-13,
     -0x1.99343027bf8c3p-16}};

AVX2_TARGET static inline __m128 logf4(__m128 x) {
    __m128i ix = _mm_castps_si128(x);
    __m128i tmp = _mm_sub_epi32(ix, _mm_set1_epi32(0x3f330000));
    __m128i i = _mm_and_si128(_mm_srli_epi32(tmp, 19), _mm_set1_epi32(15));
    __m128i k = _mm_srai_epi32(tmp, 23);
    __m128i iz = _mm_sub_epi32(ix, _mm_and_si128(tmp, _mm_set1_epi32((int)0xff800000u)));
    __m256d z = _mm256_cvtps_pd(_mm_castsi128_ps(iz));
    __m128i i2 = _mm_slli_epi32(i, 1);
    __m256d invc = _mm256_i32gather_pd(&logf_tab[0][0], i2, 8);
    __m256d logc = _mm256_i32gather_pd(&logf_tab[0][1], i2, 8);
    __m256d r = _mm256_fmadd_pd(z, invc, _mm256_set1_pd(-1.0));
    __m256d y0 = _mm256_fmadd_pd(_mm256_cvtepi32_pd(k), _mm256_set1_pd(logf_ln2), logc);
    __m256d y = _mm256_fmadd_pd(r, _mm256_set1_pd(logf_a1), _mm256_set1_pd(logf_a2));
    __m256d r2 = _mm256_mul_pd(r, r);
    __m256d ry0 = _mm256_add_pd(r, y0);
    y = _mm256_fmadd_pd(r2, _mm256_set1_pd(logf_a0), y);
    y = _mm256_fmadd_pd(r2, y, ry0);
    __m128 out = _mm256_cvtpd_ps(y);
    __m128 one = _mm_cmpeq_ps(x, _mm_set1_ps(1.0f));  /* logf(1) is exactly 0 */
    return _mm_andnot_ps(one, out);
}

/* glibc's sinf_poly for an even quadrant (the sine polynomial; its coefficients are the same in both tables). */
AVX2_TARGET static inline __m256d sin_poly(__m256d xs, __m256d x2) {
    const double *p = sincos_tab[0];
    __m256d a = _mm256_fmadd_pd(x2, _mm256_set1_pd(p[12]), _mm256_set1_pd(p[10]));
    __m256d x3 = _mm256_mul_pd(x2, xs);
    __m256d x5 = _mm256_mul_pd(x2, x3);
    __m256d b = _mm256_fmadd_pd(x3, _mm256_set1_pd(p[8]), xs);
    return _mm256_fmadd_pd(a, x5, b);
}

/* The cosine polynomial with table 0. Table 1 negates every cosine coefficient, and negating the inputs of each
 * fused operation negates its exactly rounded result, so table 1's value is this one negated. */
AVX2_TARGET static inline __m256d cos_poly(__m256d x2) {
    const double *p = sincos_tab[0];
    __m256d x4 = _mm256_mul_pd(x2, x2);
    __m256d c = _mm256_fmadd_pd(x2, _mm256_set1_pd(p[7]), _mm256_set1_pd(p[6]));
    __m256d d = _mm256_fmadd_pd(x2, _mm256_set1_pd(p[13]), _mm256_set1_pd(p[11]));
    __m256d x6 = _mm256_mul_pd(x2, x4);
    __m256d e = _mm256_fmadd_pd(x4, _mm256_set1_pd(p[9]), c);
    return _mm256_fmadd_pd(d, x6, e);
}

/* sinf and cosf of four floats with |t| < 120 (glibc's fast-reduction range). Below pi/4 glibc evaluates the same
 * polynomials on the unreduced argument with table 0, which is the reduced path with n = 0. */
AVX2_TARGET static inline void sincosf4(__m128 t, __m128 *sinOut, __m128 *cosOut) {
    __m256d x = _mm256_cvtps_pd(t);
    __m128i top = _mm_and_si128(_mm_srli_epi32(_mm_castps_si128(t), 20), _mm_set1_epi32(0x7ff));
    __m128i tiny = _mm_cmpgt_epi32(_mm_set1_epi32(0x398), top);   /* top <= 0x397 */
    __m128i small = _mm_cmpgt_epi32(_mm_set1_epi32(0x3f4), top);  /* top <= 0x3f3 */
    __m128i n = _mm256_cvttpd_epi32(_mm256_mul_pd(x, _mm256_set1_pd(sincos_tab[0][4])));
    n = _mm_srai_epi32(_mm_add_epi32(n, _mm_set1_epi32(0x800000)), 24);
    n = _mm_andnot_si128(small, n);
    __m256d nd = _mm256_cvtepi32_pd(n);
    __m256d reduced = _mm256_fnmadd_pd(nd, _mm256_set1_pd(sincos_tab[0][5]), x);
    __m256d smallMask = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(small));
    __m256d xr = _mm256_blendv_pd(reduced, x, smallMask);
    __m256d x2 = _mm256_mul_pd(xr, xr);
    __m256i n64 = _mm256_cvtepi32_epi64(n);
    __m256d odd = _mm256_castsi256_pd(_mm256_cmpeq_epi64(_mm256_and_si256(n64, _mm256_set1_epi64x(1)), _mm256_set1_epi64x(1)));
    /* sign[n & 3] is -1 for n & 3 in {1, 2} (bit 0 xor bit 1); table 1 (n & 2) negates the cosine polynomial */
    __m256i flip = _mm256_slli_epi64(_mm256_xor_si256(n64, _mm256_srli_epi64(n64, 1)), 63);
    __m256i cosFlip = _mm256_slli_epi64(_mm256_srli_epi64(n64, 1), 63);
    __m256d xs = _mm256_mul_pd(xr, _mm256_castsi256_pd(_mm256_or_si256(flip, _mm256_castpd_si256(_mm256_set1_pd(1.0)))));
    __m256d sp = sin_poly(xs, x2);
    __m256d cp = _mm256_xor_pd(cos_poly(x2), _mm256_castsi256_pd(cosFlip));
    __m256d sinR = _mm256_blendv_pd(sp, cp, odd), cosR = _mm256_blendv_pd(cp, sp, odd);
    __m128 sinF = _mm256_cvtpd_ps(sinR), cosF = _mm256_cvtpd_ps(cosR);
    *sinOut = _mm_blendv_ps(sinF, t, _mm_castsi128_ps(tiny));
    *cosOut = _mm_blendv_ps(cosF, _mm_set1_ps(1.0f), _mm_castsi128_ps(tiny));
}

/* Four normal pairs from four 64-bit draws, exactly as normal_pair. */
AVX2_TARGET static inline void normal_pairs4(__m256i b, float twoPi, float *z) {
    /* low and high 32-bit halves of each draw */
    __m256i lohi = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
    __m128i lo = _mm256_castsi256_si128(lohi), hi = _mm256_extracti128_si256(lohi, 1);
    __m128 u1 = _mm_mul_ps(_mm_add_ps(_mm_cvtepi32_ps(_mm_srli_epi32(lo, 8)), _mm_set1_ps(1)), _mm_set1_ps(0x1p-24f));
    __m128 u2 = _mm_mul_ps(_mm_cvtepi32_ps(_mm_srli_epi32(hi, 8)), _mm_set1_ps(0x1p-24f));
    __m128 r = _mm_sqrt_ps(_mm_mul_ps(_mm_set1_ps(-2), logf4(u1)));
    __m128 t = _mm_mul_ps(_mm_set1_ps(twoPi), u2);
    __m128 sn, cs;
    sincosf4(t, &sn, &cs);
    __m128 a = _mm_mul_ps(r, cs), bb = _mm_mul_ps(r, sn);
    _mm_storeu_ps(z, _mm_unpacklo_ps(a, bb));
    _mm_storeu_ps(z + 4, _mm_unpackhi_ps(a, bb));
}

/* Philox4x32-10 of blocks counter .. counter + 3 at once; out[0] holds the draws of blocks 0 and 1 in the order
 * next() returns them, out[1] those of blocks 2 and 3. */
AVX2_TARGET static inline void philox4(uint64_t counter, uint64_t stream, uint64_t key, __m256i out[2]) {
    const __m256i low = _mm256_set1_epi64x(0xFFFFFFFF);
    __m256i ctr = _mm256_add_epi64(_mm256_set1_epi64x((long long)counter), _mm256_setr_epi64x(0, 1, 2, 3));
    __m256i c0 = _mm256_and_si256(ctr, low), c1 = _mm256_srli_epi64(ctr, 32);
    __m256i c2 = _mm256_set1_epi64x((uint32_t)stream), c3 = _mm256_set1_epi64x((uint32_t)(stream >> 32));
    const __m256i m0 = _mm256_set1_epi64x(0xD2511F53), m1 = _mm256_set1_epi64x(0xCD9E8D57);
    uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        __m256i p0 = _mm256_mul_epu32(m0, c0), p1 = _mm256_mul_epu32(m1, c2);
        __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1), _mm256_set1_epi64x(k0));
        __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3), _mm256_set1_epi64x(k1));
        c1 = _mm256_and_si256(p1, low);
        c3 = _mm256_and_si256(p0, low);
        c0 = n0;
        c2 = n2;
    }
    __m256i v0 = _mm256_or_si256(c0, _mm256_slli_epi64(c1, 32)), v1 = _mm256_or_si256(c2, _mm256_slli_epi64(c3, 32));
    __m256i lo = _mm256_unpacklo_epi64(v0, v1), hi = _mm256_unpackhi_epi64(v0, v1);
    out[0] = _mm256_permute2x128_si256(lo, hi, 0x20);
    out[1] = _mm256_permute2x128_si256(lo, hi, 0x31);
}

AVX2_TARGET static void normals_avx2(float *z, size_t count, uint64_t key, uint64_t stream, uint64_t counter, float twoPi) {
    size_t pairs = (count + 1) / 2, j = 0;
    for (; j + 8 <= pairs; j += 8) {
        __m256i b[2];
        philox4(counter, stream, key, b);
        counter += 4;
        normal_pairs4(b[0], twoPi, z + 2 * j);
        normal_pairs4(b[1], twoPi, z + 2 * j + 8);
    }
    for (size_t jj = j; jj < pairs; jj++) {  /* pair jj takes half jj % 2 of block jj / 2 */
        uint64_t b0, b1;
        philox(counter + (jj - j) / 2, stream, key, &b0, &b1);
        normal_pair(jj % 2 == 0 ? b0 : b1, twoPi, z + 2 * jj, z + 2 * jj + 1);
    }
}

AVX2_TARGET static int vector_math4(const float *u, const float *t, float *logOut, float *sinOut, float *cosOut) {
    __m128 sn, cs;
    _mm_storeu_ps(logOut, logf4(_mm_loadu_ps(u)));
    sincosf4(_mm_loadu_ps(t), &sn, &cs);
    _mm_storeu_ps(sinOut, sn);
    _mm_storeu_ps(cosOut, cs);
    return 1;
}

/* 1 when the vector functions give libm's bits on a sample of arguments (each function over its whole range). */
int ccopia_pixels_vector_math(const float *u, const float *t, float *logOut, float *sinOut, float *cosOut);
static int vector_math_matches_libm(void) {
    for (uint32_t m = 0; m < (1u << 24); m += 4093 * 4) {
        float u[4], t[4], lv[4], sv[4], cv[4];
        for (int l = 0; l < 4; l++) {
            uint32_t v = m + (uint32_t)l * 4093;
            if (v >= (1u << 24)) v = (1u << 24) - 1 - (uint32_t)l;
            u[l] = ((float)v + 1) * 0x1p-24f;
            t[l] = (2 * 3.14159250259399f) * ((float)v * 0x1p-24f);
        }
        if (!ccopia_pixels_vector_math(u, t, lv, sv, cv)) return 0;
        for (int l = 0; l < 4; l++) {
            float a = logf(u[l]), b = sinf(t[l]), c = cosf(t[l]);
            if (memcmp(&a, &lv[l], 4) || memcmp(&b, &sv[l], 4) || memcmp(&c, &cv[l], 4)) return 0;
        }
    }
    return 1;
}

int ccopia_pixels_vector_math(const float *u, const float *t, float *logOut, float *sinOut, float *cosOut) {
    if (!use_avx2()) return 0;
    return vector_math4(u, t, logOut, sinOut, cosOut);
}
#endif

#if !(defined(__x86_64__) && defined(__linux__))
int ccopia_pixels_vector_math(const float *u, const float *t, float *logOut, float *sinOut, float *cosOut) {
    (void)u; (void)t; (void)logOut; (void)sinOut; (void)cosOut;
    return 0;
}
#endif

void ccopia_normals(float *z, size_t count, uint64_t key, uint64_t stream, uint64_t counter, float twoPi) {
#if defined(__x86_64__) && defined(__linux__)
    static int vectorOK = -1;
    int ok = __atomic_load_n(&vectorOK, __ATOMIC_RELAXED);
    if (ok < 0) { ok = use_avx2() && vector_math_matches_libm(); __atomic_store_n(&vectorOK, ok, __ATOMIC_RELAXED); }
    if (ok) { normals_avx2(z, count, key, stream, counter, twoPi); return; }
#endif
    normals_libm(z, count, key, stream, counter, twoPi);
}

INLINE void add_noise_impl(uint8_t *d, const float *z, size_t count, float mu, float sd) {
    const float k = rounding_constant();
    for (size_t i = 0; i < count; i++) d[i] = (uint8_t)sample_from_float_k((float)d[i] + mu + sd * z[i], 255, k);
}
TWO_VERSIONS(void, add_noise, (uint8_t *d, const float *z, size_t count, float mu, float sd), (d, z, count, mu, sd))
void ccopia_add_noise_u8(uint8_t *d, const float *z, size_t count, float mu, float sd) { add_noise_pick(d, z, count, mu, sd); }

/* MARK: - Bilinear resize (OpenCV's fixed point) */

INLINE int resize_linear_impl(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                              const int32_t *xi, const int32_t *xw, const int32_t *yi, const int32_t *yw) {
    (void)sh;  /* yi holds only rows below sh */
    size_t rowOut = (size_t)dw * cn, rowIn = (size_t)sw * cn;
    int32_t *tmp = malloc(sizeof(int32_t) * rowOut * 2);
    if (!tmp) return -1;
    int32_t *buf[2] = {tmp, tmp + rowOut};
    int tag[2] = {-1, -1};  /* the source row each buffer holds */
    for (int y = 0; y < dh; y++) {
        int want[2] = {yi[2 * y], yi[2 * y + 1]};
        for (int j = 0; j < 2; j++) {
            if (tag[0] == want[j] || tag[1] == want[j]) continue;
            int slot = tag[0] != want[0] && tag[0] != want[1] ? 0 : 1;
            tag[slot] = want[j];
            int32_t *t = buf[slot];
            const uint8_t *row = src + (size_t)want[j] * rowIn;
            if (cn == 3) {
                for (int x = 0; x < dw; x++) {
                    int32_t i0 = xi[2 * x], i1 = xi[2 * x + 1], w0 = xw[2 * x], w1 = xw[2 * x + 1];
                    t[3 * x] = row[i0] * w0 + row[i1] * w1;
                    t[3 * x + 1] = row[i0 + 1] * w0 + row[i1 + 1] * w1;
                    t[3 * x + 2] = row[i0 + 2] * w0 + row[i1 + 2] * w1;
                }
            } else {
                for (int x = 0; x < dw; x++) {
                    int32_t i0 = xi[2 * x], i1 = xi[2 * x + 1], w0 = xw[2 * x], w1 = xw[2 * x + 1];
                    for (int c = 0; c < cn; c++) t[(size_t)x * cn + c] = row[i0 + c] * w0 + row[i1 + c] * w1;
                }
            }
        }
        const int32_t *a = tag[0] == want[0] ? buf[0] : buf[1], *b = tag[0] == want[1] ? buf[0] : buf[1];
        int32_t b0 = yw[2 * y], b1 = yw[2 * y + 1];
        uint8_t *out = dst + (size_t)y * rowOut;
        for (size_t i = 0; i < rowOut; i++) {
            int32_t v = (((b0 * (a[i] >> 4)) >> 16) + ((b1 * (b[i] >> 4)) >> 16) + 2) >> 2;
            v = v < 0 ? 0 : v;
            v = v > 255 ? 255 : v;
            out[i] = (uint8_t)v;
        }
    }
    free(tmp);
    return 0;
}
TWO_VERSIONS(int, resize_linear, (const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                                  const int32_t *xi, const int32_t *xw, const int32_t *yi, const int32_t *yw),
             (src, sw, sh, cn, dst, dw, dh, xi, xw, yi, yw))
int ccopia_resize_linear_u8(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                            const int32_t *xi, const int32_t *xw, const int32_t *yi, const int32_t *yw) {
    return resize_linear_pick(src, sw, sh, cn, dst, dw, dh, xi, xw, yi, yw);
}
