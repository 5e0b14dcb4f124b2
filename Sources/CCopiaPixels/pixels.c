/* Hot pixel loops of CopiaImage's kernels.
 *
 * Each kernel is written once as a static inline function and compiled twice: for AVX2/FMA (selected at run time
 * with ccopia_pixels_has_avx2) and for the baseline target, so the package needs no unsafe compiler flags and runs on
 * older x86 and on ARM. Floating-point contraction is off: the compiler may vectorise but never fuse a multiply and an
 * add, so every result is bit-identical to the Swift code these loops replace (same operations, same order, same
 * rounding) on every path. */
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "dispatch.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

int ccopia_pixels_has_avx2(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

static int forced_baseline = 0;

void ccopia_pixels_force_baseline(int on) { __atomic_store_n(&forced_baseline, on != 0, __ATOMIC_RELAXED); }

/* COPIA_PIXELS=baseline or avx2 caps the kernel builds for the whole process (read once), for benchmarks that compare
 * them; the bytes are the same whichever runs. */
static int environment_cap(void) {
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        const char *e = getenv("COPIA_PIXELS");
        v = e && strcmp(e, "baseline") == 0 ? 1 : (e && strcmp(e, "avx2") == 0 ? 2 : 0);
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

int ccopia_pixels_use_avx2(void) {
    static int cached = -1;
    if (__atomic_load_n(&forced_baseline, __ATOMIC_RELAXED) || environment_cap() == 1) return 0;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) { v = ccopia_pixels_has_avx2(); __atomic_store_n(&cached, v, __ATOMIC_RELAXED); }
    return v;
}

static int forced_avx2 = 0;

void ccopia_pixels_force_avx2(int on) { __atomic_store_n(&forced_avx2, on != 0, __ATOMIC_RELAXED); }

int ccopia_pixels_use_avx512(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    static int cached = -1;
    if (!ccopia_pixels_use_avx2() || __atomic_load_n(&forced_avx2, __ATOMIC_RELAXED) || environment_cap() == 2) return 0;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512bw");
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
#else
    return 0;
#endif
}

/* A per-thread scratch buffer that only grows, for the kernels' large temporaries (a blur's float rows are 0.6-0.8 MB
 * at 256x256). malloc serves blocks that size with fresh pages (mmap, or a heap top it trims again on free), so each
 * call paid the page faults of its temporaries. One kernel uses it at a time on a thread; it is freed when the thread
 * ends. NULL when memory runs out. */
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
typedef struct { size_t size; } scratch_header;
static void scratch_free(void *p) { free(p); }
static void scratch_init(void) { pthread_key_create(&scratch_key, scratch_free); }
static void *scratch(size_t bytes) {
    pthread_once(&scratch_once, scratch_init);
    scratch_header *h = pthread_getspecific(scratch_key);
    if (!h || h->size < bytes) {
        free(h);
        /* The header, then the buffer at a 64-byte offset: 64-byte aligned, so whole-vector rows never straddle
         * two cache lines (a split load costs two). */
        if (posix_memalign((void **)&h, 64, 64 + bytes) != 0) h = NULL;
        pthread_setspecific(scratch_key, h);
        if (!h) return NULL;
        h->size = bytes;
    }
    return (char *)h + 64;
}

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
#if defined(__x86_64__)
#include <immintrin.h>
#define VBMI_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vbmi,avx2,fma")))

/* 1 when lut_bytes_vbmi may run: the AVX-512 builds run (see ccopia_pixels_use_avx512) and the processor has VBMI. */
static int use_vbmi(void) {
    static int cached = -1;
    if (!ccopia_pixels_use_avx512()) return 0;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("avx512vbmi");
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

/* dst[i] = table[src[i]] for i < len (dst may be src), 64 bytes at a time: a 256-byte table is four registers, and
 * each byte is looked up in both halves with VBMI's two-register byte permute (its low seven bits), then the half its
 * top bit names is kept. About four instructions per 64 bytes, where gathers cost a cycle or more per byte. */
VBMI_TARGET static void lut_bytes_vbmi(const uint8_t *src, uint8_t *dst, size_t len, const uint8_t *table) {
    const __m512i t0 = _mm512_loadu_si512(table), t1 = _mm512_loadu_si512(table + 64);
    const __m512i t2 = _mm512_loadu_si512(table + 128), t3 = _mm512_loadu_si512(table + 192);
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        __m512i x = _mm512_loadu_si512(src + i);
        __m512i low = _mm512_permutex2var_epi8(t0, x, t1), high = _mm512_permutex2var_epi8(t2, x, t3);
        _mm512_storeu_si512(dst + i, _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), low, high));
    }
    if (i < len) {
        __mmask64 m = (__mmask64)(((uint64_t)1 << (len - i)) - 1);
        __m512i x = _mm512_maskz_loadu_epi8(m, src + i);
        __m512i low = _mm512_permutex2var_epi8(t0, x, t1), high = _mm512_permutex2var_epi8(t2, x, t3);
        _mm512_mask_storeu_epi8(dst + i, m, _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), low, high));
    }
}

/* Sixteen RGB pixels (48 bytes at p) as three vectors of 32-bit lanes, with one byte permute per channel. */
VBMI_TARGET static inline __attribute__((always_inline)) void load_rgb16(const uint8_t *p, __m512i *r, __m512i *g, __m512i *b) {
    const __mmask64 firstOfFour = 0x1111111111111111ull;
    __m512i x = _mm512_maskz_loadu_epi8((__mmask64)((1ull << 48) - 1), p);
    __m512i idx = _mm512_setr_epi32(0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45);  /* byte 4i names 3i */
    *r = _mm512_maskz_permutexvar_epi8(firstOfFour, idx, x);
    *g = _mm512_maskz_permutexvar_epi8(firstOfFour, _mm512_add_epi32(idx, _mm512_set1_epi32(1)), x);
    *b = _mm512_maskz_permutexvar_epi8(firstOfFour, _mm512_add_epi32(idx, _mm512_set1_epi32(2)), x);
}

/* The three low bytes of sixteen 32-bit lanes (R | G << 8 | B << 16), packed into 48 bytes at o, by a 32-byte and a
 * 16-byte store. Not one masked 64-byte store: its address range covers the next 16 bytes too, so an in-place pass's
 * next load_rgb16 (48 bytes from o + 48) waited for the store to reach the cache instead of proceeding (store
 * forwarding does not cover masked stores); that wait was a quarter of the saturation and hue passes' time. */
VBMI_TARGET static inline __attribute__((always_inline)) void store_rgb16(uint8_t *o, __m512i packed) {
    const __m512i idx = _mm512_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                        62, 61, 60, 58, 57, 56, 54, 53, 52, 50, 49, 48, 46, 45, 44, 42,
                                        41, 40, 38, 37, 36, 34, 33, 32, 30, 29, 28, 26, 25, 24, 22, 21,
                                        20, 18, 17, 16, 14, 13, 12, 10, 9, 8, 6, 5, 4, 2, 1, 0);
    __m512i bytes = _mm512_permutexvar_epi8(idx, packed);
    _mm256_storeu_si256((__m256i *)o, _mm512_castsi512_si256(bytes));
    _mm_storeu_si128((__m128i *)(o + 32), _mm512_extracti32x4_epi32(bytes, 2));
}
#endif

/* Applies one table to every byte of n pixels of 3 channels ahead of a kernel that would otherwise look each sample up
 * itself, when that is the fast way here (VBMI). Returns 1 when it did (the kernel then runs without the table). */
static int lut_ahead(const uint8_t *src, uint8_t *dst, size_t n, int cn, const uint8_t *lut) {
#if defined(__x86_64__)
    if (lut && cn == 3 && use_vbmi()) {
        lut_bytes_vbmi(src, dst, 3 * n, lut);
        return 1;
    }
#endif
    (void)src; (void)dst; (void)n; (void)cn; (void)lut;
    return 0;
}

