"""The tile interpreter runs a tile's elements through the whole kernel a
run at a time (csrc/kernels.pxi, RUN_ELEMENTS): each way a kernel writes an
output (t.bind'd results, a superinstruction's, t.store of a computed
register, a splat fill, i1, f16 and f64 results, several outputs) gives the
reference interpreter's bytes at sizes around a run and a tile, inline and
fanned out to the workers."""
import numpy as np
import pytest

from iree_lite import _vm, isa
from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm import interp

RUN = 1024   # csrc/kernels.pxi RUN_ELEMENTS
# The last size is above the inline threshold (196608 elements): it fans out.
SIZES = [0, 1, RUN - 1, RUN + 1, isa.TILE - 1, isa.TILE + 1, 50 * isa.TILE + 3]
DEVICES = [("local-sync", None), ("local-task", 2)]
EDGE = [0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, 1e30, -1e-30, 3.0]

F = "tensor<?xf32>"
H = "tensor<?xf16>"
SOURCE = f"""
func.func @chain(%a: {F}, %b: {F}, %c: {F}) -> {F} {{
  %m = arith.mulf %a, %b : {F}
  %s = arith.addf %m, %c : {F}
  %x = math.absf %s : {F}
  %y = arith.maximumf %x, %a : {F}
  return %y : {F}
}}
func.func @two_outputs(%a: {F}, %b: {F}) -> ({F}, {F}) {{
  %m = arith.mulf %a, %b : {F}
  %y = arith.subf %m, %a : {F}
  return %m, %y : {F}, {F}
}}
func.func @fill(%a: {F}) -> {F} {{
  %c0 = arith.constant 0 : index
  %f = arith.constant 2.5 : f32
  %n = tensor.dim %a, %c0 : {F}
  %s = tensor.splat %f[%n] : {F}
  return %s : {F}
}}
func.func @compare(%a: {F}, %b: {F}) -> tensor<?xi1> {{
  %r = arith.cmpf olt, %a, %b : {F}
  return %r : tensor<?xi1>
}}
func.func @widen(%a: {F}, %b: {F}) -> tensor<?xf64> {{
  %s = arith.addf %a, %b : {F}
  %r = arith.extf %s : {F} to tensor<?xf64>
  return %r : tensor<?xf64>
}}
func.func @half(%a: {H}, %b: {H}) -> {H} {{
  %m = arith.mulf %a, %b : {H}
  %r = arith.addf %m, %a : {H}
  return %r : {H}
}}
"""
ARITY = {"chain": 3, "two_outputs": 2, "fill": 1, "compare": 2, "widen": 2, "half": 2}


def values(n, seed, dtype):
    v = np.random.default_rng(seed).standard_normal(n) * 100
    v[:min(n, len(EDGE))] = EDGE[:n]
    with np.errstate(over="ignore"):   # 1e30 is inf in f16
        return v.astype(dtype)


@pytest.fixture(scope="module")
def module():
    return compile_module(SOURCE, "runs.mlir")


def run_both(module, name, element, inputs, device, workers):
    """The native VM's and the reference interpreter's result bytes."""
    ctx = Context(device, workers)
    ctx.load(module)
    ref = interp.Context()
    ref.load(module)
    shape = inputs[0].shape
    got = ctx.invoke(name, [_vm.BufferView.from_bytes(isa.ELEMENT_CODES[element], shape, a) for a in inputs])
    want = ref.invoke(name, [interp.Buffer(element, shape, bytearray(a.tobytes())) for a in inputs])
    return [np.asarray(g).tobytes() for g in got], [bytes(w.data) for w in want]


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("name", sorted(ARITY))
def test_every_output_path_gives_the_reference_bytes_around_runs_and_tiles(module, name, device, workers):
    element, dtype = ("f16", np.float16) if name == "half" else ("f32", np.float32)
    for n in SIZES:
        got, want = run_both(module, name, element, [values(n, seed, dtype) for seed in range(ARITY[name])],
                             device, workers)
        assert got == want, (name, n)
