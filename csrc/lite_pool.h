/* One output row of buffer.pool2d (csrc/pooling.pxi): out[t] folded with
   its window's points in row-major order, by maximumf (as csrc/kernels.pxi's:
   a NaN operand is the result, out's first; two zeros give a + b, +0 unless
   both are -0) or addf (points outside the input add +0.0; they change no
   maximum). Runs of outputs whose points all lie inside the row fold the
   whole window in registers, 16 (AVX-512), 8 (AVX2) or 4 (SSE2) outputs at
   a time for unit or 2 column strides, picked at run time (lite_isa); the
   rest one output at a time. Vector lanes read only points of their own
   outputs (masked loads past the run's end; stride 2 loads end at the last
   point), so reads stay inside the input's storage.
   maximumf in a vector: max(p, m) is p > m ? p : m, which keeps a NaN
   accumulator; where p == m the result is m & p (the sign of two zeros as
   a + b, else the same bits). Without NaN points that is the maximum in the
   order -0 < +0, the same whatever the grouping: the points fold into three
   partial maxima from -inf (three dependency chains, not one), then into
   the accumulator. A NaN point is caught after the window by a sum of the
   points (NaN if one is) and those outputs are refolded in order one at a
   time, which is rare and exact. addf folds in order. A fresh row starts
   each output from the combiner's padding (-inf, +0.0) instead of reading
   out[t]. */
#ifndef LITE_POOL_H
#define LITE_POOL_H
#include <immintrin.h>
#include <stdint.h>
#include "lite_tile.h"

typedef struct {
    const float* row;    /* the first window row inside the input (its column 0) */
    int64_t rows;        /* window rows inside the input, row_step floats apart */
    int64_t row_step;
    int64_t w, kw, sw, dw, pw;   /* output t's points: columns t*sw - pw + kx*dw, kx < kw */
    int pad_before, pad_after;   /* window rows above / below the input */
    int is_max;
    int fresh;           /* each output starts from the padding, out not read */
    int isa;             /* lite_isa() */
} lite_pool2d_row;

/* Output t's starting value: out[t], or the padding for a fresh row. */
static inline float lite_pool2d_start(const lite_pool2d_row* g, const float* out, int64_t t) {
    return !g->fresh ? out[t] : g->is_max ? -__builtin_inff() : 0.0f;
}

static inline float lite_pool2d_max1(float a, float b) {
    float r = a > b ? a : b;
    r = (a == 0.0f) & (b == 0.0f) ? a + b : r;
    r = b != b ? b : r;
    return a != a ? a : r;
}

/* acc folded with output t's window, any column stride and position: in
   each row the points kx in [a, b) lie inside it, padding before and after
   (for addf one + 0.0 stands for several: x + 0 + 0 is x + 0). */
static float lite_pool2d_fold1(const lite_pool2d_row* g, float acc, int64_t t) {
    int64_t dw = g->dw, kw = g->kw, x0 = t * g->sw - g->pw;
    int64_t a = x0 >= 0 ? 0 : (-x0 + dw - 1) / dw, b = x0 > g->w - 1 ? 0 : (g->w - 1 - x0) / dw + 1;
    a = a < kw ? a : kw;
    b = b < kw ? b : kw;
    b = b > a ? b : a;
    if (g->is_max) {
        for (int64_t r = 0; r < g->rows; r++)
            for (int64_t kx = a; kx < b; kx++)
                acc = lite_pool2d_max1(acc, g->row[r * g->row_step + x0 + kx * dw]);
        return acc;
    }
    if (g->pad_before)
        acc = acc + 0.0f;
    for (int64_t r = 0; r < g->rows; r++) {
        if (a > 0)
            acc = acc + 0.0f;
        for (int64_t kx = a; kx < b; kx++)
            acc = acc + g->row[r * g->row_step + x0 + kx * dw];
        if (b < kw)
            acc = acc + 0.0f;
    }
    if (g->pad_after)
        acc = acc + 0.0f;
    return acc;
}

