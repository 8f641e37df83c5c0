# 2-D poolings (buffer.pool2d): NCHW f32, the accumulator folded with each
# window's points in row-major order by maximumf or addf. Workers take output
# rows; along a row the fold runs element-wise over the outputs for one
# window point at a time (or over the points for one output at a time, when
# the window is wider than the row: a global pooling), so every output
# still folds its points in order: the reference's bits, without an index
# gathered per element and point.

cdef extern from "lite_pool.h" nogil:
    void lite_pool_row_f32(float* out, const float* row, int64_t n, int64_t sw, int64_t readable, int is_max)


ctypedef struct pool_job_t:
    float* c                 # [planes][oh][ow]
    const float* x           # [planes][h][w]
    int64_t x_count          # its elements
    int64_t h, w, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw
    int combiner             # RC_MAXIMUMF or RC_ADDF
    trace_t* trace           # --trace: the context's trace or NULL, and this op's id in it
    int64_t trace_id
    const run_t* run


cdef inline void pool_add_padding(float* out, int64_t lo, int64_t hi) noexcept nogil:
    """Points outside the input, for addf: +0.0 (which turns -0 into +0)."""
    cdef int64_t t
    for t in range(lo, hi):
        out[t] = out[t] + <float>0


cdef inline float pool_fold_point_row(bint is_max, float acc, const float* row, int64_t kw, int64_t dw) noexcept nogil:
    """acc folded with row[0], row[dw], ... (kw points) in order."""
    cdef int64_t kx
    if is_max:
        for kx in range(kw):
            acc = maximumf(acc, row[kx * dw])
    else:
        for kx in range(kw):
            acc = acc + row[kx * dw]
    return acc


cdef void pool_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    cdef pool_job_t* j = <pool_job_t*>arg
    cdef int64_t h = j.h, w = j.w, oh = j.oh, ow = j.ow, kh = j.kh, kw = j.kw, sh = j.sh, sw = j.sw
    cdef int64_t dh = j.dh, dw = j.dw, ph = j.ph, pw = j.pw
    cdef bint is_max = j.combiner == RC_MAXIMUMF
    cdef int64_t item, plane, y, ky, kx, iy, t, x0, lo, hi
    cdef float* out
    cdef const float* row
    cdef const float* first
    # Every point of every output of a row reads inside the input's width, and
    # the window is wider than the row (a global pooling): each output's points in turn.
    cdef bint per_output = pw == 0 and (ow - 1) * sw + (kw - 1) * dw < w and kw > ow
    cdef int64_t t0 = now_ns() if j.trace != NULL else 0
    for item in range(begin, end):
        if item % 64 == 0 and run_stop_code(j.run) != 0:   # the call must stop: leave the rest undone
            return
        plane = item // oh
        y = item % oh
        out = j.c + item * ow
        for ky in range(kh):
            iy = y * sh + ky * dh - ph
            if iy < 0 or iy >= h:   # a window row wholly outside the input
                if not is_max:
                    for kx in range(kw):
                        pool_add_padding(out, 0, ow)
                continue
            row = j.x + (plane * h + iy) * w
            if per_output:
                for t in range(ow):
                    out[t] = pool_fold_point_row(is_max, out[t], row + t * sw, kw, dw)
                continue
            for kx in range(kw):
                # Outputs t in [lo, hi) read inside the row: 0 <= x0 + t*sw < w.
                x0 = kx * dw - pw
                lo = 0 if x0 >= 0 else min(ow, (-x0 + sw - 1) // sw)
                hi = max(lo, 0 if x0 >= w else min(ow, (w - 1 - x0) // sw + 1))
                if not is_max:   # (-inf, the padding, changes no maximum)
                    pool_add_padding(out, 0, lo)
                    pool_add_padding(out, hi, ow)
                if hi > lo:
                    first = row + x0 + lo * sw
                    lite_pool_row_f32(out + lo, first, hi - lo, sw, j.x_count - (first - j.x), is_max)
    trace_rows(j.trace, t0, begin, end, j.trace_id)


cdef lite_status* run_pool2d(ctx_t* ctx, const run_t* run, ref_t rc, ref_t rx, const int64_t* window,
                             int combiner) noexcept nogil:
    cdef pool_job_t j
    cdef buffer_t* c
    cdef buffer_t* x
    cdef const int64_t* p = window   # kh, kw, sh, sw, dh, dw, ph, pw (verified)
    cdef int64_t items, workers
    if rc.kind != REF_BUFFER or rx.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"pool2d operand is not a buffer")
    c = <buffer_t*>rc.ptr
    x = <buffer_t*>rx.ptr
    if c.rank != 4 or x.rank != 4 or c.element != ET_F32 or x.element != ET_F32 or c.readonly:
        return status_new(STATUS_INVALID_ARGUMENT, b"pool2d operands must be rank-4 f32; the accumulator writable")
    if c.shape[0] != x.shape[0] or c.shape[1] != x.shape[1]:
        return shapes_disagree(b"pool2d of %s into %s: the shapes do not agree%s", x, c, NULL)
    j.kh, j.kw, j.sh, j.sw, j.dh, j.dw, j.ph, j.pw = p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
    j.h, j.w, j.oh, j.ow = x.shape[2], x.shape[3], c.shape[2], c.shape[3]
    j.c = <float*>c.data
    j.x = <const float*>x.data
    j.x_count = x.count
    j.combiner = combiner
    j.run = run
    if c.count == 0:
        return NULL
    items = c.shape[0] * c.shape[1] * j.oh   # output rows
    # Points to fold, in double: the count times the window may pass int64.
    workers = pool_size(ctx.pool) if ctx.pool != NULL and <double>c.count * j.kh * j.kw > ctx.inline_elements else 1
    cdef int64_t t0 = trace_op_begin(ctx.trace, &j.trace, &j.trace_id)
    if workers > 1:
        pool_parallel_for(ctx.pool, items, max(<int64_t>1, items // (16 * workers)), pool_range, &j)
    else:
        pool_range(&j, 0, items, 0)
    if j.trace != NULL:
        trace_record(j.trace, TRACE_OP, t0, now_ns(), 4, items, c.count * j.kh * j.kw, j.trace_id)
    return run_check(run)
