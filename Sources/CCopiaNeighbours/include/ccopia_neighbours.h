#ifndef CCOPIA_NEIGHBOURS_H
#define CCOPIA_NEIGHBOURS_H
/* The neighbour search's screening pass (CopiaTable's NearestNeighbours): float products of a query tile against
 * packed candidate blocks, compared with each query's running limit while still in registers, so the products never
 * go to memory. Hits go into per-query screened lists that the Swift side then ranks by exact Double distance. */
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Candidates are packed in blocks of this many rows, feature-major inside a block ([block][feature][lane]), and
 * padded to a whole number of panels (CCOPIA_NN_PANEL rows) with zero coordinates and +infinity norms. */
#define CCOPIA_NN_BLOCK 16
#define CCOPIA_NN_PANEL 32

/* The screening kernels; CCOPIA_NN_NONE means neither runs on this processor (the Swift portable kernel does). */
enum { CCOPIA_NN_NONE = 0, CCOPIA_NN_AVX2 = 1, CCOPIA_NN_AVX512 = 2 };

/* The best kernel this processor (and operating system) runs: AVX512 needs AVX-512F, AVX2 needs AVX2 and FMA. */
int ccopia_nn_best_kernel(void);

/* A group's screened lists, the memory of CopiaTable's ScreenLists: per query, `counts[q]` screened values in
 * ascending order (`values[q * width ...]`, ties after earlier ones) with their candidate slots, holding everything
 * below the k-th value + margins[q]; more than `capacity` sets overflowed[q] (the query is then scanned exactly). */
typedef struct {
    ptrdiff_t k;
    ptrdiff_t capacity;
    ptrdiff_t width; /* capacity + 1 */
    float *values;
    ptrdiff_t *slots;
    ptrdiff_t *counts;
    bool *overflowed;
    const float *margins;
} ccopia_nn_lists;

/* Screens `count` queries (row-major floats, `dims` each, centred as the candidates are; `qnorms` their float
 * squared norms, summed in feature order) against `panels` panels of packed candidates (`norms` per padded row),
 * inserting into `lists` every candidate whose screened distance |q|^2 - 2 (q.x - |x|^2 / 2) is below its query's
 * threshold, candidates in ascending slot order per query. `kernel` is CCOPIA_NN_AVX2 or CCOPIA_NN_AVX512 and must
 * not exceed ccopia_nn_best_kernel(). */
void ccopia_nn_screen(int kernel, const float *queries, const float *qnorms, ptrdiff_t count, ptrdiff_t dims,
                      const float *packed, const float *norms, ptrdiff_t panels, ccopia_nn_lists *lists);

#ifdef __cplusplus
}
#endif
#endif
