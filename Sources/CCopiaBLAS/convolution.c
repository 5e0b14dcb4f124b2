/* Convolutions as im2col + GEMM (Chellapilla, Puri & Simard, 2006), a few samples at a time.
 *
 * A whole batch's column matrix is 9-13 MB for the DCGAN's layers: written by im2col, then streamed through the GEMM
 * from memory. Working on `chunk` samples at a time keeps the columns (about 1 MB) in the core's L2 cache between the
 * two, and lets each of CopiaLearn's threads run its own samples with a single-threaded GEMM: no BLAS thread pool
 * spinning beside the transforms. The weight gradient is accumulated (beta 1) chunk after chunk, so its summation
 * order depends only on the chunk size and the sample range, never on timing.
 *
 * Layout: NCHW tensors; a column matrix has channels * k * k rows and samples * out_height * out_width columns. */
#include "ccopia_blas.h"
#include <stdlib.h>
#include <string.h>

#define CCOPIA_INLINE static inline __attribute__((always_inline))

/* Both transforms are gathers through an index table built per call (a few thousand entries, shared by every channel
 * and sample): im2col reads, for each kernel tap and output position, one input pixel or padding (index -1);
 * col2im reads, for each input pixel, the at most ceil(k/s)^2 column entries that cover it and sums them in tap order,
 * so it writes each input pixel once instead of scattering additions. The gathers run eight lanes at a time with
 * AVX2 where the CPU has it; measured on the DCGAN's 4x4 stride-2 layers, about 8x the row-by-row loops. */

typedef struct {
    int *index;     /* im2col: [k*k][out_h*out_w]; col2im: [taps][h*w] */
    int taps;       /* col2im: entries per input pixel */
} gather_table;

/* im2col table: index[t][o] = the input pixel read by tap t at output position o, -1 for padding. */
static int *im2col_table(const ccopia_conv_shape *g) {
    const int K = g->kernel, Ho = g->out_height, Wo = g->out_width;
    int *index = malloc(sizeof(int) * (size_t)(K * K * Ho * Wo));
    if (!index) abort();
    for (int ky = 0; ky < K; ky++)
        for (int kx = 0; kx < K; kx++)
            for (int oy = 0; oy < Ho; oy++)
                for (int ox = 0; ox < Wo; ox++) {
                    const int iy = oy * g->stride - g->padding + ky, ix = ox * g->stride - g->padding + kx;
                    const int inside = iy >= 0 && iy < g->height && ix >= 0 && ix < g->width;
                    index[((ky * K + kx) * Ho + oy) * Wo + ox] = inside ? iy * g->width + ix : -1;
                }
    return index;
}

/* col2im table: for each input pixel, the (tap * ncols + output position) entries covering it, -1 past the last. */
static gather_table col2im_table(const ccopia_conv_shape *g, long ncols) {
    const int K = g->kernel, S = g->stride, P = g->padding, H = g->height, W = g->width;
    const int per_axis = (K + S - 1) / S, taps = per_axis * per_axis;
    gather_table t = { malloc(sizeof(int) * (size_t)(taps * H * W)), taps };
    if (!t.index) abort();
    for (int iy = 0; iy < H; iy++)
        for (int ix = 0; ix < W; ix++) {
            int n = 0;
            for (int ky = 0; ky < K; ky++) {
                const int y = iy + P - ky;
                if (y < 0 || y % S != 0 || y / S >= g->out_height) continue;
                for (int kx = 0; kx < K; kx++) {
                    const int x = ix + P - kx;
                    if (x < 0 || x % S != 0 || x / S >= g->out_width) continue;
                    t.index[n * H * W + iy * W + ix] = (int)((ky * K + kx) * ncols + (y / S) * g->out_width + x / S);
                    n++;
                }
            }
            for (; n < taps; n++) t.index[n * H * W + iy * W + ix] = -1;
        }
    return t;
}

CCOPIA_INLINE void gather_scalar(const float *restrict src, const int *restrict index, long n, float *restrict dst) {
    for (long i = 0; i < n; i++) dst[i] = index[i] >= 0 ? src[index[i]] : 0.0f;
}

