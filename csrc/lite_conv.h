/* The packed window blocks of a direct convolution (conv.pxi) with masked
   loads (AVX-512, or AVX2 in two halves): for each of `panels` panels p,
   kc rows at block + p*kc*16, row kk being k = k0 + kk = (channel, ky, kx)
   in order, of 16 lanes, the panel's output pixels in runs of one output
   row each (runs[p]); run r's pixel t reads input row y0[r] + ky*dh,
   column x0[r] + kx*dw + t*sw of the channel's h x w plane, or zero
   outside it. Unit column stride loads the run's lanes; stride 2 (the
   stem and the stride-2 convolutions) loads twice as many and keeps the
   even ones on AVX-512, a larger one gathers them; compares on the lanes'
   columns, not divisions, find those inside the row. A masked load or
   gather never touches the lanes it leaves out, so reads stay inside the
   input.
   conv.pxi's scalar path does the same. */
#ifndef LITE_CONV_H
#define LITE_CONV_H
#include <immintrin.h>
#include <stdint.h>
#include "lite_vm.h"

/* The packed blocks of a group of panels, too large for the stack. */
LITE_THREAD_BUFFER(lite_conv_blocks, float)
/* The whole window matrix of a convolution whose filters are split among
   the workers, packed once by all of them (the calling thread's; its pages
   are touched only as far as a convolution's matrix reaches). */
LITE_THREAD_BUFFER(lite_conv_shared, float)

typedef struct {
    int64_t count;
    int64_t col[16], len[16], y0[16], x0[16];
} lite_conv_runs;

/* Run r's lanes of a block row (as a 16-bit mask) where its input row is
   inside the input, and where its pixel 0 reads (pixel t reads
   from[t*sw], its column ix0 + t*sw); 0 when the row is outside. The
   columns inside the row are picked by compares on the lanes' columns. */
static inline unsigned lite_conv_run_row(const lite_conv_runs* runs, int64_t r, const float* plane, int64_t h,
                                         int64_t w, int64_t dy, int64_t dx, int64_t* ix0, const float** from) {
    int64_t iy = runs->y0[r] + dy;
    if (iy < 0 || iy >= h) return 0;
    *ix0 = runs->x0[r] + dx;
    *from = plane + iy * w + *ix0;
    return ((1u << runs->len[r]) - 1u) << runs->col[r];
}

/* Each row of the blocks: `LOAD_ROW(row, runs, plane, dy, dx)` stores row
   kk's 16 lanes of one panel; the rows step through (channel, ky, kx) in
   order from k0, each row for every panel in turn (their pixels are
   neighbours in the input: one pass over its lines). */
#define LITE_CONV_PACK(LOAD_ROW)                                                   \
    int64_t taps = kh * kw, ch = k0 / taps, ky = k0 % taps / kw, kx = k0 % kw;     \
    for (int64_t kk = 0; kk < kc; kk++) {                                          \
        for (int64_t p = 0; p < panels; p++)                                       \
            LOAD_ROW(block + (p * kc + kk) * 16, (all_runs + p), planes + ch * h * w, ky * dh, kx * dw); \
        if (++kx == kw) {   /* the next k */                                        \
            kx = 0;                                                                \
            if (++ky == kh) {                                                      \
                ky = 0;                                                            \
                ch++;                                                              \
            }                                                                      \
        }                                                                          \
    }

/* Lanes m of `out` replaced with p[2L] for lane L: two masked loads of 16
   and their even elements, several times a gather's speed. A load reads
   only the elements of lanes in m (as the gather would). */
__attribute__((target("avx512f"))) static inline __m512 lite_conv_load_even(__m512 out, unsigned m, const float* p) {
    unsigned lo = m & 0xFFu, hi = m >> 8;
    lo = (lo | lo << 4) & 0x0F0Fu, hi = (hi | hi << 4) & 0x0F0Fu;   /* lane bit L to element bit 2L */
    lo = (lo | lo << 2) & 0x3333u, hi = (hi | hi << 2) & 0x3333u;
    lo = (lo | lo << 1) & 0x5555u, hi = (hi | hi << 1) & 0x5555u;
    __m512 a = _mm512_maskz_loadu_ps((__mmask16)lo, p), b = _mm512_maskz_loadu_ps((__mmask16)hi, p + 16);
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_mask_mov_ps(out, (__mmask16)m, _mm512_permutex2var_ps(a, even, b));
}

/* Lane L of run r is its pixel L - col[r]: index (L - col[r]) * sw from
   `from`, column ix0 plus that (conv.pxi keeps every column, index and
   width within an int). Unit strides skip the multiply: 5-7% of a small
   3x3 convolution's time, whose packing is much of it. */
