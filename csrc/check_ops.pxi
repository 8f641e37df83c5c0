# The check ops of the VM loop (loop.pxi): test assertions that fail the
# call with their source location. The reference interpreter's twin: the
# op_check_* methods of iree_lite/vm/buffer_ops.py.

from libc.math cimport fabs


cdef lite_status* check_failed(const constant_t* where, const char* what) noexcept nogil:
    cdef char msg[400]
    snprintf(msg, 400, b"%.*s: %s", <int>where.buffer.nbytes, where.buffer.data, what)
    return status_new(STATUS_FAILED_PRECONDITION, msg)


cdef lite_status* assert_failed(const constant_t* where, const constant_t* message) noexcept nogil:
    cdef char msg[400]
    snprintf(msg, 400, b"%.*s: %.*s", <int>where.buffer.nbytes, where.buffer.data, <int>message.buffer.nbytes,
             message.buffer.data)
    return status_new(STATUS_FAILED_PRECONDITION, msg)


cdef inline double element_f(int e, const char* p, int64_t i) noexcept nogil:
    if is_half(e):
        return half_load(e, <const uint16_t*>p, i)
    return (<const float*>p)[i] if e == ET_F32 else (<const double*>p)[i]


cdef lite_status* check_values(ref_t ra, ref_t re, int approx, double atol, double rtol,
                               const constant_t* where) noexcept nogil:
    """check.eq / check.almost_eq: the first differing element, with both values."""
    cdef char what[300]
    cdef char have[96]
    cdef char want[96]
    cdef buffer_t* a
    cdef buffer_t* e
    cdef int64_t i
    cdef double x, y
    cdef int64_t xi, yi
    cdef int floating
    if ra.kind != REF_BUFFER or re.kind != REF_BUFFER:
        return status_new(STATUS_INVALID_ARGUMENT, b"checked value is not a buffer")
    a = <buffer_t*>ra.ptr
    e = <buffer_t*>re.ptr
    if a.element != e.element or a.rank != e.rank or memcmp(a.shape, e.shape, a.rank * sizeof(int64_t)) != 0:
        format_layout(want, 96, e.element, e.rank, e.shape)
        format_layout(have, 96, a.element, a.rank, a.shape)
        snprintf(what, 300, b"expected %s, got %s", want, have)
        return check_failed(where, what)
    floating = a.element == ET_F32 or a.element == ET_F64 or is_half(a.element)
    for i in range(a.count):
        if floating:
            x = element_f(a.element, a.data, i)
            y = element_f(e.element, e.data, i)
            if x == y or (approx and ((x != x and y != y) or fabs(x - y) <= atol + rtol * fabs(y))):
                continue
            snprintf(what, 300, b"element at index %lld (%g) does not match the expected (%g)", <long long>i, x, y)
        else:
            xi = int_value(a.element, a.data + i * ELEMENT_SIZE[a.element])
            yi = int_value(e.element, e.data + i * ELEMENT_SIZE[e.element])
            if xi == yi:
                continue
            snprintf(what, 300, b"element at index %lld (%lld) does not match the expected (%lld)",
                     <long long>i, <long long>xi, <long long>yi)
        return check_failed(where, what)
    return NULL


cdef lite_status* check_truth(int64_t cond, bint want, const constant_t* where) noexcept nogil:
    """check.true / check.false."""
    cdef char what[64]
    if (cond != 0) != want:
        snprintf(what, 64, b"expected %s, got %lld", b"true" if want else b"false", <long long>cond)
        return check_failed(where, what)
    return NULL
