"""`iree-lite import-onnx` of Resize, GridSample, CenterCropPad, RoiAlign,
ConvTranspose and the pools (MaxPool with Indices, AveragePool, LpPool,
GlobalLpPool over 1 to 3 spatial dimensions, MaxUnpool): numerics against onnxruntime on random inputs of shapes the
conformance cases do not use, scales and sizes known at import or only at
run time, the real IREE on the same MLIR, and the unsupported forms'
errors. Skips without onnx and onnxruntime."""
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from iree_lite.onnx import import_model, load  # noqa: E402

RNG = np.random.default_rng(11)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def model_of(node, inputs, weights=(), opset=19):
    """A one-node model with its output shapes from onnx's shape inference
    (or, where that needs run-time values, from onnxruntime's results)."""
    def build(outputs):
        graph = helper.make_graph(
            [node], "g",
            [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
             for n, a in inputs.items()],
            outputs, [numpy_helper.from_array(a, n) for n, a in weights])
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    x_type = helper.np_dtype_to_tensor_dtype(inputs["x"].dtype)
    unknown = build([helper.make_tensor_value_info(o, TensorProto.INT64 if o == "i" else x_type, None)
                     for o in node.output])
    results = ort.InferenceSession(unknown.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, inputs)
    model = build([helper.make_tensor_value_info(o, helper.np_dtype_to_tensor_dtype(r.dtype), r.shape)
                   for o, r in zip(node.output, results)])
    return model, results


def check(node, inputs, weights=(), opset=19, rtol=1e-4, atol=1e-5, reference=False):
    """iree-lite's outputs against onnxruntime's (`reference`: onnx's
    reference evaluator's, where onnxruntime departs from the spec)."""
    model, want = model_of(node, inputs, weights, opset)
    if reference:
        from onnx.reference import ReferenceEvaluator
        want = ReferenceEvaluator(model).run(None, inputs)
    have = load(model, device="local-sync")(inputs)
    for name, w in zip(node.output, want):
        assert have[name].dtype == w.dtype and have[name].shape == w.shape, name
        if w.dtype.kind == "f":
            np.testing.assert_allclose(have[name], w, rtol=rtol, atol=atol)
        else:
            np.testing.assert_array_equal(have[name], w)


def resize(inputs, **attrs):
    return helper.make_node("Resize", inputs, ["y"], **attrs)


def scales(*values):
    return np.array(values, np.float32)


def sizes(*values):
    return np.array(values, np.int64)


X = rand(2, 3, 5, 7)

# name: (attributes, scales or None, sizes or None, roi or None)
RESIZES = {
    "nearest_up_half_pixel": ({"mode": "nearest"}, scales(1, 1, 2.5, 1.5), None, None),
    "nearest_down_floor_asymmetric": ({"mode": "nearest", "nearest_mode": "floor",
                                       "coordinate_transformation_mode": "asymmetric"}, scales(1, 1, 0.6, 0.45),
                                      None, None),
    "nearest_ceil_align_corners": ({"mode": "nearest", "nearest_mode": "ceil",
                                    "coordinate_transformation_mode": "align_corners"}, None, sizes(2, 3, 9, 4), None),
    "nearest_prefer_ceil": ({"mode": "nearest", "nearest_mode": "round_prefer_ceil"}, None, sizes(2, 3, 10, 14),
                            None),
    "linear_up_down": ({"mode": "linear"}, scales(1, 1, 1.7, 0.6), None, None),
    "linear_align_corners": ({"mode": "linear", "coordinate_transformation_mode": "align_corners"}, None,
                             sizes(2, 3, 8, 3), None),
    "linear_pytorch_half_pixel": ({"mode": "linear", "coordinate_transformation_mode": "pytorch_half_pixel"},
                                  None, sizes(2, 3, 1, 11), None),
    "linear_antialias_down": ({"mode": "linear", "antialias": 1}, scales(1, 1, 0.4, 0.3), None, None),
    "nearest_batch_and_channels": ({"mode": "nearest"}, scales(2, 0.7, 1, 1), None, None),
    "cubic_up": ({"mode": "cubic"}, scales(1, 1, 1.75, 2.25), None, None),
    "cubic_exclude_outside_a": ({"mode": "cubic", "exclude_outside": 1, "cubic_coeff_a": -0.5}, None,
                                sizes(2, 3, 3, 12), None),
    "cubic_antialias_down": ({"mode": "cubic", "antialias": 1}, None, sizes(2, 3, 2, 3), None),
    "tf_crop_and_resize": ({"mode": "linear", "coordinate_transformation_mode": "tf_crop_and_resize",
                            "extrapolation_value": -3.0}, None, sizes(2, 3, 4, 6),
                           np.array([0, 0, -0.2, 0.1, 1, 1, 0.9, 1.3], np.float32)),
    "axes_keep_aspect_not_smaller": ({"mode": "nearest", "axes": [3, 2], "keep_aspect_ratio_policy": "not_smaller"},
                                     None, sizes(9, 4), None),
    "axes_keep_aspect_not_larger_linear": ({"mode": "linear", "axes": [2, 3],
                                           "keep_aspect_ratio_policy": "not_larger"}, None, sizes(8, 9), None),
}