/* One ISA's run of outputs [t, end) whose points are all inside the row:
   `LANES` lanes per vector; the variant defines V, its mask type M, and
   mask(n) (the first n lanes), load(p, sw, n, k), store(out, v, n, k),
   zero, low (-inf), add, max, nan_in(s, k). Without masked loads (SSE2) a short tail stays
   for fold1. Returns where it stopped. */
#define LITE_POOL2D_RUN(S, TARGET, V, M, LANES, MASKED)                                              \
    TARGET static inline __attribute__((always_inline)) int64_t lite_pool2d_run_##S(                 \
        float* out, const lite_pool2d_row* g, int64_t t, int64_t end, int64_t sw, int is_max) {      \
        int64_t rows = g->rows, kw = g->kw, dw = g->dw, row_step = g->row_step;                      \
        V zero = lite_pool2d_zero_##S(), low = lite_pool2d_low_##S();                                 \
        for (; t < end; t += LANES) {                                                                \
            int64_t n = end - t < LANES ? end - t : LANES;                                           \
            if (n < LANES && !MASKED)                                                                \
                break;                                                                               \
            M k = lite_pool2d_mask_##S(n);                                                           \
            V m = g->fresh ? (is_max ? low : zero) : lite_pool2d_load_##S(out + t, 1, n, k);         \
            V s = zero, p0 = low, p1 = low, p2 = low;                                                \
            const float* first = g->row + t * sw - g->pw;                                            \
            if (!is_max && g->pad_before)                                                            \
                m = lite_pool2d_add_##S(m, zero);                                                    \
            for (int64_t r = 0; r < rows; r++)                                                       \
                for (int64_t kx = 0; kx < kw; kx++) {                                                \
                    V p = lite_pool2d_load_##S(first + r * row_step + kx * dw, sw, n, k);            \
                    if (is_max) {   /* three partial maxima, for three chains in flight */           \
                        V q = lite_pool2d_max_##S(p0, p);                                            \
                        p0 = p1, p1 = p2, p2 = q;                                                    \
                        s = lite_pool2d_add_##S(s, p);                                               \
                    } else {                                                                         \
                        m = lite_pool2d_add_##S(m, p);                                               \
                    }                                                                                \
                }                                                                                    \
            if (is_max)                                                                              \
                m = lite_pool2d_max_##S(lite_pool2d_max_##S(lite_pool2d_max_##S(m, p0), p1), p2);    \
            else if (g->pad_after)                                                                   \
                m = lite_pool2d_add_##S(m, zero);                                                    \
            if (is_max && lite_pool2d_nan_in_##S(s, k)) {   /* a NaN point: in order, one by one */  \
                for (int64_t l = 0; l < n; l++)                                                      \
                    out[t + l] = lite_pool2d_fold1(g, lite_pool2d_start(g, out, t + l), t + l);      \
            } else {                                                                                 \
                lite_pool2d_store_##S(out + t, m, n, k);                                             \
            }                                                                                        \
        }                                                                                            \
        return t < end ? t : end;   /* (past it after a masked tail) */                              \
    }                                                                                                \
    /* The four specialisations (constant stride and combiner in the loop). */                      \
    TARGET static int64_t lite_pool2d_runs_##S(float* out, const lite_pool2d_row* g, int64_t t,       \
                                               int64_t end) {                                        \
        if (g->sw == 1)                                                                              \
            return g->is_max ? lite_pool2d_run_##S(out, g, t, end, 1, 1)                             \
                             : lite_pool2d_run_##S(out, g, t, end, 1, 0);                            \
        return g->is_max ? lite_pool2d_run_##S(out, g, t, end, 2, 1)                                 \
                         : lite_pool2d_run_##S(out, g, t, end, 2, 0);                                \
    }

