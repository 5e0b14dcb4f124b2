/* Gaussian noise: standard normals eight lanes at a time, and the fused 8-bit noise pass.
 *
 * Random bits: xoshiro128++ (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021), eight
 * independent lanes whose 128-bit states are Philox4x32-10 blocks (Salmon et al., "Parallel random numbers: as easy
 * as 1, 2, 3", 2011) 0..7 of the op's (key, stream). Philox alone would cost four times as much per bit here.
 *
 * Normals: Box-Muller in single precision. u1 = (a >> 8 + 1) 2^-24 in (0, 1] and u2 = (b >> 8) 2^-24 in [0, 1) from
 * two 32-bit draws of a lane; z0 = sqrt(-2 log u1) cos(2 pi u2), z1 = sqrt(-2 log u1) sin(2 pi u2). The largest
 * |z| is sqrt(2 log 2^24) = 5.77. log, sin and cos are the single-precision polynomials of Cephes (Moshier, 1992:
 * logf on [sqrt(1/2), sqrt(2)), sinf/cosf on [-pi/4, pi/4]); 2 pi u2 is reduced exactly to that range in turns
 * (u2 - q / 4, with u2 a multiple of 2^-24). Measured against double precision over 2^22 draws (see the tests), each
 * normal is within 2e-6 (absolute) of the exact transform of its uniforms: far below the 1/255 of an 8-bit sample.
 *
 * Determinism: no libm calls and no FMA (contraction is off); every value goes through the same sequence of exactly
 * rounded IEEE operations (add, subtract, multiply, square root, conversions) in the AVX2 and the baseline build,
 * and on ARM, so the bytes are the same on every machine and either path. */
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "dispatch.h"
#include <string.h>

/* CounterRandom.philox: Philox4x32-10. */
static void philox(uint64_t counter, uint64_t stream, uint64_t key, uint32_t out[4]) {
    uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = (uint32_t)stream, c3 = (uint32_t)(stream >> 32);
    uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        uint64_t p0 = 0xD2511F53ull * c0, p1 = 0xCD9E8D57ull * c2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0, hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

typedef struct { v8u s0, s1, s2, s3; } lanes_state;

static void seed_lanes(lanes_state *st, uint64_t key, uint64_t stream, uint64_t counter) {
    for (int l = 0; l < 8; l++) {
        uint32_t w[4];
        philox(counter + (uint64_t)l, stream, key, w);
        if ((w[0] | w[1] | w[2] | w[3]) == 0) w[0] = 1;  /* xoshiro's one forbidden state */
        st->s0[l] = w[0]; st->s1[l] = w[1]; st->s2[l] = w[2]; st->s3[l] = w[3];
    }
}

INLINE v8u rotl(v8u x, int k) { return (x << k) | (x >> (32 - k)); }

/* xoshiro128++ next() in every lane. */
INLINE v8u next8(lanes_state *st) {
    v8u result = rotl(st->s0 + st->s3, 7) + st->s0;
    v8u t = st->s1 << 9;
    st->s2 ^= st->s0;
    st->s3 ^= st->s1;
    st->s1 ^= st->s2;
    st->s0 ^= st->s3;
    st->s2 ^= t;
    st->s3 = rotl(st->s3, 11);
    return result;
}

/* The normal-making helpers for vectors of W lanes (types VF, VI, VU): written once, instantiated for 8 lanes (AVX2
 * and baseline) and 16 (AVX-512, compiled for it: ATTR). Lane for lane they run the same IEEE operations, so every
 * width gives the same bits. */
#define NORMAL_HELPERS(W, VF, VI, VU, ATTR) \
INLINE ATTR VF as_f##W(VI x) { VF y; memcpy(&y, &x, sizeof y); return y; } \
INLINE ATTR VI as_i##W(VF x) { VI y; memcpy(&y, &x, sizeof y); return y; } \
/* mask ? a : b for masks of all ones or all zeros per lane. */ \
INLINE ATTR VF select_f##W(VI mask, VF a, VF b) { return as_f##W((as_i##W(a) & mask) | (as_i##W(b) & ~mask)); } \
 \
/* Natural log of u in (0, 1] (normal floats): Cephes logf. */ \
INLINE ATTR VF log##W(VF u) { \
    VI ix = as_i##W(u); \
    VI e = (ix >> 23) - 127; \
    VI mb = (ix & 0x7fffff) | 0x3f800000;        /* mantissa in [1, 2) */ \
    VI big = mb > 0x3fb504f3;                     /* above sqrt(2): halve it, exactly */ \
    mb = mb - (big & 0x00800000); \
    e = e - big;                                   /* big is -1 where true */ \
    VF x = as_f##W(mb) - 1.0f;                       /* exact (Sterbenz) */ \
    VF ef = __builtin_convertvector(e, VF); \
    VF z = x * x; \
    VF p = 7.0376836292E-2f * x + -1.1514610310E-1f; \
    p = p * x + 1.1676998740E-1f; \
    p = p * x + -1.2420140846E-1f; \
    p = p * x + 1.4249322787E-1f; \
    p = p * x + -1.6668057665E-1f; \
    p = p * x + 2.0000714765E-1f; \
    p = p * x + -2.4999993993E-1f; \
    p = p * x + 3.3333331174E-1f; \
    VF y = p * x * z; \
    y = y + ef * -2.12194440E-4f; \
    y = y + -0.5f * z; \
    VF r = x + y; \
    return r + ef * 0.693359375f; \
} \
 \
