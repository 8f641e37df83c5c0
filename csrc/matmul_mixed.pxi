# Matrix products whose operands are narrower than the accumulator
# (buffer.matmul: i8 operands into i32, f16 or bf16 operands into f32).
# i8 with AVX-512 VNNI: B packed into panels once (by the workers) and
# chunks of rows spread over the workers (lite_mm_mixed.h). Otherwise both
# operands are widened (exactly) into one scratch copy and multiplied by
# the accumulator type's tiles (matmul.pxi). Integer sums wrap around in
# any order, so every i8 path gives the same bits.

cdef extern from "lite_mm_mixed.h" nogil:
    enum:
        LITE_I8_MR
        LITE_I8_NR
    int lite_i8_vnni()
    int64_t lite_i8_k4(int64_t k)
    int64_t lite_i8_panel_bytes(int64_t k)
    void lite_i8_pack_panel(int8_t* dst, const int8_t* b, int64_t k, int64_t n, int64_t q)
    void lite_i8_rows_vnni(int32_t* c, const int8_t* a, const int8_t* panels, uint8_t* tiles, int64_t rows,
                           int64_t k, int64_t n)
    void lite_widen_i8(int32_t* d, const int8_t* s, int64_t n)
    void lite_widen_f16(float* d, const uint16_t* s, int64_t n)
    void lite_widen_bf16(float* d, const uint16_t* s, int64_t n)


ctypedef struct widen_job_t:
    const char* a
    const char* b
    char* wide           # A's elements then B's, widened (4 bytes each)
    int64_t na           # A's elements
    int element          # the operands'


cdef inline void widen(widen_job_t* j, int64_t at, const char* src, int64_t count) noexcept nogil:
    if j.element == ET_I8:
        lite_widen_i8(<int32_t*>j.wide + at, <const int8_t*>src, count)
    elif j.element == ET_F16:
        lite_widen_f16(<float*>j.wide + at, <const uint16_t*>src, count)
    else:
        lite_widen_bf16(<float*>j.wide + at, <const uint16_t*>src, count)


cdef void widen_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """Elements [begin, end) of A then B, widened into j.wide."""
    cdef widen_job_t* j = <widen_job_t*>arg
    cdef int size = ELEMENT_SIZE[j.element]
    if begin < j.na:
        widen(j, begin, j.a + begin * size, min(end, j.na) - begin)
    if end > j.na:
        begin = max(begin, j.na)
        widen(j, begin, j.b + (begin - j.na) * size, end - begin)