/* SSE2: full vectors only; stride 2 takes p[0,2] of p[0..3] and p[4,6] of p[3..6]. */
static inline int lite_pool2d_mask_sse2(int64_t n) { return (int)n; }
static inline __m128 lite_pool2d_zero_sse2(void) { return _mm_setzero_ps(); }
static inline __m128 lite_pool2d_load_sse2(const float* p, int64_t sw, int64_t n, int k) {
    (void)n, (void)k;
    if (sw == 1)
        return _mm_loadu_ps(p);
    return _mm_shuffle_ps(_mm_loadu_ps(p), _mm_loadu_ps(p + 3), _MM_SHUFFLE(3, 1, 2, 0));
}
static inline void lite_pool2d_store_sse2(float* out, __m128 v, int64_t n, int k) { (void)n, (void)k, _mm_storeu_ps(out, v); }
static inline __m128 lite_pool2d_low_sse2(void) { return _mm_set1_ps(-__builtin_inff()); }
static inline __m128 lite_pool2d_add_sse2(__m128 a, __m128 b) { return _mm_add_ps(a, b); }
static inline __m128 lite_pool2d_max_sse2(__m128 m, __m128 p) {
    return _mm_and_ps(_mm_max_ps(p, m), _mm_or_ps(p, _mm_cmpneq_ps(p, m)));
}
static inline int lite_pool2d_nan_in_sse2(__m128 s, int k) { (void)k; return _mm_movemask_ps(_mm_cmpunord_ps(s, s)); }
LITE_POOL2D_RUN(sse2, , __m128, int, 4, 0)

/* AVX2: masked loads and stores (vectors of lane < n); stride 2 takes the
   even elements of p[0..7] and the odd ones of p[7..14]. */
