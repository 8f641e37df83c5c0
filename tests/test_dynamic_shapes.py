"""Dynamic shapes (`?`): the Cython VM against the reference interpreter
and numpy on sizes around the tile, run-time shape checks naming the op and
both shapes, and the ops that do not take dynamic shapes yet."""
import numpy as np
import pytest

from iree_lite import _vm
from iree_lite import isa
from iree_lite.isa.module import CONST_LAYOUT, Constant
from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError
from iree_lite.vm.verifier import VerifyError, verify_module

SIZES = [0, 1, isa.TILE - 1, isa.TILE + 1, 50 * isa.TILE + 3]
DEVICES = [("local-sync", None), ("local-task", 2), ("local-task", 7)]

CHAIN = """
func.func @f(%a: tensor<?xf32>, %b: tensor<?xf32>) -> (tensor<?xf32>, index) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?xf32>
  %half = arith.constant 0.5 : f32
  %h = tensor.splat %half[%n] : tensor<?xf32>
  %m = arith.mulf %a, %b : tensor<?xf32>
  %s = arith.subf %m, %h : tensor<?xf32>
  %x = arith.maximumf %s, %a : tensor<?xf32>
  return %x, %n : tensor<?xf32>, index
}
"""


def both(source, args, device="local-sync", workers=None, function="f", model="async-internal"):
    module = compile_module(source, "d.mlir", model)
    ref = interp.Context()
    ref.load(module)
    ctx = Context(device, workers)
    ctx.load(module)
    ref_args = [interp.Buffer({"float32": "f32", "int32": "i32"}[a.dtype.name], a.shape, bytearray(a.tobytes()))
                if isinstance(a, np.ndarray) else a for a in args]
    return ref.invoke(function, ref_args), ctx.invoke(function, args)


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("n", SIZES)
def test_elementwise_chain_on_every_size(n, device, workers):
    rng = np.random.default_rng(n)
    a, b = (rng.standard_normal(n).astype(np.float32) for _ in range(2))
    (want, want_n), (have, have_n) = both(CHAIN, [a, b], device, workers)
    assert want_n == have_n == n
    np.testing.assert_array_equal(np.asarray(have), np.maximum(a * b - np.float32(0.5), a))
    assert bytes(want.data) == np.asarray(have).tobytes()


@pytest.mark.parametrize("model", ["async-internal", "async-external"])
@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2)])
def test_mismatched_operands_name_the_op_and_both_shapes(device, workers, model):
    message = r"'arith.mulf' at d.mlir:7:8: operand shapes '3' and '4' differ"
    module = compile_module(CHAIN, "d.mlir", model)
    ctx = Context(device, workers)
    ctx.load(module)
    with pytest.raises(VMError, match=message):
        ctx.invoke("f", [np.zeros(4, np.float32), np.zeros(3, np.float32)])
    ref = interp.Context()
    ref.load(module)
    with pytest.raises(VMError, match=message):
        ref.invoke("f", [interp.Buffer("f32", (4,)), interp.Buffer("f32", (3,))])


STRUCTURED = """
func.func @f(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %a, %c0 : tensor<?x?xf32>
  %d1 = tensor.dim %b, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%d0, %d1) : tensor<?x?xf32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%z : tensor<?x?xf32>) -> tensor<?x?xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
       iterator_types = ["parallel", "parallel"]} ins(%mm : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.mulf %x, %x : f32
    linalg.yield %y : f32
  } -> tensor<?x?xf32>
  %er = tensor.empty(%d0) : tensor<?xf32>
  %zr = linalg.fill ins(%zero : f32) outs(%er : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.reduce { arith.addf } ins(%t : tensor<?x?xf32>) outs(%zr : tensor<?xf32>) dimensions = [1]
  return %mm, %sum, %t : tensor<?x?xf32>, tensor<?xf32>, tensor<?x?xf32>
}
"""


@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (3, 5, 2), (0, 4, 3), (17, 9, 33)])
def test_structured_ops_take_their_sizes_at_run_time(m, k, n):
    rng = np.random.default_rng(m * k + n)
    a = rng.integers(-3, 4, (m, k)).astype(np.float32)
    b = rng.integers(-3, 4, (k, n)).astype(np.float32)
    want, have = both(STRUCTURED, [a, b], "local-task", 2)
    mm = a @ b
    for r, expected in zip(have, (mm, (mm * mm).sum(axis=1), mm * mm)):
        np.testing.assert_array_equal(np.asarray(r), expected)
    assert [bytes(w.data) for w in want] == [np.asarray(h).tobytes() for h in have]