def resize_case(name, runtime):
    """(node, inputs, weights): the scales/sizes/roi as initializers, or as
    graph inputs when `runtime`."""
    attrs, sc, sz, roi = RESIZES[name]
    operands = [("roi", roi), ("scales", sc), ("sizes", sz)]
    names = ["x"] + [n if a is not None else "" for n, a in operands]
    while not names[-1]:
        names.pop()
    given = {n: a for n, a in operands if a is not None}
    return resize(names, **attrs), {"x": X, **(given if runtime else {})}, [] if runtime else list(given.items())


@pytest.mark.parametrize("name", sorted(RESIZES))
@pytest.mark.parametrize("runtime", [False, True], ids=["known", "runtime"])
def test_resize_matches_onnxruntime(name, runtime):
    node, inputs, weights = resize_case(name, runtime)
    check(node, inputs, weights)


def test_resize_nearest_of_integers_is_exact():
    x = RNG.integers(0, 255, (1, 2, 4, 5)).astype(np.uint8)
    check(resize(["x", "", "scales"], mode="nearest"), {"x": x}, [("scales", scales(1, 1, 1.5, 2.2))])


def test_resize_1d_and_3d():
    check(resize(["x", "", "scales"], mode="linear"), {"x": rand(2, 3, 6)}, [("scales", scales(1, 1, 1.5))])
    check(resize(["x", "", "", "sizes"], mode="nearest"), {"x": rand(1, 2, 3, 4, 5)}, [("sizes", sizes(1, 2, 5, 2, 7))])


def grid(*shape):
    """Grid positions, some past the [-1, 1] edges."""
    return RNG.uniform(-1.3, 1.3, shape).astype(np.float32)


@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("aligned", [0, 1])
def test_grid_sample_matches_onnxruntime(mode, padding, aligned):
    node = helper.make_node("GridSample", ["x", "grid"], ["y"], mode=mode, padding_mode=padding,
                            align_corners=aligned)
    # onnxruntime's cubic sampling clamps each tap rather than the position, as PyTorch does
    check(node, {"x": rand(2, 3, 5, 6), "grid": grid(2, 4, 7, 2)}, opset=20,
          reference=(mode, padding) == ("cubic", "border"))


@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_grid_sample_volumetric_matches_onnxruntime(mode):
    node = helper.make_node("GridSample", ["x", "grid"], ["y"], mode=mode, padding_mode="border")
    check(node, {"x": rand(1, 2, 3, 4, 5), "grid": grid(1, 2, 3, 4, 3)}, opset=20)


@pytest.mark.parametrize("runtime", [False, True], ids=["known", "runtime"])
def test_center_crop_pad_matches_onnxruntime(runtime):
    x = rand(5, 8, 3)
    shape = sizes(4, 11)
    node = helper.make_node("CenterCropPad", ["x", "shape"], ["y"], axes=[0, -2])
    check(node, {"x": x, "shape": shape} if runtime else {"x": x}, [] if runtime else [("shape", shape)], opset=18)


def roi_inputs():
    corners = RNG.uniform(-2, 22, (5, 2, 2)).astype(np.float32)
    rois = np.concatenate([corners.min(axis=1), corners.max(axis=1)], axis=1)   # x1, y1, x2, y2
    return {"x": rand(2, 3, 12, 10), "rois": rois, "batch": np.array([0, 1, 1, 0, 1], np.int64)}


