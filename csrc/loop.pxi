# The VM loop: runs verified host bytecode without checks and without the GIL.
#
# Operands are decoded by shift and mask into C locals; register lists are
# a count word followed by registers packed four to a word (see isa.py).
# Only facts the verifier cannot know are checked here: what a reference
# register holds, buffer sizes handed in by callers, and fences.

cdef enum:
    CONST_INT = 0
    CONST_FLOAT = 1
    CONST_LAYOUT = 2
    CONST_DATA = 3

cdef struct module_t

ctypedef struct import_t:
    module_t* module
    int function

ctypedef struct constant_t:
    int kind
    int element
    int rank
    int64_t shape[MAX_RANK]
    int64_t ival
    double fval
    buffer_t* buffer        # CONST_DATA: read-only view into the module's data

ctypedef struct function_t:
    const uint32_t* code
    int ncode
    int nregs[3]            # int, float, ref
    int nargs[3]            # arguments and results by bank, as the signature has them
    int nresults[3]

cdef struct module_t:
    function_t* functions
    kernel_t* kernels
    constant_t* constants
    import_t* imports
    int nconstants
    uint32_t* code
    # Globals, indexed by global ordinal (each uses the array of its bank).
    int64_t* gi
    double* gf
    ref_t* gr
    int nglobals

ctypedef struct ctx_t:
    pool_t* pool            # NULL for local-sync: all work runs on the caller
    int64_t inline_elements # dispatches this small run on the submitting thread
    long long dispatches    # statistics (atomic): dispatch and dispatch.async executed
    long long fence_waits   # statistics (atomic): blocking fence waits in the VM
    trace_t* trace          # --trace: where calls, dispatches, tiles and waits are recorded; or NULL
    void* debug_sink        # debug.trace's Python callable (debug_trace), or NULL


cdef inline int list_reg(const uint32_t* code, int p, int i) noexcept nogil:
    return (code[p + 1 + (i >> 2)] >> ((i & 3) * 8)) & 0xFF


cdef inline int list_next(const uint32_t* code, int p) noexcept nogil:
    """Word offset just after the register list at p."""
    return p + 1 + ((<int>code[p] + 3) >> 2)


cdef bint same_shape(int ra, const int64_t* a, int rb, const int64_t* b) noexcept nogil:
    """a equals b; between ranks that differ, once their unit sizes are
    dropped (a rank-reducing slice)."""
    cdef int i = 0, j = 0
    if ra == rb:
        return memcmp(a, b, ra * sizeof(int64_t)) == 0
    while True:
        while i < ra and a[i] == 1:
            i += 1
        while j < rb and b[j] == 1:
            j += 1
        if i == ra or j == rb:
            return i == ra and j == rb
        if a[i] != b[j]:
            return False
        i += 1
        j += 1


cdef inline bint fits_layout(const buffer_t* b, const constant_t* c) noexcept nogil:
    """b's shape is c's, a -1 dimension of c matching any size."""
    cdef int i
    if b.rank != c.rank:
        return False
    for i in range(c.rank):
        if c.shape[i] != -1 and c.shape[i] != b.shape[i]:
            return False
    return True


cdef lite_status* shapes_error(int code, const char* message, int ra, const int64_t* a, int rb,
                               const int64_t* b) noexcept nogil:
    """An error whose `message` names shapes a and b (two %s)."""
    cdef char msg[300]
    cdef char have[96]
    cdef char want[96]
    format_dims(have, 96, ra, a)
    format_dims(want, 96, rb, b)
    snprintf(msg, 300, message, have, want)
    return status_new(code, msg)


cdef lite_status* shape_mismatch(const constant_t* where, const buffer_t* a, int rank, const int64_t* shape,
                                 const char* relation) noexcept nogil:
    """`WHERE: operand shapes 'A' and 'B' differ` and the like."""
    cdef char msg[400]
    cdef char have[96]
    cdef char want[96]
    format_dims(have, 96, a.rank, a.shape)
    format_dims(want, 96, rank, shape)
    snprintf(msg, 400, relation, <int>where.buffer.nbytes, where.buffer.data, have, want)
    return status_new(STATUS_INVALID_ARGUMENT, msg)


cdef lite_status* check_layout(ref_t r, const constant_t* c) noexcept nogil:
    """`buffer.check`: caller-provided storage must fit the layout exactly."""
    cdef char msg[256]
    cdef char have[96]
    cdef char want[96]
    cdef buffer_t* b
    cdef int64_t need
    cdef int64_t dims[MAX_RANK]
    cdef int i
    if r.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"output storage is not a buffer")
    b = <buffer_t*>r.ptr
    for i in range(c.rank):   # a dynamic dimension takes the buffer's size, where the ranks agree
        dims[i] = b.shape[i] if c.shape[i] == -1 and i < b.rank else max(c.shape[i], 0)
    need = checked_count(c.element, c.rank, dims)
    if need < 0:
        return size_status(b"buffer.check", c.element, c.rank, dims, need)
    need *= ELEMENT_SIZE[c.element]
    if b.nbytes < need:
        snprintf(msg, 256, b"tensor buffer byte length %lld less than expected minimum %lld",
                 <long long>b.nbytes, <long long>need)
        return status_new(STATUS_INVALID_ARGUMENT, msg)
    if b.element != c.element or not fits_layout(b, c):
        format_layout(have, 96, b.element, b.rank, b.shape)
        format_layout(want, 96, c.element, c.rank, c.shape)
        snprintf(msg, 256, b"output storage is %s, expected %s", have, want)
        return status_new(STATUS_INVALID_ARGUMENT, msg)
    return NULL



from libc.math cimport fabs


