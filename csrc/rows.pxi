# Row ops over an f32 buffer along its innermost dimension, each row taken
# through all its passes while it is in L1, where the decomposition takes
# several passes over the whole buffer, each a dispatch or reduction of its
# own; rows split across the workers. The same ops in the same order: the
# decomposition's bits.
#   buffer.softmax: each row's maximum, exp, in-order sum and division.
#   buffer.layernorm: each row's in-order sum, mean, centred values, in-order
#   sum of their squares, 1 / sqrt(variance + eps) and the centred values
#   times it.

cdef extern from "lite_tile.h" nogil:
    void lite_exp_f32(float* d, const float* a, int64_t n)


cdef extern from "lite_rows.h" nogil:
    float lite_rows_peak(const float* x, int64_t n, int* odd)
    void lite_rows_shift(float* d, const float* x, float m, int64_t n)
    void lite_rows_scale(float* d, float s, int64_t n)
    void lite_rows_mul(float* d, float s, int64_t n)


cdef enum:
    # Rows whose in-order sums run side by side (as REDUCE_LANES).
    ROW_LANES = 8


ctypedef struct rows_job_t:
    float* dst
    const float* src
    int64_t n            # a row's elements
    float eps            # layernorm's epsilon
    trace_t* trace       # as reduce_job_t's
    int64_t trace_id
    const run_t* run


cdef inline float row_peak(const float* x, int64_t n) noexcept nogil:
    """maximumf folded from -inf over x in order. Its result is the same in
    any order but for which NaN it is and the sign of a zero: a plain
    maximum in lanes, then the fold in order where a NaN or an infinity, or
    a zero result, may make them differ."""
    cdef int odd
    cdef float r = lite_rows_peak(x, n, &odd)
    return fold(RC_MAXIMUMF, <float>-INFINITY, x, n) if odd or r == 0 else r


cdef inline float sum_from(float s, const float* e, int64_t count, bint squares) noexcept nogil:
    """s + e[0] + e[1] + ... in order; with `squares`, of e[j] * e[j], each
    product rounded to f32 before it is added (as the squares' tensor the
    decomposition sums)."""
    cdef int64_t j
    if not squares:
        return fold(RC_ADDF, s, e, count)
    for j in range(count):
        s = s + e[j] * e[j]
    return s


cdef inline float row_sum(const float* e, int64_t n, bint squares) noexcept nogil:
    """addf folded from 0 over e (or its squares) as buffer.reduce folds a
    row longer than REDUCE_SEGMENT: each segment in order, the later ones
    from their first element, then the segments' sums in order."""
    cdef float s = sum_from(<float>0, e, min(n, <int64_t>REDUCE_SEGMENT), squares)
    cdef int64_t lo = REDUCE_SEGMENT
    while lo < n:
        s = s + sum_from(e[lo] * e[lo] if squares else e[lo], e + lo + 1, min(n, lo + REDUCE_SEGMENT) - lo - 1,
                         squares)
        lo += REDUCE_SEGMENT
    return s


cdef inline void lane_sums(float* s, const float* rows, int64_t n, int64_t lanes, bint squares) noexcept nogil:
    """s[q] = row_sum of row q of `rows` (n elements each), q < lanes: each
    sum in order, ROW_LANES rows' side by side where there are that many
    and no row is cut into segments."""
    cdef int64_t q, i
    cdef float e
    if n > REDUCE_SEGMENT or lanes != ROW_LANES:
        for q in range(lanes):
            s[q] = row_sum(rows + q * n, n, squares)
        return
    for q in range(ROW_LANES):
        s[q] = 0
    if squares:
        for i in range(n):
            for q in range(ROW_LANES):
                e = rows[q * n + i]
                s[q] = s[q] + e * e
    else:
        for i in range(n):
            for q in range(ROW_LANES):
                s[q] = s[q] + rows[q * n + i]


cdef void softmax_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """Rows [begin, end), ROW_LANES at a time."""
    cdef rows_job_t* j = <rows_job_t*>arg
    cdef int64_t t0 = now_ns() if j.trace != NULL else 0
    cdef int64_t n = j.n, r = begin, q, lanes
    cdef float s[ROW_LANES]
    cdef float* row
    cdef const float* x
    if run_stop_code(j.run) != 0:
        return
    while r < end:
        lanes = min(<int64_t>ROW_LANES, end - r)
        for q in range(lanes):
            x = j.src + (r + q) * n
            row = j.dst + (r + q) * n
            lite_rows_shift(row, x, row_peak(x, n), n)
            lite_exp_f32(row, row, n)
        lane_sums(s, j.dst + r * n, n, lanes, False)
        for q in range(lanes):
            lite_rows_scale(j.dst + (r + q) * n, s[q], n)
        r += lanes
    trace_rows(j.trace, t0, begin, end, j.trace_id)