@pytest.mark.parametrize("transform", ["half_pixel", "output_half_pixel"])
@pytest.mark.parametrize("mode", ["avg", "max"])
def test_roi_align_matches_onnxruntime(transform, mode):
    node = helper.make_node("RoiAlign", ["x", "rois", "batch"], ["y"], mode=mode, output_height=3, output_width=4,
                            sampling_ratio=2 if mode == "avg" else 3, spatial_scale=0.5,
                            coordinate_transformation_mode=transform)
    check(node, roi_inputs())


CONV_TRANSPOSES = {
    "strides_pads": ({"strides": [2, 3], "pads": [1, 0, 2, 1]}, (2, 4, 5, 6), (4, 3, 3, 4)),
    "groups_dilations": ({"group": 2, "dilations": [2, 1], "strides": [1, 2]}, (1, 4, 5, 5), (4, 3, 3, 2)),
    "output_padding": ({"strides": [3, 2], "output_padding": [2, 1]}, (1, 2, 4, 3), (2, 3, 2, 2)),
    "output_shape": ({"strides": [2, 2], "output_shape": [10, 9]}, (1, 2, 4, 4), (2, 2, 3, 3)),
    "same_lower": ({"strides": [2, 2], "auto_pad": "SAME_LOWER"}, (1, 3, 3, 4), (3, 2, 4, 3)),
    "1d_bias": ({"strides": [3], "pads": [1, 2]}, (2, 3, 7), (3, 5, 4)),
    "3d_groups": ({"group": 3, "strides": [1, 2, 1], "pads": [0, 1, 1, 1, 0, 0]}, (1, 6, 3, 4, 3), (6, 2, 2, 3, 2)),
}


@pytest.mark.parametrize("name", sorted(CONV_TRANSPOSES))
def test_conv_transpose_matches_onnxruntime(name):
    attrs, x_shape, w_shape = CONV_TRANSPOSES[name]
    weights = [("w", rand(*w_shape))]
    ins = ["x", "w"]
    if name == "1d_bias":
        weights.append(("b", rand(w_shape[1] * attrs.get("group", 1))))
        ins.append("b")
    check(helper.make_node("ConvTranspose", ins, ["y"], **attrs), {"x": rand(*x_shape)}, weights)


POOLS = {
    "maxpool_3d_ceil_dilations": ("MaxPool", {"kernel_shape": [2, 3, 2], "strides": [2, 1, 2],
                                              "dilations": [1, 1, 2], "ceil_mode": 1}, (2, 3, 5, 6, 7)),
    "avgpool_3d_pads_include": ("AveragePool", {"kernel_shape": [3, 2, 2], "pads": [1, 0, 1, 1, 1, 0],
                                                "count_include_pad": 1}, (1, 2, 4, 5, 6)),
    "avgpool_3d_ceil_exclude": ("AveragePool", {"kernel_shape": [2, 2, 3], "strides": [2, 2, 2], "ceil_mode": 1},
                                (1, 3, 5, 5, 6)),
    "lppool_p3_2d": ("LpPool", {"kernel_shape": [2, 3], "p": 3, "strides": [1, 2]}, (2, 3, 6, 7)),
    "lppool_1d_pads": ("LpPool", {"kernel_shape": [3], "pads": [1, 1]}, (2, 3, 9)),
    "lppool_3d": ("LpPool", {"kernel_shape": [2, 2, 2], "p": 1}, (1, 2, 3, 4, 5)),
}


@pytest.mark.parametrize("name", sorted(POOLS))
def test_pool_matches_onnxruntime(name):
    op, attrs, shape = POOLS[name]
    check(helper.make_node(op, ["x"], ["y"], **attrs), {"x": rand(*shape)})


@pytest.mark.parametrize("storage_order", [0, 1])
@pytest.mark.parametrize("shape,kernel,pads", [((2, 3, 6, 7), [3, 2], [1, 0, 1, 1]),
                                               ((1, 2, 4, 5, 6), [2, 3, 2], [0, 1, 0, 0, 1, 1])])
def test_maxpool_indices_match_onnxruntime(storage_order, shape, kernel, pads):
    node = helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=kernel, pads=pads,
                            strides=[2] * len(kernel), storage_order=storage_order)
    check(node, {"x": rand(*shape)})