cdef lite_status* job_bind(job_t* job, const run_t* run, const kernel_t* k, const uint32_t* code, int p,
                           ref_t* R, double* F, int64_t* I, trace_t* trace) noexcept nogil:
    """Fill a job of the call `run` from the bind_r, push_f and push_i
    lists at p; a traced job gets the next dispatch id of `trace`."""
    cdef int i, nf, ni
    cdef buffer_t* b
    cdef char msg[200]
    job.kernel = k
    job.run = run[0]
    job.error = NULL
    job.nheld = 0
    job.signal = NULL
    job.trace = trace
    job.trace_id = trace_new_id(trace) if trace != NULL else 0
    for i in range(k.nbind):
        if R[list_reg(code, p, i)].kind != REF_BUFFER:
            return status_new(STATUS_INVALID_ARGUMENT, b"dispatch binding is not a buffer")
        b = <buffer_t*>R[list_reg(code, p, i)].ptr
        job.held[i] = b
        job.bind[i] = b.data
        if b.element != k.bind_element[i]:
            return status_new(STATUS_INVALID_ARGUMENT, b"dispatch binding has the wrong element type")
        if k.bind_role[i] == BIND_OUTPUT and b.readonly:
            return status_new(STATUS_PERMISSION_DENIED, b"dispatch writes a read-only constant buffer")
    job.count = job.held[k.first_output].count
    for i in range(k.nbind):   # a gathered binding has its own size (t.gather checks each index)
        if job.held[i].count != job.count and k.bind_role[i] != BIND_GATHERED:
            snprintf(msg, 200, b"dispatch binding %d has %lld elements, expected %lld", i,
                     <long long>job.held[i].count, <long long>job.count)
            return status_new(STATUS_INVALID_ARGUMENT, msg)
    p = list_next(code, p)
    nf = code[p]
    for i in range(nf):
        job.push_f[i] = F[list_reg(code, p, i)]
        job.push_i[i] = 0
    p = list_next(code, p)
    ni = code[p]
    for i in range(ni):
        job.push_i[nf + i] = I[list_reg(code, p, i)]
        job.push_f[nf + i] = 0
    return NULL


cdef inline int64_t job_tiles(const job_t* job) noexcept nogil:
    return (job.count + TILE - 1) // TILE


cdef void run_job_inline(job_t* job) noexcept nogil:
    run_tiles(job, 0, job_tiles(job), 0)


cdef void run_job_sync(ctx_t* ctx, job_t* job) noexcept nogil:
    if ctx.pool == NULL or job.count <= ctx.inline_elements:
        run_job_inline(job)
    else:
        pool_parallel_for(ctx.pool, job_tiles(job), 1, run_tiles, job)


# -- dispatch.async: a heap job settles its signal fence when done ----------

ctypedef struct async_job_t:
    job_t job
    ctx_t* ctx


cdef void async_job_free(async_job_t* a) noexcept nogil:
    cdef int i
    for i in range(a.job.nheld):
        buffer_release(a.job.held[i])
    if a.job.signal != NULL:
        fence_release(a.job.signal)
    if a.job.error != NULL:
        status_free(a.job.error)
    free(a)


cdef void async_job_done(void* arg, int worker) noexcept nogil:
    cdef async_job_t* a = <async_job_t*>arg
    cdef lite_status* st
    if a.job.error != NULL:
        fence_fail(a.job.signal, a.job.error)
        a.job.error = NULL
    else:
        st = fence_signal(a.job.signal, a.job.trace)
        if st != NULL:
            status_free(st)
    async_job_free(a)


cdef void async_job_ready(void* arg, const lite_status* failure) noexcept nogil:
    """The wait fence settled: run the job, or pass its failure on."""
    cdef async_job_t* a = <async_job_t*>arg
    if failure != NULL:
        fence_fail(a.job.signal, status_clone(failure))
        async_job_free(a)
    elif a.ctx.pool == NULL or a.job.count <= a.ctx.inline_elements:
        run_job_inline(&a.job)
        async_job_done(a, 0)
    else:
        pool_parallel_async(a.ctx.pool, job_tiles(&a.job), 1, run_tiles, &a.job, async_job_done, a)


cdef int vm_fence_wait(ctx_t* ctx, const run_t* run, fence_t* f, lite_status** out) noexcept nogil:
    """A blocking wait of the VM on f (NULL: reached): counted, and traced;
    it fails if the call must stop."""
    cdef int64_t t0
    cdef int r
    if f == NULL:
        return WAIT_REACHED
    atomic_fetch_add64(&ctx.fence_waits, 1)
    t0 = now_ns() if ctx.trace != NULL else 0
    r = fence_wait_for_run(f, run, out)
    if ctx.trace != NULL and r == WAIT_REACHED:
        trace_wait_done(ctx.trace, f, t0)
    return r


cdef lite_status* submit_async(ctx_t* ctx, const run_t* run, async_job_t* a, fence_t* wait) noexcept nogil:
    """Run the job once `wait` is reached; NULL, or the status of a call
    that must stop."""
    cdef lite_status* st = NULL
    if ctx.pool == NULL:
        # local-sync: block on the wait fence, then run inline.
        if vm_fence_wait(ctx, run, wait, &st) == WAIT_FAILED:
            async_job_ready(a, st)
            status_free(st)
            return run_check(run)
        async_job_ready(a, NULL)
    else:
        fence_notify(wait, async_job_ready, a)
    return NULL


ctypedef struct forward_t:
    fence_t* dst
    trace_t* trace


cdef void forward_settled(void* arg, const lite_status* failure) noexcept nogil:
    cdef forward_t* fw = <forward_t*>arg
    cdef lite_status* st
    if failure != NULL:
        fence_fail(fw.dst, status_clone(failure))
    else:
        st = fence_signal(fw.dst, fw.trace)
        if st != NULL:
            status_free(st)
    fence_release(fw.dst)
    free(fw)


cdef inline fence_t* fence_of(ref_t r) noexcept nogil:
    return <fence_t*>r.ptr if r.kind == REF_FENCE else NULL


# -- eval: a kernel over one element whose outputs land in registers --------

