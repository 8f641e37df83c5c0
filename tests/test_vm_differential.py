"""Every tile opcode, Cython VM vs reference interpreter, on odd sizes.

Sizes straddle the tile: 0, 1, TILE-1, TILE, TILE+1 and a large multi-tile
size, on local-sync and on local-task with 1, 2 and 7 workers (the large
size is above the inline threshold, so it really fans out).
"""
import itertools
import math
import struct

import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.ir.elements import pack
from iree_lite.runtime.context import Context
from iree_lite.vm import interp

from tile_op_mlir import MLIR_OF, tile_op_lines

# Large sizes exceed the inline threshold (196608 elements), so they fan out.
SIZES = [0, 1, isa.TILE - 1, isa.TILE, isa.TILE + 1, 50 * isa.TILE + 3]
SMALL_SIZES = [0, 1, isa.TILE - 1, isa.TILE + 1]
DEVICES = [("local-sync", None), ("local-task", 1), ("local-task", 2), ("local-task", 7)]
EDGE = [0.0, -0.0, 1.5, -2.25, float("inf"), float("-inf"), float("nan"), 1e30, -1e-30, 3.0]

# The float ops, f16 and bf16 computed in f32 or not (a superinstruction).
FLOAT_OPS = sorted(n for n, _, types, _, _ in isa.ELEMENTWISE if types in ("float", "f32-f64"))
ORIGINAL = ["absf", "negf", "addf", "subf", "mulf", "divf", "maximumf", "minimumf"]


def test_every_arithmetic_tile_op_is_reachable_from_mlir():
    # t.spread comes from the same broadcasts as t.gather (tests/test_gather.py).
    tile_ops = {op.name[2:] for op in isa.ops_of_form("tile")} - {"load", "splat", "store", "bind", "spread"}
    assert tile_ops == set(MLIR_OF)


def program(name, arity, n, element):
    t = f"tensor<{n}x{element}>"
    args = ", ".join(f"%a{i}: {t}" for i in range(arity))
    body = tile_op_lines(name, [f"%a{i}" for i in range(arity)], t)
    return f"func.func @f({args}) -> {t} {{\n{body}  return %r : {t}\n}}\n"


def values(n, seed, element):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(n) * 100
    v[:min(n, len(EDGE))] = EDGE[:n]
    return v.astype(np.float32 if element == "f32" else np.float64)


def run_both(source, inputs, device, workers):
    module = compile_module(source, "diff.mlir")
    ref = interp.Context()
    ref.load(module)
    ref_args = [interp.Buffer(element_of(a), a.shape, bytearray(a.tobytes())) for a in inputs]
    (expected,) = ref.invoke("f", ref_args)
    ctx = Context(device, workers)
    ctx.load(module)
    (actual,) = ctx.invoke("f", inputs)
    return expected, actual


def element_of(a):
    return {"float32": "f32", "float64": "f64", "int8": "i8", "int16": "i16", "int32": "i32",
            "int64": "i64"}[a.dtype.name]


def assert_same(expected, actual):
    """Equal bit for bit, NaNs too: a NaN's sign shows in the printed
    results (-NAN), and an op that makes a NaN from operands that are not
    NaN gives the machine's default NaN in both VMs."""
    dtype = np.float32 if expected.element == "f32" else np.float64
    want = np.frombuffer(bytes(expected.data), dtype=dtype)
    have = np.asarray(actual)
    assert have.shape == tuple(expected.shape)
    assert want.tobytes() == have.reshape(-1).tobytes()


def check_op(name, element, n, device, workers):
    arity = isa.ARITY[name]
    inputs = [values(n, seed, element) for seed in range(arity)]
    expected, actual = run_both(program(name, arity, n, element), inputs, device, workers)
    assert_same(expected, actual)   # every op bit for bit: f32 libm computes in double, as the reference


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("element", ["f32", "f64"])
@pytest.mark.parametrize("name", ORIGINAL)
def test_tile_op_on_every_size_and_device(name, element, n, device, workers):
    check_op(name, element, n, device, workers)


@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2)])
@pytest.mark.parametrize("n", SMALL_SIZES)
@pytest.mark.parametrize("element", ["f32", "f64"])
@pytest.mark.parametrize("name", FLOAT_OPS)
def test_every_float_tile_op_matches_reference(name, element, n, device, workers):
    check_op(name, element, n, device, workers)


