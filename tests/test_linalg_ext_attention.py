"""iree_linalg_ext.attention and online_attention: against numpy (IREE's
base-2 definition) on both VMs, within float rounding of IREE, and their
located errors."""
import subprocess

import numpy as np
import pytest

from test_linalg_ext import _values, tensor
from tool_runs import LITE, as_buffer, compile_error, iree_compile, run

ATTENTION_MAPS = ("affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>", "affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2)>",
                  "affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>", "affine_map<(d0, d1, d2, d3, d4) -> ()>")


def attention_program(b, m, k1, k2, n, mask=None, softcap=False, transposed_out=False):
    q, k, v = tensor((b, m, k1), "f32"), tensor((b, k2, k1), "f32"), tensor((b, k2, n), "f32")
    o = tensor((b, n, m) if transposed_out else (b, m, n), "f32")
    maps = list(ATTENTION_MAPS)
    args, types = "%q, %k, %v, %scale", f"{q}, {k}, {v}, f32"
    params = f"%q: {q}, %k: {k}, %v: {v}, %scale: f32"
    if mask:
        mt = tensor((b, m, k2), mask)
        maps.append("affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3)>")
        args, types, params = args + ", %mask", types + f", {mt}", params + f", %mask: {mt}"
    maps.append("affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1)>" if transposed_out else
                "affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>")
    body = ("    %t = math.tanh %s : f32\n    %two = arith.constant 2.0 : f32\n    %r = arith.mulf %t, %two : f32\n"
            "    iree_linalg_ext.yield %r : f32\n") if softcap else "    iree_linalg_ext.yield %s : f32\n"
    return (f"func.func @attention({params}) -> {o} {{\n  %init = tensor.empty() : {o}\n"
            f"  %a = iree_linalg_ext.attention <indexing_maps = [{', '.join(maps)}]>\n"
            f"    ins({args} : {types}) outs(%init : {o}) {{\n  ^bb0(%s: f32):\n{body}  }} -> {o}\n"
            f"  return %a : {o}\n}}\n")


def np_attention(q, k, v, scale, mask=None, softcap=False):
    """IREE's definition, in base 2: the region sees the scores times log2(e)."""
    s = np.einsum("bmk,bjk->bmj", q.astype(np.float64), k.astype(np.float64)) * scale * np.log2(np.e)
    if softcap:
        s = 2 * np.tanh(s)
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask * np.log2(np.e)
    p = np.exp2(s - s.max(-1, keepdims=True))
    return np.einsum("bmj,bjn->bmn", p / p.sum(-1, keepdims=True), v.astype(np.float64))


ATTENTIONS = [((1, 3, 4, 3, 4), None, False, False), ((2, 5, 8, 7, 3), None, True, False),
              ((2, 4, 6, 5, 6), "i1", False, False), ((1, 4, 4, 6, 2), "f32", False, True),
              ((3, 16, 32, 40, 16), None, False, False)]


@pytest.mark.parametrize("dims,mask,softcap,transposed", ATTENTIONS)
def test_attention_matches_numpy(dims, mask, softcap, transposed, both_vms):
    b, m, k1, k2, n = dims
    rng = np.random.default_rng(8)
    q, k, v = (rng.standard_normal(s).astype(np.float32) for s in ((b, m, k1), (b, k2, k1), (b, k2, n)))
    scale = np.float32(0.7)
    masks = {None: None, "i1": rng.random((b, m, k2)) < 0.7, "f32": rng.standard_normal((b, m, k2)).astype(np.float32)}
    mk = masks[mask]
    if mask == "i1":
        mk[..., 0] = True   # no row all masked
    want = np_attention(q, k, v, scale, mk, softcap)
    if transposed:
        want = want.transpose(0, 2, 1)
    native, ref = both_vms(attention_program(b, m, k1, k2, n, mask, softcap, transposed))
    args = [q, k, v, scale] + ([mk] if mk is not None else [])
    got = native.invoke("attention", args)[0]
    np.testing.assert_allclose(np.asarray(got), want, rtol=2e-5, atol=2e-6)
    ref_args = [as_buffer(a) for a in (q, k, v)] + [scale]
    if mk is not None:
        ref_args.append(as_buffer(mk.astype(np.uint8 if mask == "i1" else np.float32), "i1" if mask == "i1" else "f32"))
    (r,) = ref.invoke("attention", ref_args)
    np.testing.assert_allclose(np.frombuffer(bytes(r.data), np.float32).reshape(r.shape), want, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("case", [0, 1, 3])
def test_attention_close_to_iree(case, reference_iree, tmp_path):
    """IREE's attention kernels reassociate the sums: equal to within float rounding."""
    (b, m, k1, k2, n), mask, softcap, transposed = ATTENTIONS[case]
    (tmp_path / "p.mlir").write_text(attention_program(b, m, k1, k2, n, mask, softcap, transposed))
    iree_compile(reference_iree, tmp_path / "p.mlir", tmp_path / "t.vmfb")
    rng = np.random.default_rng(9)
    arrays = [rng.standard_normal(s).round(3) for s in ((b, m, k1), (b, k2, k1), (b, k2, n))]
    if mask:
        arrays.append(rng.standard_normal((b, m, k2)).round(3))
    args = ["--function=attention"] + [_values(a.shape, a.ravel().tolist()).format("f32") for a in arrays[:3]]
    args += ["--input=0.7"] + [_values(a.shape, a.ravel().tolist()).format("f32") for a in arrays[3:]]
    outputs = []
    for cmd in ([reference_iree["iree-run-module"], f"--module={tmp_path / 't.vmfb'}"],
                [*LITE, "run-mlir", str(tmp_path / "p.mlir")]):
        code, text = run(cmd + args + ["--output=@" + str(tmp_path / f"{len(outputs)}.npy")])
        assert code == 0
        outputs.append(np.load(tmp_path / f"{len(outputs)}.npy"))
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-5, atol=1e-6)


