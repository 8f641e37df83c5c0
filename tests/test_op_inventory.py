"""Every arith and math op that IREE 3.13 accepts on CPU, on edge values,
through iree-lite and the real IREE: the same result bytes.

One table names each op with its MLIR form, operand and result element
types, and the operands it is defined on (integer division by zero and
INT_MIN / -1 fail in iree-lite, shifts past the width and out-of-range
float-to-int conversions are poison in MLIR; those are tested elsewhere).
Operands are every combination of edge values (0, -0, +-1, inf, NaN,
INT_MIN, INT_MAX, ...). All ops compile into one module on each
side. Where IREE's results differ (its polynomial approximations of
transcendental functions) or IREE rejects the op, the table records why,
and the test asserts that this is still so and checks iree-lite against
numpy instead. Denormals are left out: IREE flushes them to zero, which
test_iree_flushes_denormals records.
"""
import itertools
import math
import subprocess

import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from tool_runs import iree_compile

DTYPES = {"f32": np.float32, "i1": np.bool_, "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64}
FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.75, 100.0, -1e30, math.inf, -math.inf, math.nan, 1e20]


def ints(element):
    bits = int(element[1:])
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return [0, 1, -1, 2, 7, -8, 100 % (hi + 1), lo, hi, lo + 1, hi - 1, 0x55 << (bits - 8)]


def edge_values(element):
    return FLOATS if element == "f32" else [0, 1] if element == "i1" else ints(element)


def divisible(a, b, bits):
    return b != 0 and not (a == -(1 << (bits - 1)) and b == -1)


# Domains: which operand tuples an op is defined on.
DIVIDES = lambda t: lambda a, b: divisible(a, b, int(t[1:]))      # noqa: E731
SHIFTS = lambda t: lambda a, b: 0 <= b < int(t[1:])               # noqa: E731
IN_I32 = lambda a: a == a and -2.0 ** 31 < a < 2.0 ** 31           # noqa: E731
IN_U32 = lambda a: a == a and -1 < a < 2.0 ** 32                   # noqa: E731

F32_UNARY = ["absf", "sqrt", "rsqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2", "log1p", "sin", "cos",
             "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf", "floor",
             "ceil", "round", "roundeven"]
INT_TYPES = ["i8", "i32", "i64"]


def _table():
    """(name, MLIR op line over %a, %b, %c giving %r (and %r2), operand
    element types, result element types, domain or None)."""
    rows = [(f"math.{n}", f"math.{n} %a : $0", ["f32"], ["f32"], None) for n in F32_UNARY]
    rows += [(f"arith.{n}", f"arith.{n} %a, %b : $0", ["f32"] * 2, ["f32"], None)
             for n in ("addf", "subf", "mulf", "divf", "remf", "maximumf", "minimumf", "maxnumf", "minnumf")]
    rows += [("arith.negf", "arith.negf %a : $0", ["f32"], ["f32"], None)]
    rows += [(f"math.{n}", f"math.{n} %a, %b : $0", ["f32"] * 2, ["f32"], None) for n in ("powf", "atan2", "copysign")]
    rows += [("math.fma", "math.fma %a, %b, %c : $0", ["f32"] * 3, ["f32"], None)]
    rows += [(f"math.{n}", f"math.{n} %a : $0", ["f32"], ["i1"], None) for n in ("isnan", "isfinite")]
    rows += [("math.fpowi", "math.fpowi %a, %b : $0, $1", ["f32", "i32"], ["f32"], lambda a, b: -9 < b < 9)]
    rows += [(f"arith.cmpf {p}", f"arith.cmpf {p}, %a, %b : $0", ["f32"] * 2, ["i1"], None) for p in (
        "false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "ueq", "ugt", "uge", "ult", "ule", "une",
        "uno", "true")]
    for t in INT_TYPES:
        rows += [(f"arith.{n} {t}", f"arith.{n} %a, %b : $0", [t] * 2, [t], None) for n in (
            "addi", "subi", "muli", "andi", "ori", "xori", "maxsi", "minsi", "maxui", "minui")]
        rows += [(f"arith.{n} {t}", f"arith.{n} %a, %b : $0", [t] * 2, [t], SHIFTS(t))
                 for n in ("shli", "shrsi", "shrui")]
        rows += [(f"arith.{n} {t}", f"arith.{n} %a, %b : $0", [t] * 2, [t], DIVIDES(t)) for n in (
            "divsi", "remsi", "ceildivsi", "floordivsi", "divui", "remui", "ceildivui")]
        rows += [(f"math.{n} {t}", f"math.{n} %a : $0", [t], [t], None) for n in ("absi", "ctlz", "cttz", "ctpop")]
        rows += [(f"arith.addui_extended {t}", "arith.addui_extended %a, %b : $0, $r1", [t] * 2, [t, "i1"], None)]
        rows += [(f"arith.{n} {t}", f"arith.{n} %a, %b : $0", [t] * 2, [t, t], None)
                 for n in ("mulsi_extended", "mului_extended")]
        rows += [(f"arith.cmpi {p} {t}", f"arith.cmpi {p}, %a, %b : $0", [t] * 2, ["i1"], None) for p in (
            "eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge")]
    rows += [(f"arith.{n}", f"arith.{n} %a, %b : $0", ["i16"] * 2, ["i16", "i16"], None)
             for n in ("mulsi_extended", "mului_extended")]
    rows += [("arith.select", "arith.select %a, %b, %c : $0, $1", ["i1", "f32", "f32"], ["f32"], None),
             ("arith.extsi", "arith.extsi %a : $0 to $r0", ["i8"], ["i32"], None),
             ("arith.extui", "arith.extui %a : $0 to $r0", ["i8"], ["i64"], None),
             ("arith.trunci", "arith.trunci %a : $0 to $r0", ["i64"], ["i8"], None),
             ("arith.sitofp", "arith.sitofp %a : $0 to $r0", ["i64"], ["f32"], None),
             ("arith.uitofp", "arith.uitofp %a : $0 to $r0", ["i32"], ["f32"], None),
             ("arith.fptosi", "arith.fptosi %a : $0 to $r0", ["f32"], ["i32"], IN_I32),
             ("arith.fptoui", "arith.fptoui %a : $0 to $r0", ["f32"], ["i32"], IN_U32),
             ("arith.bitcast", "arith.bitcast %a : $0 to $r0", ["f32"], ["i32"], None),
             ("arith.index_cast", "arith.index_cast %a : $0 to $ix\n  %r = arith.index_cast %x : $ix to $r0",
              ["i32"], ["i64"], None),
             ("arith.index_castui",
              "arith.index_castui %a : $0 to $ix\n  %r = arith.index_castui %x : $ix to $r0",
              ["i8"], ["i32"], None)]
    return rows