@pytest.mark.parametrize("element", ["f32", "f64"])
@pytest.mark.parametrize("name", [n for n in FLOAT_OPS if isa.ARITY[n] > 1])
def test_float_tile_ops_on_every_combination_of_edge_values(name, element):
    """values() pairs each edge value with itself; here every ordered pair
    (triple) of them meets, as (-0, +0) must for maxnumf's zero sign."""
    arity = isa.ARITY[name]
    dtype = np.float32 if element == "f32" else np.float64
    inputs = [np.array(column, dtype) for column in zip(*itertools.product(EDGE, repeat=arity))]
    expected, actual = run_both(program(name, arity, len(inputs[0]), element), inputs, "local-sync", None)
    assert_same(expected, actual)


FUSED = """
func.func @f(%a: tensor<{n}x{e}>, %b: tensor<{n}x{e}>, %c: tensor<{n}x{e}>) -> tensor<{n}x{e}> {{
  %two = arith.constant dense<2.0> : tensor<{n}x{e}>
  %m = arith.mulf %a, %b : tensor<{n}x{e}>
  %s = arith.addf %m, %c : tensor<{n}x{e}>
  %x = math.absf %s : tensor<{n}x{e}>
  %y = arith.maximumf %x, %a : tensor<{n}x{e}>
  %z = arith.divf %y, %two : tensor<{n}x{e}>
  return %z : tensor<{n}x{e}>
}}
"""


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("n", SIZES)
def test_fused_chain_matches_reference_and_numpy(n, device, workers):
    inputs = [values(n, seed, "f32") for seed in range(3)]
    expected, actual = run_both(FUSED.format(n=n, e="f32"), inputs, device, workers)
    assert_same(expected, actual)
    a, b, c = inputs
    with np.errstate(all="ignore"):
        want = np.maximum(np.abs(a * b + c), a) / np.float32(2)
    np.testing.assert_array_equal(np.asarray(actual), want)


INDEXED = """
func.func @f(%a: tensor<3x{n}xf64>) -> tensor<3x{n}xf64> {{
  %e = tensor.empty() : tensor<3x{n}xf64>
  %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
       iterator_types = ["parallel", "parallel"]}} ins(%a : tensor<3x{n}xf64>) outs(%e : tensor<3x{n}xf64>) {{
  ^bb0(%x: f64, %o: f64):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %big = arith.constant 1000003 : index
    %s = arith.muli %i, %big : index
    %t = arith.addi %s, %j : index
    %k = arith.index_cast %t : index to i64
    %f = arith.sitofp %k : i64 to f64
    %y = arith.addf %f, %x : f64
    linalg.yield %y : f64
  }} -> tensor<3x{n}xf64>
  return %r : tensor<3x{n}xf64>
}}
"""


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("n", SIZES)
def test_lindex_matches_reference_and_numpy(n, device, workers):
    """t.lindex (linalg.index): coordinates follow each tile's start, also
    where rows end inside a tile."""
    a = values(3 * n, 0, "f64").reshape(3, n)
    a[~np.isfinite(a)] = 0.5
    expected, actual = run_both(INDEXED.format(n=n), [a], device, workers)
    assert_same(expected, actual)
    want = np.add.outer(np.arange(3) * 1000003.0, np.arange(n)) + a
    np.testing.assert_array_equal(np.asarray(actual), want)


SCALARS = """
func.func @f(%a: f32, %b: f64) -> (f32, f64) {
  %c = arith.constant 0.1 : f32
  %x = arith.mulf %a, %c : f32
  %y = arith.subf %b, %b : f64
  %z = arith.divf %y, %b : f64
  return %x, %z : f32, f64
}
"""


def test_scalar_eval_matches_reference():
    module = compile_module(SCALARS, "s.mlir")
    ref = interp.Context()
    ref.load(module)
    ctx = Context("local-sync")
    ctx.load(module)
    want = ref.invoke("f", [3.0, 0.0])
    have = ctx.invoke("f", [3.0, 0.0])
    assert want[0] == have[0] == struct.unpack("f", struct.pack("f", 3.0 * struct.unpack("f", struct.pack("f", 0.1))[0]))[0]
    assert math.isnan(want[1]) and math.isnan(have[1])
    assert pack("f32", [have[0]]) == pack("f32", [want[0]])


def int_values(n, seed, element):
    """Random integers of the element type led by its edge values (0, +-1, INT_MIN, INT_MAX, ...)."""
    dtype = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64}[element]
    info = np.iinfo(dtype)
    edge = [0, 1, -1, info.min, info.max, info.min + 1, 2, -2, 0x40, 1 << (info.bits - 2)]
    v = np.random.default_rng(seed).integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    v[:min(n, len(edge))] = edge[:n]
    return v


