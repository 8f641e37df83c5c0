# Buffer views and reference registers (C level, no Python objects).
#
# A buffer_t is a refcounted view: element type, shape and a data pointer.
# It owns its data, or borrows it from `parent` (kept alive by a reference),
# as constant views into a module's data do.

from libc.stdint cimport int64_t, uint64_t, uint32_t, uint8_t, int32_t, int16_t, int8_t, uint16_t
from libc.stdlib cimport malloc, calloc, free
from libc.string cimport memcmp, memcpy, memset, strlen
from libc.stdio cimport snprintf

cdef extern from "<stdlib.h>" nogil:
    void* aligned_alloc(size_t alignment, size_t size)

cdef extern from "lite_vm.h" nogil:
    ctypedef struct lite_pool:
        int count
        long long bytes, hits, misses
    lite_pool lite_header_pool, lite_storage_pool, lite_fence_pool
    void* lite_pool_take(lite_pool* p, size_t need, size_t* size)
    int lite_pool_give(lite_pool* p, void* block, size_t size)
    void lite_storage_give(void* block, size_t size)
    int atomic_inc(int* p)          # returns the new value
    int atomic_dec(int* p)
    void* lite_load_acquire_ptr(void** p)
    void lite_note_alloc(long long bytes)
    void lite_note_free(long long bytes)
    long long lite_alloc_count, lite_alloc_bytes, lite_live_bytes, lite_peak_bytes
    char* lite_scratch(size_t bytes)    # this thread's tile scratch
    bint lite_mul_add_overflows(int64_t* acc, int64_t a, int64_t b)

cdef enum:
    REF_NULL = 0
    REF_BUFFER = 1
    REF_FENCE = 2

# Bytes per element, indexed by element code (i1 is stored one byte each).
cdef int ELEMENT_SIZE[10]
ELEMENT_SIZE[:] = [1, 1, 2, 4, 8, 8, 2, 2, 4, 8]

# Buffers holding derived data (a test hook reads it: _vm.derived_constants).
cdef int live_derived = 0

ctypedef struct buffer_t:
    int refcount
    int element
    int rank
    int readonly
    int64_t shape[MAX_RANK]
    int64_t count
    int64_t nbytes
    char* data
    void* parent      # buffer_t* whose data this view borrows, or NULL if owned
    size_t capacity   # bytes of owned storage (at least nbytes: it may come from the pool)
    void* derived     # a constant's data in another layout, made once (matmul.pxi's packed
                      # panels), freed with it; set once, by compare-and-swap; else NULL

ctypedef struct ref_t:
    int kind
    void* ptr


cdef inline int64_t shape_count(int rank, const int64_t* shape) noexcept nogil:
    cdef int64_t n = 1
    cdef int i
    for i in range(rank):
        n *= shape[i]
    return n


cdef int64_t checked_count(int element, int rank, const int64_t* shape) noexcept nogil:
    """The element count of a shape a buffer of `element` may have; -1 for a
    negative dimension, -2 for more than MAX_BUFFER_BYTES bytes, a zero
    dimension counted as one (so no product of its dimensions overflows):
    iree_lite.ir.elements.size_error."""
    cdef int64_t nbytes = ELEMENT_SIZE[element], count = 1
    cdef int i
    for i in range(rank):
        if shape[i] < 0:
            return -1
    for i in range(rank):
        if shape[i] > 1:
            if shape[i] > MAX_BUFFER_BYTES // nbytes:
                return -2
            nbytes *= shape[i]
        count *= shape[i]
    return count


cdef lite_status* size_status(const char* op, int element, int rank, const int64_t* shape,
                              int64_t count) noexcept nogil:
    """The error of instruction `op` for checked_count's -1 or -2."""
    cdef char msg[400]
    cdef char shown[256]
    cdef int k = 0
    format_layout(shown, 256, element, rank, shape)
    if count == -1:
        while shape[k] >= 0:
            k += 1
        snprintf(msg, 400, b"%s: size %lld of dimension %d of %s is negative", op, <long long>shape[k], k, shown)
        return status_new(STATUS_INVALID_ARGUMENT, msg)
    snprintf(msg, 400, b"%s: %s is larger than the %lld bytes a buffer may hold", op, shown, MAX_BUFFER_BYTES)
    return status_new(STATUS_RESOURCE_EXHAUSTED, msg)


