/* The C kernels: the matmul micro-kernel and f32 exp (below).

   The matmul micro-kernel (buffer.matmul; the blocking around it is in
   matmul.pxi): one tile of mr rows of C (lite_mm_rows: LITE_MM_MR, or
   LITE_MM_MR_WIDE with AVX-512, whose 32 registers hold twice the
   accumulators, enough independent sums to keep both vector units busy
   without fused multiply-adds) by one 64-byte row of elements, over kc
   steps of k,

       C[q, 0:nr] (row stride ldc) += A[q, kk] * P[kk, 0:nr],  kk = 0 .. kc-1 in order,

   where A has row stride lda and P is a panel of B: kc rows of nr
   elements, row stride ldp (a packed panel's nr, or B's own row length). The vector lanes are columns, so every element
   of C still sums its products in k order, each product and sum rounded to
   the element type (the build passes -ffp-contract=off: no fused
   multiply-add); results are the plain loop's, bit for bit. Integers use
   unsigned lanes, whose wrap-around is defined and equals two's complement.

   In C because Cython can express neither GCC's vector types (the tile's
   accumulators must live in registers across the k loop, which gcc's
   auto-vectorizer does not manage from scalar code: it vectorizes the k
   loop as an in-order reduction instead) nor a per-function target: the
   module is built for baseline x86-64 (SSE2), and each kernel is compiled
   again for wider instruction sets, chosen at run time (lite_isa). */
#ifndef LITE_TILE_H
#define LITE_TILE_H
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include "lite_vm.h"

#define LITE_MM_MR 4
#define LITE_MM_MR_WIDE 8
#define LITE_MM_ROW_BYTES 64
/* The blocks of k a tile runs over (matmul.pxi's blocking), and a block
   of a panel in doubles (the storage of a worker's copy of one). */
#define LITE_MM_KC 256
#define LITE_MM_BLOCK_DOUBLES (LITE_MM_KC * LITE_MM_ROW_BYTES / 8)

#define LITE_MM_TILE(NAME, T, VB, MR, TARGET)                                                 \
    TARGET static void NAME(T* c, int64_t ldc, const T* a, int64_t lda, const T* p, int64_t ldp, \
                            int64_t kc, int zero) {                                           \
        typedef T vec __attribute__((vector_size(VB)));                                       \
        typedef T uvec __attribute__((vector_size(VB), aligned(sizeof(T))));                  \
        enum { NV = LITE_MM_ROW_BYTES / VB, LANES = VB / sizeof(T) };                         \
        vec acc[MR][NV], b[NV], none = {0};                                                   \
        int q, v;                                                                             \
        for (q = 0; q < MR; q++) /* zero: the sums start from +0.0, c is not read */         \
            for (v = 0; v < NV; v++) acc[q][v] = zero ? none : *(const uvec*)(c + q * ldc + v * LANES); \
        for (int64_t kk = 0; kk < kc; kk++) {                                                 \
            for (v = 0; v < NV; v++) b[v] = *(const uvec*)(p + kk * ldp + v * LANES);         \
            for (q = 0; q < MR; q++) {                                                        \
                T x = a[q * lda + kk];                                                        \
                for (v = 0; v < NV; v++) acc[q][v] = acc[q][v] + x * b[v];                    \
            }                                                                                 \
        }                                                                                     \
        for (q = 0; q < MR; q++)                                                              \
            for (v = 0; v < NV; v++) *(uvec*)(c + q * ldc + v * LANES) = acc[q][v];           \
    }