ONLINE = """
func.func @online(%q: tensor<2x3x4xf32>, %k: tensor<2x5x4xf32>, %v: tensor<2x5x6xf32>, %acc: tensor<2x3x6xf32>,
                  %max: tensor<2x3xf32>, %sum: tensor<2x3xf32>) -> (tensor<2x3x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %scale = arith.constant 0.5 : f32
  %r:3 = iree_linalg_ext.online_attention {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>,
      affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>,
      affine_map<(d0, d1, d2, d3, d4) -> ()>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>,
      affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>]}
    ins(%q, %k, %v, %scale : tensor<2x3x4xf32>, tensor<2x5x4xf32>, tensor<2x5x6xf32>, f32)
    outs(%acc, %max, %sum : tensor<2x3x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  ^bb0(%s: f32):
    iree_linalg_ext.yield %s : f32
  } -> tensor<2x3x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>
  return %r#0, %r#1, %r#2 : tensor<2x3x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
"""


def test_online_attention_steps_compose(both_vms):
    """Two steps over halves of the keys, normalised, are attention over all
    of them; each step is IREE's update of (acc, max, sum)."""
    rng = np.random.default_rng(10)
    q = rng.standard_normal((2, 3, 4)).astype(np.float32)
    k = rng.standard_normal((2, 5, 4)).astype(np.float32)
    v = rng.standard_normal((2, 5, 6)).astype(np.float32)
    acc, mx, sm = rng.standard_normal((2, 3, 6)).astype(np.float32), rng.standard_normal((2, 3)).astype(np.float32), \
        rng.random((2, 3)).astype(np.float32)
    s = np.einsum("bmk,bjk->bmj", q.astype(np.float64), k) * 0.5 * np.log2(np.e)
    new_max = np.maximum(mx, s.max(-1))
    p = np.exp2(s - new_max[..., None])
    norm = np.exp2(mx - new_max)
    want = (acc * norm[..., None] + p @ v, new_max, sm * norm + p.sum(-1))
    native, ref = both_vms(ONLINE)
    got = [np.asarray(r) for r in native.invoke("online", [q, k, v, acc, mx, sm])]
    refs = ref.invoke("online", [as_buffer(a) for a in (q, k, v, acc, mx, sm)])
    for results in (got, [np.frombuffer(bytes(r.data), np.float32).reshape(r.shape) for r in refs]):
        for have, expected in zip(results, want):
            np.testing.assert_allclose(have, expected, rtol=2e-5, atol=2e-6)


ERRORS = [
    (attention_program(1, 3, 4, 3, 4).replace("%scale: f32", "%scale: i32").replace(", f32) outs", ", i32) outs"),
     "t.mlir:3:8: error: 'iree_linalg_ext.attention' op query, key, value, scale and output must be floats (a float "
     "scale), query and key of one type"),
    (attention_program(1, 3, 4, 3, 4).replace("-> (d0, d3, d4)>", "-> (d0, d1, d4)>"),
     "t.mlir:3:8: error: 'iree_linalg_ext.attention' op indexing maps must contract query with key and the "
     "scores with value"),
]


@pytest.mark.parametrize("source,message", ERRORS)
def test_errors_are_located(source, message):
    assert compile_error(source) == message


