"""Transposes and reshapes around a product from +0.0 become its strides
(passes/strided.py, buffer.matmul.strided): attention's heads moved
between (seq, heads, d) and (heads, seq, d) are read and written in place,
not copied. Both VMs give the in-order product bit for bit at sizes around
the tiles, the k block and the chunks, on each device; the copies the
kernel cannot read in place stay; malformed layouts are refused at load
and buffers that do not hold one fail the call alike in both VMs;
numerics against the real IREE."""
import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.isa.module import CONST_DATA, CONST_LAYOUT, Constant
from iree_lite.ir.elements import pack
from iree_lite.passes.strided import restrided
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.format import deserialize
from iree_lite.vm.verifier import VerifyError, verify_module
from test_contract import DEVICES, MATMUL_TILES, in_order_matmul, native, operands, reference, tensor
from test_matmul_fresh import LARGE, SMALL
from tool_runs import as_buffer, error_on_both, hand_module, iree_outputs_of, op_names


def transposed(value, shape, perm, name):
    """MLIR lines transposing %value (of `shape`) by `perm` into %name; its type."""
    out = tuple(shape[p] for p in perm)
    t_in, t_out = tensor(shape, "f32"), tensor(out, "f32")
    return (f"  %{name}_e = tensor.empty() : {t_out}\n"
            f"  %{name} = linalg.transpose ins(%{value} : {t_in}) outs(%{name}_e : {t_out}) "
            f"permutation = [{', '.join(map(str, perm))}]\n"), t_out


def inverse(perm):
    return [perm.index(i) for i in range(len(perm))]


def zero_fill(tc):
    """MLIR lines making %c, a +0.0 fill of `tc` (and %z, +0.0)."""
    return (f"  %z = arith.constant 0.0 : f32\n  %ce = tensor.empty() : {tc}\n"
            f"  %c = linalg.fill ins(%z : f32) outs(%ce : {tc}) -> {tc}\n")


def batch_matmul(name, a, b, ta, tb, tc, acc="c"):
    return f"  %{name} = linalg.batch_matmul ins(%{a}, %{b} : {ta}, {tb}) outs(%{acc} : {tc}) -> {tc}\n"


def product_source(b, m, k, n, pa=None, pb=None, pc=None, epilogue=False):
    """@f(a, b): batch_matmul (b, m, k) x (b, k, n) from a zero fill, each
    operand given transposed by `pa`/`pb` (and transposed back in the
    function), the result transposed by `pc`; `epilogue`: then scaled by
    0.125."""
    body, args = "", []
    for name, shape, perm in (("a", (b, m, k), pa), ("b", (b, k, n), pb)):
        if perm is None:
            args.append(f"%{name}: {tensor(shape, 'f32')}")
            continue
        given = tuple(shape[i] for i in inverse(perm))
        args.append(f"%{name}_in: {tensor(given, 'f32')}")
        lines, _ = transposed(f"{name}_in", given, perm, name)
        body += lines
    tc = tensor((b, m, n), "f32")
    body += zero_fill(tc) + batch_matmul("p", "a", "b", tensor((b, m, k), "f32"), tensor((b, k, n), "f32"), tc)
    result, rt = "p", tc
    if pc is not None:
        lines, rt = transposed(result, (b, m, n), pc, "r")
        body += lines
        result = "r"
    if epilogue:
        ident = "affine_map<(d0, d1, d2) -> (d0, d1, d2)>"
        body += (f"  %se = tensor.empty() : {rt}\n  %s = linalg.generic {{indexing_maps = [{ident}, {ident}], "
                 f"iterator_types = [\"parallel\", \"parallel\", \"parallel\"]}} ins(%{result} : {rt}) "
                 f"outs(%se : {rt}) {{\n  ^bb0(%x: f32, %o: f32):\n    %s8 = arith.constant 0.125 : f32\n"
                 f"    %y = arith.mulf %x, %s8 : f32\n    linalg.yield %y : f32\n  }} -> {rt}\n")
        result = "s"
    return f"func.func @f({', '.join(args)}) -> {rt} {{\n{body}  return %{result} : {rt}\n}}\n"


def moves(shape, perm):
    """Whether a transpose by `perm` into `shape` moves elements."""
    if perm is None or 0 in shape:
        return False
    order = [p for p, size in zip(perm, shape) if size != 1]
    return order != sorted(order)


def arrays_for(b, m, k, n, pa, pb, seed):
    a, bb = operands([(b, m, k), (b, k, n)], np.float32, seed)
    given = [np.ascontiguousarray(x.transpose(inverse(p))) if p is not None else x for x, p in ((a, pa), (bb, pb))]
    return a, bb, given