/* sin and cos of 2 pi t for t = k 2^-24 in [0, 1): Cephes sinf/cosf after an exact reduction in turns. */ \
INLINE ATTR void sincos_turns##W(VF t, VF *sinOut, VF *cosOut) { \
    VI q = __builtin_convertvector(t * 4.0f + 0.5f, VI);  /* nearest quarter turn, 0...4 */ \
    VF f = t - __builtin_convertvector(q, VF) * 0.25f;    /* in [-1/8, 1/8], exact */ \
    VF x = f * 6.28318548f; \
    VF z = x * x; \
    VF s = ((-1.9515295891E-4f * z + 8.3321608736E-3f) * z + -1.6666654611E-1f) * z * x + x; \
    VF c = ((2.443315711809948E-5f * z + -1.388731625493765E-3f) * z + 4.166664568298827E-2f) * z * z; \
    c = c - 0.5f * z; \
    c = c + 1.0f; \
    VI odd = -(q & 1);                                     /* quarter turns 1 and 3 swap sine and cosine */ \
    VF sv = select_f##W(odd, c, s), cv = select_f##W(odd, s, c); \
    *sinOut = as_f##W(as_i##W(sv) ^ (VI)(((VU)q & 2) << 30));             /* negative in turns 2 and 3 */ \
    *cosOut = as_f##W(as_i##W(cv) ^ (VI)(((VU)(q + 1) & 2) << 30));       /* negative in turns 1 and 2 */ \
} \
 \
/* Box-Muller on lane draws a and b: z0 (cosine) and z1 (sine). */ \
INLINE ATTR void box_muller##W(VU a, VU b, VF *z0, VF *z1) { \
    VF u1 = (__builtin_convertvector((VI)(a >> 8), VF) + 1.0f) * 0x1p-24f; \
    VF u2 = __builtin_convertvector((VI)(b >> 8), VF) * 0x1p-24f; \
    VF l = -2.0f * log##W(u1); \
    l = as_f##W(as_i##W(l) & (l > 0.0f));                          /* -0 and rounding below 0 to +0 */ \
    VF r = __builtin_elementwise_sqrt(l); \
    VF sn, cs; \
    sincos_turns##W(u2, &sn, &cs); \
    *z0 = r * cs; \
    *z1 = r * sn; \
}

NORMAL_HELPERS(8, v8f, v8i, v8u, )

/* The next sixteen normals: lane l's cosine at 0 + l, its sine at 8 + l. */
INLINE void next_normals16(lanes_state *st, v8f *z0, v8f *z1) {
    v8u a = next8(st), b = next8(st);
    box_muller8(a, b, z0, z1);
}

