# Epilogues: an element-wise kernel (a tile kernel over the output's
# elements) that a convolution (buffer.conv2d.dispatch) or a matrix product
# (buffer.matmul.fresh.dispatch, buffer.matmul.strided.dispatch) runs on
# each part of its output as soon as that part is done, while it is in
# cache, where that changes no result (epilogue_fits); else after the whole
# operation.

cdef enum:
    # The producer, and what its `window` (run_producer's) is.
    EPILOGUE_OF_CONV2D = 0           # the convolution's window
    EPILOGUE_OF_MATMUL = 1           # none (NULL)
    EPILOGUE_OF_STRIDED_MATMUL = 2   # the product's layout


cdef void epilogue_span(job_t* epilogue, int64_t start, int64_t end, char* scratch) noexcept nogil:
    """The epilogue over its elements start .. end-1, a tile at a time, until it fails."""
    cdef int64_t n
    while start < end:
        if epilogue.error != NULL:
            return
        n = min(<int64_t>TILE, end - start)
        run_tile(epilogue, start, n, scratch)
        start += n


cdef void epilogue_after(ctx_t* ctx, const run_t* run, job_t* epilogue, bint shared) noexcept nogil:
    """An epilogue (or NULL) not run on parts of the output as they were
    done, after the whole producer unless the call must stop: `shared`, as
    the workers have just shared out the producer, however small it is
    (below inline_elements it would run on this thread alone); else as any
    dispatch (run_job_sync)."""
    if epilogue == NULL or run_stop_code(run) != 0:
        return
    if shared:
        run_job_shared(ctx, epilogue)
    else:
        run_job_sync(ctx, epilogue)


cdef bint overlaps(const buffer_t* a, const buffer_t* b) noexcept nogil:
    return a.nbytes > 0 and b.nbytes > 0 and a.data < b.data + b.nbytes and b.data < a.data + a.nbytes


cdef inline bint same_storage(const buffer_t* a, const buffer_t* b) noexcept nogil:
    return a.data == b.data and a.nbytes == b.nbytes


cdef bint epilogue_fits(const job_t* job, ref_t rc, ref_t rx, ref_t rw) noexcept nogil:
    """Whether the epilogue may run on parts of the output c as they are
    done, computed from x and w, with the same results as after it: c is one
    of its bindings, of the kernel's size, read or written element by element
    (not gathered); every binding overlapping c is c; none it writes
    overlaps x or w, or another binding other than one read element by
    element from the same storage."""
    cdef const kernel_t* k = job.kernel
    cdef buffer_t* c
    cdef int i, o
    cdef bint binds_c = False
    if rc.kind != REF_BUFFER or rx.kind != REF_BUFFER or rw.kind != REF_BUFFER:
        return False
    c = <buffer_t*>rc.ptr
    if job.count != c.count:
        return False
    for i in range(k.nbind):
        if overlaps(job.held[i], c):
            if not same_storage(job.held[i], c) or k.bind_role[i] == BIND_GATHERED:
                return False
            binds_c = True
        if k.bind_role[i] != BIND_OUTPUT:
            continue
        if overlaps(job.held[i], <buffer_t*>rx.ptr) or overlaps(job.held[i], <buffer_t*>rw.ptr):
            return False
        for o in range(k.nbind):
            if o != i and overlaps(job.held[o], job.held[i]) and \
                    (not same_storage(job.held[o], job.held[i]) or k.bind_role[o] == BIND_GATHERED):
                return False
    return binds_c


cdef inline lite_status* run_producer(ctx_t* ctx, const run_t* run, int producer, ref_t rc, ref_t rx, ref_t rw,
                                      const int64_t* window, job_t* epilogue) noexcept nogil:
    if producer == EPILOGUE_OF_CONV2D:
        return run_conv2d(ctx, run, rc, rx, rw, window, epilogue)
    if producer == EPILOGUE_OF_STRIDED_MATMUL:
        return run_matmul_strided(ctx, run, rc, rx, rw, window, epilogue)
    return run_matmul(ctx, run, rc, rx, rw, True, epilogue)


cdef lite_status* run_with_epilogue(ctx_t* ctx, const run_t* run, frame_t* fr, int producer, ref_t rc, ref_t rx,
                                    ref_t rw, const int64_t* window, const kernel_t* kernel,
                                    const uint32_t* bind) noexcept nogil:
    """The producer (a convolution with its window, a fresh matmul, or a
    strided one with its layout) of c from x and w, and its epilogue kernel
    (producer_and_epilogue). Traced as a dispatch of the epilogue's kernel
    around the producer's op (and the epilogue's tiles, where it runs after
    the producer)."""
    cdef job_t job
    cdef int64_t t0 = now_ns() if ctx.trace != NULL else 0
    cdef lite_status* st
    job.count = 0   # where the binding fails before its count
    job.trace_id = 0
    st = producer_and_epilogue(ctx, run, fr, producer, rc, rx, rw, window, kernel, bind, &job)
    if ctx.trace != NULL:
        trace_record(ctx.trace, TRACE_DISPATCH, t0, now_ns(), <int64_t><size_t>fr.m, kernel - fr.m.kernels,
                     job.count, job.trace_id)
    return st


cdef lite_status* producer_and_epilogue(ctx_t* ctx, const run_t* run, frame_t* fr, int producer, ref_t rc,
                                        ref_t rx, ref_t rw, const int64_t* window, const kernel_t* kernel,
                                        const uint32_t* bind, job_t* job) noexcept nogil:
    """The producer and its epilogue, interleaved where epilogue_fits, else
    one after the other; a failure of the producer comes first, as on the
    reference VM."""
    cdef lite_status* bound
    cdef lite_status* st
    atomic_fetch_add64(&ctx.dispatches, 1)
    bound = job_bind(job, run, kernel, bind, fr, ctx.trace)
    if bound == NULL and epilogue_fits(job, rc, rx, rw):
        st = run_producer(ctx, run, producer, rc, rx, rw, window, job)   # it runs the epilogue, with or after
        if st != NULL:
            if job.error != NULL:
                status_free(job.error)
            return st
        return job.error
    st = run_producer(ctx, run, producer, rc, rx, rw, window, NULL)
    if st != NULL or bound != NULL:
        if st != NULL and bound != NULL:
            status_free(bound)
        return st if st != NULL else bound
    run_job_sync(ctx, job)
    return job.error
