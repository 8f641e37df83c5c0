"""Col2Im and AffineGrid against onnxruntime: shape operands as constants
and as run-time inputs (then checked against the declared output shape),
and their errors. Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, check_on_real_iree, declared_model, expected, import_error, node

from iree_lite.onnx import OnnxImportError, import_model, load

RNG = np.random.default_rng(29)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def blocks(image, block, strides, dilations, pads):
    n = len(image)
    return int(np.prod([(image[i] + pads[i] + pads[n + i] - dilations[i] * (block[i] - 1) - 1) // strides[i] + 1
                        for i in range(n)]))


COL2IM = [((5, 5), (2, 2), (1, 1), (1, 1), (0, 0, 0, 0)),
          ((6, 7), (3, 2), (2, 1), (1, 2), (1, 0, 2, 1)),
          ((4, 9), (1, 3), (1, 3), (2, 1), (0, 1, 0, 1)),
          ((3, 4, 5), (2, 1, 2), (1, 2, 1), (1, 1, 2), (0, 1, 0, 1, 0, 0))]


@pytest.mark.parametrize("image,block,strides,dilations,pads", COL2IM)
@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_col2im(image, block, strides, dilations, pads, dtype):
    x = (rand(2, 3 * int(np.prod(block)), blocks(image, block, strides, dilations, pads)) * 9).astype(dtype)
    # onnxruntime 1.32 misplaces dilated 3-D blocks and lacks integer Col2Im: onnx's reference evaluator
    # is the oracle there
    oracle = "reference" if len(image) == 3 or dtype != np.float32 else "onnxruntime"
    check([node("Col2Im", ["x", "image", "block"], strides=strides, dilations=dilations, pads=pads)], {"x": x},
          weights={"image": np.array(image, np.int64), "block": np.array(block, np.int64)}, opset=18,
          oracle=oracle)


def col2im_runtime(image, block, x):
    out = (x.shape[0], x.shape[1] // int(np.prod(block)), *image)
    return declared_model(node("Col2Im", ["x", "image", "block"], pads=[1, 0, 0, 1]),
                          {"x": (np.float32, x.shape), "image": (np.int64, [2]), "block": (np.int64, [2])},
                          {"y": (np.float32, out)}, opset=18)


def test_col2im_with_runtime_shapes():
    x = rand(1, 2 * 6, blocks((4, 5), (2, 3), (1, 1), (1, 1), (1, 0, 0, 1)))
    feeds = {"x": x, "image": np.array([4, 5], np.int64), "block": np.array([2, 3], np.int64)}
    model = col2im_runtime((4, 5), (2, 3), x)
    np.testing.assert_allclose(load(model, device="local-sync")(feeds)["y"], expected(model, feeds)[0],
                               rtol=1e-5, atol=1e-6)
    # a block shape of the same size but another layout does not fit the input's block count
    with pytest.raises(Exception) as info:
        load(model, device="local-sync")({**feeds, "block": np.array([3, 2], np.int64)})
    assert "image_shape and block_shape do not fit input [1, 12, 16] and output [1, 2, 4, 5]" in str(info.value)


def col2im_error(x_shape, image, block):
    """The import error of a Col2Im model with constant shapes (declared, not
    inferred: onnx's shape inference rejects these models too)."""
    from onnx import helper, numpy_helper
    model = declared_model(node("Col2Im", ["x", "image", "block"]), {"x": (np.float32, x_shape)},
                           {"y": (np.float32, None)}, opset=18)
    model.graph.initializer.extend([numpy_helper.from_array(np.array(image, np.int64), "image"),
                                    numpy_helper.from_array(np.array(block, np.int64), "block")])
    with pytest.raises(OnnxImportError) as info:
        import_model(model)
    return str(info.value)


def test_col2im_errors():
    assert col2im_error((1, 6, 16), [5, 5], [2, 2]) == \
        "node 'y' (Col2Im, opset 18): input [1, 6, 16]: dimension 1 is not a multiple of the block size 4"


@pytest.mark.parametrize("size", [(2, 3, 4, 5), (1, 1, 1, 3), (3, 2, 2, 3, 4)])
@pytest.mark.parametrize("align_corners", [0, 1])
def test_affine_grid(size, align_corners):
    spatial = len(size) - 2
    # a one-point axis with align_corners has no spacing: onnxruntime puts it at 1, onnx's reference (and
    # iree-lite) at -1
    oracle = "reference" if align_corners and 1 in size[2:] else "onnxruntime"
    check([node("AffineGrid", ["theta", "size"], align_corners=align_corners)],
          {"theta": rand(size[0], spatial, spatial + 1)}, weights={"size": np.array(size, np.int64)}, opset=20,
          oracle=oracle)


def test_affine_grid_with_runtime_size():
    model = declared_model(node("AffineGrid", ["theta", "size"]), {"theta": (np.float32, [2, 2, 3]),
                                                                   "size": (np.int64, [4])},
                           {"y": (np.float32, [2, 3, 4, 2])}, opset=20)
    feeds = {"theta": rand(2, 2, 3), "size": np.array([2, 7, 3, 4], np.int64)}
    np.testing.assert_allclose(load(model, device="local-sync")(feeds)["y"], expected(model, feeds)[0],
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(Exception) as info:
        load(model, device="local-sync")({**feeds, "size": np.array([2, 7, 4, 3], np.int64)})
    assert "size does not give the declared output shape [2, 3, 4, 2]" in str(info.value)


def test_affine_grid_errors():
    assert import_error([node("AffineGrid", ["theta", "size"])], {"theta": rand(2, 3, 4)},
                        weights={"size": np.array([2, 1, 4, 5], np.int64)}, opset=20) == \
        ("node 'y' (AffineGrid, opset 20): theta [2, 3, 4] and size [2, 1, 4, 5] must be (N, 2, 3) with "
         "(N, C, H, W) or (N, 3, 4) with (N, C, D, H, W)")


def test_real_iree_runs_them(tmp_path, reference_iree):
    x = rand(1, 2 * 4, blocks((4, 5), (2, 2), (1, 1), (1, 1), (0, 0, 0, 0)))
    check_on_real_iree(tmp_path, reference_iree,
                       [node("Col2Im", ["x", "image", "block"], ["y"]), node("AffineGrid", ["theta", "size"], ["g"])],
                       {"x": x, "theta": rand(2, 2, 3)}, ["y", "g"],
                       weights={"image": np.array([4, 5], np.int64), "block": np.array([2, 2], np.int64),
                                "size": np.array([2, 1, 3, 4], np.int64)}, opset=20)
