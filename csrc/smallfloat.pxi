# Small float formats (t.fdecode, t.fencode): bytes holding bit patterns to
# f32 and back, by the tables generated from iree_lite/isa/smallfloat.py into
# isa_kernels.pxi. smallfloat.encode is the definition this follows.


cdef inline void small_decode(int f, float* d, const uint8_t* a, Py_ssize_t n) noexcept nogil:
    cdef const float* values = &SMALL_VALUES[f * 256]
    cdef int mask = SMALL_MASK[f]
    cdef Py_ssize_t i
    for i in range(n):
        d[i] = values[a[i] & mask]


cdef inline uint8_t small_encode_one(int f, float x) noexcept nogil:
    cdef uint32_t bits
    cdef int lo = 0, hi = SMALL_NBOUNDS[f], mid, code, kind = SMALL_KIND[f]
    cdef bint signed
    cdef const float* bounds = &SMALL_BOUNDS[f * 256]
    cdef float a
    memcpy(&bits, &x, 4)
    if kind == SK_E8M0:   # the f32's exponent bits, as MLIR expands truncf to it
        return (bits >> 23) & 0xFF
    if x != x:
        return <uint8_t>SMALL_NAN[f]
    a = fabsf(x)
    while lo < hi:   # the first code c with a < bounds[c], or a == bounds[c] and c even
        mid = (lo + hi) >> 1
        if a < bounds[mid] or (a == bounds[mid] and (mid & 1) == 0):
            hi = mid
        else:
            lo = mid + 1
    if lo == SMALL_NBOUNDS[f]:   # infinity or the largest value take the sign; NaN does not
        code = SMALL_OVERFLOW[f]
        signed = kind == SK_IEEE or kind == SK_FINITE
    else:   # FNUZ has no -0
        code = lo
        signed = not (kind == SK_FNUZ and lo == 0)
    if signed and (bits >> 31):
        code |= SMALL_SIGN[f]
    return <uint8_t>code


cdef inline void small_encode(int f, uint8_t* d, const float* a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        d[i] = small_encode_one(f, a[i])
