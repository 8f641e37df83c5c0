"""Integer, comparison, select and conversion ops: Cython VM against the
reference interpreter (bit for bit) and numpy, on odd sizes and edge values;
and integer division errors instead of SIGFPE."""
import numpy as np
import pytest

from iree_lite import _vm
from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError

INTS = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64}
FLOATS = {"f32": np.float32, "f64": np.float64}
DTYPES = {**INTS, **FLOATS, "i1": np.bool_, "index": np.int64}
N = isa.TILE + 3


def int_values(element, n, seed, nonzero=False):
    info = np.iinfo(INTS.get(element, np.int64))
    rng = np.random.default_rng(seed)
    v = rng.integers(info.min, info.max, n, endpoint=True, dtype=info.dtype)
    edge = [0, 1, -1, info.min, info.max, 2, -2, info.bits - 1, info.bits, 3]
    v[:len(edge)] = np.array(edge, dtype=np.int64).astype(info.dtype)
    if nonzero:
        v[v == 0] = 7
        v[v == -1] = 5   # keep INT_MIN / -1 out; it has its own test
    return v


def float_values(element, n, seed):
    rng = np.random.default_rng(seed)
    v = (rng.standard_normal(n) * 1e3).astype(FLOATS[element])
    edge = [0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 1e30, -1e30, 0.49999997, 127.9, -128.9, 300.7]
    v[:len(edge)] = np.array(edge, dtype=np.float64).astype(FLOATS[element])
    return v


def run_both(source, inputs, device="local-task", workers=2):
    module = compile_module(source, "ops.mlir")
    ref = interp.Context()
    ref.load(module)
    ref_args = [interp.Buffer(t, a.shape, bytearray(a.tobytes())) for t, a in inputs]
    expected = ref.invoke("f", ref_args)
    ctx = Context(device, workers)
    ctx.load(module)
    actual = ctx.invoke("f", [_vm.BufferView.from_bytes(isa.ELEMENT_CODES[t], a.shape, a) for t, a in inputs])
    for want, have in zip(expected, actual):
        assert have.element == want.element and have.shape == want.shape
        if want.element in FLOATS:   # any NaN equals any NaN
            w = np.frombuffer(bytes(want.data), FLOATS[want.element])
            h = np.asarray(have)
            assert np.array_equal(np.isnan(w), np.isnan(h))
            assert np.array_equal(w[~np.isnan(w)].view(np.uint8), h[~np.isnan(w)].view(np.uint8))
        else:
            assert bytes(want.data) == have.tobytes()
    return [np.asarray(r).copy() for r in actual]


def unary(op, t, rt=None):
    rt = rt or t
    return (f"func.func @f(%a: tensor<{N}x{t}>) -> tensor<{N}x{rt}> {{\n"
            f"  %r = {op} %a : tensor<{N}x{t}>\n  return %r : tensor<{N}x{rt}>\n}}\n")


def binary(op, t):
    return (f"func.func @f(%a: tensor<{N}x{t}>, %b: tensor<{N}x{t}>) -> tensor<{N}x{t}> {{\n"
            f"  %r = {op} %a, %b : tensor<{N}x{t}>\n  return %r : tensor<{N}x{t}>\n}}\n")


INT_BINARY = ["addi", "subi", "muli", "andi", "ori", "xori", "maxsi", "minsi", "maxui", "minui", "math.ipowi",
              "shli", "shrsi", "shrui", "divsi", "remsi", "ceildivsi", "floordivsi", "divui", "remui",
              "ceildivui"]
DIVIDES = {"divsi", "remsi", "ceildivsi", "floordivsi", "divui", "remui", "ceildivui"}


@pytest.mark.parametrize("element", sorted(INTS))
@pytest.mark.parametrize("op", INT_BINARY)
def test_integer_binary_ops(op, element):
    a = int_values(element, N, 1)
    b = int_values(element, N, 2, nonzero=op in DIVIDES)
    b = b % 17 - 3 if op == "math.ipowi" else b   # small exponents, some negative
    (r,) = run_both(binary(op if "." in op else f"arith.{op}", element), [(element, a), (element, b)])
    numpy_ops = {"addi": np.add, "subi": np.subtract, "muli": np.multiply, "andi": np.bitwise_and,
                 "ori": np.bitwise_or, "xori": np.bitwise_xor, "maxsi": np.maximum, "minsi": np.minimum,
                 "floordivsi": np.floor_divide}
    if op in numpy_ops:
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(r, numpy_ops[op](a, b))
    if op == "divsi":
        np.testing.assert_array_equal(r, (np.trunc(a.astype(np.float64) / b)).astype(a.dtype)
                                      if element != "i64" else r)


