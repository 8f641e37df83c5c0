"""The ONNX importer's quantization ops against onnxruntime on random
inputs (rounding half to even, saturation, per tensor / per axis / blocked):
QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
ConvInteger, QLinearMatMul, QLinearConv; their errors; and one model of
them through the real IREE. Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, check_on_real_iree, import_error, node

RNG = np.random.default_rng(3)


def rand(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def ints(dtype, *shape):
    info = np.iinfo(dtype)
    return RNG.integers(info.min, int(info.max) + 1, shape).astype(dtype)


QUANTIZED = [np.uint8, np.int8, np.uint16, np.int16]


@pytest.mark.parametrize("dtype", QUANTIZED)
def test_quantize_per_tensor_rounds_half_to_even_and_saturates(dtype):
    x = np.concatenate([np.arange(-6, 6.5, 0.5), [1e9, -1e9, 70000.5, -70000.5, 2.5, 3.5]]).astype(np.float32)
    x = np.concatenate([x, rand(40, scale=300)]).astype(np.float32)
    check([node("QuantizeLinear", ["x", "s", "z"])], {"x": x},
          weights={"s": np.array(0.5, np.float32), "z": np.array(np.iinfo(dtype).max // 3, dtype)}, opset=21)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16])
def test_quantize_and_dequantize_per_axis(dtype):
    x = rand(2, 3, 4, scale=50)
    scale = np.array([0.5, 0.25, 2.0], np.float32)
    zero = ints(dtype, 3) // 4
    check([node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=1), node("DequantizeLinear", ["q", "s", "z"], ["y"],
                                                                         axis=1)],
          {"x": x}, ["q", "y"], weights={"s": scale, "z": zero}, opset=21)


@pytest.mark.parametrize("block,axis", [(2, 1), (3, 1), (4, 0)])
def test_quantize_and_dequantize_blocked(block, axis):
    x = rand(6, 7, scale=40)
    blocks = [-(-d // block) if i == axis else d for i, d in enumerate(x.shape)]
    scale = (RNG.random(blocks) + 0.1).astype(np.float32)
    zero = ints(np.int8, *blocks) // 4
    # onnxruntime has no blocked QuantizeLinear on CPU: onnx's reference evaluator is the oracle
    check([node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=axis, block_size=block),
           node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=axis, block_size=block)],
          {"x": x}, ["q", "y"], weights={"s": scale, "z": zero}, opset=21, oracle="reference")


@pytest.mark.parametrize("dtype", QUANTIZED + [np.int32])
def test_dequantize_per_tensor(dtype):
    x = ints(dtype, 3, 5) // (1 << 16 if dtype == np.int32 else 1)   # x - zero fits int32 (onnxruntime wraps)
    zero = np.array(np.iinfo(dtype).max // 5, dtype)
    check([node("DequantizeLinear", ["x", "s", "z"])], {"x": x}, weights={"s": np.array(0.037, np.float32), "z": zero},
          opset=21)


def test_quantize_float16_divides_in_float16():
    # as ONNX specifies (and its reference computes); onnxruntime divides in float32
    x = rand(4, 5, scale=10).astype(np.float16)
    check([node("QuantizeLinear", ["x", "s"])], {"x": x}, weights={"s": np.array(0.1, np.float16)}, opset=21,
          oracle="reference")


@pytest.mark.parametrize("x", [rand(3, 7, scale=5), np.abs(rand(4, 4)) + 1, -np.abs(rand(5)) - 1])
def test_dynamic_quantize(x):
    check([node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"])], {"x": x}, ["y", "s", "z"], opset=11)


def test_dynamic_quantize_of_zeros_has_the_reference_scale():
    # ONNX's reference (and conformance cases) take 1/255 where max = min = 0; onnxruntime takes 1
    check([node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"])], {"x": np.zeros((2, 3), np.float32)},
          ["y", "s", "z"], opset=11, oracle="reference")


@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
def test_matmul_integer(dtype):
    a, b = ints(dtype, 2, 4, 6), ints(dtype, 6, 3)
    check([node("MatMulInteger", ["a", "b", "za", "zb"])], {"a": a, "b": b},
          weights={"za": ints(dtype), "zb": ints(dtype)}, opset=10)


def test_matmul_integer_with_per_row_and_per_column_zero_points():
    # as ONNX specifies them; neither onnxruntime nor onnx's reference has per-row ones
    from onnx_op_models import model_of

    from iree_lite.onnx import load
    a, b, za, zb = ints(np.uint8, 4, 6), ints(np.uint8, 6, 3), ints(np.uint8, 4), ints(np.uint8, 3)
    model = model_of([node("MatMulInteger", ["a", "b", "za", "zb"])], {"a": a, "b": b}, ["y"],
                     {"za": za, "zb": zb}, opset=10)
    want = (a.astype(np.int32) - za[:, None]) @ (b.astype(np.int32) - zb)
    np.testing.assert_array_equal(load(model, device="local-sync")({"a": a, "b": b})["y"], want)


def test_conv_integer_pads_with_the_zero_point():
    x, w = ints(np.uint8, 1, 2, 5, 5), ints(np.uint8, 3, 2, 3, 3)
    check([node("ConvInteger", ["x", "w", "zx", "zw"], pads=[1, 1, 1, 1], strides=[2, 1])], {"x": x, "w": w},
          weights={"zx": np.array(100, np.uint8), "zw": np.array(7, np.uint8)}, opset=10)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
@pytest.mark.parametrize("scale_type", [np.float32, np.float16])
def test_qlinear_matmul(dtype, scale_type):
    a, b = ints(dtype, 2, 3, 5), ints(dtype, 5, 4)
    weights = {"sa": np.array(0.02, scale_type), "za": ints(dtype), "sb": np.array(0.05, scale_type),
               "zb": ints(dtype), "sy": np.array(0.3, scale_type), "zy": ints(dtype)}
    check([node("QLinearMatMul", ["a", "sa", "za", "b", "sb", "zb", "sy", "zy"])], {"a": a, "b": b},
          weights=weights, opset=21)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
def test_qlinear_conv_per_channel_with_bias(dtype):
    x, w = ints(dtype, 1, 3, 6, 6), ints(np.int8, 4, 3, 3, 3)
    weights = {"sx": np.array(0.02, np.float32), "zx": ints(dtype), "sw": (RNG.random(4) * 0.05).astype(np.float32),
               "zw": np.zeros(4, np.int8), "sy": np.array(0.7, np.float32), "zy": ints(dtype),
               "b": RNG.integers(-500, 500, 4).astype(np.int32)}
    # ONNX's reference evaluator, not onnxruntime: on x86 without VNNI, onnxruntime's u8 x s8 kernels
    # saturate pairs of products to int16 (vpmaddubsw), so its outputs are off by a few steps there.
    check([node("QLinearConv", ["x", "sx", "zx", "w", "sw", "zw", "sy", "zy", "b"], pads=[1, 0, 1, 0])],
          {"x": x, "w": w},
          weights=weights, opset=10, oracle="reference")


def test_errors_name_the_node_and_the_problem():
    from onnx import TensorProto
    x = {"x": rand(3, 4)}
    assert import_error([node("QuantizeLinear", ["x", "s"], output_dtype=TensorProto.INT32)], x,
                        weights={"s": np.array(0.5, np.float32)}, opset=21) == \
        "node 'y' (QuantizeLinear, opset 21): quantized type int32 is not supported (uint8, int8, uint16 and int16 are)"
    assert import_error([node("QuantizeLinear", ["x", "s"], axis=1, block_size=3)], x,
                        weights={"s": np.ones((3, 1), np.float32)}, opset=21) == \
        ("node 'y' (QuantizeLinear, opset 21): y_scale [3, 1] must have shape [3, 2] for blocks of 3 along axis 1 "
         "of [3, 4]")
    assert import_error([node("DequantizeLinear", ["q", "s"], axis=1)], {"q": ints(np.uint8, 3, 4)},
                        weights={"s": np.ones(3, np.float32)}, opset=21) == \
        "node 'y' (DequantizeLinear, opset 21): x_scale [3] must have one element or 4 (axis 1 of [3, 4])"
    assert import_error([node("MatMulInteger", ["a", "b"])], {"a": ints(np.int16, 2, 3), "b": ints(np.int16, 3, 2)},
                        opset=10) == \
        "node 'y' (MatMulInteger, opset 10): A of type int16 is not supported (uint8 and int8 are)"


def test_real_iree_runs_them(tmp_path, reference_iree):
    x = rand(2, 3, 4, scale=20)
    nodes = [node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=1), node("DequantizeLinear", ["q", "s", "z"], ["d"],
                                                                          axis=1),
             node("DynamicQuantizeLinear", ["x"], ["dq", "ds", "dz"]),
             node("MatMulInteger", ["q", "qw", "z0", "z1"], ["mm"]),
             node("QLinearMatMul", ["q", "s0", "z0", "qw", "s1", "z1", "s0", "z0"], ["qm"]),
             node("ConvInteger", ["cq", "cw", "z0"], ["ci"], pads=[1, 1, 1, 1]),
             node("QLinearConv", ["cq", "s0", "z0", "cw", "s1", "z1", "s0", "z0"], ["qc"])]
    weights = {"s": np.array([0.5, 0.25, 0.125], np.float32), "z": np.array([-3, 0, 7], np.int8),
               "qw": ints(np.int8, 4, 5), "z0": np.array(2, np.int8), "z1": np.array(-1, np.int8),
               "s0": np.array(0.1, np.float32), "s1": np.array(0.03, np.float32), "cw": ints(np.int8, 2, 3, 2, 2)}
    check_on_real_iree(tmp_path, reference_iree, nodes, {"x": x, "cq": ints(np.int8, 1, 3, 4, 4)},
                       ["q", "d", "dq", "ds", "dz", "mm", "qm", "ci", "qc"], weights=weights, opset=21)
