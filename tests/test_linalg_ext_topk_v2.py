"""iree_linalg_ext.topk_v2 as IREE runs it (each input carried through the
outs, then a bubble sort when is_sorted: equal values in IREE's order), of
static and dynamic sizes; and attention of dynamic shapes and mixed float
types. Byte for byte against IREE where the algorithm is the same, within
float rounding for attention."""
import numpy as np
import pytest

from test_linalg_ext import _values, call, tensor, topk_program
from tool_runs import LITE, iree_compile, run, run_mlir_both


def v2(shape, k, dim, predicate, with_indices, dynamic=(), sorted_=True):
    """topk_program as topk_v2, with the input's dimensions in `dynamic` unknown."""
    source = topk_program(shape, k, dim, predicate, with_indices).replace(
        f"topk dimension({dim})", f"topk_v2 dimension({dim}){' is_sorted' if sorted_ else ''}")
    if dynamic:
        static, loose = tensor(shape, "f32"), tensor([None if d in dynamic else n for d, n in enumerate(shape)], "f32")
        loose = loose.replace("None", "?")
        source = source.replace(f"%x: {static}", f"%x: {loose}").replace(f"ins(%x : {static})", f"ins(%x : {loose})")
        static_i, loose_i = static.replace("f32", "i32"), loose.replace("f32", "i32")
        source = source.replace(f"%i: {static_i}", f"%i: {loose_i}").replace(f"{static}, {static_i})",
                                                                             f"{loose}, {loose_i})")
    return source


TIES = "--input=10xf32=1 1.5 3 5 5 3 5 2 2 10"
CASES = [
    (v2((10,), 5, 0, "ogt", False), [TIES, "--input=10xi32=0"]),
    (v2((10,), 5, 0, "ogt", False, dynamic=(0,)), [TIES, "--input=10xi32=0"]),
    (v2((10,), 4, 0, "olt", True, dynamic=(0,)), [TIES, "--input=10xi32=" + " ".join(map(str, range(50, 60)))]),
    (v2((10,), 5, 0, "ogt", False, sorted_=False), [TIES, "--input=10xi32=0"]),
    (v2((2, 6), 3, 1, "ogt", False, dynamic=(1,)), ["--input=2x6xf32=4 4 1 4 0 4 -1 7 7 -1 7 2", "--input=2x6xi32=0"]),
    (v2((7, 3), 4, 0, "olt", False, dynamic=(0, 1)),
     ["--input=7x3xf32=" + " ".join(str(v % 4) for v in range(21)), "--input=7x3xi32=0"]),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_topk_v2_same_as_iree(case, reference_iree, tmp_path):
    source, args = CASES[case]
    (tmp_path / "p.mlir").write_text(source)
    theirs, ours = run_mlir_both(reference_iree, tmp_path / "p.mlir", ["--function=topk", *args])
    assert ours == theirs and ours[0] == 0


def test_topk_v2_dynamic_on_both_vms(both_vms):
    x = np.array([[3, 1, 3, 0, 7, 3, 7], [-1, -2, -3, -4, -5, -6, -7]], np.float32)
    for ctx in both_vms(v2((2, 7), 3, 1, "ogt", False, dynamic=(0, 1))):
        values, indices = call(ctx, "topk", [x, np.zeros_like(x, np.int32)])
        np.testing.assert_array_equal(values, [[7, 7, 3], [-1, -2, -3]])
        np.testing.assert_array_equal(indices, [[4, 6, 0], [0, 1, 2]])   # what IREE gives


DYNAMIC_ATTENTION = """
func.func @attention(%q: tensor<?x?x?xf32>, %k: tensor<?x?x?xf32>, %v: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %b = tensor.dim %q, %c0 : tensor<?x?x?xf32>
  %m = tensor.dim %q, %c1 : tensor<?x?x?xf32>
  %n = tensor.dim %v, %c2 : tensor<?x?x?xf32>
  %init = tensor.empty(%b, %m, %n) : tensor<?x?x?xf32>
  %scale = arith.constant 0.5 : f32
  %r = iree_linalg_ext.attention <indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>,
      affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>,
      affine_map<(d0, d1, d2, d3, d4) -> ()>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>]>
    ins(%q, %k, %v, %scale : tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>, f32)
    outs(%init : tensor<?x?x?xf32>) {
  ^bb0(%s: f32):
    iree_linalg_ext.yield %s : f32
  } -> tensor<?x?x?xf32>
  return %r : tensor<?x?x?xf32>
}
"""

# f16 inputs, f32 scores and accumulators, an f16 mask: IREE's regression test's types.
MIXED_ONLINE = """
func.func @online(%q: tensor<2x3x4xf16>, %k: tensor<2x?x4xf16>, %v: tensor<2x?x6xf16>, %mask: tensor<2x3x?xf16>)
    -> (tensor<2x3x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %scale = arith.constant 0.5 : f16
  %zero = arith.constant 0.0 : f32
  %low = arith.constant -3.0e+38 : f32
  %ea = tensor.empty() : tensor<2x3x6xf32>
  %es = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%ea : tensor<2x3x6xf32>) -> tensor<2x3x6xf32>
  %max = linalg.fill ins(%low : f32) outs(%es : tensor<2x3xf32>) -> tensor<2x3xf32>
  %sum = linalg.fill ins(%zero : f32) outs(%es : tensor<2x3xf32>) -> tensor<2x3xf32>
  %r:3 = iree_linalg_ext.online_attention <indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>,
      affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>,
      affine_map<(d0, d1, d2, d3, d4) -> ()>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3)>,
      affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>,
      affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>]>
    ins(%q, %k, %v, %scale, %mask : tensor<2x3x4xf16>, tensor<2x?x4xf16>, tensor<2x?x6xf16>, f16, tensor<2x3x?xf16>)
    outs(%acc, %max, %sum : tensor<2x3x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  ^bb0(%s: f32):
    iree_linalg_ext.yield %s : f32
  } -> tensor<2x3x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>
  return %r#0, %r#1, %r#2 : tensor<2x3x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
"""


def np_attention(q, k, v, scale):
    s = scale * q @ k.transpose(0, 2, 1)
    w = np.exp(s - s.max(-1, keepdims=True))
    return (w / w.sum(-1, keepdims=True)) @ v


def test_dynamic_attention_matches_numpy(both_vms):
    rng = np.random.default_rng(5)
    q, k, v = (rng.standard_normal(s).astype(np.float32) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 6)))
    for ctx in both_vms(DYNAMIC_ATTENTION):
        (got,) = call(ctx, "attention", [q, k, v])
        np.testing.assert_allclose(got, np_attention(q, k, v, 0.5), rtol=2e-5, atol=2e-6)