TABLE = _table()

# Ops whose IREE results differ from the correctly rounded ones iree-lite
# gives (as Python's math computes them in f64, rounded once to f32): IREE's
# polynomial approximations, its wrong special cases, and its sign-dropping.
# Asserted to differ still; iree-lite is checked against numpy in f64.
_APPROXIMATION = "IREE's polynomial approximation is off by ulps on some of these operands"
IREE_DIFFERS = {
    **{f"math.{n}": (_APPROXIMATION, getattr(np, f)) for n, f in (
        ("cbrt", "cbrt"), ("exp", "exp"), ("exp2", "exp2"), ("expm1", "expm1"), ("log1p", "log1p"),
        ("atan", "arctan"), ("acosh", "arccosh"), ("cosh", "cosh"), ("tanh", "tanh"))},
    "math.sin": ("IREE: sin(-0) is +0; off by ulps near multiples of pi", np.sin),
    "math.cos": ("IREE: cos of huge values is -inf", np.cos),
    "math.tan": ("IREE: tan(-0) is +0", np.tan),
    "math.sinh": ("IREE: sinh(-0) is +0", np.sinh),
    "math.asinh": ("IREE: asinh(-0) is +0", np.arcsinh),
    "math.atanh": ("IREE: atanh(-0) is +0", np.arctanh),
    "math.erf": ("IREE: erf(-0) is +0; erf(3.75) rounds to 1", np.vectorize(math.erf)),
    "math.powf": ("IREE: powf(0, 0) and powf(0, y) are NaN", np.power),
    "math.atan2": ("IREE: atan2(+-0, +-0) is NaN", np.arctan2),
    "math.fpowi": ("IREE: fpowi(+-0, 0) is NaN, the sign of -0 ** odd is lost", np.power),
    # MLIR leaves the sign of two zeros' maxnumf/minnumf open; iree-lite's is maximumf's and minimumf's.
    "arith.maxnumf": ("IREE: maxnumf(-0, +0) is -0 (its first operand)",
                      lambda a, b: np.where((a == 0) & (b == 0), a + b, np.fmax(a, b))),
    "arith.minnumf": ("IREE: minnumf(+0, -0) is +0 (its first operand)",
                      lambda a, b: np.where((a == 0) & (b == 0), -(-a + -b), np.fmin(a, b))),
}

# Ops IREE 3.13 fails to compile for llvm-cpu, with its error; iree-lite's
# results are checked against Python's math.
IREE_REJECTS = {
    "math.log10": ("undefined symbol: log10f", "f32", np.log10),
    "math.trunc": ("undefined symbol: truncf", "f32", np.trunc),
    "math.erfc": ("failed to legalize operation 'math.erfc'", "f32", np.vectorize(math.erfc)),
    "math.isinf": ("failed to legalize operation 'math.isinf'", "i1", np.isinf),
}


def operand_tuples(row):
    _, _, ins, _, domain = row
    tuples = list(itertools.product(*(edge_values(t) for t in ins)))
    return [xs for xs in tuples if domain is None or domain(*xs)]