def want_of(a, b, pc, scale=False):
    c = in_order_matmul(a, b, np.zeros((a.shape[0], a.shape[1], b.shape[2]), np.float32))
    if scale:
        c = c * np.float32(0.125)
    return np.ascontiguousarray(c.transpose(pc)) if pc is not None else c


# Attention's three: Q as (seq, heads, d) read as (heads, seq, d); K as
# (seq, heads, d) read as (heads, d, seq) (a transposed B); V as (seq,
# heads, d) read as (heads, seq, d), the context written as (seq, heads, d).
ATTENTION = [((1, 0, 2), (1, 2, 0), None), (None, (1, 0, 2), (1, 0, 2))]
SIZES = SMALL + LARGE


@pytest.mark.parametrize("pa,pb,pc", ATTENTION, ids=["scores", "context"])
@pytest.mark.parametrize("batch,m,k,n", SIZES)
@MATMUL_TILES
def test_attention_transposes_are_strides_of_the_product(kernel_isa, pa, pb, pc, batch, m, k, n):
    batch = batch or 1
    module = compile_module(product_source(batch, m, k, n, pa, pb, pc), "m.mlir")
    ops = op_names(module)
    # No copy is left; a transpose that keeps the order of the dimensions of
    # more than one element may be a view already, one of nothing either.
    moved = any(moves(shape, perm) for shape, perm in (
        ((batch, m, k), pa), ((batch, k, n), pb), ((batch, m, n), pc)))
    assert "buffer.expand" not in ops and ops.count("buffer.matmul.strided") == 1 or not moved
    a, b, given = arrays_for(batch, m, k, n, pa, pb, m * 1000 + k * 10 + n)
    want = want_of(a, b, pc).tobytes()
    if batch * m * k * n <= 40000:
        assert reference(module, given).tobytes() == want
    for device, workers in DEVICES:
        assert native(module, given, device, workers).tobytes() == want, (device, workers)


@pytest.mark.parametrize("pc", [None, (1, 0, 2)], ids=["dense", "transposed"])
@pytest.mark.parametrize("batch,m,k,n", [(2, 3, 1, 2), (4, 9, 17, 33), (4, 128, 64, 128), (2, 300, 40, 70)])
def test_a_strided_product_runs_its_epilogue(pc, batch, m, k, n):
    """Dense rows run it as they are done, others after the whole product: the same bytes."""
    module = compile_module(product_source(batch, m, k, n, (1, 0, 2), (1, 2, 0), pc, epilogue=True), "m.mlir")
    ops = op_names(module)
    assert ops.count("buffer.matmul.strided.dispatch") == 1 and "dispatch" not in ops and "buffer.expand" not in ops
    a, b, given = arrays_for(batch, m, k, n, (1, 0, 2), (1, 2, 0), m + k + n)
    want = want_of(a, b, pc, scale=True).tobytes()
    assert reference(module, given).tobytes() == want
    for device, workers in DEVICES:
        assert native(module, given, device, workers).tobytes() == want, (device, workers)


def test_a_transposed_left_operand_keeps_its_copy():
    """A's k must be contiguous for the kernel's rows of A: (b, k, m) read as (b, m, k) is copied."""
    module = compile_module(product_source(2, 9, 17, 33, pa=(0, 2, 1)), "m.mlir")
    ops = op_names(module)
    assert "buffer.expand" in ops and "buffer.matmul.fresh" in ops and "buffer.matmul.strided" not in ops
    a, b, given = arrays_for(2, 9, 17, 33, (0, 2, 1), None, 7)
    want = want_of(a, b, None).tobytes()
    assert reference(module, given).tobytes() == want
    assert native(module, given, "local-task", 2).tobytes() == want


def test_a_copy_read_elsewhere_stays_for_its_other_reader():
    src = product_source(2, 9, 17, 33, pa=(1, 0, 2))
    src = src.replace("-> tensor<2x9x33xf32> {", "-> (tensor<2x9x33xf32>, tensor<2x9x17xf32>) {").replace(
        "  return %p : tensor<2x9x33xf32>", "  return %p, %a : tensor<2x9x33xf32>, tensor<2x9x17xf32>")
    module = compile_module(src, "m.mlir")
    ops = op_names(module)
    assert "buffer.matmul.strided" in ops and ops.count("buffer.expand") == 1
    a, b, given = arrays_for(2, 9, 17, 33, (1, 0, 2), None, 9)
    ctx = Context("local-task", 2)
    ctx.load(module)
    have, copy = ctx.invoke("f", given)
    assert np.asarray(have).tobytes() == want_of(a, b, None).tobytes() and np.array_equal(np.asarray(copy), a)


