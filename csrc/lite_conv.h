/* The packed window blocks of a direct convolution (conv.pxi) with masked
   loads (AVX-512, or AVX2 in two halves), for unit column stride: for each
   of `panels` panels p, kc rows at block + p*kc*16, row kk being
   k = k0 + kk = (channel, ky, kx) in order, of 16 lanes, the panel's
   output pixels in runs of one output row each (runs[p]); run r's pixel t
   reads input row y0[r] + ky*dh, column x0[r] + kx*dw + t of the channel's
   h x w plane, or zero outside it. A masked load never touches the lanes it
   leaves out, so reads stay inside the input. conv.pxi's scalar path does
   the same. */
#ifndef LITE_CONV_H
#define LITE_CONV_H
#include <immintrin.h>
#include <stdint.h>
#include "lite_vm.h"

/* The packed blocks of a group of panels, too large for the stack. */
LITE_THREAD_BUFFER(lite_conv_blocks, float)

typedef struct {
    int64_t count;
    int64_t col[16], len[16], y0[16], x0[16];
} lite_conv_runs;

/* The lanes of the block row run r fills, as a 16-bit mask, and where lane
   0 would read (run r's pixel -col[r]); 0 when the run reads outside. */
static inline unsigned lite_conv_run_lanes(const lite_conv_runs* runs, int64_t r, const float* plane, int64_t h,
                                           int64_t w, int64_t dy, int64_t dx, const float** from) {
    int64_t iy = runs->y0[r] + dy, ix0 = runs->x0[r] + dx, n = runs->len[r];
    if (iy < 0 || iy >= h) return 0;
    int64_t lo = ix0 < 0 ? (-ix0 < n ? -ix0 : n) : 0;   /* pixels [lo, hi) are inside the row */
    int64_t hi = w - ix0 < n ? w - ix0 : n;
    if (hi <= lo) return 0;
    *from = plane + iy * w + ix0 - runs->col[r];
    return (((1u << hi) - 1u) & ~((1u << lo) - 1u)) << runs->col[r];
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

__attribute__((target("avx512f"))) static void lite_conv_pack_f32(
        float* block, int64_t kc, const float* planes, int64_t h, int64_t w, int64_t kh, int64_t kw,
        int64_t dh, int64_t dw, int64_t k0, const lite_conv_runs* all_runs, int64_t panels) {
#define LITE_CONV_ROW_512(dst, runs, plane, dy, dx)                                                  \
    do {                                                                                       \
        __m512 out = _mm512_setzero_ps();                                                      \
        for (int64_t r = 0; r < runs->count; r++) {                                            \
            const float* from;                                                                 \
            unsigned m = lite_conv_run_lanes(runs, r, plane, h, w, dy, dx, &from);             \
            if (m) out = _mm512_mask_loadu_ps(out, (__mmask16)m, from);                        \
        }                                                                                      \
        _mm512_storeu_ps(dst, out);                                                            \
    } while (0)
    LITE_CONV_PACK(LITE_CONV_ROW_512)
#undef LITE_CONV_ROW_512
}

/* The same with AVX2 masked loads, 8 lanes at a time: a masked-off lane
   reads as +0.0 and the runs' lanes are disjoint, so OR gathers them. */
__attribute__((target("avx2"))) static void lite_conv_pack_f32_avx2(
        float* block, int64_t kc, const float* planes, int64_t h, int64_t w, int64_t kh, int64_t kw,
        int64_t dh, int64_t dw, int64_t k0, const lite_conv_runs* all_runs, int64_t panels) {
    const __m256i low_lanes = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    const __m256i high_lanes = _mm256_slli_epi32(low_lanes, 8);
#define LITE_CONV_ROW_256(dst, runs, plane, dy, dx)                                                  \
    do {                                                                                       \
        __m256 low = _mm256_setzero_ps(), high = _mm256_setzero_ps();                          \
        for (int64_t r = 0; r < runs->count; r++) {                                            \
            const float* from;                                                                 \
            unsigned m = lite_conv_run_lanes(runs, r, plane, h, w, dy, dx, &from);             \
            if (!m) continue;                                                                  \
            __m256i bits = _mm256_set1_epi32((int)m);                                          \
            __m256i in_low = _mm256_cmpeq_epi32(_mm256_and_si256(bits, low_lanes), low_lanes);  \
            __m256i in_high = _mm256_cmpeq_epi32(_mm256_and_si256(bits, high_lanes), high_lanes); \
            if (m & 0xFFu) low = _mm256_or_ps(low, _mm256_maskload_ps(from, in_low));         \
            if (m >> 8) high = _mm256_or_ps(high, _mm256_maskload_ps(from + 8, in_high));     \
        }                                                                                      \
        _mm256_storeu_ps(dst, low);                                                            \
        _mm256_storeu_ps(dst + 8, high);                                                       \
    } while (0)
    LITE_CONV_PACK(LITE_CONV_ROW_256)
#undef LITE_CONV_ROW_256
}
#undef LITE_CONV_PACK
#endif
