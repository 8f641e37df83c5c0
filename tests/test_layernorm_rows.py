"""A layer norm along the innermost dimension of f32 rows, spelt out as
linalg (as IREE's ONNX importer and iree-lite's own write it), runs as one
buffer.layernorm (passes/rows.py, csrc/rows.pxi): the Cython VM against the
reference interpreter byte for byte, on rows around the lanes and
REDUCE_SEGMENT, on each device; the same bytes as the decomposition it
replaces (the same layer norm along dimension 0 keeps it); forms that must
not match keep the decomposition and stay right; numerics against numpy
and onnxruntime; the op's error in both VMs."""
import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.isa.module import CONST_FLOAT, Constant
from iree_lite.runtime.context import Context
from tool_runs import error_on_both, hand_module, on_both_vms, op_names, row_op_result

DEVICES = [("local-sync", None), ("local-task", 1), ("local-task", 2), ("local-task", 7)]
EDGE = [float("inf"), 0.0, -0.0, 1e30, -1e30, float("nan"), 3e38, -3e38, 1e-40]
EPS = 1e-5


def layernorm_source(shape, dim, element="f32", divisor=None, mean_out=False, affine=False):
    """A layer norm of %x along `dim` in linalg.generic ops, as IREE's ONNX
    importer writes it: mean, centred values, mean of their squares, then
    the centred values times 1 / sqrt(variance + eps); `divisor` in place of
    the row length, the mean also returned (`mean_out`), or the result
    scaled by %g and shifted by %b along the innermost dimension (`affine`)."""
    rank, n = len(shape), shape[dim]
    dims = [f"d{i}" for i in range(rank)]
    kept = [d for i, d in enumerate(dims) if i != dim]
    full = f"affine_map<({', '.join(dims)}) -> ({', '.join(dims)})>"
    rows = f"affine_map<({', '.join(dims)}) -> ({', '.join(kept)})>"
    row_ident = f"affine_map<({', '.join(kept)}) -> ({', '.join(kept)})>"
    t = f"tensor<{'x'.join(map(str, shape))}x{element}>"
    r = f"tensor<{''.join(f'{s}x' for i, s in enumerate(shape) if i != dim)}{element}>"
    parallel = ", ".join(['"parallel"'] * rank)
    reduction = ", ".join('"reduction"' if i == dim else '"parallel"' for i in range(rank))
    kept_parallel = ", ".join(['"parallel"'] * (rank - 1))
    count = f"{float(divisor if divisor is not None else n)!r}"
    e = element

    def generic(maps, iterators, ins, outs, body):
        types = ", ".join(ty for _, ty in ins)
        names = ", ".join(v for v, _ in ins)
        args = ", ".join(f"%a{i}: {e}" for i in range(len(ins) + 1))
        out_v, out_t = outs
        return (f"linalg.generic {{indexing_maps = [{', '.join(maps)}], iterator_types = [{iterators}]}} "
                f"ins({names} : {types}) outs({out_v} : {out_t}) {{\n  ^bb0({args}):\n{body}  }} -> {out_t}\n")
    lines = [f"  %zero = arith.constant 0.0 : {e}", f"  %re = tensor.empty() : {r}", f"  %te = tensor.empty() : {t}",
             f"  %z = linalg.fill ins(%zero : {e}) outs(%re : {r}) -> {r}",
             "  %s = " + generic([full, rows], reduction, [("%x", t)], ("%z", r),
                                 f"    %c = arith.addf %a0, %a1 : {e}\n    linalg.yield %c : {e}\n"),
             "  %mean = " + generic([row_ident, row_ident], kept_parallel, [("%s", r)], ("%re", r),
                                    f"    %n = arith.constant {count} : {e}\n    %c = arith.divf %a0, %n : {e}\n"
                                    f"    linalg.yield %c : {e}\n"),
             "  %d = " + generic([full, rows, full], parallel, [("%x", t), ("%mean", r)], ("%te", t),
                                 f"    %c = arith.subf %a0, %a1 : {e}\n    linalg.yield %c : {e}\n"),
             "  %q = " + generic([full, rows], reduction, [("%d", t)], ("%z", r),
                                 f"    %m = arith.mulf %a0, %a0 : {e}\n    %c = arith.addf %m, %a1 : {e}\n"
                                 f"    linalg.yield %c : {e}\n"),
             "  %rstd = " + generic([row_ident, row_ident], kept_parallel, [("%q", r)], ("%re", r),
                                    f"    %n = arith.constant {count} : {e}\n    %v = arith.divf %a0, %n : {e}\n"
                                    f"    %eps = arith.constant {EPS:.6e} : {e}\n    %w = arith.addf %v, %eps : {e}\n"
                                    f"    %c = math.rsqrt %w : {e}\n    linalg.yield %c : {e}\n"),
             "  %y = " + generic([full, rows, full], parallel, [("%d", t), ("%rstd", r)], ("%te", t),
                                 f"    %c = arith.mulf %a0, %a1 : {e}\n    linalg.yield %c : {e}\n")]
    args, results, returned = [f"%x: {t}"], [t], ["%y"]
    if affine:
        v = f"tensor<{shape[-1]}x{e}>"
        last = f"affine_map<({', '.join(dims)}) -> (d{rank - 1})>"
        args += [f"%g: {v}", f"%b: {v}"]
        lines.append("  %out = " + generic([full, last, last, full], parallel, [("%y", t), ("%g", v), ("%b", v)],
                                           ("%te", t), f"    %m = arith.mulf %a0, %a1 : {e}\n"
                                           f"    %c = arith.addf %m, %a2 : {e}\n    linalg.yield %c : {e}\n"))
        returned = ["%out"]
    if mean_out:
        results, returned = results + [r], returned + ["%mean"]
    return (f"func.func @f({', '.join(args)}) -> ({', '.join(results)}) {{\n" + "\n".join(lines) +
            f"  return {', '.join(returned)} : {', '.join(results)}\n}}\n")


