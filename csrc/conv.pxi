# Direct 2-D convolutions (buffer.conv2d): NCHW input, [filters][channels]
# [kh][kw] filter, groups; f32. No padded copy, and no im2col buffer but
# where the filters are split (below): each worker packs the input windows
# of a group of panels of output pixels (a panel is a tile's width, 16
# f32; a group up to 16 panels) for one block
# of k (channel, kh, kw in order) straight from the input, row by row
# across the group's panels, reading zero outside the input (the folded
# padding); then runs the matmul micro-kernel (matmul_tile, with the filter
# as A) for each tile of its filters over all of the group's panels, so a
# tile's filter rows are read from memory once per group, not per panel.
# Where the filters are split among the workers too (few panels), the
# workers first pack the whole window matrix together, once, into storage
# of the calling thread, and every chunk of filters reads it (but for
# pointwise layers, whose packing is a copy of input rows).
# Each output element still sums its k products in order from the
# accumulator's value, each product and sum rounded to f32 (no fused
# multiply-add), so results are those of the im2col matrix product bit for
# bit.
#
# buffer.conv2d.dispatch gives the convolution an epilogue (a tile kernel:
# bias, BatchNorm, ReLU, residual add) that each worker runs on the output
# rows of the group it has just finished, while they are in cache, instead
# of a second pass over the output after the whole convolution.

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
    float* lite_conv_blocks(size_t bytes)
    float* lite_conv_shared(size_t bytes)
    void lite_conv_pack_f32(float* block, int64_t kc, const float* planes, int64_t h, int64_t w, int64_t kh,
                            int64_t kw, int64_t sw, int64_t dh, int64_t dw, int64_t k0, const conv_runs_t* runs,
                            int64_t panels)
    void lite_conv_pack_f32_avx2(float* block, int64_t kc, const float* planes, int64_t h, int64_t w, int64_t kh,
                                 int64_t kw, int64_t sw, int64_t dh, int64_t dw, int64_t k0, const conv_runs_t* runs,
                                 int64_t panels)


cdef enum:
    CONV_NR = LITE_MM_ROW_BYTES // 4     # output pixels per panel (f32 lanes of a tile row)
    CONV_GROUP_PANELS = 16               # panels packed at once (a group) for blocks of LITE_MM_KC rows
    CONV_BLOCKS_BYTES = LITE_MM_KC * CONV_NR * CONV_GROUP_PANELS * 4   # a group's packed blocks
    CONV_GROUP_PANELS_MOST = 64          # panels in a group of blocks of fewer rows, at most
    CONV_ITEM_OUTPUT_BYTES = 262144      # an item's output rows, at most, where its epilogue reads them in cache
    CONV_CHUNK_ROWS = 64                 # filters per work item at least, when groups are too few
    CONV_EPILOGUE_MIN_PANELS = 8         # fewer at once, and the epilogue's start-up per row costs more than it saves
    # An item's epilogue starts up once per filter row (about 115 ns here,
    # its kernel's ops over a short span), as long as one panel's sums of
    # products over this many k (each 16 pixels times k, ~0.03 ns a product).
    CONV_EPILOGUE_ROW_K = 240
    CONV_SHARED_BYTES = 8 << 20          # a window matrix packed once for all filter chunks, at most


ctypedef struct conv_job_t:
    float* c               # [n][groups * filters][oh * ow]
    const float* x         # [n][groups * channels][h][w]
    const float* w         # [groups * filters][channels * kh * kw]
    int64_t groups, channels, filters, h, w_, kh, kw, oh, ow
    int64_t sh, sw, dh, dw, ph, pw
    int64_t panels, group_panels, panel_groups, chunk_rows, chunks   # work item = (image, group, chunk, panel group)
    float* packed          # every unit's packed blocks (conv_packed_block), or NULL: each item packs its own
    int64_t k_blocks       # blocks of LITE_MM_KC rows of k, each unit's packed in turn
    int mr
    int pack_isa           # LITE_ISA_AVX512 or _AVX2: pack with masked loads or gathers; else scalar
    int out_of_memory      # set by a worker that got no storage for its blocks
    bint pointwise         # 1x1, unit stride, no padding, the input's size: a panel's pixels are consecutive inputs
    bint fresh             # each sum starts from +0.0, not from c's old value
    job_t* epilogue        # the kernel run on finished output rows, or NULL
    trace_t* trace         # --trace: the context's trace or NULL, and this op's id in it
    int64_t trace_id
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


