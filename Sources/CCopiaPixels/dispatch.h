#ifndef CCOPIA_PIXELS_DISPATCH_H
#define CCOPIA_PIXELS_DISPATCH_H
/* Shared by the kernel files: each kernel is a static inline `name_impl` compiled twice, for AVX2/FMA and for the
 * baseline target, and `name_pick` calls the one the processor (and ccopia_pixels_force_baseline) allows. Files that
 * include this keep floating-point contraction off, so both copies compute bit-identical results. */
#include "ccopia_pixels.h"

#define use_avx2 ccopia_pixels_use_avx2

/* Vectors pass between always-inline helpers only, so the AVX/SSE argument ABI difference never matters. */
#pragma clang diagnostic ignored "-Wpsabi"

#define INLINE static inline __attribute__((always_inline))
#if defined(__x86_64__)
#define AVX2_TARGET __attribute__((target("avx2,fma")))
/* The few kernels with a third, 16-lane build; ccopia_pixels_use_avx512 says when it runs. */
#define AVX512_TARGET __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")))
/* Defines name##_avx2 and name##_base around the inline body `impl`, and `dispatch` calls the right one. */
#define TWO_VERSIONS(ret, name, params, args) \
    AVX2_TARGET static ret name##_avx2 params { return name##_impl args; } \
    static ret name##_base params { return name##_impl args; } \
    static ret name##_pick params { return use_avx2() ? name##_avx2 args : name##_base args; }
#else
#define TWO_VERSIONS(ret, name, params, args) \
    static ret name##_pick params { return name##_impl args; }
#endif

/* Eight lanes as one value: lowered to AVX registers in the AVX2 version, to SSE pairs in the baseline, to NEON on
 * ARM. Only IEEE operations that are exactly rounded (add, sub, mul, sqrt, conversions) are used on them. */
typedef float v8f __attribute__((vector_size(32), aligned(4)));
typedef int32_t v8i __attribute__((vector_size(32), aligned(4)));
typedef uint32_t v8u __attribute__((vector_size(32), aligned(4)));
typedef uint8_t v8b __attribute__((vector_size(8), aligned(1)));
/* Sixteen lanes, for the AVX-512 builds (lowered to SSE or AVX pieces anywhere else). */
typedef float v16f __attribute__((vector_size(64), aligned(4)));
typedef int32_t v16i __attribute__((vector_size(64), aligned(4)));
typedef uint32_t v16u __attribute__((vector_size(64), aligned(4)));
typedef uint8_t v16b __attribute__((vector_size(16), aligned(1)));

#endif
