# buffer.softmax: each row of an f32 buffer along its innermost dimension
# softmaxed while it is in L1 (its maximum, exp, in-order sum and division),
# where linalg.softmax's decomposition takes five passes over the whole
# buffer, each a dispatch or reduction of its own; rows split across the
# workers. The same ops in the same order: the decomposition's bits.

cdef extern from "lite_tile.h" nogil:
    void lite_exp_f32(float* d, const float* a, int64_t n)


cdef extern from "lite_softmax.h" nogil:
    float lite_softmax_peak(const float* x, int64_t n, int* odd)
    void lite_softmax_shift(float* d, const float* x, float m, int64_t n)
    void lite_softmax_scale(float* d, float s, int64_t n)


cdef enum:
    # Rows whose in-order sums run side by side (as REDUCE_LANES).
    SOFTMAX_LANES = 8
    # Per element, in simple tile ops (kernel_t.cost), as measured against
    # the chain kernel: mostly exp's.
    SOFTMAX_COST = 36


ctypedef struct softmax_job_t:
    float* dst
    const float* src
    int64_t n            # a row's elements
    trace_t* trace       # as reduce_job_t's
    int64_t trace_id
    const run_t* run


cdef inline float row_peak(const float* x, int64_t n) noexcept nogil:
    """maximumf folded from -inf over x in order. Its result is the same in
    any order but for which NaN it is and the sign of a zero: a plain
    maximum in lanes, then the fold in order where a NaN or an infinity, or
    a zero result, may make them differ."""
    cdef int odd
    cdef float r = lite_softmax_peak(x, n, &odd)
    return fold(RC_MAXIMUMF, <float>-INFINITY, x, n) if odd or r == 0 else r


cdef inline float row_sum(const float* e, int64_t n) noexcept nogil:
    """addf folded from 0 over e as buffer.reduce folds a row longer than
    REDUCE_SEGMENT: each segment in order, the later ones from their first
    element, then the segments' sums in order."""
    cdef float s = fold(RC_ADDF, <float>0, e, min(n, <int64_t>REDUCE_SEGMENT))
    cdef int64_t lo = REDUCE_SEGMENT
    while lo < n:
        s = s + fold(RC_ADDF, e[lo], e + lo + 1, min(n, lo + REDUCE_SEGMENT) - lo - 1)
        lo += REDUCE_SEGMENT
    return s


cdef void softmax_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """Rows [begin, end), SOFTMAX_LANES at a time."""
    cdef softmax_job_t* j = <softmax_job_t*>arg
    cdef int64_t t0 = now_ns() if j.trace != NULL else 0
    cdef int64_t n = j.n, r = begin, q, lanes, i
    cdef float s[SOFTMAX_LANES]
    cdef float* row
    cdef const float* x
    if run_stop_code(j.run) != 0:
        return
    while r < end:
        lanes = min(<int64_t>SOFTMAX_LANES, end - r)
        for q in range(lanes):
            x = j.src + (r + q) * n
            row = j.dst + (r + q) * n
            lite_softmax_shift(row, x, row_peak(x, n), n)
            lite_exp_f32(row, row, n)
        if n <= REDUCE_SEGMENT and lanes == SOFTMAX_LANES:   # each sum in order, the rows' side by side
            for q in range(SOFTMAX_LANES):
                s[q] = 0
            for i in range(n):
                for q in range(SOFTMAX_LANES):
                    s[q] = s[q] + j.dst[(r + q) * n + i]
        else:
            for q in range(lanes):
                s[q] = row_sum(j.dst + (r + q) * n, n)
        for q in range(lanes):
            lite_softmax_scale(j.dst + (r + q) * n, s[q], n)
        r += lanes
    trace_rows(j.trace, t0, begin, end, j.trace_id)


cdef lite_status* run_softmax(ctx_t* ctx, const run_t* run, ref_t rsrc, ref_t* rdst) noexcept nogil:
    cdef softmax_job_t j
    cdef buffer_t* src
    cdef buffer_t* dst
    cdef int64_t rows
    cdef lite_status* st
    if rsrc.kind != REF_BUFFER or (<buffer_t*>rsrc.ptr).element != ET_F32 or (<buffer_t*>rsrc.ptr).rank == 0:
        return status_new(STATUS_INVALID_ARGUMENT, b"softmax of a value that is not an f32 buffer of rank 1 or more")
    src = <buffer_t*>rsrc.ptr
    dst = buffer_new(ET_F32, src.rank, src.shape, NULL, NULL)
    if dst == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory allocating a buffer")
    j.dst = <float*>dst.data
    j.src = <const float*>src.data
    j.n = src.shape[src.rank - 1]
    j.run = run
    rows = src.count // j.n if j.n > 0 else 0
    cdef int64_t t0 = trace_op_begin(ctx.trace, &j.trace, &j.trace_id)
    if ctx.pool != NULL and <double>src.count * SOFTMAX_COST > <double>ctx.inline_elements * INLINE_KERNEL_COST:
        pool_parallel_for(ctx.pool, rows, max(<int64_t>1, rows // (4 * pool_size(ctx.pool))), softmax_range, &j)
    elif rows > 0:
        softmax_range(&j, 0, rows, 0)
    if j.trace != NULL:
        trace_record(j.trace, TRACE_OP, t0, now_ns(), 2, rows, 0, j.trace_id)
    st = run_check(run)   # chunks skip their work once the call must stop
    if st != NULL:
        buffer_release(dst)
        return st
    ref_move(rdst, REF_BUFFER, dst)
    return NULL
