"""Broadcasts whose source index is the flat coordinate over a run of
adjacent result dimensions (a softmax's or LayerNorm's row value over
(d0, d1, d2) -> (d0, d1); a bias over (d0, d1, d2) -> (d1, d2); a scalar)
become one t.spread in the fused kernel instead of an index computation
and a t.gather; other maps keep the gather. The Cython VM against the
reference interpreter and numpy at sizes around the tile, on each device,
and against the real IREE."""
import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from tool_runs import compile_both, run_both, same_on_both

# (name, the broadcast operand's map, its shape from (b, r, c), numpy view for broadcasting, spreads?)
MAPS = [
    ("rows", "(d0, d1)", lambda b, r, c: (b, r), lambda v: v[:, :, None], True),
    ("inner", "(d1, d2)", lambda b, r, c: (r, c), lambda v: v[None], True),
    ("scalar", "()", lambda b, r, c: (), lambda v: v, True),
    ("outer", "(d0)", lambda b, r, c: (b,), lambda v: v[:, None, None], True),
    ("apart", "(d0, d2)", lambda b, r, c: (b, c), lambda v: v[:, None, :], False),
    ("swapped", "(d2, d1)", lambda b, r, c: (c, r), lambda v: v.T[None], False),
]

SOURCE = """
func.func @f(%a: tensor<{b}x{r}x{c}xf32>, %v: {vt}) -> tensor<{b}x{r}x{c}xf32> {{
  %e = tensor.empty() : tensor<{b}x{r}x{c}xf32>
  %s = linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> {m}>,
                                         affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
       iterator_types = ["parallel", "parallel", "parallel"]}}
       ins(%a, %v : tensor<{b}x{r}x{c}xf32>, {vt}) outs(%e : tensor<{b}x{r}x{c}xf32>) {{
  ^bb0(%x: f32, %y: f32, %o: f32):
    %t = arith.subf %x, %y : f32
    %u = arith.mulf %t, %y : f32
    linalg.yield %u : f32
  }} -> tensor<{b}x{r}x{c}xf32>
  return %s : tensor<{b}x{r}x{c}xf32>
}}
"""


def source(m, shape, b, r, c):
    vt = f"tensor<{'x'.join(map(str, shape))}{'x' if shape else ''}f32>"
    return SOURCE.format(b=b, r=r, c=c, m=m, vt=vt)


def tile_ops(module):
    return [isa.BY_CODE[w & 0xFF].name for k in module.kernels for w in k.code]


@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2), ("local-task", 7)])
@pytest.mark.parametrize("b,r,c", [(0, 3, 5), (1, 1, 1), (2, 3, isa.TILE - 1), (1, 2, isa.TILE + 1),
                                   (3, 50, 333), (2, 3, 1)])
@pytest.mark.parametrize("name,m,shape_of,view,spreads", MAPS, ids=[m[0] for m in MAPS])
def test_broadcast_runs(name, m, shape_of, view, spreads, b, r, c, device, workers):
    rng = np.random.default_rng(b * r * c)
    a = rng.standard_normal((b, r, c)).astype(np.float32)
    v = rng.standard_normal(shape_of(b, r, c)).astype(np.float32)
    module = compile_module(source(m, shape_of(b, r, c), b, r, c), "s.mlir")
    ctx = Context(device, workers)
    ctx.load(module)
    ref = interp.Context()
    ref.load(module)
    (h,) = same_on_both(ctx, ref, "f", [a, v])
    np.testing.assert_array_equal(h, (a - view(v)) * view(v))
    ops = tile_ops(module)
    if b * r * c and spreads:
        assert "t.gather" not in ops and "t.lindex" not in ops
        # (a broadcast that repeats nothing reads its source in order: a plain load)
        assert ("t.spread" in ops) == (np.prod(shape_of(b, r, c)) != b * r * c)
    elif b * r * c and min(shape_of(b, r, c), default=2) > 1:
        assert "t.gather" in ops


@pytest.mark.parametrize("name,m,shape_of", [(n, m, s) for n, m, s, _, _ in MAPS], ids=[m[0] for m in MAPS])
def test_broadcast_runs_match_iree(reference_iree, tmp_path, name, m, shape_of):
    b, r, c = 2, 3, 5
    rng = np.random.default_rng(7)
    np.save(tmp_path / "a.npy", rng.standard_normal((b, r, c)).astype(np.float32))
    np.save(tmp_path / "v.npy", rng.standard_normal(shape_of(b, r, c)).astype(np.float32))
    src = tmp_path / "s.mlir"
    src.write_text(source(m, shape_of(b, r, c), b, r, c))
    args = ["--function=f", f"--input=@{tmp_path / 'a.npy'}", f"--input=@{tmp_path / 'v.npy'}"]
    want, have = run_both(reference_iree, compile_both(reference_iree, src), args)
    assert want[0] == 0
    assert have == want
