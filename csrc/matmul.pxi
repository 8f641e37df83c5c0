# Matrix products (buffer.matmul), in register tiles (lite_tile.h), spread
# over the worker pool by rows, or by panels of columns where rows are few.

cdef extern from "<stdlib.h>" nogil:
    void* aligned_alloc(size_t alignment, size_t size)


cdef extern from "lite_tile.h" nogil:
    enum:
        LITE_MM_MR_WIDE
        LITE_MM_ROW_BYTES
        LITE_MM_KC
        LITE_MM_BLOCK_DOUBLES
    int lite_mm_rows()
    void lite_mm_tile_f32(int mr, float* c, int64_t ldc, const float* a, int64_t lda, const float* p, int64_t ldp,
                          int64_t kc, int zero)
    void lite_mm_tile_f64(int mr, double* c, int64_t ldc, const double* a, int64_t lda, const double* p,
                          int64_t ldp, int64_t kc, int zero)
    void lite_mm_tile_i32(int mr, int32_t* c, int64_t ldc, const int32_t* a, int64_t lda, const int32_t* p,
                          int64_t ldp, int64_t kc, int zero)
    void lite_mm_tile_i64(int mr, int64_t* c, int64_t ldc, const int64_t* a, int64_t lda, const int64_t* p,
                          int64_t ldp, int64_t kc, int zero)
    enum:
        LITE_ISA_SSE2
        LITE_ISA_AVX2
        LITE_ISA_AVX512
    int lite_isa()
    void lite_set_isa_limit(int limit)
    void lite_f16_axpy(uint16_t* c, float x, const uint16_t* b, int64_t n)


cdef enum:
    # The blocked matmul: C in tiles of mr rows (lite_mm_rows) by one 64-byte
    # row of elements, held in registers over a block of MM_KC steps of k
    # (lite_tile.h), for each panel of B (a tile's width of its columns).
    # Where rows are many, B is packed into panels contiguous in k (by the
    # workers, each block as it is first needed), so that a panel stays in
    # L1 while a worker's rows sweep over it, and workers take chunks of
    # rows (of whole batches, where batches share out evenly); where they
    # are at most MM_FEW_ROWS (a convolution's filters, say), workers take
    # chunks of panels instead, each read once in place by all the rows
    # (only a last partial panel is packed, zero-filled; but see by_panels
    # for a constant B with an epilogue). A module
    # constant's B (weights) is packed once and kept with it
    # (constant_panels), either way. Each element of C still sums its k products in
    # order (a block of k resumes from the partial sum stored in C), so
    # results are the plain loop's.
    MM_KC = LITE_MM_KC
    MM_FEW_ROWS = 128
    # A matvec's rows (too narrow for tiles) summed this many side by side,
    # each its own in-order sum: independent sums hide the latency of the
    # add one sum would wait on.
    MM_DOT_ROWS = 8
    # Products too narrow for tiles (fewer rows than a tile) but with few
    # rows to share out: workers take blocks of this many columns instead,
    # over all the rows (a classifier's 1 x 2048 by 2048 x 1000, say).
    MM_COLUMN_BLOCK = 64
    # Bytes before a constant's packed panels (packed_b_t, padded so that the
    # panels stay 64-byte aligned).
    MM_PACKED_HEADER = 64
    # A block of a panel of B, by rows: no worker has packed it yet; one is
    # packing it; it is packed (matmul_job_t.ready).
    PANEL_UNPACKED = 0
    PANEL_PACKING = 1
    PANEL_PACKED = 2
    # Blocks whose `ready` states fit in the job itself (no allocation per
    # call): a 4-batch attention product's 32, say.
    MM_READY_INLINE = 256


ctypedef struct mm_layout_t:
    # Where the elements of a product's operands are, in elements: A's row i
    # of batch b starts at b * a_batch + i * a_row (its k contiguous), B's
    # element (b, kk, j) is at b * b_batch + kk * b_row + j * b_col, C's
    # row at b * c_batch + i * c_row (its n contiguous). Dense operands have
    # the strides of their shapes (dense_layout); buffer.matmul.strided's
    # name others, a transposed copy's strides (B's b_row may be 1).
    int64_t a_batch, a_row
    int64_t b_batch, b_row, b_col
    int64_t c_batch, c_row


