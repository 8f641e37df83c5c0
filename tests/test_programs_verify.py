"""The compiler never emits bytecode its own verifier rejects: every lit
program under every execution model, and generated structured-op bodies
that gather with computed indices (where an i1 bounds test once reached
the bytecode typed as index). Every program the other tests compile in
process is checked as well (tests/conftest.py)."""
import glob
import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import iree_lite.compiler
from iree_lite.isa.module import serialize
from iree_lite.ir.core import Diagnostic
from iree_lite.ir.abi import EXECUTION_MODELS
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.format import deserialize
from iree_lite.vm.verifier import verify_module
from tool_runs import same_on_both

LIT = os.path.join(os.path.dirname(__file__), "lit")
PROGRAMS = sorted(os.path.relpath(p, LIT) for p in glob.glob(os.path.join(LIT, "**", "*.mlir"), recursive=True))


def compile_and_verify(text, filename, model):
    module = iree_lite.compiler.compile_module(text, filename, model)
    verify_module(deserialize(serialize(module)))
    return module


def test_every_program_of_the_suite_is_found():
    assert len(PROGRAMS) > 30 and "ops_convolution.mlir" in PROGRAMS and os.path.join("Inputs", "cycle_a.mlir") in \
        PROGRAMS


@pytest.mark.parametrize("model", EXECUTION_MODELS)
@pytest.mark.parametrize("name", PROGRAMS)
def test_every_lit_program_compiles_to_bytecode_the_verifier_accepts(name, model):
    path = os.path.join(LIT, name)
    compile_and_verify(open(path).read(), path, model)


THREE_GATHERS = """
func.func @f(%src: tensor<2x4x5xf32>, %idx: tensor<3xi64>) -> tensor<3x5xf32> {
  %e = tensor.empty() : tensor<3x5xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]} ins(%idx : tensor<3xi64>) outs(%e : tensor<3x5xf32>) {
  ^bb0(%i: i64, %o: f32):
    %ii = arith.index_cast %i : i64 to index
    %j = linalg.index 1 : index
    %k = linalg.index 0 : index
    %c2 = arith.constant 2 : index
    %kk = arith.remui %k, %c2 : index
    %v = tensor.extract %src[%kk, %ii, %j] : tensor<2x4x5xf32>
    linalg.yield %v : f32
  } -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}
"""


def run_both(module, arrays):
    """The outputs of the native VM and of the reference interpreter (which must agree)."""
    ctx = Context("local-task", 2)
    ctx.load(module)
    ref = interp.Context()
    ref.load(module)
    return same_on_both(ctx, ref, "f", arrays)


def test_three_computed_indices_gather_in_range():
    """Three indices' bounds tests, combined by arith.andi: i1 throughout
    (the bytecode once read them as index and failed to load)."""
    module = compile_and_verify(THREE_GATHERS, "g.mlir", "async-internal")
    src = np.arange(40, dtype=np.float32).reshape(2, 4, 5)
    idx = np.array([2, 0, 3], np.int64)
    (got,) = run_both(module, [src, idx])
    np.testing.assert_array_equal(got, src[np.arange(3) % 2, idx])


@st.composite
def gather_programs(draw):
    """A generic over (rows, cols) gathering from a source of rank 1 to 4
    at indices each computed from an input element, a coordinate or a
    constant, through index arithmetic, kept in range by arith.remui."""
    rank = draw(st.integers(1, 4))
    shape = [draw(st.integers(1, 4)) for _ in range(rank)]
    lines, indices, uses = [], [], []
    for axis, n in enumerate(shape):
        kind = draw(st.sampled_from(["input", "row", "col", "const"]))
        name, value = f"%a{axis}", draw(st.integers(0, 9))
        if kind == "input":
            lines.append(f"    {name}x = arith.index_cast %in : i64 to index")
        elif kind == "const":
            lines.append(f"    {name}x = arith.constant {value} : index")
        else:
            lines.append(f"    {name}x = linalg.index {0 if kind == 'row' else 1} : index")
        scale = draw(st.integers(1, 3))
        lines.append(f"    {name}s = arith.constant {scale} : index")
        lines.append(f"    {name}m = arith.muli {name}x, {name}s : index")
        lines.append(f"    {name}n = arith.constant {n} : index")
        lines.append(f"    {name} = arith.remui {name}m, {name}n : index")
        indices.append(name)
        uses.append((kind, value, scale, n))
    t = f"tensor<{'x'.join(map(str, shape))}xf32>"
    body = "\n".join(lines)
    text = f"""
func.func @f(%src: {t}, %idx: tensor<3xi64>) -> tensor<3x4xf32> {{
  %e = tensor.empty() : tensor<3x4xf32>
  %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}}
      ins(%idx : tensor<3xi64>) outs(%e : tensor<3x4xf32>) {{
  ^bb0(%in: i64, %o: f32):
{body}
    %v = tensor.extract %src[{", ".join(indices)}] : {t}
    linalg.yield %v : f32
  }} -> tensor<3x4xf32>
  return %r : tensor<3x4xf32>
}}
"""
    return text, shape, uses


def expected_gather(src, idx, uses):
    rows, cols = np.meshgrid(np.arange(3), np.arange(4), indexing="ij")
    x = {"input": np.broadcast_to(idx[:, None], (3, 4)), "row": rows, "col": cols}
    return src[tuple((x.get(kind, np.full((3, 4), value)) * scale) % n for kind, value, scale, n in uses)]


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(gather_programs())
def test_generated_gathers_verify_and_match_numpy(program):
    text, shape, uses = program
    for model in EXECUTION_MODELS:
        compile_and_verify(text, "gen.mlir", model)
    src = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    idx = np.array([5, 0, 3], np.int64)
    (got,) = run_both(compile_and_verify(text, "gen.mlir", "async-internal"), [src, idx])
    np.testing.assert_array_equal(got, expected_gather(src, idx, uses))


def test_a_generic_of_more_loops_than_the_vm_has_dimensions_is_a_located_error():
    """Nine loops reducing an 8-d input over 34 points (over at most 16 the
    rewrite folds point by point): the iteration space the rewrite makes is
    a tensor of 9 dimensions, refused at the generic, not in bytecode the
    verifier would reject at load."""
    d = ", ".join(f"d{i}" for i in range(9))
    src = ("func.func @f(%x: tensor<1x1x1x1x1x1x1x2xf32>, %w: tensor<17xf32>, %o: tensor<1xf32>) -> tensor<1xf32> {\n"
           f"  %r = linalg.generic {{indexing_maps = [affine_map<({d}) -> ({d[:-4]})>, affine_map<({d}) -> (d8)>, "
           f"affine_map<({d}) -> (d0)>], iterator_types = [\"parallel\", " + ", ".join(['"reduction"'] * 8) + "]} "
           "ins(%x, %w : tensor<1x1x1x1x1x1x1x2xf32>, tensor<17xf32>) outs(%o : tensor<1xf32>) {\n"
           "  ^bb0(%a: f32, %b: f32, %acc: f32):\n    %p = arith.mulf %a, %b : f32\n"
           "    %s = arith.addf %p, %acc : f32\n    linalg.yield %s : f32\n  } -> tensor<1xf32>\n"
           "  return %r : tensor<1xf32>\n}\n")
    with pytest.raises(Diagnostic, match=re.escape("'tensor<1x1x1x1x1x1x1x2x17xf32>' has 9 dimensions, more than "
                                                   "the VM's limit of 8")) as e:
        iree_lite.compiler.compile_module(src, "t.mlir")
    assert e.value.render().startswith("t.mlir:2:8: error:")
