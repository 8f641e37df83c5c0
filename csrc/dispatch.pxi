# Dispatches and fences of the VM loop (loop.pxi): jobs bound from register
# lists, run now or queued behind a fence, eval, and the fence ops.

cdef lite_status* job_bind(job_t* job, const run_t* run, const kernel_t* k, const uint32_t* binds,
                           const frame_t* fr, trace_t* trace) noexcept nogil:
    """Fill a job of the call `run` from the register lists bind_r (at
    `binds`), push_f and push_i (after it) of fr's registers; a traced job
    gets the next dispatch id of `trace`."""
    cdef const uint32_t* push = list_end(binds)
    cdef ref_t* R = fr.R
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
        if R[list_reg(binds, i)].kind != REF_BUFFER:
            return status_new(STATUS_INVALID_ARGUMENT, b"dispatch binding is not a buffer")
        b = <buffer_t*>R[list_reg(binds, i)].ptr
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
    nf = push[0]
    for i in range(nf):
        job.push_f[i] = fr.F[list_reg(push, i)]
        job.push_i[i] = 0
    push = list_end(push)
    ni = push[0]
    for i in range(ni):
        job.push_i[nf + i] = fr.I[list_reg(push, i)]
        job.push_f[nf + i] = 0
    return NULL


cdef inline int64_t job_tiles(const job_t* job) noexcept nogil:
    return (job.count + TILE - 1) // TILE


cdef void run_job_inline(job_t* job) noexcept nogil:
    run_tiles(job, 0, job_tiles(job), 0)


cdef enum:
    # The cost per element (kernel_t.cost) of the kernel ctx.inline_elements
    # was measured with: three loads and four simple ops (bench/RESULTS.md).
    INLINE_KERNEL_COST = 8

    # Work (elements of such a kernel) worth sharing out while a worker
    # watches the FIFO: it takes a task within a microsecond or two, where
    # a sleeping one takes tens (ctx.inline_elements is sized for those).
    WATCHED_INLINE_ELEMENTS = 16384


cdef inline int64_t inline_limit(const ctx_t* ctx) noexcept nogil:
    """Elements (of an INLINE_KERNEL_COST kernel) at most of which a loop
    runs on its caller: fewer while a worker watches for work."""
    if ctx.pool != NULL and pool_watched(ctx.pool):
        return min(ctx.inline_elements, <int64_t>WATCHED_INLINE_ELEMENTS)
    return ctx.inline_elements


cdef inline bint worth_sharing(const ctx_t* ctx, double work) noexcept nogil:
    """Whether `work` (elements times their cost per element, in simple tile
    ops) is more than handing it to the workers costs (inline_limit)."""
    return ctx.pool != NULL and work > <double>inline_limit(ctx) * INLINE_KERNEL_COST


cdef inline bint runs_inline(const ctx_t* ctx, const job_t* job) noexcept nogil:
    """Whether a dispatch runs on the submitting thread: no pool, or not
    worth_sharing. A kernel costlier per element than that one (an erf,
    say) shares out at fewer elements; a cheaper one at the limit all the
    same."""
    return not worth_sharing(ctx, <double>job.count * max(job.kernel.cost, <int64_t>INLINE_KERNEL_COST))


cdef void run_job_sync(ctx_t* ctx, job_t* job) noexcept nogil:
    if runs_inline(ctx, job):
        run_job_inline(job)
    else:
        run_job_shared(ctx, job)


cdef inline void run_job_shared(ctx_t* ctx, job_t* job) noexcept nogil:
    """The job's tiles shared out among the workers of ctx.pool."""
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
    elif runs_inline(a.ctx, &a.job):
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

cdef lite_status* run_eval(const kernel_t* k, const uint32_t* push, double* F, int64_t* I) noexcept nogil:
    """eval: kernel k over the push constants of the lists push_f (at `push`)
    and push_i, its outputs into the lists dst_f and dst_i after them."""
    cdef const uint32_t* p = push
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
    nf = p[0]
    for i in range(nf):
        job.push_f[i] = F[list_reg(p, i)]
        job.push_i[i] = 0
    p = list_end(p)
    for i in range(<int>p[0]):
        job.push_i[nf + i] = I[list_reg(p, i)]
        job.push_f[nf + i] = 0
    p = list_end(p)
    run_tile(&job, 0, 1, scratch)
    if job.error != NULL:
        return job.error
    # Outputs are floats first (dst_f at p), then ints (dst_i after it).
    nf = p[0]
    for i in range(k.nbind):
        e = k.bind_element[i]
        if i < nf:
            if e == ET_F32:
                F[list_reg(p, i)] = (<float*>&out[i])[0]
            elif e == ET_F64:
                F[list_reg(p, i)] = (<double*>&out[i])[0]
            else:
                half_to_f32(e, &hf, <char*>&out[i], 1)
                F[list_reg(p, i)] = hf
        else:
            I[list_reg(list_end(p), i - nf)] = int_value(e, <char*>&out[i])
    return NULL


