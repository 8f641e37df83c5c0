# Timeline tracing (--trace): spans and flows recorded by native threads,
# without the GIL, into one preallocated event array per context with an
# atomic index; Python reads it once, after the run. A context that does not
# trace has a NULL trace pointer, and every recording site checks only that.

from libc.stdint cimport int64_t
from libc.stdlib cimport calloc, free
from posix.time cimport timespec, clock_gettime, CLOCK_MONOTONIC

cdef extern from "lite_vm.h" nogil:
    long long atomic_fetch_add64(long long* p, long long v)
    long long atomic_add_fetch64(long long* p, long long v)
    int lite_tid()
    void lite_store_release_int(int* p, int v)
    int lite_load_acquire_int(int* p)

cdef enum:
    # Event kinds (0: a slot handed out but not written yet).
    TRACE_CALL = 1       # a0: module_t address, a1: function ordinal
    TRACE_DISPATCH = 2   # a0: module_t address, a1: kernel ordinal, a2: elements; id: dispatch
    TRACE_TILES = 3      # elements [a0, a1) of dispatch id, one chunk taken from the counter
    TRACE_SIGNAL = 4     # a semaphore signalled (and the callbacks it ran)
    TRACE_WAIT = 5       # a blocking fence wait that was reached
    TRACE_FLOW = 6       # a signal on thread a0 at t_begin released a wait on `thread` at t_end
    TRACE_OP = 7         # buffer.reduce (a0 = 0), matmul (1), softmax (2), conv2d (3), pool2d (4) or layernorm (5)
                         # over a1 rows (work items; a2: a convolution's products, a pooling's points); id: op
    TRACE_ROWS = 8       # rows [a0, a1) of op id, one chunk taken from the counter


ctypedef struct trace_event_t:
    int kind             # written last (release): non-zero means complete
    int thread           # OS thread id
    int64_t t_begin      # CLOCK_MONOTONIC nanoseconds
    int64_t t_end
    int64_t a0
    int64_t a1
    int64_t a2
    int64_t id


cdef struct trace_t:
    trace_event_t* events
    long long capacity
    long long next       # atomic: slots handed out; those past capacity were dropped
    long long ids        # atomic: the last dispatch or flow id given out
    int64_t origin       # when tracing started


cdef inline int64_t now_ns() noexcept nogil:
    cdef timespec ts
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return <int64_t>ts.tv_sec * 1000000000 + ts.tv_nsec


cdef trace_t* trace_create(long long capacity) noexcept nogil:
    # calloc: pages of the array that are never written are never touched.
    cdef trace_t* t = <trace_t*>calloc(1, sizeof(trace_t))
    if t == NULL:
        return NULL
    t.events = <trace_event_t*>calloc(capacity, sizeof(trace_event_t))
    if t.events == NULL:
        free(t)
        return NULL
    t.capacity = capacity
    t.origin = now_ns()
    return t


cdef void trace_destroy(trace_t* t) noexcept nogil:
    if t != NULL:
        free(t.events)
        free(t)


cdef inline int64_t trace_new_id(trace_t* t) noexcept nogil:
    return atomic_add_fetch64(&t.ids, 1)


cdef void trace_record(trace_t* t, int kind, int64_t t_begin, int64_t t_end, int64_t a0, int64_t a1,
                       int64_t a2, int64_t id) noexcept nogil:
    """Append one event, or drop it when the array is full."""
    cdef long long i = atomic_fetch_add64(&t.next, 1)
    cdef trace_event_t* e
    if i >= t.capacity:
        return
    e = &t.events[i]
    e.thread = lite_tid()
    e.t_begin = t_begin
    e.t_end = t_end
    e.a0 = a0
    e.a1 = a1
    e.a2 = a2
    e.id = id
    lite_store_release_int(&e.kind, kind)


cdef inline void trace_rows(trace_t* t, int64_t t0, int64_t begin, int64_t end, int64_t id) noexcept nogil:
    """A chunk of rows of a reduce or matmul ran from t0 until now."""
    if t != NULL:
        trace_record(t, TRACE_ROWS, t0, now_ns(), begin, end, 0, id)


cdef long long trace_dropped(trace_t* t) noexcept nogil:
    cdef long long n = atomic_fetch_add64(&t.next, 0)
    return n - t.capacity if n > t.capacity else 0
