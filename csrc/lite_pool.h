/* One window point of buffer.pool2d along an output row (csrc/pooling.pxi),
   in SSE2, which every x86-64 has: out[t] = f(out[t], row[t * sw]) for
   t < n, unit or 2 strides, four outputs at a time; f is maximumf (as
   csrc/kernels.pxi's: a NaN operand is the result, out's first; two zeros
   give a + b, +0 unless both are -0) or addf. */
#ifndef LITE_POOL_H
#define LITE_POOL_H
#include <emmintrin.h>
#include <stdint.h>

static inline __m128 lite_pool_select(__m128 mask, __m128 x, __m128 y) {
    return _mm_or_ps(_mm_and_ps(mask, x), _mm_andnot_ps(mask, y));
}

static inline __m128 lite_pool_combine(int is_max, __m128 a, __m128 b) {
    if (!is_max)
        return _mm_add_ps(a, b);
    __m128 zero = _mm_setzero_ps();
    __m128 r = lite_pool_select(_mm_cmpgt_ps(a, b), a, b);
    r = lite_pool_select(_mm_and_ps(_mm_cmpeq_ps(a, zero), _mm_cmpeq_ps(b, zero)), _mm_add_ps(a, b), r);
    r = lite_pool_select(_mm_cmpunord_ps(b, b), b, r);
    return lite_pool_select(_mm_cmpunord_ps(a, a), a, r);
}

static inline void lite_pool_row_f32(float* out, const float* row, int64_t n, int64_t sw, int64_t readable,
                                     int is_max) {
    /* `readable`: how many floats from row on may be read (the input's
       storage goes on past its rows), at least (n - 1) * sw + 1. */
    int64_t t = 0;
    if (sw == 1) {
        for (; t + 4 <= n; t += 4)
            _mm_storeu_ps(out + t, lite_pool_combine(is_max, _mm_loadu_ps(out + t), _mm_loadu_ps(row + t)));
    } else if (sw == 2) {   /* row[2t .. 2t+7], the even ones */
        for (; t + 4 <= n && 2 * t + 8 <= readable; t += 4) {
            __m128 even = _mm_shuffle_ps(_mm_loadu_ps(row + 2 * t), _mm_loadu_ps(row + 2 * t + 4),
                                         _MM_SHUFFLE(2, 0, 2, 0));
            _mm_storeu_ps(out + t, lite_pool_combine(is_max, _mm_loadu_ps(out + t), even));
        }
    }
    for (; t < n; t++)   /* the rest, any stride: one lane at a time */
        _mm_store_ss(out + t, lite_pool_combine(is_max, _mm_load_ss(out + t), _mm_load_ss(row + t * sw)));
}
#endif