def close_to_iree(reference_iree, tmp_path, source, args, results, rtol, atol):
    (tmp_path / "p.mlir").write_text(source)
    iree_compile(reference_iree, tmp_path / "p.mlir", tmp_path / "t.vmfb")
    outputs = []
    for cmd in ([reference_iree["iree-run-module"], f"--module={tmp_path / 't.vmfb'}"],
                [*LITE, "run-mlir", str(tmp_path / "p.mlir")]):
        names = [str(tmp_path / f"{len(outputs)}_{r}.npy") for r in range(results)]
        code, text = run(cmd + args + [f"--output=@{n}" for n in names])
        assert code == 0, text
        outputs.append([np.load(n) for n in names])
    for ours, theirs in zip(outputs[1], outputs[0]):
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def test_dynamic_attention_close_to_iree(reference_iree, tmp_path):
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal(s).round(3) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 6))]
    args = ["--function=attention"] + [_values(a.shape, a.ravel().tolist()).format("f32") for a in arrays]
    close_to_iree(reference_iree, tmp_path, DYNAMIC_ATTENTION, args, 1, 1e-5, 1e-6)


def test_mixed_type_online_attention_close_to_iree(reference_iree, tmp_path):
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(s).round(2) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 6), (2, 3, 5))]
    args = ["--function=online"] + [_values(a.shape, a.ravel().tolist()).format("f16") for a in arrays]
    close_to_iree(reference_iree, tmp_path, MIXED_ONLINE, args, 3, 1e-3, 1e-3)
