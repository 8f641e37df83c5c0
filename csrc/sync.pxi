# Semaphores and fences on a mutex and a condition variable.
#
# A semaphore is a monotonically increasing uint64 timeline with a sticky
# failure (the first one wins). A fence is a set of (semaphore, value)
# timepoints: reached when all are, failed when any fails. Waits loop on
# their predicate, so spurious wakeups are harmless; callbacks registered
# with *_notify run exactly once, outside the lock.

from libc.stdint cimport uint64_t, int64_t
from libc.stdlib cimport calloc, realloc
from libc.stdio cimport snprintf
from posix.time cimport timespec, clock_gettime, CLOCK_MONOTONIC
from cpython.exc cimport PyErr_CheckSignals

cdef extern from "<pthread.h>" nogil:
    ctypedef struct pthread_mutex_t:
        pass
    ctypedef struct pthread_cond_t:
        pass
    ctypedef struct pthread_condattr_t:
        pass
    int pthread_mutex_init(pthread_mutex_t*, const void*)
    int pthread_mutex_destroy(pthread_mutex_t*)
    int pthread_mutex_lock(pthread_mutex_t*)
    int pthread_mutex_unlock(pthread_mutex_t*)
    int pthread_condattr_init(pthread_condattr_t*)
    int pthread_condattr_setclock(pthread_condattr_t*, int)
    int pthread_condattr_destroy(pthread_condattr_t*)
    int pthread_cond_init(pthread_cond_t*, const pthread_condattr_t*)
    int pthread_cond_destroy(pthread_cond_t*)
    int pthread_cond_wait(pthread_cond_t*, pthread_mutex_t*)
    int pthread_cond_timedwait(pthread_cond_t*, pthread_mutex_t*, const timespec*)
    int pthread_cond_signal(pthread_cond_t*)
    int pthread_cond_broadcast(pthread_cond_t*)

cdef extern from "lite_vm.h" nogil:
    int atomic_inc(int* p)
    int atomic_dec(int* p)
    int atomic_cas_int(int* p, int expected, int desired)

ctypedef void (*notify_fn)(void* arg, const lite_status* failure) noexcept nogil

cdef enum:
    WAIT_REACHED = 0
    WAIT_FAILED = 1
    WAIT_TIMEOUT = 2


cdef void cond_init(pthread_cond_t* cv) noexcept nogil:
    # Timed waits use the monotonic clock: wall-clock jumps do not shorten them.
    cdef pthread_condattr_t attr
    pthread_condattr_init(&attr)
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
    pthread_cond_init(cv, &attr)
    pthread_condattr_destroy(&attr)


cdef int cond_wait_until(pthread_cond_t* cv, pthread_mutex_t* mu, int64_t deadline_ns) noexcept nogil:
    """One wait on cv; deadline < 0 waits without limit. Callers loop."""
    cdef timespec ts
    if deadline_ns < 0:
        return pthread_cond_wait(cv, mu)
    ts.tv_sec = deadline_ns // 1000000000
    ts.tv_nsec = deadline_ns % 1000000000
    return pthread_cond_timedwait(cv, mu, &ts)


cdef struct waiter_t:
    uint64_t value
    notify_fn fn
    void* arg
    waiter_t* next


cdef struct semaphore_t:
    int refcount
    pthread_mutex_t mu
    pthread_cond_t cv
    uint64_t value
    lite_status* failure
    waiter_t* waiters
    # The last traced signal: in which trace, on which thread, when. A traced
    # wait that this semaphore releases draws a flow from it.
    trace_t* sig_trace
    int sig_thread
    int64_t sig_ns


cdef semaphore_t* semaphore_create(uint64_t initial) noexcept nogil:
    cdef semaphore_t* s = <semaphore_t*>calloc(1, sizeof(semaphore_t))
    if s == NULL:
        return NULL
    s.refcount = 1
    s.value = initial
    pthread_mutex_init(&s.mu, NULL)
    cond_init(&s.cv)
    return s


cdef void semaphore_retain(semaphore_t* s) noexcept nogil:
    atomic_inc(&s.refcount)


