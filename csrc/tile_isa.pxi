# The tile kernels for wider instruction sets.
#
# The module is built for baseline x86-64 (SSE2). isa_kernels.pxi gives
# every kernel a copy per instruction set (isa.KERNEL_ISAS), declared in C
# with the matching target attribute and flatten, which gcc merges into
# Cython's definition: the kernel's loop is inlined into each copy (gcc's
# own inliner left some out, compiled for the baseline only) and vectorized
# for that target (AVX2: 8 f32 lanes, AVX-512: 16). The results are the
# same bits: the build contracts nothing (-ffp-contract=off), and every
# loop is the element expression, whatever the lane count.
#
# One small function a kernel and target, called through a table, instead
# of one function holding them all behind a switch: a call saves only the
# registers its own loop uses, where the switch's function set up the frame
# of its largest kernel at every tile instruction.


cdef inline int tile_arith(int op, int t, char* d, const char* a, const char* b, const char* c,
                           uint32_t w, Py_ssize_t n) noexcept nogil:
    """Run arithmetic tile op `op` over a tile in element type t (`w`: the
    instruction, for a predicate or source type field), on the widest
    instruction set the CPU has under the kernels' limit. -1 if this VM has
    no kernel for that type."""
    cdef int slot = tile_kernel_slot(op, t, w)
    cdef tile_kernel_fn kernel = lite_tile_kernels[lite_isa()][slot] if slot >= 0 else NULL
    if kernel == NULL:
        return -1
    return kernel(d, a, b, c, tile_kernel_extra(op, w), n)
