/* erf of f32 elements (t.erf): d[i] = erf(a[i]) as the reference
   interpreter defines it, glibc's (float)erf((double)a[i]), bit for bit.

   The same scheme as lite_exp_f32 (lite_tile.h): the AVX2+FMA and AVX-512
   variants compute an approximation y of erf(x) in double lanes, relative
   error below 2^-49, and take its f32 rounding where y * (1 +- 2^-40) rounds
   to one f32 (then so do erf(x) and glibc's erf(x)); elsewhere, and for NaN,
   the element is glibc's. The SSE2 variant is the definition. A GELU's erf
   over a BERT layer's 128x1024 activations spent 3 ms in glibc's erf.

   For |x| < 4, erf(x) = x g(x^2) with g(t) = erf(sqrt t) / sqrt t on
   [0, 16] as its degree-28 Chebyshev interpolant (at the 29 Chebyshev points
   of the first kind, computed in 40-digit arithmetic, coefficients rounded
   to double), evaluated by Clenshaw's recurrence in u = t / 8 - 1: each
   step an fma, no cancellation. For |x| >= 4, 1 - erf(|x|) < 1.6e-8, under
   half an f32 ulp below 1, so (float)erf(x) is +-1. */
#ifndef LITE_ERF_H
#define LITE_ERF_H

#include <math.h>
#include <stdint.h>

#define LITE_ERF_DEGREE 28
static const double LITE_ERF_CHEBYSHEV[LITE_ERF_DEGREE + 1] = {
    0x1.f1932a8a66dd8p-2, -0x1.61b298c41c6f9p-2, 0x1.4b6d0e4a078b5p-3,
    -0x1.3945fb82e5ce6p-4, 0x1.1c042096cd58ap-5, -0x1.e55aec0dc7c79p-7,
    0x1.842a68d179138p-8, -0x1.21e90e964c847p-9, 0x1.9471a0460c8eep-11,
    -0x1.07d171dce2870p-12, 0x1.427c56ca48d97p-14, -0x1.7232955b7e895p-16,
    0x1.900de8800236bp-18, -0x1.97f625cca2527p-20, 0x1.8984d735c5febp-22,
    -0x1.67e00fac637ebp-24, 0x1.38b2d193976acp-26, -0x1.02b1657491f2dp-28,
    0x1.9852eb646d96dp-31, -0x1.33faef130d5f3p-33, 0x1.bcc815ff99fc7p-36,
    -0x1.33fa49e9ee991p-38, 0x1.99998a5c90e16p-41, -0x1.05f49bdba1947p-43,
    0x1.42acb1e83ce02p-46, -0x1.7f417e5a2190cp-49, 0x1.b7741cfd0e279p-52,
    -0x1.e6de93897dcccp-55, 0x1.00cea67be2456p-57,
};

static inline float lite_erf_definition_f32(float x) { return (float)erf((double)x); }

/* c ? a : b on bits, as lite_select_f32 (so the loop stays vectorized). */
__attribute__((always_inline)) static inline double lite_select_f64(int c, double a, double b) {
    uint64_t ua, ub, m = -(uint64_t)c;
    __builtin_memcpy(&ua, &a, 8);
    __builtin_memcpy(&ub, &b, 8);
    ua = (ua & m) | (ub & ~m);
    __builtin_memcpy(&a, &ua, 8);
    return a;
}

/* erf(x) for |x| < 4 (x an f32, so x * x is exact in double). */
__attribute__((always_inline)) static inline double lite_erf_approx(double x) {
    double u = x * x * 0.125 - 1.0, u2 = u + u, b1 = 0.0, b2 = 0.0;
#pragma GCC unroll 32
    for (int k = LITE_ERF_DEGREE; k >= 1; k--) {
        double b = __builtin_fma(u2, b1, LITE_ERF_CHEBYSHEV[k] - b2);
        b2 = b1;
        b1 = b;
    }
    return x * __builtin_fma(u, b1, LITE_ERF_CHEBYSHEV[0] - b2);
}

/* erf(x) for any f32 x: +-1 from |x| = 4 on. */
__attribute__((always_inline)) static inline double lite_erf_clamped(float x) {
    int inside = __builtin_fabsf(x) < 4.0f;
    double y = lite_erf_approx(lite_select_f32(inside, x, 0.0f));
    return lite_select_f64(inside, y, __builtin_copysign(1.0, (double)x));
}

LITE_ROUNDED_F32(lite_erf_f32, lite_erf_clamped, lite_erf_definition_f32)

#endif