#define LITE_MM_TILES(SUFFIX, T)                                                              \
    LITE_MM_TILE(lite_mm_tile_sse2_##SUFFIX, T, 16, LITE_MM_MR, )                             \
    LITE_MM_TILE(lite_mm_tile_avx2_##SUFFIX, T, 32, LITE_MM_MR, __attribute__((target("avx2")))) \
    LITE_MM_TILE(lite_mm_tile_avx512_##SUFFIX, T, 64, LITE_MM_MR_WIDE, __attribute__((target("avx512f"))))

LITE_MM_TILES(f32, float)
LITE_MM_TILES(f64, double)
LITE_MM_TILES(u32, uint32_t)
LITE_MM_TILES(u64, uint64_t)

/* The instruction sets of the kernels' variants, in order. */
enum { LITE_ISA_SSE2, LITE_ISA_AVX2, LITE_ISA_AVX512 };

/* The widest the kernels may use: all the CPU has by default; tests lower
   it, to run each variant on any machine that has it. */
static int lite_isa_limit = LITE_ISA_AVX512;
static inline void lite_set_isa_limit(int limit) { __atomic_store_n(&lite_isa_limit, limit, __ATOMIC_RELAXED); }

/* The widest instruction set the CPU has (-1: not asked yet). AVX2 counts
   only with FMA, which the exp kernel uses (CPUs have both or neither). */
static int lite_cpu_isa = -1;

/* The widest instruction set the CPU has, up to the limit. Asked of the CPU
   once: the tile interpreter calls this per instruction. */
static inline int lite_isa(void) {
    int limit = __atomic_load_n(&lite_isa_limit, __ATOMIC_RELAXED);
    int cpu = __atomic_load_n(&lite_cpu_isa, __ATOMIC_RELAXED);
    if (cpu < 0) {   /* threads racing here all store the same answer */
        __builtin_cpu_init();   /* needed if called before constructors run */
        cpu = __builtin_cpu_supports("avx512f") ? LITE_ISA_AVX512
            : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? LITE_ISA_AVX2 : LITE_ISA_SSE2;
        __atomic_store_n(&lite_cpu_isa, cpu, __ATOMIC_RELAXED);
    }
    return cpu < limit ? cpu : limit;
}

/* n copies of a 4- or 8-byte value in the widest stores the kernels may use
   (a tile kernel's splats and broadcast runs; the baseline build stores 16
   bytes at a time, which took a third of a short epilogue row's time). */
#define LITE_FILLS(S, TARGET)                                                                     \
    TARGET static void lite_fill32_##S(uint32_t* d, uint32_t v, int64_t n) {                      \
        for (int64_t i = 0; i < n; i++) d[i] = v;                                                 \
    }                                                                                             \
    TARGET static void lite_fill64_##S(uint64_t* d, uint64_t v, int64_t n) {                      \
        for (int64_t i = 0; i < n; i++) d[i] = v;                                                 \
    }
LITE_FILLS(sse2, )
LITE_FILLS(avx2, __attribute__((target("avx2"))))
LITE_FILLS(avx512, __attribute__((target("avx512f"))))
static inline void lite_fill32(uint32_t* d, uint32_t v, int64_t n) {
    static void (*const by_isa[3])(uint32_t*, uint32_t, int64_t) = {lite_fill32_sse2, lite_fill32_avx2,
                                                                     lite_fill32_avx512};
    by_isa[lite_isa()](d, v, n);
}
static inline void lite_fill64(uint64_t* d, uint64_t v, int64_t n) {
    static void (*const by_isa[3])(uint64_t*, uint64_t, int64_t) = {lite_fill64_sse2, lite_fill64_avx2,
                                                                     lite_fill64_avx512};
    by_isa[lite_isa()](d, v, n);
}

/* One k step of the f16 matmul (half.pxi): c[j] = f16(c[j] + f16(x * b[j]))
   for j < n, the product and the sum computed in f32 and each rounded to
   f16 (x is an f16 value). The F16C variant converts eight lanes at once,
   with the same roundings: bit for bit the scalar loop. Its add and multiply
   are asm so that gcc keeps their operand order, which picks the NaN that
   results where both operands are NaNs (x86 returns the first's). */
static void lite_f16_axpy_sse2(uint16_t* c, float x, const uint16_t* b, int64_t n) {
    for (int64_t j = 0; j < n; j++)
        c[j] = lite_f32_to_f16(lite_f16_to_f32(c[j]) + lite_f16_to_f32(lite_f32_to_f16(x * lite_f16_to_f32(b[j]))));
}

__attribute__((target("avx2,f16c"))) static void lite_f16_axpy_f16c(uint16_t* c, float x, const uint16_t* b,
                                                                    int64_t n) {
    const __m256 vx = _mm256_set1_ps(x);
    uint16_t tail_c[8] = {0}, tail_b[8] = {0};
    for (int64_t j = 0; j < n; j += 8) {
        /* The last partial group of lanes goes through a copy (not the scalar
           loop, whose NaNs gcc may pick either way once inlined here). */
        int64_t m = n - j < 8 ? n - j : 8;
        uint16_t* cj = m < 8 ? tail_c : c + j;
        const uint16_t* bj = m < 8 ? tail_b : b + j;
        if (m < 8) {
            __builtin_memcpy(tail_c, c + j, m * 2);
            __builtin_memcpy(tail_b, b + j, m * 2);
        }
        __m256 vb = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)bj)), p, vc, s;
        __asm__("vmulps %2, %1, %0" : "=x"(p) : "x"(vx), "x"(vb));   /* p = vx * vb */
        p = _mm256_cvtph_ps(_mm256_cvtps_ph(p, _MM_FROUND_TO_NEAREST_INT));
        vc = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)cj));
        __asm__("vaddps %2, %1, %0" : "=x"(s) : "x"(vc), "x"(p));    /* s = vc + p */
        _mm_storeu_si128((__m128i*)cj, _mm256_cvtps_ph(s, _MM_FROUND_TO_NEAREST_INT));
        if (m < 8)
            __builtin_memcpy(c + j, tail_c, m * 2);
    }
}