def test_matmul_of_disagreeing_sizes_is_an_error(both_vms):
    a, b = np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32)
    ctx, ref = both_vms(STRUCTURED, "d.mlir")
    message = r"matmul of '2x3' by '2x3' into '2x3': the shapes do not agree"
    with pytest.raises(VMError, match=message):
        ctx.invoke("f", [a, b])
    with pytest.raises(VMError, match=message):
        ref.invoke("f", [interp.Buffer("f32", (2, 3)), interp.Buffer("f32", (2, 3))])


CASTS = """
func.func @f(%a: tensor<?x3xi32>, %i: index) -> (tensor<2x3xi32>, index, i32) {
  %s = tensor.cast %a : tensor<?x3xi32> to tensor<2x3xi32>
  %d = tensor.dim %a, %i : tensor<?x3xi32>
  %c1 = arith.constant 1 : index
  %v = tensor.extract %a[%c1, %i] : tensor<?x3xi32>
  return %s, %d, %v : tensor<2x3xi32>, index, i32
}
"""


def test_casts_dims_and_extracts():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    (ws, wd, wv), (hs, hd, hv) = both(CASTS, [a, 0])
    np.testing.assert_array_equal(np.asarray(hs), a)
    assert (wd, wv) == (hd, hv) == (2, 3)
    for args, message in (([np.zeros((4, 3), np.int32), 0], r"'tensor.cast' at d.mlir:3:8: shape '4x3' does not match '2x3'"),
                          ([a, 2], "dimension"), ([a, -1], "dimension")):
        ctx = Context("local-sync")
        ctx.load(compile_module(CASTS, "d.mlir"))
        with pytest.raises(VMError, match=message):
            ctx.invoke("f", args)


def test_output_storage_of_dynamic_shape_is_written_in_place():
    src = ("func.func @f(%a: tensor<?xf32>, %out: tensor<?xf32> {iree.abi.output = 0 : index}) -> tensor<?xf32> {\n"
           "  %r = math.absf %a : tensor<?xf32>\n  return %r : tensor<?xf32>\n}\n")
    ctx = Context("local-sync")
    ctx.load(compile_module(src, "d.mlir"))
    out = _vm.BufferView.from_bytes(8, (5,), np.zeros(5, np.float32))
    (r,) = ctx.invoke("f", [np.full(5, -2.0, np.float32), out])
    assert np.asarray(r).ctypes.data == np.asarray(out).ctypes.data
    np.testing.assert_array_equal(np.asarray(out), 2.0)
    with pytest.raises(VMError, match=r"'math.absf' at d.mlir:2:8: operand shapes '4' and '5' differ"):
        ctx.invoke("f", [np.full(5, -2.0, np.float32), np.zeros(4, np.float32)])


@pytest.mark.parametrize("body,message", [
    ("%e = tensor.empty() : tensor<?xf32>", "0 dynamic sizes for 'tensor<\\?xf32>', which has 1 dynamic dimensions"),
    ("%r = tensor.cast %a : tensor<?x4xf32> to tensor<?x5xf32>",
     "'tensor.cast' cannot turn 'tensor<\\?x4xf32>' into 'tensor<\\?x5xf32>'"),
])
def test_what_dynamic_shapes_do_not_reach_yet_is_a_located_error(body, message):
    src = (f"func.func @f(%a: tensor<?x4xf32>, %b: tensor<4x?xf32>, %c: tensor<1x?x4x1xf32>, %i: index) {{\n"
           f"  {body}\n  return\n}}\n")
    with pytest.raises(Diagnostic, match=message) as e:
        compile_module(src, "d.mlir")
    assert e.value.render().startswith("d.mlir:2:")


