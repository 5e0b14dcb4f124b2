#include "ccopia_blas.h"

#if defined(__APPLE__)
#define ACCELERATE_NEW_LAPACK 1
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

void ccopia_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void ccopia_blas_set_threads(int threads) {
#if defined(__APPLE__)
    (void)threads;
#else
    openblas_set_num_threads(threads < 1 ? 1 : threads);
#endif
}

int ccopia_blas_get_threads(void) {
#if defined(__APPLE__)
    return 1;
#else
    return openblas_get_num_threads();
#endif
}

const char *ccopia_blas_backend(void) {
#if defined(__APPLE__)
    return "Accelerate";
#else
    return openblas_get_config();
#endif
}