__attribute__((target("avx512f"))) static void lite_conv_pack_f32(
        float* block, int64_t kc, const float* planes, int64_t h, int64_t w, int64_t kh, int64_t kw,
        int64_t sw, int64_t dh, int64_t dw, int64_t k0, const lite_conv_runs* all_runs, int64_t panels) {
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i stride = _mm512_set1_epi32((int)sw), width = _mm512_set1_epi32((int)w);
#define LITE_CONV_ROW_512(dst, runs, plane, dy, dx)                                                  \
    do {                                                                                       \
        __m512 out = _mm512_setzero_ps();                                                      \
        for (int64_t r = 0; r < runs->count; r++) {                                            \
            const float* from;                                                                 \
            int64_t ix0;                                                                       \
            unsigned m = lite_conv_run_row(runs, r, plane, h, w, dy, dx, &ix0, &from);         \
            if (!m) continue;                                                                  \
            __m512i index = _mm512_sub_epi32(iota, _mm512_set1_epi32((int)runs->col[r]));       \
            if (sw != 1) index = _mm512_mullo_epi32(index, stride);                            \
            __m512i column = _mm512_add_epi32(index, _mm512_set1_epi32((int)ix0));             \
            m &= _mm512_cmpge_epi32_mask(column, _mm512_setzero_si512()) &                      \
                 _mm512_cmplt_epi32_mask(column, width);                                       \
            if (sw == 1)                                                                       \
                out = _mm512_mask_loadu_ps(out, (__mmask16)m, from - runs->col[r]);            \
            else if (sw == 2)                                                                  \
                out = lite_conv_load_even(out, m, from - 2 * runs->col[r]);                    \
            else if (m)                                                                        \
                out = _mm512_mask_i32gather_ps(out, (__mmask16)m, index, from, 4);             \
        }                                                                                      \
        _mm512_storeu_ps(dst, out);                                                            \
    } while (0)
    LITE_CONV_PACK(LITE_CONV_ROW_512)
#undef LITE_CONV_ROW_512
}

/* The same with AVX2 masked loads or gathers, 8 lanes at a time: a
   masked-off lane keeps its +0.0 (a load's reads as +0.0 and the runs'
   lanes are disjoint, so OR gathers them). */
__attribute__((target("avx2"))) static void lite_conv_pack_f32_avx2(
        float* block, int64_t kc, const float* planes, int64_t h, int64_t w, int64_t kh, int64_t kw,
        int64_t sw, int64_t dh, int64_t dw, int64_t k0, const lite_conv_runs* all_runs, int64_t panels) {
    const __m256i low_lanes = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    const __m256i high_lanes = _mm256_slli_epi32(low_lanes, 8);
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), stride = _mm256_set1_epi32((int)sw);
    const __m256i width = _mm256_set1_epi32((int)w), before = _mm256_set1_epi32(-1);
#define LITE_CONV_HALF_256(half, lanes, index, column, load)                                   \
    do {                                                                                       \
        __m256i in = _mm256_and_si256(_mm256_cmpeq_epi32(_mm256_and_si256(bits, lanes), lanes), \
            _mm256_and_si256(_mm256_cmpgt_epi32(column, before), _mm256_cmpgt_epi32(width, column))); \
        if (_mm256_movemask_ps(_mm256_castsi256_ps(in)))                                        \
            half = sw == 1 ? _mm256_or_ps(half, _mm256_maskload_ps(load, in))                  \
                           : _mm256_mask_i32gather_ps(half, from, index, _mm256_castsi256_ps(in), 4); \
    } while (0)
#define LITE_CONV_ROW_256(dst, runs, plane, dy, dx)                                                  \
    do {                                                                                       \
        __m256 low = _mm256_setzero_ps(), high = _mm256_setzero_ps();                          \
        for (int64_t r = 0; r < runs->count; r++) {                                            \
            const float* from;                                                                 \
            int64_t ix0;                                                                       \
            unsigned m = lite_conv_run_row(runs, r, plane, h, w, dy, dx, &ix0, &from);         \
            if (!m) continue;                                                                  \
            __m256i bits = _mm256_set1_epi32((int)m);                                          \
            __m256i index = _mm256_sub_epi32(iota, _mm256_set1_epi32((int)runs->col[r]));       \
            if (sw != 1) index = _mm256_mullo_epi32(index, stride);                            \
            __m256i high_index = _mm256_add_epi32(index, _mm256_slli_epi32(stride, 3));        \
            __m256i start = _mm256_set1_epi32((int)ix0);                                       \
            LITE_CONV_HALF_256(low, low_lanes, index, _mm256_add_epi32(index, start), from - runs->col[r]);         \
            LITE_CONV_HALF_256(high, high_lanes, high_index, _mm256_add_epi32(high_index, start), \
                               from - runs->col[r] + 8);                                       \
        }                                                                                      \
        _mm256_storeu_ps(dst, low);                                                            \
        _mm256_storeu_ps(dst + 8, high);                                                       \
    } while (0)
    LITE_CONV_PACK(LITE_CONV_ROW_256)
#undef LITE_CONV_ROW_256
#undef LITE_CONV_HALF_256
}
#undef LITE_CONV_PACK
#endif
