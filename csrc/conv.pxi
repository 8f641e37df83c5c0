# Direct 2-D convolutions (buffer.conv2d): NCHW input, [filters][channels]
# [kh][kw] filter, groups; f32. No im2col buffer and no padded copy: each
# worker packs the input windows of one panel of output pixels (a tile's
# width, 16 f32) for one block of k (channel, kh, kw in order) straight from
# the input into an L1-sized block, reading zero outside the input (the
# folded padding), and runs the matmul micro-kernel (matmul_tile, with the
# filter as A) over it for its rows of filters. Each output element still
# sums its k products in order from the accumulator's value, each product
# and sum rounded to f32 (no fused multiply-add), so results are those of
# the im2col matrix product bit for bit.

cdef extern from "lite_conv.h" nogil:
    ctypedef struct conv_runs_t "lite_conv_runs":
        # A panel's output pixels in runs of one output row each: run r
        # covers columns col[r] .. col[r]+len[r]-1, whose first pixel reads
        # input row y0[r] + ky*dh and column x0[r] + kx*dw (before bounds).
        int64_t count
        int64_t col[16]
        int64_t len[16]
        int64_t y0[16]
        int64_t x0[16]
    void lite_conv_pack_f32(float* block, int64_t kc, const float* planes, int64_t h, int64_t w, int64_t kh,
                            int64_t kw, int64_t dh, int64_t dw, int64_t k0, const conv_runs_t* runs)


cdef enum:
    CONV_NR = LITE_MM_ROW_BYTES // 4     # output pixels per panel (f32 lanes of a tile row)
    CONV_CHUNK_ROWS = 64                 # filters per work item at least, when panels are too few


ctypedef struct conv_job_t:
    float* c               # [n][groups * filters][oh * ow]
    const float* x         # [n][groups * channels][h][w]
    const float* w         # [groups * filters][channels * kh * kw]
    int64_t groups, channels, filters, h, w_, kh, kw, oh, ow
    int64_t sh, sw, dh, dw, ph, pw
    int64_t panels, chunk_rows, chunks    # work item = (image, group, panel, chunk of filters)
    int mr
    bint masked_rows       # pack with lite_conv_pack_f32 (AVX-512, unit column stride)
    const run_t* run


cdef inline void conv_panel_runs(conv_runs_t* runs, const conv_job_t* j, int64_t pix0, int64_t cols) noexcept nogil:
    cdef int64_t col = 0, oy, ox, n
    runs.count = 0
    while col < cols:
        oy = (pix0 + col) // j.ow
        ox = (pix0 + col) % j.ow
        n = min(cols - col, j.ow - ox)
        runs.col[runs.count] = col
        runs.len[runs.count] = n
        runs.y0[runs.count] = oy * j.sh - j.ph
        runs.x0[runs.count] = ox * j.sw - j.pw
        runs.count += 1
        col += n


cdef inline void conv_pack(float* block, const conv_job_t* j, const conv_runs_t* runs, const float* plane0,
                           int64_t cols, int64_t k0, int64_t kc) noexcept nogil:
    """Rows k0 .. k0+kc-1 of the window matrix for a panel's output pixels
    (`runs`, `cols` of them) into `block` (kc rows of CONV_NR), zero
    outside the input and past column `cols`."""
    cdef int64_t taps = j.kh * j.kw, kk, ch, ky, kx
    if j.masked_rows:
        lite_conv_pack_f32(block, kc, plane0, j.h, j.w_, j.kh, j.kw, j.dh, j.dw, k0, runs)
        return
    ch = k0 // taps
    ky = k0 % taps // j.kw
    kx = k0 % j.kw
    for kk in range(kc):
        conv_pack_row(block + kk * CONV_NR, j, runs, plane0 + ch * j.h * j.w_, cols, ky * j.dh, kx * j.dw)
        kx += 1   # the next k: (channel, ky, kx) in order
        if kx == j.kw:
            kx = 0
            ky += 1
            if ky == j.kh:
                ky = 0
                ch += 1