def test_a_product_broadcast_by_its_reader_is_written_dense():
    """A copy of the result through a map with a constant 0 (a broadcast of
    its dimension of one) is no permutation: the product keeps its own buffer."""
    src = """func.func @f(%a: tensor<1x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %z = arith.constant 0.0 : f32
  %ce = tensor.empty() : tensor<1x5xf32>
  %c = linalg.fill ins(%z : f32) outs(%ce : tensor<1x5xf32>) -> tensor<1x5xf32>
  %p = linalg.matmul ins(%a, %b : tensor<1x4xf32>, tensor<4x5xf32>) outs(%c : tensor<1x5xf32>) -> tensor<1x5xf32>
  %e = tensor.empty() : tensor<3x5xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
      iterator_types = ["parallel", "parallel"]} ins(%p : tensor<1x5xf32>) outs(%e : tensor<3x5xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}
"""
    module = compile_module(src, "m.mlir")
    assert "buffer.matmul.strided" not in op_names(module)
    a, b = operands([(1, 4), (4, 5)], np.float32, 8)
    want = np.broadcast_to(in_order_matmul(a, b, np.zeros((1, 5), np.float32)), (3, 5)).tobytes()
    assert reference(module, [a, b]).tobytes() == want
    assert native(module, [a, b], "local-task", 2).tobytes() == want


def test_a_batch_broadcast_operand_is_read_with_batch_stride_zero():
    """One B shared by every batch (a broadcast, which would copy it per batch)."""
    ta, tb, tbb, tc = (tensor(s, "f32") for s in ((3, 9, 17), (17, 33), (3, 17, 33), (3, 9, 33)))
    src = (f"func.func @f(%a: {ta}, %w: {tb}) -> {tc} {{\n  %be = tensor.empty() : {tbb}\n"
           f"  %b = linalg.broadcast ins(%w : {tb}) outs(%be : {tbb}) dimensions = [0]\n"
           + zero_fill(tc) + batch_matmul("p", "a", "b", ta, tbb, tc) + f"  return %p : {tc}\n}}\n")
    module = compile_module(src, "m.mlir")
    assert "buffer.matmul.strided" in op_names(module) and "buffer.expand" not in op_names(module)
    a, w = operands([(3, 9, 17), (17, 33)], np.float32, 4)
    want = in_order_matmul(a, np.broadcast_to(w, (3, 17, 33)), np.zeros((3, 9, 33), np.float32)).tobytes()
    assert reference(module, [a, w]).tobytes() == want
    for device, workers in DEVICES:
        assert native(module, [a, w], device, workers).tobytes() == want, (device, workers)


def test_a_constant_read_plain_and_transposed_is_packed_for_each():
    """A constant's packed panels are kept for one layout: another reads its own packing, every call."""
    w = operands([(64, 64)], np.float32, 11)[0]
    t = tensor((1, 64, 64), "f32")
    src = (f"func.func @f(%a: {t}) -> ({t}, {t}) {{\n"
           f"  %w = arith.constant dense<\"0x{w.tobytes().hex().upper()}\"> : tensor<64x64xf32>\n"
           f"  %w3 = tensor.expand_shape %w [[0, 1], [2]] output_shape [1, 64, 64] : tensor<64x64xf32> into {t}\n"
           f"  %te = tensor.empty() : {t}\n"
           f"  %wt = linalg.transpose ins(%w3 : {t}) outs(%te : {t}) permutation = [0, 2, 1]\n"
           + zero_fill(t) + batch_matmul("p", "a", "w3", t, t, t) + batch_matmul("q", "a", "wt", t, t, t)
           + f"  return %p, %q : {t}, {t}\n}}\n")
    module = compile_module(src, "m.mlir")
    assert "buffer.matmul.strided" in op_names(module) and "buffer.expand" not in op_names(module)
    (a,) = operands([(1, 64, 64)], np.float32, 12)
    zeros = np.zeros((1, 64, 64), np.float32)
    want = [in_order_matmul(a, w[None], zeros).tobytes(), in_order_matmul(a, w.T[None].copy(), zeros).tobytes()]
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        for _ in range(2):   # the first call packs, the second reads the packing kept
            assert [np.asarray(x).tobytes() for x in ctx.invoke("f", [a])] == want, (device, workers)