void ccopia_lut_u8(const uint8_t *src, uint8_t *dst, size_t n, int cn, int colors, const uint8_t *tables, int ntables) {
#if defined(__x86_64__)
    if (ntables == 1 && colors == cn && use_vbmi()) { lut_bytes_vbmi(src, dst, n * (size_t)cn, tables); return; }
#endif
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

/* Sum of the luma of every pixel after `lut` (NULL: none) on its colour channels; the sample itself when cn < 3. */
INLINE int64_t gray_sum_impl(const uint8_t *src, size_t n, int cn, const uint8_t *lut) {
    int64_t total = 0;
    if (cn < 3) {
        for (size_t i = 0; i < n; i++) total += lut ? lut[src[i * cn]] : src[i * cn];
        return total;
    }
    if (lut) {
        for (size_t i = 0; i < n; i++) total += luma(lut[src[i * cn]], lut[src[i * cn + 1]], lut[src[i * cn + 2]]);
    } else {
        for (size_t i = 0; i < n; i++) total += luma(src[i * cn], src[i * cn + 1], src[i * cn + 2]);
    }
    return total;
}
TWO_VERSIONS(int64_t, gray_sum, (const uint8_t *src, size_t n, int cn, const uint8_t *lut), (src, n, cn, lut))
#if defined(__x86_64__)
#include <immintrin.h>
AVX2_TARGET static inline void load_rgb8(const uint8_t *p, __m256i *r, __m256i *g, __m256i *b);

/* gray_sum_impl for RGB, eight pixels at a time (lut gathered from a padded copy); luma is below 2^8, so the 32-bit
 * lane sums are flushed to 64 bits every 2^20 groups. Integer arithmetic: the same sum. */
AVX2_TARGET static int64_t gray_sum_rgb_avx2(const uint8_t *src, size_t n, const uint8_t *lut) {
    uint8_t padded[256 + 4] = {0};
    if (lut) memcpy(padded, lut, 256);
    const __m256i mask = _mm256_set1_epi32(0xFF);
    int64_t total = 0;
    size_t i = 0;
    while (i + 8 <= n) {
        __m256i acc = _mm256_setzero_si256();
        for (size_t groups = 0; groups < (1u << 20) && i + 8 <= n; groups++, i += 8) {
            __m256i r, g, b;
            load_rgb8(src + 3 * i, &r, &g, &b);
            if (lut) {
                r = _mm256_and_si256(_mm256_i32gather_epi32((const int *)padded, r, 1), mask);
                g = _mm256_and_si256(_mm256_i32gather_epi32((const int *)padded, g, 1), mask);
                b = _mm256_and_si256(_mm256_i32gather_epi32((const int *)padded, b, 1), mask);
            }
            __m256i y = _mm256_add_epi32(_mm256_add_epi32(_mm256_mullo_epi32(r, _mm256_set1_epi32(4899)), _mm256_mullo_epi32(g, _mm256_set1_epi32(9617))),
                                         _mm256_add_epi32(_mm256_mullo_epi32(b, _mm256_set1_epi32(1868)), _mm256_set1_epi32(8192)));
            acc = _mm256_add_epi32(acc, _mm256_srli_epi32(y, 14));
        }
        uint32_t lanes[8];
        _mm256_storeu_si256((__m256i *)lanes, acc);
        for (int l = 0; l < 8; l++) total += lanes[l];
    }
    return total + gray_sum_base(src + 3 * i, n - i, 3, lut);
}
#endif
#if defined(__x86_64__)
/* gray_sum_rgb_avx2 sixteen pixels at a time, the table (when there is one) applied to the raw bytes with VBMI byte
 * permutes as lut_bytes_vbmi does; the same integer sum (lanes flushed to 64 bits every 2^20 groups, as there). */
VBMI_TARGET static int64_t gray_sum_rgb_vbmi(const uint8_t *src, size_t n, const uint8_t *lut) {
    uint8_t identity[256];
    if (!lut) { for (int k = 0; k < 256; k++) identity[k] = (uint8_t)k; lut = identity; }
    const __m512i t0 = _mm512_loadu_si512(lut), t1 = _mm512_loadu_si512(lut + 64);
    const __m512i t2 = _mm512_loadu_si512(lut + 128), t3 = _mm512_loadu_si512(lut + 192);
    const __mmask64 firstOfFour = 0x1111111111111111ull;
    const __m512i idx = _mm512_setr_epi32(0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45);
    int64_t total = 0;
    size_t i = 0;
    while (i + 16 <= n) {
        __m512i acc = _mm512_setzero_si512();
        for (size_t groups = 0; groups < (1u << 20) && i + 16 <= n; groups++, i += 16) {
            __m512i x = _mm512_maskz_loadu_epi8((__mmask64)((1ull << 48) - 1), src + 3 * i);
            x = _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), _mm512_permutex2var_epi8(t0, x, t1), _mm512_permutex2var_epi8(t2, x, t3));
            __m512i r = _mm512_maskz_permutexvar_epi8(firstOfFour, idx, x);
            __m512i g = _mm512_maskz_permutexvar_epi8(firstOfFour, _mm512_add_epi32(idx, _mm512_set1_epi32(1)), x);
            __m512i b = _mm512_maskz_permutexvar_epi8(firstOfFour, _mm512_add_epi32(idx, _mm512_set1_epi32(2)), x);
            __m512i y = _mm512_add_epi32(_mm512_add_epi32(_mm512_mullo_epi32(r, _mm512_set1_epi32(4899)), _mm512_mullo_epi32(g, _mm512_set1_epi32(9617))),
                                         _mm512_add_epi32(_mm512_mullo_epi32(b, _mm512_set1_epi32(1868)), _mm512_set1_epi32(8192)));
            acc = _mm512_add_epi32(acc, _mm512_srli_epi32(y, 14));
        }
        uint32_t lanes[16];
        _mm512_storeu_si512(lanes, acc);
        for (int l = 0; l < 16; l++) total += lanes[l];
    }
    return total + gray_sum_base(src + 3 * i, n - i, 3, lut == identity ? NULL : lut);
}
#endif

int64_t ccopia_gray_sum_u8(const uint8_t *src, size_t n, int cn, const uint8_t *lut) {
#if defined(__x86_64__)
    if (cn == 3 && use_vbmi()) return gray_sum_rgb_vbmi(src, n, lut);
    if (cn == 3 && use_avx2()) return gray_sum_rgb_avx2(src, n, lut);
#endif
    return gray_sum_pick(src, n, cn, lut);
}

/* The saturation blend as a table over (gray, sample) of the same double expression: 64K entries built by a loop the
 * compiler vectorises, then three lookups per pixel (after `lut`, when there is one). The table has 4 bytes of padding
 * for the AVX2 path's 32-bit gathers. */
enum { BLEND_TABLE_SIZE = 256 * 256 + 4 };

INLINE void blend_table_impl(uint8_t *table, double factor) {
    double rest = 1 - factor;
    for (int g = 0; g < 256; g++) {
        double gr = (double)g * rest;
        for (int v = 0; v < 256; v++) table[g * 256 + v] = (uint8_t)saturate_double((double)v * factor + gr);
    }
}
TWO_VERSIONS(void, blend_table, (uint8_t *table, double factor), (table, factor))

INLINE void blend_pixels_impl(uint8_t *d, size_t n, int cn, const uint8_t *table, const uint8_t *lut) {
    if (lut) {
        for (size_t i = 0; i < n; i++) {
            uint8_t *p = d + i * cn;
            uint8_t r = lut[p[0]], g = lut[p[1]], b = lut[p[2]];
            const uint8_t *t = table + luma(r, g, b) * 256;
            p[0] = t[r];
            p[1] = t[g];
            p[2] = t[b];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            uint8_t *p = d + i * cn;
            const uint8_t *t = table + luma(p[0], p[1], p[2]) * 256;
            p[0] = t[p[0]];
            p[1] = t[p[1]];
            p[2] = t[p[2]];
        }
    }
}
TWO_VERSIONS(void, blend_pixels, (uint8_t *d, size_t n, int cn, const uint8_t *table, const uint8_t *lut), (d, n, cn, table, lut))

#if defined(__x86_64__)
#include <immintrin.h>
/* R, G and B of eight packed RGB pixels (24 bytes at p) as 32-bit lanes. */
AVX2_TARGET static inline void load_rgb8(const uint8_t *p, __m256i *r, __m256i *g, __m256i *b) {
    __m128i lo = _mm_loadu_si128((const __m128i *)p), hi = _mm_loadl_epi64((const __m128i *)(p + 16));
    const char z = (char)0x80;
    __m128i r8 = _mm_or_si128(_mm_shuffle_epi8(lo, _mm_setr_epi8(0, 3, 6, 9, 12, 15, z, z, z, z, z, z, z, z, z, z)),
                              _mm_shuffle_epi8(hi, _mm_setr_epi8(z, z, z, z, z, z, 2, 5, z, z, z, z, z, z, z, z)));
    __m128i g8 = _mm_or_si128(_mm_shuffle_epi8(lo, _mm_setr_epi8(1, 4, 7, 10, 13, z, z, z, z, z, z, z, z, z, z, z)),
                              _mm_shuffle_epi8(hi, _mm_setr_epi8(z, z, z, z, z, 0, 3, 6, z, z, z, z, z, z, z, z)));
    __m128i b8 = _mm_or_si128(_mm_shuffle_epi8(lo, _mm_setr_epi8(2, 5, 8, 11, 14, z, z, z, z, z, z, z, z, z, z, z)),
                              _mm_shuffle_epi8(hi, _mm_setr_epi8(z, z, z, z, z, 1, 4, 7, z, z, z, z, z, z, z, z)));
    *r = _mm256_cvtepu8_epi32(r8);
    *g = _mm256_cvtepu8_epi32(g8);
    *b = _mm256_cvtepu8_epi32(b8);
}

/* Eight RGB pixels (r | g << 8 | b << 16 per lane, top byte ignored) back to exactly the 24 bytes at o: each half
 * shuffled to 12 contiguous bytes; the first half's 16-byte store has 4 spare bytes the second half overwrites. */
AVX2_TARGET static inline void store_rgb8(uint8_t *o, __m256i packed) {
    const char z = (char)0x80;
    __m256i b = _mm256_shuffle_epi8(packed, _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, z, z, z, z,
                                                             0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, z, z, z, z));
    __m128i lo = _mm256_castsi256_si128(b), hi = _mm256_extracti128_si256(b, 1);
    _mm_storeu_si128((__m128i *)o, lo);
    _mm_storel_epi64((__m128i *)(o + 12), hi);
    int32_t last = _mm_extract_epi32(hi, 2);
    memcpy(o + 20, &last, 4);
}

/* blend_pixels_impl for RGB, eight pixels at a time: the same luma and the same table entries, gathered.
 * `lut` must have 4 bytes of padding. */
AVX2_TARGET static void blend_rgb_avx2(uint8_t *d, size_t n, const uint8_t *table, const uint8_t *lut) {
    const __m256i mask = _mm256_set1_epi32(0xFF);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint8_t *p = d + 3 * i;
        __m256i r, g, b;
        load_rgb8(p, &r, &g, &b);
        if (lut) {
            r = _mm256_and_si256(_mm256_i32gather_epi32((const int *)lut, r, 1), mask);
            g = _mm256_and_si256(_mm256_i32gather_epi32((const int *)lut, g, 1), mask);
            b = _mm256_and_si256(_mm256_i32gather_epi32((const int *)lut, b, 1), mask);
        }
        __m256i y = _mm256_add_epi32(_mm256_add_epi32(_mm256_mullo_epi32(r, _mm256_set1_epi32(4899)), _mm256_mullo_epi32(g, _mm256_set1_epi32(9617))),
                                     _mm256_add_epi32(_mm256_mullo_epi32(b, _mm256_set1_epi32(1868)), _mm256_set1_epi32(8192)));
        __m256i row = _mm256_slli_epi32(_mm256_srli_epi32(y, 14), 8);
        __m256i R = _mm256_and_si256(_mm256_i32gather_epi32((const int *)table, _mm256_add_epi32(row, r), 1), mask);
        __m256i G = _mm256_and_si256(_mm256_i32gather_epi32((const int *)table, _mm256_add_epi32(row, g), 1), mask);
        __m256i B = _mm256_and_si256(_mm256_i32gather_epi32((const int *)table, _mm256_add_epi32(row, b), 1), mask);
        store_rgb8(p, _mm256_or_si256(_mm256_or_si256(R, _mm256_slli_epi32(G, 8)), _mm256_slli_epi32(B, 16)));
    }
    if (i < n) blend_pixels_base(d + 3 * i, n - i, 3, table, lut);
}
#endif

