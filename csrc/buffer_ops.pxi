# Buffer ops of the VM loop (loop.pxi): element access, strided copies,
# expansions, slices and views, each op's arm a helper here.
# The reference interpreter's twin: iree_lite/vm/buffer_ops.py.


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


cdef enum:
    # Dense rows a transposed plane is copied by at a time: each source line
    # read (16 floats) serves that many rows, not one element of one.
    TRANSPOSE_BLOCK = 16


cdef void transpose_plane(uint32_t* d, const uint32_t* s, int64_t rows, int64_t cols, int64_t stride) noexcept nogil:
    """d[r * cols + c] = s[r + c * stride] for r < rows, c < cols."""
    cdef int64_t r0, r, c, r1
    r0 = 0
    while r0 < rows:
        r1 = min(rows, r0 + TRANSPOSE_BLOCK)
        for c in range(cols):
            for r in range(r0, r1):
                d[r * cols + c] = s[r + c * stride]
        r0 = r1


cdef lite_status* strided_copy(char* strided, const int64_t* shape, int rank, const int64_t* spec,
                               int64_t limit, char* dense, int size, bint scatter) noexcept nogil:
    """Copy between a dense row-major block of `shape` and the elements
    spec[0] + sum(i_k * spec[1 + k]) of `strided` (which holds `limit`
    elements): gather (dense <- strided) or scatter (strided <- dense).
    Every offset must lie in [0, limit), computed without overflow."""
    cdef int64_t idx[MAX_RANK]
    cdef int64_t strides[MAX_RANK]
    cdef int64_t count = shape_count(rank, shape), i, inner, run, offset = spec[0], lo = spec[0], hi = spec[0], reach
    cdef int d, lead
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
    run = inner
    lead = rank - 2   # the dimensions the index advances along, per run
    if not scatter and size == 4 and rank >= 2 and strides[rank - 1] != 1 and strides[rank - 2] == 1:
        run = shape[rank - 2] * inner   # the two innermost transposed: whole planes by blocks
        lead = rank - 3
    memset(idx, 0, sizeof(idx))
    i = 0
    while i < count:   # whole innermost runs; the outer index advances per run
        if run != inner:
            transpose_plane(<uint32_t*>(dense + i * size), <const uint32_t*>strided + offset, shape[rank - 2], inner,
                            strides[rank - 1])
        elif scatter:
            copy_run(strided + offset * size, strides[rank - 1], dense + i * size, 1, inner, size)
        else:
            copy_run(dense + i * size, 1, strided + offset * size, strides[rank - 1], inner, size)
        i += run
        d = lead
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


cdef lite_status* expand(ref_t r, const constant_t* layout, const constant_t* mapc, const uint32_t* dims_i,
                         const int64_t* I, buffer_t** out) noexcept nogil:
    """buffer.expand: a gather through a linear map (broadcasts, transposes,
    windows); the dynamic dimensions no map row is take the list dims_i."""
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
            shape[d] = I[list_reg(dims_i, j)]
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


cdef lite_status* slice_spec(const buffer_t* full, const constant_t* sizes, const uint32_t* at_i,
                             const int64_t* I, int64_t* spec, int64_t* n) noexcept nogil:
    """buffer.slice/insert: spec = [base, strides...] of the slice in `full`'s
    elements and n = its sizes, from the offsets, steps and dynamic sizes in
    the register list at_i, each dimension checked to hold its part."""
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
            n[k] = I[list_reg(at_i, j)]
            j += 1
    spec[0] = 0
    for k in range(rank - 1, -1, -1):
        o = I[list_reg(at_i, k)]
        st = I[list_reg(at_i, rank + k)]
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


cdef lite_status* view_shape(const buffer_t* b, const constant_t* c, const uint32_t* dims_i,
                             const int64_t* I, int64_t* dims) noexcept nogil:
    """buffer.view's shape (into dims) of b's bytes as layout c, whose -1
    dimensions take the register list dims_i where it is not empty; the
    one dynamic dimension left takes what the others leave."""
    cdef int64_t known[MAX_RANK]   # the dimensions, a dynamic one counted as 1
    cdef int64_t count
    cdef int i, j = -1, k = 0
    for i in range(c.rank):
        dims[i] = c.shape[i]
        if dims[i] == -1 and dims_i[0] != 0:   # sizes given in registers
            dims[i] = I[list_reg(dims_i, k)]
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


# -- the arms of the buffer ops ----------------------------------------------

cdef inline lite_status* put_buffer(ref_t* r, buffer_t* b) noexcept nogil:
    """r = new buffer b (owned); NULL for b means out of memory."""
    if b == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory allocating a buffer")
    ref_move(r, REF_BUFFER, b)
    return NULL


cdef lite_status* op_buffer_alloc(frame_t* fr, const uint32_t* ip) noexcept nogil:
    cdef const constant_t* c = &fr.m.constants[BUFFER_ALLOC_layout(ip)]
    return put_buffer(&fr.R[BUFFER_ALLOC_dst(ip)], buffer_new(c.element, c.rank, c.shape, NULL, NULL))


