"""The reference interpreter: the living definition of every opcode.

Pure Python and deliberately plain: it decodes every instruction with the
ISA table each time it runs it, keeps buffers as bytearrays and computes one
element at a time. The Cython VM must produce the same results (tests
compare them); where they disagree, this file is right or the ISA doc is
wrong.
"""
import math
import struct
import threading
from array import array

from ..codegen import isa
from ..codegen.module import ABI_COARSE_FENCES
from ..ir.linear import exact_dimension
from ..ir.elements import INT_BITS, SIZES, pack, size_error, unpack, wrap_int
from ..ir.smallfloat import tile_convert
from .errors import VMError, check_size
from .interp_conv import conv2d, window_of
from .link import resolve_imports
from .verifier import bank_of_type, verify_module

NAN = float("nan")
INF = float("inf")


# -- values ----------------------------------------------------------------

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


def _settled(fence, cb):
    if fence is None:
        cb(None)
    else:
        fence.on_settled(cb)


# -- element semantics ----------------------------------------------------

def _divf(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return NAN
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


def _ieee(fn, at_zero=NAN):
    """fn with IEEE results where Python's math raises: a domain error is
    NaN (or `at_zero` for an argument of 0, as log(0) = -inf), an overflow
    is infinity with the sign the exact result would have."""
    def f(*xs):
        try:
            return fn(*xs)
        except ValueError:
            return at_zero if xs[0] == 0 and at_zero is not NAN else NAN
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


# The reference definition of each element-wise tile op (codegen.isa.ELEMENTWISE).
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
        raise VMError("OUT_OF_RANGE", f"'arith.{name}': integer division by zero")
    if signed and bits > 1 and a == -(1 << (bits - 1)) and b == -1:
        raise VMError("OUT_OF_RANGE", f"'arith.{name}': signed integer overflow (INT_MIN / -1)")


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
    "t.ipowi": lambda bits, a, b: (a ** b if b >= 0 else
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


# -- kernels --------------------------------------------------------------

def run_kernel(kernel, bindings, push, count):
    """Run a tile kernel over `count` elements, tile by tile. `bindings` are
    Buffers (or, for eval, 1-element output Buffers); `push` are numbers."""
    code = kernel.code
    for start in range(0, count, isa.TILE):
        n = min(isa.TILE, count - start)
        regs = [None] * kernel.regs
        bound = {}   # tile register -> output binding its next write goes to
        for pc in range(len(code)):
            op, v, type_code, _ = isa.decode(code, pc)
            element = isa.ELEMENT_NAMES[type_code]
            size = SIZES[element]
            if op.name == "t.load":
                buf = bindings[v["b"]]
                regs[v["d"]] = unpack(element, bytes(buf.data[start * size:(start + n) * size]))
            elif op.name == "t.store":
                bindings[v["b"]].data[start * size:(start + n) * size] = pack(element, regs[v["d"]])
            elif op.name == "t.bind":
                bound[v["d"]] = bindings[v["b"]]
            else:   # these write d: a t.bind of d sends the write to its output
                if op.name == "t.splat":
                    regs[v["d"]] = round_to(element, [push[v["p"]]]) * n
                elif op.name == "t.lindex":
                    regs[v["d"]] = coordinates(op.name, start, n, push[v["a"]], push[v["b"]])
                elif op.name == "t.gather":
                    regs[v["d"]] = gather(bindings[v["b"]], regs[v["a"]])
                elif op.name == "t.spread":
                    indices = coordinates(op.name, start, n, push[v["a"]], push[v["c"]])
                    if push[v["c"]] > bindings[v["b"]].count:
                        raise VMError("OUT_OF_RANGE", "'t.spread': " + isa.TILE_ERRORS[-4])
                    regs[v["d"]] = gather(bindings[v["b"]], indices)
                else:
                    element, regs[v["d"]] = compute(op, v, element, regs)
                out = bound.pop(v["d"], None)
                if out is not None:
                    size = SIZES[element]
                    out.data[start * size:(start + n) * size] = pack(element, regs[v["d"]])


def coordinates(name, start, n, stride, size):
    """Lanes' coordinates along a dimension of row-major `stride` and `size`
    (t.lindex, t.spread): ((start + lane) / stride) % size."""
    if stride <= 0 or size <= 0:
        raise VMError("INVALID_ARGUMENT", f"'{name}': " + isa.TILE_ERRORS[-5])
    return [((start + i) // stride) % size for i in range(n)]


def gather(buf, indices):
    """t.gather: buf's elements at `indices`, each checked against its size."""
    if any(not 0 <= i < buf.count for i in indices):
        raise VMError("OUT_OF_RANGE", "'t.gather': " + isa.TILE_ERRORS[-4])
    values = buf.values()
    return [values[i] for i in indices]


def compute(op, v, element, regs):
    """(result element type, result lanes) of one arithmetic tile op whose
    `type` field is `element`."""
    args = [regs[v[k]] for k in ("a", "b", "c") if k in v]
    name = op.name
    if name in ELEMENTWISE:
        return element, round_to(element, [ELEMENTWISE[name](*xs) for xs in zip(*args)])
    if name in INT_ELEMENTWISE:
        bits = INT_BITS[element]
        return element, round_to(element, [INT_ELEMENTWISE[name](bits, *xs) for xs in zip(*args)])
    if name in CLASSIFY:
        return "i1", [int(CLASSIFY[name](x)) for x in args[0]]
    if name in ("t.cmpf", "t.cmpi"):
        bits = INT_BITS.get(element, 64)
        return "i1", [int(compare(name, v["pred"], a, b, bits)) for a, b in zip(*args)]
    if name == "t.select":
        cond, x, y = args
        return element, [a if c & 1 else b for c, a, b in zip(cond, x, y)]
    if name in ("t.fdecode", "t.fencode"):
        return element, tile_convert(name, v["fmt"], args[0])
    src = isa.ELEMENT_NAMES[v["src"]]
    return element, round_to(element, [convert(name, src, element, x) for x in args[0]])


# -- functions ------------------------------------------------------------

class Frame:
    def __init__(self, module_index, function, depth=0):
        self.module_index = module_index
        self.function = function
        self.depth = depth   # calls nested below the called function
        ni, nf, nr = function.regs
        self.i = [0] * ni
        self.f = [0.0] * nf
        self.r = [None] * nr


def check_layout(buf, element, shape, what):
    """The check `buffer.check` performs, with its error text."""
    if not isinstance(buf, Buffer):
        raise VMError("INVALID_ARGUMENT", f"{what} is not a buffer")
    shape = fit_dims(shape, buf.shape)
    dims = tuple(max(d, 0) for d in shape)   # a -1 left (the ranks differ) needs no storage
    check_size("buffer.check", element, dims)
    need = SIZES[element] * _count(dims)
    if len(buf.data) < need:
        raise VMError("INVALID_ARGUMENT", f"tensor buffer byte length {len(buf.data)} less than expected minimum {need}")
    if buf.element != element or buf.shape != tuple(shape):
        raise VMError("INVALID_ARGUMENT",
                      f"{what} is {_type_str(buf.element, buf.shape)}, expected {_type_str(element, shape)}")


def fit_dims(layout, shape):
    """A layout's shape with its -1 (dynamic) dimensions taken from
    `shape` where the ranks agree."""
    if len(layout) != len(shape):
        return tuple(layout)
    return tuple(have if want == -1 else want for want, have in zip(layout, shape))


def where(m, v):
    """The source location a check instruction carries."""
    return bytes(m.constants[v["where"]].data).decode()


def _type_str(element, shape):
    return "tensor<" + "".join(("?" if d == -1 else f"{d}") + "x" for d in shape) + element + ">"


def _count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _dims_str(shape):
    """`'4x?x3'`: a shape in errors, -1 being a dynamic dimension."""
    return "'" + "x".join("?" if d == -1 else str(d) for d in shape) + "'"


class Context:
    """Modules loaded in order; imports resolve against earlier modules."""

    def __init__(self, trace=None):
        self.modules = []
        self.links = []
        self.globals = []   # per module: each global's current value
        self.trace = trace  # trace(module, function, pc, op, operands, frame) after each instruction
        self.deadline = None  # a vm.deadline.Deadline: checked on backward branches and in waits
        self.debug_sink = None  # debug_sink(key, buffers) for debug.trace, or None

    def load(self, module):
        verify_module(module)
        self.links.append(resolve_imports(module, self.modules))
        self.modules.append(module)
        values = []
        for g in module.globals:
            c = module.constants[g.initial] if g.initial >= 0 else None
            if g.bank == "r":
                values.append(None if c is None else
                              Buffer(isa.ELEMENT_NAMES[c.element], c.shape, bytearray(c.data), readonly=True))
            else:
                values.append(c.value if c is not None else (0.0 if g.bank == "f" else 0))
        self.globals.append(values)
        for f in module.initializers:
            self.call(len(self.modules) - 1, module.functions[f], [])

    def export(self, name, module=None):
        m = self.modules[-1] if module is None else next(x for x in self.modules if x.name == module)
        e = m.export(name)
        if e is None:
            raise VMError("NOT_FOUND", f"no function '{name}' exported by module")
        return self.modules.index(m), m.functions[e.function]

    def invoke(self, name, args, module=None, timeout=10.0):
        """Call an export with Buffers and Python numbers; waits for async work."""
        mi, fn = self.export(name, module)
        args = list(args)
        signal = None
        if fn.signature.abi == ABI_COARSE_FENCES:
            signal = Fence()
            args += [None, signal]
        results = self.call(mi, fn, args)
        if signal is not None:
            try:
                self._wait(signal, timeout)
            except VMError as e:
                raise VMError(e.code_name, f"{e.message}; waiting on finish fence") from None
        return results

    def _wait(self, fence, timeout=None):
        """fence.wait(timeout), or until the call's deadline where it has one."""
        if self.deadline is not None:
            self.deadline.wait(fence)
        else:
            fence.wait(timeout)

    def call(self, mi, fn, args):
        """Run function `fn` of module `mi`; `args` in signature order
        (then the wait and signal fences for coarse-fences functions)."""
        frame = Frame(mi, fn)
        banks = [bank_of_type(t) for t in fn.signature.inputs]
        banks += ["r"] * (len(args) - len(banks))
        _place(frame, banks, args)
        return signature_order(self.execute(frame), fn.signature.results)

    def execute(self, frame):
        m = self.modules[frame.module_index]
        code = frame.function.code
        pc = 0
        while True:
            at = pc
            op, v, _, pc = isa.decode(code, pc)
            if op.name == "br" or op.name == "br.if" and frame.i[v["cond"]]:
                pc = v["target"]
                if pc <= at and self.deadline is not None:   # every loop takes a backward branch
                    self.deadline.check()
            elif op.name != "br.if":
                out = getattr(self, "op_" + op.name.replace(".", "_"))(frame, m, v)
            if self.trace is not None:
                self.trace(m, frame.function, at, op, v, frame)
            if op.name == "ret":
                return out

    # Each op_<name> implements the ISA entry of that name.

    def op_ret(self, fr, m, v):
        return [fr.i[r] for r in v["args_i"]] + [fr.f[r] for r in v["args_f"]] + [fr.r[r] for r in v["args_r"]]

    def _call(self, fr, v, mi, fn):
        if fr.depth == isa.MAX_CALL_DEPTH:
            raise VMError("RESOURCE_EXHAUSTED", f"call depth exceeds {isa.MAX_CALL_DEPTH}")
        callee = Frame(mi, fn, fr.depth + 1)
        for bank in "ifr":
            regs = getattr(fr, bank)
            getattr(callee, bank)[:len(v["args_" + bank])] = [regs[r] for r in v["args_" + bank]]
        results = self.execute(callee)   # by bank, as the dst lists are
        k = 0
        for bank in "ifr":
            regs = getattr(fr, bank)
            for r in v["dst_" + bank]:
                regs[r] = results[k]
                k += 1

    def op_call(self, fr, m, v):
        self._call(fr, v, fr.module_index, m.functions[v["callee"]])

    def op_call_import(self, fr, m, v):
        mi, fi = self.links[fr.module_index][v["callee"]]
        self._call(fr, v, mi, self.modules[mi].functions[fi])

    def op_const_i(self, fr, m, v):
        fr.i[v["dst"]] = m.constants[v["value"]].value

    def op_const_f(self, fr, m, v):
        fr.f[v["dst"]] = m.constants[v["value"]].value

    def op_mov_i(self, fr, m, v):
        fr.i[v["dst"]] = fr.i[v["src"]]

    def op_mov_f(self, fr, m, v):
        fr.f[v["dst"]] = fr.f[v["src"]]

    def _global_load(self, fr, m, v, bank):
        getattr(fr, bank)[v["dst"]] = self.globals[fr.module_index][v["global"]]

    def _global_store(self, fr, m, v, bank):
        self.globals[fr.module_index][v["global"]] = getattr(fr, bank)[v["src"]]

    def op_global_load_i(self, fr, m, v):
        self._global_load(fr, m, v, "i")

    def op_global_load_f(self, fr, m, v):
        self._global_load(fr, m, v, "f")

    def op_global_load_r(self, fr, m, v):
        self._global_load(fr, m, v, "r")

    def op_global_store_i(self, fr, m, v):
        self._global_store(fr, m, v, "i")

    def op_global_store_f(self, fr, m, v):
        self._global_store(fr, m, v, "f")

    def op_global_store_r(self, fr, m, v):
        self._global_store(fr, m, v, "r")

    def op_mov_r(self, fr, m, v):
        fr.r[v["dst"]] = fr.r[v["src"]]

    def op_ref_null(self, fr, m, v):
        fr.r[v["dst"]] = None

    def op_buffer_alloc(self, fr, m, v):
        c = m.constants[v["layout"]]
        fr.r[v["dst"]] = Buffer(isa.ELEMENT_NAMES[c.element], c.shape)

    def op_buffer_alloc_dyn(self, fr, m, v):
        c = m.constants[v["layout"]]
        dims = iter(fr.i[r] for r in v["dims_i"])
        shape = tuple(next(dims) if d == -1 else d for d in c.shape)
        check_size("buffer.alloc.dyn", isa.ELEMENT_NAMES[c.element], shape)
        fr.r[v["dst"]] = Buffer(isa.ELEMENT_NAMES[c.element], shape)

    def op_buffer_dim(self, fr, m, v):
        b, axis = fr.r[v["src"]], fr.i[v["axis"]]
        if not isinstance(b, Buffer):
            raise VMError("INVALID_ARGUMENT", "dimension of a value that is not a buffer")
        if not 0 <= axis < len(b.shape):
            raise VMError("OUT_OF_RANGE", f"dimension {axis} of a tensor of rank {len(b.shape)}")
        fr.i[v["dst"]] = b.shape[axis]

    def op_buffer_match(self, fr, m, v):
        a, b = fr.r[v["a"]], fr.r[v["b"]]
        if not isinstance(a, Buffer) or not isinstance(b, Buffer):
            raise VMError("INVALID_ARGUMENT", f"{where(m, v)}: shape of a value that is not a buffer")
        if a.shape != b.shape:
            raise VMError("INVALID_ARGUMENT", f"{where(m, v)}: operand shapes {_dims_str(a.shape)} and "
                          f"{_dims_str(b.shape)} differ")

    def op_buffer_cast(self, fr, m, v):
        b, c = fr.r[v["src"]], m.constants[v["layout"]]
        if not isinstance(b, Buffer):
            raise VMError("INVALID_ARGUMENT", f"{where(m, v)}: cast of a value that is not a buffer")
        if b.shape != fit_dims(c.shape, b.shape):
            raise VMError("INVALID_ARGUMENT", f"{where(m, v)}: shape {_dims_str(b.shape)} does not match "
                          f"{_dims_str(c.shape)}")

    def op_buffer_const(self, fr, m, v):
        c = m.constants[v["data"]]
        fr.r[v["dst"]] = Buffer(isa.ELEMENT_NAMES[c.element], c.shape, bytearray(c.data), readonly=True)

    def _locate(self, fr, v, src):
        b = fr.r[v[src]]
        if not isinstance(b, Buffer):
            raise VMError("INVALID_ARGUMENT", "indexed value is not a buffer")
        indices = [fr.i[r] for r in v["index_i"]]
        if len(indices) != len(b.shape):
            raise VMError("INVALID_ARGUMENT", f"{len(indices)} indices for a tensor of rank {len(b.shape)}")
        offset = 0
        for d, (index, size) in enumerate(zip(indices, b.shape)):
            if not 0 <= index < size:
                raise VMError("OUT_OF_RANGE", f"index {index} out of bounds for dimension {d} of size {size}")
            offset = offset * size + index
        return b, offset * SIZES[b.element]

    def op_buffer_load_i(self, fr, m, v, bank="i"):
        b, at = self._locate(fr, v, "src")
        if (b.element in FLOAT_TYPES) != (bank == "f"):
            raise VMError("INVALID_ARGUMENT", "element type does not match the register bank")
        getattr(fr, bank)[v["dst"]] = unpack(b.element, bytes(b.data[at:at + SIZES[b.element]]))[0]

    def op_buffer_load_f(self, fr, m, v):
        self.op_buffer_load_i(fr, m, v, "f")

    def op_buffer_store_i(self, fr, m, v, bank="i"):
        b, at = self._locate(fr, v, "dst")
        if (b.element in FLOAT_TYPES) != (bank == "f"):
            raise VMError("INVALID_ARGUMENT", "element type does not match the register bank")
        if b.readonly:
            raise VMError("PERMISSION_DENIED", "store into a read-only constant buffer")
        value = getattr(fr, bank)[v["value"]]
        b.data[at:at + SIZES[b.element]] = pack(b.element, round_to(b.element, [value]))

    def op_buffer_store_f(self, fr, m, v):
        self.op_buffer_store_i(fr, m, v, "f")

    def op_buffer_clone(self, fr, m, v):
        b = fr.r[v["src"]]
        fr.r[v["dst"]] = Buffer(b.element, b.shape, bytearray(b.data))

    def op_buffer_view(self, fr, m, v):
        b, c = fr.r[v["src"]], m.constants[v["layout"]]
        element = isa.ELEMENT_NAMES[c.element]
        dims = iter(fr.i[r] for r in v["dims_i"])
        shape = tuple(next(dims) if d == -1 and v["dims_i"] else d for d in c.shape)
        counted = tuple(1 if d == -1 else d for d in shape)   # the dynamic dimension counted as 1
        if min(counted, default=0) >= 0:   # a negative size is the reshape error below
            check_size("buffer.view", element, counted, shape)
        if -1 in shape:   # the one dynamic dimension takes what the others leave
            known = _count(d for d in shape if d != -1) * SIZES[element]
            shape = tuple(len(b.data) // known if d == -1 and known else d for d in shape)
        if -1 in shape or min(shape, default=0) < 0 or _count(shape) * SIZES[element] != len(b.data):
            shown = tuple(-1 if d == -1 and not v["dims_i"] else n for d, n in zip(c.shape, shape))
            raise VMError("INVALID_ARGUMENT", f"reshape of {_dims_str(b.shape)} to {_dims_str(shown)} changes "
                          "the number of elements")
        view = Buffer(element, shape, b.data, b.readonly)   # shares the bytearray
        fr.r[v["dst"]] = view

    @staticmethod
    def _strided(shape, spec, limit):
        """Offsets base + sum(i_k * strides[k]) over `shape`, row-major,
        checked against `limit` elements."""
        base, strides = spec[0], spec[1:]
        offsets = []
        count = 1
        for n in shape:
            count *= n
        for flat in range(count):
            offset, rest = base, flat
            for n, s in zip(reversed(shape), reversed(strides)):
                offset += (rest % n) * s
                rest //= n
            offsets.append(offset)
        if offsets and (min(offsets) < 0 or max(offsets) >= limit):
            raise VMError("OUT_OF_RANGE", "strided copy outside its buffer")
        return offsets

    def op_buffer_expand(self, fr, m, v):
        src, layout = fr.r[v["src"]], m.constants[v["layout"]].shape
        n = len(layout)
        entries = unpack("i64", m.constants[v["map"]].data)
        rows = [entries[k:k + n + 1] for k in range(0, len(entries), n + 1)]
        if not isinstance(src, Buffer) or len(src.shape) != len(rows):
            raise VMError("INVALID_ARGUMENT", "expanded value is not a buffer of the map's rank")
        exact = [exact_dimension(row[:n], row[n]) for row in rows]
        fed = {}
        for k, d in enumerate(exact):
            if d is not None:
                fed.setdefault(d, k)
        dims = iter(fr.i[r] for r in v["dims_i"])
        shape = tuple(size if size != -1 else src.shape[fed[d]] if d in fed else next(dims)
                      for d, size in enumerate(layout))
        check_size("buffer.expand", src.element, shape)
        for k, row in enumerate(rows):
            reach = [row[n] + sum(a * (size - 1) for a, size in zip(row, shape) if (a > 0) == up) for up in (0, 1)]
            if exact[k] is not None and src.shape[k] != shape[exact[k]] or exact[k] is None and _count(shape) and (
                    reach[0] < 0 or reach[1] >= src.shape[k]):
                raise VMError("INVALID_ARGUMENT" if exact[k] is not None else "OUT_OF_RANGE",
                              f"broadcast, transpose or window of {_dims_str(src.shape)} to {_dims_str(shape)}: the "
                              "shapes do not agree")
        spec, stride = [0] * (n + 1), 1
        for k in reversed(range(len(rows))):
            spec = [s + a * stride for s, a in zip(spec, [rows[k][n]] + list(rows[k][:n]))]
            stride *= src.shape[k]
        out = Buffer(src.element, shape)
        size = SIZES[src.element]
        for flat, offset in enumerate(self._strided(shape, spec, src.count)):
            out.data[flat * size:(flat + 1) * size] = src.data[offset * size:(offset + 1) * size]
        fr.r[v["dst"]] = out

    def op_buffer_scatter(self, fr, m, v):
        acc, src = fr.r[v["acc"]], fr.r[v["src"]]
        size = SIZES[src.element]
        for flat, offset in enumerate(self._strided(src.shape, unpack("i64", m.constants[v["strides"]].data),
                                                    acc.count)):
            acc.data[offset * size:(offset + 1) * size] = src.data[flat * size:(flat + 1) * size]

    def _slice(self, fr, m, v, full):
        """buffer.slice/insert: the slice's sizes and, checked against `full`'s
        dimensions, its [base, strides...] in `full`'s elements."""
        sizes = unpack("i64", m.constants[v["sizes"]].data)
        at = [fr.i[r] for r in v["at_i"]]
        if not isinstance(full, Buffer) or len(full.shape) != len(sizes):
            raise VMError("INVALID_ARGUMENT", f"slice of {len(sizes)} dimensions of a value of another rank")
        offsets, steps, dynamic = at[:len(sizes)], at[len(sizes):2 * len(sizes)], iter(at[2 * len(sizes):])
        sizes = [next(dynamic) if n == -1 else n for n in sizes]
        row, base, strides = 1, 0, []
        for k in reversed(range(len(sizes))):
            o, n, st, dim = offsets[k], sizes[k], steps[k], full.shape[k]
            if o < 0 or st < 1 or n < 0 or (n and o + (n - 1) * st >= dim):
                raise VMError("OUT_OF_RANGE", f"slice {o} + {n} x {st} is outside dimension {k} of size {dim} "
                              f"of a tensor of shape {_dims_str(full.shape)}")
            base += o * row
            strides.insert(0, st * row)
            row *= dim
        return sizes, [base] + strides

    def op_buffer_slice(self, fr, m, v):
        src, c = fr.r[v["src"]], m.constants[v["layout"]]
        sizes, spec = self._slice(fr, m, v, src)
        dynamic = iter(n for n, want in zip(sizes, unpack("i64", m.constants[v["sizes"]].data)) if want == -1)
        out = Buffer(src.element, tuple(next(dynamic) if d == -1 else d for d in c.shape))
        size = SIZES[src.element]
        for flat, offset in enumerate(self._strided(sizes, spec, src.count)):
            out.data[flat * size:(flat + 1) * size] = src.data[offset * size:(offset + 1) * size]
        fr.r[v["dst"]] = out

    def op_buffer_insert(self, fr, m, v):
        acc, src = fr.r[v["acc"]], fr.r[v["src"]]
        sizes, spec = self._slice(fr, m, v, acc)
        if not isinstance(src, Buffer) or src.element != acc.element:
            raise VMError("INVALID_ARGUMENT", "inserted slice does not fit its place")
        units = len(src.shape) != len(sizes)   # a rank-reducing slice drops unit sizes
        if [d for d in src.shape if not units or d != 1] != [d for d in sizes if not units or d != 1]:
            raise VMError("INVALID_ARGUMENT", f"insert of {_dims_str(src.shape)} into a slice of {_dims_str(sizes)}: "
                          "the shapes do not agree")
        size = SIZES[src.element]
        for flat, offset in enumerate(self._strided(sizes, spec, acc.count)):
            acc.data[offset * size:(offset + 1) * size] = src.data[flat * size:(flat + 1) * size]

    def op_buffer_reduce(self, fr, m, v):
        acc, src = fr.r[v["acc"]], fr.r[v["src"]]
        name = isa.REDUCE_COMBINERS[m.constants[v["combiner"]].value]
        if src.shape[:len(acc.shape)] != acc.shape:
            raise VMError("INVALID_ARGUMENT", f"reduction of {_dims_str(src.shape)} into {_dims_str(acc.shape)}: "
                          "the shapes do not agree")
        if acc.count == 0:
            return
        n = src.count // acc.count
        fn = ELEMENTWISE.get(f"t.{name}") or (lambda a, b: INT_ELEMENTWISE[f"t.{name}"](64, a, b))

        def fold(x, values):
            for y in values:
                (x,) = round_to(acc.element, [fn(x, y)])
            return x
        out, xs = acc.values(), src.values()
        seg = isa.REDUCE_SEGMENT
        for r in range(acc.count):
            row = xs[r * n:(r + 1) * n]
            x = fold(out[r], row[:seg])
            for t in range(seg, n, seg):   # later segments: each folded from its first element
                x = fold(x, [fold(row[t], row[t + 1:t + seg])])
            out[r] = x
        acc.data[:] = pack(acc.element, out)

    def op_buffer_matmul(self, fr, m, v):
        c, a, b = fr.r[v["acc"]], fr.r[v["lhs"]], fr.r[v["rhs"]]
        batches = c.shape[0] if len(c.shape) == 3 else 1
        rows, n = c.shape[-2:]
        k = a.shape[-1]
        if not len(a.shape) == len(b.shape) == len(c.shape) or a.shape[:-1] != c.shape[:-1] or \
                b.shape[-2:] != (k, n) or b.shape[:-2] != c.shape[:-2]:
            raise VMError("INVALID_ARGUMENT", f"matmul of {_dims_str(a.shape)} by {_dims_str(b.shape)} into "
                          f"{_dims_str(c.shape)}: the shapes do not agree")
        cv, av, bv = c.values(), a.values(), b.values()
        for batch in range(batches):
            for i in range(rows):
                for kk in range(k):
                    x = av[(batch * rows + i) * k + kk]
                    base = (batch * rows + i) * n
                    brow = (batch * k + kk) * n
                    for j in range(n):
                        (cv[base + j],) = round_to(c.element, [cv[base + j] + round_to(c.element, [x * bv[brow + j]])[0]])
        c.data[:] = pack(c.element, cv)

    def op_buffer_conv2d(self, fr, m, v):
        conv2d(fr.r[v["acc"]], fr.r[v["input"]], fr.r[v["filter"]], window_of(m.constants[v["window"]]), _dims_str)

    def op_buffer_check(self, fr, m, v):
        c = m.constants[v["layout"]]
        check_layout(fr.r[v["src"]], isa.ELEMENT_NAMES[c.element], c.shape, "output storage")

    def _dispatch_args(self, fr, m, v):
        k = m.kernels[v["kernel"]]
        bindings = [fr.r[r] for r in v["bind_r"]]
        first_out = next(i for i, (_, role) in enumerate(k.bindings) if role == isa.BIND_OUTPUT)
        for b, (element, role) in zip(bindings, k.bindings):
            if not isinstance(b, Buffer):
                raise VMError("INVALID_ARGUMENT", f"kernel '{k.name}' binding is not a buffer")
        count = bindings[first_out].count
        for b, (element, role) in zip(bindings, k.bindings):
            if b.count != count and role != isa.BIND_GATHERED:
                raise VMError("INVALID_ARGUMENT", f"kernel '{k.name}': binding of {b.count} elements, expected {count}")
            if role == isa.BIND_OUTPUT and b.readonly:
                raise VMError("PERMISSION_DENIED", f"kernel '{k.name}' writes a read-only constant buffer")
        push = [fr.f[r] for r in v["push_f"]] + [fr.i[r] for r in v["push_i"]]
        return k, bindings, push, count

    def op_dispatch(self, fr, m, v):
        run_kernel(*self._dispatch_args(fr, m, v))

    def op_dispatch_async(self, fr, m, v):
        args = self._dispatch_args(fr, m, v)
        signal = fr.r[v["signal"]]

        def run(error):
            if error is not None:
                signal.fail(error)
                return
            try:
                run_kernel(*args)
            except VMError as e:
                signal.fail(e)
                return
            signal.signal()
        _settled(fr.r[v["wait"]], run)

    def op_eval(self, fr, m, v):
        k = m.kernels[v["kernel"]]
        outs = [Buffer(isa.ELEMENT_NAMES[e], ()) for e, _ in k.bindings]
        run_kernel(k, outs, [fr.f[r] for r in v["push_f"]] + [fr.i[r] for r in v["push_i"]], 1)
        values = [b.values()[0] for b in outs]   # floats first, as the dst lists
        nf = len(v["dst_f"])
        for r, x in zip(v["dst_f"], values[:nf]):
            fr.f[r] = x
        for r, x in zip(v["dst_i"], values[nf:]):
            fr.i[r] = x

    def op_check_true(self, fr, m, v, want=True):
        if bool(fr.i[v["cond"]]) != want:
            raise VMError("FAILED_PRECONDITION",
                          f"{where(m, v)}: expected {'true' if want else 'false'}, got {fr.i[v['cond']]}")

    def op_cf_assert(self, fr, m, v):
        if not fr.i[v["cond"]]:
            raise VMError("FAILED_PRECONDITION", f"{where(m, v)}: {bytes(m.constants[v['message']].data).decode()}")

    def op_check_false(self, fr, m, v):
        self.op_check_true(fr, m, v, want=False)

    def op_check_eq(self, fr, m, v, tolerance=None):
        actual, expected = fr.r[v["actual"]], fr.r[v["expected"]]
        for b in (actual, expected):
            if not isinstance(b, Buffer):
                raise VMError("INVALID_ARGUMENT", f"{where(m, v)}: checked value is not a buffer")
        if actual.element != expected.element or actual.shape != expected.shape:
            raise VMError("FAILED_PRECONDITION", f"{where(m, v)}: expected "
                          f"{_type_str(expected.element, expected.shape)}, got {_type_str(actual.element, actual.shape)}")
        floats = actual.element in FLOAT_TYPES
        for i, (a, e) in enumerate(zip(actual.values(), expected.values())):
            if tolerance is None:
                same = a == e
            else:
                atol, rtol = tolerance
                same = a == e or (a != a and e != e) or abs(a - e) <= atol + rtol * abs(e)
            if not same:
                text = ("%g" % a, "%g" % e) if floats else (str(a), str(e))
                raise VMError("FAILED_PRECONDITION", f"{where(m, v)}: element at index {i} ({text[0]}) does "
                              f"not match the expected ({text[1]})")

    def op_check_almost_eq(self, fr, m, v):
        self.op_check_eq(fr, m, v, (m.constants[v["atol"]].value, m.constants[v["rtol"]].value))

    def op_debug_trace(self, fr, m, v):
        views = [fr.r[r] for r in v["view_r"]]
        if any(not isinstance(b, Buffer) for b in views):
            raise VMError("INVALID_ARGUMENT", "traced value is not a buffer")
        if self.debug_sink is not None:
            self.debug_sink(bytes(m.constants[v["key"]].data).decode(), views)

    def op_fence_create(self, fr, m, v):
        fr.r[v["dst"]] = Fence()

    def op_fence_await(self, fr, m, v):
        f = fr.r[v["fence"]]
        if f is not None:
            self._wait(f)

    def op_fence_forward(self, fr, m, v):
        dst = fr.r[v["dst"]]
        _settled(fr.r[v["src"]], lambda error: dst.signal() if error is None else dst.fail(error))


def signature_order(results, types):
    """`ret` lists results by bank (i, f, r); reorder them as the signature."""
    queues = {}
    k = 0
    for bank in "ifr":
        n = sum(1 for t in types if bank_of_type(t) == bank)
        queues[bank] = iter(results[k:k + n])
        k += n
    return [next(queues[bank_of_type(t)]) for t in types]


def _place(frame, banks, values):
    """Put values into a frame's first registers of their banks, in order."""
    used = {"i": 0, "f": 0, "r": 0}
    for bank, x in zip(banks, values):
        getattr(frame, bank)[used[bank]] = x
        used[bank] += 1
