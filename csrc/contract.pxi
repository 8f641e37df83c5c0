# Reductions and matrix products (buffer.reduce, buffer.matmul): loops over
# contiguous rows, spread over the worker pool by rows when large enough.

ctypedef fused num:
    float
    double
    int32_t
    int64_t


cdef inline int64_t trace_op_begin(trace_t* t, trace_t** job_trace, int64_t* job_id) noexcept nogil:
    """Give a reduce or matmul job the context's trace and a new op id;
    returns the op's start time (0 when not tracing)."""
    job_trace[0] = t
    job_id[0] = trace_new_id(t) if t != NULL else 0
    return now_ns() if t != NULL else 0


cdef inline num combine(int c, num a, num b) noexcept nogil:
    if c == RC_ADDF or c == RC_ADDI:
        return a + b
    if c == RC_MULF or c == RC_MULI:
        return a * b
    if c == RC_MAXIMUMF:
        return maximumf(a, b) if num is float or num is double else (a if a > b else b)
    if c == RC_MINIMUMF:
        return minimumf(a, b) if num is float or num is double else (a if a < b else b)
    if c == RC_MAXSI:
        return a if a > b else b
    return a if a < b else b


cdef inline void reduce_rows(num* acc, const num* src, int c, int64_t begin, int64_t end, int64_t n) noexcept nogil:
    cdef int64_t r, j
    cdef num x
    for r in range(begin, end):
        x = acc[r]
        for j in range(n):
            x = combine(c, x, src[r * n + j])
        acc[r] = x


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
    int combiner
    int element
    int64_t n
    trace_t* trace       # --trace: the context's trace or NULL, and this op's id in it
    int64_t trace_id


cdef void reduce_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    cdef reduce_job_t* j = <reduce_job_t*>arg
    cdef int64_t t0 = now_ns() if j.trace != NULL else 0
    if j.element == ET_F32:
        reduce_rows(<float*>j.acc, <const float*>j.src, j.combiner, begin, end, j.n)
    elif j.element == ET_F64:
        reduce_rows(<double*>j.acc, <const double*>j.src, j.combiner, begin, end, j.n)
    elif j.element == ET_I32:
        reduce_rows(<int32_t*>j.acc, <const int32_t*>j.src, j.combiner, begin, end, j.n)
    else:
        reduce_rows(<int64_t*>j.acc, <const int64_t*>j.src, j.combiner, begin, end, j.n)
    trace_rows(j.trace, t0, begin, end, j.trace_id)