cdef buffer_t* buffer_new(int element, int rank, const int64_t* shape, char* data,
                          buffer_t* parent) noexcept nogil:
    """A view with `data` borrowed from `parent`, or, when data is NULL, new
    zeroed storage. NULL if out of memory, or for a shape checked_count
    refuses (callers check it first, to say why)."""
    cdef size_t size
    cdef int64_t count = checked_count(element, rank, shape)
    if count < 0:
        return NULL
    cdef buffer_t* b = <buffer_t*>lite_pool_take(&lite_header_pool, sizeof(buffer_t), &size)
    if b == NULL:
        b = <buffer_t*>malloc(sizeof(buffer_t))
    if b == NULL:
        return NULL
    b.refcount = 1
    b.element = element
    b.rank = rank
    b.readonly = 0
    b.derived = NULL
    memcpy(b.shape, shape, rank * sizeof(int64_t))
    b.count = count
    b.nbytes = b.count * ELEMENT_SIZE[element]
    b.parent = parent
    if parent != NULL:
        atomic_inc(&parent.refcount)
        b.data = data
    else:
        # Contents start unspecified (as tensor.empty's are): storage from
        # the pool, or new, neither zeroed. Whole cache lines: malloc's
        # 16-byte alignment would split every 64-byte vector of a kernel.
        b.capacity = (b.nbytes + 63) // 64 * 64 if b.nbytes > 0 else 64
        b.data = <char*>lite_pool_take(&lite_storage_pool, b.capacity, &b.capacity)
        if b.data == NULL:
            b.data = <char*>aligned_alloc(64, b.capacity)
        if b.data == NULL:
            free(b)
            return NULL
        lite_note_alloc(b.nbytes)
    return b


cdef void buffer_release(buffer_t* b) noexcept nogil:
    if b != NULL and atomic_dec(&b.refcount) == 0:
        if b.derived != NULL:
            atomic_dec(&live_derived)
            free(b.derived)
        if b.parent != NULL:
            buffer_release(<buffer_t*>b.parent)
        else:
            lite_note_free(b.nbytes)
            lite_storage_give(b.data, b.capacity)
        if not lite_pool_give(&lite_header_pool, b, sizeof(buffer_t)):
            free(b)


cdef inline void ref_retain(ref_t r) noexcept nogil:
    if r.kind == REF_BUFFER:
        atomic_inc(&(<buffer_t*>r.ptr).refcount)
    elif r.kind == REF_FENCE:
        fence_retain(<fence_t*>r.ptr)


cdef inline void ref_release(ref_t r) noexcept nogil:
    if r.kind == REF_BUFFER:
        buffer_release(<buffer_t*>r.ptr)
    elif r.kind == REF_FENCE:
        fence_release(<fence_t*>r.ptr)


cdef inline void ref_set(ref_t* dst, ref_t src) noexcept nogil:
    """dst = src: retains the new reference before releasing the old."""
    ref_retain(src)
    ref_release(dst[0])
    dst[0] = src


cdef inline void ref_move(ref_t* dst, int kind, void* ptr) noexcept nogil:
    """dst = a reference the caller already owns."""
    ref_release(dst[0])
    dst.kind = kind
    dst.ptr = ptr


cdef const char* ELEMENT_NAME[10]
ELEMENT_NAME[:] = [b"i1", b"i8", b"i16", b"i32", b"i64", b"index", b"f16", b"bf16", b"f32", b"f64"]


cdef int format_layout(char* out, int size, int element, int rank, const int64_t* shape) noexcept nogil:
    cdef int n = snprintf(out, size, b"tensor<")
    cdef int i
    for i in range(rank):
        n += snprintf(out + n, size - n, b"?x" if shape[i] == -1 else b"%lldx", <long long>shape[i])
    return n + snprintf(out + n, size - n, b"%s>", ELEMENT_NAME[element])


cdef int format_dims(char* out, int size, int rank, const int64_t* shape) noexcept nogil:
    """`'4x?x3'`: a shape in errors, -1 being a dynamic dimension."""
    cdef int n = snprintf(out, size, b"'")
    cdef int i
    for i in range(rank):
        n += snprintf(out + n, size - n, b"%s", b"x" if i else b"")
        n += snprintf(out + n, size - n, b"?" if shape[i] == -1 else b"%lld", <long long>shape[i])
    return n + snprintf(out + n, size - n, b"'")
