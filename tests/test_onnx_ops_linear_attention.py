"""LinearAttention (opset 27) against onnxruntime: each update rule, with
and without past state, grouped heads, per-head and per-key decay, a shared
beta, f16, and its errors. Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, check_on_real_iree, declared_model, node

from iree_lite.onnx import OnnxImportError, import_model

RNG = np.random.default_rng(41)


def rand(*shape, dtype=np.float32, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(dtype)


def inputs_for(rule, batch=2, tokens=5, q_heads=4, kv_heads=2, dk=3, dv=4, past=True, per_key=False,
               shared_beta=False, dtype=np.float32):
    feeds = {"q": rand(batch, tokens, q_heads * dk, dtype=dtype), "k": rand(batch, tokens, kv_heads * dk, dtype=dtype,
                                                                             scale=0.5),
             "v": rand(batch, tokens, kv_heads * dv, dtype=dtype)}
    names = ["q", "k", "v", "", "", ""]
    if past:
        feeds["s"] = rand(batch, kv_heads, dk, dv, dtype=dtype)
        names[3] = "s"
    if rule in ("gated", "gated_delta"):
        feeds["g"] = -np.abs(rand(batch, tokens, kv_heads * dk if per_key else kv_heads, dtype=dtype))
        names[4] = "g"
    if rule in ("delta", "gated_delta"):
        feeds["beta"] = RNG.uniform(0.1, 0.9, (batch, tokens, 1 if shared_beta else kv_heads)).astype(dtype)
        names[5] = "beta"
    while names[-1] == "":
        names.pop()
    return feeds, names


@pytest.mark.parametrize("rule", ["linear", "gated", "delta", "gated_delta"])
@pytest.mark.parametrize("past", [False, True])
@pytest.mark.parametrize("q_heads,kv_heads", [(2, 2), (4, 2), (3, 1)])
def test_linear_attention(rule, past, q_heads, kv_heads):
    feeds, names = inputs_for(rule, q_heads=q_heads, kv_heads=kv_heads, past=past)
    check([node("LinearAttention", names, ["y", "state"], update_rule=rule, q_num_heads=q_heads,
                kv_num_heads=kv_heads)], feeds, ["y", "state"], opset=27, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("per_key,shared_beta,scale", [(True, False, 0.0), (False, True, 0.25), (True, True, 2.0)])
def test_linear_attention_options(per_key, shared_beta, scale):
    feeds, names = inputs_for("gated_delta", tokens=3, per_key=per_key, shared_beta=shared_beta)
    check([node("LinearAttention", names, ["y", "state"], q_num_heads=4, kv_num_heads=2, scale=scale,
                chunk_size=2)], feeds, ["y", "state"], opset=27, rtol=1e-4, atol=1e-5)


def test_linear_attention_f16():
    feeds, names = inputs_for("gated_delta", tokens=4, dtype=np.float16)
    check([node("LinearAttention", names, ["y", "state"], q_num_heads=4, kv_num_heads=2)], feeds, ["y", "state"],
          opset=27, rtol=2e-3, atol=2e-3)


def error(feeds, names, **attrs):
    model = declared_model(node("LinearAttention", names, ["y", "state"], **attrs),
                           {n: (a.dtype, a.shape) for n, a in feeds.items()},
                           {"y": (np.float32, None), "state": (np.float32, None)}, opset=27)
    with pytest.raises(OnnxImportError) as info:
        import_model(model)
    return str(info.value)


def test_linear_attention_errors_are_one_line():
    """onnx's shape inference, which the importer runs, names these before the converter sees them."""
    feeds, names = inputs_for("linear", tokens=2)
    prefix = "shape inference failed: [ShapeInferenceError] Inference error(s): (op_type:LinearAttention): "
    assert error(feeds, names, update_rule="linear", q_num_heads=4, kv_num_heads=3) == \
        prefix + "[TypeInferenceError] q_num_heads (4) must be a multiple of kv_num_heads (3)"
    assert error(feeds, names, update_rule="gated", q_num_heads=4, kv_num_heads=2) == \
        prefix + "[TypeInferenceError] update_rule 'gated' requires decay input"


def test_real_iree_runs_it(tmp_path, reference_iree):
    feeds, names = inputs_for("gated_delta", tokens=3)
    check_on_real_iree(tmp_path, reference_iree, [node("LinearAttention", names, ["y", "state"], q_num_heads=4,
                                                       kv_num_heads=2)], feeds, ["y", "state"], opset=27)
