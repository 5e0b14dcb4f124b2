#ifndef CCOPIA_PIXELS_H
#define CCOPIA_PIXELS_H
/* Hot pixel loops in C, compiled for AVX2/FMA behind runtime CPU checks (see pixels.c). */
#include <stddef.h>
#include <stdint.h>

/* 1 when the processor has AVX2 and FMA. */
int ccopia_pixels_has_avx2(void);

#endif
