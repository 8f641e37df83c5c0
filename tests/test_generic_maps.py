"""linalg.generic indexing maps with affine expressions of the loop
dimensions (sums, constant multiples, constants), as generalized
convolutions and strided generics use, against numpy on both VMs; reads
outside an operand are a compile-time error where the sizes are static and
a run-time one otherwise."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError
from tool_runs import as_buffer, same_on_both


def run_both(both_vms, source, arrays):
    """The single result of the native VM, which the reference interpreter matches byte for byte."""
    (got,) = same_on_both(*both_vms(source), "f", arrays)
    return got


def generic(maps, iterators, ins, outs, body, result):
    """A function of its ins' and outs' tensor arguments returning one generic."""
    args = ", ".join(f"%{name}: {t}" for name, t in ins + outs)
    return f"""
func.func @f({args}) -> {result} {{
  %r = linalg.generic {{indexing_maps = [{", ".join(f"affine_map<{m}>" for m in maps)}],
                       iterator_types = [{", ".join(f'"{i}"' for i in iterators)}]}}
      ins({", ".join(f"%{n}" for n, _ in ins)} : {", ".join(t for _, t in ins)})
      outs({", ".join(f"%{n}" for n, _ in outs)} : {", ".join(t for _, t in outs)}) {{
{body}
  }} -> {result}
  return %r : {result}
}}
"""


MAC = """  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32"""


def test_convolution_written_as_a_generic_with_strides_and_dilations(both_vms):
    """A 2-D convolution as linalg's generalization writes it: input rows
    read at d1 * 2 + d4 * 2 (stride 2, dilation 2), columns at d2 + d5."""
    src = generic(["(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 * 2 + d4 * 2, d2 + d5, d6)",
                   "(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)",
                   "(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)"],
                  ["parallel"] * 4 + ["reduction"] * 3,
                  [("x", "tensor<2x9x6x3xf32>"), ("w", "tensor<3x2x3x4xf32>")], [("o", "tensor<2x3x5x4xf32>")],
                  MAC, "tensor<2x3x5x4xf32>")
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 5, (2, 9, 6, 3)).astype(np.float32)
    w = rng.integers(-3, 3, (3, 2, 3, 4)).astype(np.float32)
    o = rng.integers(-9, 9, (2, 3, 5, 4)).astype(np.float32)
    want = o.copy()
    for i in range(3):
        for j in range(5):
            window = x[:, i * 2:i * 2 + 5:2, j:j + 2, :]
            want[:, i, j, :] += np.einsum("nhwc,hwcf->nf", window, w)
    np.testing.assert_array_equal(run_both(both_vms, src, [x, w, o]), want)


def test_strided_and_constant_results_in_a_parallel_generic(both_vms):
    """Every other row, column 1 of the second operand, and a shifted copy."""
    src = generic(["(d0, d1) -> (2 * d0, d1)", "(d0, d1) -> (d0 + 1, 1)", "(d0, d1) -> (d0, d1 + 3 - 3)",
                   "(d0, d1) -> (d0, d1)"],
                  ["parallel", "parallel"],
                  [("x", "tensor<5x4xf32>"), ("y", "tensor<4x2xf32>"), ("z", "tensor<3x4xf32>")],
                  [("o", "tensor<3x4xf32>")],
                  """  ^bb0(%a: f32, %b: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    %t = arith.mulf %s, %c : f32
    linalg.yield %t : f32""", "tensor<3x4xf32>")
    x = np.arange(20, dtype=np.float32).reshape(5, 4)
    y = np.arange(8, dtype=np.float32).reshape(4, 2) * 10
    z = np.arange(12, dtype=np.float32).reshape(3, 4) - 5
    got = run_both(both_vms, src, [x, y, z, np.zeros((3, 4), np.float32)])
    np.testing.assert_array_equal(got, (x[0::2] + y[1:4, 1:2]) * z)


def test_one_dimensional_convolution_of_dynamic_sizes_and_its_bounds(both_vms):
    """Sizes read at run time: a window past the input's end fails the call."""
    src = generic(["(d0, d1) -> (d0 + d1)", "(d0, d1) -> (d1)", "(d0, d1) -> (d0)"], ["parallel", "reduction"],
                  [("x", "tensor<?xf32>"), ("w", "tensor<?xf32>")], [("o", "tensor<?xf32>")], MAC, "tensor<?xf32>")
    x = np.array([1, 2, -3, 4, 5, 6], np.float32)
    w = np.array([1, -2, 0.5], np.float32)
    got = run_both(both_vms, src, [x, w, np.ones(4, np.float32)])
    np.testing.assert_array_equal(got, 1 + np.correlate(x, w, "valid"))
    module = compile_module(src, "c.mlir")
    for vm in (Context("local-sync"), interp.Context()):
        vm.load(module)
        arrays = [x, w, np.ones(5, np.float32)]
        if isinstance(vm, interp.Context):
            arrays = [as_buffer(a) for a in arrays]
        with pytest.raises(VMError, match="OUT_OF_RANGE"):
            vm.invoke("f", arrays)


@pytest.mark.parametrize("maps,message", [
    (["(d0) -> (d0 + 2)", "(d0) -> (d0)"],
     r"indexing map affine_map<\(d0\) -> \(\(d0 \+ 2\)\)> reads operand 0 of type 'tensor<6xf32>' outside "
     r"dimension 0: from 2 to 6"),
    (["(d0) -> (d0 - 1)", "(d0) -> (d0)"], "outside dimension 0: from -1 to 3"),
    (["(d0) -> (d0)", "(d0) -> (d0 + 1)"], "on inputs sums of dimensions times constants and constants"),
    (["(d0) -> (d0 * d0)", "(d0) -> (d0)"], "on inputs sums of dimensions times constants and constants"),
])
def test_indexing_maps_iree_lite_rejects(maps, message):
    src = generic(maps, ["parallel"], [("x", "tensor<6xf32>")], [("o", "tensor<5xf32>")],
                  "  ^bb0(%a: f32, %out: f32):\n    linalg.yield %a : f32", "tensor<5xf32>")
    with pytest.raises(Diagnostic, match=message) as e:
        compile_module(src, "m.mlir")
    assert e.value.render().startswith("m.mlir:3:8: error:")
