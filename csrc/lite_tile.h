/* The matmul micro-kernel (buffer.matmul; the blocking around it is in
   contract.pxi): one tile of LITE_MM_MR rows of C by one 64-byte row of
   elements, over kc steps of k,

       C[q, 0:nr] (row stride ldc) += A[q, kk] * P[kk, 0:nr],  kk = 0 .. kc-1 in order,

   where A has row stride lda and P is a packed panel of B: kc rows of nr
   elements, 64-byte aligned. The vector lanes are columns, so every element
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
#include <stdint.h>

#define LITE_MM_MR 4
#define LITE_MM_ROW_BYTES 64

#define LITE_MM_TILE(NAME, T, VB, TARGET)                                                    \
    TARGET static void NAME(T* c, int64_t ldc, const T* a, int64_t lda, const T* p, int64_t kc) { \
        typedef T vec __attribute__((vector_size(VB)));                                      \
        typedef T uvec __attribute__((vector_size(VB), aligned(sizeof(T))));                 \
        enum { NV = LITE_MM_ROW_BYTES / VB, LANES = VB / sizeof(T) };                       \
        vec acc[LITE_MM_MR][NV], b[NV];                                                      \
        int q, v;                                                                            \
        for (q = 0; q < LITE_MM_MR; q++)                                                     \
            for (v = 0; v < NV; v++) acc[q][v] = *(const uvec*)(c + q * ldc + v * LANES);    \
        for (int64_t kk = 0; kk < kc; kk++) {                                                \
            for (v = 0; v < NV; v++) b[v] = *(const vec*)(p + kk * NV * LANES + v * LANES);  \
            for (q = 0; q < LITE_MM_MR; q++) {                                               \
                T x = a[q * lda + kk];                                                       \
                for (v = 0; v < NV; v++) acc[q][v] = acc[q][v] + x * b[v];                   \
            }                                                                                \
        }                                                                                    \
        for (q = 0; q < LITE_MM_MR; q++)                                                     \
            for (v = 0; v < NV; v++) *(uvec*)(c + q * ldc + v * LANES) = acc[q][v];          \
    }

#define LITE_MM_TILES(SUFFIX, T)                                                             \
    LITE_MM_TILE(lite_mm_tile_sse2_##SUFFIX, T, 16, )                                        \
    LITE_MM_TILE(lite_mm_tile_avx2_##SUFFIX, T, 32, __attribute__((target("avx2"))))

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

/* The widest instruction set the CPU has, up to the limit. AVX2 counts
   only with FMA (CPUs have both or neither), for kernels that use it. */
static inline int lite_isa(void) {
    int limit = __atomic_load_n(&lite_isa_limit, __ATOMIC_RELAXED);
    __builtin_cpu_init();   /* idempotent; needed if called before constructors run */
    if (limit >= LITE_ISA_AVX512 && __builtin_cpu_supports("avx512f"))
        return LITE_ISA_AVX512;
    if (limit >= LITE_ISA_AVX2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return LITE_ISA_AVX2;
    return LITE_ISA_SSE2;
}

#define LITE_MM_DISPATCH(SUFFIX, T, U)                                                       \
    static inline void lite_mm_tile_##SUFFIX(T* c, int64_t ldc, const T* a, int64_t lda,    \
                                             const T* p, int64_t kc) {                       \
        if (lite_isa() >= LITE_ISA_AVX2)                                                    \
            lite_mm_tile_avx2_##U((void*)c, ldc, (const void*)a, lda, (const void*)p, kc);   \
        else                                                                                 \
            lite_mm_tile_sse2_##U((void*)c, ldc, (const void*)a, lda, (const void*)p, kc);   \
    }

LITE_MM_DISPATCH(f32, float, f32)
LITE_MM_DISPATCH(f64, double, f64)
LITE_MM_DISPATCH(i32, int32_t, u32)
LITE_MM_DISPATCH(i64, int64_t, u64)

#endif