def arrays(row):
    ins = row[2]
    columns = list(zip(*operand_tuples(row)))
    with np.errstate(over="ignore"):
        return [np.array(c, dtype=DTYPES[t]) for c, t in zip(columns, ins)]


def tensor(n, element):
    return f"tensor<{n}x{element}>"


def function(k, row):
    name, line, ins, outs, _ = row
    n = len(operand_tuples(row))
    types = [tensor(n, t) for t in ins]
    results = [tensor(n, t) for t in outs]
    line = line.replace("$ix", tensor(n, "index"))
    for i, t in enumerate(types):
        line = line.replace(f"${i}", t)
    for i, t in enumerate(results):
        line = line.replace(f"$r{i}", t)
    names = "%r, %r2" if len(outs) == 2 else "%r"
    line = f"%x = {line}" if "%x" in line else f"{names} = {line}"
    args = ", ".join(f"%{v}: {t}" for v, t in zip("abc", types))
    return (f"// {name}\nfunc.func @f{k}({args}) -> ({', '.join(results)}) {{\n  {line}\n"
            f"  return {names} : {', '.join(results)}\n}}\n")


@pytest.fixture(scope="module")
def both(reference_iree, tmp_path_factory):
    """Callables giving op row k's results on the real IREE and on iree-lite."""
    runtime = pytest.importorskip("iree.runtime")
    source = "\n".join(function(k, row) for k, row in enumerate(TABLE))
    src = tmp_path_factory.mktemp("inventory") / "ops.mlir"
    src.write_text(source)
    iree_compile(reference_iree, src, src.with_suffix(".vmfb"))
    theirs = runtime.load_vm_flatbuffer_file(str(src.with_suffix(".vmfb")), driver="local-sync")
    ours = Context("local-sync")
    ours.load(compile_module(source, str(src)))

    def iree(k, inputs):
        out = getattr(theirs, f"f{k}")(*inputs)
        return [r.to_host() for r in (out if isinstance(out, tuple) else (out,))]
    return iree, lambda k, inputs: [np.asarray(r) for r in ours.invoke(f"f{k}", inputs)]


def canonical(r):
    """Result bytes, bool as the byte it is and every NaN as one NaN (MLIR
    leaves NaN payloads and signs unspecified)."""
    r = np.asarray(r)
    if r.dtype == np.bool_:
        r = r.view(np.uint8)
    if r.dtype.kind == "f":
        r = np.where(np.isnan(r), np.float32("nan"), r).astype(r.dtype)
    return r.tobytes()


@pytest.mark.parametrize("k", range(len(TABLE)), ids=[row[0] for row in TABLE])
def test_op_matches_iree(both, k):
    iree, lite = both
    row = TABLE[k]
    inputs = arrays(row)
    theirs, ours = [canonical(r) for r in iree(k, inputs)], [canonical(r) for r in lite(k, inputs)]
    op = row[0].split()[0]
    if op in IREE_DIFFERS:
        assert theirs != ours, f"IREE's {op} is now right: {IREE_DIFFERS[op][0]} no longer holds"
        with np.errstate(all="ignore"):   # computed in f64, rounded once
            want = IREE_DIFFERS[op][1](*(x.astype(np.float64) for x in inputs)).astype(np.float32)
        assert ours == [canonical(want)]
        return
    assert theirs == ours


def test_iree_flushes_denormals(both):
    """IREE computes with denormal floats flushed to zero; iree-lite keeps them."""
    iree, lite = both
    k = next(k for k, row in enumerate(TABLE) if row[0] == "arith.addf")
    tiny, zeros = (np.full(len(operand_tuples(TABLE[k])), x, np.float32) for x in (1e-40, 0.0))
    assert canonical(iree(k, [tiny, zeros])[0]) == zeros.tobytes()
    assert canonical(lite(k, [tiny, zeros])[0]) == tiny.tobytes()


@pytest.mark.parametrize("name", sorted(IREE_REJECTS))
def test_op_iree_rejects_is_right_in_lite(reference_iree, tmp_path, name):
    error, result, fn = IREE_REJECTS[name]
    row = (name, f"{name} %a : $0", ["f32"], [result], None)
    src = tmp_path / "op.mlir"
    src.write_text(function(0, row))
    with pytest.raises(subprocess.CalledProcessError) as failure:
        iree_compile(reference_iree, src, tmp_path / "op.vmfb")
    assert error in failure.value.stderr.decode()
    ctx = Context("local-sync")
    ctx.load(compile_module(src.read_text(), str(src)))
    (x,) = arrays(row)
    (have,) = ctx.invoke("f0", [x])
    with np.errstate(all="ignore"):   # computed in f64, rounded once
        want = fn(x.astype(np.float64)).astype(DTYPES[result])
    assert canonical(have) == canonical(want)