@pytest.mark.parametrize("element", sorted(INTS))
def test_absi(element):
    a = int_values(element, N, 3)
    (r,) = run_both(unary("math.absi", element), [(element, a)])
    np.testing.assert_array_equal(r, np.abs(a))   # |INT_MIN| wraps to INT_MIN in both


@pytest.mark.parametrize("logic", ["andi", "ori", "xori"])
def test_i1_logic(logic):
    a, b = (np.random.default_rng(s).integers(0, 2, N).astype(np.bool_) for s in (1, 2))
    (r,) = run_both(binary(f"arith.{logic}", "i1"), [("i1", a), ("i1", b)])
    np.testing.assert_array_equal(r, {"andi": a & b, "ori": a | b, "xori": a ^ b}[logic])


@pytest.mark.parametrize("op,element", [("divsi", "i32"), ("remsi", "i8"), ("divui", "i64"),
                                        ("floordivsi", "i16"), ("ceildivsi", "i32")])
@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2)])
def test_division_by_zero_is_an_error(op, element, device, workers):
    a = int_values(element, N, 1)
    b = int_values(element, N, 2, nonzero=True)
    b[N - 2] = 0
    module = compile_module(binary(f"arith.{op}", element), "d.mlir")
    ctx = Context(device, workers)
    ctx.load(module)
    with pytest.raises(VMError, match=f"OUT_OF_RANGE; 'arith.{op}': integer division by zero"):
        ctx.invoke("f", [a, b])
    ref = interp.Context()
    ref.load(module)
    with pytest.raises(VMError, match="integer division by zero"):
        ref.invoke("f", [interp.Buffer(element, (N,), bytearray(x.tobytes())) for x in (a, b)])


def test_signed_division_overflow_is_an_error():
    a = np.array([7, np.iinfo(np.int32).min], np.int32)
    b = np.array([2, -1], np.int32)
    ctx = Context("local-sync")
    ctx.load(compile_module(binary("arith.divsi", "i32").replace(f"{N}x", "2x"), "d.mlir"))
    with pytest.raises(VMError, match=r"signed integer overflow \(INT_MIN / -1\)"):
        ctx.invoke("f", [a, b])


@pytest.mark.parametrize("predicate", ["false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "ueq", "ugt",
                                       "uge", "ult", "ule", "une", "uno", "true"])
