"""Reductions over at most 16 static points (a pooling window, a short
dot product) are folded element-wise one point at a time, the inputs read
by gathers sharing one index computation: no window copy and no
buffer.reduce. Results are buffer.reduce's in-order fold bit for bit: the
Cython VM against the reference interpreter and an in-order numpy fold at
sizes around the tile on each device, against the real IREE, and the
general path beyond 16 points."""
import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.disasm import disassemble
from tool_runs import compile_both, run_both, same_on_both

# Max pooling NCHW, window k x k, stride s, as import-onnx writes MaxPool (the window operand only shapes it).
POOL = """
func.func @f(%x: tensor<{n}x{c}x{h}x{w}x{t}>) -> tensor<{n}x{c}x{oh}x{ow}x{t}> {{
  %win = tensor.empty() : tensor<{k}x{k}x{t}>
  %init = arith.constant {init} : {t}
  %e = tensor.empty() : tensor<{n}x{c}x{oh}x{ow}x{t}>
  %acc = linalg.fill ins(%init : {t}) outs(%e : tensor<{n}x{c}x{oh}x{ow}x{t}>) -> tensor<{n}x{c}x{oh}x{ow}x{t}>
  %r = linalg.generic {{indexing_maps = [
      affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * {s} + d4, d3 * {s} + d5)>,
      affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}}
      ins(%x, %win : tensor<{n}x{c}x{h}x{w}x{t}>, tensor<{k}x{k}x{t}>) outs(%acc : tensor<{n}x{c}x{oh}x{ow}x{t}>) {{
  ^bb0(%a: {t}, %b: {t}, %o: {t}):
    %m = {op} %o, %a : {t}
    linalg.yield %m : {t}
  }} -> tensor<{n}x{c}x{oh}x{ow}x{t}>
  return %r : tensor<{n}x{c}x{oh}x{ow}x{t}>
}}
"""

# Rows of x times rows of y summed over the last dimension (k points), into a keepdims output.
DOT = """
func.func @f(%x: tensor<{m}x{k}xf32>, %y: tensor<{m}x{k}xf32>, %b: tensor<{m}x1xf32>) -> tensor<{m}x1xf32> {{
  %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>,
                                         affine_map<(d0, d1) -> (d0, 0)>],
      iterator_types = ["parallel", "reduction"]}}
      ins(%x, %y : tensor<{m}x{k}xf32>, tensor<{m}x{k}xf32>) outs(%b : tensor<{m}x1xf32>) {{
  ^bb0(%a: f32, %c: f32, %o: f32):
    %p = arith.mulf %a, %c : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }} -> tensor<{m}x1xf32>
  return %r : tensor<{m}x1xf32>
}}
"""


def host_ops(module):
    (fn,) = module.functions
    return [t.split()[0] for _, t in disassemble(module, fn.code, fn.locs)]


def pool_source(n, c, h, w, k, s, t="f32", op="arith.maximumf"):
    init = {"f32": "0xFF800000", "i32": "-2147483648"}[t]
    return POOL.format(n=n, c=c, h=h, w=w, k=k, s=s, oh=(h - k) // s + 1, ow=(w - k) // s + 1, t=t, op=op,
                       init=init)


def pool_reference(x, k, s, combine, init):
    """The fold in order over the window (row by row), as numpy."""
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    acc = np.full((n, c, oh, ow), init, x.dtype)
    for i in range(k):
        for j in range(k):
            acc = combine(acc, x[:, :, i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s])
    return acc


def run_on_both(source, arrays, device, workers):
    module = compile_module(source, "r.mlir")
    ctx = Context(device, workers)
    ctx.load(module)
    ref = interp.Context()
    ref.load(module)
    return module, same_on_both(ctx, ref, "f", arrays)


def maximumf(a, b):   # NaN wins, as arith.maximumf
    return np.where(np.isnan(a) | np.isnan(b), np.float32(np.nan), np.maximum(a, b))


@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2), ("local-task", 7)])
@pytest.mark.parametrize("n,c,h,w,k,s", [(1, 1, 3, 3, 3, 2), (1, 2, 3, 9, 1, 1), (1, 3, 5, 5, 2, 1),
                                         (1, 1, 3, 2 * isa.TILE + 1, 3, 2), (1, 1, 3, 2 * isa.TILE + 3, 3, 2),
                                         (2, 16, 33, 35, 3, 2), (1, 1, 4, 4, 4, 1), (1, 0, 3, 3, 3, 2)])
