/* The element-wise passes of buffer.softmax and buffer.layernorm over one f32 row (csrc/rows.pxi),
   compiled for SSE2, AVX2 and AVX-512 and picked at run time (lite_isa), as the
   tile kernels are: simple loops gcc vectorizes at each width. */
#ifndef LITE_ROWS_H
#define LITE_ROWS_H

#include <math.h>
#include <stdint.h>

#include "lite_tile.h"

#define LITE_ROWS_LANES 16

/* PEAK: the plain maximum of x[0..n) (maxps lanes: a NaN may be skipped, the
   sign of a zero may be either), and in *odd whether some element is NaN or
   infinite (x * 0 is NaN for those), where the caller folds in order instead.
   SHIFT: d = x - m. SCALE: d = d / s. MUL: d = d * s. Each op rounded to f32 as it stands. */
#define LITE_ROWS_VARIANT(SUFFIX, TARGET)                                                            \
    TARGET static float lite_rows_peak_##SUFFIX(const float* x, int64_t n, int* odd) {               \
        float v[LITE_ROWS_LANES], z[LITE_ROWS_LANES], r = -INFINITY, s = 0;                          \
        int64_t j = 0;                                                                               \
        for (int l = 0; l < LITE_ROWS_LANES; l++) v[l] = -INFINITY, z[l] = 0;                        \
        for (; j + LITE_ROWS_LANES <= n; j += LITE_ROWS_LANES)                                       \
            for (int l = 0; l < LITE_ROWS_LANES; l++) {                                              \
                float y = x[j + l];                                                                  \
                v[l] = lite_select_f32(y > v[l], y, v[l]);   /* bits, so gcc vectorizes it */        \
                z[l] += y * 0.0f;                                                                    \
            }                                                                                        \
        for (int l = 0; l < LITE_ROWS_LANES; l++) r = v[l] > r ? v[l] : r, s += z[l];                \
        for (; j < n; j++) r = x[j] > r ? x[j] : r, s += x[j] * 0.0f;                                \
        *odd = s != s;                                                                               \
        return r;                                                                                    \
    }                                                                                                \
    TARGET static void lite_rows_shift_##SUFFIX(float* d, const float* x, float m, int64_t n) {      \
        for (int64_t j = 0; j < n; j++) d[j] = x[j] - m;                                             \
    }                                                                                                \
    TARGET static void lite_rows_scale_##SUFFIX(float* d, float s, int64_t n) {                      \
        for (int64_t j = 0; j < n; j++) d[j] = d[j] / s;                                             \
    }                                                                                                \
    TARGET static void lite_rows_mul_##SUFFIX(float* d, float s, int64_t n) {                        \
        for (int64_t j = 0; j < n; j++) d[j] = d[j] * s;                                             \
    }

LITE_ROWS_VARIANT(sse2, )
LITE_ROWS_VARIANT(avx2, __attribute__((target("avx2"))))
LITE_ROWS_VARIANT(avx512, __attribute__((target("avx512f"))))

#define LITE_ROWS_PICK(NAME, ...)                                                                    \
    switch (lite_isa()) {                                                                            \
    case LITE_ISA_AVX512: return NAME##_avx512(__VA_ARGS__);                                         \
    case LITE_ISA_AVX2: return NAME##_avx2(__VA_ARGS__);                                             \
    default: return NAME##_sse2(__VA_ARGS__);                                                        \
    }

static inline float lite_rows_peak(const float* x, int64_t n, int* odd) {
    LITE_ROWS_PICK(lite_rows_peak, x, n, odd)
}
static inline void lite_rows_shift(float* d, const float* x, float m, int64_t n) {
    LITE_ROWS_PICK(lite_rows_shift, d, x, m, n)
}
static inline void lite_rows_scale(float* d, float s, int64_t n) {
    LITE_ROWS_PICK(lite_rows_scale, d, s, n)
}
static inline void lite_rows_mul(float* d, float s, int64_t n) {
    LITE_ROWS_PICK(lite_rows_mul, d, s, n)
}

#endif