def test_maxpool_of_unsigned_and_signed_integers():
    u = RNG.integers(0, 256, (1, 2, 5, 6)).astype(np.uint8)   # values past 127 order as unsigned
    check(helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 3], pads=[1, 1, 0, 1]), {"x": u})
    i = RNG.integers(-128, 128, (1, 2, 5, 6)).astype(np.int8)
    check(helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 2]), {"x": i})


def pooled_with_indices(shape, kernel, strides):
    pool = helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=kernel, strides=strides)
    _, (y, i) = model_of(pool, {"x": rand(*shape)})
    return {"x": y, "idx": i}


@pytest.mark.parametrize("output_shape", [None, [2, 3, 8, 9]])
def test_max_unpool_matches_onnxruntime(output_shape):
    inputs = pooled_with_indices((2, 3, 6, 9), [2, 3], [2, 3])
    node = helper.make_node("MaxUnpool", ["x", "idx"] + (["shape"] if output_shape else []), ["y"],
                            kernel_shape=[2, 3], strides=[2, 3])
    # onnxruntime reads the indices as flat positions in output_shape; the spec's conformance case
    # (test_maxunpool_export_with_output_shape), as onnx's reference, in the unpooled shape, padded after
    check(node, inputs, [("shape", sizes(*output_shape))] if output_shape else [], reference=bool(output_shape))


def test_max_unpool_3d_matches_onnxruntime():
    inputs = pooled_with_indices((1, 2, 4, 6, 5), [2, 2, 2], [2, 2, 1])
    check(helper.make_node("MaxUnpool", ["x", "idx"], ["y"], kernel_shape=[2, 2, 2], strides=[2, 2, 1]), inputs)


@pytest.mark.parametrize("p", [1, 2, 3])
def test_global_lp_pool_matches_onnxruntime(p):
    check(helper.make_node("GlobalLpPool", ["x"], ["y"], p=p), {"x": rand(2, 3, 4, 5)})