#if defined(__x86_64__)
/* blend_pixels_impl for RGB without a table, sixteen pixels at a time: each sample's
 * saturate_double(v * factor + luma * (1 - factor)) in double lanes, the same operations as the table's entries
 * (multiply, add, round half to even, clamp), so the same bytes. Building the 65,536-entry table and gathering from
 * it cost more than this arithmetic on one image. */
VBMI_TARGET static void blend_rgb_vbmi(uint8_t *d, size_t n, double factor) {
    const __m512d f = _mm512_set1_pd(factor), rest = _mm512_set1_pd(1 - factor), zero = _mm512_setzero_pd(), top = _mm512_set1_pd(255);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint8_t *p = d + 3 * i;
        __m512i r, g, b;
        load_rgb16(p, &r, &g, &b);
        __m512i y = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(_mm512_mullo_epi32(r, _mm512_set1_epi32(4899)), _mm512_mullo_epi32(g, _mm512_set1_epi32(9617))),
                                                       _mm512_add_epi32(_mm512_mullo_epi32(b, _mm512_set1_epi32(1868)), _mm512_set1_epi32(8192))), 14);
        __m512d grLow = _mm512_mul_pd(_mm512_cvtepi32_pd(_mm512_castsi512_si256(y)), rest);
        __m512d grHigh = _mm512_mul_pd(_mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(y, 1)), rest);
#define BLEND_HALF(v, gr) _mm512_cvtpd_epi32(_mm512_min_pd(_mm512_max_pd(_mm512_roundscale_pd( \
        _mm512_add_pd(_mm512_mul_pd(_mm512_cvtepi32_pd(v), f), gr), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), zero), top))
#define BLEND(c) _mm512_inserti64x4(_mm512_castsi256_si512(BLEND_HALF(_mm512_castsi512_si256(c), grLow)), \
                                    BLEND_HALF(_mm512_extracti64x4_epi64(c, 1), grHigh), 1)
        __m512i R = BLEND(r), G = BLEND(g), B = BLEND(b);
#undef BLEND
#undef BLEND_HALF
        store_rgb16(p, _mm512_or_si512(_mm512_or_si512(R, _mm512_slli_epi32(G, 8)), _mm512_slli_epi32(B, 16)));
    }
    double rest1 = 1 - factor;
    for (; i < n; i++) {
        uint8_t *p = d + 3 * i;
        double gr = (double)luma(p[0], p[1], p[2]) * rest1;
        for (int c = 0; c < 3; c++) p[c] = (uint8_t)saturate_double((double)p[c] * factor + gr);
    }
}
#endif

void ccopia_blend_gray_lut_u8(uint8_t *data, size_t n, int cn, double factor, const uint8_t *lut) {
    if (lut_ahead(data, data, n, cn, lut)) lut = NULL;
#if defined(__x86_64__)
    if (cn == 3 && !lut && use_vbmi()) { blend_rgb_vbmi(data, n, factor); return; }
#endif
    uint8_t *table = malloc(BLEND_TABLE_SIZE);
    if (!table) {
        double rest = 1 - factor;
        for (size_t i = 0; i < n; i++) {
            uint8_t *p = data + i * cn;
            if (lut) { p[0] = lut[p[0]]; p[1] = lut[p[1]]; p[2] = lut[p[2]]; }
            double gr = (double)luma(p[0], p[1], p[2]) * rest;
            for (int c = 0; c < 3; c++) p[c] = (uint8_t)saturate_double((double)p[c] * factor + gr);
        }
        return;
    }
    blend_table_pick(table, factor);
    memset(table + 256 * 256, 0, 4);
#if defined(__x86_64__)
    if (cn == 3 && use_avx2()) {
        uint8_t padded[256 + 4] = {0};
        if (lut) memcpy(padded, lut, 256);
        blend_rgb_avx2(data, n, table, lut ? padded : NULL);
        free(table);
        return;
    }
#endif
    blend_pixels_pick(data, n, cn, table, lut);
    free(table);
}
void ccopia_blend_gray_u8(uint8_t *data, size_t n, int cn, double factor) { ccopia_blend_gray_lut_u8(data, n, cn, factor, NULL); }

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
/* What the vector builds of the HSV round trip compute in the lanes instead of gathering: `unit` when the saturation and
 * value tables hold float(i) * (1 / 255) (the identity), `rotation` >= 0 when the hue table is
 * float((i + rotation) mod 180) for every hue i (ColorJitter's hue step), else -1. */
static void hsv_table_kinds(const float *ht, const float *st, const float *vt, int *unit, int *rotation) {
    int u = 1;
    for (int k = 0; k < 256 && u; k++) u = st[k] == (float)k * (1.0f / 255) && vt[k] == (float)k * (1.0f / 255);
    int r = ht[0] >= 0 && ht[0] < 180 && ht[0] == (float)(int)ht[0] ? (int)ht[0] : -1;
    for (int k = 0; k < 180 && r >= 0; k++) if (ht[k] != (float)((k + r) % 180)) r = -1;
    *unit = u;
    *rotation = r;
}

/* Eight RGB pixels of map_hsv_impl at once. Returns 0 (writing nothing) when some lane's hue falls outside [0, 6)
 * sectors, which the scalar loop's wrapping handles. */
AVX2_TARGET static inline __attribute__((always_inline)) int map_hsv8(const uint8_t *p, uint8_t *o, const float *ht, const float *st,
                                                                       const float *vt, const int32_t *sdiv, const int32_t *hdiv,
                                                                       float sectors, int unitSV, int rotation, const uint8_t *lut) {
    __m256i r, g, b;
    load_rgb8(p, &r, &g, &b);
    if (lut) {  /* padded by 4 bytes for the 32-bit gathers */
        const __m256i low = _mm256_set1_epi32(0xFF);
        r = _mm256_and_si256(_mm256_i32gather_epi32((const int *)lut, r, 1), low);
        g = _mm256_and_si256(_mm256_i32gather_epi32((const int *)lut, g, 1), low);
        b = _mm256_and_si256(_mm256_i32gather_epi32((const int *)lut, b, 1), low);
    }
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
    __m256 hv, sv, vv;
    if (rotation >= 0) {  /* ht[k] is float((k + rotation) mod 180) for every hue k: computed, not gathered */
        __m256i hr = _mm256_add_epi32(h, _mm256_set1_epi32(rotation));
        hr = _mm256_sub_epi32(hr, _mm256_and_si256(_mm256_cmpgt_epi32(hr, _mm256_set1_epi32(179)), _mm256_set1_epi32(180)));
        hv = _mm256_cvtepi32_ps(hr);
    } else {
        hv = _mm256_i32gather_ps(ht, h, 4);
    }
    if (unitSV) {  /* the tables hold float(i) * (1 / 255): the same product, without the gathers */
        const __m256 scale = _mm256_set1_ps(1.0f / 255);
        sv = _mm256_mul_ps(_mm256_cvtepi32_ps(sIdx), scale);
        vv = _mm256_mul_ps(_mm256_cvtepi32_ps(v), scale);
    } else {
        sv = _mm256_i32gather_ps(st, sIdx, 4);
        vv = _mm256_i32gather_ps(vt, v, 4);
    }
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
    /* s = 0 needs no blend: t1, t2 and t3 are then exactly v, as the scalar loop's gray case gives. */
    const __m256 top = _mm256_set1_ps(255), k = _mm256_set1_ps(12582912.0f);
#define Q(x) _mm256_cvttps_epi32(_mm256_sub_ps(_mm256_add_ps(_mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(x, top), zero), top), k), k))
    __m256i packed = _mm256_or_si256(_mm256_or_si256(Q(R), _mm256_slli_epi32(Q(G), 8)), _mm256_slli_epi32(Q(B), 16));
#undef Q
    store_rgb8(o, packed);
    return 1;
}

/* map_hsv_base of at most eight RGB pixels after `lut` (NULL: none). */
static void map_hsv_lut_few(const uint8_t *src, uint8_t *dst, size_t m, const float *ht, const float *st, const float *vt,
                            const int32_t *sdiv, const int32_t *hdiv, const uint8_t *lut) {
    uint8_t tmp[24];
    for (size_t k = 0; k < 3 * m; k++) tmp[k] = lut ? lut[src[k]] : src[k];
    map_hsv_base(tmp, dst, m, 3, ht, st, vt, sdiv, hdiv);
}

/* The RGB round trip eight pixels at a time, after `lut` (NULL, or padded by 4 bytes) on every sample. */
AVX2_TARGET static void map_hsv_rgb_avx2(const uint8_t *src, uint8_t *dst, size_t n, const float *ht, const float *st,
                                         const float *vt, const int32_t *sdiv, const int32_t *hdiv, const uint8_t *lut) {
    const float hueRange = 180;
    const float sectors = 6 / hueRange;
    size_t i = 0;
    /* p + 16 .. p + 23 is read: stop while a full group of eight pixels remains */
    /* Specialised loops for identity saturation and value tables and for a hue table that is a rotation (ColorJitter's
     * hue step): the table values are computed in the lanes instead of gathered. */
    int unit, rotation;
    hsv_table_kinds(ht, st, vt, &unit, &rotation);
#define MAP_HSV_LOOP(unitSV, rot) \
    for (; i + 8 <= n; i += 8) \
        if (!map_hsv8(src + 3 * i, dst + 3 * i, ht, st, vt, sdiv, hdiv, sectors, unitSV, rot, lut)) \
            map_hsv_lut_few(src + 3 * i, dst + 3 * i, 8, ht, st, vt, sdiv, hdiv, lut);
    if (unit && rotation >= 0) { MAP_HSV_LOOP(1, rotation) }
    else if (unit) { MAP_HSV_LOOP(1, -1) }
    else { MAP_HSV_LOOP(0, -1) }
#undef MAP_HSV_LOOP
    for (; i < n; i += 8) map_hsv_lut_few(src + 3 * i, dst + 3 * i, n - i < 8 ? n - i : 8, ht, st, vt, sdiv, hdiv, lut);
}
#endif
#if defined(__x86_64__)
/* round(numerator / i) for lanes i in 1...255, 0 for i = 0, from the 14-bit reciprocal estimate and one Newton step
 * (r (2 - i r)) instead of a division: about a tenth of the division's cost in the lanes. Used only where
 * reciprocal_hsv_tables has checked it against every entry of the tables on this processor. */
