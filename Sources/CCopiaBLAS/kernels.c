/* Elementwise training kernels that Swift cannot vectorise well without target flags (which a package may not set):
 * the Adam update (a square root and a division per parameter) and binary cross-entropy on logits (an exponential and a
 * logarithm per value). Each kernel body is compiled twice, generic and with AVX2+FMA (x86-64), and the CPU picks one
 * at run time. exp and log are short polynomials (below) so the loops vectorise; their accuracy is stated with them. */
#include "ccopia_blas.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#define CCOPIA_INLINE static inline __attribute__((always_inline))

/* e^x for x <= 0 (the only use here): Cody-Waite reduction to [-ln2/2, ln2/2] and a degree-6 Taylor polynomial.
 * Relative error below 3e-7 (measured 2.4e-7 over [-87, 0] by Benchmarks/learn/check_kernel_accuracy.c); inputs
 * below -87 are clamped (e^-87 = 1.6e-38, whose contribution to a loss is nil). */
CCOPIA_INLINE float ccopia_exp_nonpositive(float x) {
    x = x < -87.0f ? -87.0f : x;
    /* round to nearest by the 1.5 * 2^23 trick (vectorises; no libm call) */
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693145751953125f - n * 1.428606765330187e-06f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.16666667f + r * (0.041666668f + r * (0.008333334f + r * 0.0013888889f)))));
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* ln(y) for y in [1, 2] as 2 atanh(s), s = (y - 1) / (y + 1) <= 1/3, series to s^13. Absolute error below 1.2e-7
 * (measured 1.1e-7, mostly Float32 rounding; the series' truncation is about 1e-8). */
CCOPIA_INLINE float ccopia_log_1_2(float y) {
    float s = (y - 1.0f) / (y + 1.0f), s2 = s * s;
    float p = 1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9 + s2 * (1.0f / 11 + s2 * (1.0f / 13))))));
    return 2.0f * s * p;
}

CCOPIA_INLINE void adam_body(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long n,
                             float b1, float b2, float step_size, float bc2_root, float eps, float l2, float shrink) {
    for (long j = 0; j < n; j++) {
        float gj = g[j] + l2 * w[j];
        float mj = b1 * m[j] + (1.0f - b1) * gj;
        float vj = b2 * v[j] + (1.0f - b2) * gj * gj;
        m[j] = mj;
        v[j] = vj;
        w[j] = w[j] * shrink - step_size * mj / (sqrtf(vj) / bc2_root + eps);
    }
}

CCOPIA_INLINE double bce_body(const float *restrict x, const float *restrict t, float *restrict grad, long n, float scale) {
    double total = 0;
    for (long start = 0; start < n; start += 4096) {
        long end = start + 4096 < n ? start + 4096 : n;
        float acc = 0;
        for (long i = start; i < end; i++) {
            float v = x[i];
            float e = ccopia_exp_nonpositive(-fabsf(v));
            acc += (v > 0 ? v : 0) - v * t[i] + ccopia_log_1_2(1.0f + e);
            float s = (v >= 0 ? 1.0f : e) / (1.0f + e);
            grad[i] = (s - t[i]) * scale;
        }
        total += acc;
    }
    return total;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define CCOPIA_AVX2 __attribute__((target("avx2,fma")))
CCOPIA_AVX2 static void adam_avx2(float *w, const float *g, float *m, float *v, long n, float b1, float b2,
                                  float step_size, float bc2_root, float eps, float l2, float shrink) {
    adam_body(w, g, m, v, n, b1, b2, step_size, bc2_root, eps, l2, shrink);
}
CCOPIA_AVX2 static double bce_avx2(const float *x, const float *t, float *grad, long n, float scale) {
    return bce_body(x, t, grad, n, scale);
}
#endif

int ccopia_blas_has_avx2(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
#else
    return 0;
#endif
}

void ccopia_adam_step(float *w, const float *g, float *m, float *v, long n, float b1, float b2, float step_size,
                      float bc2_root, float eps, float l2, float shrink) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (ccopia_blas_has_avx2()) { adam_avx2(w, g, m, v, n, b1, b2, step_size, bc2_root, eps, l2, shrink); return; }
#endif
    adam_body(w, g, m, v, n, b1, b2, step_size, bc2_root, eps, l2, shrink);
}

double ccopia_bce_with_logits(const float *x, const float *t, float *grad, long n, float scale) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (ccopia_blas_has_avx2()) return bce_avx2(x, t, grad, n, scale);
#endif
    return bce_body(x, t, grad, n, scale);
}

/* Activations and their gradients over n values, loading both operands unconditionally so the selects vectorise
 * (Swift's closures over Tensor.map do not, and these run on every element of the DCGAN's largest tensors).
 * NaN propagates as in the Swift layers they replaced: ReLU maps it to 0, LeakyReLU keeps it. */
CCOPIA_INLINE void leaky_relu_body(const float *restrict x, float *restrict y, long n, float slope) {
    for (long i = 0; i < n; i++) {
        const float v = x[i], s = slope * v;
        y[i] = v > 0 ? v : s;
    }
}

CCOPIA_INLINE void leaky_relu_backward_body(const float *restrict x, const float *restrict dy, float *restrict dx, long n,
                                            float slope) {
    for (long i = 0; i < n; i++) {
        const float g = dy[i], s = slope * g;
        dx[i] = x[i] > 0 ? g : s;
    }
}

CCOPIA_INLINE void relu_body(const float *restrict x, float *restrict y, long n) {
    for (long i = 0; i < n; i++) {
        const float v = x[i];
        y[i] = v > 0 ? v : 0.0f;
    }
}

CCOPIA_INLINE void relu_backward_body(const float *restrict y, const float *restrict dy, float *restrict dx, long n) {
    for (long i = 0; i < n; i++) {
        const float g = dy[i];
        dx[i] = y[i] > 0 ? g : 0.0f;
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
CCOPIA_AVX2 static void leaky_relu_avx2(const float *x, float *y, long n, float slope) { leaky_relu_body(x, y, n, slope); }
CCOPIA_AVX2 static void leaky_relu_backward_avx2(const float *x, const float *dy, float *dx, long n, float slope) {
    leaky_relu_backward_body(x, dy, dx, n, slope);
}
CCOPIA_AVX2 static void relu_avx2(const float *x, float *y, long n) { relu_body(x, y, n); }
CCOPIA_AVX2 static void relu_backward_avx2(const float *y, const float *dy, float *dx, long n) { relu_backward_body(y, dy, dx, n); }
#define CCOPIA_DISPATCH(avx2_call, generic_call) do { if (ccopia_blas_has_avx2()) { avx2_call; } else { generic_call; } } while (0)
#else
#define CCOPIA_DISPATCH(avx2_call, generic_call) do { generic_call; } while (0)
#endif

void ccopia_leaky_relu(const float *x, float *y, long n, float slope) {
    CCOPIA_DISPATCH(leaky_relu_avx2(x, y, n, slope), leaky_relu_body(x, y, n, slope));
}

void ccopia_leaky_relu_backward(const float *x, const float *dy, float *dx, long n, float slope) {
    CCOPIA_DISPATCH(leaky_relu_backward_avx2(x, dy, dx, n, slope), leaky_relu_backward_body(x, dy, dx, n, slope));
}

void ccopia_relu(const float *x, float *y, long n) {
    CCOPIA_DISPATCH(relu_avx2(x, y, n), relu_body(x, y, n));
}

void ccopia_relu_backward(const float *y, const float *dy, float *dx, long n) {
    CCOPIA_DISPATCH(relu_backward_avx2(y, dy, dx, n), relu_backward_body(y, dy, dx, n));
}
