# Reductions (buffer.reduce), spread over the worker pool by rows when large
# enough (reductions into few rows by segments of rows, where that is exact).
# Matrix products are in matmul.pxi.

ctypedef fused num:
    float
    double
    int32_t
    int64_t

# The combiners (`combine`, which element types each folds, which are
# order-free, the dispatch `reduce_combiner`), generated from the ISA table.
include "isa_reduce.pxi"


cdef inline int64_t trace_op_begin(trace_t* t, trace_t** job_trace, int64_t* job_id) noexcept nogil:
    """Give a reduce or matmul job the context's trace and a new op id;
    returns the op's start time (0 when not tracing)."""
    job_trace[0] = t
    job_id[0] = trace_new_id(t) if t != NULL else 0
    return now_ns() if t != NULL else 0


cdef inline num fold(int c, num x, const num* src, int64_t count) noexcept nogil:
    """x folded with src[0], src[1], ... src[count-1], in that order."""
    cdef int64_t j
    for j in range(count):
        x = combine(c, x, src[j])
    return x


cdef enum:
    # Rows folded together, in lockstep: each row's fold is one chain of
    # dependent combines, so independent rows side by side hide its latency.
    REDUCE_LANES = 8
    # Lanes an order-free fold spreads a row over: an element-wise loop over
    # this many that gcc vectorizes (if-converting maximumf's selects).
    REDUCE_SPREAD = 64


cdef inline num fold_spread(int c, num x, const num* src, int64_t count) noexcept nogil:
    """fold(c, x, src, count) for an order-free combiner (REDUCE_ORDER_FREE):
    lane l folds elements l, l + REDUCE_SPREAD, ..., then x the lanes and
    the tail. A NaN result is folded again in order (regrouped without
    reordering, the first NaN in order would win either way)."""
    cdef num v[REDUCE_SPREAD]
    cdef num r
    cdef int64_t j = REDUCE_SPREAD, l
    if count < 2 * REDUCE_SPREAD:
        return fold(c, x, src, count)
    for l in range(REDUCE_SPREAD):
        v[l] = src[l]
    while j + REDUCE_SPREAD <= count:
        for l in range(REDUCE_SPREAD):
            v[l] = combine(c, v[l], src[j + l])
        j += REDUCE_SPREAD
    r = fold(c, fold(c, x, v, REDUCE_SPREAD), src + j, count - j)
    if (num is float or num is double) and r != r:
        return fold(c, x, src, count)      # which NaN wins depends on the order
    return r


