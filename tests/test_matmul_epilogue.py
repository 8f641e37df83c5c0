"""A matmul from a +0.0 fill with its epilogue (buffer.matmul.fresh.dispatch):
the element-wise consumer of a product (bias broadcast, residual add,
ReLU) runs as one instruction with it, on each chunk of rows the product
has just finished, writing over the product's buffer. Bit for bit the
reference interpreter (which runs the two one after the other) and numpy's
in-order sums on every device and tile ISA, at sizes around the tiles,
empty, one element, and large enough for chunks of rows, of whole batches
and of panels; the fallback when the epilogue reads the product out of
order; async functions; a concat's part."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from test_contract import DEVICES, MATMUL_TILES, in_order_matmul, native, operands, reference, tensor
from test_matmul_constant import constant
from test_matmul_fresh import LARGE, SMALL
from tool_runs import host_ops


def epilogue_source(batch, m, k, n, transposed=False, b=None):
    """@f(a, b, bias, r) = max(a times b (from +0.0) + bias (per column) + r, 0);
    transposed: + the product read transposed too (m == n); `b` (an array):
    B a module constant of it instead, and @f(a, bias, r)."""
    lead = (batch,) if batch else ()
    ta, tb, tc, tbias = (tensor(s, "f32") for s in (lead + (m, k), lead + (k, n), lead + (m, n), (n,)))
    dims = ", ".join(f"d{i}" for i in range(len(lead) + 2))
    ident, column = f"affine_map<({dims}) -> ({dims})>", f"affine_map<({dims}) -> (d{len(lead) + 1})>"
    swapped = f"affine_map<({dims}) -> ({'d0, ' * len(lead)}d{len(lead) + 1}, d{len(lead)})>"
    kind = "batch_matmul" if batch else "matmul"
    iterators = ", ".join(['"parallel"'] * (len(lead) + 2))
    maps = [ident, column, ident] + ([swapped] if transposed else []) + [ident]
    ins = [("%p", tc), ("%bias", tbias), ("%r", tc)] + ([("%p", tc)] if transposed else [])
    extra = ["%pt: f32"] if transposed else []
    last = "%u2" if transposed else "%u"
    params = f"%a: {ta}, " + ("" if b is not None else f"%b: {tb}, ") + f"%bias: {tbias}, %r: {tc}"
    weights = f"  %b = arith.constant {constant(b)} : {tb}\n" if b is not None else ""
    return (f"func.func @f({params}) -> {tc} {{\n"
            f"  %z = arith.constant 0.0 : f32\n{weights}  %e = tensor.empty() : {tc}\n"
            f"  %c = linalg.fill ins(%z : f32) outs(%e : {tc}) -> {tc}\n"
            f"  %p = linalg.{kind} ins(%a, %b : {ta}, {tb}) outs(%c : {tc}) -> {tc}\n"
            f"  %y = linalg.generic {{indexing_maps = [{', '.join(maps)}], "
            f"iterator_types = [{iterators}]}} "
            f"ins({', '.join(v for v, _ in ins)} : {', '.join(t for _, t in ins)}) outs(%e : {tc}) {{\n"
            f"  ^bb0({', '.join(['%x: f32', '%bb: f32', '%rr: f32'] + extra)}, %o: f32):\n"
            f"    %s = arith.addf %x, %bb : f32\n    %t = arith.addf %s, %rr : f32\n"
            f"    %u = arith.maximumf %t, %z : f32\n"
            + ("    %u2 = arith.addf %u, %pt : f32\n" if transposed else "") +
            f"    linalg.yield {last} : f32\n  }} -> {tc}\n  return %y : {tc}\n}}\n")


def names(src, execution_model=None):
    args = (execution_model,) if execution_model else ()
    return [name for name, _ in host_ops(compile_module(src, "m.mlir", *args))]


def want_of(a, b, bias, r, transposed=False):
    p = in_order_matmul(a, b, np.zeros(a.shape[:-1] + b.shape[-1:], np.float32))
    y = np.maximum(p + bias + r, np.float32(0))
    return y + np.swapaxes(p, -1, -2) if transposed else y


def arrays_of(batch, m, k, n, seed):
    lead = (batch,) if batch else ()
    return operands([lead + (m, k), lead + (k, n), (n,), lead + (m, n)], np.float32, seed)


def test_the_epilogue_is_one_instruction_with_the_product_over_its_buffer():
    ops = names(epilogue_source(0, 9, 5, 33))
    assert ops.count("buffer.matmul.fresh.dispatch") == 1
    assert "dispatch" not in ops and "buffer.matmul.fresh" not in ops and "buffer.clone" not in ops
    assert ops.count("buffer.alloc") == 1   # the product's buffer takes the epilogue's result


@pytest.mark.parametrize("batch,m,k,n", SMALL + LARGE)
@MATMUL_TILES
def test_sizes_around_the_tiles_match_the_reference(kernel_isa, batch, m, k, n):
    src = epilogue_source(batch, m, k, n)
    module = compile_module(src, "m.mlir")
    arrays = arrays_of(batch, m, k, n, m * 1000 + k * 10 + n)
    want = want_of(*arrays).tobytes()
    if (batch, m, k, n) in SMALL:
        assert reference(module, arrays).tobytes() == want
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want, (device, workers)


@pytest.mark.parametrize("batch,m,k,n", [(0, 9, 4, 9), (0, 200, 300, 200), (2, 130, 40, 130)])
def test_an_epilogue_reading_the_product_transposed_runs_after_it(batch, m, k, n):
    """The kernel reads the product out of order too (a gathered binding):
    the VM cannot run it on rows as they are done, and runs it after."""
    src = epilogue_source(batch, m, k, n, transposed=True)
    assert "buffer.matmul.fresh.dispatch" in names(src)
    module = compile_module(src, "m.mlir")
    arrays = arrays_of(batch, m, k, n, 7)
    want = want_of(*arrays, transposed=True).tobytes()
    assert reference(module, arrays).tobytes() == want
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want, (device, workers)


@pytest.mark.parametrize("m,k,n", [(9, 5, 33), (260, 64, 256)])
def test_an_async_function_runs_the_epilogue_with_its_product(m, k, n):
    src = epilogue_source(0, m, k, n)
    ops = names(src, "async-external")
    assert "buffer.matmul.fresh.dispatch" in ops and "dispatch.async" not in ops
    module = compile_module(src, "m.mlir", "async-external")
    arrays = arrays_of(0, m, k, n, 3)
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        (have,) = ctx.invoke("f", arrays)
        assert np.asarray(have).tobytes() == want_of(*arrays).tobytes(), (device, workers)


@pytest.mark.parametrize("batch,m,k,n,in_cache", [(0, 257, 300, 129, True), (4, 128, 64, 128, True),
                                                  (0, 128, 512, 250, False), (0, 1, 300, 1000, False)])
def test_chunks_of_rows_run_the_epilogue_as_they_are_done(batch, m, k, n, in_cache):
    """By rows, each chunk runs the epilogue on its rows; a product split by
    B's panels (one batch of at most 128 rows) runs it after the whole."""
    module = compile_module(epilogue_source(batch, m, k, n), "m.mlir")
    arrays = arrays_of(batch, m, k, n, 11)
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        (have,) = ctx.invoke("f", arrays)
        assert np.asarray(have).tobytes() == want_of(*arrays).tobytes(), (device, workers)
        assert ctx.native.statistics()["epilogues_in_cache"] == in_cache, (device, workers)