def test_a_transposed_result_read_transposed_by_the_next_product():
    """The first product writes where its transpose puts it; the second reads that densely."""
    t1, t2, t3 = (tensor(s, "f32") for s in ((2, 9, 17), (2, 17, 33), (9, 2, 33)))
    src = product_source(2, 9, 17, 33, pc=(1, 0, 2)).replace(f"-> {t3} {{", f"-> {tensor((9, 2, 5), 'f32')} {{")
    lines, _ = transposed("r", (9, 2, 33), (1, 0, 2), "back")
    t4, t5 = tensor((2, 33, 5), "f32"), tensor((2, 9, 5), "f32")
    tail = (lines + f"  %d = arith.constant dense<0.5> : {t4}\n  %ce2 = tensor.empty() : {t5}\n"
            f"  %c2 = linalg.fill ins(%z : f32) outs(%ce2 : {t5}) -> {t5}\n"
            + batch_matmul("q", "back", "d", tensor((2, 9, 33), "f32"), t4, t5, acc="c2"))
    lines, _ = transposed("q", (2, 9, 5), (1, 0, 2), "out")
    src = src.replace(f"  return %r : {t3}\n", tail + lines + f"  return %out : {tensor((9, 2, 5), 'f32')}\n")
    module = compile_module(src, "m.mlir")
    assert "buffer.expand" not in op_names(module) and op_names(module).count("buffer.matmul.strided") == 2
    a, b = operands([(2, 9, 17), (2, 17, 33)], np.float32, 6)
    p = in_order_matmul(a, b, np.zeros((2, 9, 33), np.float32))
    want = in_order_matmul(p, np.full((2, 33, 5), 0.5, np.float32), np.zeros((2, 9, 5), np.float32))
    want = np.ascontiguousarray(want.transpose(1, 0, 2)).tobytes()
    assert reference(module, [a, b]).tobytes() == want
    assert native(module, [a, b], "local-task", 2).tobytes() == want


@pytest.mark.parametrize("shape,strides,new,want", [
    ((4, 128, 64), (64, 256, 1), (4, 128, 64), [64, 256, 1]),
    ((1, 4, 128, 64), (32768, 64, 256, 1), (4, 128, 64), [64, 256, 1]),   # a dimension of one goes
    ((4, 128, 64), (64, 256, 1), (4, 128, 8, 8), [64, 256, 8, 1]),         # a split
    ((128, 4, 64), (256, 64, 1), (128, 256), [256, 1]),                    # a merge of contiguous ones
    ((4, 128, 64), (64, 256, 1), (512, 64), None),                         # a merge of others: no strides
    ((3, 5), (5, 1), (1, 15, 1), [1, 1, 1]),                               # ones take any stride
    ((0, 5), (5, 1), (5, 0), [0, 1]),                                      # nothing: dense
])
def test_reshaped_strides(shape, strides, new, want):
    assert restrided(shape, strides, new) == want


def test_attention_heads_match_iree(reference_iree, tmp_path):
    src = product_source(4, 128, 64, 128, (1, 0, 2), (1, 2, 0), None, epilogue=True)
    a, b, given = arrays_for(4, 128, 64, 128, (1, 0, 2), (1, 2, 0), 5)
    want = iree_outputs_of(reference_iree, tmp_path, src, "f", given)
    np.testing.assert_allclose(native(compile_module(src, "m.mlir"), given, "local-task", 2), want, rtol=1e-5,
                               atol=1e-5)


# --------------------------------------------------------------------------
# The instruction itself: layouts the verifier refuses, buffers that do not
# hold a layout.

def strided_module(layout, shapes=((2, 3), (2, 4), (4, 3)), operand="f32"):
    """@f(lhs, rhs) -> acc: buffer.matmul.strided with `layout`, acc a new
    f32 buffer of shapes[0], lhs and rhs of `operand`."""
    t = [tensor(s, e) for s, e in zip(shapes, ("f32", operand, operand))]
    return hand_module([("buffer.alloc", {"dst": 2, "layout": 1}),
                        ("buffer.matmul.strided", {"acc": 2, "lhs": 0, "rhs": 1, "layout": 0}),
                        ("ret", {"args_i": [], "args_f": [], "args_r": [2]})],
                       ((t[1], t[2]), (t[0],)), (0, 0, 3),
                       [Constant(CONST_DATA, isa.ELEMENT_CODES["i64"], (len(layout),), data=pack("i64", layout)),
                        Constant(CONST_LAYOUT, isa.ELEMENT_CODES["f32"], shapes[0])])


DENSE_2x4x3 = [1, 2, 4, 3, 0, 3, 1, 0, 4, 1, 0, 3, 1]
LIMIT = isa.MAX_BUFFER_BYTES


