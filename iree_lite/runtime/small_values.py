"""Tensors of small element types (ir/boundary.py) crossing a call.

A compiled function keeps such a tensor a byte an element (an integer
sign-extended, a float its bit pattern); callers see IREE's buffer: packed
for i2, i4 and f4E2M1FN, a byte an element for the f8 formats. Arguments
are unpacked here on the way in, results wrapped on the way out, for the
native VM and the reference interpreter alike.
"""
import functools
import math

from ..ir import boundary
from ..vm.errors import VMError

# ml_dtypes' names for the types it has; without ml_dtypes, or for a type
# it lacks, numpy sees the bytes (uint8, int8 for the integers).
_ML_DTYPES = {"i2": "int2", "i4": "int4", "f4E2M1FN": "float4_e2m1fn", "f8E5M2": "float8_e5m2",
              "f8E4M3": "float8_e4m3", "f8E3M4": "float8_e3m4", "f8E4M3FN": "float8_e4m3fn",
              "f8E5M2FNUZ": "float8_e5m2fnuz", "f8E4M3FNUZ": "float8_e4m3fnuz", "f8E8M0FNU": "float8_e8m0fnu"}


class SmallTensor:
    """A result of a small element type: `storage`, its VM buffer (a byte an
    element), and `element`, its MLIR element type."""

    def __init__(self, element, storage):
        self.element = element
        self.storage = storage
        self.shape = tuple(storage.shape)

    @property
    def hal_element(self):
        return boundary.hal_name(self.element)

    def tobytes(self):
        """The bytes of IREE's buffer for it."""
        data = bytes(self.storage.tobytes())
        if self.element in boundary.PACKED:
            return bytes(boundary.pack(self.hal_element, data))
        return data

    def __array__(self, dtype=None, copy=None):
        import numpy as np
        codes = np.frombuffer(bytes(self.storage.tobytes()), dtype=np.uint8).reshape(self.shape)
        ml = _ml_dtype(self.element)
        if ml is not None:
            # ml_dtypes' sub-byte arrays hold an element a byte, as the storage does.
            array = (codes & (1 << boundary.PACKED[self.element]) - 1 if self.element in boundary.PACKED
                     else codes).view(ml)
        else:
            array = codes.view(np.int8) if self.element.startswith("i") else codes.copy()
        return array if dtype is None else array.astype(dtype)

    def __repr__(self):
        return f"<SmallTensor {self.element} {self.shape}>"


def _ml_dtype(element):
    try:
        import ml_dtypes
    except ImportError:
        return None
    return getattr(ml_dtypes, _ML_DTYPES[element], None)


def is_small(element):
    return element in boundary.PUBLIC


def storage_bytes(what, value, element, shape, check_tensor):
    """The storage bytes (a byte an element) of argument `value` for a
    parameter of small `element` (MLIR name) and `shape`: a SmallTensor,
    host data in IREE's layout (shape, element as IREE names it, data), or a
    numpy array (of ml_dtypes' type for it, or of its bytes: uint8/int8 for
    the f8 formats, one element a byte for the packed types)."""
    hal = boundary.hal_name(element)
    if isinstance(value, SmallTensor):
        check_tensor(what, value.hal_element, value.shape, hal, shape)
        return value.shape, bytes(value.storage.tobytes())
    if hasattr(value, "element") and hasattr(value, "data"):
        check_tensor(what, value.element, value.shape, hal, shape)
        if boundary.packed_bits(hal):
            return value.shape, bytes(boundary.unpack(hal, value.data, math.prod(value.shape)))
        return value.shape, bytes(value.data)
    if hasattr(value, "shape") and hasattr(value, "element"):   # a VM buffer of another type
        check_tensor(what, value.element, value.shape, hal, shape)
    return _from_array(what, value, element, shape, check_tensor)


def _from_array(what, value, element, shape, check_tensor):
    import numpy as np
    array = np.ascontiguousarray(value)
    ml = _ml_dtype(element)
    if not (array.dtype == ml or array.dtype in (np.uint8, np.int8)):
        raise VMError("INVALID_ARGUMENT", f"{what} expected an array of {element} "
                      f"(ml_dtypes.{_ML_DTYPES[element]}, or int8/uint8 a byte an element) but got {array.dtype}")
    check_tensor(what, boundary.hal_name(element), array.shape, boundary.hal_name(element), shape)
    codes = array.view(np.uint8)
    if element in boundary.PACKED:   # sign-extended for the integers, as the VM keeps them
        bits = boundary.PACKED[element]
        codes = codes & ((1 << bits) - 1)
        if element.startswith("i"):
            codes = np.where(codes >> (bits - 1), codes | (0x100 - (1 << bits)), codes).astype(np.uint8)
    return array.shape, codes.tobytes()


def wrap_results(values, types):
    """Results as callers see them: a SmallTensor for each of a small type."""
    elements = _small_elements(tuple(types))
    if not any(elements):
        return values
    return [v if e is None else SmallTensor(e, v) for v, e in zip(values, elements)]


@functools.lru_cache(maxsize=None)
def _small_elements(types):
    """Per type: its element if a tensor of a small type, else None."""
    from ..vm.verifier import parse_tensor_type
    parsed = [parse_tensor_type(t) for t in types]
    return tuple(e if shape is not None and is_small(e) else None for e, shape in parsed)