cdef lite_status* run_eval(const kernel_t* k, const uint32_t* code, int p,
                           double* F, int64_t* I) noexcept nogil:
    cdef job_t job
    cdef uint64_t out[MAX_BINDINGS]   # one element per output binding
    cdef float hf
    cdef int i, nf, e
    cdef char* scratch = lite_scratch(SCRATCH_BYTES)
    if scratch == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory for tile scratch")
    job.kernel = k
    job.count = 1
    job.error = NULL
    job.trace = NULL    # one element, inline: part of its function's span
    for i in range(k.nbind):
        job.bind[i] = <char*>&out[i]
    nf = code[p]
    for i in range(nf):
        job.push_f[i] = F[list_reg(code, p, i)]
        job.push_i[i] = 0
    p = list_next(code, p)
    for i in range(<int>code[p]):
        job.push_i[nf + i] = I[list_reg(code, p, i)]
        job.push_f[nf + i] = 0
    p = list_next(code, p)
    run_tile(&job, 0, 1, scratch)
    if job.error != NULL:
        return job.error
    # Outputs are floats first (dst_f at p), then ints (dst_i after it).
    nf = code[p]
    for i in range(k.nbind):
        e = k.bind_element[i]
        if i < nf:
            if e == ET_F32:
                F[list_reg(code, p, i)] = (<float*>&out[i])[0]
            elif e == ET_F64:
                F[list_reg(code, p, i)] = (<double*>&out[i])[0]
            else:
                half_to_f32(e, &hf, <char*>&out[i], 1)
                F[list_reg(code, p, i)] = hf
        else:
            I[list_reg(code, list_next(code, p), i - nf)] = int_value(e, <char*>&out[i])
    return NULL


cdef inline int64_t int_value(int e, const char* p) noexcept nogil:
    if e == ET_I1:
        return (<const uint8_t*>p)[0] & 1
    if e == ET_I8:
        return (<const int8_t*>p)[0]
    if e == ET_I16:
        return (<const int16_t*>p)[0]
    if e == ET_I32:
        return (<const int32_t*>p)[0]
    return (<const int64_t*>p)[0]


# -- element access ---------------------------------------------------------

cdef lite_status* locate(ref_t r, const uint32_t* code, int p, const int64_t* I, buffer_t** out,
                         int64_t* offset) noexcept nogil:
    """The buffer view in r and the element offset of the index list at p,
    bounds checked."""
    cdef char msg[160]
    cdef buffer_t* b
    cdef int i, n = code[p]
    cdef int64_t index, off = 0
    if r.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"indexed value is not a buffer")
    b = <buffer_t*>r.ptr
    if n != b.rank:
        snprintf(msg, 160, b"%d indices for a tensor of rank %d", n, b.rank)
        return status_new(STATUS_INVALID_ARGUMENT, msg)
    for i in range(n):
        index = I[list_reg(code, p, i)]
        if index < 0 or index >= b.shape[i]:
            snprintf(msg, 160, b"index %lld out of bounds for dimension %d of size %lld",
                     <long long>index, i, <long long>b.shape[i])
            return status_new(STATUS_OUT_OF_RANGE, msg)
        off = off * b.shape[i] + index
    out[0] = b
    offset[0] = off
    return NULL


cdef inline double float_value(int e, const char* p) noexcept nogil:
    cdef float h
    if e == ET_F32:
        return (<const float*>p)[0]
    if e == ET_F64:
        return (<const double*>p)[0]
    half_to_f32(e, &h, p, 1)
    return h


cdef inline void store_int(int e, char* p, int64_t v) noexcept nogil:
    if e == ET_I1:
        (<uint8_t*>p)[0] = v & 1
    elif e == ET_I8:
        (<int8_t*>p)[0] = <int8_t>v
    elif e == ET_I16:
        (<int16_t*>p)[0] = <int16_t>v
    elif e == ET_I32:
        (<int32_t*>p)[0] = <int32_t>v
    else:
        (<int64_t*>p)[0] = v


cdef inline void store_float(int e, char* p, double v) noexcept nogil:
    cdef float f = <float>v
    if e == ET_F32:
        (<float*>p)[0] = f
    elif e == ET_F64:
        (<double*>p)[0] = v
    else:
        f32_to_half(e, p, &f, 1)


cdef inline bint is_float_element(int e) noexcept nogil:
    return e == ET_F32 or e == ET_F64 or e == ET_F16 or e == ET_BF16


cdef lite_status* strided_copy(char* strided, const int64_t* shape, int rank, const int64_t* spec,
                               int64_t limit, char* dense, int size, bint scatter) noexcept nogil:
    """Copy between a dense row-major block of `shape` and the elements
    spec[0] + sum(i_k * spec[1 + k]) of `strided` (which holds `limit`
    elements): gather (dense <- strided) or scatter (strided <- dense).
    Every offset must lie in [0, limit), computed without overflow."""
    cdef int64_t idx[MAX_RANK]
    cdef int64_t strides[MAX_RANK]
    cdef int64_t count = shape_count(rank, shape), i, inner, offset = spec[0], lo = spec[0], hi = spec[0], reach
    cdef int d
    if count == 0:
        return NULL
    for d in range(rank):
        strides[d] = spec[1 + d] if shape[d] > 1 else 0   # a unit dimension's stride is never stepped
        reach = 0
        if lite_mul_add_overflows(&reach, shape[d] - 1, strides[d]) or \
                lite_mul_add_overflows(&lo if reach < 0 else &hi, reach, 1):
            lo = -1
    if lo < 0 or hi >= limit:
        return status_new(STATUS_OUT_OF_RANGE, b"strided copy outside its buffer")
    if rank == 0:
        memcpy(strided + offset * size if scatter else dense, dense if scatter else strided + offset * size, size)
        return NULL
    inner = shape[rank - 1]
    memset(idx, 0, sizeof(idx))
    i = 0
    while i < count:   # whole innermost runs; the outer index advances per run
        if scatter:
            copy_run(strided + offset * size, strides[rank - 1], dense + i * size, 1, inner, size)
        else:
            copy_run(dense + i * size, 1, strided + offset * size, strides[rank - 1], inner, size)
        i += inner
        d = rank - 2
        while d >= 0:
            idx[d] += 1
            offset += strides[d]
            if idx[d] < shape[d]:
                break
            offset -= idx[d] * strides[d]
            idx[d] = 0
            d -= 1
    return NULL


cdef inline int exact_dimension(const int64_t* row, int n) noexcept nogil:
    """The dimension that a buffer.expand map row (n coefficients, then a
    constant) is exactly, or -1: iree_lite.ir.attributes.exact_dimension."""
    cdef int d, found = -1
    if row[n] != 0:
        return -1
    for d in range(n):
        if row[d] != 0:
            if found >= 0 or row[d] != 1:
                return -1
            found = d
    return found


