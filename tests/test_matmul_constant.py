"""A matmul whose B is a module constant (a layer's weights) packs B's panels
once, at its first product, and keeps them with the constant until the
module is unloaded (csrc/matmul.pxi, constant_panels): later calls, and
other views of the same constant, must still give the reference
interpreter's bits; two constants never share a packing; unloading frees it."""
import concurrent.futures
import gc

import numpy as np
import pytest

from iree_lite import _vm
from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from test_contract import ELEMENTS, in_order_matmul, operands, reference, tensor
from test_matmul_mixed import i8_operands, wrapped_product

DEVICES = [("local-sync", None), ("local-task", 1), ("local-task", 2)]
MATMUL_TILES = pytest.mark.parametrize("kernel_isa", ["avx512", "avx2", "sse2"], indirect=True)


def constant(array):
    return f'dense<"0x{array.tobytes().hex().upper()}">'


def constant_source(name, batch, m, k, n, element, b, acc=None):
    """@name(%a, %c) = %c + %a times the constant b (batch_matmul when batch),
    into an `acc` accumulator (else `element`)."""
    lead = (batch,) if batch else ()
    ta, tb = (tensor(lead + s, element) for s in ((m, k), (k, n)))
    tc = tensor(lead + (m, n), acc or element)
    kind = "batch_matmul" if batch else "matmul"
    return (f"func.func @{name}(%a: {ta}, %c: {tc}) -> {tc} {{\n  %b = arith.constant {constant(b)} : {tb}\n"
            f"  %r = linalg.{kind} ins(%a, %b : {ta}, {tb}) outs(%c : {tc}) -> {tc}\n  return %r : {tc}\n}}\n")


def calls(module, name, arrays, device, workers, times=2):
    """The results of `times` calls of one loaded module (the first packs B)."""
    ctx = Context(device, workers)
    ctx.load(module)
    return [np.asarray(ctx.invoke(name, list(arrays))[0]).tobytes() for _ in range(times)]


# Sizes around the tiles (4 or 8 rows by a 64-byte row of columns: 16 f32 or
# 8 f64) and the k block (256): narrower than a panel (never tiled, nothing
# packed), a partial last panel, by panels (at most 128 rows), by rows, batches.
SIZES = [(0, 1, 1, 1), (0, 0, 5, 17), (0, 3, 4, 16), (0, 4, 1, 15), (0, 7, 15, 17), (0, 9, 17, 33),
         (0, 8, 0, 16), (2, 9, 5, 17), (0, 33, 257, 47)]
LARGE = [(0, 128, 300, 100), (0, 129, 258, 65), (0, 300, 260, 200), (3, 140, 70, 45)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda t: t.__name__)
@pytest.mark.parametrize("batch,m,k,n", SIZES + LARGE)
@MATMUL_TILES
def test_constant_b_gives_the_in_order_sum_on_every_call(kernel_isa, dtype, batch, m, k, n):
    lead = (batch,) if batch else ()
    a, b, c = operands([lead + (m, k), lead + (k, n), lead + (m, n)], dtype, m * 1000 + k * 10 + n)
    module = compile_module(constant_source("f", batch, m, k, n, ELEMENTS[dtype], b), "m.mlir")
    want = in_order_matmul(a, b, c).tobytes()
    if (batch, m, k, n) in SIZES:
        assert reference(module, [a, c]).tobytes() == want
    for device, workers in DEVICES:
        assert calls(module, "f", [a, c], device, workers) == [want, want], (device, workers)


@pytest.mark.parametrize("batch,m,k,n", [(0, 1, 1, 1), (0, 7, 3, 31), (0, 9, 5, 33), (2, 17, 20, 40), (0, 150, 70, 65)])
@MATMUL_TILES
def test_constant_i8_b_gives_the_wrapped_sum_on_every_call(kernel_isa, batch, m, k, n):
    """i8 x i8 -> i32 (VNNI panels where the CPU has them) with a constant B."""
    a, b, c = i8_operands(batch, m, k, n, m + k + n)
    module = compile_module(constant_source("f", batch, m, k, n, "i8", b, acc="i32"), "q.mlir")
    want = wrapped_product(a, b, c).tobytes()
    for device, workers in DEVICES:
        assert calls(module, "f", [a, c], device, workers) == [want, want], (device, workers)


