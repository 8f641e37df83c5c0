/* Matrix products whose operands are narrower than the accumulator
   (matmul_mixed.pxi): the widening of operands to the accumulator's type,
   and i8 x i8 -> i32 products with AVX-512 VNNI.

   Widening: i8 to i32 by sign extension, f16 and bf16 to f32 (exact; F16C
   converts eight f16 at once, quieting a signaling NaN as the scalar
   conversion does).

   VNNI:

   vpdpbusd adds to each i32 lane the four products of an unsigned byte of
   one operand by a signed byte of the other. A's signed bytes are made
   unsigned by a bias of 128 (a ^ 0x80 = a + 128), so each lane sums
   (a + 128) * b, and the bias comes back out as -128 times the sum of B's
   column, added once per tile. Integer sums wrap around (mod 2^32) in any
   order and grouping, so the result is the in-order sum's, bit for bit.

   Layouts (k4 = k rounded up to groups of 4, the padding zero):
   - B in panels of LITE_I8_NR columns: for each group of 4 k, the columns'
     4 bytes side by side (64 bytes per 16 columns), then the panel's i32
     corrections -128 * sum_k B[k, j] (LITE_I8_NR of them);
   - A in tiles of LITE_I8_MR rows: for each group of 4 k, the rows' 4
     biased bytes side by side. */
#ifndef LITE_MM_MIXED_H
#define LITE_MM_MIXED_H
#include <immintrin.h>
#include <stdint.h>
#include "lite_tile.h"

static void lite_widen_i8(int32_t* d, const int8_t* s, int64_t n) {
    for (int64_t i = 0; i < n; i++) d[i] = s[i];
}

static void lite_widen_bf16(float* d, const uint16_t* s, int64_t n) {
    for (int64_t i = 0; i < n; i++) d[i] = lite_bf16_to_f32(s[i]);
}

static void lite_widen_f16_sse2(float* d, const uint16_t* s, int64_t n) {
    for (int64_t i = 0; i < n; i++) d[i] = lite_f16_to_f32(s[i]);
}

__attribute__((target("avx2,f16c"))) static void lite_widen_f16_f16c(float* d, const uint16_t* s, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(d + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)(s + i))));
    for (; i < n; i++) d[i] = _cvtsh_ss(s[i]);
}

static inline void lite_widen_f16(float* d, const uint16_t* s, int64_t n) {
    if (lite_isa() >= LITE_ISA_AVX2 && __builtin_cpu_supports("f16c"))
        lite_widen_f16_f16c(d, s, n);
    else
        lite_widen_f16_sse2(d, s, n);
}

#define LITE_I8_MR 8
#define LITE_I8_NR 32

/* Whether the VNNI kernel may run: the CPU has it and the kernels' limit
   (lite_set_isa_limit) allows AVX-512. */
static inline int lite_i8_vnni(void) {
    return lite_isa() >= LITE_ISA_AVX512 && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vnni");
}

static inline int64_t lite_i8_k4(int64_t k) { return (k + 3) / 4; }

/* Bytes of one packed panel of B. */
static inline int64_t lite_i8_panel_bytes(int64_t k) { return lite_i8_k4(k) * 4 * LITE_I8_NR + 4 * LITE_I8_NR; }

/* Panel q of B (k x n, row stride n) into dst (lite_i8_panel_bytes(k), 64-byte aligned). */
static void lite_i8_pack_panel(int8_t* dst, const int8_t* b, int64_t k, int64_t n, int64_t q) {
    int64_t j0 = q * LITE_I8_NR, w = n - j0 < LITE_I8_NR ? n - j0 : LITE_I8_NR, k4 = lite_i8_k4(k), g, j, e;
    uint32_t sum[LITE_I8_NR] = {0};
    b += j0;
    for (int64_t kk = 0; kk < k; kk++)
        for (j = 0; j < w; j++) sum[j] += (uint32_t)(int32_t)b[kk * n + j];
    for (g = 0; g < k4; g++, dst += 4 * LITE_I8_NR) {
        if (w == LITE_I8_NR && 4 * g + 4 <= k) {
            /* A whole group: its 4 rows' bytes interleaved, 16 columns at a time (SSE2). */
            const int8_t* r = b + 4 * g * n;
            for (j = 0; j < LITE_I8_NR; j += 16) {
                __m128i r0 = _mm_loadu_si128((const __m128i*)(r + j)), r1 = _mm_loadu_si128((const __m128i*)(r + n + j));
                __m128i r2 = _mm_loadu_si128((const __m128i*)(r + 2 * n + j));
                __m128i r3 = _mm_loadu_si128((const __m128i*)(r + 3 * n + j));
                __m128i lo01 = _mm_unpacklo_epi8(r0, r1), hi01 = _mm_unpackhi_epi8(r0, r1);
                __m128i lo23 = _mm_unpacklo_epi8(r2, r3), hi23 = _mm_unpackhi_epi8(r2, r3);
                _mm_storeu_si128((__m128i*)(dst + 4 * j), _mm_unpacklo_epi16(lo01, lo23));
                _mm_storeu_si128((__m128i*)(dst + 4 * j + 16), _mm_unpackhi_epi16(lo01, lo23));
                _mm_storeu_si128((__m128i*)(dst + 4 * j + 32), _mm_unpacklo_epi16(hi01, hi23));
                _mm_storeu_si128((__m128i*)(dst + 4 * j + 48), _mm_unpackhi_epi16(hi01, hi23));
            }
            continue;
        }
        for (e = 0; e < 4; e++)
            for (j = 0; j < LITE_I8_NR; j++)
                dst[j * 4 + e] = 4 * g + e < k && j < w ? b[(4 * g + e) * n + j] : 0;
    }
    uint32_t* corr = (uint32_t*)dst;
    for (j = 0; j < LITE_I8_NR; j++) corr[j] = sum[j] * (uint32_t)-128;
}