@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2)])
@pytest.mark.parametrize("n", [0, 1, isa.TILE - 1, isa.TILE + 1, 50 * isa.TILE + 3])
@pytest.mark.parametrize("element", ["i8", "i16", "i32", "i64"])
@pytest.mark.parametrize("name", ["ctlz", "cttz", "ctpop"])
def test_bit_count_tile_ops_match_reference(name, element, n, device, workers):
    x = int_values(n, 7, element)
    expected, actual = run_both(program(name, 1, n, element), [x], device, workers)
    assert np.asarray(actual).tobytes() == bytes(expected.data)
    bits = x.dtype.itemsize * 8
    unsigned = [int(v) & ((1 << bits) - 1) for v in x[:64]]
    counts = {"ctlz": [bits - u.bit_length() for u in unsigned], "ctpop": [bin(u).count("1") for u in unsigned],
              "cttz": [(u & -u).bit_length() - 1 if u else bits for u in unsigned]}[name]
    assert np.asarray(actual)[:64].tolist() == counts


@pytest.mark.parametrize("n", [0, 1, isa.TILE + 1])
@pytest.mark.parametrize("element", ["i8", "i16", "i32", "i64"])
@pytest.mark.parametrize("name", ["addui_extended", "mulsi_extended", "mului_extended"])
def test_extended_ops_match_reference_and_exact_arithmetic(name, element, n):
    """The two results against Python's exact integers: the sum and its
    carry, or the double-width product's low and high halves."""
    t = f"tensor<{n}x{element}>"
    second = f"tensor<{n}xi1>" if name == "addui_extended" else t
    types = f"{t}, {second}" if name == "addui_extended" else t
    src = (f"func.func @f(%a: {t}, %b: {t}) -> ({t}, {second}) {{\n"
           f"  %r, %s = arith.{name} %a, %b : {types}\n  return %r, %s : {t}, {second}\n}}\n")
    a, b = int_values(n, 1, element), int_values(n, 2, element)
    module = compile_module(src, "ext.mlir")
    ref = interp.Context()
    ref.load(module)
    expected = ref.invoke("f", [interp.Buffer(element, x.shape, bytearray(x.tobytes())) for x in (a, b)])
    ctx = Context("local-task", 2)
    ctx.load(module)
    actual = [np.asarray(r) for r in ctx.invoke("f", [a, b])]
    assert [r.tobytes() for r in actual] == [bytes(e.data) for e in expected]
    bits = a.dtype.itemsize * 8
    mask = (1 << bits) - 1
    wrap = lambda v: (v & mask) - ((v & mask) >> (bits - 1) << bits)   # noqa: E731
    for x, y, r, s in list(zip(a.tolist(), b.tolist(), *(r.tolist() for r in actual)))[:300]:
        if name == "addui_extended":
            total = (x & mask) + (y & mask)
            assert (r, s) == (wrap(total), total >> bits)
        else:
            product = x * y if name == "mulsi_extended" else (x & mask) * (y & mask)
            assert (r, s) == (wrap(product), wrap(product >> bits))


# A splat of each width and kind (f32 -0.0, whose sign a product shows; f64
# past f32's range; i32 and i64 negatives, the latter past 32 bits) with an
# argument.
SPLATS = [("f32", "arith.mulf", "-0.0", np.float32), ("f64", "arith.addf", "1.0e300", np.float64),
          ("i32", "arith.addi", "-7", np.int32), ("i64", "arith.addi", "-1099511627776", np.int64)]


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("element,op,value,dtype", SPLATS)
def test_splats_on_every_size_and_device(element, op, value, dtype, n, device, workers):
    t = f"tensor<{n}x{element}>"
    source = (f"func.func @f(%a: {t}) -> {t} {{\n  %c = arith.constant dense<{value}> : {t}\n"
              f"  %r = {op} %a, %c : {t}\n  return %r : {t}\n}}\n")
    module = compile_module(source, "diff.mlir")
    assert "t.splat" in [isa.BY_CODE[w & 0xFF].name for k in module.kernels for w in k.code]
    a = (np.arange(n) % 1000 - 500).astype(dtype)
    expected, actual = run_both(source, [a], device, workers)
    assert bytes(expected.data) == np.asarray(actual).tobytes()
    c = np.array(float(value) if element[0] == "f" else int(value), dtype)
    assert np.asarray(actual).tobytes() == (a * c if op == "arith.mulf" else a + c).tobytes()