cdef void semaphore_release(semaphore_t* s) noexcept nogil:
    cdef waiter_t* w
    if s == NULL or atomic_dec(&s.refcount) != 0:
        return
    # Waiters still queued can never fire: nobody can signal this any more.
    while s.waiters != NULL:
        w = s.waiters
        s.waiters = w.next
        free(w)
    status_free(s.failure)
    pthread_mutex_destroy(&s.mu)
    pthread_cond_destroy(&s.cv)
    free(s)


cdef uint64_t semaphore_query(semaphore_t* s, lite_status** failure) noexcept nogil:
    pthread_mutex_lock(&s.mu)
    cdef uint64_t v = s.value
    if failure != NULL:
        failure[0] = status_clone(s.failure)
    pthread_mutex_unlock(&s.mu)
    return v


cdef void run_waiters(waiter_t* w, const lite_status* failure) noexcept nogil:
    cdef waiter_t* nxt
    while w != NULL:
        nxt = w.next
        w.fn(w.arg, failure)
        free(w)
        w = nxt


cdef lite_status* semaphore_signal(semaphore_t* s, uint64_t value, trace_t* trace) noexcept nogil:
    """Advance to value and run the callbacks it releases; recorded as a
    span in `trace` unless that is NULL."""
    cdef char msg[160]
    cdef waiter_t* ready = NULL
    cdef waiter_t** link
    cdef waiter_t* w
    cdef int64_t t0 = now_ns() if trace != NULL else 0
    pthread_mutex_lock(&s.mu)
    if s.failure != NULL:
        pthread_mutex_unlock(&s.mu)
        return status_new(STATUS_FAILED_PRECONDITION, b"cannot signal a failed semaphore")
    if value <= s.value:
        snprintf(msg, 160, b"semaphore values must increase: current %llu, signalled %llu",
                 <unsigned long long>s.value, <unsigned long long>value)
        pthread_mutex_unlock(&s.mu)
        return status_new(STATUS_INVALID_ARGUMENT, msg)
    s.value = value
    if trace != NULL:
        s.sig_trace = trace
        s.sig_thread = lite_tid()
        s.sig_ns = now_ns()
    link = &s.waiters
    while link[0] != NULL:
        w = link[0]
        if w.value <= value:
            link[0] = w.next
            w.next = ready
            ready = w
        else:
            link = &w.next
    pthread_cond_broadcast(&s.cv)
    pthread_mutex_unlock(&s.mu)
    run_waiters(ready, NULL)
    if trace != NULL:
        trace_record(trace, TRACE_SIGNAL, t0, now_ns(), 0, 0, 0, 0)
    return NULL


cdef void semaphore_fail(semaphore_t* s, lite_status* st) noexcept nogil:
    """Fail with st (consumed); a semaphore that already failed keeps its
    first failure."""
    cdef waiter_t* ready
    pthread_mutex_lock(&s.mu)
    if s.failure != NULL:
        pthread_mutex_unlock(&s.mu)
        status_free(st)
        return
    s.failure = st
    ready = s.waiters
    s.waiters = NULL
    pthread_cond_broadcast(&s.cv)
    pthread_mutex_unlock(&s.mu)
    # The failure is immutable once set and lives as long as the semaphore,
    # which our caller holds.
    run_waiters(ready, st)


cdef int semaphore_wait(semaphore_t* s, uint64_t value, int64_t timeout_ns, lite_status** out) noexcept nogil:
    cdef int64_t deadline = -1 if timeout_ns < 0 else now_ns() + timeout_ns
    cdef int result
    pthread_mutex_lock(&s.mu)
    while True:
        if s.value >= value:
            result = WAIT_REACHED
            break
        if s.failure != NULL:
            out[0] = status_clone(s.failure)
            result = WAIT_FAILED
            break
        if deadline >= 0 and now_ns() >= deadline:
            result = WAIT_TIMEOUT
            break
        cond_wait_until(&s.cv, &s.mu, deadline)
    pthread_mutex_unlock(&s.mu)
    return result


