/* The packed window block of a direct convolution (conv.pxi) with AVX-512
   masked loads, for unit column stride: kc rows, row kk being k = k0 + kk
   = (channel, ky, kx) in order, of 16 lanes, a panel's output pixels in
   runs of one output row each; run r's pixel t reads input row
   y0[r] + ky*dh, column x0[r] + kx*dw + t of the channel's h x w plane, or
   zero outside it. A masked load never touches the lanes it leaves out, so
   reads stay inside the input. conv.pxi's scalar path does the same. */
#ifndef LITE_CONV_H
#define LITE_CONV_H
#include <immintrin.h>
#include <stdint.h>

typedef struct {
    int64_t count;
    int64_t col[16], len[16], y0[16], x0[16];
} lite_conv_runs;

__attribute__((target("avx512f"))) static void lite_conv_pack_f32(
        float* block, int64_t kc, const float* planes, int64_t h, int64_t w, int64_t kh, int64_t kw,
        int64_t dh, int64_t dw, int64_t k0, const lite_conv_runs* runs) {
    int64_t taps = kh * kw, ch = k0 / taps, ky = k0 % taps / kw, kx = k0 % kw;
    for (int64_t kk = 0; kk < kc; kk++) {
        const float* plane = planes + ch * h * w;
        __m512 out = _mm512_setzero_ps();
        for (int64_t r = 0; r < runs->count; r++) {
            int64_t iy = runs->y0[r] + ky * dh, ix0 = runs->x0[r] + kx * dw, n = runs->len[r];
            if (iy < 0 || iy >= h) continue;
            int64_t lo = ix0 < 0 ? (-ix0 < n ? -ix0 : n) : 0;   /* pixels [lo, hi) are inside the row */
            int64_t hi = w - ix0 < n ? w - ix0 : n;
            if (hi <= lo) continue;
            __mmask16 m = (__mmask16)((((1u << hi) - 1u) & ~((1u << lo) - 1u)) << runs->col[r]);
            out = _mm512_mask_loadu_ps(out, m, plane + iy * w + ix0 - runs->col[r]);
        }
        _mm512_storeu_ps(block + kk * 16, out);
        if (++kx == kw) {   /* the next k */
            kx = 0;
            if (++ky == kh) {
                ky = 0;
                ch++;
            }
        }
    }
}
#endif
