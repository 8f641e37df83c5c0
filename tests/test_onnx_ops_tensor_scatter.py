"""TensorScatter (opset 24) against onnxruntime: linear and circular
writes along any sequence axis, with and without write indices, and its
errors. Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, declared_model, node

from iree_lite.onnx import OnnxImportError, import_model

RNG = np.random.default_rng(47)


@pytest.mark.parametrize("shape,axis,rows", [((2, 3, 8, 4), -2, 3), ((2, 8, 5), 1, 2), ((3, 2, 4, 6), 3, 1),
                                             ((2, 6), 1, 6)])
@pytest.mark.parametrize("mode", ["linear", "circular"])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.float16])
def test_tensor_scatter(shape, axis, rows, mode, dtype):
    length = shape[axis]
    past = (RNG.standard_normal(shape) * 9).astype(dtype)
    update_shape = list(shape)
    update_shape[axis] = rows
    update = (RNG.standard_normal(update_shape) * 9).astype(dtype)
    top = length if mode == "circular" else length - rows + 1
    writes = RNG.integers(0, top, shape[0]).astype(np.int64)
    check([node("TensorScatter", ["past", "update", "w"], axis=axis, mode=mode)],
          {"past": past, "update": update, "w": writes}, opset=24)


def test_tensor_scatter_without_write_indices():
    check([node("TensorScatter", ["past", "update"])],
          {"past": RNG.standard_normal((2, 2, 6, 3)).astype(np.float32),
           "update": RNG.standard_normal((2, 2, 4, 3)).astype(np.float32)}, opset=24)


def test_tensor_scatter_errors():
    model = declared_model(node("TensorScatter", ["past", "update"], mode="ring"),
                           {"past": (np.float32, [2, 6, 3]), "update": (np.float32, [2, 2, 3])},
                           {"y": (np.float32, [2, 6, 3])}, opset=24)
    with pytest.raises(OnnxImportError) as info:
        import_model(model)
    assert str(info.value) == "node 'y' (TensorScatter, opset 24): mode 'ring' is not supported (linear or circular is)"
