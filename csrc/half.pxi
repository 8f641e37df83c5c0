# f16 and bf16 reductions and matrix products (buffer.reduce, buffer.matmul):
# each combine, product and sum is computed in f32 and rounded to the element
# type. That is the correctly rounded f16/bf16 result, as the reference
# defines it: f32 carries more than twice their precision plus two bits, so
# rounding twice is the same as rounding once.


cdef inline float half_round(int t, float x) noexcept nogil:
    """x rounded to f16 or bf16 (t), as f32."""
    cdef uint16_t h = half_bits(t, x)
    return half_load(t, &h, 0)


ctypedef struct half_job_t:
    int element
    int combiner
    uint16_t* c          # the accumulator
    const uint16_t* a    # reduce: the source; matmul: the left operand
    const uint16_t* b    # matmul: the right operand
    int64_t m, k, n      # matmul: rows per batch, k, columns; reduce: n is the row length
    const run_t* run     # the call: rows it reaches after the call must stop are skipped


cdef inline float half_fold(int t, int c, float x, const uint16_t* src, int64_t count) noexcept nogil:
    cdef int64_t j
    for j in range(count):
        x = half_round(t, combine(c, x, half_load(t, src, j)))
    return x


cdef void half_reduce_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """Rows [begin, end) by buffer.reduce's definition: the first segment folded
    into the accumulator, each later one from its first element, then merged."""
    cdef half_job_t* j = <half_job_t*>arg
    cdef int64_t r, lo
    cdef float x
    cdef const uint16_t* row
    for r in range(begin, end):
        if run_stop_code(j.run) != 0:
            return
        row = j.a + r * j.n
        x = half_fold(j.element, j.combiner, half_load(j.element, j.c, r), row, min(j.n, <int64_t>REDUCE_SEGMENT))
        lo = REDUCE_SEGMENT
        while lo < j.n:
            x = half_round(j.element, combine(j.combiner, x, half_fold(
                j.element, j.combiner, half_load(j.element, row, lo), row + lo + 1,
                min(j.n, lo + REDUCE_SEGMENT) - lo - 1)))
            lo += REDUCE_SEGMENT
        j.c[r] = half_bits(j.element, x)


cdef void half_matmul_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """Rows [begin, end) of all batches flattened: C's row plus each product
    in k order, every product and sum rounded."""
    cdef half_job_t* j = <half_job_t*>arg
    cdef int t = j.element
    cdef int64_t r, kk, col, batch
    cdef float x
    cdef uint16_t* crow
    cdef const uint16_t* brow
    for r in range(begin, end):
        if run_stop_code(j.run) != 0:
            return
        batch = r // j.m
        crow = j.c + r * j.n
        for kk in range(j.k):
            x = half_load(t, j.a, r * j.k + kk)
            brow = j.b + (batch * j.k + kk) * j.n
            if t == ET_F16:
                lite_f16_axpy(crow, x, brow, j.n)
                continue
            for col in range(j.n):
                crow[col] = half_bits(t, half_load(t, crow, col) + half_round(t, x * half_load(t, brow, col)))


cdef void half_run(ctx_t* ctx, range_fn body, half_job_t* j,
                   int64_t rows, int64_t work) noexcept nogil:
    """Rows shared out over the workers when the work is large enough."""
    if ctx.pool != NULL and work > ctx.inline_elements:
        pool_parallel_for(ctx.pool, rows, max(<int64_t>1, rows // (4 * pool_size(ctx.pool))), body, j)
    else:
        body(j, 0, rows, 0)
