"""Command-line values of small element types (ir/boundary.py), as
iree-run-module 3.13 reads and writes them.

IREE's runtime names the element by its HAL type (`f4` for f4E2M1FN, `f8`
for f8E4M3 and f8E3M4) and
- reads and prints the five f8 formats it has HAL types for as numbers,
  converted as its runtime converts (iree/base/internal/math.h: round to
  nearest even, f32 subnormals to zero, past the largest finite value to
  infinity or NaN) and printed with %G;
- reads and prints every other small type as its buffer's bytes, two hex
  digits a byte: `--input=4xi4=21,7D` is the i4 values 1 2 -3 7 (two a byte,
  the first in the low nibble), one byte alone fills the buffer. IREE cannot
  print a packed tensor of more elements than bytes (OUT_OF_RANGE); iree-lite
  prints its bytes, the form `--input` and `--expected_output` read.
Raw files (`=@file`, `--output=@x.bin`) hold the buffer's bytes; .npy files
hold i2 and i4 a byte an element (int8), as IREE's header says; the float
types have no .npy dtype.
"""
import math
import struct

from ..ir import boundary

# What a `--input` type may name: MLIR's names and IREE's HAL names.
SPEC_ELEMENTS = {**{e: boundary.hal_name(e) for e in boundary.PUBLIC}, "f4": "f4", "f8": "f8"}
_F8_FORMATS = {  # IREE's runtime formats: (exponent bits, mantissa bits, infinity, bias tweak, NaN as -0)
    "f8E5M2": (5, 2, True, 0, False), "f8E4M3FN": (4, 3, False, 0, False),
    "f8E5M2FNUZ": (5, 2, False, 1, True), "f8E4M3FNUZ": (4, 3, False, 1, True)}


def is_small(hal):
    return hal in boundary.HAL_NAMES


def is_numeric(hal):
    return hal in boundary.NAMED_F8


def nbytes(hal, count):
    return boundary.packed_size(hal, count) if boundary.packed_bits(hal) else count


def units(hal, shape):
    """How many `--input` words fill a tensor: its bytes, or for the numeric
    f8 formats its elements."""
    return nbytes(hal, math.prod(shape))


def parse_word(text, hal, error):
    """The byte a word gives (`error(code, message)` builds the exception)."""
    if is_numeric(hal):
        try:
            value = _f32(float(text))
        except ValueError:
            raise error("INVALID_ARGUMENT", None) from None
        return bytes([to_f8(hal, value)])
    if len(text) != 2:
        raise error("INVALID_ARGUMENT", f"binary hex element count mismatch: buffer length={len(text)} < expected=2")
    # IREE reads a character that is not a hex digit as 0.
    return bytes([_hex(text[0]) << 4 | _hex(text[1])])


def _hex(c):
    return int(c, 16) if c in "0123456789abcdefABCDEF" else 0


def unit_values(hal, data):
    """The printed units of a buffer: f8 numbers or byte values."""
    return [from_f8(hal, b) for b in data] if is_numeric(hal) else list(data)


def format_unit(value, hal):
    return "%G" % value if is_numeric(hal) else "%02X" % value


def npy(hal, shape, data):
    """(descr, data) of an .npy file of the buffer, or None for no dtype."""
    if hal in ("i2", "i4"):
        return "|i1", bytes(boundary.unpack(hal, data, math.prod(shape)))
    return None


def _f32(x):
    """x rounded to f32, as strtof reads it."""
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def from_f8(hal, code):
    """IREE's runtime value of an f8 code."""
    if hal == "f8E8M0FNU":
        return math.nan if code == 0xFF else math.ldexp(1.0, code - 127)
    ebits, mbits, inf, tweak, nan_neg_zero = _F8_FORMATS[hal]
    bias = tweak + (1 << (ebits - 1)) - 1
    sign = -1.0 if code & 0x80 else 1.0
    e, m = code >> mbits & ((1 << ebits) - 1), code & ((1 << mbits) - 1)
    if e == (1 << ebits) - 1:
        if inf:
            return math.nan if m else sign * math.inf
        if m == (1 << mbits) - 1 and not nan_neg_zero:
            return math.nan
    elif nan_neg_zero and code == 0x80:
        return math.nan
    elif e == 0:
        return sign * math.ldexp(m, 1 - bias - mbits)
    return sign * math.ldexp(m + (1 << mbits), e - bias - mbits)


def to_f8(hal, x):
    """IREE's runtime f8 code of f32 value x."""
    if hal == "f8E8M0FNU":
        if not math.isfinite(x):
            return 0xFF
        if x <= 0:
            return 0
        mantissa, exp = math.frexp(x)
        return max(0, min(0xFF, exp - (mantissa < 0.75) + 127))
    ebits, mbits, inf, tweak, nan_neg_zero = _F8_FORMATS[hal]
    bias = tweak + (1 << (ebits - 1)) - 1
    exp_mask, mant_mask = ((1 << ebits) - 1) << mbits, (1 << mbits) - 1
    (bits,) = struct.unpack("<I", struct.pack("<f", x))
    sign = bits >> 31 << 7
    f_exp, f_mant = bits >> 23 & 0xFF, bits & 0x7FFFFF
    gen_nan = gen_inf = False
    d_exp = d_mant = 0
    if f_exp == 0xFF:
        gen_nan, gen_inf = f_mant != 0, f_mant == 0
    elif f_exp != 0:   # (f32 subnormals become 0)
        exp = f_exp - 127
        if exp > (1 << (ebits - 1)) - inf:
            gen_inf = True
        elif exp + bias <= 0:   # a subnormal or zero
            shift = 23 - mbits - exp + 1 - bias
            d_mant = 0 if shift < 0 or shift > 23 else _round_even((1 << 23) + f_mant, shift) >> shift
        else:
            shift = 23 - mbits
            biased = _round_even(f_mant, shift)
            if biased > 0x7FFFFF:
                biased, exp = 0, exp + 1
            d_exp = (exp + bias) << mbits
            d_mant = biased >> shift
            if not inf and d_exp > exp_mask:
                gen_nan = True
    if gen_inf:
        if inf:
            return sign | exp_mask
        gen_nan = True
    if gen_nan:
        return 0x80 if nan_neg_zero else sign | exp_mask | mant_mask
    if nan_neg_zero and d_exp == 0 and d_mant == 0:
        return 0
    return sign | d_exp | d_mant


def _round_even(value, shift):
    even = 1 << shift
    odd = even >> 1
    return value + (odd if value & even else odd - 1)