def test_two_constants_of_one_shape_keep_their_own_packing():
    a, c, b0, b1 = operands([(130, 40), (130, 50), (40, 50), (40, 50)], np.float32, 5)
    source = constant_source("g0", 0, 130, 40, 50, "f32", b0) + constant_source("g1", 0, 130, 40, 50, "f32", b1)
    module = compile_module(source, "two.mlir")
    ctx = Context("local-task", 2)
    ctx.load(module)
    for _ in range(2):
        for name, b in (("g0", b0), ("g1", b1)):
            assert np.asarray(ctx.invoke(name, [a, c])[0]).tobytes() == in_order_matmul(a, b, c).tobytes(), name


def test_another_view_of_a_packed_constant_packs_per_call():
    """The constant packed for a 2-D product, then viewed as 2 batches (other
    panels): the second product must not take the first's packing."""
    b = operands([(40, 48)], np.float32, 6)[0]
    a, c, a3, c3 = operands([(9, 40), (9, 48), (2, 9, 20), (2, 9, 48)], np.float32, 7)
    tb, t3 = tensor((40, 48), "f32"), tensor((2, 20, 48), "f32")
    source = (f"func.func @f(%a: tensor<9x40xf32>, %c: tensor<9x48xf32>, %a3: tensor<2x9x20xf32>,\n"
              f"             %c3: tensor<2x9x48xf32>) -> (tensor<9x48xf32>, tensor<2x9x48xf32>) {{\n"
              f"  %b = arith.constant {constant(b)} : {tb}\n"
              f"  %r = linalg.matmul ins(%a, %b : tensor<9x40xf32>, {tb}) outs(%c : tensor<9x48xf32>) -> tensor<9x48xf32>\n"
              f"  %b3 = tensor.expand_shape %b [[0, 1], [2]] output_shape [2, 20, 48] : {tb} into {t3}\n"
              f"  %r3 = linalg.batch_matmul ins(%a3, %b3 : tensor<2x9x20xf32>, {t3}) outs(%c3 : tensor<2x9x48xf32>)"
              f" -> tensor<2x9x48xf32>\n  return %r, %r3 : tensor<9x48xf32>, tensor<2x9x48xf32>\n}}\n")
    module = compile_module(source, "views.mlir")
    want = [in_order_matmul(a, b, c).tobytes(), in_order_matmul(a3, b.reshape(2, 20, 48), c3).tobytes()]
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        for _ in range(2):
            assert [np.asarray(r).tobytes() for r in ctx.invoke("f", [a, c, a3, c3])] == want, (device, workers)


def test_the_packing_is_made_once_and_freed_with_its_module():
    a, c, b = operands([(64, 40), (64, 50), (40, 50)], np.float32, 8)
    module = compile_module(constant_source("f", 0, 64, 40, 50, "f32", b), "once.mlir")
    gc.collect()
    before = _vm.derived_constants()
    ctx = Context("local-task", 2)
    ctx.load(module)
    for _ in range(3):
        ctx.invoke("f", [a, c])
        assert _vm.derived_constants() == before + 1
    other = Context("local-task", 2)   # a second load of the module: its own constant, its own packing
    other.load(module)
    other.invoke("f", [a, c])
    assert _vm.derived_constants() == before + 2
    del ctx, other
    gc.collect()
    assert _vm.derived_constants() == before


def test_concurrent_first_calls_keep_one_packing():
    a, c, b = operands([(200, 64), (200, 80), (64, 80)], np.float32, 9)
    module = compile_module(constant_source("f", 0, 200, 64, 80, "f32", b), "race.mlir")
    want = in_order_matmul(a, b, c).tobytes()
    gc.collect()
    before = _vm.derived_constants()
    ctx = Context("local-task", 2)
    ctx.load(module)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: np.asarray(ctx.invoke("f", [a, c])[0]).tobytes(), range(8)))
    assert results == [want] * 8
    assert _vm.derived_constants() == before + 1
    del ctx
    gc.collect()
    assert _vm.derived_constants() == before