cdef inline void conv_pack(float* blocks, const conv_job_t* j, const conv_runs_t* runs, int64_t panels,
                           const float* plane0, int64_t pix0, int64_t cols, int64_t k0, int64_t kc) noexcept nogil:
    """Rows k0 .. k0+kc-1 of the window matrix for the output pixels
    pix0 .. pix0+cols-1 of `panels` panels (`runs[p]`) into `blocks` (panel
    p's kc rows of CONV_NR at p*kc*CONV_NR), zero outside the input and
    past the last pixel."""
    cdef int64_t taps = j.kh * j.kw, kk, ch, ky, kx, p, n
    cdef const float* row
    cdef float* dst
    if j.pointwise:   # row kk is channel k0+kk's pixels pix0..: copies, one pass along the input
        for kk in range(kc):
            row = plane0 + (k0 + kk) * j.h * j.w_ + pix0
            for p in range(panels):
                dst = blocks + (p * kc + kk) * CONV_NR
                n = min(<int64_t>CONV_NR, cols - p * CONV_NR)
                if n == CONV_NR:
                    memcpy(dst, row + p * CONV_NR, CONV_NR * sizeof(float))
                else:
                    memcpy(dst, row + p * CONV_NR, n * sizeof(float))
                    memset(dst + n, 0, (CONV_NR - n) * sizeof(float))
        return
    if j.pack_isa == LITE_ISA_AVX512:
        lite_conv_pack_f32(blocks, kc, plane0, j.h, j.w_, j.kh, j.kw, j.sw, j.dh, j.dw, k0, runs, panels)
        return
    if j.pack_isa == LITE_ISA_AVX2:
        lite_conv_pack_f32_avx2(blocks, kc, plane0, j.h, j.w_, j.kh, j.kw, j.sw, j.dh, j.dw, k0, runs, panels)
        return
    ch = k0 // taps
    ky = k0 % taps // j.kw
    kx = k0 % j.kw
    for kk in range(kc):
        for p in range(panels):
            conv_pack_row(blocks + (p * kc + kk) * CONV_NR, j, &runs[p], plane0 + ch * j.h * j.w_,
                          min(<int64_t>CONV_NR, cols - p * CONV_NR), ky * j.dh, kx * j.dw)
        kx += 1   # the next k: (channel, ky, kx) in order
        if kx == j.kw:
            kx = 0
            ky += 1
            if ky == j.kh:
                ky = 0
                ch += 1


cdef inline void conv_pack_row(float* dst, const conv_job_t* j, const conv_runs_t* runs, const float* plane,
                               int64_t cols, int64_t dy, int64_t dx) noexcept nogil:
    """One row of a panel's block, as lite_conv_pack_f32 packs them, in scalar code for any column stride."""
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


cdef inline int64_t conv_group_pixels(const conv_job_t* j, int64_t panel_group, int64_t* pix0,
                                      int64_t* pix1) noexcept nogil:
    """A panel group's first and past-last output pixels; its panel count."""
    cdef int64_t panel0 = panel_group * j.group_panels, panels = min(j.group_panels, j.panels - panel0)
    pix0[0] = panel0 * CONV_NR
    pix1[0] = min(j.oh * j.ow, pix0[0] + panels * CONV_NR)
    return panels


cdef inline void conv_group_runs(const conv_job_t* j, conv_runs_t* runs, int64_t panels, int64_t pix0,
                                 int64_t pix1) noexcept nogil:
    """The runs of each of a group's panels, for packing them."""
    cdef int64_t p
    for p in range(panels):
        conv_panel_runs(&runs[p], j, pix0 + p * CONV_NR, min(<int64_t>CONV_NR, pix1 - pix0 - p * CONV_NR))