cdef lite_status* expand(ref_t r, const constant_t* layout, const constant_t* mapc, const uint32_t* code,
                         int p, const int64_t* I, buffer_t** out) noexcept nogil:
    """buffer.expand: a gather through a linear map (broadcasts, transposes, windows)."""
    cdef buffer_t* src
    cdef buffer_t* dst
    cdef lite_status* st
    cdef const int64_t* e = <const int64_t*>mapc.buffer.data
    cdef int n = layout.rank, cols = layout.rank + 1
    cdef int64_t shape[MAX_RANK]
    cdef int64_t spec[MAX_RANK + 1]
    cdef int exact[MAX_RANK]
    cdef int fed[MAX_RANK]
    cdef int d, k, j = 0
    cdef int64_t row = 1, lo, hi, count
    if r.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"expanded value is not a buffer")
    src = <buffer_t*>r.ptr
    if src.rank * cols != <int>(mapc.buffer.nbytes // 8):
        return status_new(STATUS_INVALID_ARGUMENT, b"expanded value is not of the map's rank")
    for d in range(n):
        fed[d] = -1
    for k in range(src.rank):
        exact[k] = exact_dimension(e + k * cols, n)
        if exact[k] >= 0 and fed[exact[k]] == -1:
            fed[exact[k]] = k
    for d in range(n):
        if layout.shape[d] != -1:
            shape[d] = layout.shape[d]
        elif fed[d] >= 0:
            shape[d] = src.shape[fed[d]]
        else:
            shape[d] = I[list_reg(code, p, j)]
            j += 1
    count = checked_count(src.element, n, shape)
    if count < 0:
        return size_status(b"buffer.expand", src.element, n, shape, count)
    for k in range(src.rank):
        lo = hi = e[k * cols + n]
        for d in range(n):   # an overflow is outside any dimension
            if lite_mul_add_overflows(&hi if e[k * cols + d] > 0 else &lo, e[k * cols + d], shape[d] - 1):
                lo = -1
        if exact[k] >= 0 and src.shape[k] != shape[exact[k]] or \
                exact[k] < 0 and count != 0 and (lo < 0 or hi >= src.shape[k]):
            return shapes_error(STATUS_INVALID_ARGUMENT if exact[k] >= 0 else STATUS_OUT_OF_RANGE,
                                b"broadcast, transpose or window of %s to %s: the shapes do not agree",
                                src.rank, src.shape, n, shape)
    for d in range(cols):
        spec[d] = 0
    for k in range(src.rank - 1, -1, -1):
        if count == 0:   # nothing is copied, and only then may a term be out of range
            break
        spec[0] += e[k * cols + n] * row
        for d in range(n):
            spec[1 + d] += e[k * cols + d] * row if shape[d] > 1 else 0
        row *= src.shape[k]
    dst = buffer_new(src.element, n, shape, NULL, NULL)
    if dst == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory allocating a buffer")
    st = strided_copy(src.data, shape, n, spec, src.count, dst.data, ELEMENT_SIZE[src.element], 0)
    if st != NULL:
        buffer_release(dst)
        return st
    out[0] = dst
    return NULL


cdef lite_status* scatter(ref_t racc, ref_t rsrc, const constant_t* spec) noexcept nogil:
    """buffer.scatter: src's elements into a strided region of acc."""
    cdef buffer_t* acc
    cdef buffer_t* src
    if racc.kind != REF_BUFFER or rsrc.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"scattered value is not a buffer")
    acc = <buffer_t*>racc.ptr
    src = <buffer_t*>rsrc.ptr
    if acc.element != src.element or acc.readonly:
        return status_new(STATUS_INVALID_ARGUMENT, b"scatter target must be a writable buffer of the same type")
    if spec.buffer.nbytes != 8 * (src.rank + 1):
        return status_new(STATUS_INVALID_ARGUMENT, b"scatter strides do not match the source rank")
    return strided_copy(acc.data, src.shape, src.rank, <const int64_t*>spec.buffer.data, acc.count,
                        src.data, ELEMENT_SIZE[src.element], 1)