cdef inline void dense_layout(mm_layout_t* l, int64_t m, int64_t k, int64_t n) noexcept nogil:
    l.a_batch, l.a_row = m * k, k
    l.b_batch, l.b_row, l.b_col = k * n, n, 1
    l.c_batch, l.c_row = m * n, n


cdef inline bint dense_c(const mm_layout_t* l, int64_t batches, int64_t m, int64_t n) noexcept nogil:
    """Whether C's rows lie one after the other (as an epilogue over its elements by rows needs)."""
    return l.c_row == n and (batches == 1 or l.c_batch == m * n)


cdef inline void matmul_rows(num* c, const num* a, const num* b, const mm_layout_t* l, int64_t begin, int64_t end,
                             int64_t m, int64_t k, int64_t j0, int64_t j1) noexcept nogil:
    """The plain i-k-j loop over rows [begin, end) of all batches flattened
    (row r is batch r // m), columns [j0, j1): for outputs too narrow for a
    tile, and rows left over below a whole tile."""
    cdef int64_t r, kk, j, bc = l.b_col
    cdef num x
    cdef num* crow
    cdef const num* arow
    cdef const num* brow
    for r in range(begin, end):
        crow = c + r // m * l.c_batch + r % m * l.c_row
        arow = a + r // m * l.a_batch + r % m * l.a_row
        for kk in range(k):
            x = arow[kk]
            brow = b + r // m * l.b_batch + kk * l.b_row
            if bc == 1:   # contiguous, for the compiler's vectors
                for j in range(j0, j1):
                    crow[j] = crow[j] + x * brow[j]
            else:
                for j in range(j0, j1):
                    crow[j] = crow[j] + x * brow[j * bc]


