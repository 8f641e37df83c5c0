"""NonZero and Compress, whose output size depends on the input values,
against onnxruntime: a dynamic dimension counted at run time (down to zero),
and their errors. Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, check_on_real_iree, expected, import_error, model_of, node

from iree_lite.onnx import import_model, load

RNG = np.random.default_rng(53)


@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 4), (1, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.bool_, np.uint8])
def test_nonzero(shape, dtype):
    x = (RNG.integers(0, 3, shape) * RNG.integers(0, 2, shape)).astype(dtype)
    check([node("NonZero", ["x"])], {"x": x}, opset=13)


@pytest.mark.parametrize("x", [np.zeros((3, 2), np.float32), np.array([-0.0, 0.0], np.float32),
                               np.array([np.nan, 0], np.float32)])
def test_nonzero_edges(x):
    check([node("NonZero", ["x"])], {"x": x}, opset=13)


def test_nonzero_output_is_dynamic():
    model = model_of([node("NonZero", ["x"])], {"x": np.ones((2, 3), np.float32)}, ["y"], opset=13)
    assert "-> (tensor<2x?xi64>)" in import_model(model)
    run = load(model, device="local-sync")
    for x in (np.eye(2, 3, dtype=np.float32), np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)):
        np.testing.assert_array_equal(run({"x": x})["y"], np.array(np.nonzero(x), np.int64))


@pytest.mark.parametrize("shape,axis,length", [((3, 4), 0, 3), ((3, 4), 1, 2), ((2, 3, 4), -1, 4),
                                               ((2, 3, 4), None, 10), ((5,), 0, 5), ((2, 3), 1, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_compress(shape, axis, length, dtype):
    x = (RNG.standard_normal(shape) * 9).astype(dtype)
    condition = RNG.integers(0, 2, length).astype(np.bool_)
    attrs = {} if axis is None else {"axis": axis}
    check([node("Compress", ["x", "c"], **attrs)], {"x": x, "c": condition}, opset=11)


@pytest.mark.parametrize("condition", [np.zeros(3, np.bool_), np.ones(3, np.bool_)])
def test_compress_none_and_all(condition):
    model = model_of([node("Compress", ["x", "c"], axis=1)],
                     {"x": np.ones((2, 3), np.float32), "c": condition}, ["y"], opset=11)
    feeds = {"x": RNG.standard_normal((2, 3)).astype(np.float32), "c": condition}
    have = load(model, device="local-sync")(feeds)["y"]
    want = expected(model, feeds)[0]
    assert have.shape == want.shape
    np.testing.assert_array_equal(have, want)


def test_data_dependent_errors():
    assert import_error([node("NonZero", ["x"])], {"x": np.ones((80, 60), np.float32)}, opset=13) == \
        "node 'y' (NonZero, opset 13): 4800 candidate elements: at most 4096 are compacted"
    assert import_error([node("NonZero", ["x"], ["n"]), node("Transpose", ["n"])],
                        {"x": np.ones((2, 3), np.float32)}, opset=13) == \
        "node 'y' (Transpose, opset 13): input of shape [2, ?]: dynamic dimensions are not supported here yet"


def test_real_iree_runs_the_dynamic_result(tmp_path, reference_iree):
    x = np.array([[0, 3, 0], [1, 0, 2]], np.float32)
    check_on_real_iree(tmp_path, reference_iree, [node("NonZero", ["x"], ["n"]), node("Compress", ["x", "c"], axis=1)],
                       {"x": x, "c": np.array([True, False, True])}, ["n", "y"], opset=13)
