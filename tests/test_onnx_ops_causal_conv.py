"""CausalConvWithState (opset 27) against onnxruntime: with and without the
past state and bias, SiLU, f16 (accumulated in f32), and its errors. Skips
without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, check_on_real_iree, declared_model, node

from iree_lite.onnx import OnnxImportError, import_model

RNG = np.random.default_rng(37)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("batch,channels,length,k", [(2, 3, 7, 4), (1, 5, 1, 3), (3, 2, 2, 5), (2, 4, 6, 1)])
@pytest.mark.parametrize("past,bias", [(False, False), (True, False), (True, True), (False, True)])
@pytest.mark.parametrize("activation", ["none", "silu"])
def test_causal_conv_with_state(batch, channels, length, k, past, bias, activation):
    inputs = {"x": rand(batch, channels, length), "w": rand(channels, 1, k)}
    names = ["x", "w", "b" if bias else "", "s" if past else ""]
    if bias:
        inputs["b"] = rand(channels)
    if past:
        inputs["s"] = rand(batch, channels, k - 1)
    check([node("CausalConvWithState", names, ["y", "state"], activation=activation)], inputs, ["y", "state"],
          opset=27, rtol=1e-5, atol=1e-5)


def test_causal_conv_with_state_f16():
    inputs = {"x": rand(2, 4, 9, dtype=np.float16), "w": rand(4, 1, 4, dtype=np.float16),
              "b": rand(4, dtype=np.float16), "s": rand(2, 4, 3, dtype=np.float16)}
    check([node("CausalConvWithState", ["x", "w", "b", "s"], ["y", "state"], activation="swish")], inputs,
          ["y", "state"], opset=27, rtol=2e-3, atol=2e-3)


def test_causal_conv_with_state_errors_are_one_line():
    """onnx's shape inference, which the importer runs, rejects these before the converter sees them."""
    def error(inputs, **attrs):
        model = declared_model(node("CausalConvWithState", list(inputs), ["y", "state"], **attrs),
                               {n: (np.float32, shape) for n, shape in inputs.items()},
                               {"y": (np.float32, None), "state": (np.float32, None)}, opset=27)
        with pytest.raises(OnnxImportError) as info:
            import_model(model)
        return str(info.value)
    assert error({"x": [2, 3, 5], "w": [3, 1, 2]}, activation="gelu") == \
        ("shape inference failed: [ShapeInferenceError] Inference error(s): (op_type:CausalConvWithState): "
         "[ShapeInferenceError] CausalConvWithState: unsupported activation value 'gelu'. Supported values are "
         "'none', 'silu', and 'swish'.")
    assert "Input 1 expected to have rank 3 but has rank 2" in error({"x": [2, 3, 5], "w": [3, 2]})


def test_real_iree_runs_it(tmp_path, reference_iree):
    inputs = {"x": rand(2, 3, 5), "w": rand(3, 1, 3), "b": rand(3), "s": rand(2, 3, 2)}
    check_on_real_iree(tmp_path, reference_iree, [node("CausalConvWithState", ["x", "w", "b", "s"], ["y", "state"],
                                                       activation="silu")], inputs, ["y", "state"], opset=27)