cdef lite_status* op_buffer_alloc_dyn(frame_t* fr, const uint32_t* ip) noexcept nogil:
    """The layout's -1 dimensions take the sizes of the list dims_i."""
    cdef const constant_t* c = &fr.m.constants[BUFFER_ALLOC_DYN_layout(ip)]
    cdef const uint32_t* dims_i = BUFFER_ALLOC_DYN_dims_i(ip)
    cdef int64_t dims[MAX_RANK]
    cdef int64_t count
    cdef int i, j = 0
    for i in range(c.rank):
        if c.shape[i] == -1:
            dims[i] = fr.I[list_reg(dims_i, j)]
            j += 1
        else:
            dims[i] = c.shape[i]
    count = checked_count(c.element, c.rank, dims)
    if count < 0:
        return size_status(b"buffer.alloc.dyn", c.element, c.rank, dims, count)
    return put_buffer(&fr.R[BUFFER_ALLOC_DYN_dst(ip)], buffer_new(c.element, c.rank, dims, NULL, NULL))


cdef lite_status* op_buffer_dim(frame_t* fr, const uint32_t* ip) noexcept nogil:
    cdef ref_t r = fr.R[BUFFER_DIM_src(ip)]
    cdef int64_t axis = fr.I[BUFFER_DIM_axis(ip)]
    if r.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"dimension of a value that is not a buffer")
    if axis < 0 or axis >= (<buffer_t*>r.ptr).rank:
        return status_new(STATUS_OUT_OF_RANGE, b"dimension index outside the tensor's rank")
    fr.I[BUFFER_DIM_dst(ip)] = (<buffer_t*>r.ptr).shape[axis]
    return NULL


cdef lite_status* op_buffer_match(frame_t* fr, const uint32_t* ip) noexcept nogil:
    cdef ref_t ra = fr.R[BUFFER_MATCH_a(ip)], rb = fr.R[BUFFER_MATCH_b(ip)]
    cdef buffer_t* a
    cdef buffer_t* b
    if ra.kind != REF_BUFFER or rb.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"shape of a value that is not a buffer")
    a = <buffer_t*>ra.ptr
    b = <buffer_t*>rb.ptr
    if a.rank != b.rank or memcmp(a.shape, b.shape, a.rank * sizeof(int64_t)) != 0:
        return shape_mismatch(&fr.m.constants[BUFFER_MATCH_where(ip)], a, b.rank, b.shape,
                              b"%.*s: operand shapes %s and %s differ")
    return NULL


cdef lite_status* op_buffer_cast(frame_t* fr, const uint32_t* ip) noexcept nogil:
    cdef ref_t r = fr.R[BUFFER_CAST_src(ip)]
    cdef const constant_t* c = &fr.m.constants[BUFFER_CAST_layout(ip)]
    if r.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"shape of a value that is not a buffer")
    if not fits_layout(<buffer_t*>r.ptr, c):
        return shape_mismatch(&fr.m.constants[BUFFER_CAST_where(ip)], <buffer_t*>r.ptr, c.rank, c.shape,
                              b"%.*s: shape %s does not match %s")
    return NULL


cdef void op_buffer_const(frame_t* fr, const uint32_t* ip) noexcept nogil:
    cdef buffer_t* b = fr.m.constants[BUFFER_CONST_data(ip)].buffer
    atomic_inc(&b.refcount)
    ref_move(&fr.R[BUFFER_CONST_dst(ip)], REF_BUFFER, b)


cdef lite_status* op_buffer_clone(frame_t* fr, const uint32_t* ip) noexcept nogil:
    cdef ref_t r = fr.R[BUFFER_CLONE_src(ip)]
    cdef buffer_t* b
    cdef buffer_t* nb
    if r.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"copied value is not a buffer")
    b = <buffer_t*>r.ptr
    nb = buffer_new(b.element, b.rank, b.shape, NULL, NULL)
    if nb != NULL:
        memcpy(nb.data, b.data, b.nbytes)
    return put_buffer(&fr.R[BUFFER_CLONE_dst(ip)], nb)


cdef lite_status* op_buffer_view(frame_t* fr, const uint32_t* ip) noexcept nogil:
    cdef ref_t r = fr.R[BUFFER_VIEW_src(ip)]
    cdef const constant_t* c = &fr.m.constants[BUFFER_VIEW_layout(ip)]
    cdef int64_t dims[MAX_RANK]
    cdef buffer_t* b
    cdef buffer_t* nb
    cdef lite_status* st
    if r.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"copied value is not a buffer")
    b = <buffer_t*>r.ptr
    st = view_shape(b, c, BUFFER_VIEW_dims_i(ip), fr.I, dims)
    if st != NULL:
        return st
    nb = buffer_new(c.element, c.rank, dims, b.data, b)
    if nb != NULL:
        nb.readonly = b.readonly
    return put_buffer(&fr.R[BUFFER_VIEW_dst(ip)], nb)


