"""The native VM extension (iree_lite._vm), loaded once and checked against this
instruction-set table. Its own module so that context.py and chrome_trace.py both
use it without importing each other."""
import functools

from ..vm.errors import VMError


@functools.lru_cache(maxsize=None)
def native_vm():
    from .. import _vm
    from ..isa import fingerprint
    if getattr(_vm, "ISA_FINGERPRINT", None) != fingerprint():
        raise VMError("FAILED_PRECONDITION", "the native VM (iree_lite._vm) was built from another version "
                      "of the instruction set; rebuild it (pip install . or python setup.py build_ext --inplace)")
    return _vm
