"""A matmul from a +0.0 fill (ONNX MatMul, linalg.matmul on linalg.fill)
compiles to buffer.matmul.fresh, whose sums start from +0.0 without
reading the accumulator: no fill dispatch, no copy, and bit for bit the
fill's result on both VMs (a sum of -0.0 products is +0.0, as +0.0 plus
them) at sizes around the tiles, the k block, panels and chunks; a fill
of -0.0 or of another value, or a caller's accumulator, keeps
buffer.matmul."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from test_contract import DEVICES, MATMUL_TILES, in_order_matmul, native, operands, reference, tensor
from test_matmul_mixed import half_operands, half_views, reference as mixed_reference
from tool_runs import host_ops


def fill_source(batch, m, k, n, element="f32", operand=None, fill="0.0"):
    """@f(a, b) = a times b from a linalg.fill of `fill` (batch_matmul when batch)."""
    lead = (batch,) if batch else ()
    ta, tb = (tensor(lead + s, operand or element) for s in ((m, k), (k, n)))
    tc = tensor(lead + (m, n), element)
    kind = "batch_matmul" if batch else "matmul"
    return (f"func.func @f(%a: {ta}, %b: {tb}) -> {tc} {{\n  %z = arith.constant {fill} : {element}\n"
            f"  %e = tensor.empty() : {tc}\n"
            f"  %c = linalg.fill ins(%z : {element}) outs(%e : {tc}) -> {tc}\n"
            f"  %r = linalg.{kind} ins(%a, %b : {ta}, {tb}) outs(%c : {tc}) -> {tc}\n  return %r : {tc}\n}}\n")


def names(module):
    return [name for name, _ in host_ops(module)]


def test_a_zero_fill_is_started_from_by_the_kernel():
    module = compile_module(fill_source(0, 9, 5, 33), "m.mlir")
    assert names(module).count("buffer.matmul.fresh") == 1 and "buffer.matmul" not in names(module)
    assert not module.kernels and "buffer.clone" not in names(module)   # no fill, no copy of one


@pytest.mark.parametrize("fill", ["-0.0", "1.5"])
def test_other_fills_are_accumulated_onto(fill):
    module = compile_module(fill_source(0, 9, 5, 33, fill=fill), "m.mlir")
    assert "buffer.matmul" in names(module) and "buffer.matmul.fresh" not in names(module)
    a, b = operands([(9, 5), (5, 33)], np.float32, 3)
    c = np.full((9, 33), float(fill), np.float32)
    want = in_order_matmul(a, b, c).tobytes()
    assert reference(module, [a, b]).tobytes() == want
    assert native(module, [a, b], "local-task", 2).tobytes() == want


# Empty (each of m, k, n), one, a tile's rows and a panel's columns less and
# more one, the k block (256) and one more, batches; then large enough for
# the pool: chunks of rows (more than 128 rows), of whole batches, of panels
# (at most 128 rows, with a partial last panel), of 64 columns (fewer rows
# than a tile: two blocks less one column, two, two and one more, over batches).
SMALL = [(0, 0, 4, 16), (0, 8, 0, 16), (0, 8, 4, 0), (0, 1, 1, 1), (0, 7, 3, 15), (0, 9, 17, 17),
         (2, 8, 13, 33), (0, 4, 257, 9), (0, 16, 256, 16)]
LARGE = [(0, 257, 300, 129), (2, 130, 0, 129), (0, 128, 512, 250), (4, 128, 64, 128), (3, 33, 257, 65),
         (0, 1, 300, 1000), (0, 1, 1600, 127), (0, 3, 600, 128), (0, 7, 300, 129), (2, 1, 800, 129)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda t: t.__name__)
@pytest.mark.parametrize("batch,m,k,n", SMALL + LARGE)
@MATMUL_TILES
def test_fresh_matmul_is_the_sum_from_positive_zero(kernel_isa, dtype, batch, m, k, n):
    lead = (batch,) if batch else ()
    a, b = operands([lead + (m, k), lead + (k, n)], dtype, m * 1000 + k * 10 + n)
    if a.size and b.size:   # a row whose products are all -0.0: +0.0 from the fill, -0.0 from none
        a[..., 0, :] = -1
        b[..., :, 0] = 0
    module = compile_module(fill_source(batch, m, k, n, {np.float32: "f32", np.float64: "f64"}[dtype]), "m.mlir")
    assert "buffer.matmul.fresh" in names(module)
    want = in_order_matmul(a, b, np.zeros(lead + (m, n), dtype)).tobytes()
    if (batch, m, k, n) in SMALL:
        assert reference(module, [a, b]).tobytes() == want
    for device, workers in DEVICES:
        assert native(module, [a, b], device, workers).tobytes() == want, (device, workers)


@pytest.mark.parametrize("element", ["f16", "bf16"])
@pytest.mark.parametrize("batch,m,k,n", [(0, 1, 1, 1), (0, 9, 17, 17), (2, 8, 20, 33), (0, 129, 70, 40)])
def test_fresh_half_into_f32_matmul_matches_the_reference(element, batch, m, k, n):
    a, b, _ = half_operands(batch, m, k, n, element, m + k + n)
    zeros = np.zeros((batch,) * bool(batch) + (m, n), np.float32)
    module = compile_module(fill_source(batch, m, k, n, operand=element), "m.mlir")
    assert "buffer.matmul.fresh" in names(module)
    # The reference takes the operands that the function has (a and b); zeros gives the result's dtype.
    want = mixed_reference(module, [a, b, zeros], [element, element])
    for device, workers in DEVICES:
        have = native(module, half_views([a, b, zeros], element)[:2], device, workers)
        assert have.tobytes() == want.tobytes(), (device, workers)


def constant_fill_source(batch, m, k, n, b):
    """fill_source with b a module constant (a layer's weights, packed once)."""
    lead = (batch,) if batch else ()
    tb = tensor(lead + (k, n), "f32")
    src = fill_source(batch, m, k, n).replace(f", %b: {tb})", ")")
    return src.replace("  %z =", f"  %b = arith.constant dense<\"0x{b.tobytes().hex().upper()}\"> : {tb}\n  %z =", 1)


@pytest.mark.parametrize("batch,m,k,n", [(0, 1, 1, 1), (0, 9, 17, 33), (0, 128, 300, 100), (0, 257, 300, 129),
                                         (3, 33, 40, 50)])
def test_fresh_matmul_of_a_constant_b_on_every_call(batch, m, k, n):
    lead = (batch,) if batch else ()
    a, b = operands([lead + (m, k), lead + (k, n)], np.float32, m + k + n)
    module = compile_module(constant_fill_source(batch, m, k, n, b), "m.mlir")
    assert "buffer.matmul.fresh" in names(module)
    want = in_order_matmul(a, b, np.zeros(lead + (m, n), np.float32)).tobytes()
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        for _ in range(2):   # the first call packs b's panels, the second reads them
            (have,) = ctx.invoke("f", [a])
            assert np.asarray(have).tobytes() == want, (device, workers)


def test_a_fill_read_by_another_op_is_still_made():
    src = fill_source(0, 4, 3, 5).replace("  return %r : tensor<4x5xf32>",
                                          "  %s = arith.addf %r, %c : tensor<4x5xf32>\n  return %s : tensor<4x5xf32>")
    module = compile_module(src, "m.mlir")
    assert "buffer.matmul.fresh.dispatch" in names(module)   # the add is its epilogue (test_matmul_epilogue)
    a, b = operands([(4, 3), (3, 5)], np.float32, 5)
    want = in_order_matmul(a, b, np.zeros((4, 5), np.float32)) + np.float32(0)
    assert reference(module, [a, b]).tobytes() == want.tobytes()
    assert native(module, [a, b], "local-task", 2).tobytes() == want.tobytes()