cdef lite_status* slice_spec(const buffer_t* full, const constant_t* sizes, const uint32_t* code, int p,
                             const int64_t* I, int64_t* spec, int64_t* n) noexcept nogil:
    """buffer.slice/insert: spec = [base, strides...] of the slice in `full`'s
    elements and n = its sizes, from the offsets, steps and dynamic sizes in
    the register list at p, each dimension checked to hold its part."""
    cdef const int64_t* want = <const int64_t*>sizes.buffer.data
    cdef int rank = <int>(sizes.buffer.nbytes // 8), k, j = 2 * rank
    cdef int64_t row = 1, o, st, last
    cdef char msg[300]
    cdef char shown[96]
    if full.rank != rank:
        return status_new(STATUS_INVALID_ARGUMENT, b"slice of a value of another rank")
    for k in range(rank):
        n[k] = want[k]
        if n[k] == -1:
            n[k] = I[list_reg(code, p, j)]
            j += 1
    spec[0] = 0
    for k in range(rank - 1, -1, -1):
        o = I[list_reg(code, p, k)]
        st = I[list_reg(code, p, rank + k)]
        last = o
        if o < 0 or st < 1 or n[k] < 0 or (n[k] != 0 and (lite_mul_add_overflows(&last, n[k] - 1, st)
                                                         or last >= full.shape[k])):
            format_dims(shown, 96, full.rank, full.shape)
            snprintf(msg, 300, b"slice %lld + %lld x %lld is outside dimension %d of size %lld of a tensor of shape %s",
                     <long long>o, <long long>n[k], <long long>st, k, <long long>full.shape[k], shown)
            return status_new(STATUS_OUT_OF_RANGE, msg)
        if n[k] == 0:   # nothing is copied: the offset may lie anywhere
            o = 0
        spec[0] += o * row
        spec[1 + k] = st * row if n[k] > 1 else 0
        row *= full.shape[k]
    return NULL


cdef buffer_t* slice_buffer(const buffer_t* src, const constant_t* layout, const constant_t* sizes,
                            const int64_t* n) noexcept nogil:
    """The new buffer of buffer.slice: the layout's -1 dimensions take the
    dynamic sizes n[k] (where sizes[k] is -1) in order."""
    cdef int64_t shape[MAX_RANK]
    cdef const int64_t* want = <const int64_t*>sizes.buffer.data
    cdef int d, k = 0
    for d in range(layout.rank):
        shape[d] = layout.shape[d]
        if shape[d] == -1:
            while want[k] != -1:
                k += 1
            shape[d] = n[k]
            k += 1
    return buffer_new(src.element, layout.rank, shape, NULL, NULL)


cdef lite_status* view_shape(const buffer_t* b, const constant_t* c, const uint32_t* code, int p,
                             const int64_t* I, int64_t* dims) noexcept nogil:
    """buffer.view's shape (into dims) of b's bytes as layout c, whose -1
    dimensions take the register list at p where code[p] is nonzero; the
    one dynamic dimension left takes what the others leave."""
    cdef int64_t known[MAX_RANK]   # the dimensions, a dynamic one counted as 1
    cdef int64_t count
    cdef int i, j = -1, k = 0
    for i in range(c.rank):
        dims[i] = c.shape[i]
        if dims[i] == -1 and code[p] != 0:   # sizes given in registers
            dims[i] = I[list_reg(code, p, k)]
            k += 1
        if dims[i] == -1:
            j = i
        known[i] = 1 if dims[i] == -1 else dims[i]
    count = checked_count(c.element, c.rank, known)
    if count == -2:
        return size_status(b"buffer.view", c.element, c.rank, dims, count)
    if count >= 0:
        count *= ELEMENT_SIZE[c.element]
    if j >= 0 and count > 0:
        dims[j] = b.nbytes // count
        count *= dims[j]
    elif j >= 0:
        count = -1
    if count != b.nbytes:
        if j >= 0:
            dims[j] = -1   # shown as '?': no size fits
        return shapes_error(STATUS_INVALID_ARGUMENT, b"reshape of %s to %s changes the number of elements",
                            b.rank, b.shape, c.rank, dims)
    return NULL


# -- check ops: test assertions that fail the call with their location --------

cdef lite_status* check_failed(const constant_t* where, const char* what) noexcept nogil:
    cdef char msg[400]
    snprintf(msg, 400, b"%.*s: %s", <int>where.buffer.nbytes, where.buffer.data, what)
    return status_new(STATUS_FAILED_PRECONDITION, msg)


cdef lite_status* assert_failed(const constant_t* where, const constant_t* message) noexcept nogil:
    cdef char msg[400]
    snprintf(msg, 400, b"%.*s: %.*s", <int>where.buffer.nbytes, where.buffer.data, <int>message.buffer.nbytes,
             message.buffer.data)
    return status_new(STATUS_FAILED_PRECONDITION, msg)


cdef inline double element_f(int e, const char* p, int64_t i) noexcept nogil:
    if is_half(e):
        return half_load(e, <const uint16_t*>p, i)
    return (<const float*>p)[i] if e == ET_F32 else (<const double*>p)[i]


cdef lite_status* check_values(ref_t ra, ref_t re, int approx, double atol, double rtol,
                               const constant_t* where) noexcept nogil:
    """check.eq / check.almost_eq: the first differing element, with both values."""
    cdef char what[300]
    cdef char have[96]
    cdef char want[96]
    cdef buffer_t* a
    cdef buffer_t* e
    cdef int64_t i
    cdef double x, y
    cdef int64_t xi, yi
    cdef int floating
    if ra.kind != REF_BUFFER or re.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"checked value is not a buffer")
    a = <buffer_t*>ra.ptr
    e = <buffer_t*>re.ptr
    if a.element != e.element or a.rank != e.rank or memcmp(a.shape, e.shape, a.rank * sizeof(int64_t)) != 0:
        format_layout(want, 96, e.element, e.rank, e.shape)
        format_layout(have, 96, a.element, a.rank, a.shape)
        snprintf(what, 300, b"expected %s, got %s", want, have)
        return check_failed(where, what)
    floating = a.element == ET_F32 or a.element == ET_F64 or is_half(a.element)
    for i in range(a.count):
        if floating:
            x = element_f(a.element, a.data, i)
            y = element_f(e.element, e.data, i)
            if x == y or (approx and ((x != x and y != y) or fabs(x - y) <= atol + rtol * fabs(y))):
                continue
            snprintf(what, 300, b"element at index %lld (%g) does not match the expected (%g)", <long long>i, x, y)
        else:
            xi = int_value(a.element, a.data + i * ELEMENT_SIZE[a.element])
            yi = int_value(e.element, e.data + i * ELEMENT_SIZE[e.element])
            if xi == yi:
                continue
            snprintf(what, 300, b"element at index %lld (%lld) does not match the expected (%lld)",
                     <long long>i, <long long>xi, <long long>yi)
        return check_failed(where, what)
    return NULL


# -- functions --------------------------------------------------------------

cdef lite_status* vm_invoke(ctx_t* ctx, const run_t* run, module_t* m, int fi, const int64_t* iargs, int ni,
                            const double* fargs, int nf, const ref_t* rargs, int nr,
                            int64_t* ires, double* fres, ref_t* rres, int depth) noexcept nogil:
    """Call function fi of m. Arguments are borrowed; reference results are
    returned owned (retained) in rres."""
    cdef function_t* fn = &m.functions[fi]
    cdef int i
    cdef lite_status* st
    cdef int64_t t0 = now_ns() if ctx.trace != NULL else 0
    cdef char msg[64]
    if depth > MAX_CALL_DEPTH:
        snprintf(msg, 64, b"call depth exceeds %d", <int>MAX_CALL_DEPTH)
        return status_new(STATUS_RESOURCE_EXHAUSTED, msg)
    cdef char* frame = <char*>calloc(1, fn.nregs[0] * 8 + fn.nregs[1] * 8 + fn.nregs[2] * sizeof(ref_t) + 8)
    if frame == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory for a call frame")
    cdef int64_t* I = <int64_t*>frame
    cdef double* F = <double*>(frame + fn.nregs[0] * 8)
    cdef ref_t* R = <ref_t*>(frame + fn.nregs[0] * 8 + fn.nregs[1] * 8)
    memcpy(I, iargs, ni * 8)
    memcpy(F, fargs, nf * 8)
    for i in range(nr):
        ref_set(&R[i], rargs[i])
    st = vm_loop(ctx, run, m, fn, I, F, R, ires, fres, rres, depth)
    for i in range(fn.nregs[2]):
        ref_release(R[i])
    free(frame)
    if ctx.trace != NULL:
        trace_record(ctx.trace, TRACE_CALL, t0, now_ns(), <int64_t><size_t>m, fi, 0, 0)
    return st


