"""Small float formats (f8*, f6*, f4*): one table per format, for every user.

iree-lite stores each element of a small float, as of a sub-byte integer,
in a byte of its own: a small float's byte is its bit pattern. Code computes
in f32: a value decodes to f32 exactly; a result encodes back rounded to
nearest, ties to even, as MLIR's APFloat (and so IREE) rounds. Above the
largest finite value, a result rounds as if the exponent went on; what it
rounds to past the largest becomes infinity (IEEE-like formats), NaN (FN,
FNUZ: no infinity; unsigned, as IREE has it) or the largest value (the
f4/f6 formats: no NaN either; a NaN encodes as 0 there). As IREE does,
f8E4M3FN rounds onto its NaN pattern as onto a value (480), keeping the sign.
f8E8M0FNU (an exponent: 2^(e - 127), 0xFF NaN, no sign) converts as MLIR
expands `arith.extf`/`truncf` of it: to and from an f32's exponent bits
(so code 0 is 0.0, not 2^-127, and truncf truncates).

The compiler, the reference interpreter and (through tables generated into
csrc/isa_kernels.pxi) the native VM all read FORMATS and `tables`.
"""
import collections
import functools
import math
import struct


# `kind`: 'ieee' (inf and NaN), 'fn' (NaN = all ones), 'fnuz' (NaN = -0),
# 'finite' or 'e8m0'. A namedtuple, not a dataclass: run-module imports this
# table, and dataclasses cost start-up time.
Format = collections.namedtuple("Format", "name bits ebits mbits bias kind")


# Codes (the t.fdecode/t.fencode `fmt` field) are the order here.
FORMATS = {f.name: f for f in (
    Format("f8E5M2", 8, 5, 2, 15, "ieee"),
    Format("f8E4M3", 8, 4, 3, 7, "ieee"),
    Format("f8E3M4", 8, 3, 4, 3, "ieee"),
    Format("f8E4M3FN", 8, 4, 3, 7, "fn"),
    Format("f8E5M2FNUZ", 8, 5, 2, 16, "fnuz"),
    Format("f8E4M3FNUZ", 8, 4, 3, 8, "fnuz"),
    Format("f8E8M0FNU", 8, 8, 0, 127, "e8m0"),
    Format("f6E2M3FN", 6, 2, 3, 1, "finite"),
    Format("f6E3M2FN", 6, 3, 2, 3, "finite"),
    Format("f4E2M1FN", 4, 2, 1, 1, "finite"),
)}
FORMAT_CODES = {name: i for i, name in enumerate(FORMATS)}


def _decode(f, code):
    if f.kind == "e8m0":   # the f32 of these exponent bits, as MLIR expands extf: 0 for code 0
        return math.nan if code == 0xFF else struct.unpack("<f", struct.pack("<I", code << 23))[0]
    sign = -1.0 if code >> (f.bits - 1) & 1 else 1.0
    e = code >> f.mbits & ((1 << f.ebits) - 1)
    m = code & ((1 << f.mbits) - 1)
    top = (1 << f.ebits) - 1
    if f.kind == "fnuz" and code == 1 << (f.bits - 1):
        return math.nan
    if f.kind == "ieee" and e == top:
        return sign * math.inf if m == 0 else math.copysign(math.nan, sign)
    if f.kind == "fn" and e == top and m == (1 << f.mbits) - 1:
        return math.copysign(math.nan, sign)
    if e == 0:
        return sign * math.ldexp(m, 1 - f.bias - f.mbits)
    return sign * math.ldexp((1 << f.mbits) + m, e - f.bias - f.mbits)


# A format's codes: `values` the value of each code (all 2^bits of them; 256
# for f8); `bounds[c]` the magnitude above which (at a tie: an odd c) code c
# rounds up; `overflow` the code of a magnitude past the last bound; `nan`
# the code NaN encodes to; `sign` the sign bit (0: unsigned).
Tables = collections.namedtuple("Tables", "values bounds overflow nan sign")


@functools.cache
def tables(name):
    f = FORMATS[name]
    n = 1 << f.bits
    values = tuple(_decode(f, c) for c in range(n))
    sign = 0 if f.kind == "e8m0" else 1 << (f.bits - 1)
    half = n if f.kind == "e8m0" else sign
    targets = [c for c in range(half) if math.isfinite(values[c])]
    if f.kind == "fn":
        # IREE rounds onto the NaN pattern (S.1111.111) as onto a value, keeping the sign.
        targets.append(targets[-1] + 1)
    magnitudes = [_decode(Format(name, f.bits, f.ebits, f.mbits, f.bias, "finite"), c) for c in targets]
    # Past the last: one unit in the last place above it, were the exponent unbounded.
    ulp = math.ldexp(1.0, math.frexp(magnitudes[-1])[1] - 1 - f.mbits)
    bounds = [(a + b) / 2 for a, b in zip(magnitudes, magnitudes[1:])] + [magnitudes[-1] + ulp / 2]
    nan = {"ieee": sign - 1, "fn": sign - 1, "fnuz": sign, "finite": 0, "e8m0": 0xFF}[f.kind]
    overflow = {"ieee": targets[-1] + 1, "finite": targets[-1]}.get(f.kind, nan)
    return Tables(values, tuple(bounds), overflow, nan, sign)


def decode(name, code):
    """The value of bit pattern `code`, as a Python float (exact)."""
    return tables(name).values[code]


def encode(name, x):
    """The bit pattern nearest f32 value `x` (ties to even)."""
    t = tables(name)
    if FORMATS[name].kind == "e8m0":
        return struct.unpack("<I", struct.pack("<f", x))[0] >> 23 & 0xFF
    if x != x:   # NaN has no sign here, as IREE encodes it
        return t.nan
    a = abs(x)
    lo, hi = 0, len(t.bounds)
    while lo < hi:   # the first code c with a < bounds[c], or a == bounds[c] and c even
        mid = (lo + hi) // 2
        b = t.bounds[mid]
        if a < b or (a == b and mid % 2 == 0):
            hi = mid
        else:
            lo = mid + 1
    if lo == len(t.bounds):   # infinity or the largest value take the sign; NaN does not
        code, signed = t.overflow, FORMATS[name].kind in ("ieee", "finite")
    else:   # FNUZ has no -0
        code, signed = lo, not (FORMATS[name].kind == "fnuz" and lo == 0)
    return code | t.sign if signed and math.copysign(1.0, x) < 0 else code


def tile_convert(tile_op, fmt, lanes):
    """t.fdecode (i8 lanes to f32 values) or t.fencode (f32 values to i8
    lanes) in small float format number `fmt`, for the reference interpreter."""
    name = list(FORMATS)[fmt]
    if tile_op == "t.fdecode":
        mask = (1 << FORMATS[name].bits) - 1
        return [decode(name, c & mask) for c in lanes]
    return [(c ^ 0x80) - 0x80 for c in (encode(name, x) for x in lanes)]
