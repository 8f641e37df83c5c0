"""Superinstructions (isa.SUPERINSTRUCTIONS): the compiler runs a mulf whose
product only the next op, an addf, reads (as its first operand) as one
t.muladdf, one pass over the tile instead of two; each op still rounds as it
would alone, so the results are the pair's, bit for bit, not a fused
multiply-add's."""
import copy
from fractions import Fraction

import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.verifier import VerifyError, verify_module

from test_runs import run_both
from test_tile_fields import tile_ops

DTYPES = {"f32": np.float32, "f64": np.float64}
# TIE * TIE is 1 + 2^-11 + 2^-24 in f32 (1 + 2^-26 + 2^-54 in f64): the
# last term is half an ulp (a quarter), which rounding the product drops, so
# TIE * TIE - 1 is 2^-11 (2^-26) where a fused multiply-add keeps it.
TIE = {"f32": 1 + 2.0 ** -12, "f64": 1 + 2.0 ** -27}


def source(body, element, n=None, results="%r"):
    t = f"tensor<{n if n is not None else '?'}x{element}>"
    count = results.count("%")
    return (f"func.func @f(%a: {t}, %b: {t}, %c: {t}) -> ({', '.join([t] * count)}) {{\n"
            + "".join(f"  {line} : {t}\n" for line in body)
            + f"  return {results} : {', '.join([t] * count)}\n}}\n")


def inputs(element, n):
    rng = np.random.default_rng(n)
    a, b, c = (rng.standard_normal(n).astype(DTYPES[element]) * 100 for _ in range(3))
    if n:
        a[0], b[0], c[0] = TIE[element], TIE[element], -1.0
    return a, b, c


@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2)])
@pytest.mark.parametrize("n", [0, 1, isa.TILE - 1, isa.TILE + 1, 50 * isa.TILE + 3])
@pytest.mark.parametrize("element", ["f32", "f64"])
def test_a_product_only_the_next_add_reads_runs_as_one_muladdf_rounding_twice(element, n, device, workers):
    module = compile_module(source(["%m = arith.mulf %a, %b", "%r = arith.addf %m, %c"], element), "m.mlir")
    assert "t.muladdf" in tile_ops(module) and "t.mulf" not in tile_ops(module)
    a, b, c = inputs(element, n)
    ctx = Context(device, workers)
    ctx.load(module)
    (have,) = ctx.invoke("f", [a, b, c])
    want = a * b + c   # numpy rounds the product first
    assert np.asarray(have).tobytes() == want.tobytes()
    if n:
        fused = DTYPES[element](float(Fraction(TIE[element]) ** 2 - 1))   # exact: rounded once
        assert np.asarray(have)[0] == (2.0 ** -11 if element == "f32" else 2.0 ** -26) != fused


@pytest.mark.parametrize("name,body,results", [
    ("the product is also returned", ["%m = arith.mulf %a, %b", "%r = arith.addf %m, %c"], "%r, %m"),
    ("the add reads the product twice", ["%m = arith.mulf %a, %b", "%r = arith.addf %m, %m"], "%r"),
    ("the product is the add's second operand", ["%m = arith.mulf %a, %b", "%r = arith.addf %c, %m"], "%r"),
    ("another op comes between", ["%m = arith.mulf %a, %b", "%x = math.absf %c", "%r = arith.addf %m, %x"], "%r"),
    ("the add is a subtract", ["%m = arith.mulf %a, %b", "%r = arith.subf %m, %c"], "%r"),
])
def test_other_pairs_stay_two_ops_with_the_same_results(name, body, results):
    module = compile_module(source(body, "f32", 333, results=results), "m.mlir")
    assert "t.muladdf" not in tile_ops(module), name
    have, want = run_both(module, "f", "f32", inputs("f32", 333), "local-task", 2)
    assert have == want


def test_halves_stay_two_ops_each_rounding_to_the_half():
    """f16 and bf16 compute in f32: a muladdf would round the product to f32
    only, so they have none."""
    module = compile_module(source(["%m = arith.mulf %a, %b", "%r = arith.addf %m, %c"], "f16", 333), "m.mlir")
    ops = tile_ops(module)
    assert "t.muladdf" not in ops and {"t.mulf", "t.addf"} <= ops
    rng = np.random.default_rng(5)
    args = [rng.standard_normal(333).astype(np.float16) for _ in range(3)]
    have, want = run_both(module, "f", "f16", args, "local-task", 2)
    assert have == want
    a, b, c = (x.astype(np.float32) for x in args)
    assert have[0] == ((a * b).astype(np.float16).astype(np.float32) + c).astype(np.float16).tobytes()


def test_the_verifier_refuses_a_muladdf_of_halves():
    module = compile_module(source(["%m = arith.mulf %a, %b", "%r = arith.addf %m, %c"], "f32", 8), "m.mlir")
    bad = copy.deepcopy(module)
    kernel = bad.kernels[0]
    pc = next(pc for pc in range(len(kernel.code)) if isa.decode(kernel.code, pc)[0].name == "t.muladdf")
    kernel.code[pc] = (kernel.code[pc] & ~0xF00) | (isa.ELEMENT_CODES["f16"] << 8)
    with pytest.raises(VerifyError, match=r"element type f16 not accepted \(f32-f64\)"):
        verify_module(bad)


@pytest.mark.parametrize("element", ["f32", "f64"])
def test_a_scalar_group_runs_the_superinstruction_too(element):
    """Scalars go through an eval kernel, fused as a tensor group is."""
    module = compile_module(f"func.func @f(%a: {element}, %b: {element}, %c: {element}) -> {element} {{\n"
                            f"  %m = arith.mulf %a, %b : {element}\n  %r = arith.addf %m, %c : {element}\n"
                            f"  return %r : {element}\n}}\n", "s.mlir")
    assert "t.muladdf" in tile_ops(module)
    ref = interp.Context()
    ref.load(module)
    ctx = Context("local-sync")
    ctx.load(module)
    args = [TIE[element], TIE[element], -1.0]
    assert ref.invoke("f", args) == ctx.invoke("f", args) == [2.0 ** -11 if element == "f32" else 2.0 ** -26]
