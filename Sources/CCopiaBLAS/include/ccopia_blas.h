#ifndef CCOPIA_BLAS_H
#define CCOPIA_BLAS_H
#endif