@pytest.mark.parametrize("layout,why", [
    (DENSE_2x4x3[:12], "13 entries"),
    (DENSE_2x4x3[:4] + [0, 3, -1] + DENSE_2x4x3[7:], "none negative"),
    (DENSE_2x4x3[:7] + [0, 1, 2] + DENSE_2x4x3[10:], "lhs's k stride"),
    (DENSE_2x4x3[:4] + [0, 1, 2] + DENSE_2x4x3[7:], "acc's column stride"),
    (DENSE_2x4x3[:10] + [0, 2, 4], "one of rhs's 1"),
    (DENSE_2x4x3[:4] + [0, 2, 1] + DENSE_2x4x3[7:], "no two acc elements"),
    (DENSE_2x4x3[:4] + [0, 0, 1] + DENSE_2x4x3[7:], "no two acc elements"),
    ([1, 2, 1, 1, 0, LIMIT, 1, 0, 1, 1, 0, 1, 1], "acc reaches too far"),
    ([1, 1, 1, LIMIT + 1, 0, 0, 1, 0, 1, 1, 0, 1, 1], "acc reaches too far"),
], ids=["short", "negative", "lhs-k", "acc-column", "rhs", "acc-overlap", "acc-stride-0", "reach", "count"])
def test_malformed_layouts_are_refused_at_load(layout, why):
    with pytest.raises(VerifyError, match="a strided matmul layout must be") as e:
        verify_module(deserialize(strided_module(layout)))
    assert why in str(e.value)


def test_layouts_at_the_limits_load():
    verify_module(deserialize(strided_module([1, 2, 1, 1, 0, LIMIT - 1, 1, 0, 1, 1, 0, 1, 1])))   # reach LIMIT - 1
    verify_module(deserialize(strided_module([1, 1, 1, LIMIT, 0, 0, 1, 0, 1, 1, 0, 1, 1])))    # LIMIT elements
    verify_module(deserialize(strided_module(DENSE_2x4x3)))


@pytest.mark.parametrize("layout,shapes", [
    ([1, 2, 4, 3, 0, 4, 1, 0, 4, 1, 0, 3, 1], ((2, 3), (2, 4), (4, 3))),   # acc's rows past its 6 elements
    ([1, 2, 4, 3, 0, 3, 1, 0, 5, 1, 0, 3, 1], ((2, 3), (2, 4), (4, 3))),   # lhs's rows past its 8
    ([1, 2, 4, 3, 0, 3, 1, 0, 4, 1, 0, 1, 5], ((2, 3), (2, 4), (4, 3))),   # rhs's columns past its 12
    (DENSE_2x4x3, ((3, 3), (2, 4), (4, 3))),                                # acc of 9 elements, not 6
], ids=["acc", "lhs", "rhs", "acc-count"])
def test_buffers_that_do_not_hold_the_layout_fail_alike_in_both_vms(layout, shapes):
    dims = ["'" + "x".join(map(str, s)) + "'" for s in shapes]
    assert error_on_both(strided_module(layout, shapes), operands([shapes[1], shapes[2]], np.float32, 1)) == (
        "INVALID_ARGUMENT", f"strided matmul of {dims[1]} by {dims[2]} into {dims[0]}: the buffers do not hold its "
        "layout")


@pytest.mark.parametrize("m,k,n", [(0, 4, 3), (2, 0, 3), (2, 4, 0), (2, 4, 3)])
def test_empty_strided_products_match_in_both_vms(m, k, n):
    """The instruction at sizes the compiler leaves to views: C of zeros, or
    no C (and a product of A's rows transposed, B's columns)."""
    layout = [1, m, k, n, 0, n, 1, 0, k, 1, 0, 1, k]   # acc and lhs dense; rhs's (kk, j) at j * k + kk
    blob = strided_module(layout, ((m, n), (m, k), (n, k)))
    x, y = operands([(m, k), (n, k)], np.float32, m + k + n)
    want = in_order_matmul(x[None], y.T[None].copy(), np.zeros((1, m, n), np.float32))[0].tobytes()
    ref = interp.Context()
    ref.load(deserialize(blob))
    (have_ref,) = ref.invoke("f", [as_buffer(x), as_buffer(y)])
    assert bytes(have_ref.data) == want
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load_bytes(blob)
        (have,) = ctx.invoke("f", [x, y])
        assert np.asarray(have).tobytes() == want, (device, workers)


def test_a_strided_product_of_another_element_type_fails_alike_in_both_vms():
    arrays = [np.zeros((2, 4), np.int32), np.zeros((4, 3), np.int32)]
    assert error_on_both(strided_module(DENSE_2x4x3, operand="i32"), arrays) == (
        "INVALID_ARGUMENT", "a strided matmul's operands must share an f32, f64, i32, i64 or index element type; "
        "the accumulator writable")