def rows_of(shape, seed):
    """Random rows around an offset (so the mean matters), with special values in the first rows."""
    x = (np.random.default_rng(seed).standard_normal(shape) * 3 + 5).astype(np.float32)
    flat = x.reshape(-1, shape[-1]) if x.size else x
    for r in range(min(len(flat), 3)):
        edge = EDGE[3 * r:][:shape[-1]]
        flat[r, :len(edge)] = edge
    if len(flat) > 3 and shape[-1]:
        flat[3] = 7.0   # a constant row: variance 0, 1 / sqrt(eps)
    return x


def run(source, device, workers, arrays):
    ctx = Context(device, workers)
    module = compile_module(source, "l.mlir")
    ctx.load(module)
    return module, [np.asarray(v) for v in ctx.invoke("f", arrays)]


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("shape", [(1, 17), (7, 256), (9, 257), (2, 3, 129), (3, isa.REDUCE_SEGMENT + 3),
                                   (1, 521, 129)], ids=str)
def test_layernorm_rows_match_the_reference_and_the_decomposition(shape, device, workers):
    x = rows_of(shape, sum(shape))
    have, decomposed = row_op_result(layernorm_source, "buffer.layernorm", x, device, workers)
    assert "buffer.reduce" in op_names(decomposed)
    finite = np.isfinite(x).all(axis=-1) & (np.abs(x).max(axis=-1) < 1e18)
    want = x[finite].astype(np.float64) - x[finite].mean(axis=-1, keepdims=True)
    want /= np.sqrt((want * want).mean(axis=-1, keepdims=True) + EPS)
    np.testing.assert_allclose(have[finite], want, rtol=1e-3, atol=1e-3)   # f32 sums of up to 16k elements


def layernorm_module(t, eps=EPS):
    """f(x) = buffer.layernorm of x, of type t: the op alone, at any row length."""
    return hand_module([("const.f", {"dst": 0, "value": 0}), ("buffer.layernorm", {"dst": 1, "src": 0, "eps": 0}),
                        ("ret", {"args_i": [], "args_f": [], "args_r": [1]})],
                       ((t,), (t,)), (0, 1, 2), [Constant(CONST_FLOAT, value=eps)])


