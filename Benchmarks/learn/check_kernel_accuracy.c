/* Measures the error of kernels.c polynomial exp/log against libm in double (copies of the two inline functions):
 *   gcc -O2 Benchmarks/learn/check_kernel_accuracy.c -o /tmp/acc -lm && /tmp/acc */
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#define CCOPIA_INLINE static inline
CCOPIA_INLINE float ccopia_exp_nonpositive(float x) {
    x = x < -87.0f ? -87.0f : x;
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693145751953125f - n * 1.428606765330187e-06f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.16666667f + r * (0.041666668f + r * (0.008333334f + r * 0.0013888889f)))));
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale; memcpy(&scale, &bits, sizeof scale); return p * scale;
}
CCOPIA_INLINE float ccopia_log_1_2(float y) {
    float s = (y - 1.0f) / (y + 1.0f), s2 = s * s;
    float p = 1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9 + s2 * (1.0f / 11 + s2 * (1.0f / 13))))));
    return 2.0f * s * p;
}
int main(){ double me=0, ml=0; float wx=0;
 for (float x=-87; x<=0; x+=1e-4f){ double e=exp((double)x); double r=fabs(ccopia_exp_nonpositive(x)-e)/e; if(r>me){me=r;wx=x;} }
 for (float y=1; y<=2; y+=1e-6f){ double r=fabs(ccopia_log_1_2(y)-log((double)y)); if(r>ml) ml=r; }
 printf("exp max rel %g at %g; log max abs %g\n", me, wx, ml); }