@pytest.mark.parametrize("m,k,n", [(128, 300, 100), (64, 80, 48), (24, 20, 48), (8, 5, 16)])
@MATMUL_TILES
def test_a_constant_b_runs_the_epilogue_on_chunks_of_few_rows(kernel_isa, m, k, n):
    """B a module constant (its panels packed with it): at most 128 rows go
    by rows too where they make four chunks of whole tiles per worker, each
    running the epilogue as it is done; fewer, by panels, the epilogue after."""
    a, b, bias, r = arrays_of(0, m, k, n, m + k + n)
    module = compile_module(epilogue_source(0, m, k, n, b=b), "m.mlir")
    want = want_of(a, b, bias, r).tobytes()
    mr = 8 if kernel_isa == "avx512" else 4
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        for _ in range(2):   # the first call packs B's panels, the second finds them
            (have,) = ctx.invoke("f", [a, bias, r])
            assert np.asarray(have).tobytes() == want, (device, workers)
        shared = device == "local-task" and m * k * n > 196608   # past the context's inline_elements
        sharing = workers if shared else 1
        assert ctx.native.statistics()["epilogues_in_cache"] == 2 * (m >= 4 * mr * sharing), (device, workers)


def test_an_epilogue_reading_a_reshape_of_the_product():
    """Attention's scores: a batch of products collapsed and expanded again
    (views of the same elements) before their scaling: the scaling is the
    product's epilogue all the same, reading it through the views."""
    t3, t1, t4 = "tensor<4x9x9xf32>", "tensor<324xf32>", "tensor<1x4x9x9xf32>"
    ident = "affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>"
    src = (f"func.func @f(%a: tensor<4x9x5xf32>, %b: tensor<4x5x9xf32>) -> {t4} {{\n"
           f"  %z = arith.constant 0.0 : f32\n  %s = arith.constant 0.125 : f32\n"
           f"  %e = tensor.empty() : {t3}\n  %e4 = tensor.empty() : {t4}\n"
           f"  %c = linalg.fill ins(%z : f32) outs(%e : {t3}) -> {t3}\n"
           f"  %p = linalg.batch_matmul ins(%a, %b : tensor<4x9x5xf32>, tensor<4x5x9xf32>) outs(%c : {t3}) -> {t3}\n"
           f"  %f = tensor.collapse_shape %p [[0, 1, 2]] : {t3} into {t1}\n"
           f"  %g = tensor.expand_shape %f [[0, 1, 2, 3]] output_shape [1, 4, 9, 9] : {t1} into {t4}\n"
           f"  %y = linalg.generic {{indexing_maps = [{ident}, {ident}], iterator_types = "
           f"[\"parallel\", \"parallel\", \"parallel\", \"parallel\"]}} ins(%g : {t4}) outs(%e4 : {t4}) {{\n"
           f"  ^bb0(%x: f32, %o: f32):\n    %m = arith.mulf %x, %s : f32\n    linalg.yield %m : f32\n"
           f"  }} -> {t4}\n  return %y : {t4}\n}}\n")
    ops = names(src)
    assert ops.count("buffer.matmul.fresh.dispatch") == 1 and "dispatch" not in ops
    module = compile_module(src, "m.mlir")
    a, b = operands([(4, 9, 5), (4, 5, 9)], np.float32, 13)
    want = (in_order_matmul(a, b, np.zeros((4, 9, 9), np.float32)) * np.float32(0.125)).reshape(1, 4, 9, 9)
    assert reference(module, [a, b]).tobytes() == want.tobytes()
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        (have,) = ctx.invoke("f", [a, b])
        assert np.asarray(have).tobytes() == want.tobytes(), (device, workers)
        assert ctx.native.statistics()["epilogues_in_cache"] == 1, (device, workers)
