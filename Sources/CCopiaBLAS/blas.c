#include "ccopia_blas.h"

#if defined(__APPLE__)
#define ACCELERATE_NEW_LAPACK 1
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
/* Exported by OpenBLAS builds with DYNAMIC_ARCH (Debian's), absent from others: weak, so linking never fails. */
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));
extern char *openblas_get_corename(void) __attribute__((weak));
#endif

/* OpenBLAS 0.3.21 (Debian 12) does not recognise CPUs newer than its release (Sapphire Rapids here) and falls back to
 * its "Prescott" SSE3 kernels: measured 9-25 GFLOP/s at the VAE's shapes instead of 90-130 with the SkylakeX (AVX-512)
 * kernels. When the fallback was chosen, OPENBLAS_CORETYPE is unset, and the CPU has the needed instructions, pick the
 * right kernels the way OPENBLAS_CORETYPE would, before any BLAS call. */
static void ccopia_blas_select_kernels(void) {
#if !defined(__APPLE__) && (defined(__x86_64__) || defined(__i386__))
    static int done = 0;
    if (done) return;
    done = 1;
    if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit || !openblas_get_corename) return;
    if (getenv("OPENBLAS_CORETYPE") != NULL) return;
    const char *core = openblas_get_corename();
    if (core == NULL || strcmp(core, "Prescott") != 0) return;
    const char *better = NULL;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
        better = "SkylakeX";
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        better = "Haswell";
    }
    if (better == NULL) return;
    setenv("OPENBLAS_CORETYPE", better, 0);
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    unsetenv("OPENBLAS_CORETYPE");
#endif
}

void ccopia_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void ccopia_blas_init(void) {
    ccopia_blas_select_kernels();
}

void ccopia_blas_set_threads(int threads) {
    ccopia_blas_select_kernels();
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
    static char text[256];
    const char *core = openblas_get_corename ? openblas_get_corename() : "?";
    snprintf(text, sizeof text, "%s; kernels %s", openblas_get_config(), core);
    return text;
#endif
}
