"""The reference interpreter's values: buffer views and fences (the native
VM's are csrc/buffers.pxi and csrc/sync.pxi)."""
import threading

from ..ir.elements import SIZES, size_error, unpack
from .errors import VMError


class Buffer:
    """A buffer view: element type name, shape and row-major bytes."""

    def __init__(self, element, shape, data=None, readonly=False):
        self.element = element
        self.shape = tuple(shape)
        error = size_error(element, self.shape)
        if error is not None:
            raise ValueError(f"Buffer: {error[1]}")
        n = 1
        for d in self.shape:
            n *= d
        self.count = n
        try:
            self.data = bytearray(n * SIZES[element]) if data is None else data
        except MemoryError:   # as the Cython VM's malloc failing
            raise VMError("RESOURCE_EXHAUSTED", "out of memory allocating a buffer") from None
        self.readonly = readonly

    def values(self):
        return unpack(self.element, bytes(self.data[:self.count * SIZES[self.element]]))

    def tobytes(self):
        return bytes(self.data[:self.count * SIZES[self.element]])

    def __repr__(self):
        return f"Buffer({self.element}, {self.shape})"


class Fence:
    """Pending until signalled or failed; both are final (sticky)."""

    def __init__(self, reached=False):
        self._cv = threading.Condition()
        self.reached = reached
        self.error = None
        self._callbacks = []

    def _settle(self, error):
        with self._cv:
            if self.reached or self.error is not None:
                if error is None:
                    raise VMError("FAILED_PRECONDITION", "fence signalled twice")
                return
            if error is None:
                self.reached = True
            else:
                self.error = error
            callbacks, self._callbacks = self._callbacks, []
            self._cv.notify_all()
        for cb in callbacks:
            cb(error)

    def signal(self):
        self._settle(None)

    def fail(self, error):
        self._settle(error)

    def on_settled(self, cb):
        """cb(error or None), once: now if settled, else when it is."""
        with self._cv:
            if not self.reached and self.error is None:
                self._callbacks.append(cb)
                return
        cb(self.error)

    def wait(self, timeout=None):
        with self._cv:
            if not self._cv.wait_for(lambda: self.reached or self.error is not None, timeout):
                raise VMError("DEADLINE_EXCEEDED", "timed out waiting on fence")
        if self.error is not None:
            raise self.error


def when_settled(fence, cb):
    """cb(error or None) once `fence` settles; now for None (a null fence: reached)."""
    if fence is None:
        cb(None)
    else:
        fence.on_settled(cb)
