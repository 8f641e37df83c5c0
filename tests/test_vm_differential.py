"""Every tile opcode, Cython VM vs reference interpreter, on odd sizes.

Sizes straddle the tile: 0, 1, TILE-1, TILE, TILE+1 and a large multi-tile
size, on local-sync and on local-task with 1, 2 and 7 workers (the large
size is above the inline threshold, so it really fans out).
"""
import math
import struct

import numpy as np
import pytest

from iree_lite.codegen import isa
from iree_lite.compiler import compile_module
from iree_lite.ir.elements import pack
from iree_lite.runtime.context import Context
from iree_lite.vm import interp

SIZES = [0, 1, isa.TILE - 1, isa.TILE, isa.TILE + 1, 40 * isa.TILE + 3]
DEVICES = [("local-sync", None), ("local-task", 1), ("local-task", 2), ("local-task", 7)]
EDGE = [0.0, -0.0, 1.5, -2.25, float("inf"), float("-inf"), float("nan"), 1e30, -1e-30, 3.0]

UNARY = {"t.absf": "math.absf", "t.negf": "arith.negf"}
BINARY = {"t.addf": "arith.addf", "t.subf": "arith.subf", "t.mulf": "arith.mulf", "t.divf": "arith.divf",
          "t.maximumf": "arith.maximumf", "t.minimumf": "arith.minimumf"}


def test_every_arithmetic_tile_op_is_covered():
    tile_ops = {op.name for op in isa.ops_of_form("tile")} - {"t.load", "t.splat", "t.store", "t.bind"}
    assert tile_ops == set(UNARY) | set(BINARY)


def program(mlir_op, arity, n, element):
    t = f"tensor<{n}x{element}>"
    args = ", ".join(f"%a{i}: {t}" for i in range(arity))
    operands = ", ".join(f"%a{i}" for i in range(arity))
    return (f"func.func @f({args}) -> {t} {{\n"
            f"  %r = {mlir_op} {operands} : {t}\n"
            f"  return %r : {t}\n}}\n")


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
    return {"float32": "f32", "float64": "f64"}[a.dtype.name]


def assert_same(expected, actual):
    want = np.frombuffer(bytes(expected.data), dtype=np.float32 if expected.element == "f32" else np.float64)
    have = np.asarray(actual)
    assert have.shape == want.shape
    # Bitwise equal except that any NaN equals any NaN.
    both_nan = np.isnan(want) & np.isnan(have)
    assert np.array_equal(want[~both_nan].view(np.uint8), have[~both_nan].view(np.uint8))
    assert np.array_equal(np.isnan(want), np.isnan(have))


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("element", ["f32", "f64"])
@pytest.mark.parametrize("op", sorted(UNARY) + sorted(BINARY))
def test_tile_op_matches_reference(op, element, n, device, workers):
    arity = 1 if op in UNARY else 2
    mlir = UNARY.get(op) or BINARY[op]
    inputs = [values(n, seed, element) for seed in range(arity)]
    expected, actual = run_both(program(mlir, arity, n, element), inputs, device, workers)
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