cdef inline void conv_pack_row(float* dst, const conv_job_t* j, const conv_runs_t* runs, const float* plane,
                               int64_t cols, int64_t dy, int64_t dx) noexcept nogil:
    """One row of the block, as lite_conv_pack_f32 packs them, in scalar code for any column stride."""
    cdef int64_t r, iy, ix0, lo, hi, t, n
    cdef const float* row
    cdef float* out
    for r in range(runs.count):
        n = runs.len[r]
        iy = runs.y0[r] + dy
        ix0 = runs.x0[r] + dx
        # Pixels t in [lo, hi) of the run read inside the input row: 0 <= ix0 + t * sw < w.
        if iy < 0 or iy >= j.h:
            lo = hi = 0
        else:
            lo = 0 if ix0 >= 0 else min(n, (-ix0 + j.sw - 1) // j.sw)
            hi = 0 if ix0 >= j.w_ else min(n, (j.w_ - 1 - ix0) // j.sw + 1)
            hi = max(hi, lo)
        out = dst + runs.col[r]
        row = plane + iy * j.w_ + ix0
        for t in range(lo):
            out[t] = 0
        for t in range(lo, hi):
            out[t] = row[t * j.sw]
        for t in range(hi, n):
            out[t] = 0
    for t in range(cols, CONV_NR):
        dst[t] = 0


cdef void conv_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    cdef conv_job_t* j = <conv_job_t*>arg
    cdef int64_t k = j.channels * j.kh * j.kw, pixels = j.oh * j.ow, item, rest, chunk, panel, image_group
    cdef int64_t pix0, cols, f0, f1, f, k0, kc, q, col, kk
    cdef float block[LITE_MM_KC * CONV_NR]
    cdef float edge[LITE_MM_MR_WIDE * CONV_NR]
    cdef float acc, a
    cdef float* ct
    cdef float* crow
    cdef conv_runs_t runs
    cdef const float* plane0
    cdef const float* wrow
    for item in range(begin, end):
        chunk = item % j.chunks
        rest = item // j.chunks
        panel = rest % j.panels
        image_group = rest // j.panels            # image * groups + group
        pix0 = panel * CONV_NR
        cols = min(<int64_t>CONV_NR, pixels - pix0)
        f0 = chunk * j.chunk_rows
        f1 = min(j.filters, f0 + j.chunk_rows)
        plane0 = j.x + image_group * j.channels * j.h * j.w_
        conv_panel_runs(&runs, j, pix0, cols)
        # Rows of C and of the filter: group g's filters f0.. (image n).
        ct = j.c + (image_group * j.filters + f0) * pixels + pix0
        wrow = j.w + ((image_group % j.groups) * j.filters + f0) * k
        k0 = 0
        while k0 < k:
            if run_stop_code(j.run) != 0:   # the call must stop: leave the rest undone
                return
            kc = min(<int64_t>LITE_MM_KC, k - k0)
            conv_pack(block, j, &runs, plane0, cols, k0, kc)
            f = f0
            while f + j.mr <= f1:
                if cols == CONV_NR:
                    matmul_tile(j.mr, ct + (f - f0) * pixels, pixels, wrow + (f - f0) * k + k0, k, block,
                                CONV_NR, kc)
                else:   # a last, partial panel: on a copy of its part of C
                    for q in range(j.mr):
                        for col in range(CONV_NR):
                            edge[q * CONV_NR + col] = ct[(f - f0 + q) * pixels + col] if col < cols else 0
                    matmul_tile(j.mr, edge, CONV_NR, wrow + (f - f0) * k + k0, k, block, CONV_NR, kc)
                    for q in range(j.mr):
                        for col in range(cols):
                            ct[(f - f0 + q) * pixels + col] = edge[q * CONV_NR + col]
                f += j.mr
            while f < f1:   # filters below a whole tile: the plain loop, k in order
                crow = ct + (f - f0) * pixels
                for col in range(cols):
                    acc = crow[col]
                    for kk in range(kc):
                        a = wrow[(f - f0) * k + k0 + kk] * block[kk * CONV_NR + col]
                        acc = acc + a
                    crow[col] = acc
                f += 1
            k0 += kc


cdef lite_status* run_conv2d(ctx_t* ctx, const run_t* run, ref_t rc, ref_t rx, ref_t rw,
                             const int64_t* window) noexcept nogil:
    cdef conv_job_t j
    cdef buffer_t* c
    cdef buffer_t* x
    cdef buffer_t* w
    cdef const int64_t* p = window   # sh, sw, dh, dw, ph, pw, groups (verified)
    cdef int64_t images, units, items, k, workers
    if rc.kind != REF_BUFFER or rx.kind != REF_BUFFER or rw.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"conv2d operand is not a buffer")
    c = <buffer_t*>rc.ptr
    x = <buffer_t*>rx.ptr
    w = <buffer_t*>rw.ptr
    if c.rank != 4 or x.rank != 4 or w.rank != 4 or c.element != ET_F32 or x.element != ET_F32 \
            or w.element != ET_F32 or c.readonly:
        return status_new(STATUS_INVALID_ARGUMENT, b"conv2d operands must be rank-4 f32; the accumulator writable")
    j.sh, j.sw, j.dh, j.dw, j.ph, j.pw, j.groups = p[0], p[1], p[2], p[3], p[4], p[5], p[6]
    images = x.shape[0]
    j.channels, j.h, j.w_ = w.shape[1], x.shape[2], x.shape[3]
    j.filters = w.shape[0] // j.groups
    j.kh, j.kw, j.oh, j.ow = w.shape[2], w.shape[3], c.shape[2], c.shape[3]
    if (c.shape[0] != images or x.shape[1] != j.groups * j.channels or w.shape[0] % j.groups != 0
            or c.shape[1] != w.shape[0]):
        return shapes_disagree(b"conv2d of %s by %s into %s: the shapes do not agree", x, w, c)
    j.c = <float*>c.data
    j.x = <const float*>x.data
    j.w = <const float*>w.data
    j.run = run
    j.mr = lite_mm_rows()
    j.masked_rows = lite_isa() >= LITE_ISA_AVX512 and j.sw == 1
    j.panels = (j.oh * j.ow + CONV_NR - 1) // CONV_NR
    k = j.channels * j.kh * j.kw
    if c.count == 0 or k == 0:   # nothing to add
        return NULL
    # Products to compute, in double: the count times k may pass int64.
    workers = pool_size(ctx.pool) if ctx.pool != NULL and <double>c.count * k > ctx.inline_elements else 1
    # Too few panels to give each worker several: split the filters too, in
    # chunks of whole tiles (each chunk packs its panel again). Small chunks
    # of items keep the workers' shares within a few percent of each other.
    units = images * j.groups * j.panels
    j.chunks = 1
    if units < 8 * workers:
        j.chunks = max(<int64_t>1, min(j.filters // CONV_CHUNK_ROWS, (8 * workers + units - 1) // units))
    j.chunk_rows = ((j.filters + j.chunks - 1) // j.chunks + j.mr - 1) // j.mr * j.mr
    j.chunks = (j.filters + j.chunk_rows - 1) // j.chunk_rows
    items = units * j.chunks
    if workers > 1:
        pool_parallel_for(ctx.pool, items, max(<int64_t>1, items // (16 * workers)), conv_range, &j)
    else:
        conv_range(&j, 0, items, 0)
    return run_check(run)
