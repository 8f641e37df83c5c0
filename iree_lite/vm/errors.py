"""The status error both VMs raise: IREE's status code name plus a message."""
from ..ir.elements import size_error

STATUS_CODES = {"OK": 0, "CANCELLED": 1, "UNKNOWN": 2, "INVALID_ARGUMENT": 3, "DEADLINE_EXCEEDED": 4,
                "NOT_FOUND": 5, "ALREADY_EXISTS": 6, "PERMISSION_DENIED": 7, "RESOURCE_EXHAUSTED": 8,
                "FAILED_PRECONDITION": 9, "ABORTED": 10, "OUT_OF_RANGE": 11, "UNIMPLEMENTED": 12,
                "INTERNAL": 13, "UNAVAILABLE": 14, "DATA_LOSS": 15, "UNAUTHENTICATED": 16}


class VMError(Exception):
    def __init__(self, code_name, message):
        super().__init__(f"{code_name}; {message}")
        self.code_name = code_name
        self.message = message


def check_size(op, element, shape, shown=None):
    """Raise the error instruction `op` fails with for a shape no buffer of
    `element` may have (iree_lite.ir.elements.size_error)."""
    error = size_error(element, shape, shown)
    if error is not None:
        raise VMError(error[0], f"{op}: {error[1]}")
