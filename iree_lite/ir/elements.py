"""Element codecs: Python numbers <-> little-endian bytes, for every element type.

One definition serves constants in the compiler, buffers in the reference
interpreter and values on the command line. i1 is one byte per element, and so are
the other sub-byte types (an integer sign-extended, a small float its bit
pattern: isa/smallfloat.py); bf16 is the upper half of an f32, rounded to
nearest even.
"""
import struct
from array import array

from ..isa import smallfloat
from ..isa.table import CONV_WINDOW_LIMIT, MAX_BUFFER_BYTES  # noqa: F401  (CONV_WINDOW_LIMIT re-exported)

SUB_BYTE_INTS = tuple(f"i{n}" for n in range(2, 8))   # a byte an element, sign-extended
STRUCT_CODES = {"i1": "B", **dict.fromkeys(SUB_BYTE_INTS, "b"), "i8": "b", "i16": "h", "i32": "i", "i64": "q", "index": "q",
                "f16": "e", "f32": "f", "f64": "d"}
SIZES = {"i1": 1, **dict.fromkeys(SUB_BYTE_INTS, 1), "i8": 1, "i16": 2, "i32": 4, "i64": 8, "index": 8,
         "f16": 2, "bf16": 2, "f32": 4, "f64": 8, **{name: 1 for name in smallfloat.FORMATS}}
INT_BITS = {"i1": 1, **{name: int(name[1:]) for name in SUB_BYTE_INTS}, "i8": 8, "i16": 16, "i32": 32, "i64": 64, "index": 64}


def shape_str(element, shape):
    """`tensor<4x?xf32>`: a type in errors, -1 being a dynamic dimension."""
    return "tensor<" + "".join(("?" if d == -1 else f"{d}") + "x" for d in shape) + element + ">"


def size_error(element, shape, shown=None):
    """None for a shape a buffer of `element` may have, else (status code
    name, message naming `shown`, by default the shape): a negative
    dimension, or more than MAX_BUFFER_BYTES bytes, a zero dimension counted
    as one. The Cython VM words these alike (csrc/buffers.pxi size_status)."""
    shown = shape if shown is None else shown
    for k, d in enumerate(shape):
        if d < 0:
            return "INVALID_ARGUMENT", f"size {d} of dimension {k} of {shape_str(element, shown)} is negative"
    n = SIZES[element]
    for d in shape:
        n *= max(d, 1)
    if n > MAX_BUFFER_BYTES:
        return "RESOURCE_EXHAUSTED", (f"{shape_str(element, shown)} is larger than the {MAX_BUFFER_BYTES} "
                                      "bytes a buffer may hold")
    return None


def wrap_int(element, value):
    """Two's-complement wrap of an int to the element's width (i1 is 0 or 1)."""
    bits = INT_BITS[element]
    if bits == 1:
        return value & 1
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def f32_to_bf16_bits(x):
    # Through f32 first (overflowing to infinity), as the VM computes bf16.
    (bits,) = struct.unpack("<I", array("f", [x]).tobytes())
    if (bits & 0x7F800000) == 0x7F800000 and bits & 0x7FFFFF:   # NaN stays a quiet NaN
        return (bits >> 16) | 0x40
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) & 0xFFFF


def pack(element, values):
    if element in smallfloat.FORMATS:
        return bytes(smallfloat.encode(element, array("f", [float(v)])[0]) for v in values)
    if element == "bf16":
        return struct.pack(f"<{len(values)}H", *(f32_to_bf16_bits(float(v)) for v in values))
    if element in INT_BITS:
        values = [wrap_int(element, int(v)) for v in values]
    else:
        values = [float(v) for v in values]
    try:
        return struct.pack(f"<{len(values)}{STRUCT_CODES[element]}", *values)
    except OverflowError:
        # f16 overflow: IEEE rounding of a too-large value is infinity.
        return b"".join(_pack_one(element, v) for v in values)


def _pack_one(element, v):
    try:
        return struct.pack("<" + STRUCT_CODES[element], v)
    except OverflowError:
        return struct.pack("<e", float("inf") if v > 0 else float("-inf"))


def unpack(element, data):
    if element in smallfloat.FORMATS:
        return [smallfloat.decode(element, b) for b in data]
    n = len(data) // SIZES[element]
    if element == "bf16":
        return [struct.unpack("<f", struct.pack("<I", h << 16))[0]
                for h in struct.unpack(f"<{n}H", data)]
    return list(struct.unpack(f"<{n}{STRUCT_CODES[element]}", data))