VBMI_TARGET static inline __attribute__((always_inline)) __m512i table_quotients(__m512i i, float numerator) {
    __m512 d = _mm512_cvtepi32_ps(i), r = _mm512_rcp14_ps(d);
    r = _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
    return _mm512_maskz_cvt_roundps_epi32(_mm512_cmpneq_epi32_mask(i, _mm512_setzero_si512()),
                                          _mm512_mul_ps(r, _mm512_set1_ps(numerator)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

/* Whether table_quotients gives every entry of sdiv (numerator 255 << 12) and hdiv ((180 << 12) / 6): an exhaustive
 * check, since the indices are bytes. */
VBMI_TARGET static int reciprocal_hsv_tables(const int32_t *sdiv, const int32_t *hdiv) {
    for (int i = 0; i < 256; i += 16) {
        __m512i idx = _mm512_add_epi32(_mm512_set1_epi32(i), _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
        __mmask16 same = _mm512_cmpeq_epi32_mask(table_quotients(idx, 1044480.0f), _mm512_loadu_si512(sdiv + i))
                       & _mm512_cmpeq_epi32_mask(table_quotients(idx, 122880.0f), _mm512_loadu_si512(hdiv + i));
        if (same != 0xFFFF) return 0;
    }
    return 1;
}

/* map_hsv8 for sixteen pixels (AVX-512, VBMI for the RGB shuffles): the same integer and float operations lane for
 * lane, so the same bytes. Returns 0 (writing nothing) when some lane's hue falls outside [0, 6) sectors. */
VBMI_TARGET static inline __attribute__((always_inline)) int map_hsv16(const uint8_t *p, uint8_t *o, const float *ht, const float *st,
                                                                        const float *vt, const int32_t *sdiv, const int32_t *hdiv,
                                                                        float sectors, int unitSV, int rotation, int computedDiv) {
    __m512i r, g, b;
    load_rgb16(p, &r, &g, &b);
    __m512i v = _mm512_max_epi32(_mm512_max_epi32(r, g), b), vmin = _mm512_min_epi32(_mm512_min_epi32(r, g), b);
    __m512i diff = _mm512_sub_epi32(v, vmin);
    const __m512i half = _mm512_set1_epi32(1 << 11);
    __m512i sd, hd;
    if (computedDiv) {  /* the tables' entries from reciprocals (see reciprocal_hsv_tables); 0 at index 0 */
        sd = table_quotients(v, 1044480.0f);
        hd = table_quotients(diff, 122880.0f);
    } else {
        sd = _mm512_i32gather_epi32(v, sdiv, 4);
        hd = _mm512_i32gather_epi32(diff, hdiv, 4);
    }
    __m512i sIdx = _mm512_srai_epi32(_mm512_add_epi32(_mm512_mullo_epi32(diff, sd), half), 12);
    __m512i hR = _mm512_sub_epi32(g, b);
    __m512i hG = _mm512_add_epi32(_mm512_sub_epi32(b, r), _mm512_slli_epi32(diff, 1));
    __m512i hB = _mm512_add_epi32(_mm512_sub_epi32(r, g), _mm512_slli_epi32(diff, 2));
    __m512i h = _mm512_mask_blend_epi32(_mm512_cmpeq_epi32_mask(v, r),
                                        _mm512_mask_blend_epi32(_mm512_cmpeq_epi32_mask(v, g), hB, hG), hR);
    h = _mm512_srai_epi32(_mm512_add_epi32(_mm512_mullo_epi32(h, hd), half), 12);
    h = _mm512_mask_add_epi32(h, _mm512_cmplt_epi32_mask(h, _mm512_setzero_si512()), h, _mm512_set1_epi32(180));
    __m512 hv, sv, vv;
    if (rotation >= 0) {
        __m512i hr = _mm512_add_epi32(h, _mm512_set1_epi32(rotation));
        hr = _mm512_mask_sub_epi32(hr, _mm512_cmpgt_epi32_mask(hr, _mm512_set1_epi32(179)), hr, _mm512_set1_epi32(180));
        hv = _mm512_cvtepi32_ps(hr);
    } else {
        hv = _mm512_i32gather_ps(h, ht, 4);
    }
    if (unitSV) {
        const __m512 scale = _mm512_set1_ps(1.0f / 255);
        sv = _mm512_mul_ps(_mm512_cvtepi32_ps(sIdx), scale);
        vv = _mm512_mul_ps(_mm512_cvtepi32_ps(v), scale);
    } else {
        sv = _mm512_i32gather_ps(sIdx, st, 4);
        vv = _mm512_i32gather_ps(v, vt, 4);
    }
    __m512 hh = _mm512_mul_ps(hv, _mm512_set1_ps(sectors));
    const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1);
    __mmask16 inRange = _mm512_cmp_ps_mask(hh, zero, _CMP_GE_OQ) & _mm512_cmp_ps_mask(hh, _mm512_set1_ps(6), _CMP_LT_OQ);
    if (inRange != 0xFFFF) return 0;
    __m512i sector = _mm512_cvttps_epi32(hh);
    hh = _mm512_sub_ps(hh, _mm512_cvtepi32_ps(sector));
    __m512 t0 = vv, t1 = _mm512_mul_ps(vv, _mm512_sub_ps(one, sv)), t2 = _mm512_mul_ps(vv, _mm512_sub_ps(one, _mm512_mul_ps(sv, hh)));
    __m512 t3 = _mm512_mul_ps(vv, _mm512_sub_ps(one, _mm512_mul_ps(sv, _mm512_sub_ps(one, hh))));
#define SEC(k) _mm512_cmpeq_epi32_mask(sector, _mm512_set1_epi32(k))
    __mmask16 s1 = SEC(1), s2 = SEC(2), s3 = SEC(3), s4 = SEC(4), s5 = SEC(5);
#undef SEC
    /* As map_hsv8: R: 0,5 t0; 1 t2; 2,3 t1; 4 t3.  G: 0 t3; 1,2 t0; 3 t2; 4,5 t1.  B: 0,1 t1; 2 t3; 3,4 t0; 5 t2. */
    __m512 R = _mm512_mask_blend_ps(s4, _mm512_mask_blend_ps(s2 | s3, _mm512_mask_blend_ps(s1, t0, t2), t1), t3);
    __m512 G = _mm512_mask_blend_ps(s4 | s5, _mm512_mask_blend_ps(s3, _mm512_mask_blend_ps(s1 | s2, t3, t0), t2), t1);
    __m512 B = _mm512_mask_blend_ps(s5, _mm512_mask_blend_ps(s3 | s4, _mm512_mask_blend_ps(s2, t1, t3), t0), t2);
    const __m512 top = _mm512_set1_ps(255), k = _mm512_set1_ps(12582912.0f);
    __m512i packed;
    if (unitSV) {
        /* With identity tables every t lies in [-2^-23, 1 + 2^-23] (v / 255 and s / 255 with s <= 255, times
         * factors in [-2^-23, 1]), so x 255 is in (-0.5, 255.5): the clamp changes nothing and rounding half to
         * even in the conversion is the add-and-subtract rounding. */
#define Q(x) _mm512_cvt_roundps_epi32(_mm512_mul_ps(x, top), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
        packed = _mm512_or_si512(_mm512_or_si512(Q(R), _mm512_slli_epi32(Q(G), 8)), _mm512_slli_epi32(Q(B), 16));
#undef Q
    } else {
#define Q(x) _mm512_cvttps_epi32(_mm512_sub_ps(_mm512_add_ps(_mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(x, top), zero), top), k), k))
        packed = _mm512_or_si512(_mm512_or_si512(Q(R), _mm512_slli_epi32(Q(G), 8)), _mm512_slli_epi32(Q(B), 16));
#undef Q
    }
    store_rgb16(o, packed);
    return 1;
}

/* map_hsv_rgb_avx2 sixteen pixels at a time, without a table ahead (lut_ahead applies one first). */
VBMI_TARGET static void map_hsv_rgb_vbmi(const uint8_t *src, uint8_t *dst, size_t n, const float *ht, const float *st,
                                         const float *vt, const int32_t *sdiv, const int32_t *hdiv) {
    const float sectors = 6.0f / 180;
    size_t i = 0;
    int unit, rotation;
    hsv_table_kinds(ht, st, vt, &unit, &rotation);
    int computed = reciprocal_hsv_tables(sdiv, hdiv);
#define MAP_HSV_LOOP(unitSV, rot, div) \
    for (; i + 16 <= n; i += 16) \
        if (!map_hsv16(src + 3 * i, dst + 3 * i, ht, st, vt, sdiv, hdiv, sectors, unitSV, rot, div)) { \
            map_hsv_lut_few(src + 3 * i, dst + 3 * i, 8, ht, st, vt, sdiv, hdiv, NULL); \
            map_hsv_lut_few(src + 3 * i + 24, dst + 3 * i + 24, 8, ht, st, vt, sdiv, hdiv, NULL); \
        }
    if (unit && rotation >= 0 && computed) { MAP_HSV_LOOP(1, rotation, 1) }
    else if (unit && computed) { MAP_HSV_LOOP(1, -1, 1) }
    else if (computed) { MAP_HSV_LOOP(0, -1, 1) }
    else { MAP_HSV_LOOP(0, -1, 0) }
#undef MAP_HSV_LOOP
    for (; i < n; i += 8) map_hsv_lut_few(src + 3 * i, dst + 3 * i, n - i < 8 ? n - i : 8, ht, st, vt, sdiv, hdiv, NULL);
}
#endif

void ccopia_map_hsv_u8(const uint8_t *src, uint8_t *dst, size_t n, int cn, const float *ht, const float *st, const float *vt,
                       const int32_t *sdiv, const int32_t *hdiv) {
#if defined(__x86_64__)
    if (cn == 3 && use_vbmi()) { map_hsv_rgb_vbmi(src, dst, n, ht, st, vt, sdiv, hdiv); return; }
    if (cn == 3 && use_avx2()) { map_hsv_rgb_avx2(src, dst, n, ht, st, vt, sdiv, hdiv, NULL); return; }
#endif
    map_hsv_pick(src, dst, n, cn, ht, st, vt, sdiv, hdiv);
}

/* ccopia_map_hsv_u8 after `lut` on the colour channels, in the lanes (AVX2, RGB) or through a small buffer: one pass
 * over memory. dst may be src. */
void ccopia_map_hsv_lut_u8(const uint8_t *src, uint8_t *dst, size_t n, int cn, const float *ht, const float *st, const float *vt,
                           const int32_t *sdiv, const int32_t *hdiv, const uint8_t *lut) {
    if (lut_ahead(src, dst, n, cn, lut)) {
        ccopia_map_hsv_u8(dst, dst, n, cn, ht, st, vt, sdiv, hdiv);
        return;
    }
#if defined(__x86_64__)
    if (cn == 3 && use_avx2()) {
        uint8_t padded[256 + 4] = {0};
        memcpy(padded, lut, 256);
        map_hsv_rgb_avx2(src, dst, n, ht, st, vt, sdiv, hdiv, padded);
        return;
    }
#endif
    enum { CHUNK = 256 };
    uint8_t tmp[CHUNK * 4];  /* images have at most 4 channels */
    for (size_t i = 0; i < n; i += CHUNK) {
        size_t m = n - i < CHUNK ? n - i : CHUNK;
        const uint8_t *p = src + i * cn;
        if (cn == 3) {
            for (size_t k = 0; k < m * 3; k++) tmp[k] = lut[p[k]];
        } else {
            for (size_t k = 0; k < m; k++) for (int c = 0; c < cn; c++) tmp[k * cn + c] = c < 3 ? lut[p[k * cn + c]] : p[k * cn + c];
        }
        ccopia_map_hsv_u8(tmp, dst + i * cn, m, cn, ht, st, vt, sdiv, hdiv);
    }
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

/* Pixels x0 ..< x1 of output row y's warp (row points at the row's first pixel), one at a time. */
INLINE void warp_pixels(const uint8_t *src, int sw, int sh, int cn, const float *m, float by, float ey, uint8_t *row, int x0,
                        int x1, int border, const int32_t *fill) {
    const float k = rounding_constant();
    for (int x = x0; x < x1; x++) {
        float X = (float)x;
        bilinear_pixel(src, sw, sh, cn, m[0] * X + by + m[2], m[3] * X + ey + m[5], row + (size_t)cn * x, border, fill, k);
    }
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
    store_rgb8(out, packed);
    return 1;
}

AVX2_TARGET static void warp_affine_rgb_avx2(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                                             const float *m, int border, const int32_t *fill) {
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
            if (!bilinear8_rgb(src, sw, sh, vx, vy, row + 3 * x)) warp_pixels(src, sw, sh, 3, m, by, ey, row, x, x + 8, border, fill);
        }
        warp_pixels(src, sw, sh, 3, m, by, ey, row, x, dw, border, fill);
    }
}
#endif

#if defined(__x86_64__)
/* bilinear8_rgb for sixteen pixels (AVX-512, VBMI for the RGB store), in two halves so the warp can fetch the next
 * sixteen pixels' samples (gathers, long latency) before it sums these: the same coordinates, weights and sums lane
 * for lane, so the same bytes. */
typedef struct { __m512i q00, q01, q10, q11; __m512 w0, w1, w2, w3; } warp16;

/* The samples and weights of sixteen pixels; 0 (nothing fetched) when some lane needs the border rule. */
VBMI_TARGET static inline __attribute__((always_inline)) int warp16_fetch(const uint8_t *src, int sw, int sh, __m512 vx, __m512 vy,
                                                                           warp16 *g) {
    const __m512 limit = _mm512_set1_ps(COORDINATE_LIMIT), nlimit = _mm512_set1_ps(-COORDINATE_LIMIT);
    __mmask16 ok = _mm512_cmp_ps_mask(vx, nlimit, _CMP_GT_OQ) & _mm512_cmp_ps_mask(vx, limit, _CMP_LT_OQ)
                   & _mm512_cmp_ps_mask(vy, nlimit, _CMP_GT_OQ) & _mm512_cmp_ps_mask(vy, limit, _CMP_LT_OQ);
    if (ok != 0xFFFF) return 0;
    /* floor in float (exact below 2^24), then converted: bilinear8_rgb's truncate-and-correct in two instructions. */
    __m512 fx = _mm512_roundscale_ps(vx, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512 fy = _mm512_roundscale_ps(vy, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512i tx = _mm512_cvttps_epi32(fx), ty = _mm512_cvttps_epi32(fy);
    __mmask16 inside = _mm512_cmpgt_epi32_mask(tx, _mm512_set1_epi32(-1)) & _mm512_cmpgt_epi32_mask(_mm512_set1_epi32(sw - 1), tx)
                       & _mm512_cmpgt_epi32_mask(ty, _mm512_set1_epi32(-1)) & _mm512_cmpgt_epi32_mask(_mm512_set1_epi32(sh - 1), ty);
    if (inside != 0xFFFF) return 0;
    __m512 a = _mm512_sub_ps(vx, fx), b = _mm512_sub_ps(vy, fy);
    const __m512 one = _mm512_set1_ps(1);
    __m512 ia = _mm512_sub_ps(one, a), ib = _mm512_sub_ps(one, b);
    g->w0 = _mm512_mul_ps(ia, ib); g->w1 = _mm512_mul_ps(a, ib); g->w2 = _mm512_mul_ps(ia, b); g->w3 = _mm512_mul_ps(a, b);
    __m512i p0 = _mm512_add_epi32(_mm512_mullo_epi32(ty, _mm512_set1_epi32(sw * 3)), _mm512_add_epi32(_mm512_add_epi32(tx, tx), tx));
    __m512i p1 = _mm512_add_epi32(p0, _mm512_set1_epi32(sw * 3));
    /* As bilinear8_rgb: left pixels read (R G B x), right pixels at +2 read (x R G B). */
    g->q00 = _mm512_i32gather_epi32(p0, (const int *)src, 1);
    g->q01 = _mm512_i32gather_epi32(p0, (const int *)(src + 2), 1);
    g->q10 = _mm512_i32gather_epi32(p1, (const int *)src, 1);
    g->q11 = _mm512_i32gather_epi32(p1, (const int *)(src + 2), 1);
    return 1;
}

/* The sums, rounding and RGB store of fetched pixels. */
VBMI_TARGET static inline __attribute__((always_inline)) void warp16_finish(const warp16 *g, uint8_t *out) {
    __m512i packed = _mm512_setzero_si512();
    for (int c = 0; c < 3; c++) {
        /* Byte c of each lane (c + 1 for the right pixels), zero-extended, by one in-lane byte shuffle. */
        const __m512i lanes = _mm512_set4_epi32(12, 8, 4, 0);  /* each 32-bit lane's first byte in its 128 bits */
        const __m512i il = _mm512_add_epi32(_mm512_set1_epi32((int)(0x80808000u | (uint32_t)c)), lanes);
        const __m512i ir = _mm512_add_epi32(_mm512_set1_epi32((int)(0x80808000u | (uint32_t)(c + 1))), lanes);
        __m512 s00 = _mm512_cvtepi32_ps(_mm512_shuffle_epi8(g->q00, il));
        __m512 s01 = _mm512_cvtepi32_ps(_mm512_shuffle_epi8(g->q01, ir));
        __m512 s10 = _mm512_cvtepi32_ps(_mm512_shuffle_epi8(g->q10, il));
        __m512 s11 = _mm512_cvtepi32_ps(_mm512_shuffle_epi8(g->q11, ir));
        __m512 v = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(s00, g->w0), _mm512_mul_ps(s01, g->w1)),
                                               _mm512_mul_ps(s10, g->w2)), _mm512_mul_ps(s11, g->w3));
        /* The weights are products of numbers in [0, 1] whose exact sum is 1 (within a few ulps after rounding),
         * so v lies in [0, 255.001]: bilinear8_rgb's clamp to [0, 255] changes nothing, and converting with
         * rounding half to even is its add-and-subtract rounding. */
        __m512i q = _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        packed = _mm512_or_si512(packed, _mm512_slli_epi32(q, 8 * c));
    }
    store_rgb16(out, packed);
}

/* warp_affine_rgb_avx2 sixteen pixels at a time, each group's samples fetched one group ahead; a group with a lane
 * on the border rule goes as two groups of eight, and those with one as single pixels, as there. */
VBMI_TARGET static void warp_affine_rgb_vbmi(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                                             const float *m, int border, const int32_t *fill) {
    const float a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5];
    const __m512 va = _mm512_set1_ps(a), vd = _mm512_set1_ps(d), vc = _mm512_set1_ps(c), vf = _mm512_set1_ps(f);
    const __m512 lane = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (int y = 0; y < dh; y++) {
        float Y = (float)y;
        float by = b * Y, ey = e * Y;
        const __m512 vby = _mm512_set1_ps(by), vey = _mm512_set1_ps(ey);
        uint8_t *row = dst + (size_t)y * dw * 3;
#define COORDINATES(x0, vx, vy) \
        __m512 X = _mm512_add_ps(_mm512_set1_ps((float)(x0)), lane);  /* exact: integers below 2^24 */ \
        __m512 vx = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(va, X), vby), vc); \
        __m512 vy = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(vd, X), vey), vf);
        int x = 0;
        warp16 cur;
        int fetched = 0;
        if (dw >= 16) { COORDINATES(0, vx, vy) fetched = warp16_fetch(src, sw, sh, vx, vy, &cur); }
        for (; x + 16 <= dw; x += 16) {
            warp16 next;
            int nextFetched = 0;
            if (x + 32 <= dw) { COORDINATES(x + 16, vx, vy) nextFetched = warp16_fetch(src, sw, sh, vx, vy, &next); }
            if (fetched) {
                warp16_finish(&cur, row + 3 * x);
            } else {
                COORDINATES(x, vx, vy)
                for (int h = 0; h < 2; h++) {
                    if (bilinear8_rgb(src, sw, sh, h ? _mm512_extractf32x8_ps(vx, 1) : _mm512_castps512_ps256(vx),
                                      h ? _mm512_extractf32x8_ps(vy, 1) : _mm512_castps512_ps256(vy), row + 3 * (x + 8 * h))) continue;
                    warp_pixels(src, sw, sh, 3, m, by, ey, row, x + 8 * h, x + 8 * h + 8, border, fill);
                }
            }
            cur = next;
            fetched = nextFetched;
        }
