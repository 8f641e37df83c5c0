# Status objects: NULL means OK; otherwise a heap-allocated code + message.

from libc.stdlib cimport malloc, free
from libc.string cimport strlen, memcpy

cdef enum:
    STATUS_OK = 0
    STATUS_CANCELLED = 1
    STATUS_UNKNOWN = 2
    STATUS_INVALID_ARGUMENT = 3
    STATUS_DEADLINE_EXCEEDED = 4
    STATUS_NOT_FOUND = 5
    STATUS_PERMISSION_DENIED = 7
    STATUS_RESOURCE_EXHAUSTED = 8
    STATUS_FAILED_PRECONDITION = 9
    STATUS_ABORTED = 10
    STATUS_OUT_OF_RANGE = 11
    STATUS_UNIMPLEMENTED = 12
    STATUS_INTERNAL = 13

ctypedef struct lite_status:
    int code
    char* message


# What status_new gives when it cannot allocate: a failure all the same,
# since NULL would read as success. Shared and never freed (status_free).
cdef lite_status OUT_OF_MEMORY
OUT_OF_MEMORY.code = STATUS_RESOURCE_EXHAUSTED
OUT_OF_MEMORY.message = b"out of memory"


cdef lite_status* status_new(int code, const char* message) noexcept nogil:
    cdef size_t n = strlen(message)
    cdef lite_status* st = <lite_status*>malloc(sizeof(lite_status) + n + 1)
    if st == NULL:
        return &OUT_OF_MEMORY
    st.code = code
    st.message = <char*>(st + 1)
    memcpy(st.message, message, n + 1)
    return st


cdef lite_status* status_clone(const lite_status* st) noexcept nogil:
    return status_new(st.code, st.message) if st != NULL else NULL


cdef void status_free(lite_status* st) noexcept nogil:
    if st != &OUT_OF_MEMORY:
        free(st)


from iree_lite.vm.errors import STATUS_CODES, VMError
_CODE_NAMES = {v: k for k, v in STATUS_CODES.items()}


cdef object status_to_exception(lite_status* st):
    """The VMError for a status (consumed)."""
    err = VMError(_CODE_NAMES.get(st.code, "UNKNOWN"), st.message.decode("utf-8", "replace"))
    status_free(st)
    return err


cdef int raise_status(lite_status* st) except -1:
    raise status_to_exception(st)


cdef int status_code_of(code) except -1:
    """A status code from a name ('ABORTED') or a number."""
    if isinstance(code, str):
        if code not in STATUS_CODES:
            raise ValueError(f"unknown status code '{code}'")
        return STATUS_CODES[code]
    return int(code)
