# 2-D poolings (buffer.pool2d): NCHW f32, the accumulator folded with each
# window's points in row-major order by maximumf or addf. Workers take output
# rows; csrc/lite_pool.h folds a row's outputs, each with its whole window in
# turn (in registers, a vector of outputs at a time): the reference's bits,
# one pass over the output row; a fresh one starts from the combiner's
# padding instead of reading the accumulator.

cdef extern from "lite_pool.h" nogil:
    ctypedef struct lite_pool2d_row:
        const float* row
        int64_t rows, row_step, w, kw, sw, dw, pw
        int pad_before, pad_after, is_max, fresh, isa
    void lite_pool2d_row_f32(float* out, int64_t ow, const lite_pool2d_row* g)


ctypedef struct pool_job_t:
    float* c                 # [planes][oh][ow]
    const float* x           # [planes][h][w]
    int64_t h, oh, ow, kh, sh, dh, ph
    lite_pool2d_row g        # the window along a row (its rows set per output row)
    trace_t* trace           # --trace: the context's trace or NULL, and this op's id in it
    int64_t trace_id
    const run_t* run


cdef void pool_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    cdef pool_job_t* j = <pool_job_t*>arg
    cdef int64_t h = j.h, oh = j.oh, kh = j.kh, sh = j.sh, dh = j.dh, ph = j.ph
    cdef int64_t item, y, top, ky0, ky1
    cdef lite_pool2d_row g = j.g
    cdef int64_t t0 = now_ns() if j.trace != NULL else 0
    for item in range(begin, end):
        if item % 64 == 0 and run_stop_code(j.run) != 0:   # the call must stop: leave the rest undone
            return
        y = item % oh
        # Window rows ky in [ky0, ky1) read input rows top + ky*dh inside 0..h-1.
        top = y * sh - ph
        ky0 = min(kh, 0 if top >= 0 else (-top + dh - 1) // dh)
        ky1 = max(ky0, 0 if top > h - 1 else min(kh, (h - 1 - top) // dh + 1))
        g.rows = ky1 - ky0
        g.row = j.x + ((item // oh) * h + top + ky0 * dh) * g.w if g.rows > 0 else j.x
        g.pad_before = ky0 > 0
        g.pad_after = ky1 < kh
        lite_pool2d_row_f32(j.c + item * j.ow, j.ow, &g)
    trace_rows(j.trace, t0, begin, end, j.trace_id)


cdef lite_status* run_pool2d(ctx_t* ctx, const run_t* run, ref_t rc, ref_t rx, const int64_t* window,
                             int combiner) noexcept nogil:
    cdef pool_job_t j
    cdef buffer_t* c
    cdef buffer_t* x
    cdef const int64_t* p = window   # kh, kw, sh, sw, dh, dw, ph, pw, fresh (verified)
    cdef int64_t items, workers
    if rc.kind != REF_BUFFER or rx.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"pool2d operand is not a buffer")
    c = <buffer_t*>rc.ptr
    x = <buffer_t*>rx.ptr
    if c.rank != 4 or x.rank != 4 or c.element != ET_F32 or x.element != ET_F32 or c.readonly:
        return status_new(STATUS_INVALID_ARGUMENT, b"pool2d operands must be rank-4 f32; the accumulator writable")
    if c.shape[0] != x.shape[0] or c.shape[1] != x.shape[1]:
        return shapes_disagree(b"pool2d of %s into %s: the shapes do not agree%s", x, c, NULL)
    j.kh, j.g.kw, j.sh, j.g.sw, j.dh, j.g.dw, j.ph, j.g.pw = p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
    j.h, j.g.w, j.oh, j.ow = x.shape[2], x.shape[3], c.shape[2], c.shape[3]
    j.g.row_step = j.dh * j.g.w
    j.g.is_max = combiner == RC_MAXIMUMF
    j.g.fresh = p[8] != 0
    j.g.isa = lite_isa()
    j.c = <float*>c.data
    j.x = <const float*>x.data
    j.run = run
    if c.count == 0:
        return NULL
    items = c.shape[0] * c.shape[1] * j.oh   # output rows
    # Points to fold, in double: the count times the window may pass int64.
    workers = pool_size(ctx.pool) if ctx.pool != NULL and <double>c.count * j.kh * j.g.kw > ctx.inline_elements else 1
    cdef int64_t t0 = trace_op_begin(ctx.trace, &j.trace, &j.trace_id)
    if workers > 1:
        pool_parallel_for(ctx.pool, items, max(<int64_t>1, items // (16 * workers)), pool_range, &j)
    else:
        pool_range(&j, 0, items, 0)
    if j.trace != NULL:
        trace_record(j.trace, TRACE_OP, t0, now_ns(), 4, items, c.count * j.kh * j.g.kw, j.trace_id)
    return run_check(run)