def test_cmpf_predicates(predicate):
    a, b = float_values("f32", N, 1), float_values("f32", N, 1)
    b[20:40] = a[20:40]          # some equal pairs
    b[::7] = np.nan
    src = (f"func.func @f(%a: tensor<{N}xf32>, %b: tensor<{N}xf32>) -> tensor<{N}xi1> {{\n"
           f"  %r = arith.cmpf {predicate}, %a, %b : tensor<{N}xf32>\n  return %r : tensor<{N}xi1>\n}}\n")
    (r,) = run_both(src, [("f32", a), ("f32", b)])
    unordered = np.isnan(a) | np.isnan(b)
    base = {"eq": a == b, "gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b, "ne": a != b}
    want = {"false": np.zeros(N, bool), "true": np.ones(N, bool), "ord": ~unordered, "uno": unordered,
            "une": a != b, "one": (a != b) & ~unordered}.get(predicate)
    if want is None:
        want = base[predicate[1:]] | unordered if predicate[0] == "u" else base[predicate[1:]] & ~unordered
    np.testing.assert_array_equal(r, want)


@pytest.mark.parametrize("predicate", ["eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"])
@pytest.mark.parametrize("element", ["i8", "i64"])
def test_cmpi_predicates(predicate, element):
    a, b = int_values(element, N, 1), int_values(element, N, 2)
    b[30:50] = a[30:50]
    src = (f"func.func @f(%a: tensor<{N}x{element}>, %b: tensor<{N}x{element}>) -> tensor<{N}xi1> {{\n"
           f"  %r = arith.cmpi {predicate}, %a, %b : tensor<{N}x{element}>\n  return %r : tensor<{N}xi1>\n}}\n")
    (r,) = run_both(src, [(element, a), (element, b)])
    ua, ub = a.view(f"u{a.dtype}"), b.view(f"u{b.dtype}")
    want = {"eq": a == b, "ne": a != b, "slt": a < b, "sle": a <= b, "sgt": a > b, "sge": a >= b,
            "ult": ua < ub, "ule": ua <= ub, "ugt": ua > ub, "uge": ua >= ub}[predicate]
    np.testing.assert_array_equal(r, want)


def test_select_with_tensor_and_scalar_conditions():
    c = np.random.default_rng(0).integers(0, 2, N).astype(np.bool_)
    x, y = float_values("f64", N, 1), float_values("f64", N, 2)
    src = (f"func.func @f(%c: tensor<{N}xi1>, %x: tensor<{N}xf64>, %y: tensor<{N}xf64>) -> tensor<{N}xf64> {{\n"
           f"  %r = arith.select %c, %x, %y : tensor<{N}xi1>, tensor<{N}xf64>\n  return %r : tensor<{N}xf64>\n}}\n")
    (r,) = run_both(src, [("i1", c), ("f64", x), ("f64", y)])
    np.testing.assert_array_equal(r, np.where(c, x, y))
    scalar = (f"func.func @f(%x: tensor<{N}xi32>, %y: tensor<{N}xi32>) -> tensor<{N}xi32> {{\n"
              f"  %one = arith.constant 1 : i32\n  %two = arith.constant 2 : i32\n"
              f"  %c = arith.cmpi slt, %one, %two : i32\n"
              f"  %r = arith.select %c, %x, %y : tensor<{N}xi32>\n  return %r : tensor<{N}xi32>\n}}\n")
    a, b = int_values("i32", N, 1), int_values("i32", N, 2)
    (r,) = run_both(scalar, [("i32", a), ("i32", b)])
    np.testing.assert_array_equal(r, a)


CASTS = [
    ("extf", "f32", "f64"), ("truncf", "f64", "f32"), ("extsi", "i8", "i64"), ("extsi", "i1", "i32"),
    ("extui", "i8", "i32"), ("extui", "i1", "i64"), ("trunci", "i64", "i8"), ("trunci", "i32", "i1"),
    ("sitofp", "i32", "f32"), ("sitofp", "i64", "f64"), ("uitofp", "i8", "f32"), ("uitofp", "i64", "f64"),
    ("fptosi", "f32", "i32"), ("fptosi", "f64", "i8"), ("fptosi", "f32", "i64"), ("fptoui", "f32", "i8"),
    ("fptoui", "f64", "i32"), ("index_cast", "i32", "index"), ("index_cast", "index", "i8"),
    ("index_castui", "i8", "index"), ("bitcast", "f32", "i32"), ("bitcast", "i64", "f64"),
]


@pytest.mark.parametrize("op,src,dst", CASTS)
def test_casts(op, src, dst):
    if src in FLOATS:
        a = float_values(src, N, 1)
    elif src == "i1":
        a = np.random.default_rng(1).integers(0, 2, N).astype(np.bool_)
    else:
        a = int_values("i64" if src == "index" else src, N, 1)
    src_t, dst_t = f"tensor<{N}x{src}>", f"tensor<{N}x{dst}>"
    (r,) = run_both(f"func.func @f(%a: {src_t}) -> {dst_t} {{\n  %r = arith.{op} %a : {src_t} to {dst_t}\n"
                    f"  return %r : {dst_t}\n}}\n", [(src, a)])
    if op in ("fptosi", "fptoui"):
        # Truncation toward zero (not vmvx's rounding), saturating; NaN -> 0.
        signed = op == "fptosi"
        info = np.iinfo(DTYPES[dst]) if signed else np.iinfo(f"u{np.dtype(DTYPES[dst]).itemsize}")
        want = np.clip(np.trunc(np.nan_to_num(a.astype(np.float64), nan=0.0)), info.min, info.max)
        np.testing.assert_array_equal(r.astype(np.int64) if signed else r.view(info.dtype), want)
    elif op == "extf" or op == "sitofp":
        np.testing.assert_array_equal(r, a.astype(DTYPES[dst]))


def test_fptosi_truncates_toward_zero():
    """IREE's vmvx rounds (-1.5 -> -2, 300.7 -> 301); MLIR truncates."""
    a = np.array([-1.5, 300.7, -300.7, 0.99, np.nan, 1e20, -1e20], np.float32)
    src = ("func.func @f(%a: tensor<7xf32>) -> tensor<7xi32> {\n"
           "  %r = arith.fptosi %a : tensor<7xf32> to tensor<7xi32>\n  return %r : tensor<7xi32>\n}\n")
    (r,) = run_both(src, [("f32", a)])
    assert r.tolist() == [-1, 300, -300, 0, 0, 2**31 - 1, -2**31]


@pytest.mark.parametrize("op", ["isnan", "isinf", "isfinite"])
def test_classification(op):
    a = float_values("f64", N, 4)
    (r,) = run_both(unary(f"math.{op}", "f64", "i1"), [("f64", a)])
    np.testing.assert_array_equal(r, getattr(np, op)(a))


HALF_EXACT = {"negf", "absf", "addf", "subf", "mulf", "divf", "remf", "maximumf", "minimumf", "maxnumf",
              "minnumf", "copysign", "sqrt", "floor", "ceil", "round", "roundeven", "trunc", "fma"}


def half_values(element, n, seed):
    """Raw 16-bit patterns of f16 or bf16 values, edge cases first."""
    from iree_lite.ir.elements import pack
    v = float_values("f32", n, seed) / np.float32(100)
    return np.frombuffer(pack(element, v.tolist()), np.uint16).copy()


def half_to_f32(element, bits):
    if element == "f16":
        return bits.view(np.float16).astype(np.float32)
    return (bits.astype(np.uint32) << 16).view(np.float32)


@pytest.mark.parametrize("element", ["f16", "bf16"])
@pytest.mark.parametrize("name", sorted(n for n, _, types, _, _ in isa.ELEMENTWISE if types == "float"))
def test_half_precision_computes_in_f32_and_rounds_once(name, element):
    from iree_lite.dialects import arith as arith_dialect, math as math_dialect
    mlir = next(op_name for d in (arith_dialect, math_dialect) for op_name, op in d.OPS.items()
                if op.elementwise == name)
    arity = next(a for n_, a, *_ in isa.ELEMENTWISE if n_ == name)
    t = f"tensor<{N}x{element}>"
    args = ", ".join(f"%a{i}: {t}" for i in range(arity))
    src = (f"func.func @f({args}) -> {t} {{\n  %r = {mlir} {', '.join(f'%a{i}' for i in range(arity))} : {t}\n"
           f"  return %r : {t}\n}}\n")
    inputs = [(element, half_values(element, N, s)) for s in range(arity)]
    module = compile_module(src, "h.mlir")
    ref = interp.Context()
    ref.load(module)
    (want,) = ref.invoke("f", [interp.Buffer(element, (N,), bytearray(a.tobytes())) for _, a in inputs])
    ctx = Context("local-task", 2)
    ctx.load(module)
    (have,) = ctx.invoke("f", [_vm.BufferView.from_bytes(isa.ELEMENT_CODES[element], (N,), a) for _, a in inputs])
    w = half_to_f32(element, np.frombuffer(bytes(want.data), np.uint16))
    h = half_to_f32(element, np.frombuffer(have.tobytes(), np.uint16))
    assert np.array_equal(np.isnan(w), np.isnan(h))
    ok = ~np.isnan(w)
    if name in HALF_EXACT:
        assert np.array_equal(w[ok], h[ok])
    else:   # one ulp of the 16-bit type: 2**-10 (f16) or 2**-7 (bf16) relative
        rel = 2.0 ** (-10 if element == "f16" else -7)
        with np.errstate(invalid="ignore"):
            close = (w[ok] == h[ok]) | (np.abs(w[ok] - h[ok]) <= rel * np.abs(w[ok]) + 1e-7)
        assert close.all()


def test_f16_program_end_to_end():
    """IREE's vmvx cannot compile f16 arithmetic; iree-lite runs it."""
    src = ("func.func @f(%a: tensor<3xf16>, %b: tensor<3xf16>) -> (tensor<3xf16>, tensor<3xf32>) {\n"
           "  %s = arith.addf %a, %b : tensor<3xf16>\n  %m = arith.mulf %s, %s : tensor<3xf16>\n"
           "  %e = arith.extf %m : tensor<3xf16> to tensor<3xf32>\n"
           "  return %m, %e : tensor<3xf16>, tensor<3xf32>\n}\n")
    ctx = Context("local-sync")
    ctx.load(compile_module(src, "f16.mlir"))
    a = np.array([0.1, 300.0, -2.5], np.float16)
    b = np.array([0.2, 0.5, 1.0], np.float16)
    m, e = ctx.invoke("f", [a, b])
    with np.errstate(over="ignore"):   # 300.5 ** 2 is inf in f16, as it should be
        want = ((a.astype(np.float32) + b).astype(np.float16).astype(np.float32) ** 2).astype(np.float16)
    np.testing.assert_array_equal(np.asarray(m), want)
    np.testing.assert_array_equal(np.asarray(e), want.astype(np.float32))


@pytest.mark.parametrize("element,exponent", [("f32", "i32"), ("f64", "i64"), ("f32", "i8"), ("f64", "i16")])
def test_fpowi(element, exponent):
    """math.fpowi: x ** n for an integer n, as libm's pow with that exponent.
    f64 matches the reference interpreter (libm) bit for bit and numpy within
    an ulp (numpy's pow is a SIMD approximation on AVX-512 machines); f32
    (powf against the reference's double pow rounded) within an ulp."""
    x = float_values(element, N, 5)
    n = (int_values(exponent, N, 6) % 9 - 4).astype(INTS[exponent])   # -4..4, with edge values first
    n[:4] = np.array([0, -1, 3, -128 if exponent == "i8" else 31], np.int64).astype(INTS[exponent])
    src = (f"func.func @f(%a: tensor<{N}x{element}>, %n: tensor<{N}x{exponent}>) -> tensor<{N}x{element}> {{\n"
           f"  %r = math.fpowi %a, %n : tensor<{N}x{element}>, tensor<{N}x{exponent}>\n"
           f"  return %r : tensor<{N}x{element}>\n}}\n")
    if element == "f64":
        (r,) = run_both(src, [(element, x), (exponent, n)])
    else:
        ctx = Context("local-task", 2)
        ctx.load(compile_module(src, "p.mlir"))
        r = np.asarray(ctx.invoke("f", [x, n])[0])
    with np.errstate(all="ignore"):
        want = np.power(x.astype(np.float64), n.astype(np.float64)).astype(FLOATS[element])
    np.testing.assert_allclose(r, want, rtol=1.2e-7 if element == "f32" else 2.3e-16)


def test_fpowi_rejects_other_operands():
    src = ("func.func @f(%a: tensor<4xf32>, %n: tensor<4xf32>) -> tensor<4xf32> {\n"
           "  %r = math.fpowi %a, %n : tensor<4xf32>, tensor<4xf32>\n  return %r : tensor<4xf32>\n}\n")
    with pytest.raises(Diagnostic, match="'math.fpowi' takes a float and an integer of the same shape"):
        compile_module(src, "p.mlir")


LIBM = sorted(name for name, _, types, expr, _ in isa.ELEMENTWISE if types == "float" and "{f}" in expr)


@pytest.mark.parametrize("name", LIBM)
def test_f32_libm_ops_are_the_reference_bit_for_bit(name):
    """f32 libm ops compute in double and round once, as the reference
    defines (glibc's f32 forms differ from that in up to a fifth of their
    inputs): random bit patterns, and values in [-10, 10] and [-1, 1]."""
    from iree_lite.dialects import math as math_dialect, arith as arith_dialect
    mlir = next(op_name for d in (arith_dialect, math_dialect) for op_name, op in d.OPS.items()
                if op.elementwise == name)
    arity = next(a for n_, a, *_ in isa.ELEMENTWISE if n_ == name)
    rng = np.random.default_rng(len(name))
    n = 3 * 4000
    inputs = [("f32", np.concatenate([rng.integers(0, 2 ** 32, n // 3, dtype=np.uint64).astype(np.uint32).view(np.float32),
                                      rng.uniform(-10, 10, n // 3).astype(np.float32),
                                      rng.uniform(-1, 1, n // 3).astype(np.float32)])) for _ in range(arity)]
    t = f"tensor<{n}xf32>"
    args = ", ".join(f"%a{i}: {t}" for i in range(arity))
    run_both(f"func.func @f({args}) -> {t} {{\n  %r = {mlir} {', '.join(f'%a{i}' for i in range(arity))} : {t}\n"
             f"  return %r : {t}\n}}\n", inputs)
