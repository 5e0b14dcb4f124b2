#ifndef CCOPIA_BLAS_H
#define CCOPIA_BLAS_H

/* CopiaLearn's matrix-multiply backend: cblas_sgemm from OpenBLAS (Linux) or Accelerate (macOS).
 * The wrappers below keep Swift code free of platform conditionals and of the enum types that differ
 * between the two headers. Row-major only. */

#ifdef __cplusplus
extern "C" {
#endif

/* C = alpha * op(A) * op(B) + beta * C, row-major; op(X) = X^T when trans_x != 0.
 * A is M x K after op, B is K x N after op, C is M x N; lda/ldb/ldc are row strides. */
void ccopia_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

/* Prepares the backend once, before the first product: on OpenBLAS builds that fell back to generic kernels for a CPU
 * they do not recognise, selects the AVX-512 or AVX2 kernels the CPU supports (unless OPENBLAS_CORETYPE is set). */
void ccopia_blas_init(void);

/* Sets the number of threads the BLAS may use (OpenBLAS: openblas_set_num_threads; Accelerate: no-op,
 * it manages its own pool). Call it explicitly so BLAS threads do not compete with the pipeline's workers. */
void ccopia_blas_set_threads(int threads);

/* The thread count the BLAS reports (1 where it cannot say). */
int ccopia_blas_get_threads(void);

/* 1 when this CPU runs the AVX2+FMA builds of the kernels below (x86-64 with both), else 0. Cached. */
int ccopia_blas_has_avx2(void);

/* One Adam/AdamW update over n parameters (see Adam in CopiaLearn for the formula); vectorised with AVX2 where present. */
void ccopia_adam_step(float *w, const float *g, float *m, float *v, long n, float b1, float b2, float step_size,
                      float bc2_root, float eps, float l2, float shrink);

/* Binary cross-entropy on logits summed over n values (returned), and its gradient (sigmoid(x) - t) * scale.
 * exp/log are polynomials: exp relative error below 3e-7, log absolute error below 1.2e-7 (measured). */
double ccopia_bce_with_logits(const float *x, const float *t, float *grad, long n, float scale);

/* y = x > 0 ? x : slope * x, and dx = x > 0 ? dy : slope * dy (x is the layer's input). */
void ccopia_leaky_relu(const float *x, float *y, long n, float slope);
void ccopia_leaky_relu_backward(const float *x, const float *dy, float *dx, long n, float slope);

/* y = max(x, 0) (NaN gives 0), and dx = y > 0 ? dy : 0 (y is the layer's output). */
void ccopia_relu(const float *x, float *y, long n);
void ccopia_relu_backward(const float *y, const float *dy, float *dx, long n);

/* The geometry of a square-kernel 2-D convolution: its input planes (channels x height x width) and output planes
 * (out_height x out_width). A transposed convolution uses the geometry of the convolution it is the adjoint of: its
 * output is `channels x height x width`, its input `out_height x out_width`. */
typedef struct {
    int channels, height, width;
    int kernel, stride, padding;
    int out_height, out_width;
} ccopia_conv_shape;

/* im2col of `batch` NCHW samples into cols (channels*k*k rows, batch*out_height*out_width columns); padding reads 0. */
void ccopia_im2col(const ccopia_conv_shape *g, int batch, const float *x, float *cols);

/* The adjoint of ccopia_im2col: writes x (every pixel) with the sums of the column entries that cover it. */
void ccopia_col2im(const ccopia_conv_shape *g, int batch, const float *cols, float *x);

/* Floats of workspace the conv2d kernels need for `chunk` samples at a time. */
long ccopia_conv2d_workspace(const ccopia_conv_shape *g, int out_channels, int chunk);

/* Conv2d forward of `batch` samples, `chunk` at a time, single-threaded GEMMs: y = w * x + bias (bias may be NULL).
 * w is [out_channels, ldw] whose first channels*k*k columns are the weights of x's channels; y is [batch, out_channels,
 * out_height, out_width]. With plane_bias (then bias is ignored), sample b adds plane_bias[planes[b]] ([out_channels,
 * out_height, out_width]) instead: the contribution of constant input planes (see ccopia_conv2d_plane_bias). */
void ccopia_conv2d_forward(const ccopia_conv_shape *g, int out_channels, int batch, int chunk, const float *x,
                           const float *w, int ldw, const float *bias, const float *plane_bias, const int *planes,
                           float *y, float *work);

/* Conv2d backward: dw ([out_channels, ldw], the first channels*k*k columns; NULL skips it) += dL/dw, chunk after chunk;
 * when dx is not NULL, dx (written, not accumulated) gets dL/dx of the first dx_channels input channels only, shaped
 * [batch, dx_channels, height, width]. */
void ccopia_conv2d_backward(const ccopia_conv_shape *g, int out_channels, int batch, int chunk, const float *x,
                            const float *dy, const float *w, int ldw, float *dw, int dx_channels, float *dx,
                            float *work);

/* A conditional model's one-hot label planes (input channels first_plane ..< first_plane + plane_count, all ones in
 * the plane of the sample's label and zero elsewhere) are constant, so their part of a convolution is a per-label
 * bias: plane_bias[l][o][p] = bias[o] + the sum of w[o][first_plane + l][t] over the taps t that read inside the image
 * at output position p. g is the geometry of the other channels (its channel count is not used). bias may be NULL.
 * Only output channels first_out ..< last_out are written (threads take disjoint ranges); likewise below. */
void ccopia_conv2d_plane_bias(const ccopia_conv_shape *g, int out_channels, int first_out, int last_out, int plane_count,
                              int first_plane, const float *w, int ldw, const float *bias, float *plane_bias);

/* The weight gradient of those planes: dw[o][first_plane + l][t] += the sum of dy[n][o][p] over the samples n with
 * planes[n] == l and the positions p where tap t reads inside the image. work: plane_count * out_channels *
 * out_height * out_width floats. */
void ccopia_conv2d_plane_weight_gradient(const ccopia_conv_shape *g, int out_channels, int first_out, int last_out,
                                         int batch, const int *planes, int plane_count, int first_plane, const float *dy,
                                         float *dw, int ldw, float *work);

/* Floats of workspace the transposed-convolution kernels need for `chunk` samples at a time. */
long ccopia_conv_transpose2d_workspace(const ccopia_conv_shape *g, int in_channels, int chunk);

/* ConvTranspose2d forward: w is [in_channels, channels, k, k], x [batch, in_channels, out_height, out_width], y (written)
 * [batch, channels, height, width]; bias may be NULL. */
void ccopia_conv_transpose2d_forward(const ccopia_conv_shape *g, int in_channels, int batch, int chunk, const float *x,
                                     const float *w, const float *bias, float *y, float *work);

/* ConvTranspose2d backward: dw (may be NULL) += dL/dw; dx (written; may be NULL) = dL/dx. */
void ccopia_conv_transpose2d_backward(const ccopia_conv_shape *g, int in_channels, int batch, int chunk, const float *x,
                                      const float *dy, const float *w, float *dw, float *dx, float *work);

/* sums[c] += the sum of channel c of an NCHW buffer over batch and positions, for c in first ..< last. */
void ccopia_channel_sums(const float *x, int batch, int channels, long spatial, int first, int last, float *sums);

/* The backend's name and configuration, for benchmark logs. */
const char *ccopia_blas_backend(void);

#ifdef __cplusplus
}
#endif
#endif