static inline void lite_f16_axpy(uint16_t* c, float x, const uint16_t* b, int64_t n) {
    if (lite_isa() >= LITE_ISA_AVX2 && __builtin_cpu_supports("f16c"))
        lite_f16_axpy_f16c(c, x, b, n);
    else
        lite_f16_axpy_sse2(c, x, b, n);
}

/* The rows of a matmul tile on this CPU (under the limit); a caller reads it
   once per matmul and passes it to each tile, so that a limit changed
   meanwhile cannot mix tile heights within one product. */
static inline int lite_mm_rows(void) { return lite_isa() >= LITE_ISA_AVX512 ? LITE_MM_MR_WIDE : LITE_MM_MR; }

#define LITE_MM_DISPATCH(SUFFIX, T, U)                                                        \
    static inline void lite_mm_tile_##SUFFIX(int mr, T* c, int64_t ldc, const T* a, int64_t lda, \
                                             const T* p, int64_t ldp, int64_t kc, int zero) { \
        if (mr == LITE_MM_MR_WIDE)                                                            \
            lite_mm_tile_avx512_##U((void*)c, ldc, (const void*)a, lda, (const void*)p, ldp, kc, zero); \
        else if (lite_isa() >= LITE_ISA_AVX2)                                                 \
            lite_mm_tile_avx2_##U((void*)c, ldc, (const void*)a, lda, (const void*)p, ldp, kc, zero); \
        else                                                                                  \
            lite_mm_tile_sse2_##U((void*)c, ldc, (const void*)a, lda, (const void*)p, ldp, kc, zero); \
    }

LITE_MM_DISPATCH(f32, float, f32)
LITE_MM_DISPATCH(f64, double, f64)
LITE_MM_DISPATCH(i32, int32_t, u32)
LITE_MM_DISPATCH(i64, int64_t, u64)

/* exp of f32 elements (t.exp): d[i] = exp(a[i]) as the reference
   interpreter defines it, glibc's (float)exp((double)a[i]), bit for bit.

   The SSE2 variant is that definition, element by element: with two double
   lanes and no FMA, the vectorized loop below is no faster. (glibc's expf
   is no substitute: it differs in 170648 of the 2^32 inputs.) The wider
   variants compute an approximation y of exp(x) in double, relative error
   about 2^-46, in vector lanes, and take its f32 rounding where the error
   interval y * (1 +- 2^-40) rounds to one f32: then so does exp(x), and so
   does glibc's double exp(x), within an ulp of it. Elsewhere (about one
   element in 2^15, near an f32 rounding boundary) and for NaN, the element
   is glibc's, computed after the vectorized loop over a chunk. Chunks go
   through a buffer because d may be a. */
#define LITE_EXP_CHUNK 256

/* The machine's default NaN, what an invalid operation (inf - inf) gives:
   on x86-64, the only machine the VM builds for (setup.py), a quiet NaN
   with the sign set. A constant, so that loops using it still vectorize
   (one made at run time, from a volatile, kept gcc from vectorizing fma's
   loop: 4x slower than a multiply and an add). The differential tests on
   edge values check it against the reference interpreter's, which the
   hardware makes. */
static inline double lite_default_nan(void) { return -__builtin_nan(""); }

static inline float lite_exp_definition_f32(float x) { return (float)exp((double)x); }

/* c ? a : b, as a select of bits: where gcc sees a branch instead, it moves
   work under it (or specializes the work for a constant) and then fails to
   vectorize the loop. */
__attribute__((always_inline)) static inline float lite_select_f32(int c, float a, float b) {
    uint32_t ua, ub, m = -(uint32_t)c;
    __builtin_memcpy(&ua, &a, 4);
    __builtin_memcpy(&ub, &b, 4);
    ua = (ua & m) | (ub & ~m);
    __builtin_memcpy(&a, &ua, 4);
    return a;
}

/* exp(x) for x in [-104, 89], relative error about 2^-46: x = k ln2 + r,
   |r| <= ln2/2, exp(r) by its Taylor series to r^11, times 2^k put in the
   exponent bits. Only for targets with FMA (else a libm call). */