# -- the arms of the dispatch and fence ops ----------------------------------

cdef lite_status* op_dispatch(ctx_t* ctx, const run_t* run, frame_t* fr, const uint32_t* ip) noexcept nogil:
    """Run the kernel over its bindings now and wait for it."""
    cdef job_t job
    cdef lite_status* st
    atomic_fetch_add64(&ctx.dispatches, 1)
    cdef int64_t t0 = now_ns() if ctx.trace != NULL else 0
    st = job_bind(&job, run, &fr.m.kernels[DISPATCH_kernel(ip)], DISPATCH_bind_r(ip), fr, ctx.trace)
    if st != NULL:
        return st
    run_job_sync(ctx, &job)
    if ctx.trace != NULL:
        trace_record(ctx.trace, TRACE_DISPATCH, t0, now_ns(), <int64_t><size_t>fr.m, DISPATCH_kernel(ip),
                     job.count, job.trace_id)
    return job.error


cdef lite_status* op_dispatch_async(ctx_t* ctx, const run_t* run, frame_t* fr, const uint32_t* ip) noexcept nogil:
    """Queue the kernel behind fence `wait`; it signals `signal`. Traced, its
    span is the submission (and the run, when that is inline); tile spans
    carry its id wherever they run."""
    cdef ref_t wait = fr.R[DISPATCH_ASYNC_wait(ip)], signal = fr.R[DISPATCH_ASYNC_signal(ip)]
    cdef async_job_t* a
    cdef lite_status* st
    cdef int64_t count, trace_id
    cdef int i
    atomic_fetch_add64(&ctx.dispatches, 1)
    cdef int64_t t0 = now_ns() if ctx.trace != NULL else 0
    if (wait.kind != REF_FENCE and wait.kind != REF_NULL) or signal.kind != REF_FENCE:
        return status_new(STATUS_INVALID_ARGUMENT, b"dispatch fences are not fences")
    a = <async_job_t*>malloc(sizeof(async_job_t))
    if a == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory for a dispatch")
    st = job_bind(&a.job, run, &fr.m.kernels[DISPATCH_ASYNC_kernel(ip)], DISPATCH_ASYNC_bind_r(ip), fr, ctx.trace)
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
    a.job.signal = fence_of(signal)
    fence_retain(a.job.signal)
    st = submit_async(ctx, run, a, fence_of(wait))
    if st != NULL:
        return st
    if ctx.trace != NULL:
        trace_record(ctx.trace, TRACE_DISPATCH, t0, now_ns(), <int64_t><size_t>fr.m, DISPATCH_ASYNC_kernel(ip),
                     count, trace_id)
    return NULL


cdef lite_status* op_fence_create(frame_t* fr, const uint32_t* ip) noexcept nogil:
    cdef fence_t* f = fence_new_pending()
    if f == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory for a fence")
    ref_move(&fr.R[FENCE_CREATE_dst(ip)], REF_FENCE, f)
    return NULL


cdef lite_status* op_fence_await(ctx_t* ctx, const run_t* run, frame_t* fr, const uint32_t* ip) noexcept nogil:
    cdef ref_t r = fr.R[FENCE_AWAIT_fence(ip)]
    cdef lite_status* st = NULL
    if r.kind == REF_FENCE:
        if vm_fence_wait(ctx, run, fence_of(r), &st) == WAIT_FAILED:
            return st
        return NULL
    if r.kind != REF_NULL:
        return status_new(STATUS_INVALID_ARGUMENT, b"awaited value is not a fence")
    return NULL


cdef lite_status* op_fence_forward(ctx_t* ctx, frame_t* fr, const uint32_t* ip) noexcept nogil:
    cdef ref_t src = fr.R[FENCE_FORWARD_src(ip)], dst = fr.R[FENCE_FORWARD_dst(ip)]
    cdef forward_t* fw
    if (src.kind != REF_FENCE and src.kind != REF_NULL) or dst.kind != REF_FENCE:
        return status_new(STATUS_INVALID_ARGUMENT, b"forwarded values are not fences")
    fw = <forward_t*>malloc(sizeof(forward_t))
    if fw == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory for a fence forward")
    fw.dst = fence_of(dst)
    fw.trace = ctx.trace
    fence_retain(fw.dst)
    fence_notify(fence_of(src), forward_settled, fw)
    return NULL