cdef inline void matvec_rows(num* c, const num* a, const num* b, const mm_layout_t* l, int64_t begin, int64_t end,
                             int64_t m, int64_t k) noexcept nogil:
    """matmul_rows for one column (n = 1): MM_DOT_ROWS rows of a batch at a time."""
    cdef num acc[MM_DOT_ROWS]
    cdef const num* arow[MM_DOT_ROWS]
    cdef int64_t r = begin, seg_end, q, kk
    cdef const num* bb
    cdef num x
    while r < end:
        seg_end = min(end, (r // m + 1) * m)
        bb = b + (r // m) * l.b_batch
        while r + MM_DOT_ROWS <= seg_end:
            for q in range(MM_DOT_ROWS):
                acc[q] = c[r // m * l.c_batch + (r + q) % m * l.c_row]
                arow[q] = a + r // m * l.a_batch + (r + q) % m * l.a_row
            for kk in range(k):
                x = bb[kk * l.b_row]
                for q in range(MM_DOT_ROWS):
                    acc[q] = acc[q] + arow[q][kk] * x
            for q in range(MM_DOT_ROWS):
                c[r // m * l.c_batch + (r + q) % m * l.c_row] = acc[q]
            r += MM_DOT_ROWS
        matmul_rows(c, a, b, l, r, seg_end, m, k, 0, 1)
        r = seg_end


cdef inline void pack_panel(num* dst, const num* src, int64_t w, int64_t k, int64_t rs, int64_t cs) noexcept nogil:
    """k rows of `w` columns of B (row stride rs, column stride cs) from
    `src` into `dst` as k rows of nr, zero past column w (those lanes are
    computed, never stored)."""
    cdef int64_t nr = LITE_MM_ROW_BYTES // sizeof(num)    # columns per panel
    cdef int64_t kk, j
    if cs == 1:
        for kk in range(k):
            for j in range(w):
                dst[kk * nr + j] = src[kk * rs + j]
            for j in range(w, nr):
                dst[kk * nr + j] = 0
        return
    for kk in range(k):   # zero first: then each column along k, reading a transposed B in order
        for j in range(w, nr):
            dst[kk * nr + j] = 0
    for j in range(w):
        for kk in range(k):
            dst[kk * nr + j] = src[kk * rs + j * cs]


cdef inline void pack_panels(num* packed, const num* b, const mm_layout_t* l, int64_t begin, int64_t end,
                             int64_t k, int64_t n) noexcept nogil:
    """Panels [begin, end) of B (all batches, each k x n) into `packed`:
    panel p = batch * panels + q holds columns q*nr.. of that batch."""
    cdef int64_t nr = LITE_MM_ROW_BYTES // sizeof(num)
    cdef int64_t panels = (n + nr - 1) // nr
    cdef int64_t p, q
    for p in range(begin, end):
        q = p % panels
        pack_panel(packed + p * k * nr, b + (p // panels) * l.b_batch + q * nr * l.b_col, min(nr, n - q * nr), k,
                   l.b_row, l.b_col)


cdef inline void matmul_tile(int mr, num* c, int64_t ldc, const num* a, int64_t lda, const num* p, int64_t ldp,
                             int64_t kc, bint zero) noexcept nogil:
    if num is float:
        lite_mm_tile_f32(mr, c, ldc, a, lda, p, ldp, kc, zero)
    elif num is double:
        lite_mm_tile_f64(mr, c, ldc, a, lda, p, ldp, kc, zero)
    elif num is int32_t:
        lite_mm_tile_i32(mr, c, ldc, a, lda, p, ldp, kc, zero)
    else:
        lite_mm_tile_i64(mr, c, ldc, a, lda, p, ldp, kc, zero)


cdef inline void matmul_tile_cols(int mr, num* ct, int64_t ldc, const num* a, int64_t lda, const num* block,
                                  int64_t kc, int64_t cols, num* edge, bint zero) noexcept nogil:
    """mr rows of C (from ct, row stride ldc) += rows of A times a panel's
    block (rows of nr), over its first `cols` columns; from +0.0 instead of
    C's values where `zero`. A partial panel runs on a copy of its part of
    C (`edge`, mr x nr)."""
    cdef int64_t nr = LITE_MM_ROW_BYTES // sizeof(num), q, col
    if cols == nr:
        matmul_tile(mr, ct, ldc, a, lda, block, nr, kc, zero)
        return
    for q in range(mr):
        for col in range(nr):
            edge[q * nr + col] = ct[q * ldc + col] if col < cols and not zero else 0
    matmul_tile(mr, edge, nr, a, lda, block, nr, kc, False)
    for q in range(mr):
        for col in range(cols):
            ct[q * ldc + col] = edge[q * nr + col]


ctypedef struct matmul_job_t:
    char* c
    const char* a
    const char* b
    char* packed         # B in panels (pack_panels); by panels, only its last partial one (or NULL)
    bint prepacked       # packed holds all of B's panels, kept with the constant B (constant_panels)
    int* ready           # by rows, packing as it goes: each block of a panel PANEL_UNPACKED, _PACKING
                         # or _PACKED (else NULL): ready_inline where that holds them all
    int ready_inline[MM_READY_INLINE]
    int workers          # that take chunks (where each starts its sweep of the panels)
    bint tiled           # else the plain loop
    bint by_panels       # work items are B's panels (one batch, at most MM_FEW_ROWS rows), else rows
    bint by_columns      # work items are blocks of MM_COLUMN_BLOCK columns (untiled, few rows), else rows
    int element
    int64_t m, k, n
    mm_layout_t layout   # where A's, B's and C's elements are
    int64_t rows         # of all batches
    int mr               # rows per tile (lite_mm_rows, read once)
    bint fresh           # each sum starts from +0.0: a chunk zeroes its part of C first (buffer.matmul.fresh)
    job_t* epilogue      # by rows, the kernel each chunk runs on its rows once done (epilogue_fits), or NULL
    trace_t* trace       # as reduce_job_t's
    int64_t trace_id
    const run_t* run     # as reduce_job_t's


cdef inline const num* packed_block(num* dst, num* block, const num* b, int* ready, int64_t w, int64_t kc,
                                    const mm_layout_t* l) noexcept nogil:
    """A block of a panel of B (kc rows of w columns at b, as l lays B out)
    packed at dst by whichever worker first needs it (`ready` says how far
    that is); a worker that finds it being packed reads it into its own
    L1 `block` meanwhile, so none waits on another."""
    cdef int state = lite_load_acquire_int(ready)
    if state == PANEL_UNPACKED and atomic_cas_int(ready, PANEL_UNPACKED, PANEL_PACKING):
        pack_panel(dst, b, w, kc, l.b_row, l.b_col)
        lite_store_release_int(ready, PANEL_PACKED)
    elif state != PANEL_PACKED and lite_load_acquire_int(ready) != PANEL_PACKED:
        pack_panel(block, b, w, kc, l.b_row, l.b_col)
        return block
    return dst


cdef inline void matmul_blocked(num* c, const num* a, const num* b, const num* packed, int64_t begin,
                                int64_t end, int64_t p_begin, int64_t p_end, matmul_job_t* j,
                                int worker) noexcept nogil:
    """Rows [begin, end) of all batches flattened, as matmul_rows, over
    panels [p_begin, p_end), in tiles: for each block of k, each panel, each
    group of mr rows. A tile cut by the last column runs on a local copy of
    its part of C; rows left below a whole tile take the plain loop. By rows,
    each worker starts its sweep of the panels at its own share of them, so
    that workers packing as they go pack different panels (the order of
    panels changes no element's sum)."""
    cdef int64_t nr = LITE_MM_ROW_BYTES // sizeof(num)    # columns per tile
    cdef int64_t m = j.m, k = j.k, n = j.n, mr = j.mr
    cdef const mm_layout_t* l = &j.layout
    cdef int64_t panels = (n + nr - 1) // nr, kblocks = (k + MM_KC - 1) // MM_KC
    cdef int64_t first = 0 if j.by_panels else (p_end - p_begin) * worker // j.workers % (p_end - p_begin)
    cdef int64_t r = begin, seg_end, tiled_end, batch, k0, kc, i, p, w, g, at
    cdef num* crow
    cdef const num* arow
    cdef num edge[LITE_MM_MR_WIDE * LITE_MM_ROW_BYTES]    # mr x nr, with room to spare
    cdef double block_storage[LITE_MM_BLOCK_DOUBLES]    # a panel's block of k read in place, in L1
    cdef num* block = <num*>block_storage
    cdef const num* bp
    while r < end:
        batch = r // m
        seg_end = min(end, (batch + 1) * m)      # this batch's rows in [r, end)
        tiled_end = r + (seg_end - r) // mr * mr
        crow = c + batch * l.c_batch   # row g of C at crow + (g - batch * m) * c_row
        arow = a + batch * l.a_batch
        if j.fresh:   # the tiles start from +0.0; rows below a whole tile from zero bytes (+0.0)
            for i in range(tiled_end, seg_end):
                memset(crow + (i - batch * m) * l.c_row + p_begin * nr, 0, (min(n, p_end * nr) - p_begin * nr) * sizeof(num))
        k0 = 0
        while k0 < k:
            if run_stop_code(j.run) != 0:   # the call must stop: leave the rest undone
                return
            kc = min(<int64_t>MM_KC, k - k0)
            for i in range(p_end - p_begin):
                p = p_begin + (first + i) % (p_end - p_begin)
                w = min(nr, n - p * nr)
                at = (batch * panels + p) * k + k0
                if j.ready != NULL:
                    bp = packed_block(<num*>packed + at * nr, block,
                                      b + batch * l.b_batch + k0 * l.b_row + p * nr * l.b_col,
                                      &j.ready[(batch * panels + p) * kblocks + k0 // MM_KC], w, kc, l)
                elif not j.by_panels or j.prepacked:
                    bp = packed + at * nr
                elif w == nr:   # into L1 in one pass of independent loads (B's rows are far apart)
                    pack_panel(block, b + k0 * l.b_row + p * nr * l.b_col, nr, kc, l.b_row, l.b_col)
                    bp = block
                else:
                    bp = packed + k0 * nr
                g = r
                while g < tiled_end:
                    matmul_tile_cols(mr, crow + (g - batch * m) * l.c_row + p * nr, l.c_row,
                                     arow + (g - batch * m) * l.a_row + k0, l.a_row, bp,
                                     kc, w, edge, j.fresh and k0 == 0)
                    g += mr
            k0 += kc
        matmul_rows(c, a, b, l, tiled_end, seg_end, m, k, p_begin * nr, min(n, p_end * nr))
        r = seg_end


cdef inline void matmul_run(num* c, const num* a, const num* b, const num* packed, int64_t begin,
                            int64_t end, matmul_job_t* j, int worker) noexcept nogil:
    """Work items [begin, end): rows, or panels (j.by_panels), or blocks of
    columns (j.by_columns)."""
    cdef int64_t nr = LITE_MM_ROW_BYTES // sizeof(num)
    cdef const mm_layout_t* l = &j.layout
    cdef int64_t j0 = 0, j1 = j.n, r
    if j.by_columns:
        j0, j1, begin, end = begin * MM_COLUMN_BLOCK, min(j.n, end * MM_COLUMN_BLOCK), 0, j.rows
    if j.fresh and not j.tiled:   # zero bytes are +0.0: the chunk's rows of C, just before their sums (in cache)
        for r in range(begin, end):
            memset(c + r // j.m * l.c_batch + r % j.m * l.c_row + j0, 0, (j1 - j0) * sizeof(num))
    if not j.tiled and j.n == 1:
        matvec_rows(c, a, b, l, begin, end, j.m, j.k)
    elif not j.tiled:
        matmul_rows(c, a, b, l, begin, end, j.m, j.k, j0, j1)
    elif j.by_panels:
        matmul_blocked(c, a, b, packed, 0, j.m, begin, end, j, worker)
    else:
        matmul_blocked(c, a, b, packed, begin, end, 0, (j.n + nr - 1) // nr, j, worker)


cdef void matmul_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    cdef matmul_job_t* j = <matmul_job_t*>arg
    cdef int64_t t0 = now_ns() if j.trace != NULL else 0
    cdef char* scratch
    if run_stop_code(j.run) != 0:
        return
    if j.element == ET_F32:
        matmul_run(<float*>j.c, <const float*>j.a, <const float*>j.b, <const float*>j.packed, begin, end, j, worker)
    elif j.element == ET_F64:
        matmul_run(<double*>j.c, <const double*>j.a, <const double*>j.b, <const double*>j.packed, begin, end, j, worker)
    elif j.element == ET_I32:
        matmul_run(<int32_t*>j.c, <const int32_t*>j.a, <const int32_t*>j.b, <const int32_t*>j.packed,
                   begin, end, j, worker)
    else:
        matmul_run(<int64_t*>j.c, <const int64_t*>j.a, <const int64_t*>j.b, <const int64_t*>j.packed,
                   begin, end, j, worker)
    if j.epilogue != NULL and run_stop_code(j.run) == 0:   # these rows are done: on them while they are in cache
        scratch = job_scratch(j.epilogue)
        if scratch != NULL:
            epilogue_span(j.epilogue, begin * j.n, end * j.n, scratch)
    trace_rows(j.trace, t0, begin, end, j.trace_id)


cdef void pack_range(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    cdef matmul_job_t* j = <matmul_job_t*>arg
    if j.element == ET_F32:
        pack_panels(<float*>j.packed, <const float*>j.b, &j.layout, begin, end, j.k, j.n)
    elif j.element == ET_F64:
        pack_panels(<double*>j.packed, <const double*>j.b, &j.layout, begin, end, j.k, j.n)
    elif j.element == ET_I32:
        pack_panels(<int32_t*>j.packed, <const int32_t*>j.b, &j.layout, begin, end, j.k, j.n)
    else:
        pack_panels(<int64_t*>j.packed, <const int64_t*>j.b, &j.layout, begin, end, j.k, j.n)


cdef void pack_last_panel(matmul_job_t* j, int64_t nr) noexcept nogil:
    """By panels: B's last, partial panel (one batch) into j.packed."""
    cdef int64_t at = j.n // nr * nr
    if j.element == ET_F32:
        pack_panel(<float*>j.packed, <const float*>j.b + at * j.layout.b_col, j.n - at, j.k, j.layout.b_row,
                   j.layout.b_col)
    elif j.element == ET_F64:
        pack_panel(<double*>j.packed, <const double*>j.b + at * j.layout.b_col, j.n - at, j.k, j.layout.b_row,
                   j.layout.b_col)
    elif j.element == ET_I32:
        pack_panel(<int32_t*>j.packed, <const int32_t*>j.b + at * j.layout.b_col, j.n - at, j.k, j.layout.b_row,
                   j.layout.b_col)
    else:
        pack_panel(<int64_t*>j.packed, <const int64_t*>j.b + at * j.layout.b_col, j.n - at, j.k, j.layout.b_row,
                   j.layout.b_col)


cdef lite_status* run_matmul(ctx_t* ctx, const run_t* run, ref_t rc, ref_t ra, ref_t rb, bint fresh,
                             job_t* epilogue) noexcept nogil:
    """buffer.matmul, or buffer.matmul.fresh (each sum from +0.0); with an
    `epilogue` (bound over c's elements, epilogue_fits), also that kernel on
    c's rows as they are done, or after the whole product."""
    cdef lite_status* st
    cdef half_job_t h
    cdef mm_layout_t l
    cdef buffer_t* c
    cdef buffer_t* a
    cdef buffer_t* b
    cdef int64_t batches, m, k, n
    if rc.kind != REF_BUFFER or ra.kind != REF_BUFFER or rb.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"matmul operand is not a buffer")
    c = <buffer_t*>rc.ptr
    a = <buffer_t*>ra.ptr
    b = <buffer_t*>rb.ptr
    if not (c.rank == a.rank == b.rank and (c.rank == 2 or c.rank == 3)):
        return status_new(STATUS_INVALID_ARGUMENT, b"matmul operands must all be rank 2 or all rank 3")
    if c.readonly or not (c.element == a.element == b.element or a.element == b.element and (
            c.element == ET_I32 and a.element == ET_I8 or c.element == ET_F32 and is_half(a.element))):
        return status_new(STATUS_INVALID_ARGUMENT, b"matmul operands must share an element type (or be i8 into "
                                                   b"an i32 accumulator, f16 or bf16 into f32); the accumulator "
                                                   b"writable")
    if c.element not in (ET_F32, ET_F64, ET_I32, ET_I64, ET_INDEX, ET_F16, ET_BF16):
        return status_new(STATUS_UNIMPLEMENTED, b"matmul of this element type is not supported yet")
    batches = c.shape[0] if c.rank == 3 else 1
    m = c.shape[c.rank - 2]
    n = c.shape[c.rank - 1]
    k = a.shape[a.rank - 1]
    if (a.shape[a.rank - 2] != m or b.shape[b.rank - 2] != k or b.shape[b.rank - 1] != n
            or (c.rank == 3 and (a.shape[0] != batches or b.shape[0] != batches))):
        return shapes_disagree(b"matmul of %s by %s into %s: the shapes do not agree", a, b, c)
    if fresh and (is_half(c.element) or a.element != c.element):   # these paths accumulate: from zeros
        memset(c.data, 0, c.count * ELEMENT_SIZE[c.element])
    if is_half(c.element):
        h.element, h.c, h.a, h.b, h.m, h.k, h.n = c.element, <uint16_t*>c.data, <const uint16_t*>a.data, \
            <const uint16_t*>b.data, m, k, n
        h.run = run
        half_run(ctx, half_matmul_range, &h, batches * m, batches * m * k * n)
        st = run_check(run)   # chunks skip their work once the call must stop
    elif a.element == ET_I8:
        st = run_matmul_i8(ctx, run, <int32_t*>c.data, <const int8_t*>a.data, <const int8_t*>b.data,
                           batches, m, k, n, constant_root(b))
    elif is_half(a.element):   # into f32
        st = matmul_widened(ctx, run, c.data, ET_F32, a.data, b.data, a.element, batches, m, k, n)
    else:
        dense_layout(&l, m, k, n)
        return matmul_same_type(ctx, run, c.data, a.data, b.data, c.element, batches, m, k, n, &l, constant_root(b),
                                fresh, epilogue)
    if st == NULL:   # these paths run it after the whole product
        epilogue_after(ctx, run, epilogue, False)
    return st


cdef buffer_t* constant_root(buffer_t* b) noexcept nogil:
    """The module constant whose data the read-only view b borrows (b
    itself, or its root), or NULL where b is not a constant: a constant's
    data never changes (stores into it are refused)."""
    if not b.readonly:
        return NULL
    while b.parent != NULL:
        b = <buffer_t*>b.parent
    return b if b.readonly else NULL


ctypedef struct packed_b_t:
    # What a constant's packed panels (buffer_t.derived, after MM_PACKED_HEADER
    # bytes) hold: B of this shape, starting here in the constant's data.
    const char* b
    int element
    int64_t batches, k, n
    int64_t b_batch, b_row, b_col   # B's strides (mm_layout_t)


cdef char* constant_panels(ctx_t* ctx, buffer_t* constant, const char* b, int element, int64_t batches,
                           int64_t k, int64_t n, const mm_layout_t* l, size_t nbytes, range_fn pack, void* job, char** packed,
                           int64_t items, bint on_pool) noexcept nogil:
    """B's panels (nbytes, of B = batches x k x n `element`s at b) kept with
    the constant it views: packed by the first product that uses it (`pack`
    over [0, items) of `job` into packed[0]) and freed with it (with its
    module), so later calls skip packing. One packing per constant, of its
    first use's shape (at most about twice its size: panels round columns
    up); NULL (pack per call) for another view of it, or out of memory."""
    cdef packed_b_t* e = <packed_b_t*>lite_load_acquire_ptr(&constant.derived)
    cdef char* mine
    if e == NULL:
        mine = <char*>aligned_alloc(64, MM_PACKED_HEADER + nbytes)
        if mine == NULL:
            return NULL
        e = <packed_b_t*>mine
        e.b, e.element, e.batches, e.k, e.n = b, element, batches, k, n
        e.b_batch, e.b_row, e.b_col = l.b_batch, l.b_row, l.b_col
        packed[0] = mine + MM_PACKED_HEADER
        if on_pool:
            pool_parallel_for(ctx.pool, items, max(<int64_t>1, items // (4 * pool_size(ctx.pool))), pack, job)
        else:
            pack(job, 0, items, 0)
        packed[0] = NULL
        if lite_cas_ptr(&constant.derived, NULL, mine):
            atomic_inc(&live_derived)
        else:   # a concurrent call kept its own first
            free(mine)
            e = <packed_b_t*>lite_load_acquire_ptr(&constant.derived)
    if e.b == b and e.element == element and e.batches == batches and e.k == k and e.n == n and \
            e.b_batch == l.b_batch and e.b_row == l.b_row and e.b_col == l.b_col:
        return <char*>e + MM_PACKED_HEADER
    return NULL


def derived_constants():
    """Test hook: how many constants hold data derived from them (packed
    matmul panels) in this process."""
    return lite_load_acquire_int(&live_derived)


cdef lite_status* matmul_same_type(ctx_t* ctx, const run_t* run, char* c, const char* a, const char* b,
                                   int element, int64_t batches, int64_t m, int64_t k, int64_t n,
                                   const mm_layout_t* layout, buffer_t* constant, bint fresh,
                                   job_t* epilogue) noexcept nogil:
    """C (batches x m x n) += A (batches x m x k) times B (batches x k x n),
    all of one element type (not f16/bf16), where `layout` puts their
    elements; `constant` is the module
    constant B views, or NULL; `fresh`: C = the product (C not read);
    `epilogue`: a kernel over C's elements run by rows as they are done (by
    panels, or C not dense, after the whole product), or NULL."""
    cdef matmul_job_t j
    cdef int64_t rows, nr, panels, grain, items, blocks
    cdef bint on_pool, dense
    j.m, j.k, j.n = m, k, n
    j.layout = layout[0]
    rows = j.rows = batches * j.m
    j.c = c
    j.a = a
    j.b = b
    j.element = element
    j.run = run
    j.fresh = fresh
    cdef int64_t t0 = trace_op_begin(ctx.trace, &j.trace, &j.trace_id)
    on_pool = ctx.pool != NULL and rows * j.k * j.n > ctx.inline_elements
    # Tiles need whole groups of mr rows and a panel's width of columns;
    # narrower products (matvec, dot) keep the plain loop.
    nr = LITE_MM_ROW_BYTES // ELEMENT_SIZE[j.element]
    panels = batches * ((j.n + nr - 1) // nr)
    j.packed = NULL
    j.mr = lite_mm_rows()
    j.tiled = j.m >= j.mr and j.n >= nr and j.k > 0
    j.workers = pool_size(ctx.pool) if on_pool else 1
    # By panels where rows are few, except where B's panels come packed with
    # its constant (no packing to share) and an epilogue would run on each
    # chunk of rows in cache, in four chunks of whole tiles per worker or
    # more: BERT's 128-row projections by rows ran 3.5-5.5% faster on 2
    # workers, their bias no longer a pass of its own.
    dense = dense_c(layout, batches, m, n)
    j.by_panels = j.tiled and batches == 1 and j.m <= MM_FEW_ROWS and not (
        constant != NULL and epilogue != NULL and dense and j.m >= 4 * j.mr * j.workers)
    j.by_columns = not j.tiled and on_pool and rows < 4 * j.workers and j.n >= 2 * MM_COLUMN_BLOCK
    items = panels if j.by_panels else (j.n + MM_COLUMN_BLOCK - 1) // MM_COLUMN_BLOCK if j.by_columns else rows
    j.epilogue = NULL if j.by_panels or j.by_columns or not dense else epilogue
    j.prepacked = False
    j.ready = NULL
    if j.tiled and constant != NULL:
        j.packed = constant_panels(ctx, constant, j.b, j.element, batches, j.k, j.n, layout,
                                   panels * j.k * LITE_MM_ROW_BYTES, pack_range, &j, &j.packed, panels, on_pool)
        j.prepacked = j.packed != NULL
    if j.tiled and not j.prepacked and (not j.by_panels or j.n % nr != 0):
        j.packed = <char*>aligned_alloc(64, (1 if j.by_panels else panels) * j.k * LITE_MM_ROW_BYTES)
        if j.packed == NULL:
            return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory packing a matmul operand")
        if j.by_panels:
            pack_last_panel(&j, nr)
        else:   # by the workers as they first need each block (no pass of its own)
            blocks = panels * ((j.k + MM_KC - 1) // MM_KC)
            if blocks <= MM_READY_INLINE:
                memset(j.ready_inline, 0, blocks * sizeof(int))
                j.ready = j.ready_inline
            else:
                j.ready = <int*>calloc(blocks, sizeof(int))
            if j.ready == NULL:
                free(j.packed)
                return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory packing a matmul operand")
    if j.epilogue != NULL:
        atomic_fetch_add64(&ctx.epilogues_in_cache, 1)
    if on_pool:
        grain = max(<int64_t>1, items // (4 * pool_size(ctx.pool)))
        if j.by_panels or j.by_columns:
            # A panel is at most MM_FEW_ROWS rows (a block of columns, fewer
            # than a tile's): one per chunk, so a worker slowed for a moment
            # (a virtual CPU taken away) leaves at most one's time of
            # imbalance at the end.
            grain = 1
        elif batches > 1 and (batches % j.workers == 0 or batches >= 4 * j.workers):
            # Chunks of whole batches (as evenly as chunks of rows): each
            # worker packs and sweeps its own batches' B, not a share of
            # the rows of the batch another is packing.
            grain = max(<int64_t>1, batches // (4 * j.workers)) * j.m
        elif not j.by_panels:   # chunks of whole tiles: a chunk's rows past its last tile take the plain loop
            grain = (grain + j.mr - 1) // j.mr * j.mr
        pool_parallel_for(ctx.pool, items, grain, matmul_range, &j)
    else:
        matmul_range(&j, 0, items, 0)
    if not j.prepacked:
        free(j.packed)
    if j.ready != j.ready_inline:
        free(j.ready)
    if j.epilogue == NULL:
        epilogue_after(ctx, run, epilogue, on_pool)
    if j.trace != NULL:
        trace_record(j.trace, TRACE_OP, t0, now_ns(), 1, rows, 0, j.trace_id)
    return run_check(run)   # chunks skip their work once the call must stop
