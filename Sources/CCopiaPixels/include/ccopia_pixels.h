#ifndef CCOPIA_PIXELS_H
#define CCOPIA_PIXELS_H
/* Hot pixel loops in C, compiled for AVX2/FMA behind runtime CPU checks (see pixels.c, noise.c).
 * Each kernel reproduces the arithmetic of the Swift code it replaces operation for operation (no FMA contraction,
 * same evaluation order, same rounding; the separable filter's multiply-adds are explicit fused ones, fmaf where the
 * processor has none), so outputs are bit-identical on every path; the Gaussian noise generator (noise.c) is defined
 * by its C source alone, with the same guarantee. */
#include <stddef.h>
#include <stdint.h>

/* 1 when the processor has AVX2 and FMA. */
int ccopia_pixels_has_avx2(void);

/* Border modes, in the order of Swift's BorderMode cases. */
enum { CCOPIA_BORDER_CONSTANT = 0, CCOPIA_BORDER_REFLECT101 = 1, CCOPIA_BORDER_REFLECT = 2,
       CCOPIA_BORDER_REPLICATE = 3, CCOPIA_BORDER_WRAP = 4 };

/* dst[i] = table_c[src[i]] for the first `colors` channels of each of `n` pixels of `cn` channels; the rest are
 * copied. `tables` holds `ntables` tables of 256 entries; channel c uses table min(c, ntables - 1). */
void ccopia_lut_u8(const uint8_t *src, uint8_t *dst, size_t n, int cn, int colors, const uint8_t *tables, int ntables);

/* BT.601 luma (OpenCV's fixed point) of each of `n` RGB(A) pixels into `out` (cn >= 3). */
void ccopia_gray_u8(const uint8_t *src, size_t n, int cn, int64_t *out);

/* d = saturate(round_half_even(d * factor + gray(d) * (1 - factor))) in double for channels 0..2 (cn >= 3). */
void ccopia_blend_gray_u8(uint8_t *data, size_t n, int cn, double factor);

/* The sum of the luma of all `n` pixels after `lut` (NULL: none) on the colour channels (channel 0 when cn < 3). */
int64_t ccopia_gray_sum_u8(const uint8_t *src, size_t n, int cn, const uint8_t *lut);

/* ccopia_blend_gray_u8 after `lut` on channels 0..2 of each pixel, in the same pass. */
void ccopia_blend_gray_lut_u8(uint8_t *data, size_t n, int cn, double factor, const uint8_t *lut);

/* OpenCV's 8-bit RGB2HSV, the float tables ht/st/vt (256 each), then HSV2RGB in float (cn >= 3). */
void ccopia_map_hsv_u8(const uint8_t *src, uint8_t *dst, size_t n, int cn, const float *ht, const float *st, const float *vt,
                       const int32_t *sdiv, const int32_t *hdiv);

/* ccopia_map_hsv_u8 after `lut` on channels 0..2 (cn 3 or 4), through a buffer: one pass. dst may equal src. */
void ccopia_map_hsv_lut_u8(const uint8_t *src, uint8_t *dst, size_t n, int cn, const float *ht, const float *st, const float *vt,
                           const int32_t *sdiv, const int32_t *hdiv, const uint8_t *lut);

/* Bilinear sampling of one output row of `n` pixels at source coordinates xy (x, y pairs), as WarpKernels' RowSampler. */
void ccopia_sample_row_bilinear_u8(const uint8_t *src, int sw, int sh, int cn, const float *xy, size_t n, uint8_t *dst,
                                   int border, const int32_t *fill);

/* The whole affine bilinear warp: output (x, y) samples (a x + b y + c, d x + e y + f) in float. */
void ccopia_warp_affine_bilinear_u8(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                                    const float *m, int border, const int32_t *fill);

/* Separable correlation in float of the `colors` first channels (alpha kept in dst): rows with kx (indices xs of
 * length w + 2 (nkx / 2) into the row), then columns with ky (indices ys of length h + 2 (nky / 2)), with the fused
 * multiply-adds and symmetric column pairs of OpenCV's sepFilter2D at 8-bit (see pixels.c). dst holds a copy of src.
 * Returns -1 when scratch memory runs out. */
int ccopia_separable_u8(const uint8_t *src, uint8_t *dst, int w, int h, int cn, int colors,
                        const float *kx, int nkx, const int32_t *xs, const float *ky, int nky, const int32_t *ys);

/* Makes ccopia_pixels_use_avx2 report 0 (on != 0) or the processor's answer again (0): for tests that compare the two
 * builds of every kernel byte for byte. */
void ccopia_pixels_force_baseline(int on);

/* 1 when the AVX2 builds of the kernels run now (the processor has AVX2 and FMA, and the baseline is not forced). */
int ccopia_pixels_use_avx2(void);

/* Makes ccopia_pixels_use_avx512 report 0 (on != 0), so the AVX2 builds run where AVX-512 ones exist, or lets the
 * processor choose again (0): for tests that compare the builds byte for byte. */
void ccopia_pixels_force_avx2(int on);

/* 1 when the AVX-512 builds of the kernels that have one run now (the processor has AVX-512 F/DQ/VL/BW and neither
 * the baseline nor AVX2 is forced). */
int ccopia_pixels_use_avx512(void);

/* `count` standard normals (see noise.c: xoshiro128++ lanes seeded by Philox4x32-10 blocks counter..counter+7 of
 * (key, stream), Box-Muller in float with polynomial log/sin/cos), identical on every path and machine. */
void ccopia_normals(float *z, size_t count, uint64_t key, uint64_t stream, uint64_t counter);

/* dst[i] = saturate(round_half_even((float(src[i]) + mu) + sd * z[i])) for i < count, with z the normals ccopia_normals
 * gives for the same arguments, in one pass (maxValue 255, NaN to 0). dst may equal src. */
void ccopia_gauss_noise_u8(const uint8_t *src, uint8_t *dst, size_t count, uint64_t key, uint64_t stream, uint64_t counter,
                           float mu, float sd);

/* The Box-Muller transform ccopia_normals applies, on given 32-bit draws: for tests of its accuracy. */
void ccopia_box_muller(const uint32_t *a, const uint32_t *b, size_t n, float *cosOut, float *sinOut);

/* OpenCV's fixed-point 8-bit bilinear resize: horizontal taps (2 per output, indices pre-multiplied by cn, weights
 * in 1/2048) over the source rows marked in `needed`, then the SIMD-exact vertical pass. */
int ccopia_resize_linear_u8(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                            const int32_t *xi, const int32_t *xw, const int32_t *yi, const int32_t *yw);

/* Mirrors a w x h image of cn 8-bit channels left-right into dst (not overlapping src). */
void ccopia_flip_horizontal_u8(const uint8_t *src, uint8_t *dst, size_t w, size_t h, int cn);

#endif