def test_verifier_rejects_dynamic_layouts_where_sizes_are_not_given():
    module = compile_module("func.func @f() -> tensor<4xf32> {\n  %e = tensor.empty() : tensor<4xf32>\n"
                            "  return %e : tensor<4xf32>\n}\n", "v.mlir")
    (i,) = [i for i, c in enumerate(module.constants) if c.kind == CONST_LAYOUT]
    module.constants[i] = Constant(CONST_LAYOUT, module.constants[i].element, (-1,))
    with pytest.raises(VerifyError, match=r"\(buffer.alloc\): a layout with dynamic dimensions"):
        verify_module(module)
    module.constants[i] = Constant(CONST_LAYOUT, module.constants[i].element, (-2,))
    with pytest.raises(VerifyError, match="malformed constant layout"):
        verify_module(module)


BROADCASTS = """
func.func @f(%a: tensor<?x?xf32>, %v: tensor<?xf32>, %i: index) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>,
                                                                  tensor<?xf32>, tensor<2x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %a, %c0 : tensor<?x?xf32>
  %d1 = tensor.dim %a, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%d0, %d1) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,
                                        affine_map<(d0, d1) -> (d0, d1)>],
       iterator_types = ["parallel", "parallel"]} ins(%a, %v : tensor<?x?xf32>, tensor<?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  %et = tensor.empty(%d1, %d0) : tensor<?x?xf32>
  %t = linalg.transpose ins(%a : tensor<?x?xf32>) outs(%et : tensor<?x?xf32>) permutation = [1, 0]
  %b = linalg.broadcast ins(%v : tensor<?xf32>) outs(%e : tensor<?x?xf32>) dimensions = [0]
  %flat = tensor.collapse_shape %a [[0, 1]] : tensor<?x?xf32> into tensor<?xf32>
  %s = tensor.extract_slice %a[%i, 0] [2, 2] [1, 1] : tensor<?x?xf32> to tensor<2x2xf32>
  return %r, %t, %b, %flat, %s : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>, tensor<2x2xf32>
}
"""


@pytest.mark.parametrize("rows,cols", [(2, 2), (3, 5), (4, 4097)])
def test_broadcasts_transposes_reshapes_and_slices_of_dynamic_tensors(rows, cols):
    rng = np.random.default_rng(cols)
    a = rng.standard_normal((rows, cols)).astype(np.float32)
    v = rng.standard_normal(cols).astype(np.float32)
    want, have = both(BROADCASTS, [a, v, rows - 2], "local-task", 2)
    expected = (a + v, a.T, np.broadcast_to(v, (rows, cols)), a.reshape(-1), a[rows - 2:, :2])
    for w, h, e in zip(want, have, expected):
        np.testing.assert_array_equal(np.asarray(h), e)
        assert bytes(w.data) == np.asarray(h).tobytes()


def test_broadcast_and_reshape_size_errors(both_vms):
    ctx, ref = both_vms(BROADCASTS, "d.mlir")
    a, v = np.zeros((2, 3), np.float32), np.zeros(2, np.float32)
    for run in (lambda: ctx.invoke("f", [a, v, 0]),
                lambda: ref.invoke("f", [interp.Buffer("f32", (2, 3)), interp.Buffer("f32", (2,)), 0])):
        with pytest.raises(VMError, match=r"'arith.addf' at d.mlir:\d+:\d+: operand shapes '2x2' and '2x3' differ"):
            run()
    src = ("func.func @f(%a: tensor<?xf32>) -> tensor<?x4xf32> {\n"
           "  %e = tensor.expand_shape %a [[0, 1]] output_shape [2, 4] : tensor<?xf32> into tensor<?x4xf32>\n"
           "  return %e : tensor<?x4xf32>\n}\n")
    ctx, ref = both_vms(src, "r.mlir")
    np.testing.assert_array_equal(np.asarray(ctx.invoke("f", [np.arange(8, dtype=np.float32)])[0]),
                                  np.arange(8, dtype=np.float32).reshape(2, 4))
    for run in (lambda: ctx.invoke("f", [np.zeros(6, np.float32)]),
                lambda: ref.invoke("f", [interp.Buffer("f32", (6,))])):
        with pytest.raises(VMError, match="reshape of '6' to '2x4' changes the number of elements"):
            run()


