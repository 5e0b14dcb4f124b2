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

/* One Adam/AdamW update over n parameters (see Adam in CopiaLearn for the formula); vectorised with AVX2 where present. */
void ccopia_adam_step(float *w, const float *g, float *m, float *v, long n, float b1, float b2, float step_size,
                      float bc2_root, float eps, float l2, float shrink);

/* Binary cross-entropy on logits summed over n values (returned), and its gradient (sigmoid(x) - t) * scale.
 * exp/log are polynomials: exp relative error below 3e-7, log absolute error below 1.2e-7 (measured). */
double ccopia_bce_with_logits(const float *x, const float *t, float *grad, long n, float scale);

/* The backend's name and configuration, for benchmark logs. */
const char *ccopia_blas_backend(void);

#ifdef __cplusplus
}
#endif
#endif