cdef inline void reduce_with(int c, num* acc, const num* src, num* part, int64_t begin, int64_t end,
                             int64_t n, int64_t segments) noexcept nogil:
    """Rows [begin, end), acc[r] folded with row r of src (n elements) in
    order; or, where `part` is given, segments [begin, end) of rows cut into
    `segments` of REDUCE_SEGMENT elements each (buffer.reduce's definition):
    part[t] = the fold of segment t, into acc[r] for a row's first, else
    from its first element."""
    cdef num x[REDUCE_LANES]
    cdef const num* at[REDUCE_LANES]
    cdef int64_t count[REDUCE_LANES]
    cdef int64_t r = begin, q, j, t, lo, hi, m, lanes
    cdef const num* row
    cdef bint free_order = REDUCE_ORDER_FREE[c]
    if part != NULL:
        t = begin
        while t < end:
            # One segment (spread over lanes when order-free), or several in lockstep.
            lanes = 1 if free_order or end - t < REDUCE_LANES else REDUCE_LANES
            m = REDUCE_SEGMENT
            for q in range(lanes):   # the segments' first elements and lengths
                row = src + ((t + q) // segments) * n
                lo = ((t + q) % segments) * REDUCE_SEGMENT
                hi = min(n, lo + REDUCE_SEGMENT)
                x[q] = acc[(t + q) // segments] if lo == 0 else row[lo]
                lo += lo != 0
                at[q], count[q] = row + lo, hi - lo
                m = min(m, count[q])
            if free_order:
                part[t] = fold_spread(c, x[0], at[0], count[0])
            else:
                for j in range(m):   # each segment's fold in order (see REDUCE_LANES)
                    for q in range(lanes):
                        x[q] = combine(c, x[q], at[q][j])
                for q in range(lanes):
                    part[t + q] = fold(c, x[q], at[q] + m, count[q] - m)
            t += lanes
        return
    if free_order:
        for r in range(begin, end):
            acc[r] = fold_spread(c, acc[r], src + r * n, n)
        return
    while r + REDUCE_LANES <= end:
        for q in range(REDUCE_LANES):
            x[q] = acc[r + q]
        for j in range(n):
            for q in range(REDUCE_LANES):
                x[q] = combine(c, x[q], src[(r + q) * n + j])
        for q in range(REDUCE_LANES):
            acc[r + q] = x[q]
        r += REDUCE_LANES
    for r in range(r, end):
        acc[r] = fold(c, acc[r], src + r * n, n)


cdef inline void reduce_merge(num* acc, const num* part, int c, int64_t rows, int64_t segments) noexcept nogil:
    cdef int64_t r
    for r in range(rows):
        acc[r] = fold(c, part[r * segments], part + r * segments + 1, segments - 1)


cdef lite_status* shapes_disagree(const char* form, const buffer_t* x, const buffer_t* y,
                                  const buffer_t* z) noexcept nogil:
    """An INVALID_ARGUMENT naming the shapes of two or three buffers (`form`
    has a %s for each)."""
    cdef char msg[400]
    cdef char sx[96]
    cdef char sy[96]
    cdef char sz[96]
    format_dims(sx, 96, x.rank, x.shape)
    format_dims(sy, 96, y.rank, y.shape)
    sz[0] = 0
    if z != NULL:
        format_dims(sz, 96, z.rank, z.shape)
    snprintf(msg, 400, form, sx, sy, sz)
    return status_new(STATUS_INVALID_ARGUMENT, msg)


ctypedef struct reduce_job_t:
    char* acc
    const char* src
    char* part           # split rows: per row, its segments' folds (reduce_with); else NULL
    int64_t segments     # per row, where split
    int combiner
    int element
    int64_t n
    trace_t* trace       # --trace: the context's trace or NULL, and this op's id in it
    int64_t trace_id
    const run_t* run     # the call: a chunk it reaches after the call must stop is skipped


cdef void reduce_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """Rows [begin, end), or segments where the rows are split."""
    cdef reduce_job_t* j = <reduce_job_t*>arg
    cdef int64_t t0 = now_ns() if j.trace != NULL else 0
    if run_stop_code(j.run) != 0:
        return
    if j.element == ET_F32:
        reduce_combiner(j.combiner, <float*>j.acc, <const float*>j.src, <float*>j.part, begin, end, j.n, j.segments)
    elif j.element == ET_F64:
        reduce_combiner(j.combiner, <double*>j.acc, <const double*>j.src, <double*>j.part, begin, end, j.n, j.segments)
    elif j.element == ET_I32:
        reduce_combiner(j.combiner, <int32_t*>j.acc, <const int32_t*>j.src, <int32_t*>j.part, begin, end, j.n,
                        j.segments)
    else:
        reduce_combiner(j.combiner, <int64_t*>j.acc, <const int64_t*>j.src, <int64_t*>j.part, begin, end, j.n,
                        j.segments)
    trace_rows(j.trace, t0, begin, end, j.trace_id)


cdef void reduce_merge_job(reduce_job_t* j, int64_t rows) noexcept nogil:
    if j.element == ET_F32:
        reduce_merge(<float*>j.acc, <const float*>j.part, j.combiner, rows, j.segments)
    elif j.element == ET_F64:
        reduce_merge(<double*>j.acc, <const double*>j.part, j.combiner, rows, j.segments)
    elif j.element == ET_I32:
        reduce_merge(<int32_t*>j.acc, <const int32_t*>j.part, j.combiner, rows, j.segments)
    else:
        reduce_merge(<int64_t*>j.acc, <const int64_t*>j.part, j.combiner, rows, j.segments)


cdef lite_status* run_reduce(ctx_t* ctx, const run_t* run, ref_t racc, ref_t rsrc, int combiner) noexcept nogil:
    cdef reduce_job_t j
    cdef half_job_t h
    cdef buffer_t* acc
    cdef buffer_t* src
    if racc.kind != REF_BUFFER or rsrc.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"reduced value is not a buffer")
    acc = <buffer_t*>racc.ptr
    src = <buffer_t*>rsrc.ptr
    if acc.element != src.element or acc.readonly:
        return status_new(STATUS_INVALID_ARGUMENT, b"reduction accumulator must be a writable buffer of the same type")
    if not (REDUCE_ELEMENT_MASK[combiner] >> acc.element) & 1:
        return status_new(REDUCE_ELEMENT_STATUS, REDUCE_ELEMENT_TEXT)
    if acc.rank > src.rank or memcmp(acc.shape, src.shape, acc.rank * sizeof(int64_t)) != 0:
        return shapes_disagree(b"reduction of %s into %s: the shapes do not agree", src, acc, NULL)
    if acc.count == 0:
        return NULL
    if is_half(acc.element):
        h.element, h.combiner, h.c, h.a, h.n = acc.element, combiner, <uint16_t*>acc.data, <const uint16_t*>src.data, \
            src.count // acc.count
        h.run = run
        half_run(ctx, half_reduce_range, &h, acc.count, src.count)
        return run_check(run)   # chunks skip their work once the call must stop
    j.acc = acc.data
    j.src = src.data
    j.combiner = combiner
    j.element = acc.element
    j.n = src.count // acc.count
    j.run = run
    cdef int64_t t0 = trace_op_begin(ctx.trace, &j.trace, &j.trace_id)
    cdef bint on_pool = worth_sharing(ctx, <double>src.count * INLINE_KERNEL_COST)   # an in-order fold costs as a kernel
    cdef int64_t items = 4 * pool_size(ctx.pool) if on_pool else 1     # to share out
    j.part = NULL
    j.segments = 1
    if j.n > REDUCE_SEGMENT and (not REDUCE_ORDER_FREE[combiner] or on_pool and acc.count < items):
        # Rows in segments, folded (by the workers), then merged in order:
        # buffer.reduce's definition, which only order-free combiners may
        # skip (REDUCE_ORDER_FREE); they use it where rows are too few to go round.
        j.segments = (j.n + REDUCE_SEGMENT - 1) // REDUCE_SEGMENT
        j.part = <char*>malloc(acc.count * j.segments * ELEMENT_SIZE[acc.element])
        if j.part == NULL:
            return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory for a reduction's segments")
        if on_pool:
            pool_parallel_for(ctx.pool, acc.count * j.segments, 1, reduce_range, &j)
        else:
            reduce_range(&j, 0, acc.count * j.segments, 0)
        reduce_merge_job(&j, acc.count)
        free(j.part)
    elif not on_pool:
        reduce_range(&j, 0, acc.count, 0)
    else:
        pool_parallel_for(ctx.pool, acc.count, max(<int64_t>1, acc.count // items), reduce_range, &j)
    if j.trace != NULL:
        trace_record(j.trace, TRACE_OP, t0, now_ns(), 0, acc.count, 0, j.trace_id)
    return run_check(run)   # chunks skip their work once the call must stop