cdef inline float* conv_packed_block(const conv_job_t* j, int64_t unit, int64_t k0) noexcept nogil:
    """Unit (image * groups + group) * panel_groups + panel group's block of
    k rows from k0 in j.packed: its panels' kc rows of CONV_NR each, as
    conv_pack writes them."""
    return j.packed + (unit * j.channels * j.kh * j.kw + k0) * j.group_panels * CONV_NR


cdef void conv_pack_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """Items begin .. end-1 of packing j.packed: item = (unit, k block)."""
    cdef conv_job_t* j = <conv_job_t*>arg
    cdef int64_t k = j.channels * j.kh * j.kw, item, unit, k0, panels, pix0, pix1
    cdef conv_runs_t runs[CONV_GROUP_PANELS_MOST]
    for item in range(begin, end):
        if run_stop_code(j.run) != 0:
            return
        unit = item // j.k_blocks
        k0 = item % j.k_blocks * LITE_MM_KC
        panels = conv_group_pixels(j, unit % j.panel_groups, &pix0, &pix1)
        conv_group_runs(j, runs, panels, pix0, pix1)
        conv_pack(conv_packed_block(j, unit, k0), j, runs, panels,
                  j.x + unit // j.panel_groups * j.channels * j.h * j.w_, pix0, pix1 - pix0, k0,
                  min(<int64_t>LITE_MM_KC, k - k0))


cdef void conv_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """Work items begin .. end-1: for each, every k block of its panel group
    is packed once (or read from j.packed), then each tile of its filters
    runs over all of the group's panels (the tile's filter rows stay in
    cache across them)."""
    cdef conv_job_t* j = <conv_job_t*>arg
    cdef int64_t k = j.channels * j.kh * j.kw, pixels = j.oh * j.ow, item, rest, chunk, image_group
    cdef int64_t panels, p, pix0, pix1, f0, f1, f, k0, kc, col, kk, unit
    cdef float* blocks = j.packed if j.packed != NULL else lite_conv_blocks(CONV_BLOCKS_BYTES)
    cdef float edge[LITE_MM_MR_WIDE * CONV_NR]
    cdef conv_runs_t runs[CONV_GROUP_PANELS_MOST]
    cdef float acc, a
    cdef bint zero
    cdef float* ct
    cdef float* crow
    cdef const float* plane0
    cdef const float* wrow
    cdef const float* block
    cdef char* scratch = NULL
    cdef int64_t t0 = now_ns() if j.trace != NULL else 0
    if blocks == NULL:
        lite_store_release_int(&j.out_of_memory, 1)
        return
    if j.epilogue != NULL:
        scratch = job_scratch(j.epilogue)
        if scratch == NULL:
            return
    for item in range(begin, end):   # panel groups innermost: a range holds consecutive pixels
        rest = item // j.panel_groups
        chunk = rest % j.chunks
        image_group = rest // j.chunks            # image * groups + group
        unit = image_group * j.panel_groups + item % j.panel_groups
        panels = conv_group_pixels(j, item % j.panel_groups, &pix0, &pix1)
        if j.packed == NULL:
            conv_group_runs(j, runs, panels, pix0, pix1)
        f0 = chunk * j.chunk_rows
        f1 = min(j.filters, f0 + j.chunk_rows)
        plane0 = j.x + image_group * j.channels * j.h * j.w_
        # Rows of C and of the filter: group g's filters f0.. (image n); C from the group's first pixel.
        ct = j.c + (image_group * j.filters + f0) * pixels + pix0
        wrow = j.w + ((image_group % j.groups) * j.filters + f0) * k
        k0 = 0
        while k0 < k:
            if run_stop_code(j.run) != 0:   # the call must stop: leave the rest undone
                return
            kc = min(<int64_t>LITE_MM_KC, k - k0)
            zero = k0 == 0 and j.fresh   # the sums start from +0.0: c's old contents are never read
            if j.packed != NULL:
                blocks = conv_packed_block(j, unit, k0)
            else:
                conv_pack(blocks, j, runs, panels, plane0, pix0, pix1 - pix0, k0, kc)
            f = f0
            while f + j.mr <= f1:
                for p in range(panels):
                    matmul_tile_cols(j.mr, ct + (f - f0) * pixels + p * CONV_NR, pixels, wrow + (f - f0) * k + k0,
                                     k, blocks + p * kc * CONV_NR, kc,
                                     min(<int64_t>CONV_NR, pix1 - pix0 - p * CONV_NR), edge, zero)
                f += j.mr
            while f < f1:   # filters below a whole tile: the plain loop, k in order
                crow = ct + (f - f0) * pixels
                for col in range(pix1 - pix0):
                    block = blocks + col // CONV_NR * kc * CONV_NR + col % CONV_NR
                    acc = 0 if zero else crow[col]
                    for kk in range(kc):
                        a = wrow[(f - f0) * k + k0 + kk] * block[kk * CONV_NR]
                        acc = acc + a
                    crow[col] = acc
                f += 1
            k0 += kc
        if j.epilogue != NULL:   # this item's rows are done: the epilogue on them while they are in cache
            conv_epilogue(j, image_group, f0, f1, pix0, pix1, scratch)
    trace_rows(j.trace, t0, begin, end, j.trace_id)