cdef lite_status* matmul_widened(ctx_t* ctx, const run_t* run, char* c, int element, const char* a, const char* b,
                                 int operand_element, int64_t batches, int64_t m, int64_t k,
                                 int64_t n) noexcept nogil:
    """The product on copies of A and B widened to the accumulator's type."""
    cdef widen_job_t w
    cdef mm_layout_t l
    cdef int64_t count = batches * (m * k + k * n)
    cdef lite_status* st
    w.a, w.b, w.na, w.element = a, b, batches * m * k, operand_element
    w.wide = <char*>malloc(count * 4)
    if w.wide == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory widening a matmul operand")
    if ctx.pool != NULL and count > ctx.inline_elements:
        pool_parallel_for(ctx.pool, count, max(<int64_t>4096, count // (4 * pool_size(ctx.pool))), widen_range, &w)
    else:
        widen_range(&w, 0, count, 0)
    dense_layout(&l, m, k, n)
    st = matmul_same_type(ctx, run, c, w.wide, w.wide + w.na * 4, element, batches, m, k, n, &l, NULL, False, NULL)
    free(w.wide)
    return st


ctypedef struct i8_job_t:
    int32_t* c
    const int8_t* a
    const int8_t* b
    int8_t* packed       # B's panels, batch by batch
    uint8_t* tiles       # per worker, a slice of `slice` bytes for its chunk's tiles of A
    int64_t slice
    int64_t m, k, n
    int64_t panels       # per batch
    int64_t panel_bytes
    trace_t* trace       # as reduce_job_t's
    int64_t trace_id
    const run_t* run


cdef void i8_pack_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """Panels [begin, end) of all batches."""
    cdef i8_job_t* j = <i8_job_t*>arg
    cdef int64_t p
    for p in range(begin, end):
        lite_i8_pack_panel(j.packed + p * j.panel_bytes, j.b + (p // j.panels) * j.k * j.n, j.k, j.n,
                           p % j.panels)


cdef void i8_rows_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """Rows [begin, end) of all batches flattened, batch by batch."""
    cdef i8_job_t* j = <i8_job_t*>arg
    cdef int64_t r = begin, batch, seg_end
    cdef uint8_t* tiles = j.tiles + worker * j.slice
    cdef int64_t t0 = now_ns() if j.trace != NULL else 0
    if run_stop_code(j.run) != 0:
        return
    while r < end:
        batch = r // j.m
        seg_end = min(end, (batch + 1) * j.m)
        lite_i8_rows_vnni(j.c + r * j.n, j.a + r * j.k, j.packed + batch * j.panels * j.panel_bytes, tiles,
                          seg_end - r, j.k, j.n)
        r = seg_end
    trace_rows(j.trace, t0, begin, end, j.trace_id)


cdef lite_status* run_matmul_i8(ctx_t* ctx, const run_t* run, int32_t* c, const int8_t* a, const int8_t* b,
                                int64_t batches, int64_t m, int64_t k, int64_t n, buffer_t* constant) noexcept nogil:
    """As matmul_same_type, for i8 x i8 into i32."""
    cdef i8_job_t j
    cdef bint prepacked = False
    cdef int64_t rows = batches * m, grain
    cdef mm_layout_t l
    cdef int workers
    cdef bint on_pool = ctx.pool != NULL and rows * k * n > ctx.inline_elements
    j.c, j.a, j.b, j.m, j.k, j.n, j.run = c, a, b, m, k, n, run
    if rows == 0 or n == 0 or k == 0:
        return NULL    # C unchanged
    if not lite_i8_vnni():
        return matmul_widened(ctx, run, <char*>c, ET_I32, <const char*>a, <const char*>b, ET_I8, batches, m, k, n)
    j.panels = (n + LITE_I8_NR - 1) // LITE_I8_NR
    j.panel_bytes = lite_i8_panel_bytes(k)
    # Chunks of whole tiles of rows; a worker packs its chunk's tiles of A
    # into its own slice (workers are numbered from 0; the caller, running
    # the loop itself, is the last).
    workers = pool_size(ctx.pool) if on_pool else 0
    grain = max(<int64_t>1, rows // (4 * workers)) if on_pool else rows
    grain = (grain + LITE_I8_MR - 1) // LITE_I8_MR * LITE_I8_MR
    j.slice = (grain // LITE_I8_MR * lite_i8_k4(k) * 4 * LITE_I8_MR + 63) // 64 * 64
    j.packed = NULL
    if constant != NULL:
        dense_layout(&l, m, k, n)
        j.packed = <int8_t*>constant_panels(ctx, constant, <const char*>b, ET_I8, batches, k, n, &l,
                                            batches * j.panels * j.panel_bytes, i8_pack_range, &j,
                                            <char**>&j.packed, batches * j.panels, on_pool)
        prepacked = j.packed != NULL
    if not prepacked:
        j.packed = <int8_t*>aligned_alloc(64, batches * j.panels * j.panel_bytes)
    j.tiles = <uint8_t*>aligned_alloc(64, (workers + 1) * j.slice)
    if j.packed == NULL or j.tiles == NULL:
        if not prepacked:
            free(j.packed)
        free(j.tiles)
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory packing a matmul operand")
    cdef int64_t t0 = trace_op_begin(ctx.trace, &j.trace, &j.trace_id)
    if on_pool:
        if not prepacked:
            pool_parallel_for(ctx.pool, batches * j.panels, 1, i8_pack_range, &j)
        pool_parallel_for(ctx.pool, rows, grain, i8_rows_range, &j)
    else:
        if not prepacked:
            i8_pack_range(&j, 0, batches * j.panels, 0)
        i8_rows_range(&j, 0, rows, workers)
    if not prepacked:
        free(j.packed)
    free(j.tiles)
    if j.trace != NULL:
        trace_record(j.trace, TRACE_OP, t0, now_ns(), 1, rows, 0, j.trace_id)
    return run_check(run)   # chunks skip their work once the call must stop