cdef void semaphore_notify(semaphore_t* s, uint64_t value, notify_fn fn, void* arg) noexcept nogil:
    """Call fn(arg, failure) once s reaches value (failure NULL) or fails:
    at once if it has, or with OUT_OF_MEMORY if no waiter can be queued."""
    cdef waiter_t* w = <waiter_t*>malloc(sizeof(waiter_t))
    cdef bint reached
    cdef const lite_status* failure   # immutable once set, and s outlives this call
    pthread_mutex_lock(&s.mu)
    reached = s.value >= value
    failure = s.failure
    if reached or failure != NULL or w == NULL:
        pthread_mutex_unlock(&s.mu)
        free(w)
        fn(arg, NULL if reached else failure if failure != NULL else &OUT_OF_MEMORY)
        return
    w.value = value
    w.fn = fn
    w.arg = arg
    w.next = s.waiters
    s.waiters = w
    pthread_mutex_unlock(&s.mu)


# -- fences -------------------------------------------------------------------

cdef struct fence_t:
    int refcount
    int count
    int capacity
    semaphore_t** sems
    uint64_t* values


cdef fence_t* fence_create() noexcept nogil:
    """An empty fence: a pooled one keeps its arrays (count 0)."""
    cdef size_t size
    cdef fence_t* f = <fence_t*>lite_pool_take(&lite_fence_pool, sizeof(fence_t), &size)
    if f == NULL:
        f = <fence_t*>calloc(1, sizeof(fence_t))
    if f != NULL:
        f.refcount = 1
    return f


cdef void fence_retain(fence_t* f) noexcept nogil:
    if f != NULL:
        atomic_inc(&f.refcount)


cdef void fence_release(fence_t* f) noexcept nogil:
    cdef int i
    if f == NULL or atomic_dec(&f.refcount) != 0:
        return
    for i in range(f.count):
        semaphore_release(f.sems[i])
    f.count = 0
    if not lite_pool_give(&lite_fence_pool, f, sizeof(fence_t)):
        free(f.sems)
        free(f.values)
        free(f)


cdef int fence_insert(fence_t* f, semaphore_t* s, uint64_t value) noexcept nogil:
    """Add a timepoint (the larger value wins for a semaphore already in
    the fence). -1 if out of memory."""
    cdef int i
    for i in range(f.count):
        if f.sems[i] == s:
            if value > f.values[i]:
                f.values[i] = value
            return 0
    if f.count == f.capacity:
        f.capacity = f.capacity * 2 + 2
        f.sems = <semaphore_t**>realloc(f.sems, f.capacity * sizeof(semaphore_t*))
        f.values = <uint64_t*>realloc(f.values, f.capacity * sizeof(uint64_t))
        if f.sems == NULL or f.values == NULL:
            return -1
    semaphore_retain(s)
    f.sems[f.count] = s
    f.values[f.count] = value
    f.count += 1
    return 0


cdef fence_t* fence_create_at(semaphore_t* s, uint64_t value) noexcept nogil:
    cdef fence_t* f = fence_create()
    if f != NULL and fence_insert(f, s, value) != 0:
        fence_release(f)
        return NULL
    return f


cdef fence_t* fence_new_pending() noexcept nogil:
    """A fence over a fresh semaphore at 0 that is reached at 1."""
    cdef semaphore_t* s = semaphore_create(0)
    if s == NULL:
        return NULL
    cdef fence_t* f = fence_create_at(s, 1)
    semaphore_release(s)
    return f


cdef int fence_insert_all(fence_t* f, fence_t* src) noexcept nogil:
    cdef int i
    if src != NULL:
        for i in range(src.count):
            if fence_insert(f, src.sems[i], src.values[i]) != 0:
                return -1
    return 0


cdef fence_t* fence_join(fence_t* a, fence_t* b) noexcept nogil:
    """The union of two fences' timepoints (either may be NULL)."""
    cdef fence_t* f = fence_create()
    if f != NULL and (fence_insert_all(f, a) != 0 or fence_insert_all(f, b) != 0):
        fence_release(f)
        return NULL
    return f