cdef lite_status* vm_loop(ctx_t* ctx, const run_t* run, module_t* m, function_t* fn, int64_t* I, double* F, ref_t* R,
                          int64_t* ires, double* fres, ref_t* rres, int depth) noexcept nogil:
    cdef const uint32_t* code = fn.code
    cdef int pc = 0
    cdef int p, p2, i, n, op, s0, s1
    cdef uint32_t w
    cdef lite_status* st
    cdef module_t* cm
    cdef int cfi, ni, nf, nr
    cdef int64_t ia[MAX_CALL_VALUES]
    cdef double fa[MAX_CALL_VALUES]
    cdef ref_t ra[MAX_CALL_VALUES]
    cdef int64_t io[MAX_CALL_VALUES]
    cdef double fo[MAX_CALL_VALUES]
    cdef ref_t ro[MAX_CALL_VALUES]
    cdef buffer_t* b
    cdef buffer_t* nb
    cdef int64_t offset
    cdef char* data
    cdef const constant_t* c
    cdef job_t job
    cdef async_job_t* a
    cdef fence_t* f
    cdef char what[64]
    cdef forward_t* fw
    cdef int64_t t0, count, trace_id
    cdef int64_t dims[MAX_RANK]
    cdef int64_t spec[MAX_RANK + 1]
    cdef int j
    cdef int polls = 0      # backward branches since the clock was read
    while True:
        w = code[pc]
        op = w & 0xFF
        s0 = (w >> 8) & 0xFF
        s1 = (w >> 16) & 0xFF
        if op == OP_RET:
            p = pc + 1
            for i in range(<int>code[p]):
                ires[i] = I[list_reg(code, p, i)]
            p = list_next(code, p)
            for i in range(<int>code[p]):
                fres[i] = F[list_reg(code, p, i)]
            p = list_next(code, p)
            for i in range(<int>code[p]):
                rres[i] = R[list_reg(code, p, i)]
                ref_retain(rres[i])
            return NULL
        elif op == OP_CALL or op == OP_CALL_IMPORT:
            if op == OP_CALL:
                cm = m
                cfi = code[pc + 1]
            else:
                cm = m.imports[code[pc + 1]].module
                cfi = m.imports[code[pc + 1]].function
            p = pc + 2
            ni = code[p]
            for i in range(ni):
                ia[i] = I[list_reg(code, p, i)]
            p = list_next(code, p)
            nf = code[p]
            for i in range(nf):
                fa[i] = F[list_reg(code, p, i)]
            p = list_next(code, p)
            nr = code[p]
            for i in range(nr):
                ra[i] = R[list_reg(code, p, i)]
            p = list_next(code, p)
            st = vm_invoke(ctx, run, cm, cfi, ia, ni, fa, nf, ra, nr, io, fo, ro, depth + 1)
            if st != NULL:
                return st
            for i in range(<int>code[p]):
                I[list_reg(code, p, i)] = io[i]
            p = list_next(code, p)
            for i in range(<int>code[p]):
                F[list_reg(code, p, i)] = fo[i]
            p = list_next(code, p)
            for i in range(<int>code[p]):
                ref_move(&R[list_reg(code, p, i)], ro[i].kind, ro[i].ptr)
            pc = list_next(code, p)
        elif op == OP_CONST_I:
            I[s0] = m.constants[code[pc + 1]].ival
            pc += 2
        elif op == OP_CONST_F:
            F[s0] = m.constants[code[pc + 1]].fval
            pc += 2
        elif op == OP_GLOBAL_LOAD_I:
            I[s0] = m.gi[code[pc + 1]]
            pc += 2
        elif op == OP_GLOBAL_LOAD_F:
            F[s0] = m.gf[code[pc + 1]]
            pc += 2
        elif op == OP_GLOBAL_LOAD_R:
            ref_set(&R[s0], m.gr[code[pc + 1]])
            pc += 2
        elif op == OP_GLOBAL_STORE_I:
            m.gi[code[pc + 1]] = I[s0]
            pc += 2
        elif op == OP_GLOBAL_STORE_F:
            m.gf[code[pc + 1]] = F[s0]
            pc += 2
        elif op == OP_GLOBAL_STORE_R:
            ref_set(&m.gr[code[pc + 1]], R[s0])
            pc += 2
        elif op == OP_MOV_I:
            I[s0] = I[s1]
            pc += 1
        elif op == OP_MOV_F:
            F[s0] = F[s1]
            pc += 1
        elif op == OP_BR or op == OP_BR_IF:
            if op == OP_BR or I[s0] != 0:
                if <int>code[pc + 1] <= pc:   # every loop takes a backward branch
                    st = run_poll(run, &polls)
                    if st != NULL:
                        return st
                pc = code[pc + 1]
            else:
                pc += 2
        elif op == OP_MOV_R:
            ref_set(&R[s0], R[s1])
            pc += 1
        elif op == OP_REF_NULL:
            ref_move(&R[s0], REF_NULL, NULL)
            pc += 1
        elif op == OP_BUFFER_ALLOC:
            c = &m.constants[code[pc + 1]]
            b = buffer_new(c.element, c.rank, c.shape, NULL, NULL)
            if b == NULL:
                return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory allocating a buffer")
            ref_move(&R[s0], REF_BUFFER, b)
            pc += 2
        elif op == OP_BUFFER_ALLOC_DYN:
            c = &m.constants[code[pc + 1]]
            p = pc + 2
            j = 0
            for i in range(c.rank):
                if c.shape[i] == -1:
                    dims[i] = I[list_reg(code, p, j)]
                    j += 1
                else:
                    dims[i] = c.shape[i]
            count = checked_count(c.element, c.rank, dims)
            if count < 0:
                return size_status(b"buffer.alloc.dyn", c.element, c.rank, dims, count)
            b = buffer_new(c.element, c.rank, dims, NULL, NULL)
            if b == NULL:
                return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory allocating a buffer")
            ref_move(&R[s0], REF_BUFFER, b)
            pc = list_next(code, p)
        elif op == OP_BUFFER_DIM:
            if R[s1].kind != REF_BUFFER:
                return status_new(STATUS_INVALID_ARGUMENT, b"dimension of a value that is not a buffer")
            b = <buffer_t*>R[s1].ptr
            if I[(w >> 24) & 0xFF] < 0 or I[(w >> 24) & 0xFF] >= b.rank:
                return status_new(STATUS_OUT_OF_RANGE, b"dimension index outside the tensor's rank")
            I[s0] = b.shape[I[(w >> 24) & 0xFF]]
            pc += 1
        elif op == OP_BUFFER_MATCH or op == OP_BUFFER_CAST:
            if R[s0].kind != REF_BUFFER or (op == OP_BUFFER_MATCH and R[s1].kind != REF_BUFFER):
                return status_new(STATUS_INVALID_ARGUMENT, b"shape of a value that is not a buffer")
            b = <buffer_t*>R[s0].ptr
            if op == OP_BUFFER_MATCH:
                nb = <buffer_t*>R[s1].ptr
                if b.rank != nb.rank or memcmp(b.shape, nb.shape, b.rank * sizeof(int64_t)) != 0:
                    return shape_mismatch(&m.constants[code[pc + 1]], b, nb.rank, nb.shape,
                                          b"%.*s: operand shapes %s and %s differ")
                pc += 2
            else:
                c = &m.constants[code[pc + 1]]
                if not fits_layout(b, c):
                    return shape_mismatch(&m.constants[code[pc + 2]], b, c.rank, c.shape,
                                          b"%.*s: shape %s does not match %s")
                pc += 3
        elif op == OP_BUFFER_CONST:
            b = m.constants[code[pc + 1]].buffer
            atomic_inc(&b.refcount)
            ref_move(&R[s0], REF_BUFFER, b)
            pc += 2
        elif op == OP_BUFFER_LOAD_I or op == OP_BUFFER_LOAD_F or op == OP_BUFFER_STORE_I or op == OP_BUFFER_STORE_F:
            st = locate(R[s1], code, pc + 1, I, &b, &offset)
            if st != NULL:
                return st
            if is_float_element(b.element) != (op == OP_BUFFER_LOAD_F or op == OP_BUFFER_STORE_F):
                return status_new(STATUS_INVALID_ARGUMENT, b"element type does not match the register bank")
            data = b.data + offset * ELEMENT_SIZE[b.element]
            if op == OP_BUFFER_LOAD_I:
                I[s0] = int_value(b.element, data)
            elif op == OP_BUFFER_LOAD_F:
                F[s0] = float_value(b.element, data)
            elif b.readonly:
                return status_new(STATUS_PERMISSION_DENIED, b"store into a read-only constant buffer")
            elif op == OP_BUFFER_STORE_I:
                store_int(b.element, data, I[s0])
            else:
                store_float(b.element, data, F[s0])
            pc = list_next(code, pc + 1)
        elif op == OP_BUFFER_CLONE or op == OP_BUFFER_VIEW:
            if R[s1].kind != REF_BUFFER:
                return status_new(STATUS_INVALID_ARGUMENT, b"copied value is not a buffer")
            b = <buffer_t*>R[s1].ptr
            if op == OP_BUFFER_CLONE:
                nb = buffer_new(b.element, b.rank, b.shape, NULL, NULL)
                if nb != NULL:
                    memcpy(nb.data, b.data, b.nbytes)
                pc += 1
            else:
                c = &m.constants[code[pc + 1]]
                st = view_shape(b, c, code, pc + 2, I, dims)
                if st != NULL:
                    return st
                nb = buffer_new(c.element, c.rank, dims, b.data, b)
                if nb != NULL:
                    nb.readonly = b.readonly
                pc = list_next(code, pc + 2)
            if nb == NULL:
                return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory allocating a buffer")
            ref_move(&R[s0], REF_BUFFER, nb)
        elif op == OP_BUFFER_REDUCE:
            st = run_reduce(ctx, run, R[s0], R[s1], <int>m.constants[code[pc + 1]].ival)
            if st != NULL:
                return st
            pc += 2
        elif op == OP_BUFFER_MATMUL:
            st = run_matmul(ctx, run, R[s0], R[s1], R[(w >> 24) & 0xFF])
            if st != NULL:
                return st
            pc += 1
        elif op == OP_BUFFER_CONV2D:
            st = run_conv2d(ctx, run, R[s0], R[s1], R[(w >> 24) & 0xFF],
                            <const int64_t*>m.constants[code[pc + 1]].buffer.data)
            if st != NULL:
                return st
            pc += 2
        elif op == OP_BUFFER_EXPAND:
            st = expand(R[s1], &m.constants[code[pc + 1]], &m.constants[code[pc + 2]], code, pc + 3, I, &nb)
            if st != NULL:
                return st
            ref_move(&R[s0], REF_BUFFER, nb)
            pc = list_next(code, pc + 3)
        elif op == OP_BUFFER_SLICE or op == OP_BUFFER_INSERT:
            i = 1 if op == OP_BUFFER_SLICE else 0   # the operand `full` is src for a slice, acc for an insert
            if R[s1].kind != REF_BUFFER or (not i and R[s0].kind != REF_BUFFER):
                return status_new(STATUS_INVALID_ARGUMENT, b"sliced value is not a buffer")
            b = <buffer_t*>R[s1 if i else s0].ptr
            c = &m.constants[code[pc + 1 + i]]
            p = pc + 2 + i
            st = slice_spec(b, c, code, p, I, spec, dims)
            if st != NULL:
                return st
            if i:
                nb = slice_buffer(b, &m.constants[code[pc + 1]], c, dims)
                if nb == NULL:
                    return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory allocating a buffer")
                st = strided_copy(b.data, dims, b.rank, spec, b.count, nb.data, ELEMENT_SIZE[b.element], 0)
                if st != NULL:
                    buffer_release(nb)
                    return st
                ref_move(&R[s0], REF_BUFFER, nb)
            else:
                nb = <buffer_t*>R[s1].ptr
                if nb.element != b.element or b.readonly:
                    return status_new(STATUS_INVALID_ARGUMENT, b"inserted slice does not fit its place")
                if not same_shape(nb.rank, nb.shape, b.rank, dims):
                    return shapes_error(STATUS_INVALID_ARGUMENT, b"insert of %s into a slice of %s: the shapes do "
                                        b"not agree", nb.rank, nb.shape, b.rank, dims)
                st = strided_copy(b.data, dims, b.rank, spec, b.count, nb.data, ELEMENT_SIZE[b.element], 1)
                if st != NULL:
                    return st
            pc = list_next(code, p)
        elif op == OP_BUFFER_SCATTER:
            st = scatter(R[s0], R[s1], &m.constants[code[pc + 1]])
            if st != NULL:
                return st
            pc += 2
        elif op == OP_BUFFER_CHECK:
            st = check_layout(R[s0], &m.constants[code[pc + 1]])
            if st != NULL:
                return st
            pc += 2
        elif op == OP_DISPATCH:
            atomic_fetch_add64(&ctx.dispatches, 1)
            t0 = now_ns() if ctx.trace != NULL else 0
            p = pc + 2
            st = job_bind(&job, run, &m.kernels[code[pc + 1]], code, p, R, F, I, ctx.trace)
            if st != NULL:
                return st
            run_job_sync(ctx, &job)
            if ctx.trace != NULL:
                trace_record(ctx.trace, TRACE_DISPATCH, t0, now_ns(), <int64_t><size_t>m, code[pc + 1],
                             job.count, job.trace_id)
            if job.error != NULL:
                return job.error
            pc = list_next(code, list_next(code, list_next(code, p)))
        elif op == OP_DISPATCH_ASYNC:
            # Traced, its span is the submission (and the run, when that is
            # inline); tile spans carry its id wherever they run.
            atomic_fetch_add64(&ctx.dispatches, 1)
            t0 = now_ns() if ctx.trace != NULL else 0
            p = pc + 2
            if (R[s0].kind != REF_FENCE and R[s0].kind != REF_NULL) or R[s1].kind != REF_FENCE:
                return status_new(STATUS_INVALID_ARGUMENT, b"dispatch fences are not fences")
            a = <async_job_t*>malloc(sizeof(async_job_t))
            if a == NULL:
                return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory for a dispatch")
            st = job_bind(&a.job, run, &m.kernels[code[pc + 1]], code, p, R, F, I, ctx.trace)
            if st != NULL:
                a.job.nheld = 0
                async_job_free(a)
                return st
            count = a.job.count         # `a` may be freed once submitted
            trace_id = a.job.trace_id
            a.ctx = ctx
            a.job.nheld = a.job.kernel.nbind
            for i in range(a.job.nheld):
                atomic_inc(&a.job.held[i].refcount)
            a.job.signal = fence_of(R[s1])
            fence_retain(a.job.signal)
            st = submit_async(ctx, run, a, fence_of(R[s0]))
            if st != NULL:
                return st
            if ctx.trace != NULL:
                trace_record(ctx.trace, TRACE_DISPATCH, t0, now_ns(), <int64_t><size_t>m, code[pc + 1],
                             count, trace_id)
            pc = list_next(code, list_next(code, list_next(code, p)))
        elif op == OP_EVAL:
            p = pc + 2
            st = run_eval(&m.kernels[code[pc + 1]], code, p, F, I)
            if st != NULL:
                return st
            pc = list_next(code, list_next(code, list_next(code, list_next(code, p))))
        elif op == OP_FENCE_CREATE:
            f = fence_new_pending()
            if f == NULL:
                return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory for a fence")
            ref_move(&R[s0], REF_FENCE, f)
            pc += 1
        elif op == OP_FENCE_AWAIT:
            if R[s0].kind == REF_FENCE:
                st = NULL
                if vm_fence_wait(ctx, run, fence_of(R[s0]), &st) == WAIT_FAILED:
                    return st
            elif R[s0].kind != REF_NULL:
                return status_new(STATUS_INVALID_ARGUMENT, b"awaited value is not a fence")
            pc += 1
        elif op == OP_FENCE_FORWARD:
            if (R[s0].kind != REF_FENCE and R[s0].kind != REF_NULL) or R[s1].kind != REF_FENCE:
                return status_new(STATUS_INVALID_ARGUMENT, b"forwarded values are not fences")
            fw = <forward_t*>malloc(sizeof(forward_t))
            if fw == NULL:
                return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory for a fence forward")
            fw.dst = fence_of(R[s1])
            fw.trace = ctx.trace
            fence_retain(fw.dst)
            fence_notify(fence_of(R[s0]), forward_settled, fw)
            pc += 1
        elif op == OP_CHECK_TRUE or op == OP_CHECK_FALSE:
            if (I[s0] != 0) != (op == OP_CHECK_TRUE):
                snprintf(what, 64, b"expected %s, got %lld", b"true" if op == OP_CHECK_TRUE else b"false",
                         <long long>I[s0])
                return check_failed(&m.constants[code[pc + 1]], what)
            pc += 2
        elif op == OP_CF_ASSERT:
            if I[s0] == 0:
                return assert_failed(&m.constants[code[pc + 1]], &m.constants[code[pc + 2]])
            pc += 3
        elif op == OP_DEBUG_TRACE:
            p = pc + 2
            st = debug_trace(ctx, &m.constants[code[pc + 1]], code, p, R)
            if st != NULL:
                return st
            pc = list_next(code, p)
        elif op == OP_CHECK_EQ:
            st = check_values(R[s0], R[s1], 0, 0, 0, &m.constants[code[pc + 1]])
            if st != NULL:
                return st
            pc += 2
        elif op == OP_CHECK_ALMOST_EQ:
            st = check_values(R[s0], R[s1], 1, m.constants[code[pc + 1]].fval, m.constants[code[pc + 2]].fval,
                              &m.constants[code[pc + 3]])
            if st != NULL:
                return st
            pc += 4
        else:
            return status_new(STATUS_INTERNAL, b"unverified bytecode reached the VM loop")
