#include "ccopia_blas.h"
