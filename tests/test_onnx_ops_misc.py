"""Small ONNX converters against onnxruntime on random inputs: BitwiseNot;
and their errors. Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, import_error, node

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
