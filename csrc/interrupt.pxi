# Stopping calls: Ctrl-C (SIGINT) and deadlines.
#
# Each call carries a run_t: the SIGINT count when it began and its
# deadline. The VM loop checks it on backward branches (every loop goes
# through one), run_tiles per tile, and fence waits between short slices;
# a call that must stop fails with CANCELLED (interrupted) or
# DEADLINE_EXCEEDED. Work a call leaves behind (dispatch.async) keeps a copy,
# so it stops too.

cdef extern from "lite_interrupt.h" nogil:
    long long lite_sigint_count()
    void lite_sigint_arm()

cdef enum:
    WAIT_SLICE_NS = 20000000     # a stopped call's wait notices within this
    DEADLINE_POLL = 64           # backward branches between reads of the clock


ctypedef struct run_t:
    long long sigints            # lite_sigint_count() when the call began
    int64_t deadline_ns          # CLOCK_MONOTONIC; -1: none


cdef inline void run_begin(run_t* run, int64_t deadline_ns) noexcept nogil:
    run.sigints = lite_sigint_count()
    run.deadline_ns = deadline_ns


cdef inline int run_stop_code(const run_t* run) noexcept nogil:
    """STATUS_CANCELLED after a SIGINT since the call began,
    STATUS_DEADLINE_EXCEEDED past its deadline, else 0."""
    if lite_sigint_count() != run.sigints:
        return STATUS_CANCELLED
    if run.deadline_ns >= 0 and now_ns() >= run.deadline_ns:
        return STATUS_DEADLINE_EXCEEDED
    return 0


cdef inline const char* stop_message(int code) noexcept nogil:
    """The message of a stop code of run_stop_code."""
    return b"interrupted" if code == STATUS_CANCELLED else b"deadline exceeded"


cdef lite_status* run_check(const run_t* run) noexcept nogil:
    """The status a call that must stop fails with, or NULL."""
    cdef int code = run_stop_code(run)
    return status_new(code, stop_message(code)) if code != 0 else NULL


cdef inline lite_status* run_poll(const run_t* run, int* polls) noexcept nogil:
    """At a backward branch: the status of a call that must stop, or NULL.
    The SIGINT count is read every time; the clock, only where there is a
    deadline, every DEADLINE_POLL calls (`polls` counts them)."""
    if lite_sigint_count() != run.sigints:
        return status_new(STATUS_CANCELLED, stop_message(STATUS_CANCELLED))
    if run.deadline_ns >= 0:
        polls[0] += 1
        if polls[0] == DEADLINE_POLL:
            polls[0] = 0
            return run_check(run)
    return NULL


cdef int fence_wait_for_run(fence_t* f, const run_t* run, lite_status** out) noexcept nogil:
    """fence_wait without limit, in slices, for a call that may have to
    stop: WAIT_FAILED with the stop status in *out if it must."""
    cdef int r
    while True:
        r = fence_wait(f, WAIT_SLICE_NS, out)
        if r != WAIT_TIMEOUT:
            return r
        out[0] = run_check(run)
        if out[0] != NULL:
            return WAIT_FAILED