/* Rows of A (row stride lda), `rows` <= LITE_I8_MR of them, as one tile
   into dst (k4 * 4 * LITE_I8_MR bytes); rows past `rows` are zero. */
static void lite_i8_pack_tile(uint8_t* dst, const int8_t* a, int64_t lda, int64_t rows, int64_t k) {
    int64_t k4 = lite_i8_k4(k), whole = rows == LITE_I8_MR ? k / 4 : 0, g, q, e;
    for (g = 0; g < whole; g++)   /* whole groups of whole tiles: 4 bytes at a time */
        for (q = 0; q < LITE_I8_MR; q++) {
            uint32_t x;
            __builtin_memcpy(&x, a + q * lda + 4 * g, 4);
            x ^= 0x80808080u;
            __builtin_memcpy(dst + (g * LITE_I8_MR + q) * 4, &x, 4);
        }
    for (g = whole; g < k4; g++)
        for (q = 0; q < LITE_I8_MR; q++)
            for (e = 0; e < 4; e++) {
                int64_t kk = 4 * g + e;
                int8_t x = kk < k && q < rows ? a[q * lda + kk] : 0;
                dst[(g * LITE_I8_MR + q) * 4 + e] = (uint8_t)x ^ 0x80;
            }
}

/* C[0:MR, 0:NR] (row stride ldc) += the tile of A (pa) times the panel (pb). */
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void lite_i8_tile_vnni(
        int32_t* c, int64_t ldc, const uint8_t* pa, const int8_t* pb, int64_t k4) {
    __m512i acc[LITE_I8_MR][2];
    const int8_t* corr = pb + k4 * 4 * LITE_I8_NR;
    __m512i c0 = _mm512_load_si512((const void*)corr), c1 = _mm512_load_si512((const void*)(corr + 64));
    int q;
    for (q = 0; q < LITE_I8_MR; q++) {
        acc[q][0] = _mm512_add_epi32(_mm512_loadu_si512((const void*)(c + q * ldc)), c0);
        acc[q][1] = _mm512_add_epi32(_mm512_loadu_si512((const void*)(c + q * ldc + 16)), c1);
    }
    for (int64_t g = 0; g < k4; g++) {
        __m512i b0 = _mm512_load_si512((const void*)pb), b1 = _mm512_load_si512((const void*)(pb + 64));
        for (q = 0; q < LITE_I8_MR; q++) {
            int32_t x;
            __builtin_memcpy(&x, pa + 4 * q, 4);
            __m512i va = _mm512_set1_epi32(x);
            acc[q][0] = _mm512_dpbusd_epi32(acc[q][0], va, b0);
            acc[q][1] = _mm512_dpbusd_epi32(acc[q][1], va, b1);
        }
        pa += 4 * LITE_I8_MR;
        pb += 4 * LITE_I8_NR;
    }
    for (q = 0; q < LITE_I8_MR; q++) {
        _mm512_storeu_si512((void*)(c + q * ldc), acc[q][0]);
        _mm512_storeu_si512((void*)(c + q * ldc + 16), acc[q][1]);
    }
}

/* `rows` rows of one batch: C (rows x n, row stride n) += A (rows x k, row
   stride k) times B, given as its packed panels. `tiles` holds the packed
   tiles of A (ceil(rows / MR) * k4 * 4 * MR bytes). Tiles cut by the last
   row or column run on a local copy of their part of C. */
static void lite_i8_rows_vnni(int32_t* c, const int8_t* a, const int8_t* panels, uint8_t* tiles,
                              int64_t rows, int64_t k, int64_t n) {
    int64_t k4 = lite_i8_k4(k), tile_bytes = k4 * 4 * LITE_I8_MR, pbytes = lite_i8_panel_bytes(k);
    int64_t ntiles = (rows + LITE_I8_MR - 1) / LITE_I8_MR, npanels = (n + LITE_I8_NR - 1) / LITE_I8_NR;
    int32_t edge[LITE_I8_MR * LITE_I8_NR];
    for (int64_t t = 0; t < ntiles; t++) {
        int64_t h = rows - t * LITE_I8_MR;
        lite_i8_pack_tile(tiles + t * tile_bytes, a + t * LITE_I8_MR * k, k, h < LITE_I8_MR ? h : LITE_I8_MR, k);
    }
    for (int64_t p = 0; p < npanels; p++) {
        int64_t w = n - p * LITE_I8_NR < LITE_I8_NR ? n - p * LITE_I8_NR : LITE_I8_NR;
        const int8_t* pb = panels + p * pbytes;
        for (int64_t t = 0; t < ntiles; t++) {
            int64_t h = rows - t * LITE_I8_MR < LITE_I8_MR ? rows - t * LITE_I8_MR : LITE_I8_MR;
            int32_t* ct = c + t * LITE_I8_MR * n + p * LITE_I8_NR;
            if (h == LITE_I8_MR && w == LITE_I8_NR) {
                lite_i8_tile_vnni(ct, n, tiles + t * tile_bytes, pb, k4);
                continue;
            }
            for (int64_t q = 0; q < LITE_I8_MR; q++)
                for (int64_t j = 0; j < LITE_I8_NR; j++)
                    edge[q * LITE_I8_NR + j] = q < h && j < w ? ct[q * n + j] : 0;
            lite_i8_tile_vnni(edge, LITE_I8_NR, tiles + t * tile_bytes, pb, k4);
            for (int64_t q = 0; q < h; q++)
                for (int64_t j = 0; j < w; j++) ct[q * n + j] = edge[q * LITE_I8_NR + j];
        }
    }
}

#endif