cdef lite_status* op_buffer_part(frame_t* fr, const uint32_t* ip) noexcept nogil:
    """A view of a contiguous part of src's storage (the operands of a concat computed in place)."""
    cdef ref_t r = fr.R[BUFFER_PART_src(ip)]
    cdef const constant_t* c = &fr.m.constants[BUFFER_PART_layout(ip)]
    cdef int64_t at = fr.m.constants[BUFFER_PART_at(ip)].ival, n = shape_count(c.rank, c.shape)
    cdef buffer_t* b
    cdef buffer_t* nb
    cdef char msg[400]
    cdef char have[256]
    cdef char want[256]
    if r.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"viewed value is not a buffer")
    b = <buffer_t*>r.ptr
    format_layout(have, 256, b.element, b.rank, b.shape)
    if c.element != b.element:
        format_layout(want, 256, c.element, c.rank, c.shape)
        snprintf(msg, 400, b"a part of %s as %s changes the element type", have, want)
        return status_new(STATUS_INVALID_ARGUMENT, msg)
    if at < 0 or at > b.count - n:
        snprintf(msg, 400, b"a part of %lld elements at %lld is not inside %s", <long long>n, <long long>at, have)
        return status_new(STATUS_OUT_OF_RANGE, msg)
    nb = buffer_new(c.element, c.rank, c.shape, b.data + at * ELEMENT_SIZE[b.element], b)
    if nb != NULL:
        nb.readonly = b.readonly
    return put_buffer(&fr.R[BUFFER_PART_dst(ip)], nb)


cdef lite_status* op_buffer_expand(frame_t* fr, const uint32_t* ip) noexcept nogil:
    cdef buffer_t* nb
    cdef lite_status* st = expand(fr.R[BUFFER_EXPAND_src(ip)], &fr.m.constants[BUFFER_EXPAND_layout(ip)],
                                  &fr.m.constants[BUFFER_EXPAND_map(ip)], BUFFER_EXPAND_dims_i(ip), fr.I, &nb)
    if st == NULL:
        ref_move(&fr.R[BUFFER_EXPAND_dst(ip)], REF_BUFFER, nb)
    return st


cdef lite_status* op_buffer_slice(frame_t* fr, const uint32_t* ip) noexcept nogil:
    """A new buffer holding a strided slice of src."""
    cdef ref_t r = fr.R[BUFFER_SLICE_src(ip)]
    cdef const constant_t* sizes = &fr.m.constants[BUFFER_SLICE_sizes(ip)]
    cdef int64_t spec[MAX_RANK + 1]
    cdef int64_t dims[MAX_RANK]
    cdef buffer_t* b
    cdef buffer_t* nb
    cdef lite_status* st
    if r.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"sliced value is not a buffer")
    b = <buffer_t*>r.ptr
    st = slice_spec(b, sizes, BUFFER_SLICE_at_i(ip), fr.I, spec, dims)
    if st != NULL:
        return st
    nb = slice_buffer(b, &fr.m.constants[BUFFER_SLICE_layout(ip)], sizes, dims)
    if nb == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory allocating a buffer")
    st = strided_copy(b.data, dims, b.rank, spec, b.count, nb.data, ELEMENT_SIZE[b.element], 0)
    if st != NULL:
        buffer_release(nb)
        return st
    ref_move(&fr.R[BUFFER_SLICE_dst(ip)], REF_BUFFER, nb)
    return NULL


cdef lite_status* op_buffer_insert(frame_t* fr, const uint32_t* ip) noexcept nogil:
    """src's elements into a strided slice of acc, in place."""
    cdef ref_t racc = fr.R[BUFFER_INSERT_acc(ip)], rsrc = fr.R[BUFFER_INSERT_src(ip)]
    cdef int64_t spec[MAX_RANK + 1]
    cdef int64_t dims[MAX_RANK]
    cdef buffer_t* acc
    cdef buffer_t* src
    cdef lite_status* st
    if racc.kind != REF_BUFFER or rsrc.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"sliced value is not a buffer")
    acc = <buffer_t*>racc.ptr
    src = <buffer_t*>rsrc.ptr
    st = slice_spec(acc, &fr.m.constants[BUFFER_INSERT_sizes(ip)], BUFFER_INSERT_at_i(ip), fr.I, spec, dims)
    if st != NULL:
        return st
    if src.element != acc.element or acc.readonly:
        return status_new(STATUS_INVALID_ARGUMENT, b"inserted slice does not fit its place")
    if not same_shape(src.rank, src.shape, acc.rank, dims):
        return shapes_error(STATUS_INVALID_ARGUMENT, b"insert of %s into a slice of %s: the shapes do "
                            b"not agree", src.rank, src.shape, acc.rank, dims)
    return strided_copy(acc.data, dims, acc.rank, spec, acc.count, src.data, ELEMENT_SIZE[acc.element], 1)