#undef COORDINATES
        warp_pixels(src, sw, sh, 3, m, by, ey, row, x, dw, border, fill);
    }
}
#endif

INLINE void warp_affine_impl(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                             const float *m, int border, const int32_t *fill) {
    for (int y = 0; y < dh; y++) {
        float Y = (float)y;
        float by = m[1] * Y, ey = m[4] * Y;
        uint8_t *row = dst + (size_t)y * dw * cn;
        /* A constant channel count for RGB, so its copy unrolls the channel loop. */
        if (cn == 3) warp_pixels(src, sw, sh, 3, m, by, ey, row, 0, dw, border, fill);
        else warp_pixels(src, sw, sh, cn, m, by, ey, row, 0, dw, border, fill);
    }
}
TWO_VERSIONS(void, warp_affine, (const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                                 const float *m, int border, const int32_t *fill), (src, sw, sh, cn, dst, dw, dh, m, border, fill))
void ccopia_warp_affine_bilinear_u8(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                                    const float *m, int border, const int32_t *fill) {
#if defined(__x86_64__)
    /* Pixel offsets stay below 2^31 in the vector path's int32 lanes. */
    if (cn == 3 && use_vbmi() && (int64_t)sw * sh * 3 < ((int64_t)1 << 30)) { warp_affine_rgb_vbmi(src, sw, sh, dst, dw, dh, m, border, fill); return; }
    if (cn == 3 && use_avx2() && (int64_t)sw * sh * 3 < ((int64_t)1 << 30)) { warp_affine_rgb_avx2(src, sw, sh, dst, dw, dh, m, border, fill); return; }
#endif
    warp_affine_pick(src, sw, sh, cn, dst, dw, dh, m, border, fill);
}

