# buffer.matmul.strided: a product from +0.0 whose operands are laid out
# by strides the module names (passes/strided.py: what a transpose or
# reshape between two products would copy), run by matmul_same_type.

cdef inline bint holds(const buffer_t* x, int64_t batches, int64_t rows, int64_t cols,
                       const int64_t* strides) noexcept nogil:
    """Whether x holds every element of a batches x rows x cols operand laid
    out by `strides` (none where one is 0): the verifier bounds each extent."""
    return batches == 0 or rows == 0 or cols == 0 or \
        (batches - 1) * strides[0] + (rows - 1) * strides[1] + (cols - 1) * strides[2] < x.count


cdef lite_status* run_matmul_strided(ctx_t* ctx, const run_t* run, ref_t rc, ref_t ra, ref_t rb,
                                     const int64_t* layout, job_t* epilogue) noexcept nogil:
    """buffer.matmul.strided: C = A times B, each read or written where
    `layout` puts its elements (the verifier has checked it: no two of C's
    in one place, each of A's rows and C's rows contiguous, B's rows or
    columns), into a new C it fills whole; with an `epilogue`, also that
    kernel on C's rows as they are done where C is dense, else after."""
    cdef int64_t batches = layout[0], m = layout[1], k = layout[2], n = layout[3]
    cdef mm_layout_t l
    cdef buffer_t* c
    cdef buffer_t* a
    cdef buffer_t* b
    if rc.kind != REF_BUFFER or ra.kind != REF_BUFFER or rb.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"matmul operand is not a buffer")
    c = <buffer_t*>rc.ptr
    a = <buffer_t*>ra.ptr
    b = <buffer_t*>rb.ptr
    if c.readonly or not c.element == a.element == b.element or \
            c.element not in (ET_F32, ET_F64, ET_I32, ET_I64, ET_INDEX):
        return status_new(STATUS_INVALID_ARGUMENT, b"a strided matmul's operands must share an f32, f64, i32, "
                                                   b"i64 or index element type; the accumulator writable")
    if c.count != batches * m * n or not holds(c, batches, m, n, layout + 4) or \
            not holds(a, batches, m, k, layout + 7) or not holds(b, batches, k, n, layout + 10):
        return shapes_disagree(b"strided matmul of %s by %s into %s: the buffers do not hold its layout", a, b, c)
    l.c_batch, l.c_row = layout[4], layout[5]
    l.a_batch, l.a_row = layout[7], layout[8]
    l.b_batch, l.b_row, l.b_col = layout[10], layout[11], layout[12]
    return matmul_same_type(ctx, run, c.data, a.data, b.data, c.element, batches, m, k, n, &l, constant_root(b),
                            True, epilogue)
