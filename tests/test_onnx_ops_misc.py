"""Small ONNX converters against onnxruntime on random inputs: BitwiseNot,
EyeLike, InstanceNormalization, GroupNormalization, HannWindow,
HammingWindow, BlackmanWindow; and their errors. Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, declared_model, import_error, node

RNG = np.random.default_rng(13)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64])
def test_bitwise_not(dtype):
    info = np.iinfo(dtype)
    x = RNG.integers(info.min, info.max, (3, 4, 5), dtype=dtype, endpoint=True)
    x.reshape(-1)[:2] = [info.min, info.max]
    check([node("BitwiseNot", ["x"])], {"x": x}, opset=18)


def test_bitwise_not_of_floats_is_an_import_error():
    assert import_error([node("BitwiseNot", ["x"])], {"x": np.ones((2, 3), np.float32)}, opset=18) == \
        "node 'y' (BitwiseNot, opset 18): element type float32 is not supported"


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (5, 5), (1, 3)])
@pytest.mark.parametrize("k", [0, 2, -1, -5, 7])
def test_eye_like(shape, k):
    check([node("EyeLike", ["x"], k=k)], {"x": RNG.standard_normal(shape).astype(np.float32)}, opset=9)


@pytest.mark.parametrize("dtype,code", [(np.int32, 6), (np.float64, 11), (np.int64, 7)])
def test_eye_like_with_dtype(dtype, code):
    check([node("EyeLike", ["x"], k=1, dtype=code)], {"x": RNG.integers(0, 9, (3, 4)).astype(np.int32)}, opset=9)


def test_eye_like_of_an_unsupported_dtype_is_an_import_error():
    assert import_error([node("EyeLike", ["x"], dtype=8)], {"x": np.ones((2, 3), np.float32)}, opset=9) == \
        "node 'y' (EyeLike, opset 9): dtype STRING is not supported"


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 4, 5), (1, 2, 2, 3, 2)])
def test_instance_normalization(shape):
    c = shape[1]
    check([node("InstanceNormalization", ["x", "scale", "bias"], epsilon=1e-3)],
          {"x": rand(*shape) * 3 + 1, "scale": rand(c), "bias": rand(c)}, opset=6, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("opset", [18, 21])
@pytest.mark.parametrize("shape,groups", [((2, 6, 4), 3), ((2, 4, 3, 3), 2), ((1, 4, 5), 4), ((3, 2, 2, 2), 1)])
def test_group_normalization(opset, shape, groups):
    params = shape[1] if opset >= 21 else groups   # per channel from opset 21, per group before
    # onnxruntime lacks GroupNormalization: onnx's reference evaluator is the oracle
    check([node("GroupNormalization", ["x", "scale", "bias"], num_groups=groups, epsilon=1e-4)],
          {"x": rand(*shape) * 2 - 1, "scale": rand(params), "bias": rand(params)}, opset=opset,
          oracle="reference", rtol=1e-4, atol=1e-5)


def test_normalization_errors():
    assert import_error([node("GroupNormalization", ["x", "scale", "bias"], num_groups=4)],
                        {"x": rand(2, 6, 3), "scale": rand(6), "bias": rand(6)}, opset=21) == \
        ("node 'y' (GroupNormalization, opset 21): num_groups 4 does not divide the channels of an input of shape "
         "[2, 6, 3]")
    assert import_error([node("InstanceNormalization", ["x", "scale", "bias"])],
                        {"x": rand(2, 3, 4), "scale": rand(2), "bias": rand(3)}, opset=6) == \
        "node 'y' (InstanceNormalization, opset 6): scale and bias of shape [3] are needed"


WINDOWS = ["HannWindow", "HammingWindow", "BlackmanWindow"]


def window_model(op, size=12, periodic=0, dtype=np.float32):
    """The window's size a graph input (a constant one folds at import), the
    output declared `size` long."""
    from onnx import helper
    return declared_model(node(op, ["size"], periodic=periodic,
                               output_datatype=helper.np_dtype_to_tensor_dtype(np.dtype(dtype))),
                          {"size": (np.int32, ())}, {"y": (dtype, (size,))}, 17)


@pytest.mark.parametrize("op", WINDOWS)
@pytest.mark.parametrize("periodic", [1, 0])
@pytest.mark.parametrize("size,dtype", [(1, np.float32), (2, np.float32), (17, np.float32), (64, np.float64)])
def test_windows_of_a_run_time_size_against_onnxruntime(op, periodic, size, dtype):
    from onnx_op_models import assert_same, expected

    from iree_lite.onnx import load
    model = window_model(op, size, periodic, dtype)
    feeds = {"size": np.array(size, np.int32)}
    assert_same(load(model, device="local-sync")(feeds)["y"], expected(model, feeds)[0], 1e-6, 1e-7)


def test_window_run_time_size_other_than_declared_fails_the_call():
    import re

    from iree_lite.onnx import load
    from iree_lite.vm.errors import VMError
    run = load(window_model("HannWindow"), device="local-sync")
    message = "node 'y' (HannWindow, opset 17): the size operand is not the declared 12"
    with pytest.raises(VMError, match=r"^FAILED_PRECONDITION; <onnx>:\d+:\d+: " + re.escape(message) + "$"):
        run({"size": np.array(11, np.int32)})


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("axis", [0, -1])
def test_lp_normalization_of_a_zero_vector_is_zero(p, axis):
    x = rand(3, 4)
    x[:, 1] = 0
    x[2, :] = 0
    check([node("LpNormalization", ["x"], p=p, axis=axis)], {"x": x}, opset=22)