/* MARK: - Separable correlation */

/* OpenCV's float-kernel filter for 8-bit images (cv2.sepFilter2D, filter.simd.hpp): the row pass (RowVec_8u32f)
 * sums its taps in order with fused multiply-adds from 0; the column pass (SymmColumnVec_32f8u) starts from the
 * centre row's product and adds fma(row[+j] + row[-j], k[j], sum) for j = 1, 2, ... when the kernel is symmetric,
 * and sums in order with fused multiply-adds otherwise. Checked against cv2 5.0 on images of odd and even widths,
 * Gaussian kernels of 3 to 21 taps and noise inputs: equal in every byte (Tests/.../make_fixtures.py). Fused
 * multiply-adds round once, so they are exact IEEE operations: every build (fmaf in the baseline one) gives the same
 * bits, and a pair shares one multiply, so the column pass does half the multiplies of a plain sum.
 *
 * fused_sum: out[i] = s, where s = 0; s = fma(a[t][i], w[t], s) for t < single; then s = fma(a[t][i] + b[t][i],
 * w[t], s) for single <= t < terms. Taps with a zero weight are left out by the caller (they add exactly 0). Written
 * once for W lanes of type VF; blocks of eight vectors keep eight accumulators in flight, enough to cover the
 * fused multiply-add's latency on two ports. */
#define FUSED_SUM(W, VF) \
INLINE void fused_sum##W(float *out, const float *const *a, const float *const *b, const float *w, int single, \
                         int terms, size_t start, size_t len) { \
    enum { N = FUSED_BLOCK }; \
    size_t i = start; \
    for (; i + N * W <= len; i += N * W) { \
        VF s[N]; \
        for (int v = 0; v < N; v++) s[v] = (VF){0}; \
        for (int t = 0; t < single; t++) { \
            const float *p = a[t] + i; \
            VF wt = (VF){0} + w[t]; \
            for (int v = 0; v < N; v++) { VF x; memcpy(&x, p + v * W, sizeof x); s[v] = __builtin_elementwise_fma(x, wt, s[v]); } \
        } \
        for (int t = single; t < terms; t++) { \
            const float *p = a[t] + i, *q = b[t] + i; \
            VF wt = (VF){0} + w[t]; \
            for (int v = 0; v < N; v++) { \
                VF x, y; \
                memcpy(&x, p + v * W, sizeof x); \
                memcpy(&y, q + v * W, sizeof y); \
                s[v] = __builtin_elementwise_fma(x + y, wt, s[v]); \
            } \
        } \
        memcpy(out + i, s, sizeof s); \
    } \
    for (; i + W <= len; i += W) { \
        VF s = {0}; \
        for (int t = 0; t < single; t++) { \
            VF x; \
            memcpy(&x, a[t] + i, sizeof x); \
            s = __builtin_elementwise_fma(x, (VF){0} + w[t], s); \
        } \
        for (int t = single; t < terms; t++) { \
            VF x, y; \
            memcpy(&x, a[t] + i, sizeof x); \
            memcpy(&y, b[t] + i, sizeof y); \
            s = __builtin_elementwise_fma(x + y, (VF){0} + w[t], s); \
        } \
        memcpy(out + i, &s, sizeof s); \
    } \
    for (; i < len; i++) { \
        float s = 0; \
        for (int t = 0; t < single; t++) s = __builtin_fmaf(a[t][i], w[t], s); \
        for (int t = single; t < terms; t++) s = __builtin_fmaf(a[t][i] + b[t][i], w[t], s); \
        out[i] = s; \
    } \
}
#define FUSED_BLOCK 8
FUSED_SUM(8, v8f)
FUSED_SUM(16, v16f)
#undef FUSED_BLOCK

/* The sixteen-lane build: blocks of 128, then the eight-lane loops for the rest. Lane for lane the same operations. */
INLINE void fused_sum_wide(float *out, const float *const *a, const float *const *b, const float *w, int single, int terms,
                           size_t len, int wide) {
    size_t i = 0;
    if (wide) {
        i = len / 128 * 128;
        fused_sum16(out, a, b, w, single, terms, 0, i);
    }
    fused_sum8(out, a, b, w, single, terms, i, len);
}

/* `wide` (a constant where this is inlined) picks the sixteen-lane sums. */
INLINE int separable_impl(const uint8_t *src, uint8_t *dst, int w, int h, int cn, int colors,
                          const float *kx, int nkx, const int32_t *xs, const float *ky, int nky, const int32_t *ys, int wide) {
    int npad = w + 2 * (nkx / 2);
    size_t rowLength = (size_t)w * cn, padLength = ((size_t)npad * cn + 15) / 16 * 16;
    /* Rows start 64-byte aligned when their length is a multiple of 16 floats (224 RGB: 672), as do pad and orow. */
    size_t rowsLength = ((size_t)h * rowLength + 15) / 16 * 16;
    float *rows = scratch(sizeof(float) * (rowsLength + padLength + rowLength));
    int most = nkx > nky ? nkx : nky;
    const float **a = malloc(sizeof(float *) * (size_t)most), **b = malloc(sizeof(float *) * (size_t)most);
    float *tw = malloc(sizeof(float) * (size_t)most);
    if (!rows || !a || !b || !tw) { free(a); free(b); free(tw); return -1; }
    float *pad = rows + rowsLength, *orow = pad + padLength;
    const float k = rounding_constant(), m = 255;
    int nx = 0;
    for (int t = 0; t < nkx; t++) if (kx[t] != 0) { a[nx] = pad + (size_t)t * cn; tw[nx] = kx[t]; nx++; }
    for (int y = 0; y < h; y++) {
        const uint8_t *s = src + (size_t)y * rowLength;
        /* Inside the row xs is the identity (a contiguous conversion the compiler vectorises); only the margins
         * go through the border indices. */
        int rx = nkx / 2;
        for (int i = 0; i < rx; i++) for (int c = 0; c < cn; c++) pad[(size_t)i * cn + c] = (float)s[(size_t)xs[i] * cn + c];
        float *inner = pad + (size_t)rx * cn;
        for (size_t j = 0; j < rowLength; j++) inner[j] = (float)s[j];
        for (int i = rx + w; i < npad; i++) for (int c = 0; c < cn; c++) pad[(size_t)i * cn + c] = (float)s[(size_t)xs[i] * cn + c];
        fused_sum_wide(rows + (size_t)y * rowLength, a, b, tw, nx, nx, rowLength, wide);
    }
    int symmetric = nky % 2 == 1, ry = nky / 2;
    for (int t = 0; t < ry; t++) symmetric &= ky[t] == ky[nky - 1 - t];
    /* The column pass in strips of 384 floats for RGB, 256 otherwise (whole blocks of 128 that are whole pixels; the
     * last strip takes the rest): a strip's rows of the kernel's height (32 KB at 21 taps) stay in L1 from one output
     * row to the next, where whole rows (56 KB at 224 RGB) would stream from L2. */
    const size_t STRIP = cn == 3 ? 384 : 256;
    for (size_t x0 = 0; x0 < rowLength; x0 += STRIP) {
        size_t len = rowLength - x0 < STRIP + STRIP / 2 ? rowLength - x0 : STRIP;
        for (int y = 0; y < h; y++) {
            int single = 0, terms = 0;
            if (symmetric) {
                if (ky[ry] != 0) { a[0] = rows + (size_t)ys[y + ry] * rowLength + x0; tw[0] = ky[ry]; single = terms = 1; }
                for (int j = 1; j <= ry; j++) {
                    if (ky[ry + j] == 0) continue;
                    a[terms] = rows + (size_t)ys[y + ry + j] * rowLength + x0;
                    b[terms] = rows + (size_t)ys[y + ry - j] * rowLength + x0;
                    tw[terms++] = ky[ry + j];
                }
            } else {
                for (int t = 0; t < nky; t++) if (ky[t] != 0) { a[terms] = rows + (size_t)ys[y + t] * rowLength + x0; tw[terms++] = ky[t]; }
                single = terms;
            }
            fused_sum_wide(orow, a, b, tw, single, terms, len, wide);
            uint8_t *d = dst + (size_t)y * rowLength + x0;
            if (colors == cn) {
                for (size_t i = 0; i < len; i++) d[i] = (uint8_t)sample_from_float_k(orow[i], m, k);
            } else {
                for (size_t i = 0; i < len; i += cn) for (int c = 0; c < colors; c++) d[i + c] = (uint8_t)sample_from_float_k(orow[i + c], m, k);
            }
        }
        if (len != STRIP) break;
    }
    free(a); free(b); free(tw);
    return 0;
}
INLINE int separable8_impl(const uint8_t *src, uint8_t *dst, int w, int h, int cn, int colors, const float *kx, int nkx,
                           const int32_t *xs, const float *ky, int nky, const int32_t *ys) {
    return separable_impl(src, dst, w, h, cn, colors, kx, nkx, xs, ky, nky, ys, 0);
}
TWO_VERSIONS(int, separable8, (const uint8_t *src, uint8_t *dst, int w, int h, int cn, int colors, const float *kx, int nkx,
                               const int32_t *xs, const float *ky, int nky, const int32_t *ys),
             (src, dst, w, h, cn, colors, kx, nkx, xs, ky, nky, ys))