SOFTMAX_AND_COORDINATES = """
func.func @f(%x: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %x, %c0 : tensor<?x?xf32>
  %d1 = tensor.dim %x, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%d0, %d1) : tensor<?x?xf32>
  %s = linalg.softmax dimension(1) ins(%x : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %i = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
       outs(%e : tensor<?x?xf32>) {
  ^bb0(%o: f32):
    %r = linalg.index 0 : index
    %c = linalg.index 1 : index
    %k = affine.apply affine_map<(d0, d1) -> (d0 * 100 + d1)>(%r, %c)
    %n = arith.index_cast %k : index to i64
    %f = arith.sitofp %n : i64 to f32
    linalg.yield %f : f32
  } -> tensor<?x?xf32>
  return %s, %i : tensor<?x?xf32>, tensor<?x?xf32>
}
"""


@pytest.mark.parametrize("rows,cols", [(1, 1), (3, 7), (5, 4099)])
def test_softmax_and_coordinates_on_dynamic_shapes(rows, cols):
    x = np.random.default_rng(cols).standard_normal((rows, cols)).astype(np.float32)
    want, have = both(SOFTMAX_AND_COORDINATES, [x], "local-task", 2)
    s, i = (np.asarray(h) for h in have)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(s, e / e.sum(axis=1, keepdims=True), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(i, np.add.outer(np.arange(rows) * 100, np.arange(cols)).astype(np.float32))
    assert bytes(want[1].data) == i.tobytes()
    # f32 exp: libm's expf against the reference's double exp rounded, so not bit for bit
    np.testing.assert_allclose(np.frombuffer(bytes(want[0].data), np.float32).reshape(rows, cols), s, rtol=1e-6)


def test_generate_of_dynamic_extents():
    src = ("func.func @f(%n: index) -> tensor<?x3xi64> {\n"
           "  %g = tensor.generate %n {\n  ^bb0(%i: index, %j: index):\n"
           "    %k = affine.apply affine_map<(d0, d1) -> (d0 * 3 + d1)>(%i, %j)\n"
           "    %v = arith.index_cast %k : index to i64\n    tensor.yield %v : i64\n  } : tensor<?x3xi64>\n"
           "  return %g : tensor<?x3xi64>\n}\n")
    for n in (0, 1, 5000):
        want, (have,) = both(src, [n], "local-task", 2)
        np.testing.assert_array_equal(np.asarray(have), np.arange(3 * n).reshape(n, 3))
        assert bytes(want[0].data) == np.asarray(have).tobytes()
    with pytest.raises(Diagnostic, match=r"0 dynamic sizes for 'tensor<\?x3xi64>'"):
        compile_module(src.replace("tensor.generate %n {", "tensor.generate {"), "g.mlir")


SIZED_SLICES = """
func.func @f(%t: tensor<?x8xi32>, %i: index, %n: index) -> (tensor<?x3xi32>, tensor<?xi32>, tensor<?x8xi32>) {
  %a = tensor.extract_slice %t[%i, 2] [%n, 3] [1, 2] : tensor<?x8xi32> to tensor<?x3xi32>
  %row = tensor.extract_slice %t[0, %i] [1, %n] [1, 1] : tensor<?x8xi32> to tensor<?xi32>
  %u = tensor.insert_slice %a into %t[0, 0] [%n, 3] [1, 1] : tensor<?x3xi32> into tensor<?x8xi32>
  return %a, %row, %u : tensor<?x3xi32>, tensor<?xi32>, tensor<?x8xi32>
}
"""


@pytest.mark.parametrize("rows,i,n", [(4, 0, 0), (4, 1, 3), (6, 2, 4), (9, 3, 5)])
def test_slices_of_dynamic_sizes(rows, i, n):
    t = np.arange(rows * 8, dtype=np.int32).reshape(rows, 8)
    want, have = both(SIZED_SLICES, [t, i, n])
    a, row, u = (np.asarray(h) for h in have)
    np.testing.assert_array_equal(a, t[i:i + n, 2:8:2])
    np.testing.assert_array_equal(row, t[0, i:i + n])
    expected = t.copy()
    expected[:n, :3] = t[i:i + n, 2:8:2]
    np.testing.assert_array_equal(u, expected)
    assert [bytes(w.data) for w in want] == [a.tobytes(), row.tobytes(), u.tobytes()]


def test_slices_of_dynamic_sizes_outside_the_tensor(both_vms):
    ctx, ref = both_vms(SIZED_SLICES, "s.mlir")
    t = np.zeros((4, 8), np.int32)
    for n, message in ((4, r"slice 1 \+ 4 x 1 is outside dimension 0 of size 4"),
                       (-1, r"slice 1 \+ -1 x 1 is outside dimension 0 of size 4")):
        for run in (lambda: ctx.invoke("f", [t, 1, n]),
                    lambda: ref.invoke("f", [interp.Buffer("i32", (4, 8)), 1, n])):
            with pytest.raises(VMError, match="OUT_OF_RANGE; " + message):
                run()


CONCAT_AND_PAD = """
func.func @f(%a: tensor<?x3xf32>, %b: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x5xf32>, tensor<?x3xf32>) {
  %c = tensor.concat dim(0) %a, %b, %a : (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %z = arith.constant -1.0 : f32
  %p = tensor.pad %a low[1, 0] high[0, 2] {
  ^bb0(%i: index, %j: index):
    tensor.yield %z : f32
  } : tensor<?x3xf32> to tensor<?x5xf32>
  %q = tensor.pad %b low[2, 0] high[1, 0] {
  ^bb0(%i: index, %j: index):
    %k = arith.index_cast %i : index to i32
    %f = arith.sitofp %k : i32 to f32
    tensor.yield %f : f32
  } : tensor<?x3xf32> to tensor<?x3xf32>
  return %c, %p, %q : tensor<?x3xf32>, tensor<?x5xf32>, tensor<?x3xf32>
}
"""


@pytest.mark.parametrize("m,n", [(0, 0), (1, 2), (3, 1400)])
def test_concat_and_pad_of_dynamic_shapes(m, n):
    a = np.arange(3 * m, dtype=np.float32).reshape(m, 3)
    b = -np.arange(3 * n, dtype=np.float32).reshape(n, 3) - 1
    want, have = both(CONCAT_AND_PAD, [a, b], "local-task", 2)
    c, p, q = (np.asarray(h) for h in have)
    np.testing.assert_array_equal(c, np.concatenate([a, b, a]))
    np.testing.assert_array_equal(p, np.pad(a, ((1, 0), (0, 2)), constant_values=-1))
    expected = np.repeat(np.arange(n + 3, dtype=np.float32)[:, None], 3, axis=1)
    expected[2:2 + n] = b
    np.testing.assert_array_equal(q, expected)
    assert [bytes(w.data) for w in want] == [c.tobytes(), p.tobytes(), q.tobytes()]


PAD_BY = """
func.func @f(%a: tensor<?x3xf32>, %lo: index, %hi: index) -> (tensor<?x?xf32>, tensor<?x4xf32>) {
  %z = arith.constant -1.0 : f32
  %p = tensor.pad %a low[%lo, 1] high[%hi, %hi] {
  ^bb0(%i: index, %j: index):
    tensor.yield %z : f32
  } : tensor<?x3xf32> to tensor<?x?xf32>
  %q = tensor.pad %a low[1, 0] high[%lo, 1] {
  ^bb0(%i: index, %j: index):
    %k = arith.index_cast %j : index to i32
    %f = arith.sitofp %k : i32 to f32
    tensor.yield %f : f32
  } : tensor<?x3xf32> to tensor<?x4xf32>
  return %p, %q : tensor<?x?xf32>, tensor<?x4xf32>
}
"""


@pytest.mark.parametrize("m,lo,hi", [(0, 0, 0), (2, 1, 3), (5, 4, 0)])
def test_pad_by_sizes_known_at_run_time(m, lo, hi):
    a = np.arange(3 * m, dtype=np.float32).reshape(m, 3)
    want, have = both(PAD_BY, [a, lo, hi], "local-task", 2)
    p, q = (np.asarray(h) for h in have)
    np.testing.assert_array_equal(p, np.pad(a, ((lo, hi), (1, hi)), constant_values=-1))
    expected = np.repeat(np.arange(4, dtype=np.float32)[None, :], m + 1 + lo, axis=0)
    expected[1:1 + m, :3] = a
    np.testing.assert_array_equal(q, expected)
    assert [bytes(w.data) for w in want] == [p.tobytes(), q.tobytes()]


def test_negative_padding_fails_the_call(both_vms):
    ctx, ref = both_vms(PAD_BY, "p.mlir")
    a = np.zeros((2, 3), np.float32)
    for run in (lambda: ctx.invoke("f", [a, -1, 0]), lambda: ref.invoke("f", [interp.Buffer("f32", (2, 3)), -1, 0])):
        with pytest.raises(VMError, match="OUT_OF_RANGE; slice -1 \\+ 2 x 1 is outside dimension 0"):
            run()


def test_padding_by_a_dynamic_size_gives_a_dynamic_dimension():
    src = ("func.func @f(%a: tensor<2x3xf32>, %n: index) -> tensor<2x5xf32> {\n  %z = arith.constant 0.0 : f32\n"
           "  %p = tensor.pad %a low[0, %n] high[0, 1] {\n  ^bb0(%i: index, %j: index):\n    tensor.yield %z : f32\n"
           "  } : tensor<2x3xf32> to tensor<2x5xf32>\n  return %p : tensor<2x5xf32>\n}\n")
    with pytest.raises(Diagnostic, match=r"padding 'tensor<2x3xf32>' by low \[0, \?\] and high \[0, 1\] does not "
                                         r"give 'tensor<2x5xf32>'") as e:
        compile_module(src, "p.mlir")
    assert e.value.render().startswith("p.mlir:3:")


def test_coordinates_in_a_reduction_of_dynamic_shape():
    """Each row's sum of x[i, j] * j: linalg.index inside a reduction body."""
    src = ("func.func @f(%x: tensor<?x?xf32>) -> tensor<?xf32> {\n  %c0 = arith.constant 0 : index\n"
           "  %d0 = tensor.dim %x, %c0 : tensor<?x?xf32>\n  %e = tensor.empty(%d0) : tensor<?xf32>\n"
           "  %zero = arith.constant 0.0 : f32\n"
           "  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>\n"
           "  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1)>],"
           " iterator_types = [\"reduction\", \"parallel\"]} ins(%x : tensor<?x?xf32>) outs(%z : tensor<?xf32>) {\n"
           "  ^bb0(%v: f32, %acc: f32):\n    %j = linalg.index 0 : index\n"
           "    %k = arith.index_cast %j : index to i64\n    %w = arith.sitofp %k : i64 to f32\n"
           "    %p = arith.mulf %v, %w : f32\n    %s = arith.addf %p, %acc : f32\n    linalg.yield %s : f32\n"
           "  } -> tensor<?xf32>\n  return %r : tensor<?xf32>\n}\n")
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    want, (have,) = both(src, [x], "local-task", 2)
    np.testing.assert_array_equal(np.asarray(have), (x * np.arange(4, dtype=np.float32)).sum(axis=1))
    assert bytes(want[0].data) == np.asarray(have).tobytes()


RESHAPES = """
func.func @f(%a: tensor<?x?x?xf32>, %i: index, %j: index, %shape: tensor<3xi32>)
    -> (tensor<?x?xf32>, tensor<?x?x?x2xf32>, tensor<?x?x?xf32>) {
  %c = tensor.collapse_shape %a [[0, 1], [2]] : tensor<?x?x?xf32> into tensor<?x?xf32>
  %e = tensor.expand_shape %c [[0, 1], [2, 3]] output_shape [%i, %j, 3, 2] : tensor<?x?xf32> into tensor<?x?x?x2xf32>
  %r = tensor.reshape %c(%shape) : (tensor<?x?xf32>, tensor<3xi32>) -> tensor<?x?x?xf32>
  return %c, %e, %r : tensor<?x?xf32>, tensor<?x?x?x2xf32>, tensor<?x?x?xf32>
}
"""


def test_reshapes_with_several_dynamic_dimensions(both_vms):
    """collapse_shape multiplies its groups' sizes, expand_shape takes its
    output_shape and reshape its shape tensor, all read at run time."""
    ctx, ref = both_vms(RESHAPES, "r.mlir")
    a = np.arange(2 * 3 * 6, dtype=np.float32).reshape(2, 3, 6)
    shape = np.array([3, 2, 6], np.int32)
    have = ctx.invoke("f", [a, 3, 2, shape])
    want = ref.invoke("f", [interp.Buffer("f32", a.shape, bytearray(a.tobytes())), 3, 2,
                            interp.Buffer("i32", (3,), bytearray(shape.tobytes()))])
    for h, w, expected in zip(have, want, (a.reshape(6, 6), a.reshape(3, 2, 3, 2), a.reshape(3, 2, 6))):
        np.testing.assert_array_equal(np.asarray(h), expected)
        assert w.shape == expected.shape and bytes(w.data) == np.asarray(h).tobytes()
    for run in (lambda: ctx.invoke("f", [a, 2, 2, shape]),
                lambda: ref.invoke("f", [interp.Buffer("f32", a.shape, bytearray(a.tobytes())), 2, 2,
                                         interp.Buffer("i32", (3,), bytearray(shape.tobytes()))])):
        with pytest.raises(VMError, match="reshape of '6x6' to '2x2x3x2' changes the number of elements"):
            run()


@pytest.mark.parametrize("body,message", [
    ("%r = tensor.collapse_shape %a [[0], [1]] : tensor<?x4xf32> into tensor<?xf32>",
     r"reassociation \[\[0\], \[1\]\] does not group the 2 dimensions of 'tensor<\?x4xf32>' into the 1 of"),
    ("%r = tensor.collapse_shape %b [[1, 0]] : tensor<4x?xf32> into tensor<?xf32>", r"reassociation \[\[1, 0\]\]"),
    ("%r = tensor.expand_shape %a [[0], [1, 2]] output_shape [%i, 3, 2] : tensor<?x4xf32> into tensor<?x3x2xf32>",
     r"group \[1, 2\] of 'tensor<\?x3x2xf32>' does not hold 4 elements"),
    ("%r = tensor.expand_shape %a [[0, 1], [2]] : tensor<?x4xf32> into tensor<?x?x4xf32>",
     r"needs the sizes of its dynamic dimensions \(output_shape\)"),
    ("%r = tensor.expand_shape %a [[0, 1], [2]] output_shape [%i, 3, 4] : tensor<?x4xf32> into tensor<?x2x4xf32>",
     r"output_shape does not match 'tensor<\?x2x4xf32>'"),
    ("%r = tensor.collapse_shape %a [0, 1] : tensor<?x4xf32> into tensor<?xf32>", r"expected a reassociation"),
    ("%r = tensor.reshape %a(%b) : (tensor<?x4xf32>, tensor<4x?xf32>) -> tensor<?x?xf32>",
     r"'tensor.reshape' needs a shape of type 'tensor<2xindex>'"),
])
def test_reshape_errors_are_located(body, message):
    src = (f"func.func @f(%a: tensor<?x4xf32>, %b: tensor<4x?xf32>, %i: index) {{\n  {body}\n  return\n}}\n")
    with pytest.raises(Diagnostic, match=message) as e:
        compile_module(src, "d.mlir")
    assert e.value.render().startswith("d.mlir:2:")


CONCAT = """
func.func @f(%a: tensor<?x2xf32>, %b: tensor<3x?xf32>) -> tensor<?x?xf32> {
  %r = tensor.concat dim(1) %a, %b : (tensor<?x2xf32>, tensor<3x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
"""


def test_concat_along_a_static_dimension_of_dynamic_tensors(both_vms):
    """The other dimensions' sizes are the result's (3, from %b), which
    every operand must have at run time."""
    ctx, ref = both_vms(CONCAT, "c.mlir")

    def args(a, b):
        return [interp.Buffer("f32", x.shape, bytearray(x.tobytes())) for x in (a, b)]
    a, b = np.arange(6, dtype=np.float32).reshape(3, 2), np.arange(6, 9, dtype=np.float32).reshape(3, 1)
    (have,), (want,) = ctx.invoke("f", [a, b]), ref.invoke("f", args(a, b))
    np.testing.assert_array_equal(np.asarray(have), np.concatenate([a, b], axis=1))
    assert want.shape == (3, 3) and bytes(want.data) == np.asarray(have).tobytes()
    a = np.zeros((2, 2), np.float32)
    for run in (lambda: ctx.invoke("f", [a, b]), lambda: ref.invoke("f", args(a, b))):
        with pytest.raises(VMError, match="insert of '2x2' into a slice of '3x2': the shapes do not agree"):
            run()
