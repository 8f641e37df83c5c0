"""BitCast (opset 26), Shrink and Cast from bool to a byte against onnxruntime,
Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, declared_model, import_error, node

from iree_lite.onnx import OnnxImportError, import_model

RNG = np.random.default_rng(31)
PAIRS = [(np.float32, np.int32), (np.float32, np.uint32), (np.int32, np.float32), (np.float64, np.int64),
         (np.uint64, np.float64), (np.float16, np.int16), (np.uint16, np.float16), (np.int8, np.uint8),
         (np.uint8, np.int8), (np.int16, np.uint16), (np.int64, np.uint64)]


@pytest.mark.parametrize("src,dst", PAIRS)
def test_bitcast(src, dst):
    from onnx import helper
    bits = RNG.integers(0, 256, (3, 4 * np.dtype(src).itemsize), dtype=np.uint8)
    x = bits.view(src)
    if x.dtype.kind == "f":
        x[np.isnan(x)] = 1.5   # onnxruntime may canonicalize NaN payloads; keep the bits comparable
    x.reshape(-1)[:2] = np.array([0, 1]).astype(src)
    check([node("BitCast", ["x"], to=helper.np_dtype_to_tensor_dtype(np.dtype(dst)))], {"x": x}, opset=26)


@pytest.mark.parametrize("dst", [np.uint8, np.int8])
def test_bitcast_of_bool(dst):
    from onnx import helper
    x = RNG.integers(0, 2, (3, 5)).astype(np.bool_)
    # onnxruntime lacks BitCast from bool: onnx's reference evaluator is the oracle
    check([node("BitCast", ["x"], to=helper.np_dtype_to_tensor_dtype(np.dtype(dst)))], {"x": x}, opset=26,
          oracle="reference")


def test_bitcast_of_a_constant_folds():
    from onnx import helper
    c = np.array([1.0, -2.5, np.inf], np.float32)
    check([node("BitCast", ["c"], ["b"], to=helper.np_dtype_to_tensor_dtype(np.dtype(np.int32))),
           node("Add", ["b", "x"])], {"x": np.array([1, 2, 3], np.int32)}, weights={"c": c}, opset=26)


def test_bitcast_to_another_width_is_a_one_line_import_error():
    # the importer's shape inference names the problem
    model = declared_model(node("BitCast", ["x"], to=7), {"x": (np.float32, [2, 3])}, {"y": (np.int64, [2, 3])},
                           opset=26)
    with pytest.raises(OnnxImportError) as info:
        import_model(model)
    assert str(info.value).startswith("shape inference failed: ")
    assert "BitCast requires input and output types to have the same bit-width" in str(info.value)


@pytest.mark.parametrize("lambd,bias", [(0.5, 0.0), (1.5, 1.5), (0.0, -0.25)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_shrink(lambd, bias, dtype):
    x = (RNG.standard_normal((4, 5)) * 2).astype(dtype)
    x.reshape(-1)[:3] = [lambd, -lambd, 0]
    check([node("Shrink", ["x"], lambd=lambd, bias=bias)], {"x": x}, opset=9, rtol=1e-3)


def test_shrink_of_integers_is_an_import_error():
    assert import_error([node("Shrink", ["x"])], {"x": np.ones((2, 3), np.int32)}, opset=9) == \
        "node 'y' (Shrink, opset 9): element type int32 is not supported (a float type is needed)"


@pytest.mark.parametrize("to", [2, 3])   # uint8, int8: bool's byte widens from MLIR's i1
def test_cast_of_bool_to_a_byte(to):
    check([node("Cast", ["x"], to=to)], {"x": RNG.integers(0, 2, (4, 3)).astype(np.bool_)}, opset=21)