#if defined(__x86_64__)
AVX512_TARGET static int separable_avx512(const uint8_t *src, uint8_t *dst, int w, int h, int cn, int colors, const float *kx,
                                          int nkx, const int32_t *xs, const float *ky, int nky, const int32_t *ys) {
    return separable_impl(src, dst, w, h, cn, colors, kx, nkx, xs, ky, nky, ys, 1);
}
#endif
int ccopia_separable_u8(const uint8_t *src, uint8_t *dst, int w, int h, int cn, int colors,
                        const float *kx, int nkx, const int32_t *xs, const float *ky, int nky, const int32_t *ys) {
#if defined(__x86_64__)
    if (ccopia_pixels_use_avx512()) return separable_avx512(src, dst, w, h, cn, colors, kx, nkx, xs, ky, nky, ys);
#endif
    return separable8_pick(src, dst, w, h, cn, colors, kx, nkx, xs, ky, nky, ys);
}

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
#if defined(__x86_64__)
/* resize_linear_impl for RGB with the row buffers planar (R, G, B planes of `plane` entries), so vector builds can do
 * whole groups of columns: `horizontal` fills a source row's planes from column 0 and returns the column it stopped
 * at (it reads each pixel's 3 bytes and one more, so it is not called on the image's last row), `vertical` packs two
 * rows' planes back into RGB the same way. The planes hold each horizontal sum already shifted right by 4 (at most
 * 255 * 2048 >> 4 = 32640), as 16-bit integers: the vertical pass's products b * (sum >> 4) >> 16 are then the high
 * halves of 16-bit multiplies (OpenCV's own v_mul_hi step). The columns the passes leave are done here, with the same
 * integer operations as resize_linear_impl, so every build gives the same bytes. */
typedef int (*resize_horizontal_fn)(const uint8_t *row, int16_t *t, size_t plane, int dw, const int32_t *xi, const int32_t *xw,
                                    const void *plan);
typedef int (*resize_vertical_fn)(uint8_t *out, const int16_t *a, const int16_t *b, size_t plane, int dw, int32_t b0, int32_t b1);

static int resize_linear_rgb_planar(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh, const int32_t *xi,
                                    const int32_t *xw, const int32_t *yi, const int32_t *yw, resize_horizontal_fn horizontal,
                                    const void *plan, resize_vertical_fn vertical) {
    size_t plane = (size_t)dw, rowIn = (size_t)sw * 3;
    int16_t *tmp = malloc(sizeof(int16_t) * plane * 6);
    if (!tmp) return -1;
    int16_t *buf[2] = {tmp, tmp + plane * 3};
    int tag[2] = {-1, -1};  /* the source row each buffer holds */
    for (int y = 0; y < dh; y++) {
        int want[2] = {yi[2 * y], yi[2 * y + 1]};
        for (int j = 0; j < 2; j++) {
            if (tag[0] == want[j] || tag[1] == want[j]) continue;
            int slot = tag[0] != want[0] && tag[0] != want[1] ? 0 : 1;
            tag[slot] = want[j];
            int16_t *t = buf[slot];
            const uint8_t *row = src + (size_t)want[j] * rowIn;
            int x = want[j] < sh - 1 ? horizontal(row, t, plane, dw, xi, xw, plan) : 0;
            for (; x < dw; x++) {
                int32_t i0 = xi[2 * x], i1 = xi[2 * x + 1], w0 = xw[2 * x], w1 = xw[2 * x + 1];
                for (int c = 0; c < 3; c++) t[c * plane + x] = (int16_t)((row[i0 + c] * w0 + row[i1 + c] * w1) >> 4);
            }
        }
        const int16_t *a = tag[0] == want[0] ? buf[0] : buf[1], *b = tag[0] == want[1] ? buf[0] : buf[1];
        int32_t b0 = yw[2 * y], b1 = yw[2 * y + 1];
        uint8_t *out = dst + (size_t)y * dw * 3;
        for (int x = vertical(out, a, b, plane, dw, b0, b1); x < dw; x++) {
            for (int c = 0; c < 3; c++) {
                int32_t v = (((b0 * a[c * plane + x]) >> 16) + ((b1 * b[c * plane + x]) >> 16) + 2) >> 2;
                v = v < 0 ? 0 : v;
                v = v > 255 ? 255 : v;
                out[3 * x + c] = (uint8_t)v;
            }
        }
    }
    free(tmp);
    return 0;
}

/* The planar passes eight columns at a time: each row's taps are two 32-bit gathers. */
AVX2_TARGET static int resize_horizontal_avx2(const uint8_t *row, int16_t *t, size_t plane, int dw, const int32_t *xi, const int32_t *xw,
                                              const void *plan) {
    (void)plan;
    const __m256i order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7), byte = _mm256_set1_epi32(0xFF);
    int x = 0;
    for (; x + 8 <= dw; x += 8) {
        __m256i a = _mm256_permutevar8x32_epi32(_mm256_loadu_si256((const __m256i *)(xi + 2 * x)), order);
        __m256i b = _mm256_permutevar8x32_epi32(_mm256_loadu_si256((const __m256i *)(xi + 2 * x + 8)), order);
        __m256i i0 = _mm256_permute2x128_si256(a, b, 0x20), i1 = _mm256_permute2x128_si256(a, b, 0x31);
        a = _mm256_permutevar8x32_epi32(_mm256_loadu_si256((const __m256i *)(xw + 2 * x)), order);
        b = _mm256_permutevar8x32_epi32(_mm256_loadu_si256((const __m256i *)(xw + 2 * x + 8)), order);
        __m256i w0 = _mm256_permute2x128_si256(a, b, 0x20), w1 = _mm256_permute2x128_si256(a, b, 0x31);
        __m256i q0 = _mm256_i32gather_epi32((const int *)row, i0, 1), q1 = _mm256_i32gather_epi32((const int *)row, i1, 1);
        for (int c = 0; c < 3; c++) {
            __m256i s0 = _mm256_and_si256(_mm256_srli_epi32(q0, 8 * c), byte), s1 = _mm256_and_si256(_mm256_srli_epi32(q1, 8 * c), byte);
            __m256i v = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(s0, w0), _mm256_mullo_epi32(s1, w1)), 4);
            /* Eight 32-bit sums (below 2^15) to eight 16-bit ones: pack within each half, then join the halves. */
            __m256i packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(v, v), 0x08);
            _mm_storeu_si128((__m128i *)(t + c * plane + x), _mm256_castsi256_si128(packed));
        }
    }
    return x;
}

AVX2_TARGET static int resize_vertical_avx2(uint8_t *out, const int16_t *a, const int16_t *b, size_t plane, int dw, int32_t b0, int32_t b1) {
    const __m256i vb0 = _mm256_set1_epi32(b0), vb1 = _mm256_set1_epi32(b1), two = _mm256_set1_epi32(2);
    const __m256i zero = _mm256_setzero_si256(), top = _mm256_set1_epi32(255);
    int x = 0;
    for (; x + 8 <= dw; x += 8) {
        __m256i packed = zero;
        for (int c = 0; c < 3; c++) {
            __m256i va = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(a + c * plane + x)));
            __m256i vb = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(b + c * plane + x)));
            __m256i v = _mm256_add_epi32(_mm256_add_epi32(_mm256_srai_epi32(_mm256_mullo_epi32(vb0, va), 16),
                                                          _mm256_srai_epi32(_mm256_mullo_epi32(vb1, vb), 16)), two);
            v = _mm256_min_epi32(_mm256_max_epi32(_mm256_srai_epi32(v, 2), zero), top);
            packed = _mm256_or_si256(packed, _mm256_slli_epi32(v, 8 * c));
        }
        store_rgb8(out + 3 * x, packed);
    }
    return x;
}

/* The AVX-512 row pass's plan, made once per resize since every source row uses the same taps: for each block of
 * sixteen columns whose taps lie within 64 bytes of the row (any scale up to 1.25 to 1), the taps' offsets from the
 * block's first (`base`) and their weights as (first, second) pairs of 16-bit lanes, and the span's length in bytes
 * (0: the block takes its taps by gathers). */
typedef struct { int16_t rel[32], weights[32]; } resize_block;
typedef struct { resize_block *blocks; int32_t *base, *span; } resize_plan;

VBMI_TARGET static resize_plan *resize_plan_vbmi(int dw, const int32_t *xi, const int32_t *xw) {
    int nb = dw / 16;
    resize_plan *plan = malloc(sizeof *plan);
    if (!plan) return NULL;
    plan->blocks = aligned_alloc(64, sizeof(resize_block) * (size_t)(nb > 0 ? nb : 1));
    plan->base = malloc(sizeof(int32_t) * (size_t)(nb > 0 ? nb : 1));
    plan->span = malloc(sizeof(int32_t) * (size_t)(nb > 0 ? nb : 1));
    if (!plan->blocks || !plan->base || !plan->span) {
        free(plan->blocks); free(plan->base); free(plan->span); free(plan);
        return NULL;
    }
    for (int k = 0; k < nb; k++) {
        int x = 16 * k;
        int32_t base = xi[2 * x], top = xi[2 * x + 31] + 3 - base;  /* the last column's second tap ends the span */
        plan->base[k] = base;
        plan->span[k] = 0;
        if (top <= 0 || top > 64) continue;
        /* Offsets from base and weights (bilinear: 0...2048), narrowed with saturation, so an offset far from base
         * stays far and fails the check below. */
        const __m512i vbase = _mm512_set1_epi32(base);
        __m512i rel = _mm512_inserti64x4(
            _mm512_castsi256_si512(_mm512_cvtsepi32_epi16(_mm512_sub_epi32(_mm512_loadu_si512(xi + 2 * x), vbase))),
            _mm512_cvtsepi32_epi16(_mm512_sub_epi32(_mm512_loadu_si512(xi + 2 * x + 16), vbase)), 1);
        __m512i weights = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtsepi32_epi16(_mm512_loadu_si512(xw + 2 * x))),
                                             _mm512_cvtsepi32_epi16(_mm512_loadu_si512(xw + 2 * x + 16)), 1);
        /* Every tap's three bytes inside the span. */
        if (_mm512_cmplt_epi16_mask(rel, _mm512_setzero_si512()) | _mm512_cmpgt_epi16_mask(rel, _mm512_set1_epi16((short)(top - 3)))) continue;
        _mm512_store_si512(plan->blocks[k].rel, rel);
        _mm512_store_si512(plan->blocks[k].weights, weights);
        plan->span[k] = top;
    }
    return plan;
}

