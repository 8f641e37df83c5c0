"""Small element types at a public function's boundary, as IREE 3.13 has them.

Inside a function iree-lite keeps a sub-byte integer or small float a byte
an element (isa/smallfloat.py); IREE's buffers hold
- i2, i4 and f4E2M1FN packed: element k in bits k*w .. k*w+w-1 of the
  buffer, lowest bits first (two i4 a byte, the first in the low nibble);
- the f8 formats a byte each.
IREE's compiler keeps the other widths (i3, i5..i7, f6*) a byte each while
its runtime sizes their buffers packed, so it cannot pass them at all; nor
does iree-lite.

IREE's runtime names an element by its HAL type: f4E2M1FN is `f4`, and
f8E4M3 and f8E3M4, which have no HAL type of their own, are `f8`.
"""
from ..isa.smallfloat import FORMATS

PACKED = {"i2": 2, "i4": 4, "f4E2M1FN": 4}
BYTE_FORMATS = tuple(name for name, f in FORMATS.items() if f.bits == 8)
PUBLIC = (*PACKED, *BYTE_FORMATS)
# The f8 formats IREE's runtime parses and prints as numbers; the others
# (and the packed types) it reads and writes as hex bytes.
NAMED_F8 = ("f8E5M2", "f8E4M3FN", "f8E5M2FNUZ", "f8E4M3FNUZ", "f8E8M0FNU")


def hal_name(element):
    """The name IREE's runtime gives `element`'s buffers (MLIR name in)."""
    if element == "f4E2M1FN":
        return "f4"
    if element in BYTE_FORMATS and element not in NAMED_F8:
        return "f8"
    return element


HAL_NAMES = {hal_name(e): e for e in PUBLIC}   # f8 -> one of the formats it names; only its width matters


def packed_bits(hal):
    """Bits an element of HAL type `hal` takes in a packed buffer; None for
    a byte (or wider) element."""
    return PACKED.get(HAL_NAMES.get(hal))


def packed_size(hal, count):
    return (count * packed_bits(hal) + 7) // 8


def pack(hal, codes):
    """Bytes of a packed buffer from per-element bytes (their low bits)."""
    bits = packed_bits(hal)
    per = 8 // bits
    mask = (1 << bits) - 1
    out = bytearray((len(codes) + per - 1) // per)
    for k, c in enumerate(codes):
        out[k // per] |= (c & mask) << (k % per * bits)
    return out


def unpack(hal, data, count):
    """Per-element bytes (an integer sign-extended, a float its bit pattern)
    of the first `count` elements of a packed buffer."""
    bits = packed_bits(hal)
    per = 8 // bits
    mask = (1 << bits) - 1
    signed = hal.startswith("i")
    out = bytearray(count)
    for k in range(count):
        c = data[k // per] >> (k % per * bits) & mask
        out[k] = c | (0x100 - (1 << bits)) if signed and c >> (bits - 1) else c
    return out
