"""tensor dialect ops on both VMs: element access with bounds checks,
construction, and reshapes that share storage."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError

PROGRAM = """
func.func @extract(%t: tensor<2x3xf32>, %i: index, %j: index) -> f32 {
  %v = tensor.extract %t[%i, %j] : tensor<2x3xf32>
  return %v : f32
}
func.func @insert(%t: tensor<4xi32>, %v: i32, %i: index) -> (tensor<4xi32>, tensor<4xi32>) {
  %r = tensor.insert %v into %t[%i] : tensor<4xi32>
  return %r, %t : tensor<4xi32>, tensor<4xi32>
}
func.func @build(%a: f64, %b: f64) -> (tensor<2x2xf64>, tensor<3xf64>, index) {
  %m = tensor.from_elements %a, %b, %b, %a : tensor<2x2xf64>
  %s = tensor.splat %b : tensor<3xf64>
  %c1 = arith.constant 1 : index
  %d = tensor.dim %m, %c1 : tensor<2x2xf64>
  return %m, %s, %d : tensor<2x2xf64>, tensor<3xf64>, index
}
func.func @reshape(%t: tensor<2x3xf32>) -> (tensor<6xf32>, tensor<3x2xf32>, tensor<2x3xf32>) {
  %flat = tensor.collapse_shape %t [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  %two = arith.constant dense<2.0> : tensor<6xf32>
  %d = arith.mulf %flat, %two : tensor<6xf32>
  %e = tensor.expand_shape %d [[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
  %c = tensor.cast %t : tensor<2x3xf32> to tensor<2x3xf32>
  return %d, %e, %c : tensor<6xf32>, tensor<3x2xf32>, tensor<2x3xf32>
}
func.func @f16_extract(%t: tensor<2xf16>) -> f16 {
  %c1 = arith.constant 1 : index
  %v = tensor.extract %t[%c1] : tensor<2xf16>
  return %v : f16
}
"""


@pytest.fixture(scope="module", params=["host-only", "async-external"])
def vms(request):
    module = compile_module(PROGRAM, "t.mlir", request.param)
    ref = interp.Context()
    ref.load(module)
    ctx = Context("local-task", 2)
    ctx.load(module)
    return ref, ctx


def both(vms, name, args, ref_args):
    ref, ctx = vms
    return ref.invoke(name, ref_args), ctx.invoke(name, args)


def buf(a, element):
    return interp.Buffer(element, a.shape, bytearray(a.tobytes()))


def test_extract_and_bounds(vms):
    t = np.arange(6, dtype=np.float32).reshape(2, 3)
    want, have = both(vms, "extract", [t, 1, 2], [buf(t, "f32"), 1, 2])
    assert want == have == [5.0]
    for vm, arg in zip(vms, (buf(t, "f32"), t)):
        with pytest.raises(VMError, match="OUT_OF_RANGE; index 3 out of bounds for dimension 1 of size 3"):
            vm.invoke("extract", [arg, 0, 3])
        with pytest.raises(VMError, match="index -1 out of bounds for dimension 0 of size 2"):
            vm.invoke("extract", [arg, -1, 0])


def test_insert_makes_a_new_tensor(vms):
    t = np.array([1, 2, 3, 4], np.int32)
    want, have = both(vms, "insert", [t, -7, 2], [buf(t, "i32"), -7, 2])
    assert np.frombuffer(bytes(want[0].data), np.int32).tolist() == np.asarray(have[0]).tolist() == [1, 2, -7, 4]
    assert np.asarray(have[1]).tolist() == [1, 2, 3, 4]


def test_from_elements_splat_and_dim(vms):
    want, have = both(vms, "build", [1.5, -2.0], [1.5, -2.0])
    assert np.asarray(have[0]).tolist() == [[1.5, -2.0], [-2.0, 1.5]]
    assert np.asarray(have[1]).tolist() == [-2.0] * 3 and have[2] == want[2] == 2
    assert bytes(want[0].data) == np.asarray(have[0]).tobytes()


def test_reshapes_share_storage(vms):
    t = np.arange(6, dtype=np.float32).reshape(2, 3)
    want, have = both(vms, "reshape", [t], [buf(t, "f32")])
    d, e, c = (np.asarray(x) for x in have)
    assert d.tolist() == (t.reshape(6) * 2).tolist() and e.shape == (3, 2) and e.ravel().tolist() == d.tolist()
    assert e.ctypes.data == d.ctypes.data       # a view, no copy
    assert [w.shape for w in want] == [(6,), (3, 2), (2, 3)]


def test_f16_element(vms):
    t = np.array([0.5, -0.333], np.float16)
    want, have = both(vms, "f16_extract", [t], [buf(t, "f16")])
    assert want == have == [float(np.float16(-0.333))]


@pytest.mark.parametrize("source,message", [
    ("func.func @f(%t: tensor<4xf32>, %i: index) -> f32 {\n  %v = tensor.extract %t[%i, %i] : tensor<4xf32>\n"
     "  return %v : f32\n}", "2 indices for a tensor of rank 1"),
    ("func.func @f(%t: tensor<4xf32>) -> tensor<5xf32> {\n"
     "  %r = tensor.collapse_shape %t [[0]] : tensor<4xf32> into tensor<5xf32>\n  return %r : tensor<5xf32>\n}",
     "element types and counts must match"),
    ("func.func @f(%a: f32) -> tensor<3xf32> {\n  %t = tensor.from_elements %a, %a : tensor<3xf32>\n"
     "  return %t : tensor<3xf32>\n}", "2 elements for 'tensor<3xf32>', which holds 3"),
    ("func.func @f(%t: tensor<4xf32>) -> tensor<4xi64> {\n  %r = tensor.bitcast %t : tensor<4xf32> to tensor<4xi64>\n"
     "  return %r : tensor<4xi64>\n}", "'tensor.bitcast' needs a same result type"),
    ("func.func @f(%t: f32) -> i32 {\n  %r = tensor.bitcast %t : f32 to i32\n  return %r : i32\n}",
     "'tensor.bitcast' converts tensors"),
])
def test_errors(source, message):
    with pytest.raises(Diagnostic, match=message):
        compile_module(source, "bad.mlir")


SLICES = """
func.func @f(%t: tensor<4x6xi32>, %p: tensor<2x3xi32>) -> (tensor<2x3xi32>, tensor<3xi32>, tensor<4x6xi32>, tensor<6x6xi32>) {
  %s = tensor.extract_slice %t[1, 0] [2, 3] [2, 2] : tensor<4x6xi32> to tensor<2x3xi32>
  %row = tensor.extract_slice %t[3, 1] [1, 3] [1, 1] : tensor<4x6xi32> to tensor<3xi32>
  %i = tensor.insert_slice %p into %t[0, 3] [2, 3] [1, 1] : tensor<2x3xi32> into tensor<4x6xi32>
  %c = tensor.concat dim(0) %t, %s2 : (tensor<4x6xi32>, tensor<2x6xi32>) -> tensor<6x6xi32>
  return %s, %row, %i, %c : tensor<2x3xi32>, tensor<3xi32>, tensor<4x6xi32>, tensor<6x6xi32>
}
"""


def test_bitcast_keeps_the_bits():
    src = ("func.func @f(%t: tensor<2x3xf32>) -> tensor<2x3xi32> {\n"
           "  %r = tensor.bitcast %t : tensor<2x3xf32> to tensor<2x3xi32>\n  return %r : tensor<2x3xi32>\n}\n")
    ctx = Context("local-task", 2)
    ctx.load(compile_module(src, "b.mlir"))
    a = np.array([[1.0, -0.0, np.nan], [np.inf, 3.5, -1e-40]], np.float32)
    np.testing.assert_array_equal(np.asarray(ctx.invoke("f", [a])[0]), a.view(np.int32))


def test_slices_and_concat():
    src = SLICES.replace("%s2", "%two").replace(
        "  %c = tensor.concat", "  %two = tensor.extract_slice %t[0, 0] [2, 6] [1, 1] : tensor<4x6xi32> to tensor<2x6xi32>\n"
                               "  %c = tensor.concat")
    module = compile_module(src, "s.mlir")
    t = np.arange(24, dtype=np.int32).reshape(4, 6)
    p = -np.arange(6, dtype=np.int32).reshape(2, 3)
    ref = interp.Context()
    ref.load(module)
    want = ref.invoke("f", [buf(t, "i32"), buf(p, "i32")])
    ctx = Context("local-task", 2)
    ctx.load(module)
    s, row, i, c = (np.asarray(x) for x in ctx.invoke("f", [t, p]))
    np.testing.assert_array_equal(s, t[1:4:2, 0:6:2])
    np.testing.assert_array_equal(row, t[3, 1:4])
    expect = t.copy()
    expect[0:2, 3:6] = p
    np.testing.assert_array_equal(i, expect)
    np.testing.assert_array_equal(c, np.concatenate([t, t[:2]]))
    assert [bytes(w.data) for w in want] == [x.tobytes() for x in (s, row, i, c)]


@pytest.mark.parametrize("body,message", [
    ("%s = tensor.extract_slice %t[3, 0] [2, 3] [1, 1] : tensor<4x6xi32> to tensor<2x3xi32>",
     r"slice \[3 \+ 2 x 1\] is outside a dimension of size 4"),
    ("%s = tensor.extract_slice %t[0, 0] [2, 3] [1, 1] : tensor<4x6xi32> to tensor<3x2xi32>",
     "a slice of sizes"),
    ("%s = tensor.concat dim(0) %t, %t : (tensor<4x6xi32>, tensor<4x6xi32>) -> tensor<9x6xi32>",
     "add up to 8"),
])
def test_slice_errors(body, message):
    src = f"func.func @f(%t: tensor<4x6xi32>) {{\n  {body}\n  return\n}}\n"
    with pytest.raises(Diagnostic, match=message):
        compile_module(src, "bad.mlir")


@pytest.mark.parametrize("model", ["host-only", "async-external"])
def test_pad_with_a_constant(model):
    src = ("func.func @f(%t: tensor<2x3xf32>) -> tensor<4x7xf32> {\n  %c = arith.constant -1.5 : f32\n"
           "  %p = tensor.pad %t low[1, 3] high[1, 1] {\n  ^bb0(%i: index, %j: index):\n    tensor.yield %c : f32\n"
           "  } : tensor<2x3xf32> to tensor<4x7xf32>\n  return %p : tensor<4x7xf32>\n}\n")
    module = compile_module(src, "p.mlir", model)
    t = np.arange(6, dtype=np.float32).reshape(2, 3)
    ctx = Context("local-task", 2)
    ctx.load(module)
    (r,) = ctx.invoke("f", [t])
    np.testing.assert_array_equal(np.asarray(r), np.pad(t, ((1, 1), (3, 1)), constant_values=-1.5))
    ref = interp.Context()
    ref.load(module)
    assert bytes(ref.invoke("f", [buf(t, "f32")])[0].data) == np.asarray(r).tobytes()


@pytest.mark.parametrize("model", ["host-only", "async-external"])
def test_pad_values_computed_in_the_region(model):
    """A constant made in the region, and a value of the coordinates (which
    IREE 3.13's llvm-cpu fails to compile)."""
    src = ("func.func @f(%t: tensor<2x3xf32>) -> (tensor<4x4xf32>, tensor<3x5xf32>) {\n"
           "  %p = tensor.pad %t low[1, 0] high[1, 1] {\n  ^bb0(%i: index, %j: index):\n"
           "    %c = arith.constant -1.0 : f32\n    tensor.yield %c : f32\n  } : tensor<2x3xf32> to tensor<4x4xf32>\n"
           "  %q = tensor.pad %t low[0, 2] high[1, 0] {\n  ^bb0(%i: index, %j: index):\n"
           "    %ten = arith.constant 10 : index\n    %a = arith.muli %i, %ten : index\n"
           "    %s = arith.addi %a, %j : index\n    %k = arith.index_cast %s : index to i32\n"
           "    %f = arith.sitofp %k : i32 to f32\n    tensor.yield %f : f32\n  } : tensor<2x3xf32> to tensor<3x5xf32>\n"
           "  return %p, %q : tensor<4x4xf32>, tensor<3x5xf32>\n}\n")
    module = compile_module(src, "p.mlir", model)
    t = np.arange(6, dtype=np.float32).reshape(2, 3) + 100
    ctx = Context("local-task", 2)
    ctx.load(module)
    p, q = (np.asarray(r) for r in ctx.invoke("f", [t]))
    np.testing.assert_array_equal(p, np.pad(t, ((1, 1), (0, 1)), constant_values=-1))
    want = np.add.outer(np.arange(3) * 10, np.arange(5)).astype(np.float32)
    want[:2, 2:] = t
    np.testing.assert_array_equal(q, want)
    ref = interp.Context()
    ref.load(module)
    assert [bytes(r.data) for r in ref.invoke("f", [buf(t, "f32")])] == [p.tobytes(), q.tobytes()]


def test_pad_region_must_take_index_coordinates():
    src = ("func.func @f(%t: tensor<2xf32>) -> tensor<3xf32> {\n"
           "  %p = tensor.pad %t low[1] high[0] {\n  ^bb0(%i: index, %j: index):\n"
           "    %c = arith.constant -1.0 : f32\n    tensor.yield %c : f32\n  } : tensor<2xf32> to tensor<3xf32>\n"
           "  return %p : tensor<3xf32>\n}\n")
    with pytest.raises(Diagnostic, match="the 'tensor.pad' region takes 1 index coordinates"):
        compile_module(src, "p.mlir")


DYNAMIC_SLICES = """
func.func @f(%t: tensor<6x8xi32>, %i: index, %s: index) -> (tensor<2x3xi32>, tensor<3xi32>, tensor<6x8xi32>) {
  %a = tensor.extract_slice %t[%i, 1] [2, 3] [1, %s] : tensor<6x8xi32> to tensor<2x3xi32>
  %row = tensor.extract_slice %t[%i, %i] [1, 3] [1, 1] : tensor<6x8xi32> to tensor<3xi32>
  %u = tensor.insert_slice %a into %t[0, %i] [2, 3] [%s, 1] : tensor<2x3xi32> into tensor<6x8xi32>
  return %a, %row, %u : tensor<2x3xi32>, tensor<3xi32>, tensor<6x8xi32>
}
"""


@pytest.mark.parametrize("model", ["host-only", "async-external"])
def test_slices_with_dynamic_offsets_and_strides(model):
    module = compile_module(DYNAMIC_SLICES, "s.mlir", model)
    t = np.arange(48, dtype=np.int32).reshape(6, 8)
    ctx = Context("local-task", 2)
    ctx.load(module)
    ref = interp.Context()
    ref.load(module)
    for i, s in ((0, 1), (2, 2), (4, 3)):
        have = [np.asarray(r) for r in ctx.invoke("f", [t, i, s])]
        want_u = t.copy()
        want_u[0:2 * s:s, i:i + 3] = t[i:i + 2, 1:1 + 3 * s:s]
        for h, w in zip(have, (t[i:i + 2, 1:1 + 3 * s:s], t[i, i:i + 3], want_u)):
            np.testing.assert_array_equal(h, w)
        assert [bytes(r.data) for r in ref.invoke("f", [buf(t, "i32"), i, s])] == [h.tobytes() for h in have]


@pytest.mark.parametrize("i,s,message", [
    (5, 1, "slice 5 \\+ 2 x 1 is outside dimension 0 of size 6"),
    (0, 4, "slice 1 \\+ 3 x 4 is outside dimension 1 of size 8"),
    (-1, 1, "slice -1 \\+ 2 x 1 is outside dimension 0 of size 6"),
    (0, 0, "slice 1 \\+ 3 x 0 is outside dimension 1 of size 8"),
])
def test_dynamic_slices_out_of_bounds_are_errors(i, s, message, both_vms):
    ctx, ref = both_vms(DYNAMIC_SLICES, "s.mlir")
    t = np.zeros((6, 8), np.int32)
    for run in (lambda: ctx.invoke("f", [t, i, s]), lambda: ref.invoke("f", [buf(t, "i32"), i, s])):
        with pytest.raises(VMError, match="OUT_OF_RANGE; " + message):
            run()


def test_pad_region_must_yield_one_value():
    """An empty tensor.yield used to crash the parser (an IndexError)."""
    src = ("func.func @f(%t: tensor<2xf32>) -> tensor<3xf32> {\n"
           "  %p = tensor.pad %t low[1] high[0] {\n  ^bb0(%i: index):\n    tensor.yield\n"
           "  } : tensor<2xf32> to tensor<3xf32>\n  return %p : tensor<3xf32>\n}\n")
    with pytest.raises(Diagnostic, match="the 'tensor.pad' region must yield one value") as e:
        compile_module(src, "p.mlir")
    assert e.value.render().startswith("p.mlir:2:19: error:")