CCOPIA_INLINE void im2col_with(const ccopia_conv_shape *g, int batch, const int *index, const float *x, float *cols,
                               void (*gather)(const float *, const int *, long, float *)) {
    const int C = g->channels, KK = g->kernel * g->kernel;
    const long hw = (long)g->height * g->width, so = (long)g->out_height * g->out_width, ncols = batch * so;
    for (int c = 0; c < C; c++)
        for (int t = 0; t < KK; t++) {
            float *dst = cols + ((long)c * KK + t) * ncols;
            for (int b = 0; b < batch; b++) gather(x + ((long)b * C + c) * hw, index + t * so, so, dst + b * so);
        }
}

/* x[i] = the sum over taps of cols[index[tap][i]], in tap order; -1 marks a missing tap. */
CCOPIA_INLINE void col2im_scalar(const float *restrict src, const gather_table *t, long hw, float *restrict dst) {
    for (long i = 0; i < hw; i++) {
        float acc = 0;
        for (int k = 0; k < t->taps; k++) {
            const int j = t->index[k * hw + i];
            if (j >= 0) acc += src[j];
        }
        dst[i] = acc;
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define CCOPIA_AVX2 __attribute__((target("avx2,fma")))

CCOPIA_AVX2 static void gather_avx2(const float *src, const int *index, long n, float *dst) {
    long i = 0;
    const __m256i none = _mm256_set1_epi32(-1);
    for (; i + 8 <= n; i += 8) {
        const __m256i id = _mm256_loadu_si256((const __m256i *)(index + i));
        const __m256 mask = _mm256_castsi256_ps(_mm256_cmpgt_epi32(id, none));
        _mm256_storeu_ps(dst + i, _mm256_mask_i32gather_ps(_mm256_setzero_ps(), src, id, mask, 4));
    }
    for (; i < n; i++) dst[i] = index[i] >= 0 ? src[index[i]] : 0.0f;
}

CCOPIA_AVX2 static void col2im_avx2(const float *src, const gather_table *t, long hw, float *dst) {
    long i = 0;
    const __m256i none = _mm256_set1_epi32(-1);
    for (; i + 8 <= hw; i += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (int k = 0; k < t->taps; k++) {
            const __m256i id = _mm256_loadu_si256((const __m256i *)(t->index + k * hw + i));
            const __m256 mask = _mm256_castsi256_ps(_mm256_cmpgt_epi32(id, none));
            acc = _mm256_add_ps(acc, _mm256_mask_i32gather_ps(_mm256_setzero_ps(), src, id, mask, 4));
        }
        _mm256_storeu_ps(dst + i, acc);
    }
    for (; i < hw; i++) {
        float acc = 0;
        for (int k = 0; k < t->taps; k++) {
            const int j = t->index[k * hw + i];
            if (j >= 0) acc += src[j];
        }
        dst[i] = acc;
    }
}

#endif

static void gather_generic(const float *src, const int *index, long n, float *dst) { gather_scalar(src, index, n, dst); }

void ccopia_im2col(const ccopia_conv_shape *g, int batch, const float *x, float *cols) {
    int *index = im2col_table(g);
    void (*gather)(const float *, const int *, long, float *) = gather_generic;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (ccopia_blas_has_avx2()) gather = gather_avx2;
#endif
    im2col_with(g, batch, index, x, cols, gather);
    free(index);
}

void ccopia_col2im(const ccopia_conv_shape *g, int batch, const float *cols, float *x) {
    const long so = (long)g->out_height * g->out_width, ncols = batch * so, hw = (long)g->height * g->width;
    const int KK = g->kernel * g->kernel;
    gather_table t = col2im_table(g, ncols);
    for (int b = 0; b < batch; b++)
        for (int c = 0; c < g->channels; c++) {
            const float *src = cols + (long)c * KK * ncols + b * so;
            float *dst = x + ((long)b * g->channels + c) * hw;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
            if (ccopia_blas_has_avx2()) { col2im_avx2(src, &t, hw, dst); continue; }
#endif
            col2im_scalar(src, &t, hw, dst);
        }
    free(t.index);
}

/* [batch, channels, spatial] -> [channels, batch * spatial], and back. */
static void to_channel_major(const float *x, int batch, int channels, long spatial, float *y) {
    for (int b = 0; b < batch; b++)
        for (int c = 0; c < channels; c++)
            memcpy(y + ((long)c * batch + b) * spatial, x + ((long)b * channels + c) * spatial, sizeof(float) * (size_t)spatial);
}

static void to_batch_major(const float *y, int batch, int channels, long spatial, const float *bias, float *x) {
    for (int b = 0; b < batch; b++) {
        for (int c = 0; c < channels; c++) {
            float *d = x + ((long)b * channels + c) * spatial;
            const float *s = y + ((long)c * batch + b) * spatial;
            if (bias) {
                const float v = bias[c];
                for (long i = 0; i < spatial; i++) d[i] = s[i] + v;
            } else {
                memcpy(d, s, sizeof(float) * (size_t)spatial);
            }
        }
    }
}

static void add_bias(float *x, int batch, int channels, long spatial, const float *bias) {
    for (int b = 0; b < batch; b++)
        for (int c = 0; c < channels; c++) {
            float *d = x + ((long)b * channels + c) * spatial;
            const float v = bias[c];
            for (long i = 0; i < spatial; i++) d[i] += v;
        }
}

long ccopia_conv2d_workspace(const ccopia_conv_shape *g, int out_channels, int chunk) {
    const long rows = (long)g->channels * g->kernel * g->kernel, n = (long)chunk * g->out_height * g->out_width;
    return rows * n + (long)out_channels * n;
}

void ccopia_conv2d_forward(const ccopia_conv_shape *g, int out_channels, int batch, int chunk, const float *x,
                           const float *w, int ldw, const float *bias, const float *plane_bias, const int *planes,
                           float *y, float *work) {
    const int rows = g->channels * g->kernel * g->kernel;
    const long so = (long)g->out_height * g->out_width, in_size = (long)g->channels * g->height * g->width;
    float *cols = work, *product = work + (long)rows * chunk * so;
    for (int b0 = 0; b0 < batch; b0 += chunk) {
        const int cb = batch - b0 < chunk ? batch - b0 : chunk;
        const int n = (int)(cb * so);
        ccopia_im2col(g, cb, x + b0 * in_size, cols);
        ccopia_sgemm(0, 0, out_channels, n, rows, 1, w, ldw, cols, n, 0, product, n);
        float *yc = y + b0 * out_channels * so;
        if (plane_bias == NULL) {
            to_batch_major(product, cb, out_channels, so, bias, yc);
            continue;
        }
        for (int b = 0; b < cb; b++) {
            const float *pb = plane_bias + (long)planes[b0 + b] * out_channels * so;
            for (int c = 0; c < out_channels; c++) {
                float *d = yc + ((long)b * out_channels + c) * so;
                const float *s = product + ((long)c * cb + b) * so, *q = pb + (long)c * so;
                for (long i = 0; i < so; i++) d[i] = s[i] + q[i];
            }
        }
    }
}

/* The output positions [lo, hi) along one axis whose input position o * stride - padding + k lies inside [0, extent). */
static void valid_range(int out_extent, int extent, int stride, int padding, int k, int *lo, int *hi) {
    int l = 0, h = out_extent;
    while (l < h && l * stride - padding + k < 0) l++;
    while (h > l && (h - 1) * stride - padding + k >= extent) h--;
    *lo = l;
    *hi = h;
}

void ccopia_conv2d_plane_bias(const ccopia_conv_shape *g, int out_channels, int first_out, int last_out, int plane_count,
                              int first_plane, const float *w, int ldw, const float *bias, float *plane_bias) {
    const int K = g->kernel, Ho = g->out_height, Wo = g->out_width;
    int ylo[K], yhi[K], xlo[K], xhi[K];
    for (int k = 0; k < K; k++) {
        valid_range(Ho, g->height, g->stride, g->padding, k, &ylo[k], &yhi[k]);
        valid_range(Wo, g->width, g->stride, g->padding, k, &xlo[k], &xhi[k]);
    }
    float r[K * Wo];
    for (int l = 0; l < plane_count; l++) {
        for (int o = first_out; o < last_out; o++) {
            const float *wt = w + (long)o * ldw + (long)(first_plane + l) * K * K;
            /* r[ky][ox]: the plane's taps of kernel row ky that read inside the image at column ox */
            for (int ky = 0; ky < K; ky++) {
                float *rr = r + ky * Wo;
                for (int ox = 0; ox < Wo; ox++) rr[ox] = 0;
                for (int kx = 0; kx < K; kx++)
                    for (int ox = xlo[kx]; ox < xhi[kx]; ox++) rr[ox] += wt[ky * K + kx];
            }
            float *pb = plane_bias + ((long)l * out_channels + o) * Ho * Wo;
            const float b = bias ? bias[o] : 0.0f;
            for (int i = 0; i < Ho * Wo; i++) pb[i] = b;
            for (int ky = 0; ky < K; ky++)
                for (int oy = ylo[ky]; oy < yhi[ky]; oy++)
                    for (int ox = 0; ox < Wo; ox++) pb[oy * Wo + ox] += r[ky * Wo + ox];
        }
    }
}

void ccopia_conv2d_plane_weight_gradient(const ccopia_conv_shape *g, int out_channels, int first_out, int last_out,
                                         int batch, const int *planes, int plane_count, int first_plane, const float *dy,
                                         float *dw, int ldw, float *work) {
    const int K = g->kernel, Ho = g->out_height, Wo = g->out_width;
    const long so = (long)Ho * Wo;
    int ylo[K], yhi[K], xlo[K], xhi[K];
    for (int k = 0; k < K; k++) {
        valid_range(Ho, g->height, g->stride, g->padding, k, &ylo[k], &yhi[k]);
        valid_range(Wo, g->width, g->stride, g->padding, k, &xlo[k], &xhi[k]);
    }
    /* work[l][o][p]: dy summed over the samples of plane l (in sample order), for the channels in range */
    const long span = (long)(last_out - first_out) * so;
    for (int l = 0; l < plane_count; l++) memset(work + ((long)l * out_channels + first_out) * so, 0, sizeof(float) * (size_t)span);
    for (int n = 0; n < batch; n++) {
        float *z = work + ((long)planes[n] * out_channels + first_out) * so;
        const float *d = dy + ((long)n * out_channels + first_out) * so;
        for (long i = 0; i < span; i++) z[i] += d[i];
    }
    float rows[K * Wo];
    for (int l = 0; l < plane_count; l++) {
        for (int o = first_out; o < last_out; o++) {
            const float *z = work + ((long)l * out_channels + o) * so;
            for (int ky = 0; ky < K; ky++) {
                float *rr = rows + ky * Wo;
                for (int ox = 0; ox < Wo; ox++) rr[ox] = 0;
                for (int oy = ylo[ky]; oy < yhi[ky]; oy++)
                    for (int ox = 0; ox < Wo; ox++) rr[ox] += z[oy * Wo + ox];
            }
            float *d = dw + (long)o * ldw + (long)(first_plane + l) * K * K;
            for (int ky = 0; ky < K; ky++)
                for (int kx = 0; kx < K; kx++) {
                    float acc = 0;
                    for (int ox = xlo[kx]; ox < xhi[kx]; ox++) acc += rows[ky * Wo + ox];
                    d[ky * K + kx] += acc;
                }
        }
    }
}

void ccopia_conv2d_backward(const ccopia_conv_shape *g, int out_channels, int batch, int chunk, const float *x,
                            const float *dy, const float *w, int ldw, float *dw, int dx_channels, float *dx,
                            float *work) {
    const int rows = g->channels * g->kernel * g->kernel, dx_rows = dx_channels * g->kernel * g->kernel;
    const long so = (long)g->out_height * g->out_width, in_size = (long)g->channels * g->height * g->width;
    const long dx_size = (long)dx_channels * g->height * g->width;
    float *cols = work, *dyp = work + (long)rows * chunk * so;
    ccopia_conv_shape dg = *g;
    dg.channels = dx_channels;
    for (int b0 = 0; b0 < batch; b0 += chunk) {
        const int cb = batch - b0 < chunk ? batch - b0 : chunk;
        const int n = (int)(cb * so);
        to_channel_major(dy + b0 * out_channels * so, cb, out_channels, so, dyp);
        if (dw != NULL) {
            ccopia_im2col(g, cb, x + b0 * in_size, cols);
            /* dW [out, rows] += dy [out, n] . cols^T */
            ccopia_sgemm(0, 1, out_channels, rows, n, 1, dyp, n, cols, n, 1, dw, ldw);
        }
        if (dx == NULL || dx_channels == 0) continue;
        /* dcols [dx_rows, n] = W[:, :dx_rows]^T . dy, folded back into the chunk's input gradient */
        ccopia_sgemm(1, 0, dx_rows, n, out_channels, 1, w, ldw, dyp, n, 0, cols, n);
        ccopia_col2im(&dg, cb, cols, dx + b0 * dx_size);
    }
}

long ccopia_conv_transpose2d_workspace(const ccopia_conv_shape *g, int in_channels, int chunk) {
    const long rows = (long)g->channels * g->kernel * g->kernel, n = (long)chunk * g->out_height * g->out_width;
    return rows * n + (long)in_channels * n;
}

void ccopia_conv_transpose2d_forward(const ccopia_conv_shape *g, int in_channels, int batch, int chunk, const float *x,
                                     const float *w, const float *bias, float *y, float *work) {
    const int rows = g->channels * g->kernel * g->kernel;
    const long si = (long)g->out_height * g->out_width, out_size = (long)g->channels * g->height * g->width;
    float *cols = work, *xp = work + (long)rows * chunk * si;
    for (int b0 = 0; b0 < batch; b0 += chunk) {
        const int cb = batch - b0 < chunk ? batch - b0 : chunk;
        const int n = (int)(cb * si);
        to_channel_major(x + b0 * in_channels * si, cb, in_channels, si, xp);
        /* cols [rows, n] = W^T [rows, in] . x [in, n] */
        ccopia_sgemm(1, 0, rows, n, in_channels, 1, w, rows, xp, n, 0, cols, n);
        float *yc = y + b0 * out_size;
        ccopia_col2im(g, cb, cols, yc);
        if (bias) add_bias(yc, cb, g->channels, (long)g->height * g->width, bias);
    }
}

void ccopia_conv_transpose2d_backward(const ccopia_conv_shape *g, int in_channels, int batch, int chunk, const float *x,
                                      const float *dy, const float *w, float *dw, float *dx, float *work) {
    const int rows = g->channels * g->kernel * g->kernel;
    const long si = (long)g->out_height * g->out_width, out_size = (long)g->channels * g->height * g->width;
    float *cols = work, *xp = work + (long)rows * chunk * si;
    for (int b0 = 0; b0 < batch; b0 += chunk) {
        const int cb = batch - b0 < chunk ? batch - b0 : chunk;
        const int n = (int)(cb * si);
        ccopia_im2col(g, cb, dy + b0 * out_size, cols);
        if (dw != NULL) {
            to_channel_major(x + b0 * in_channels * si, cb, in_channels, si, xp);
            /* dW [in, rows] += x [in, n] . dcols^T */
            ccopia_sgemm(0, 1, in_channels, rows, n, 1, xp, n, cols, n, 1, dw, rows);
        }
        if (dx == NULL) continue;
        /* dx [in, n] = W [in, rows] . dcols, into the buffer x was gathered in */
        ccopia_sgemm(0, 0, in_channels, n, rows, 1, w, rows, cols, n, 0, xp, n);
        to_batch_major(xp, cb, in_channels, si, NULL, dx + b0 * in_channels * si);
    }
}

void ccopia_channel_sums(const float *x, int batch, int channels, long spatial, int first, int last, float *sums) {
    for (int c = first; c < last; c++) {
        double s = 0;
        for (int b = 0; b < batch; b++) {
            const float *p = x + ((long)b * channels + c) * spatial;
            float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            long i = 0;
            for (; i + 8 <= spatial; i += 8)
                for (int l = 0; l < 8; l++) acc[l] += p[i + l];
            for (; i < spatial; i++) acc[0] += p[i];
            s += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        }
        sums[c] += (float)s;
    }
}