def test_max_pooling_windows_fold_in_order(n, c, h, w, k, s, device, workers):
    rng = np.random.default_rng(h * w + k)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    x.ravel()[::7] = np.nan
    x.ravel()[::11] = -0.0
    module, (have,) = run_on_both(pool_source(n, c, h, w, k, s), [x], device, workers)
    want = pool_reference(x, k, s, maximumf, -np.inf)
    assert have.tobytes() == want.tobytes()
    ops = host_ops(module)
    assert "buffer.reduce" not in ops and "buffer.expand" not in ops


@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2)])
def test_integer_max_pooling(device, workers):
    x = np.random.default_rng(0).integers(-2 ** 31, 2 ** 31, (1, 3, 9, 11), dtype=np.int32)
    _, (have,) = run_on_both(pool_source(1, 3, 9, 11, 3, 2, "i32", "arith.maxsi"), [x], device, workers)
    np.testing.assert_array_equal(have, pool_reference(x, 3, 2, np.maximum, -2 ** 31))


@pytest.mark.parametrize("k,unrolled", [(1, True), (5, True), (16, True), (17, False)])
@pytest.mark.parametrize("m", [0, 1, isa.TILE - 1, isa.TILE + 1, 3 * isa.TILE])
def test_short_dot_products_sum_in_order(m, k, unrolled):
    rng = np.random.default_rng(m + k)
    x, y = (rng.standard_normal((m, k)).astype(np.float32) for _ in range(2))
    b = rng.standard_normal((m, 1)).astype(np.float32)
    module, (have,) = run_on_both(DOT.format(m=m, k=k), [x, y, b], "local-task", 2)
    want = b.copy()
    for j in range(k):   # each product and sum rounded to f32, in order
        want[:, 0] = want[:, 0] + x[:, j] * y[:, j]
    assert have.tobytes() == want.tobytes()
    assert ("buffer.reduce" not in host_ops(module)) == unrolled


def test_max_pooling_matches_iree(reference_iree, tmp_path):
    x = np.random.default_rng(5).standard_normal((1, 4, 11, 13)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    src = tmp_path / "pool.mlir"
    src.write_text(pool_source(1, 4, 11, 13, 3, 2))
    args = ["--function=f", f"--input=@{tmp_path / 'x.npy'}", "--output=@" + str(tmp_path / "y.npy")]
    (want_rc, _), (have_rc, _) = run_both(reference_iree, compile_both(reference_iree, src), args[:2] + [args[2]])
    assert want_rc == 0 and have_rc == 0
    have = np.load(tmp_path / "y.npy")
    assert have.tobytes() == pool_reference(x, 3, 2, maximumf, -np.inf).tobytes()


def test_many_gathers_of_one_source_fit_a_kernel():
    """Gathers count as loads, not toward the ops of a kernel: twenty
    windows of one input, summed, still compile (registers suffice) and
    sum in order."""
    taps = 20
    maps = ", ".join(f"affine_map<(d0) -> (d0 + {k})>" for k in range(taps))
    args = ", ".join(f"%a{k}: f32" for k in range(taps))
    adds, last = [], "%a0"
    for k in range(1, taps):
        adds.append(f"    %s{k} = arith.addf {last}, %a{k} : f32")
        last = f"%s{k}"
    src = (f"func.func @f(%x: tensor<{taps + 99}xf32>) -> tensor<100xf32> {{\n"
           f"  %e = tensor.empty() : tensor<100xf32>\n"
           f"  %r = linalg.generic {{indexing_maps = [{maps}, affine_map<(d0) -> (d0)>], iterator_types = [\"parallel\"]}}"
           f" ins({', '.join(['%x'] * taps)} : {', '.join([f'tensor<{taps + 99}xf32>'] * taps)})"
           f" outs(%e : tensor<100xf32>) {{\n  ^bb0({args}, %o: f32):\n" + "\n".join(adds) +
           f"\n    linalg.yield {last} : f32\n  }} -> tensor<100xf32>\n  return %r : tensor<100xf32>\n}}\n")
    x = np.random.default_rng(1).standard_normal(taps + 99).astype(np.float32)
    module, (have,) = run_on_both(src, [x], "local-task", 2)
    want = x[0:100].copy()
    for k in range(1, taps):
        want = want + x[k:k + 100]
    assert have.tobytes() == want.tobytes()
    assert "buffer.expand" not in host_ops(module)