INLINE void normals_impl(float *z, size_t count, uint64_t key, uint64_t stream, uint64_t counter) {
    lanes_state st;
    seed_lanes(&st, key, stream, counter);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        v8f z0, z1;
        next_normals16(&st, &z0, &z1);
        memcpy(z + i, &z0, sizeof z0);
        memcpy(z + i + 8, &z1, sizeof z1);
    }
    if (i < count) {
        float tail[16];
        v8f z0, z1;
        next_normals16(&st, &z0, &z1);
        memcpy(tail, &z0, sizeof z0);
        memcpy(tail + 8, &z1, sizeof z1);
        memcpy(z + i, tail, sizeof(float) * (count - i));
    }
}
TWO_VERSIONS(void, normals, (float *z, size_t count, uint64_t key, uint64_t stream, uint64_t counter), (z, count, key, stream, counter))
void ccopia_normals(float *z, size_t count, uint64_t key, uint64_t stream, uint64_t counter) {
    normals_pick(z, count, key, stream, counter);
}

/* saturate(round_half_even((float(d) + mu) + sd * z)) of W samples, NaN to 0 (Swift's sampleFromFloat). */
#define NOISY(W, VF, VI, VB) \
INLINE VB noisy##W(VB d, VF z, float mu, float sd) { \
    VF v = (__builtin_convertvector(d, VF) + mu) + sd * z; \
    VF c = as_f##W(as_i##W(v) & (v > 0.0f)); \
    c = select_f##W(c < 255.0f, c, (VF){} + 255.0f); \
    c = (c + 12582912.0f) - 12582912.0f; \
    return __builtin_convertvector(__builtin_convertvector(c, VI), VB); \
}
NOISY(8, v8f, v8i, v8b)

/* The noise pass from sample i on, sixteen samples (one step of the lanes) at a time; returns count. */
INLINE void gauss_noise_from(lanes_state *st, const uint8_t *src, uint8_t *d, size_t i, size_t count, float mu, float sd) {
    for (; i + 16 <= count; i += 16) {
        v8f z0, z1;
        next_normals16(st, &z0, &z1);
        v8b d0, d1;
        memcpy(&d0, src + i, 8);
        memcpy(&d1, src + i + 8, 8);
        d0 = noisy8(d0, z0, mu, sd);
        d1 = noisy8(d1, z1, mu, sd);
        memcpy(d + i, &d0, 8);
        memcpy(d + i + 8, &d1, 8);
    }
    if (i < count) {
        uint8_t tail[16] = {0};
        memcpy(tail, src + i, count - i);
        v8f z0, z1;
        next_normals16(st, &z0, &z1);
        v8b d0, d1;
        memcpy(&d0, tail, 8);
        memcpy(&d1, tail + 8, 8);
        d0 = noisy8(d0, z0, mu, sd);
        d1 = noisy8(d1, z1, mu, sd);
        memcpy(tail, &d0, 8);
        memcpy(tail + 8, &d1, 8);
        memcpy(d + i, tail, count - i);
    }
}

INLINE void gauss_noise_impl(const uint8_t *src, uint8_t *d, size_t count, uint64_t key, uint64_t stream, uint64_t counter,
                             float mu, float sd) {
    lanes_state st;
    seed_lanes(&st, key, stream, counter);
    gauss_noise_from(&st, src, d, 0, count, mu, sd);
}
TWO_VERSIONS(void, gauss_noise, (const uint8_t *src, uint8_t *d, size_t count, uint64_t key, uint64_t stream, uint64_t counter,
                                  float mu, float sd), (src, d, count, key, stream, counter, mu, sd))

#if defined(__x86_64__)
#include <immintrin.h>
/* Sixteen lanes: two steps of the eight xoshiro lanes (drawn in the same order as gauss_noise_impl draws them) go
 * through one Box-Muller of sixteen lanes, which AVX-512 does in one register per value: the same operations on
 * each lane, so the same bytes, for about three quarters of the time of two eight-lane steps. */
