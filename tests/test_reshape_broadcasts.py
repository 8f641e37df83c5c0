"""A broadcast or copy that reads its source in order (a weight broadcast
to a batch of one, unit dimensions added or dropped) is a view of it, not a
copy: `buffer.view` instead of `buffer.expand` in the compiled function,
the same results as numpy and the reference interpreter on both VMs and as
the real IREE. Maps that reorder or repeat elements still copy (unless a
product reads them through strides, test_matmul_strided.py)."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.disasm import disassemble
from tool_runs import compile_both, run_both, same_on_both

# A batch_matmul of x (1xMxK) by the weight w (KxN) broadcast to a batch of one, as import-onnx writes MatMul.
BATCHED_WEIGHT = """
func.func @f(%x: tensor<1x{m}x{k}xf32>, %w: tensor<{k}x{n}xf32>) -> tensor<1x{m}x{n}xf32> {{
  %e = tensor.empty() : tensor<1x{k}x{n}xf32>
  %b = linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
       iterator_types = ["parallel", "parallel", "parallel"]}} ins(%w : tensor<{k}x{n}xf32>) outs(%e : tensor<1x{k}x{n}xf32>) {{
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  }} -> tensor<1x{k}x{n}xf32>
  %z = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<1x{m}x{n}xf32>
  %acc = linalg.fill ins(%z : f32) outs(%i : tensor<1x{m}x{n}xf32>) -> tensor<1x{m}x{n}xf32>
  %r = linalg.batch_matmul ins(%x, %b : tensor<1x{m}x{k}xf32>, tensor<1x{k}x{n}xf32>)
       outs(%acc : tensor<1x{m}x{n}xf32>) -> tensor<1x{m}x{n}xf32>
  return %r : tensor<1x{m}x{n}xf32>
}}
"""

# The same copy through (d0, d1, d2) -> (d2, d1): a transpose, which no view
# expresses (the product reads it through strides instead, test_matmul_strided.py).
TRANSPOSED_WEIGHT = BATCHED_WEIGHT.replace("affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]",
                                           "affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]")


def host_ops(module):
    (fn,) = module.functions
    return [t.split()[0] for _, t in disassemble(module, fn.code, fn.locs)]


@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2)])
@pytest.mark.parametrize("m,k,n", [(0, 3, 4), (1, 1, 1), (5, 7, 3), (33, 65, 17), (128, 256, 64)])
def test_weight_broadcast_to_a_batch_of_one_is_a_view(m, k, n, device, workers):
    rng = np.random.default_rng(m + k + n)
    x = rng.standard_normal((1, m, k)).astype(np.float32)
    w = rng.standard_normal((k, n)).astype(np.float32)
    module = compile_module(BATCHED_WEIGHT.format(m=m, k=k, n=n), "w.mlir")
    ops = host_ops(module)
    assert "buffer.expand" not in ops and "buffer.view" in ops
    ctx = Context(device, workers)
    ctx.load(module)
    ref = interp.Context()
    ref.load(module)
    (have,) = same_on_both(ctx, ref, "f", [x, w])
    np.testing.assert_allclose(have, x @ w, rtol=1e-5, atol=1e-5)


def test_a_transposing_copy_is_no_view():
    k = n = 3
    x = np.arange(9, dtype=np.float32).reshape(1, 3, 3)
    w = np.arange(9, dtype=np.float32).reshape(k, n) - 4
    module = compile_module(TRANSPOSED_WEIGHT.format(m=3, k=k, n=n), "w.mlir")
    assert "buffer.view" not in host_ops(module) and "buffer.matmul.strided" in host_ops(module)
    ctx = Context("local-task", 2)
    ctx.load(module)
    (have,) = ctx.invoke("f", [x, w])
    np.testing.assert_array_equal(np.asarray(have), x @ w.T)


def transpose_source(shape, perm, element):
    out = [shape[p] for p in perm]
    t = lambda s: f"tensor<{'x'.join(map(str, s))}x{element}>"   # noqa: E731
    return (f"func.func @f(%x: {t(shape)}) -> {t(out)} {{\n  %e = tensor.empty() : {t(out)}\n"
            f"  %r = linalg.transpose ins(%x : {t(shape)}) outs(%e : {t(out)}) permutation = {list(perm)}\n"
            f"  return %r : {t(out)}\n}}\n")


# The two innermost dimensions swapped (attention's K^T: (s, h, d) -> (h, d, s)),
# which buffer.expand copies by blocks of 16 rows: sizes 0, 1, a block less
# and more one, and large; 8-byte elements and other orders element by element.
@pytest.mark.parametrize("shape,perm", [((0, 5), (1, 0)), ((1, 1), (1, 0)), ((15, 17), (1, 0)), ((16, 1), (1, 0)),
                                        ((17, 33), (1, 0)), ((300, 257), (1, 0)), ((1, 128, 4, 64), (0, 2, 3, 1)),
                                        ((3, 17, 5), (2, 0, 1)), ((2, 3, 19, 5), (0, 1, 3, 2))])
@pytest.mark.parametrize("dtype", [np.float32, np.int64], ids=lambda t: t.__name__)
def test_transposes_copy_every_element(shape, perm, dtype):
    x = np.arange(np.prod(shape), dtype=dtype).reshape(shape) - 7
    module = compile_module(transpose_source(shape, perm, {np.float32: "f32", np.int64: "i64"}[dtype]), "t.mlir")
    moved = [p for p in perm if shape[p] > 1]
    if moved != sorted(moved):   # else a view (unit dimensions only move)
        assert "buffer.expand" in host_ops(module)
    ref = interp.Context()
    ref.load(module)
    for device, workers in [("local-sync", None), ("local-task", 2)]:
        ctx = Context(device, workers)
        ctx.load(module)
        (have,) = same_on_both(ctx, ref, "f", [x])
        assert np.asarray(have).tobytes() == np.ascontiguousarray(x.transpose(perm)).tobytes()


def test_weight_broadcast_matches_iree(reference_iree, tmp_path):
    rng = np.random.default_rng(3)
    # Integer-valued floats: every sum exact, so both compilers print the same digits.
    np.save(tmp_path / "x.npy", rng.integers(-4, 5, (1, 6, 5)).astype(np.float32))
    np.save(tmp_path / "w.npy", rng.integers(-4, 5, (5, 4)).astype(np.float32))
    src = tmp_path / "w.mlir"
    src.write_text(BATCHED_WEIGHT.format(m=6, k=5, n=4))
    args = ["--function=f", f"--input=@{tmp_path / 'x.npy'}", f"--input=@{tmp_path / 'w.npy'}"]
    want, have = run_both(reference_iree, compile_both(reference_iree, src), args)
    assert want[0] == 0
    assert have == want