__attribute__((always_inline)) static inline double lite_exp_approx(double x) {
    const double SHIFT = 0x1.8p52;   /* adding it rounds to an integer, held in the low bits */
    const double LN2_HI = 0x1.62e42fefa39efp-1, LN2_LO = 0x1.abc9e3b39803fp-56;
    double u = __builtin_fma(x, 0x1.71547652b82fep+0, SHIFT), k = u - SHIFT;   /* x / ln2 */
    double r = __builtin_fma(k, -LN2_LO, __builtin_fma(k, -LN2_HI, x)), p = 1.0 / 39916800;
    uint64_t ub, sb, pb;
    p = __builtin_fma(p, r, 1.0 / 3628800);
    p = __builtin_fma(p, r, 1.0 / 362880);
    p = __builtin_fma(p, r, 1.0 / 40320);
    p = __builtin_fma(p, r, 1.0 / 5040);
    p = __builtin_fma(p, r, 1.0 / 720);
    p = __builtin_fma(p, r, 1.0 / 120);
    p = __builtin_fma(p, r, 1.0 / 24);
    p = __builtin_fma(p, r, 1.0 / 6);
    p = __builtin_fma(p, r, 1.0 / 2);
    p = __builtin_fma(p, r, 1.0);
    p = __builtin_fma(p, r, 1.0);
    __builtin_memcpy(&ub, &u, 8);
    __builtin_memcpy(&sb, &SHIFT, 8);
    __builtin_memcpy(&pb, &p, 8);
    pb += (ub - sb) << 52;
    __builtin_memcpy(&p, &pb, 8);
    return p;
}

/* The scheme, for any f32 function FN defined as DEF(x) (glibc's, in double,
   rounded once): APPROX(x) is a double within 2^-46 of FN(x), computed in
   vector lanes; its f32 rounding is taken where y * (1 +- 2^-40) rounds to
   one f32, DEF(x) elsewhere and for NaN. FN itself picks the AVX-512 or
   AVX2+FMA variant at run time; SSE2 (no FMA) is DEF throughout. */
#define LITE_ROUNDED_VARIANT_F32(NAME, TARGET, APPROX, DEF)                                  \
    TARGET static void NAME(float* d, const float* a, int64_t n) {                           \
        float buf[LITE_EXP_CHUNK];                                                           \
        for (int64_t i0 = 0; i0 < n; i0 += LITE_EXP_CHUNK) {                                 \
            int m = n - i0 < LITE_EXP_CHUNK ? (int)(n - i0) : LITE_EXP_CHUNK, hard = 0, i;   \
            for (i = 0; i < m; i++) {                                                        \
                float x = a[i0 + i];                                                         \
                double y = APPROX(x);                                                        \
                float lo = (float)(y * (1 - 0x1p-40)), hi = (float)(y * (1 + 0x1p-40));      \
                int h = (lo != hi) | (x != x);                                               \
                hard |= h;                                                                   \
                buf[i] = lite_select_f32(h, NAN, hi);                                        \
            }                                                                                \
            if (hard)                                                                        \
                for (i = 0; i < m; i++)                                                      \
                    if (buf[i] != buf[i]) buf[i] = DEF(a[i0 + i]);                           \
            __builtin_memcpy(d + i0, buf, m * sizeof(float));                                \
        }                                                                                    \
    }

#define LITE_ROUNDED_F32(FN, APPROX, DEF)                                                    \
    static void FN##_sse2(float* d, const float* a, int64_t n) {                             \
        for (int64_t i = 0; i < n; i++) d[i] = DEF(a[i]);                                    \
    }                                                                                        \
    LITE_ROUNDED_VARIANT_F32(FN##_avx2, __attribute__((target("avx2,fma"))), APPROX, DEF)    \
    LITE_ROUNDED_VARIANT_F32(FN##_avx512, __attribute__((target("avx512f"))), APPROX, DEF)   \
    static inline void FN(float* d, const float* a, int64_t n) {                             \
        switch (lite_isa()) {                                                                \
        case LITE_ISA_AVX512: FN##_avx512(d, a, n); break;                                   \
        case LITE_ISA_AVX2: FN##_avx2(d, a, n); break;                                       \
        default: FN##_sse2(d, a, n);                                                         \
        }                                                                                    \
    }

/* Beyond [-104, 89] (as for the infinities) exp's result is 0 or +inf. */
__attribute__((always_inline)) static inline double lite_exp_clamped(float x) {
    float c = lite_select_f32(x > -104.0f, x, -104.0f);
    return lite_exp_approx(lite_select_f32(c < 89.0f, c, 89.0f));
}

LITE_ROUNDED_F32(lite_exp_f32, lite_exp_clamped, lite_exp_definition_f32)

#include "lite_erf.h"   /* t.erf f32, by the same scheme as exp */

#endif
