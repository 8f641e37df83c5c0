"""Attention's opset-24/25 forms against onnxruntime: sliding windows (with
causal masking, a past cache, grouped heads), nonpad_kv_seqlen (a padded
key cache), a mask shorter than the keys, and f16 computed in f32; and
their errors. Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, declared_model, node

from iree_lite.onnx import OnnxImportError, import_model

RNG = np.random.default_rng(43)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def qkv(batch=2, heads=4, kv_heads=2, sq=5, skv=7, dim=8, dtype=np.float32):
    return {"q": rand(batch, heads, sq, dim, dtype=dtype), "k": rand(batch, kv_heads, skv, dim, dtype=dtype),
            "v": rand(batch, kv_heads, skv, dim, dtype=dtype)}


@pytest.mark.parametrize("left,right", [(2, -1), (-1, 1), (0, 0), (3, 2), (1, 5)])
@pytest.mark.parametrize("causal", [0, 1])
def test_attention_sliding_window(left, right, causal):
    check([node("Attention", ["q", "k", "v"], left_window_size=left, right_window_size=right, is_causal=causal)],
          qkv(), opset=25, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("left,right", [(2, -1), (1, 1)])
def test_attention_sliding_window_with_past_and_mask(left, right):
    feeds = {**qkv(sq=3, skv=3), "mask": RNG.integers(0, 2, (3, 7)).astype(np.bool_),
             "past_k": rand(2, 2, 4, 8), "past_v": rand(2, 2, 4, 8)}
    check([node("Attention", ["q", "k", "v", "mask", "past_k", "past_v"], ["y", "pk", "pv"],
                left_window_size=left, right_window_size=right, is_causal=1)], feeds, ["y", "pk", "pv"],
          opset=25, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("lengths", [[7, 4], [5, 0], [2, 6]])
@pytest.mark.parametrize("causal,left", [(0, -1), (1, -1), (1, 2)])
def test_attention_nonpad_kv_seqlen(lengths, causal, left):
    feeds = {**qkv(sq=2), "mask": rand(2, 7), "lengths": np.array(lengths, np.int64)}
    check([node("Attention", ["q", "k", "v", "mask", "", "", "lengths"], is_causal=causal, left_window_size=left)],
          feeds, opset=25, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.bool_, np.float32])
def test_attention_mask_shorter_than_the_keys(dtype):
    mask = RNG.integers(0, 2, (4, 5, 5)).astype(np.bool_) if dtype == np.bool_ else rand(4, 5, 5)
    # onnxruntime refuses the short mask: onnx's reference evaluator (which pads it) is the oracle
    check([node("Attention", ["q", "k", "v", "mask"])], {**qkv(), "mask": mask}, opset=24, oracle="reference",
          rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("causal", [0, 1])
def test_attention_f16_rounds_once(causal):
    feeds = {**qkv(dtype=np.float16), "mask": rand(5, 7, dtype=np.float16)}
    check([node("Attention", ["q", "k", "v", "mask"], is_causal=causal)], feeds, opset=24, rtol=1e-3, atol=1e-3)


def error(feeds, names, **attrs):
    model = declared_model(node("Attention", names, **attrs), {n: (a.dtype, a.shape) for n, a in feeds.items()},
                           {"y": (np.float32, None)}, opset=25)
    with pytest.raises(OnnxImportError) as info:
        import_model(model)
    return str(info.value)


def test_attention_errors_are_one_line():
    """onnx's shape inference, which the importer runs, names these."""
    prefix = "shape inference failed: [ShapeInferenceError] Inference error(s): (op_type:Attention): "
    feeds = {**qkv(), "past_k": rand(2, 2, 4, 8), "past_v": rand(2, 2, 4, 8), "lengths": np.array([3, 4], np.int64)}
    assert error(feeds, ["q", "k", "v", "", "past_k", "past_v", "lengths"]) == \
        prefix + "[ShapeInferenceError] nonpad_kv_seqlen cannot be combined with past or present cache tensors."
    assert error(qkv(), ["q", "k", "v"], left_window_size=-3) == \
        prefix + "[ShapeInferenceError] left_window_size must be -1 or nonnegative, got -3"