cdef void conv_epilogue(const conv_job_t* j, int64_t image_group, int64_t f0, int64_t f1, int64_t pix0,
                        int64_t pix1, char* scratch) noexcept nogil:
    """Run the epilogue kernel over pixels pix0 .. pix1-1 of filter rows
    f0 .. f1-1 of one image and group, whose sums are done: each row's
    pixels are consecutive elements of c (and of every binding the kernel
    reads element by element)."""
    cdef int64_t pixels = j.oh * j.ow, f, start
    for f in range(f0, f1):
        start = (image_group * j.filters + f) * pixels + pix0
        epilogue_span(j.epilogue, start, start + pix1 - pix0, scratch)


cdef int64_t conv_group_panels(int64_t panels, int64_t planes, int64_t workers, int64_t most,
                               double item_panels) noexcept nogil:
    """Panels per group, from `most` down to the epilogue's least, for
    `planes` images times groups of `panels` panels on `workers`, each group
    also costing `item_panels` panels' work (its epilogue's start-ups): the
    size that gives the busiest worker the least work (the larger of equals:
    fewer packs). 196 panels (56x56 pixels) on 2 workers, no epilogue: 18
    groups of 11 (99 panels each at most), not 17 of 12 (108)."""
    cdef int64_t size = most, best = most
    cdef double load, best_load = -1
    while size >= min(<int64_t>CONV_EPILOGUE_MIN_PANELS, most):
        load = <double>((planes * ((panels + size - 1) // size) + workers - 1) // workers) * (size + item_panels)
        if best_load < 0 or load < best_load:
            best, best_load = size, load
        size -= 1
    return best


cdef lite_status* run_conv2d(ctx_t* ctx, const run_t* run, ref_t rc, ref_t rx, ref_t rw,
                             const int64_t* window, job_t* epilogue) noexcept nogil:
    """The convolution into rc; with an `epilogue` (bound over rc's elements,
    epilogue_fits), also that kernel on its output rows as they are done."""
    cdef conv_job_t j
    cdef buffer_t* c
    cdef buffer_t* x
    cdef buffer_t* w
    cdef const int64_t* p = window   # sh, sw, dh, dw, ph, pw, groups, fresh (verified)
    cdef int64_t images, units, items, k, workers, grain
    cdef bint in_cache
    cdef job_t* after = NULL   # an epilogue run after the whole convolution
    if rc.kind != REF_BUFFER or rx.kind != REF_BUFFER or rw.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"conv2d operand is not a buffer")
    c = <buffer_t*>rc.ptr
    x = <buffer_t*>rx.ptr
    w = <buffer_t*>rw.ptr
    if c.rank != 4 or x.rank != 4 or w.rank != 4 or c.element != ET_F32 or x.element != ET_F32 \
            or w.element != ET_F32 or c.readonly:
        return status_new(STATUS_INVALID_ARGUMENT, b"conv2d operands must be rank-4 f32; the accumulator writable")
    j.sh, j.sw, j.dh, j.dw, j.ph, j.pw, j.groups, j.fresh = p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7] != 0
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
    # Masked loads or gathers, whose lanes' columns (-pw .. (ow - 1) * sw + (kw - 1) * dw, +- 15 * sw)
    # and width are 32-bit ints; else scalar. (Strides, dilations and padding are at most 2^20: verified.)
    j.pack_isa = lite_isa() if j.w_ + j.pw + (j.ow + CONV_NR) * j.sw + j.kw * j.dw < (1 << 30) else LITE_ISA_SSE2
    j.pointwise = j.kh == 1 and j.kw == 1 and j.sh == 1 and j.sw == 1 and j.ph == 0 and j.pw == 0 \
        and j.oh == j.h and j.ow == j.w_
    j.out_of_memory = 0
    j.panels = (j.oh * j.ow + CONV_NR - 1) // CONV_NR
    k = j.channels * j.kh * j.kw
    if c.count == 0:
        return NULL
    if k == 0:   # nothing to add: a fresh sum is +0.0
        if j.fresh:
            memset(c.data, 0, c.count * sizeof(float))
        epilogue_after(ctx, run, epilogue, False)
        return run_check(run)
    # Products to compute, in double: the count times k may pass int64.
    workers = pool_size(ctx.pool) if ctx.pool != NULL and <double>c.count * k > ctx.inline_elements else 1
    # Groups of panels, of even size: smaller (down to the epilogue's least)
    # where that gives each worker several, in a count that shares out
    # evenly (conv_group_panels); then, if they are still too few, the
    # filters split too, in chunks of whole tiles: about two items per
    # worker (groups of unequal panels then share out evenly), but one
    # where all the pixels are one group (its items cost alike), or as many
    # as make the items share out evenly where the filters allow. Each
    # chunk packs its group again unless the windows are packed once
    # (below): the 7x7 layers' packs of 4608 rows were as costly as 64
    # filters' sums, and two items per worker there did 1.4x one worker's
    # work; never on one worker. Small ranges of items keep
    # the workers' shares within a few percent of each other.
    # Where the epilogue runs on each item's rows (below), its start-up per
    # row weighs against smaller groups (on 2 workers, groups of 8 or 9
    # started SqueezeNet's 55x55 epilogues, k = 16 to 144, 1.8x as often as
    # groups of 16 and took 10-50% more thread time than one worker), and
    # for larger ones where k is small: as many panels as the blocks hold,
    # up to 64, their output in cache; on several workers, 4 groups each at
    # least, so that one the machine slows can hand on its last.
    in_cache = epilogue != NULL and images * j.groups * j.panels >= 8 * CONV_EPILOGUE_MIN_PANELS * workers
    j.group_panels = min(<int64_t>CONV_GROUP_PANELS, j.panels)
    if in_cache:
        j.group_panels = min(j.panels, max(j.group_panels, min(
            <int64_t>CONV_GROUP_PANELS_MOST, CONV_BLOCKS_BYTES // (min(k, <int64_t>LITE_MM_KC) * CONV_NR * 4),
            CONV_ITEM_OUTPUT_BYTES // (j.filters * CONV_NR * 4))))
    if workers > 1:
        j.group_panels = conv_group_panels(
            j.panels, images * j.groups, workers,
            min(j.group_panels, max(<int64_t>(CONV_GROUP_PANELS if in_cache else CONV_EPILOGUE_MIN_PANELS),
                                    images * j.groups * j.panels // ((4 if in_cache else 8) * workers))),
            <double>CONV_EPILOGUE_ROW_K / k if in_cache else 0)
    j.panel_groups = (j.panels + j.group_panels - 1) // j.group_panels
    j.group_panels = (j.panels + j.panel_groups - 1) // j.panel_groups
    j.panel_groups = (j.panels + j.group_panels - 1) // j.group_panels   # none left empty
    units = images * j.groups * j.panel_groups
    j.chunks = 1
    if workers > 1 and units < 8 * workers:
        j.chunks = max(<int64_t>1, min(j.filters // CONV_CHUNK_ROWS,
                                       workers if units == 1 else (2 * workers + units - 1) // units))
        while units * j.chunks % workers != 0 and (j.chunks + 1) * CONV_CHUNK_ROWS <= j.filters:
            j.chunks += 1
    j.chunk_rows = ((j.filters + j.chunks - 1) // j.chunks + j.mr - 1) // j.mr * j.mr
    j.chunks = (j.filters + j.chunk_rows - 1) // j.chunk_rows
    items = units * j.chunks
    grain = max(<int64_t>1, items // (16 * workers))
    # Filters split in chunks: the workers first pack the whole window
    # matrix once, together, where it fits, instead of each chunk packing
    # its group again (the 28x28 layers' 3x3 convolutions on 2 workers did
    # 1.2-1.3x one worker's work so). Without the storage, each packs its own.
    # Not pointwise: its packing is a copy of input rows, and reading half of
    # a shared copy from the other core's cache saved nothing (SqueezeNet's
    # 2-worker calls 1.2% faster without, ResNet-50's the same).
    j.packed = NULL
    j.k_blocks = (k + LITE_MM_KC - 1) // LITE_MM_KC
    if j.chunks > 1 and not j.pointwise \
            and <double>units * k * j.group_panels * CONV_NR * sizeof(float) <= CONV_SHARED_BYTES:
        j.packed = lite_conv_shared(CONV_SHARED_BYTES)
    # The epilogue runs on each item's rows once they are done, where its
    # groups have enough panels and each worker takes groups several times
    # over; else after the whole convolution.
    j.epilogue = epilogue
    if epilogue != NULL and (j.group_panels < CONV_EPILOGUE_MIN_PANELS or not in_cache):
        j.epilogue = NULL
        after = epilogue
    if j.epilogue != NULL:
        atomic_fetch_add64(&ctx.epilogues_in_cache, 1)
    cdef int64_t t0 = trace_op_begin(ctx.trace, &j.trace, &j.trace_id)
    if workers > 1:
        if j.packed != NULL:
            atomic_fetch_add64(&ctx.windows_packed_once, 1)
            pool_parallel_for(ctx.pool, units * j.k_blocks, 1, conv_pack_range, &j)
        pool_parallel_for(ctx.pool, items, grain, conv_range, &j)
    else:
        conv_range(&j, 0, items, 0)
    if j.trace != NULL:   # its work items as rows, and its products (output elements times k)
        trace_record(j.trace, TRACE_OP, t0, now_ns(), 3, items, c.count * k, j.trace_id)
    if lite_load_acquire_int(&j.out_of_memory):
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory for convolution blocks")
    epilogue_after(ctx, run, after, workers > 1)
    return run_check(run)


cdef lite_status* op_conv2d_dispatch(ctx_t* ctx, const run_t* run, frame_t* fr, const uint32_t* ip) noexcept nogil:
    """buffer.conv2d.dispatch (run_with_epilogue)."""
    return run_with_epilogue(ctx, run, fr, EPILOGUE_OF_CONV2D, fr.R[BUFFER_CONV2D_DISPATCH_acc(ip)],
                             fr.R[BUFFER_CONV2D_DISPATCH_input(ip)], fr.R[BUFFER_CONV2D_DISPATCH_filter(ip)],
                             <const int64_t*>fr.m.constants[BUFFER_CONV2D_DISPATCH_window(ip)].buffer.data,
                             &fr.m.kernels[BUFFER_CONV2D_DISPATCH_kernel(ip)], BUFFER_CONV2D_DISPATCH_bind_r(ip))
