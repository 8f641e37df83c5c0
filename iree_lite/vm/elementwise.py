"""Element semantics of the reference interpreter: the definition of each
element-wise tile op, comparison and conversion, one element at a time, in
Python. The native VM's twin: the kernels iree_lite/isa/gen_native.py writes
into csrc/isa_kernels.pxi (f16/bf16 through csrc/half.pxi); tests compare them.
"""
import math
import struct
from array import array

from .. import isa
from ..ir.elements import INT_BITS, pack, unpack, wrap_int
from .errors import VMError

INF = float("inf")
# The NaN an invalid operation on operands that are not NaN makes: the
# machine's default NaN (x86: sign set), computed here as the hardware makes
# it. The native kernels give it for every domain error too, whatever libm gives.
DEFAULT_NAN = INF - INF


def _divf(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a != a:
            return a * 1.0   # the NaN dividend, quieted as the division quiets it
        if a == 0:
            return DEFAULT_NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _maximumf(a, b):
    # A NaN operand is the result, a's first (its sign survives).
    if a != a:
        return a
    if b != b:
        return b
    if a == b:  # +0 beats -0
        return a if math.copysign(1.0, a) > 0 else b
    return a if a > b else b


def _minimumf(a, b):
    if a != a:
        return a
    if b != b:
        return b
    if a == b:  # -0 beats +0
        return a if math.copysign(1.0, a) < 0 else b
    return a if a < b else b


def _ieee(fn, at_zero=None):
    """fn with IEEE results where Python's math raises: a domain error is
    DEFAULT_NAN (or `at_zero` for an argument of 0, as log(0) = -inf), an overflow
    is infinity with the sign the exact result would have."""
    def f(*xs):
        try:
            return fn(*xs)
        except ValueError:
            return at_zero if xs[0] == 0 and at_zero is not None else DEFAULT_NAN
        except OverflowError:
            return _overflow(fn, xs)
    return f


def _overflow(fn, xs):
    x = xs[0]
    if fn is math.sinh:
        return math.copysign(INF, x)
    if fn is math.pow and x < 0 and float(xs[1]).is_integer() and int(xs[1]) % 2:
        return -INF
    return INF


def _pow(a, b):
    if a == 0 and b < 0:   # pow(±0, negative) = ±inf for odd integers, else +inf
        odd = float(b).is_integer() and int(b) % 2
        return math.copysign(INF, a) if odd else INF
    return _ieee(math.pow)(a, b)


def _atanh(a):
    return math.copysign(INF, a) if abs(a) == 1 else _ieee(math.atanh)(a)


def _round_half_away(a):
    if not math.isfinite(a):
        return a
    return math.copysign(math.floor(abs(a) + 0.5), a)


def _rounding(fn):
    # Python's floor/ceil/trunc return ints and refuse inf/NaN; keep floats.
    return lambda a: a if not math.isfinite(a) else math.copysign(float(fn(a)), a)


def _rsqrt(a):
    root = _ieee(math.sqrt)(a)
    return _divf(1.0, root)


def _fma(a, b, c):
    # A NaN operand is the result, the first of a, b, c (quieted), as the
    # fused multiply-add instruction gives it, even where a * b is invalid.
    for x in (a, b, c):
        if x != x:
            return x * 1.0
    # Exact product and sum (a Fraction when finite), which round_to rounds once.
    if not all(map(math.isfinite, (a, b, c))):
        return a * b + c
    from fractions import Fraction
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    return exact if exact != 0 else (a * b + c)


def _round_to_odd(exact):
    """An exact Fraction as the double nearest it, or, when that is inexact,
    the one of the two doubles around it with an odd last bit: rounding that
    to f32 or narrower gives the correctly rounded result (no double rounding)."""
    d = float(exact)
    if exact == d:
        return d
    other = math.nextafter(d, math.inf if exact > d else -math.inf)
    return d if struct.unpack("<q", struct.pack("<d", d))[0] & 1 else other


def _maxnumf(a, b):
    if a != a:
        return b
    if b != b:
        return a
    return _maximumf(a, b)


def _minnumf(a, b):
    if a != a:
        return b
    if b != b:
        return a
    return _minimumf(a, b)


# The reference definition of each element-wise tile op (isa.ELEMENTWISE).
ELEMENTWISE = {
    "t.negf": lambda a: -a,
    "t.absf": math.fabs,
    "t.addf": lambda a, b: a + b,
    "t.subf": lambda a, b: a - b,
    "t.mulf": lambda a, b: a * b,
    "t.divf": _divf,
    "t.remf": _ieee(math.fmod),
    "t.maximumf": _maximumf,
    "t.minimumf": _minimumf,
    "t.maxnumf": _maxnumf,
    "t.minnumf": _minnumf,
    "t.powf": _pow,
    "t.atan2": math.atan2,
    "t.copysign": math.copysign,
    "t.fma": _fma,
    "t.sqrt": _ieee(math.sqrt),
    "t.rsqrt": _rsqrt,
    "t.cbrt": math.cbrt,
    "t.exp": _ieee(math.exp),
    "t.exp2": _ieee(math.exp2),
    "t.expm1": _ieee(math.expm1),
    "t.log": _ieee(math.log, -INF),
    "t.log2": _ieee(math.log2, -INF),
    "t.log10": _ieee(math.log10, -INF),
    "t.log1p": lambda a: -INF if a == -1 else _ieee(math.log1p)(a),
    "t.sin": _ieee(math.sin),
    "t.cos": _ieee(math.cos),
    "t.tan": _ieee(math.tan),
    "t.asin": _ieee(math.asin),
    "t.acos": _ieee(math.acos),
    "t.atan": math.atan,
    "t.sinh": _ieee(math.sinh),
    "t.cosh": _ieee(math.cosh),
    "t.tanh": math.tanh,
    "t.asinh": math.asinh,
    "t.acosh": _ieee(math.acosh),
    "t.atanh": _atanh,
    "t.erf": math.erf,
    "t.erfc": math.erfc,
    "t.floor": _rounding(math.floor),
    "t.ceil": _rounding(math.ceil),
    "t.round": _round_half_away,
    "t.roundeven": lambda a: a if not math.isfinite(a) else math.copysign(float(round(a)), a),
    "t.trunc": _rounding(math.trunc),
}


# Integer ops take the element's bit width first; values are signed ints
# (i1: 0 or 1) and results are wrapped to the type afterwards.
def _unsigned(bits, x):
    return x & ((1 << bits) - 1)


def _shift(bits, b):
    return _unsigned(bits, b)


def _div_check(bits, a, b, name, signed=True):
    if b == 0:
        raise VMError(*isa.tile_error("DIVISION_BY_ZERO", "t." + name))
    if signed and bits > 1 and a == -(1 << (bits - 1)) and b == -1:
        raise VMError(*isa.tile_error("DIVISION_OVERFLOW", "t." + name))


def _trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _sdiv(name, fn):
    def f(bits, a, b):
        _div_check(bits, a, b, name)
        return fn(a, b)
    return f


def _udiv(name, fn):
    def f(bits, a, b):
        _div_check(bits, a, b, name, signed=False)
        return fn(_unsigned(bits, a), _unsigned(bits, b))
    return f


INT_ELEMENTWISE = {
    "t.addi": lambda bits, a, b: a + b,
    "t.subi": lambda bits, a, b: a - b,
    "t.muli": lambda bits, a, b: a * b,
    "t.andi": lambda bits, a, b: a & b,
    "t.ori": lambda bits, a, b: a | b,
    "t.xori": lambda bits, a, b: a ^ b,
    "t.maxsi": lambda bits, a, b: max(a, b),
    "t.minsi": lambda bits, a, b: min(a, b),
    "t.maxui": lambda bits, a, b: a if _unsigned(bits, a) > _unsigned(bits, b) else b,
    "t.minui": lambda bits, a, b: a if _unsigned(bits, a) < _unsigned(bits, b) else b,
    "t.shli": lambda bits, a, b: a << _shift(bits, b) if _shift(bits, b) < bits else 0,
    "t.shrsi": lambda bits, a, b: a >> _shift(bits, b) if _shift(bits, b) < bits else (-1 if a < 0 else 0),
    "t.shrui": lambda bits, a, b: _unsigned(bits, a) >> _shift(bits, b) if _shift(bits, b) < bits else 0,
    "t.divsi": _sdiv("divsi", _trunc_div),
    "t.remsi": _sdiv("remsi", lambda a, b: a - b * _trunc_div(a, b)),
    "t.ceildivsi": _sdiv("ceildivsi", lambda a, b: -((-a) // b)),
    "t.floordivsi": _sdiv("floordivsi", lambda a, b: a // b),
    "t.divui": _udiv("divui", lambda a, b: a // b),
    "t.remui": _udiv("remui", lambda a, b: a % b),
    "t.ceildivui": _udiv("ceildivui", lambda a, b: -(-a // b)),
    "t.absi": lambda bits, a: abs(a),
    # Modulo 2^64, which the result is wrapped to anyway: a ** b itself would take hours for a large b.
    "t.ipowi": lambda bits, a, b: (pow(a, b, 1 << 64) if b >= 0 else
                                   1 if a == 1 else (1 if b % 2 == 0 else -1) if a == -1 else 0),
    "t.ctlz": lambda bits, a: bits - _unsigned(bits, a).bit_length(),
    "t.cttz": lambda bits, a: (a & -a).bit_length() - 1 if a else bits,
    "t.ctpop": lambda bits, a: bin(_unsigned(bits, a)).count("1"),
}
CLASSIFY = {"t.isnan": lambda a: a != a, "t.isinf": lambda a: a in (INF, -INF),
            "t.isfinite": math.isfinite}


def compare(op, predicate, a, b, bits=64):
    """The i1 result of cmpf/cmpi `predicate` (MLIR numbering)."""
    if op == "t.cmpf":
        name = isa.CMPF_PREDICATES[predicate][0]
        unordered = a != a or b != b
        if name in ("false", "true"):
            return name == "true"
        if name == "ord":
            return not unordered
        if name == "uno":
            return unordered
        base = {"eq": a == b, "gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b, "ne": a != b}[name[1:]]
        return (unordered or base) if name[0] == "u" else (not unordered and base)
    name = isa.CMPI_PREDICATES[predicate][0]
    if name[0] == "u":
        a, b = _unsigned(bits, a), _unsigned(bits, b)
        name = name[1:]
    elif name[0] == "s":
        name = name[1:]
    return {"eq": a == b, "ne": a != b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[name]


def convert(kind, src, dst, x):
    """One element converted by t.convs / t.convu / t.bitcast."""
    if kind == "t.bitcast":
        return unpack(dst, pack(src, [x]))[0]
    src_float, dst_float = src in FLOAT_TYPES, dst in FLOAT_TYPES
    if src_float and dst_float:
        return x
    if src_float:
        if x != x:
            return 0
        if dst == "i1":
            return int(x != 0)
        bits = INT_BITS[dst]
        if kind == "t.convs":
            lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        else:
            lo, hi = 0, (1 << bits) - 1
        if x >= hi + 1:
            return hi
        if x <= lo - 1 or (kind == "t.convu" and x <= -1):
            return lo
        return math.trunc(x)
    if src == "i1":
        x = -(x & 1) if kind == "t.convs" else x & 1
    elif kind == "t.convu":
        x = _unsigned(INT_BITS[src], x)
    return float(x) if dst_float else x


FLOAT_TYPES = ("f16", "bf16", "f32", "f64")


def round_to(element, values):
    """Round Python numbers to what the element type can hold (once per op)."""
    if element == "f64":
        return [float(v) for v in values]
    if element in ("f32", "f16", "bf16"):
        # f16 and bf16 compute in f32 and round once more, as the VM does.
        values = array("f", [v if type(v) is float else _round_to_odd(v) for v in values]).tolist()
        return values if element == "f32" else unpack(element, pack(element, values))
    return [wrap_int(element, int(v)) for v in values]