#define LITE_POOL2D_AVX2 __attribute__((target("avx2")))
LITE_POOL2D_AVX2 static inline __m256i lite_pool2d_mask_avx2(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
LITE_POOL2D_AVX2 static inline __m256 lite_pool2d_zero_avx2(void) { return _mm256_setzero_ps(); }
LITE_POOL2D_AVX2 static inline __m256 lite_pool2d_load_avx2(const float* p, int64_t sw, int64_t n, __m256i k) {
    if (sw == 1)
        return n == 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, k);
    __m256 a, b;
    if (n == 8) {
        a = _mm256_loadu_ps(p);
        b = _mm256_loadu_ps(p + 7);
    } else {   /* elements up to 2n - 2 */
        a = _mm256_maskload_ps(p, lite_pool2d_mask_avx2(2 * n - 1));
        b = _mm256_maskload_ps(p + 7, lite_pool2d_mask_avx2(2 * n - 8));
    }
    __m256 v = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 2, 0));   /* a0 a2 b1 b3 | a4 a6 b5 b7 */
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
}
LITE_POOL2D_AVX2 static inline void lite_pool2d_store_avx2(float* out, __m256 v, int64_t n, __m256i k) {
    if (n == 8)
        _mm256_storeu_ps(out, v);
    else
        _mm256_maskstore_ps(out, k, v);
}
LITE_POOL2D_AVX2 static inline __m256 lite_pool2d_low_avx2(void) { return _mm256_set1_ps(-__builtin_inff()); }
LITE_POOL2D_AVX2 static inline __m256 lite_pool2d_add_avx2(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
LITE_POOL2D_AVX2 static inline __m256 lite_pool2d_max_avx2(__m256 m, __m256 p) {
    return _mm256_and_ps(_mm256_max_ps(p, m), _mm256_or_ps(p, _mm256_cmp_ps(p, m, _CMP_NEQ_UQ)));
}
LITE_POOL2D_AVX2 static inline int lite_pool2d_nan_in_avx2(__m256 s, __m256i k) {
    (void)k;   /* the lanes past n loaded zeros */
    return _mm256_movemask_ps(_mm256_cmp_ps(s, s, _CMP_UNORD_Q));
}
LITE_POOL2D_RUN(avx2, LITE_POOL2D_AVX2, __m256, __m256i, 8, 1)

/* AVX-512: mask registers; stride 2 takes the even elements of p[0..15]
   and the odd ones of p[15..30]. */
#define LITE_POOL2D_AVX512 __attribute__((target("avx512f")))
static inline __mmask16 lite_pool2d_mask_avx512(int64_t n) {
    return n <= 0 ? 0 : n >= 16 ? 0xFFFF : (__mmask16)((1u << n) - 1u);
}
LITE_POOL2D_AVX512 static inline __m512 lite_pool2d_zero_avx512(void) { return _mm512_setzero_ps(); }
LITE_POOL2D_AVX512 static inline __m512 lite_pool2d_load_avx512(const float* p, int64_t sw, int64_t n, __mmask16 k) {
    if (sw == 1)
        return _mm512_maskz_loadu_ps(k, p);
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 17, 19, 21, 23, 25, 27, 29, 31);
    __mmask16 ka = n == 16 ? 0xFFFF : lite_pool2d_mask_avx512(2 * n - 1), kb = n == 16 ? 0xFFFF : lite_pool2d_mask_avx512(2 * n - 16);
    return _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(ka, p), even, _mm512_maskz_loadu_ps(kb, p + 15));
}
LITE_POOL2D_AVX512 static inline void lite_pool2d_store_avx512(float* out, __m512 v, int64_t n, __mmask16 k) {
    (void)n;
    _mm512_mask_storeu_ps(out, k, v);
}
LITE_POOL2D_AVX512 static inline __m512 lite_pool2d_low_avx512(void) { return _mm512_set1_ps(-__builtin_inff()); }
LITE_POOL2D_AVX512 static inline __m512 lite_pool2d_add_avx512(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }
LITE_POOL2D_AVX512 static inline __m512 lite_pool2d_max_avx512(__m512 m, __m512 p) {
    __mmask16 eq = _mm512_cmp_ps_mask(p, m, _CMP_EQ_OQ);
    __m512i r = _mm512_castps_si512(_mm512_max_ps(p, m));
    return _mm512_castsi512_ps(_mm512_mask_and_epi32(r, eq, _mm512_castps_si512(m), _mm512_castps_si512(p)));
}
LITE_POOL2D_AVX512 static inline int lite_pool2d_nan_in_avx512(__m512 s, __mmask16 k) {
    return _mm512_mask_cmp_ps_mask(k, s, s, _CMP_UNORD_Q) != 0;
}
LITE_POOL2D_RUN(avx512, LITE_POOL2D_AVX512, __m512, __mmask16, 16, 1)

/* out[0..ow) of one output row. */
static void lite_pool2d_row_f32(float* out, int64_t ow, const lite_pool2d_row* g) {
    /* [lo, hi): the outputs whose points all lie inside the row. */
    int64_t sw = g->sw, lo = (g->pw + sw - 1) / sw, last = g->w - 1 + g->pw - (g->kw - 1) * g->dw;
    int64_t hi = last < 0 ? 0 : last / sw + 1, t = 0;
    lo = lo < ow ? lo : ow;
    hi = hi < ow ? hi : ow;
    hi = hi > lo ? hi : lo;
    for (; t < lo; t++)
        out[t] = lite_pool2d_fold1(g, lite_pool2d_start(g, out, t), t);
    if (sw <= 2 && hi - t >= 4) {   /* (a shorter run, as a global pooling's, is quicker one by one) */
        switch (g->isa) {
        case LITE_ISA_AVX512: t = lite_pool2d_runs_avx512(out, g, t, hi); break;
        case LITE_ISA_AVX2: t = lite_pool2d_runs_avx2(out, g, t, hi); break;
        default: t = lite_pool2d_runs_sse2(out, g, t, hi); break;
        }
    }
    for (; t < ow; t++)
        out[t] = lite_pool2d_fold1(g, lite_pool2d_start(g, out, t), t);
}
#endif