LANES = 8   # csrc/rows.pxi's ROW_LANES


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("rows", [0, 1, 7, 9, 301])
@pytest.mark.parametrize("n", [0, 1, LANES - 1, LANES + 1, 256, isa.REDUCE_SEGMENT + 3])
def test_the_op_matches_the_reference_at_every_row_length(n, rows, device, workers):
    if rows * n > 1 << 20:
        rows = 9   # long rows: enough for the lanes and the workers, in the reference's time
    on_both_vms(layernorm_module(f"tensor<{rows}x{n}xf32>"), [rows_of((rows, n), rows + n)], device, workers)


def test_the_epsilon_is_the_register_rounded_to_f32():
    x = rows_of((3, 40), 5)
    x[1] = 2.0   # variance 0: the row is 0 * rsqrt(f32(0.1))
    on_both_vms(layernorm_module("tensor<3x40xf32>", eps=0.1), [x])   # eps not an f32: the op adds f32(0.1)


@pytest.mark.parametrize("kind", ["mean used", "divisor", "f64", "dimension 0"])
def test_forms_that_do_not_match_keep_the_decomposition(kind):
    shape = (5, 64)
    options = {"mean used": {"mean_out": True}, "divisor": {"divisor": 63}, "f64": {"element": "f64"}}.get(kind, {})
    x = (np.random.default_rng(11).standard_normal(shape) * 3 + 5).astype(np.float64 if kind == "f64" else np.float32)
    dim = 0 if kind == "dimension 0" else 1
    arg = np.ascontiguousarray(x.T) if dim == 0 else x
    module, results = run(layernorm_source(arg.shape, dim, **options), "local-task", 2, [arg])
    assert "buffer.layernorm" not in op_names(module) and "buffer.reduce" in op_names(module)
    have = results[0].T if dim == 0 else results[0]
    divisor = options.get("divisor", shape[1])
    mean = x.astype(np.float64).sum(axis=1, keepdims=True) / divisor
    d = x - mean
    np.testing.assert_allclose(have, d / np.sqrt((d * d).sum(axis=1, keepdims=True) / divisor + EPS), rtol=1e-4,
                               atol=1e-4)
    if kind == "mean used":
        np.testing.assert_allclose(results[1], mean[:, 0], rtol=1e-6)


def test_an_encoder_layer_norm_against_numpy():
    shape = (1, 128, 256)   # a BERT encoder's hidden states, scaled and shifted after
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(shape) * 2 + 1).astype(np.float32)
    g, b = (rng.standard_normal(256).astype(np.float32) for _ in range(2))
    module, (have,) = run(layernorm_source(shape, 2, affine=True), "local-task", 2, [x, g, b])
    assert op_names(module).count("buffer.layernorm") == 1 and "buffer.reduce" not in op_names(module)
    d = x.astype(np.float64) - x.mean(axis=-1, keepdims=True, dtype=np.float64)
    want = d / np.sqrt((d * d).mean(axis=-1, keepdims=True) + EPS) * g + b
    np.testing.assert_allclose(have, want, rtol=1e-5, atol=1e-5)


def test_an_onnx_layer_normalization_matches_onnxruntime():
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper
    from iree_lite.onnx import import_model
    rng = np.random.default_rng(4)
    x = (rng.standard_normal((2, 5, 96)) * 3 + 1).astype(np.float32)
    g, b = (rng.standard_normal(96).astype(np.float32) for _ in range(2))
    graph = helper.make_graph(
        [helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], axis=-1, epsilon=1e-5)], "ln",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, x.shape)],
        [numpy_helper.from_array(g, "g"), numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    module = compile_module(import_model(model), "ln.mlir")
    assert op_names(module).count("buffer.layernorm") == 1 and "buffer.reduce" not in op_names(module)
    ctx = Context("local-task", 2)
    ctx.load(module)
    (have,) = ctx.invoke("ln", [x])
    (want,) = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    np.testing.assert_allclose(np.asarray(have), want, rtol=1e-5, atol=1e-5)


def test_layernorm_of_a_non_f32_buffer_fails_alike_in_both_vms():
    assert error_on_both(layernorm_module("tensor<4xi32>"), [np.arange(4, dtype=np.int32)]) == (
        "INVALID_ARGUMENT", "layernorm of a value that is not an f32 buffer of rank 1 or more")
