# Element access: one element of a buffer to or from a register
# (buffer.load.*, buffer.store.*, check-module's comparisons, dispatch
# results), with the index list bounds checked.


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


cdef lite_status* locate(ref_t r, const uint32_t* index_i, const int64_t* I, buffer_t** out,
                         int64_t* offset) noexcept nogil:
    """The buffer view in r and the element offset of the index list
    `index_i`, bounds checked."""
    cdef char msg[160]
    cdef buffer_t* b
    cdef int i, n = index_i[0]
    cdef int64_t index, off = 0
    if r.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"indexed value is not a buffer")
    b = <buffer_t*>r.ptr
    if n != b.rank:
        snprintf(msg, 160, b"%d indices for a tensor of rank %d", n, b.rank)
        return status_new(STATUS_INVALID_ARGUMENT, msg)
    for i in range(n):
        index = I[list_reg(index_i, i)]
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


cdef lite_status* element_access(frame_t* fr, int op, int reg, int buf, const uint32_t* index_i) noexcept nogil:
    """buffer.load.i/f, buffer.store.i/f (op): register `reg` to or from the
    element of the buffer in register `buf` at the index list index_i."""
    cdef buffer_t* b
    cdef int64_t offset
    cdef char* data
    cdef lite_status* st = locate(fr.R[buf], index_i, fr.I, &b, &offset)
    if st != NULL:
        return st
    if is_float_element(b.element) != (op == OP_BUFFER_LOAD_F or op == OP_BUFFER_STORE_F):
        return status_new(STATUS_INVALID_ARGUMENT, b"element type does not match the register bank")
    data = b.data + offset * ELEMENT_SIZE[b.element]
    if op == OP_BUFFER_LOAD_I:
        fr.I[reg] = int_value(b.element, data)
    elif op == OP_BUFFER_LOAD_F:
        fr.F[reg] = float_value(b.element, data)
    elif b.readonly:
        return status_new(STATUS_PERMISSION_DENIED, b"store into a read-only constant buffer")
    elif op == OP_BUFFER_STORE_I:
        store_int(b.element, data, fr.I[reg])
    else:
        store_float(b.element, data, fr.F[reg])
    return NULL