NORMAL_HELPERS(16, v16f, v16i, v16u, AVX512_TARGET)

/* Four eight-lane draws a0 b0 a1 b1 (two steps of gauss_noise_impl), through memory the compiler removes. */
INLINE void draw4x8(lanes_state *st, v8u out[4]) {
    for (int k = 0; k < 4; k++) out[k] = next8(st);
}

/* noisy8 on sixteen samples with three instructions for its clamp and rounding: max(v, 0) returns 0 for NaN and
 * for -0 (its second operand), as noisy8's mask does; min(c, 255); then one conversion rounding half to even, which
 * is the add-and-subtract rounding on [0, 255]. */
AVX512_TARGET static inline __attribute__((always_inline)) void noisy16_store(const uint8_t *p, uint8_t *o, v16f z, float mu,
                                                                              float sd) {
    __m512 vz;
    memcpy(&vz, &z, sizeof vz);
    __m512 x = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)p)));
    __m512 v = _mm512_add_ps(_mm512_add_ps(x, _mm512_set1_ps(mu)), _mm512_mul_ps(_mm512_set1_ps(sd), vz));
    v = _mm512_min_ps(_mm512_max_ps(v, _mm512_setzero_ps()), _mm512_set1_ps(255));
    _mm_storeu_si128((__m128i *)o, _mm512_cvtepi32_epi8(_mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)));
}

AVX512_TARGET static void gauss_noise_avx512(const uint8_t *src, uint8_t *d, size_t count, uint64_t key, uint64_t stream,
                                             uint64_t counter, float mu, float sd) {
    lanes_state st;
    seed_lanes(&st, key, stream, counter);
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        v8u r[4];
        draw4x8(&st, r);
        v16u a = __builtin_shufflevector(r[0], r[2], 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        v16u b = __builtin_shufflevector(r[1], r[3], 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        v16f cs, sn;
        box_muller16(a, b, &cs, &sn);
        /* Step k's cosines, then its sines, then step k + 1's: the eight-lane order. */
        v16f z0 = __builtin_shufflevector(cs, sn, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
        v16f z1 = __builtin_shufflevector(cs, sn, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
        noisy16_store(src + i, d + i, z0, mu, sd);
        noisy16_store(src + i + 16, d + i + 16, z1, mu, sd);
    }
    gauss_noise_from(&st, src, d, i, count, mu, sd);
}
#endif

void ccopia_gauss_noise_u8(const uint8_t *src, uint8_t *dst, size_t count, uint64_t key, uint64_t stream, uint64_t counter,
                           float mu, float sd) {
#if defined(__x86_64__)
    if (ccopia_pixels_use_avx512()) { gauss_noise_avx512(src, dst, count, key, stream, counter, mu, sd); return; }
#endif
    gauss_noise_pick(src, dst, count, key, stream, counter, mu, sd);
}

INLINE void box_muller_impl(const uint32_t *a, const uint32_t *b, size_t n, float *cosOut, float *sinOut) {
    for (size_t i = 0; i < n; i += 8) {
        size_t m = n - i < 8 ? n - i : 8;
        uint32_t ta[8] = {0}, tb[8] = {0};
        memcpy(ta, a + i, 4 * m);
        memcpy(tb, b + i, 4 * m);
        v8u va, vb;
        memcpy(&va, ta, sizeof va);
        memcpy(&vb, tb, sizeof vb);
        v8f z0, z1;
        box_muller8(va, vb, &z0, &z1);
        float c[8], s[8];
        memcpy(c, &z0, sizeof c);
        memcpy(s, &z1, sizeof s);
        memcpy(cosOut + i, c, 4 * m);
        memcpy(sinOut + i, s, 4 * m);
    }
}
TWO_VERSIONS(void, box_muller, (const uint32_t *a, const uint32_t *b, size_t n, float *cosOut, float *sinOut), (a, b, n, cosOut, sinOut))
void ccopia_box_muller(const uint32_t *a, const uint32_t *b, size_t n, float *cosOut, float *sinOut) {
    box_muller_pick(a, b, n, cosOut, sinOut);
}