def mixed_program(qt, scale, ot, mask=None):
    """Attention as IREE's torch lowering writes it for narrow types: the
    score region always f32, `scale` a constant of the given type."""
    q, k, v = (tensor(s, qt) for s in ((2, 4, 8), (2, 5, 8), (2, 5, 3)))
    o = tensor((2, 4, 3), ot)
    maps = list(ATTENTION_MAPS)
    params, args, types = f"%q: {q}, %k: {k}, %v: {v}", "%q, %k, %v, %scale", f"{q}, {k}, {v}, {scale}"
    if mask:
        mt = tensor((2, 4, 5), mask)
        maps.append("affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3)>")
        params, args, types = params + f", %mask: {mt}", args + ", %mask", types + f", {mt}"
    maps.append("affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>")
    return (f"func.func @attention({params}) -> {o} {{\n  %scale = arith.constant 0.35 : {scale}\n"
            f"  %init = tensor.empty() : {o}\n"
            f"  %a = iree_linalg_ext.attention <indexing_maps = [{', '.join(maps)}]>\n"
            f"    ins({args} : {types}) outs(%init : {o}) {{\n  ^bb0(%s: f32):\n"
            f"    iree_linalg_ext.yield %s : f32\n  }} -> {o}\n  return %a : {o}\n}}\n")


MIXED = [("f16", "f16", "f16", None), ("f16", "f32", "f16", None), ("f32", "f32", "f16", None),
         ("f16", "f16", "f32", None), ("f16", "f16", "f16", "i1"), ("f16", "f32", "f16", "f16")]


def mixed_inputs(qt, mask):
    rng = np.random.default_rng(12)
    dtype = {"f16": np.float16, "f32": np.float32}[qt]
    arrays = [rng.standard_normal(s).round(2).astype(dtype) for s in ((2, 4, 8), (2, 5, 8), (2, 5, 3))]
    if mask == "i1":
        m = rng.random((2, 4, 5)) < 0.6
        m[..., 0] = True   # no row all masked
        arrays.append(m)
    elif mask:
        arrays.append(rng.standard_normal((2, 4, 5)).round(2).astype(np.float16))
    return arrays


@pytest.mark.parametrize("qt,scale,ot,mask", MIXED)
def test_mixed_precision_within_one_ulp_of_iree(qt, scale, ot, mask, reference_iree, tmp_path):
    """Scores in f32 whatever the output (IREE's online attention), the
    result rounded to the output: within one unit in the last place of an
    f16 output of IREE's (whose exp2 and sums round differently), within
    f16 rounding of the weights for an f32 one; numpy agrees to f16 precision."""
    (tmp_path / "p.mlir").write_text(mixed_program(qt, scale, ot, mask))
    iree_compile(reference_iree, tmp_path / "p.mlir", tmp_path / "t.vmfb")
    arrays = mixed_inputs(qt, mask)
    inputs = []
    for i, a in enumerate(arrays):
        np.save(tmp_path / f"in{i}.npy", a)
        inputs.append(f"--input=@{tmp_path / f'in{i}.npy'}")
    outputs = []
    for cmd in ([reference_iree["iree-run-module"], f"--module={tmp_path / 't.vmfb'}"],
                [*LITE, "run-mlir", str(tmp_path / "p.mlir")]):
        assert run(cmd + inputs + ["--output=@" + str(tmp_path / f"{len(outputs)}.npy")])[0] == 0
        outputs.append(np.load(tmp_path / f"{len(outputs)}.npy"))
    theirs, ours = outputs
    assert ours.dtype == theirs.dtype == {"f16": np.float16, "f32": np.float32}[ot]
    if ot == "f16":
        assert (np.abs(ours.astype(np.float64) - theirs) <= np.spacing(np.abs(theirs))).all()
    else:
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=5e-4)
    q, k, v = (a.astype(np.float64) for a in arrays[:3])
    mk = None if mask is None else arrays[3] if mask == "i1" else arrays[3].astype(np.float64)
    np.testing.assert_allclose(ours, np_attention(q, k, v, 0.35, mk), rtol=0, atol=3e-3)


def test_mixed_precision_same_on_both_vms(both_vms):
    native, ref = both_vms(mixed_program("f16", "f32", "f16", "f16"))
    arrays = mixed_inputs("f16", "f16")
    got = np.asarray(native.invoke("attention", arrays)[0])
    (r,) = ref.invoke("attention", [as_buffer(a) for a in arrays])
    assert bytes(r.data) == got.tobytes() and got.dtype == np.float16


def test_a_narrow_score_region_is_refused_as_by_iree(reference_iree, tmp_path):
    """IREE computes attention's scores in f32: a region over f16 scores
    fails there too (its decomposition makes an ill-typed generic)."""
    source = mixed_program("f16", "f16", "f16").replace("%s: f32", "%s: f16").replace("%s : f32", "%s : f16")
    assert compile_error(source) == "t.mlir:4:8: error: 'iree_linalg_ext.attention' region must take (f32)"
    (tmp_path / "p.mlir").write_text(source)
    proc = subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu",
                           str(tmp_path / "p.mlir"), "-o", str(tmp_path / "p.vmfb")], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 1 and "'linalg.yield' op type of yield operand 1 ('f16') doesn't match" in proc.stderr
