# The tile kernels for wider instruction sets.
#
# The module is built for baseline x86-64 (SSE2). isa_kernels.pxi defines
# `tile_arith` once per instruction set (isa.KERNEL_ISAS), and the C below
# declares each copy again with the matching target attribute and flatten,
# which gcc merges into Cython's definition: every per-op loop is inlined
# into each copy (gcc's own inliner left some out, compiled for the baseline
# only) and vectorized for that target (AVX2: 8 f32 lanes, AVX-512: 16).
# The results are the same bits: the build contracts nothing (-ffp-contract=off),
# and every loop is the element expression, whatever the lane count.
#
# The names are Cython's for functions of iree_lite._vm; the table takes
# their addresses, so a name Cython spells differently fails at import
# (an undefined symbol), never silently runs the baseline copy.

cdef extern from *:
    """
    #define LITE_TILE_ARITH_ARGS int, int, char *, char const *, char const *, char const *, uint32_t, Py_ssize_t
    __attribute__((flatten)) static int __pyx_f_9iree_lite_3_vm_tile_arith_sse2(LITE_TILE_ARITH_ARGS);
    __attribute__((flatten, target("avx2,fma")))
    static int __pyx_f_9iree_lite_3_vm_tile_arith_avx2(LITE_TILE_ARITH_ARGS);
    __attribute__((flatten, target("avx512f")))
    static int __pyx_f_9iree_lite_3_vm_tile_arith_avx512(LITE_TILE_ARITH_ARGS);
    /* By lite_isa()'s LITE_ISA_* (lite_tile.h). */
    static int (*const lite_tile_arith_isa[3])(LITE_TILE_ARITH_ARGS) = {
        __pyx_f_9iree_lite_3_vm_tile_arith_sse2, __pyx_f_9iree_lite_3_vm_tile_arith_avx2,
        __pyx_f_9iree_lite_3_vm_tile_arith_avx512};
    """
    ctypedef int (*tile_arith_fn)(int, int, char*, const char*, const char*, const char*, uint32_t,
                                  Py_ssize_t) noexcept nogil
    tile_arith_fn* lite_tile_arith_isa


cdef inline int tile_arith(int op, int t, char* d, const char* a, const char* b, const char* c,
                           uint32_t w, Py_ssize_t n) noexcept nogil:
    """Run arithmetic tile op `op` over a tile in element type t (`w`: the
    instruction, for a predicate or source type field), on the widest
    instruction set the CPU has under the kernels' limit. -1 if this VM has
    no kernel for that type."""
    return lite_tile_arith_isa[lite_isa()](op, t, d, a, b, c, w, n)