cdef lite_status* fence_signal(fence_t* f, trace_t* trace) noexcept nogil:
    """Signal every timepoint (traced in `trace` if not NULL); returns the
    first error, if any."""
    cdef lite_status* first = NULL
    cdef lite_status* st
    cdef int i
    if f == NULL:
        return NULL
    for i in range(f.count):
        st = semaphore_signal(f.sems[i], f.values[i], trace)
        if st != NULL:
            if first == NULL:
                first = st
            else:
                status_free(st)
    return first


cdef void fence_fail(fence_t* f, lite_status* st) noexcept nogil:
    """Fail every semaphore of the fence with st (consumed)."""
    cdef int i
    if f != NULL:
        for i in range(f.count):
            semaphore_fail(f.sems[i], status_clone(st))
    status_free(st)


cdef int fence_wait(fence_t* f, int64_t timeout_ns, lite_status** out) noexcept nogil:
    cdef int64_t deadline = -1 if timeout_ns < 0 else now_ns() + timeout_ns
    cdef int i, r
    if f == NULL:
        return WAIT_REACHED
    for i in range(f.count):
        r = semaphore_wait(f.sems[i], f.values[i],
                           -1 if deadline < 0 else max(<int64_t>0, deadline - now_ns()), out)
        if r != WAIT_REACHED:
            return r
    return WAIT_REACHED


cdef void trace_wait_done(trace_t* t, fence_t* f, int64_t t0) noexcept nogil:
    """Record a reached wait on f that began at t0: its span, and a flow
    from each timepoint's last signal traced in t."""
    cdef int64_t t1 = now_ns()
    cdef int64_t sig_ns
    cdef int i, sig_thread
    cdef semaphore_t* s
    if f == NULL:
        return
    for i in range(f.count):
        s = f.sems[i]
        pthread_mutex_lock(&s.mu)
        # A signal from before this trace began belongs to an earlier one
        # that had the same address.
        sig_thread = s.sig_thread if s.sig_trace == t and s.sig_ns >= t.origin else 0
        sig_ns = s.sig_ns
        pthread_mutex_unlock(&s.mu)
        if sig_thread != 0:
            trace_record(t, TRACE_FLOW, sig_ns, t1, sig_thread, 0, 0, trace_new_id(t))
    # The span ends after the flows' finish times, so each lies inside it.
    trace_record(t, TRACE_WAIT, t0, now_ns(), 0, 0, 0, 0)


cdef int fence_is_reached(fence_t* f) noexcept nogil:
    cdef int i
    if f == NULL:
        return 1
    for i in range(f.count):
        if semaphore_query(f.sems[i], NULL) < f.values[i]:
            return 0
    return 1


ctypedef struct fence_join_t:
    # Counts down the timepoints of one fence_notify; the first failure or
    # the last arrival calls fn, once.
    int remaining
    int fired
    notify_fn fn
    void* arg


cdef void fence_join_arrive(void* p, const lite_status* failure) noexcept nogil:
    cdef fence_join_t* j = <fence_join_t*>p
    if failure != NULL:
        if atomic_cas_int(&j.fired, 0, 1):
            j.fn(j.arg, failure)
    if atomic_dec(&j.remaining) == 0:
        if atomic_cas_int(&j.fired, 0, 1):
            j.fn(j.arg, NULL)
        free(j)


cdef void fence_notify(fence_t* f, notify_fn fn, void* arg) noexcept nogil:
    cdef fence_join_t* j
    cdef int i
    if f == NULL or f.count == 0:
        fn(arg, NULL)
        return
    if f.count == 1:
        semaphore_notify(f.sems[0], f.values[0], fn, arg)
        return
    j = <fence_join_t*>malloc(sizeof(fence_join_t))
    if j == NULL:
        fn(arg, &OUT_OF_MEMORY)
        return
    j.remaining = f.count
    j.fired = 0
    j.fn = fn
    j.arg = arg
    for i in range(f.count):
        semaphore_notify(f.sems[i], f.values[i], fence_join_arrive, j)


# -- Python wrappers ------------------------------------------------------------