def import_error(tmp_path, node, inputs, weights=(), opset=19, outputs=None):
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
         for n, a in inputs.items()],
        [helper.make_tensor_value_info(o, helper.np_dtype_to_tensor_dtype(inputs["x"].dtype), s)
         for o, s in (outputs or {"y": None}).items()],
        [numpy_helper.from_array(a, n) for n, a in weights])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), str(tmp_path / "m.onnx"))
    proc = subprocess.run([sys.executable, "-m", "iree_lite", "import-onnx", str(tmp_path / "m.onnx")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stdout == ""
    return proc.stderr


def test_unsupported_resize_forms_name_the_node(tmp_path):
    x = {"x": rand(1, 1, 2, 2)}
    sc = [("scales", scales(1, 1, 2, 2))]
    assert import_error(tmp_path, resize(["x", "", "scales"], mode="nearest", antialias=1), x, sc) == (
        "error: node 'y' (Resize, opset 19): antialias=1 is not supported with mode 'nearest'\n")
    assert import_error(tmp_path, resize(["x", "scales"], mode="linear"), x, sc, opset=10) == (
        "error: node 'y' (Resize, opset 10): Resize before opset 11 is not supported\n")
    assert import_error(tmp_path, resize(["x", "", "scales"], mode="linear"), {"x": np.zeros((1, 2), np.int32)},
                        [("scales", scales(1, 2))]) == (
        "error: node 'y' (Resize, opset 19): element type int32 is not supported (a float type is needed)\n")


def test_run_time_scales_need_a_declared_output_shape(tmp_path):
    err = import_error(tmp_path, resize(["x", "", "scales"], mode="linear"),
                       {"x": rand(1, 1, 2, 2), "scales": scales(1, 1, 2, 2)})
    assert err == ("error: node 'y' (Resize, opset 19): scales is known only at run time, so output 0 ('y') "
                   "needs a static declared shape (it has [?, ?, ?, ?])\n")


def test_unsupported_grid_sample_forms_name_the_node(tmp_path):
    node = helper.make_node("GridSample", ["x", "grid"], ["y"], mode="cubic")
    assert import_error(tmp_path, node, {"x": rand(1, 1, 2, 3, 4), "grid": grid(1, 2, 2, 2, 3)}, opset=20,
                        outputs={"y": [1, 1, 2, 2, 2]}) == (
        "error: node 'y' (GridSample, opset 20): mode 'cubic' with 3 spatial dimensions is not supported (2 are)\n")


def test_adaptive_roi_align_sampling_is_not_supported(tmp_path):
    node = helper.make_node("RoiAlign", ["x", "rois", "batch"], ["y"], output_height=2, output_width=2)
    assert import_error(tmp_path, node, roi_inputs(), outputs={"y": [5, 3, 2, 2]}) == (
        "error: node 'y' (RoiAlign, opset 19): sampling_ratio=0 (as many samples as each region needs) "
        "is not supported\n")


def test_unsupported_window_forms_name_the_node(tmp_path):
    assert import_error(tmp_path, helper.make_node("ConvTranspose", ["x", "w"], ["y"], auto_pad="SAME"),
                        {"x": rand(1, 1, 3, 3)}, [("w", rand(1, 1, 2, 2))], outputs={"y": [1, 1, 4, 4]}) == (
        "error: node 'y' (ConvTranspose, opset 19): auto_pad 'SAME' is not supported\n")
    assert import_error(tmp_path, helper.make_node("LpPool", ["x"], ["y"], kernel_shape=[2, 2]),
                        {"x": np.zeros((1, 1, 3, 3), np.int32)}, outputs={"y": [1, 1, 2, 2]}) == (
        "error: node 'y' (LpPool, opset 19): element type int32 is not supported (a float type is needed)\n")


# One model per op for the real IREE: the MLIR iree-lite imports runs there too.
REAL_IREE = {
    "resize_cubic_runtime_scales": resize_case("cubic_up", True),
    "resize_nearest_known_sizes": resize_case("nearest_prefer_ceil", False),
    "conv_transpose": (helper.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2], pads=[1, 0, 0, 1],
                                        group=2), {"x": rand(1, 4, 5, 5)}, [("w", rand(4, 3, 3, 3))]),
    "maxpool_3d_indices": (helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=[2, 2, 2], strides=[2, 2, 2]),
                           {"x": rand(1, 2, 4, 4, 6)}, []),
    "lppool": (helper.make_node("LpPool", ["x"], ["y"], kernel_shape=[2, 3], p=3), {"x": rand(1, 2, 5, 6)}, []),
    "grid_sample": (helper.make_node("GridSample", ["x", "grid"], ["y"], mode="cubic", padding_mode="reflection"),
                    {"x": rand(1, 2, 5, 6), "grid": grid(1, 3, 4, 2)}, []),
    "roi_align": (helper.make_node("RoiAlign", ["x", "rois", "batch"], ["y"], output_height=3, output_width=2,
                                   sampling_ratio=2), roi_inputs(), []),
    "max_unpool": (helper.make_node("MaxUnpool", ["x", "idx"], ["y"], kernel_shape=[2, 2], strides=[2, 2]),
                   pooled_with_indices((1, 2, 4, 6), [2, 2], [2, 2]), []),
    "center_crop_pad": (helper.make_node("CenterCropPad", ["x", "shape"], ["y"]), {"x": rand(3, 6, 5)},
                        [("shape", sizes(4, 3, 8))]),
}


@pytest.mark.parametrize("name", sorted(REAL_IREE))
def test_real_iree_runs_the_imported_mlir(tmp_path, reference_iree, name):
    node, inputs, weights = REAL_IREE[name]
    model, want = model_of(node, inputs, weights, opset=20)
    (tmp_path / "m.mlir").write_text(import_model(model))
    subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(tmp_path / "m.mlir"),
                    "-o", str(tmp_path / "m.vmfb")], check=True, capture_output=True, timeout=600)
    args = [f"--input=@{tmp_path / n}.npy" for n in inputs] + [f"--output=@{tmp_path / o}.npy" for o in node.output]
    for n, a in inputs.items():
        np.save(tmp_path / f"{n}.npy", a)
    subprocess.run([reference_iree["iree-run-module"], f"--module={tmp_path / 'm.vmfb'}", *args],
                   check=True, capture_output=True, timeout=600)
    for o, w in zip(node.output, want):
        have = np.load(tmp_path / f"{o}.npy")
        assert have.dtype == w.dtype and have.shape == w.shape
        np.testing.assert_allclose(have, w, rtol=1e-4, atol=1e-5)
