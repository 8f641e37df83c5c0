"""linalg.softmax along the innermost dimension of f32 rows runs as one
buffer.softmax (passes/rows.py, csrc/rows.pxi): the Cython VM against
the reference interpreter byte for byte, on rows around the lanes, the exp
chunk and REDUCE_SEGMENT, on each device; the same bytes as the
decomposition it replaces (a softmax along another dimension still takes
it); numerics against the real IREE; the op's error in both VMs."""
import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from tool_runs import error_on_both, hand_module, iree_outputs_of, row_op_result

DEVICES = [("local-sync", None), ("local-task", 1), ("local-task", 2), ("local-task", 7)]
EDGE = [float("-inf"), 0.0, -0.0, float("inf"), 1e30, -1e30, float("nan"), 88.0, -120.0]


def softmax_source(shape, dim):
    t = f"tensor<{'x'.join(map(str, shape))}xf32>"
    return (f"func.func @f(%x: {t}) -> {t} {{\n  %e = tensor.empty() : {t}\n"
            f"  %r = linalg.softmax dimension({dim}) ins(%x : {t}) outs(%e : {t}) -> {t}\n  return %r : {t}\n}}\n")


def rows_of(shape, seed):
    """Random rows (scaled so exp spans its range), with special values in the first rows."""
    x = (np.random.default_rng(seed).standard_normal(shape) * 30).astype(np.float32)
    flat = x.reshape(-1, shape[-1]) if x.size else x
    for r in range(min(len(flat), 3)):
        edge = EDGE[3 * r:][:shape[-1]]
        flat[r, :len(edge)] = edge
    if len(flat) > 3 and shape[-1]:
        flat[3] = -np.inf   # a row of -inf: -inf - -inf is NaN throughout
    return x


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("shape", [(0, 5), (3, 0), (1, 1), (7, 255), (9, 257), (2, 3, 129), (3, isa.REDUCE_SEGMENT + 3),
                                   (1, 521, 129)], ids=str)
def test_softmax_rows_match_the_reference_and_the_decomposition(shape, device, workers):
    x = rows_of(shape, sum(shape))
    have, _ = row_op_result(softmax_source, "buffer.softmax", x, device, workers)
    if x.size == 0:
        return
    finite = np.isfinite(x).all(axis=-1)
    e = np.exp(x[finite].astype(np.float64) - x[finite].max(axis=-1, keepdims=True))
    np.testing.assert_allclose(have[finite], e / e.sum(axis=-1, keepdims=True), rtol=1e-4, atol=1e-37)   # x - max rounds to f32


def test_softmax_rows_match_iree(reference_iree, tmp_path):
    shape = (2, 4, 128, 128)   # an encoder's attention scores
    x = (np.random.default_rng(3).standard_normal(shape) * 4).astype(np.float32)
    src = softmax_source(shape, 3)
    want = iree_outputs_of(reference_iree, tmp_path, src, "f", [x])
    ctx = Context("local-task", 2)
    ctx.load(compile_module(src, "s.mlir"))
    (have,) = ctx.invoke("f", [x])
    np.testing.assert_allclose(np.asarray(have), want, rtol=2e-6, atol=1e-12)


def test_softmax_of_a_non_f32_buffer_fails_alike_in_both_vms():
    vec = "tensor<4xi32>"
    blob = hand_module([("buffer.softmax", {"dst": 1, "src": 0}), ("ret", {"args_i": [], "args_f": [], "args_r": [1]})],
                       ((vec,), (vec,)), (0, 0, 2))
    assert error_on_both(blob, [np.arange(4, dtype=np.int32)]) == (
        "INVALID_ARGUMENT", "softmax of a value that is not an f32 buffer of rank 1 or more")