cdef int wait_interruptibly(semaphore_t* s, fence_t* f, uint64_t value, timeout) except -1:
    """Wait on a semaphore timepoint or a fence from Python: the GIL is
    released, and Ctrl-C is honoured between 50 ms slices. Returns
    WAIT_REACHED or WAIT_TIMEOUT; raises VMError on failure."""
    cdef int64_t deadline = -1 if timeout is None else now_ns() + <int64_t>(float(timeout) * 1e9)
    cdef int64_t slice_ns
    cdef int r
    cdef lite_status* st = NULL
    while True:
        slice_ns = 50000000
        if deadline >= 0:
            slice_ns = min(slice_ns, max(<int64_t>0, deadline - now_ns()))
        with nogil:
            if f != NULL:
                r = fence_wait(f, slice_ns, &st)
            else:
                r = semaphore_wait(s, value, slice_ns, &st)
        if r == WAIT_FAILED:
            raise_status(st)
        if r == WAIT_REACHED or (deadline >= 0 and now_ns() >= deadline):
            return r
        PyErr_CheckSignals()


cdef class Semaphore:
    """A timeline semaphore (for tests and the Python API)."""
    cdef semaphore_t* ptr

    def __cinit__(self, uint64_t initial=0):
        self.ptr = semaphore_create(initial)
        if self.ptr == NULL:
            raise MemoryError("out of memory for a semaphore")

    def __dealloc__(self):
        semaphore_release(self.ptr)

    def signal(self, uint64_t value):
        cdef lite_status* st
        with nogil:
            st = semaphore_signal(self.ptr, value, NULL)
        if st != NULL:
            raise_status(st)

    def fail(self, code, str message):
        cdef int c = status_code_of(code)
        cdef bytes m = message.encode()
        cdef const char* text = m
        with nogil:
            semaphore_fail(self.ptr, status_new(c, text))

    def wait(self, uint64_t value, timeout=None):
        """True once the value is reached, False on timeout; raises VMError
        if the semaphore failed."""
        return wait_interruptibly(self.ptr, NULL, value, timeout) == WAIT_REACHED

    def query(self):
        return semaphore_query(self.ptr, NULL)


cdef class Fence:
    """A set of semaphore timepoints. `Fence()` is a fresh pending fence."""
    cdef fence_t* ptr

    def __cinit__(self, bint pending=True):
        self.ptr = fence_new_pending() if pending else fence_create()
        if self.ptr == NULL:
            raise MemoryError("out of memory for a fence")

    def __dealloc__(self):
        fence_release(self.ptr)

    @staticmethod
    def at(Semaphore semaphore, uint64_t value):
        cdef Fence f = Fence(False)
        if fence_insert(f.ptr, semaphore.ptr, value) != 0:
            raise MemoryError("out of memory for a fence")
        return f

    @staticmethod
    def join(Fence a, Fence b):
        return fence_adopt(fence_join(a.ptr if a is not None else NULL, b.ptr if b is not None else NULL))

    def insert(self, Semaphore semaphore, uint64_t value):
        if fence_insert(self.ptr, semaphore.ptr, value) != 0:
            raise MemoryError("out of memory for a fence")

    def signal(self):
        cdef lite_status* st
        with nogil:
            st = fence_signal(self.ptr, NULL)
        if st != NULL:
            raise_status(st)

    def fail(self, code, str message):
        cdef int c = status_code_of(code)
        cdef bytes m = message.encode()
        cdef const char* text = m
        with nogil:
            fence_fail(self.ptr, status_new(c, text))

    def wait(self, timeout=None):
        """True once reached, False on timeout; raises VMError on failure."""
        return wait_interruptibly(NULL, self.ptr, 0, timeout) == WAIT_REACHED

    @property
    def is_reached(self):
        return bool(fence_is_reached(self.ptr))

    @property
    def timepoints(self):
        return self.ptr.count


cdef Fence fence_adopt(fence_t* f):
    """Wrap an owned fence reference."""
    if f == NULL:
        raise MemoryError("out of memory for a fence")
    cdef Fence obj = Fence.__new__(Fence, False)
    fence_release(obj.ptr)
    obj.ptr = f
    return obj


cdef Fence fence_wrap(fence_t* f):
    """Wrap a borrowed fence reference (retains it)."""
    fence_retain(f)
    return fence_adopt(f)