cdef lite_status* run_reduce(ctx_t* ctx, ref_t racc, ref_t rsrc, int combiner) noexcept nogil:
    cdef reduce_job_t j
    cdef buffer_t* acc
    cdef buffer_t* src
    if racc.kind != REF_BUFFER or rsrc.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"reduced value is not a buffer")
    acc = <buffer_t*>racc.ptr
    src = <buffer_t*>rsrc.ptr
    if acc.element != src.element or acc.readonly:
        return status_new(STATUS_INVALID_ARGUMENT, b"reduction accumulator must be a writable buffer of the same type")
    if acc.element not in (ET_F32, ET_F64, ET_I32, ET_I64, ET_INDEX):
        return status_new(STATUS_UNIMPLEMENTED, b"reductions of this element type are not supported yet")
    if acc.rank > src.rank or memcmp(acc.shape, src.shape, acc.rank * sizeof(int64_t)) != 0:
        return shapes_disagree(b"reduction of %s into %s: the shapes do not agree", src, acc, NULL)
    if acc.count == 0:
        return NULL
    j.acc = acc.data
    j.src = src.data
    j.combiner = combiner
    j.element = acc.element
    j.n = src.count // acc.count
    cdef int64_t t0 = trace_op_begin(ctx.trace, &j.trace, &j.trace_id)
    if ctx.pool == NULL or src.count <= ctx.inline_elements:
        reduce_range(&j, 0, acc.count, 0)
    else:
        pool_parallel_for(ctx.pool, acc.count, max(<int64_t>1, acc.count // (4 * pool_size(ctx.pool))),
                          reduce_range, &j)
    if j.trace != NULL:
        trace_record(j.trace, TRACE_OP, t0, now_ns(), 0, acc.count, 0, j.trace_id)
    return NULL


cdef inline void matmul_rows(num* c, const num* a, const num* b, int64_t begin, int64_t end,
                             int64_t m, int64_t k, int64_t n) noexcept nogil:
    """Rows [begin, end) of all batches flattened: row r is batch r // m."""
    cdef int64_t r, i, kk, j, batch
    cdef num x
    cdef num* crow
    cdef const num* brow
    for r in range(begin, end):
        batch = r // m
        i = r % m
        crow = c + (batch * m + i) * n
        for kk in range(k):
            x = a[(batch * m + i) * k + kk]
            brow = b + (batch * k + kk) * n
            for j in range(n):
                crow[j] = crow[j] + x * brow[j]


ctypedef struct matmul_job_t:
    char* c
    const char* a
    const char* b
    int element
    int64_t m, k, n
    trace_t* trace       # as reduce_job_t's
    int64_t trace_id


cdef void matmul_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    cdef matmul_job_t* j = <matmul_job_t*>arg
    cdef int64_t t0 = now_ns() if j.trace != NULL else 0
    if j.element == ET_F32:
        matmul_rows(<float*>j.c, <const float*>j.a, <const float*>j.b, begin, end, j.m, j.k, j.n)
    elif j.element == ET_F64:
        matmul_rows(<double*>j.c, <const double*>j.a, <const double*>j.b, begin, end, j.m, j.k, j.n)
    elif j.element == ET_I32:
        matmul_rows(<int32_t*>j.c, <const int32_t*>j.a, <const int32_t*>j.b, begin, end, j.m, j.k, j.n)
    else:
        matmul_rows(<int64_t*>j.c, <const int64_t*>j.a, <const int64_t*>j.b, begin, end, j.m, j.k, j.n)
    trace_rows(j.trace, t0, begin, end, j.trace_id)


cdef lite_status* run_matmul(ctx_t* ctx, ref_t rc, ref_t ra, ref_t rb) noexcept nogil:
    cdef matmul_job_t j
    cdef buffer_t* c
    cdef buffer_t* a
    cdef buffer_t* b
    cdef int64_t batches, rows
    if rc.kind != REF_BUFFER or ra.kind != REF_BUFFER or rb.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"matmul operand is not a buffer")
    c = <buffer_t*>rc.ptr
    a = <buffer_t*>ra.ptr
    b = <buffer_t*>rb.ptr
    if not (c.rank == a.rank == b.rank and (c.rank == 2 or c.rank == 3)):
        return status_new(STATUS_INVALID_ARGUMENT, b"matmul operands must all be rank 2 or all rank 3")
    if c.element != a.element or c.element != b.element or c.readonly:
        return status_new(STATUS_INVALID_ARGUMENT, b"matmul operands must share an element type; the accumulator writable")
    if c.element not in (ET_F32, ET_F64, ET_I32, ET_I64, ET_INDEX):
        return status_new(STATUS_UNIMPLEMENTED, b"matmul of this element type is not supported yet")
    batches = c.shape[0] if c.rank == 3 else 1
    j.m = c.shape[c.rank - 2]
    j.n = c.shape[c.rank - 1]
    j.k = a.shape[a.rank - 1]
    if (a.shape[a.rank - 2] != j.m or b.shape[b.rank - 2] != j.k or b.shape[b.rank - 1] != j.n
            or (c.rank == 3 and (a.shape[0] != batches or b.shape[0] != batches))):
        return shapes_disagree(b"matmul of %s by %s into %s: the shapes do not agree", a, b, c)
    j.c = c.data
    j.a = a.data
    j.b = b.data
    j.element = c.element
    rows = batches * j.m
    cdef int64_t t0 = trace_op_begin(ctx.trace, &j.trace, &j.trace_id)
    if ctx.pool == NULL or rows * j.k * j.n <= ctx.inline_elements:
        matmul_range(&j, 0, rows, 0)
    else:
        pool_parallel_for(ctx.pool, rows, max(<int64_t>1, rows // (4 * pool_size(ctx.pool))), matmul_range, &j)
    if j.trace != NULL:
        trace_record(j.trace, TRACE_OP, t0, now_ns(), 1, rows, 0, j.trace_id)
    return NULL