cdef void layernorm_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """Rows [begin, end), ROW_LANES at a time: the centred rows are written
    to dst, then scaled there in place."""
    cdef rows_job_t* j = <rows_job_t*>arg
    cdef int64_t t0 = now_ns() if j.trace != NULL else 0
    cdef int64_t n = j.n, r = begin, q, lanes
    cdef float count = <float>n   # the decomposition's divisor, an f32 constant
    cdef float s[ROW_LANES]
    cdef float rstd[ROW_LANES]
    if run_stop_code(j.run) != 0:
        return
    while r < end:
        lanes = min(<int64_t>ROW_LANES, end - r)
        lane_sums(s, j.src + r * n, n, lanes, False)
        for q in range(lanes):
            lite_rows_shift(j.dst + (r + q) * n, j.src + (r + q) * n, s[q] / count, n)
        lane_sums(s, j.dst + r * n, n, lanes, True)
        for q in range(lanes):
            s[q] = s[q] / count + j.eps
        k_rsqrt_f32(<char*>rstd, <const char*>s, NULL, NULL, 0, lanes)   # math.rsqrt's own kernel
        for q in range(lanes):
            lite_rows_mul(j.dst + (r + q) * n, rstd[q], n)
        r += lanes
    trace_rows(j.trace, t0, begin, end, j.trace_id)


ctypedef struct row_op_t:
    range_fn each          # its rows [begin, end) of a rows_job_t
    int64_t cost           # per element, in simple tile ops (kernel_t.cost), as measured against the chain kernel
    int trace_name         # TRACE_OP's a0 (runtime/chrome_trace.py)
    const char* not_rows   # its error on a value that is not an f32 buffer of rank 1 or more


cdef row_op_t ROW_SOFTMAX, ROW_LAYERNORM
ROW_SOFTMAX.each, ROW_SOFTMAX.cost, ROW_SOFTMAX.trace_name = softmax_range, 36, 2   # mostly exp's
ROW_SOFTMAX.not_rows = b"softmax of a value that is not an f32 buffer of rank 1 or more"
ROW_LAYERNORM.each, ROW_LAYERNORM.cost, ROW_LAYERNORM.trace_name = layernorm_range, 6, 5   # two sums, three passes
ROW_LAYERNORM.not_rows = b"layernorm of a value that is not an f32 buffer of rank 1 or more"


cdef lite_status* run_rows(ctx_t* ctx, const run_t* run, ref_t rsrc, ref_t* rdst, const row_op_t* op,
                           float eps) noexcept nogil:
    """Row op `op` (ROW_SOFTMAX, or ROW_LAYERNORM with eps) of rsrc into a
    new buffer, rdst."""
    cdef rows_job_t j
    cdef buffer_t* src
    cdef buffer_t* dst
    cdef int64_t rows
    cdef lite_status* st
    if rsrc.kind != REF_BUFFER or (<buffer_t*>rsrc.ptr).element != ET_F32 or (<buffer_t*>rsrc.ptr).rank == 0:
        return status_new(STATUS_INVALID_ARGUMENT, op.not_rows)
    src = <buffer_t*>rsrc.ptr
    dst = buffer_new(ET_F32, src.rank, src.shape, NULL, NULL)
    if dst == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory allocating a buffer")
    j.dst = <float*>dst.data
    j.src = <const float*>src.data
    j.n = src.shape[src.rank - 1]
    j.eps = eps
    j.run = run
    rows = src.count // j.n if j.n > 0 else 0
    cdef int64_t t0 = trace_op_begin(ctx.trace, &j.trace, &j.trace_id)
    if worth_sharing(ctx, <double>src.count * op.cost):
        pool_parallel_for(ctx.pool, rows, max(<int64_t>1, rows // (4 * pool_size(ctx.pool))), op.each, &j)
    elif rows > 0:
        op.each(&j, 0, rows, 0)
    if j.trace != NULL:
        trace_record(j.trace, TRACE_OP, t0, now_ns(), op.trace_name, rows, 0, j.trace_id)
    st = run_check(run)   # chunks skip their work once the call must stop
    if st != NULL:
        buffer_release(dst)
        return st
    ref_move(rdst, REF_BUFFER, dst)
    return NULL