static void resize_plan_free(resize_plan *plan) {
    if (!plan) return;
    free(plan->blocks); free(plan->base); free(plan->span); free(plan);
}

/* Sixteen columns at a time (AVX-512, VBMI for the RGB store). A block the plan covers picks its taps out of one
 * load by byte permutes, each column's two taps of a channel as a pair of 16-bit lanes, multiplied and summed by one
 * vpmaddwd (samples below 2^8, weights at most 2^11: the same integers as the 32-bit products); the others fetch
 * them by two gathers. */
VBMI_TARGET static int resize_horizontal_vbmi(const uint8_t *row, int16_t *t, size_t plane, int dw, const int32_t *xi, const int32_t *xw,
                                              const void *opaque) {
    const resize_plan *plan = opaque;
    /* Even and odd entries of 32 interleaved (first, second) pairs. */
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odds = _mm512_add_epi32(evens, _mm512_set1_epi32(1)), byte = _mm512_set1_epi32(0xFF);
    const __mmask64 pairBytes = 0x5555555555555555ull;  /* bytes 0 and 2 of each 32-bit lane */
    int x = 0;
    for (; x + 16 <= dw; x += 16) {
        int k = x / 16;
        if (plan && plan->span[k] > 0) {
            int32_t top = plan->span[k];
            __m512i rel = _mm512_load_si512(plan->blocks[k].rel), weights = _mm512_load_si512(plan->blocks[k].weights);
            __m512i window = _mm512_maskz_loadu_epi8(top == 64 ? ~0ull : ((1ull << top) - 1), row + plan->base[k]);
            for (int c = 0; c < 3; c++) {
                __m512i pairs = _mm512_maskz_permutexvar_epi8(pairBytes, _mm512_add_epi16(rel, _mm512_set1_epi16((short)c)), window);
                __m512i sums = _mm512_srai_epi32(_mm512_madd_epi16(pairs, weights), 4);
                _mm256_storeu_si256((__m256i *)(t + c * plane + x), _mm512_cvtepi32_epi16(sums));
            }
            continue;
        }
        __m512i a = _mm512_loadu_si512(xi + 2 * x), b = _mm512_loadu_si512(xi + 2 * x + 16);
        __m512i i0 = _mm512_permutex2var_epi32(a, evens, b), i1 = _mm512_permutex2var_epi32(a, odds, b);
        a = _mm512_loadu_si512(xw + 2 * x);
        b = _mm512_loadu_si512(xw + 2 * x + 16);
        __m512i w0 = _mm512_permutex2var_epi32(a, evens, b), w1 = _mm512_permutex2var_epi32(a, odds, b);
        __m512i q0 = _mm512_i32gather_epi32(i0, (const int *)row, 1), q1 = _mm512_i32gather_epi32(i1, (const int *)row, 1);
        for (int c = 0; c < 3; c++) {
            __m512i s0 = _mm512_and_si512(_mm512_srli_epi32(q0, 8 * c), byte), s1 = _mm512_and_si512(_mm512_srli_epi32(q1, 8 * c), byte);
            __m512i sums = _mm512_srai_epi32(_mm512_add_epi32(_mm512_mullo_epi32(s0, w0), _mm512_mullo_epi32(s1, w1)), 4);
            _mm256_storeu_si256((__m256i *)(t + c * plane + x), _mm512_cvtepi32_epi16(sums));
        }
    }
    return x;
}

/* 32 columns at a time: each plane's 32 sums in one register of 16-bit lanes, the products as vpmulhw's high halves
 * (b * s >> 16 with b <= 2048 and s <= 32640, both 16-bit), the result at most 510 before the clamp; then the three
 * planes' bytes are interleaved into 96 bytes of RGB by two two-register byte permutes. */
VBMI_TARGET static int resize_vertical_vbmi(uint8_t *out, const int16_t *a, const int16_t *b, size_t plane, int dw, int32_t b0, int32_t b1) {
    if (b0 < 0 || b0 > 32767 || b1 < 0 || b1 > 32767) return 0;  /* not bilinear weights: the scalar loop */
    const __m512i vb0 = _mm512_set1_epi16((short)b0), vb1 = _mm512_set1_epi16((short)b1), two = _mm512_set1_epi16(2);
    const __m512i top = _mm512_set1_epi16(255);
    /* Output byte j of pixels 0..21 (first permute) and 21..31 (second): pixel p = j / 3, channel j % 3, from R (index
     * p) and G (32 + p) in the first register, B (64 + p) in the second. */
#define PICK(j) (uint8_t)(((j) % 3) * 32 + (j) / 3)
#define PICK8(j) PICK(j), PICK(j + 1), PICK(j + 2), PICK(j + 3), PICK(j + 4), PICK(j + 5), PICK(j + 6), PICK(j + 7)
    static const uint8_t interleave[128] = {PICK8(0), PICK8(8), PICK8(16), PICK8(24), PICK8(32), PICK8(40), PICK8(48), PICK8(56),
                                            PICK8(64), PICK8(72), PICK8(80), PICK8(88), PICK8(96), PICK8(104), PICK8(112), PICK8(120)};
#undef PICK8
#undef PICK
    const __m512i idxLo = _mm512_loadu_si512(interleave), idxHi = _mm512_loadu_si512(interleave + 64);
    int x = 0;
    for (; x + 32 <= dw; x += 32) {
        __m256i bytes[3];
        for (int c = 0; c < 3; c++) {
            __m512i va = _mm512_loadu_si512(a + c * plane + x), vb = _mm512_loadu_si512(b + c * plane + x);
            __m512i v = _mm512_add_epi16(_mm512_add_epi16(_mm512_mulhi_epi16(vb0, va), _mm512_mulhi_epi16(vb1, vb)), two);
            v = _mm512_min_epi16(_mm512_max_epi16(_mm512_srai_epi16(v, 2), _mm512_setzero_si512()), top);
            bytes[c] = _mm512_cvtepi16_epi8(v);
        }
        __m512i rg = _mm512_inserti64x4(_mm512_castsi256_si512(bytes[0]), bytes[1], 1), bb = _mm512_castsi256_si512(bytes[2]);
        _mm512_storeu_si512(out + 3 * x, _mm512_permutex2var_epi8(rg, idxLo, bb));
        _mm256_storeu_si256((__m256i *)(out + 3 * x + 64), _mm512_castsi512_si256(_mm512_permutex2var_epi8(rg, idxHi, bb)));
    }
    return x;
}
#endif

int ccopia_resize_linear_u8(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                            const int32_t *xi, const int32_t *xw, const int32_t *yi, const int32_t *yw) {
#if defined(__x86_64__)
    /* Source offsets stay below 2^31 in the gathers' int32 lanes. */
    if (cn == 3 && use_avx2() && (int64_t)sw * sh * 3 < ((int64_t)1 << 30)) {
        if (!use_vbmi()) return resize_linear_rgb_planar(src, sw, sh, dst, dw, dh, xi, xw, yi, yw, resize_horizontal_avx2, NULL,
                                                         resize_vertical_avx2);
        resize_plan *plan = resize_plan_vbmi(dw, xi, xw);  /* NULL (out of memory): every block gathers */
        int status = resize_linear_rgb_planar(src, sw, sh, dst, dw, dh, xi, xw, yi, yw, resize_horizontal_vbmi, plan,
                                              resize_vertical_vbmi);
        resize_plan_free(plan);
        return status;
    }
#endif
    return resize_linear_pick(src, sw, sh, cn, dst, dw, dh, xi, xw, yi, yw);
}

/* MARK: - Horizontal flip */

typedef uint8_t v16b __attribute__((vector_size(16), aligned(1)));

/* Mirrors each row: dst pixel x of a row is src pixel w - 1 - x. Rows of 1, 3 and 4 channels move sixteen bytes at a
 * time through a byte shuffle; other channel counts (and row ends) pixel by pixel. dst must not overlap src. */
INLINE void flip_h_impl(const uint8_t *src, uint8_t *dst, size_t w, size_t h, int cn) {
    size_t row = w * cn;
    for (size_t y = 0; y < h; y++) {
        const uint8_t *s = src + y * row;
        uint8_t *d = dst + y * row;
        size_t x = 0;  /* destination pixel */
        if (cn == 1) {
            for (; x + 16 <= w; x += 16) {
                v16b v;
                memcpy(&v, s + w - 16 - x, 16);
                v = __builtin_shufflevector(v, v, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
                memcpy(d + x, &v, 16);
            }
        } else if (cn == 4) {
            for (; x + 4 <= w; x += 4) {
                v16b v;
                memcpy(&v, s + (w - 4 - x) * 4, 16);
                v = __builtin_shufflevector(v, v, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
                memcpy(d + x * 4, &v, 16);
            }
        } else if (cn == 3 && w >= 7) {
            /* Five pixels (15 bytes) per step: the load's 16th byte and the store's 16th byte belong to the next
             * pixel over, so destination pixel 0 is done alone (its load would read past the row) and the loop stops
             * while a sixth pixel remains to take the stray store byte. */
            memcpy(d, s + (w - 1) * 3, 3);
            for (x = 1; x + 6 <= w; x += 5) {
                v16b v;
                memcpy(&v, s + (w - 5 - x) * 3, 16);
                v = __builtin_shufflevector(v, v, 12, 13, 14, 9, 10, 11, 6, 7, 8, 3, 4, 5, 0, 1, 2, 15);
                memcpy(d + x * 3, &v, 16);
            }
        }
        for (; x < w; x++) memcpy(d + x * cn, s + (w - 1 - x) * cn, (size_t)cn);
    }
}
TWO_VERSIONS(void, flip_h, (const uint8_t *src, uint8_t *dst, size_t w, size_t h, int cn), (src, dst, w, h, cn))
void ccopia_flip_horizontal_u8(const uint8_t *src, uint8_t *dst, size_t w, size_t h, int cn) { flip_h_pick(src, dst, w, h, cn); }
