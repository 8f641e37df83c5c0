"""`iree-lite import-onnx` and iree_lite.onnx: per-op numerics against
onnxruntime on static-shape models built with onnx.helper, the light CNN
models, the CLI workflow, IREE's compiler on the same MLIR, and the errors.
Skips without the onnx extra (and onnxruntime)."""
import contextlib
import io
import os
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from iree_lite.onnx import OnnxImportError, import_model, load  # noqa: E402
from iree_lite.tools.cli import main  # noqa: E402

F = TensorProto.FLOAT
RNG = np.random.default_rng(7)


def model_of(nodes, inputs, outputs, weights=(), opset=17):
    """A model: inputs {name: array}, outputs {name: (elem type, shape)}, weights [arrays by name]."""
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape) for n, a in inputs.items()],
        [helper.make_tensor_value_info(n, t, s) for n, (t, s) in outputs.items()],
        [numpy_helper.from_array(a, n) for n, a in weights])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def check(nodes, inputs, outputs, weights=(), opset=17, rtol=1e-3, atol=1e-5):
    model = model_of(nodes, inputs, outputs, weights, opset)
    want = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, inputs)
    have = load(model, device="local-sync")(inputs)
    for (name, _), w in zip(outputs.items(), want):
        assert have[name].dtype == w.dtype and have[name].shape == w.shape, name
        np.testing.assert_allclose(have[name], w, rtol=rtol, atol=atol)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


X = {"x": rand(2, 4, 7, 9)}


def node(op, ins, outs=("y",), **attrs):
    return helper.make_node(op, list(ins), list(outs), **attrs)


CASES = {
    "conv_bias_pads_strides_dilations": ([node("Conv", ["x", "w", "b"], pads=[1, 2, 0, 1], strides=[2, 1],
                                               dilations=[1, 2])], X, [("w", rand(6, 4, 3, 2)), ("b", rand(6))]),
    "conv_groups": ([node("Conv", ["x", "w"], group=2, pads=[1, 1, 1, 1])], X, [("w", rand(6, 2, 3, 3))]),
    "conv_depthwise": ([node("Conv", ["x", "w"], group=4, strides=[2, 2])], X, [("w", rand(4, 1, 3, 3))]),
    "conv_same_upper": ([node("Conv", ["x", "w"], auto_pad="SAME_UPPER", strides=[2, 2])], X,
                        [("w", rand(3, 4, 4, 3))]),
    "conv_1d": ([node("Conv", ["x", "w"], pads=[1, 1])], {"x": rand(2, 3, 10)}, [("w", rand(5, 3, 3))]),
    "maxpool_ceil": ([node("MaxPool", ["x"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 0, 0],
                           ceil_mode=1)], X, []),
    "avgpool_exclude_pad": ([node("AveragePool", ["x"], kernel_shape=[3, 2], strides=[2, 2], pads=[1, 1, 1, 1])],
                            X, []),
    "avgpool_include_pad": ([node("AveragePool", ["x"], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                                  count_include_pad=1)], X, []),
    "global_average_pool": ([node("GlobalAveragePool", ["x"])], X, []),
    "global_max_pool": ([node("GlobalMaxPool", ["x"])], X, []),
    "batch_norm": ([node("BatchNormalization", ["x", "s", "b", "m", "v"], epsilon=1e-3)], X,
                   [("s", rand(4)), ("b", rand(4)), ("m", rand(4)), ("v", np.abs(rand(4)) + 0.5)]),
    "layer_norm": ([node("LayerNormalization", ["x", "s", "b"], axis=-2)], X, [("s", rand(7, 9)), ("b", rand(9))]),
    "lrn": ([node("LRN", ["x"], size=3, alpha=1e-2, beta=0.75, bias=2.0)], X, []),
    "gemm": ([node("Gemm", ["a", "w", "c"], transB=1, alpha=0.5, beta=2.0)], {"a": rand(3, 5)},
             [("w", rand(4, 5)), ("c", rand(4))]),
    "matmul_batched": ([node("MatMul", ["a", "w"])], {"a": rand(2, 1, 3, 5)}, [("w", rand(4, 5, 6))]),
    "matmul_vector": ([node("MatMul", ["a", "w"])], {"a": rand(5)}, [("w", rand(2, 5, 3))]),
    "arith_broadcast": ([node("Mul", ["x", "w"], ["m"]), node("Sub", ["m", "x"], ["s"]),
                         node("Div", ["s", "d"], ["q"]), node("Sum", ["q", "x", "w"], ["y"])], X,
                        [("w", rand(7, 1)), ("d", np.abs(rand(9)) + 1)]),
    "activations": ([node("Sigmoid", ["x"], ["a"]), node("LeakyRelu", ["a"], ["b"], alpha=0.2),
                     node("Tanh", ["x"], ["c"]), node("Elu", ["c"], ["d"]), node("HardSigmoid", ["d"], ["e"]),
                     node("Add", ["b", "e"], ["f"]), node("Relu", ["f"], ["g"]), node("Softplus", ["g"], ["y"])],
                    X, []),
    "softmax_logsoftmax": ([node("Softmax", ["x"], ["a"], axis=1), node("LogSoftmax", ["a"], ["y"], axis=-1)],
                           X, []),
    "reductions": ([node("ReduceMean", ["x"], ["a"], axes=[1, 3]), node("ReduceMax", ["x"], ["b"], axes=[1, 3]),
                    node("ReduceSum", ["x", "ax"], ["c"], keepdims=0), node("Add", ["a", "b"], ["y0"]),
                    node("Reshape", ["y0", "sh"], ["y1"]), node("Add", ["y1", "c"], ["y"])], X,
                   [("ax", np.array([1, 3], np.int64)), ("sh", np.array([2, 7], np.int64))]),
    "shape_ops": ([node("Transpose", ["x"], ["t"], perm=[0, 2, 3, 1]), node("Flatten", ["t"], ["f"], axis=2),
                   node("Unsqueeze", ["f", "ax"], ["u"]), node("Squeeze", ["u", "ax"], ["s"]),
                   node("Concat", ["s", "s"], ["c"], axis=1), node("Slice", ["c", "st", "en", "sa", "sp"], ["y"])],
                  X, [("ax", np.array([1], np.int64)), ("st", np.array([-1, 2], np.int64)),
                      ("en", np.array([-100, 30], np.int64)), ("sa", np.array([0, 1], np.int64)),
                      ("sp", np.array([-2, 3], np.int64))]),
    "slice_reversed_rank4": ([node("Slice", ["x", "st", "en", "sa", "sp"])], X,
                             [("st", np.array([-1, 5], np.int64)), ("en", np.array([-100, 0], np.int64)),
                              ("sa", np.array([1, 3], np.int64)), ("sp", np.array([-1, -2], np.int64))]),
    "gather_split_dropout": ([node("Gather", ["x", "i"], ["g"], axis=2), node("Split", ["g", "sp"], ["a", "b"], axis=1),
                              node("Dropout", ["b"], ["d"]), node("Mul", ["a", "d"], ["y"])], X,
                             [("i", np.array([[0, -1], [3, 2]], np.int64)), ("sp", np.array([2, 2], np.int64))]),
    "shape_constant_of_shape_expand": ([node("Shape", ["x"], ["s"]), node("ConstantOfShape", ["s"], ["z"],
                                                                           value=numpy_helper.from_array(np.array([1.5], np.float32))),
                                        node("Add", ["x", "z"], ["a"]), node("Expand", ["w", "s"], ["e"]),
                                        node("Mul", ["a", "e"], ["y"])], X, [("w", rand(9))]),
    "compare_where_cast": ([node("Greater", ["x", "w"], ["g"]), node("Where", ["g", "x", "w"], ["m"]),
                            node("Cast", ["g"], ["c"], to=TensorProto.FLOAT), node("Add", ["m", "c"], ["y"])], X,
                           [("w", rand(9))]),
    "pad_tile": ([node("Pad", ["x", "p", "v"], ["a"]), node("Tile", ["a", "r"], ["y"])], X,
                 [("p", np.array([0, 1, 2, 0, 0, 0, 1, 3], np.int64)), ("v", np.array(0.25, np.float32)),
                  ("r", np.array([1, 2, 1, 1], np.int64))]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_matches_onnxruntime(name):
    nodes, inputs, weights = CASES[name]
    model = model_of(nodes, inputs, {"y": (F, None)}, weights)
    inferred = onnx.shape_inference.infer_shapes(model)
    out = inferred.graph.output[0].type.tensor_type
    check(nodes, inputs, {"y": (out.elem_type, [d.dim_value for d in out.shape.dim])}, weights)


def test_integer_ops_match_onnxruntime():
    a = RNG.integers(-50, 50, (3, 4)).astype(np.int32)
    b = RNG.integers(1, 9, (4,)).astype(np.int32) * np.array([1, -1, 1, -1], np.int32)
    nodes = [node("Mod", ["a", "b"], ["m"]), node("Div", ["a", "b"], ["d"]), node("Add", ["m", "d"], ["s"]),
             node("Max", ["s", "a"], ["y"])]
    check(nodes, {"a": a, "b": b}, {"y": (TensorProto.INT32, [3, 4])})


LIGHT_MODELS = ("densenet121", "inception_v1", "inception_v2", "resnet50", "shufflenet", "squeezenet")
# The three with large fully connected layers (VGG-19's weights alone are
# 575 MB) take 15-40 s each: run when IREE_LITE_ALL_MODELS is set.
HEAVY_MODELS = ("bvlc_alexnet", "vgg19", "zfnet512")


def light_model(name):
    """The light model with seeded random weights at opset 17 (as IREE's importer converts), and an input."""
    model_corpus = pytest.importorskip("model_corpus")
    model = model_corpus.randomize_weights(onnx.load(model_corpus.light_models()[name]), seed=0)
    model = onnx.version_converter.convert_version(model, 17)
    (input_name, shape), = model_corpus.data_inputs(model)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    want, = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {input_name: x})
    return model, input_name, x, want


HEAVY = pytest.mark.skipif(not os.environ.get("IREE_LITE_ALL_MODELS"), reason="IREE_LITE_ALL_MODELS is not set")


@pytest.mark.parametrize("name", [*LIGHT_MODELS, *(pytest.param(name, marks=HEAVY) for name in HEAVY_MODELS)])
def test_light_model_matches_onnxruntime(name):
    model, input_name, x, want = light_model(name)
    have, = load(model)({input_name: x}).values()
    np.testing.assert_allclose(have, want, rtol=1e-3, atol=1e-6)


def test_real_iree_runs_an_imported_light_model(tmp_path, reference_iree):
    model, input_name, x, want = light_model("squeezenet")
    np.save(tmp_path / "x.npy", x)
    (tmp_path / "m.mlir").write_text(import_model(model))
    subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(tmp_path / "m.mlir"),
                    "-o", str(tmp_path / "m.vmfb")], check=True, capture_output=True, timeout=900)
    subprocess.run([reference_iree["iree-run-module"], f"--module={tmp_path / 'm.vmfb'}",
                    f"--input=@{tmp_path / 'x.npy'}", f"--output=@{tmp_path / 'y.npy'}"],
                   check=True, capture_output=True, timeout=600)
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), want, rtol=1e-3, atol=1e-6)


def cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "iree_lite", *args], capture_output=True, text=True, timeout=600,
                          **kwargs)


def save_small_model(path):
    nodes = [node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]), node("Relu", ["c"], ["r"]),
             node("GlobalAveragePool", ["r"], ["p"]), node("Flatten", ["p"], ["y"])]
    model = model_of(nodes, {"x": rand(1, 3, 8, 8)}, {"y": (F, [1, 4])}, [("w", rand(4, 3, 3, 3))])
    model.graph.name = "small_net"
    onnx.save(model, str(path))
    return model


def test_cli_workflow_matches_onnxruntime(tmp_path):
    model = save_small_model(tmp_path / "m.onnx")
    x = rand(1, 3, 8, 8)
    np.save(tmp_path / "x.npy", x)
    for step in (["import-onnx", "m.onnx", "-o", "m.mlir"], ["compile", "m.mlir", "-o", "m.vmfb"],
                 ["run-module", "--module=m.vmfb", "--input=@x.npy", "--output=@y.npy"]):
        proc = cli(*step, cwd=tmp_path, env={**os.environ, "PYTHONPATH": os.getcwd()})
        assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "m.mlir").read_text().startswith("func.func @small_net(%arg0: tensor<1x3x8x8xf32>) -> (tensor<1x4xf32>)")
    want, = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), want, rtol=1e-3, atol=1e-6)
    dump = cli("dump-module", str(tmp_path / "m.vmfb")).stdout
    assert "    onnx.inputs = x\n" in dump and "    onnx.outputs = y\n" in dump


def test_real_iree_compiles_and_runs_the_imported_mlir(tmp_path, reference_iree):
    model = save_small_model(tmp_path / "m.onnx")
    x = rand(1, 3, 8, 8)
    np.save(tmp_path / "x.npy", x)
    (tmp_path / "m.mlir").write_text(import_model(str(tmp_path / "m.onnx")))
    subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(tmp_path / "m.mlir"),
                    "-o", str(tmp_path / "m.vmfb")], check=True, capture_output=True, timeout=600)
    subprocess.run([reference_iree["iree-run-module"], f"--module={tmp_path / 'm.vmfb'}", "--device=local-task",
                    f"--input=@{tmp_path / 'x.npy'}", f"--output=@{tmp_path / 'y.npy'}"],
                   check=True, capture_output=True, timeout=600)
    want, = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), want, rtol=1e-3, atol=1e-6)


def import_error(tmp_path, model_or_bytes, *flags):
    path = tmp_path / "bad.onnx"
    if isinstance(model_or_bytes, bytes):
        path.write_bytes(model_or_bytes)
    else:
        onnx.save(model_or_bytes, str(path))
    # In this process: a subprocess would spend a second and a half importing onnx for each error.
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["import-onnx", str(path), *flags])
    assert status == 1 and out.getvalue() == ""
    return err.getvalue().replace(str(tmp_path), "TMP")


def test_unsupported_op_names_the_node(tmp_path):
    model = model_of([node("Relu", ["x"], ["r"]), helper.make_node("Det", ["r"], ["y"], name="mix")],
                     {"x": rand(3, 3)}, {"y": (F, [])})
    assert import_error(tmp_path, model) == "error: node 'mix' (Det, opset 17): operator 'Det' is not supported\n"


def test_unsupported_attribute_names_the_node(tmp_path):
    model = model_of([node("LpNormalization", ["x"], p=3)], {"x": rand(2, 4)}, {"y": (F, [2, 4])})
    assert import_error(tmp_path, model) == "error: node 'y' (LpNormalization, opset 17): p=3 is not supported (1 or 2 are)\n"


def test_malformed_protobuf(tmp_path):
    err = import_error(tmp_path, b"\x0a\xff\xff\xff not a model")
    assert err.startswith("error: 'TMP/bad.onnx' is not a valid ONNX model: ") and err.count("\n") == 1


def test_an_empty_file_is_not_a_model(tmp_path):
    """Empty bytes parse as an empty ModelProto: no IR version, no graph."""
    assert import_error(tmp_path, b"") == ("error: 'TMP/bad.onnx' is not a valid ONNX model: "
                                           "it has no IR version (an empty file?)\n")


def test_a_graph_without_outputs_imports_to_a_function_returning_nothing(tmp_path):
    model = model_of([], {"x": rand(2)}, {})
    text = import_model(model)
    assert "  return\n}" in text and "-> ()" in text
    (tmp_path / "m.mlir").write_text(text)
    proc = cli("run-mlir", str(tmp_path / "m.mlir"), "--input=2xf32=1", env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert (proc.returncode, proc.stdout) == (0, "EXEC @g\n"), proc.stderr


def test_missing_extra_names_it(tmp_path):
    code = ("import sys; sys.modules['onnx'] = None; from iree_lite.tools.cli import main; "
            "sys.exit(main(['import-onnx', 'm.onnx']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stderr) == (
        1, "error: importing ONNX models needs the onnx package: pip install 'iree-lite[onnx]'\n")


def test_external_data_loads_and_missing_external_data_is_an_error(tmp_path):
    w = rand(64, 32)
    model = model_of([node("MatMul", ["x", "w"])], {"x": rand(2, 64)}, {"y": (F, [2, 32])}, [("w", w)])
    os.mkdir(tmp_path / "m")
    onnx.save(model, str(tmp_path / "m" / "m.onnx"), save_as_external_data=True, location="weights.bin",
              size_threshold=0)
    x = rand(2, 64)
    have = load(str(tmp_path / "m" / "m.onnx"))(x=x)["y"]
    np.testing.assert_allclose(have, x @ w, rtol=1e-4, atol=1e-5)
    os.rename(tmp_path / "m" / "weights.bin", tmp_path / "weights.bin")
    proc = cli("import-onnx", str(tmp_path / "m" / "m.onnx"))
    assert proc.returncode == 1 and proc.stderr.startswith(
        f"error: cannot load the model's external data from '{tmp_path / 'm'}': ")
    assert cli("import-onnx", str(tmp_path / "m" / "m.onnx"), f"--data-dir={tmp_path}").returncode == 0


def test_shapes_that_cannot_be_inferred(tmp_path):
    runtime_shape = model_of([node("Reshape", ["x", "s"])], {"x": rand(2, 6), "s": np.array([3, 4], np.int64)},
                             {"y": (F, None)})
    assert import_error(tmp_path, runtime_shape) == (
        "error: node 'y' (Reshape, opset 17): input 1 ('s') is known only at run time, so output 0 ('y') "
        "needs a static declared shape (it has [?, ?])\n")
    mismatched = model_of([node("Add", ["x", "z"])], {"x": rand(2, 3), "z": rand(4)}, {"y": (F, [2, 3])})
    err = import_error(tmp_path, mismatched)
    assert err.startswith("error: shape inference failed: ") and err.count("\n") == 1


def test_weights_as_resources_or_inline_give_the_same_results(tmp_path):
    save_small_model(tmp_path / "m.onnx")
    x = rand(1, 3, 8, 8)
    np.save(tmp_path / "x.npy", x)
    outputs = []
    for weights in ("resource", "inline"):
        assert cli("import-onnx", "m.onnx", f"--weights={weights}", "-o", f"{weights}.mlir", cwd=tmp_path,
                   env={**os.environ, "PYTHONPATH": os.getcwd()}).returncode == 0
        text = (tmp_path / f"{weights}.mlir").read_text()
        assert ("arith.constant dense_resource<onnx_constant_0> : tensor<4x3x3x3xf32>" in text) == (weights == "resource")
        proc = cli("run-mlir", str(tmp_path / f"{weights}.mlir"), "--input=@" + str(tmp_path / "x.npy"))
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("case", ["batch_norm", "gemm"])
def test_known_weights_fold_at_import_to_the_same_bits(case):
    """BatchNormalization's sqrt(var + eps) and Gemm's transB of a known
    weight are computed at import (no math.sqrt or transpose left in the
    MLIR), and give the same bits as the same model with those weights as
    inputs, computed at run time."""
    nodes, inputs, weights = CASES[case]
    folded = dict(weights[-1:]) if case == "batch_norm" else dict(weights[:1])   # v, or w
    out = {"y": (F, [2, 4, 7, 9] if case == "batch_norm" else [3, 4])}
    known = model_of(nodes, inputs, out, weights)
    fed = model_of(nodes, {**inputs, **folded}, out, [w for w in weights if w[0] not in folded])
    assert ("math.sqrt" in import_model(known), "linalg.transpose" in import_model(known)) == (False, False)
    assert ("math.sqrt" in import_model(fed)) == (case == "batch_norm")
    assert ("linalg.transpose" in import_model(fed)) == (case == "gemm")
    have = load(known, device="local-sync")(inputs)["y"]
    assert have.tobytes() == load(fed, device="local-sync")({**inputs, **folded})["y"].tobytes()


def test_import_model_api_and_opset_conversion():
    model = model_of([node("Relu", ["x"])], {"x": rand(2, 3)}, {"y": (F, [2, 3])}, opset=9)
    text = import_model(model, opset=17)
    assert text.startswith('func.func @g(%arg0: tensor<2x3xf32>) -> (tensor<2x3xf32>) attributes '
                           '{iree.reflection = {onnx.inputs = "x", onnx.outputs = "y"}} {\n')
    with pytest.raises(OnnxImportError, match="^cannot convert the model to opset 99: "):
        import_model(model, opset=99)


def test_dynamic_dimensions_are_question_marks_and_unsupported_uses_name_the_node(tmp_path):
    x = helper.make_tensor_value_info("x", F, ["N", 3])
    y = helper.make_tensor_value_info("y", F, ["N", 3])
    passthrough = helper.make_model(helper.make_graph([node("Identity", ["x"])], "g", [x], [y]),
                                    opset_imports=[helper.make_opsetid("", 17)])
    assert import_model(passthrough).startswith("func.func @g(%arg0: tensor<?x3xf32>) -> (tensor<?x3xf32>)")
    relu = helper.make_model(helper.make_graph([node("Relu", ["x"])], "g", [x], [y]),
                             opset_imports=[helper.make_opsetid("", 17)])
    assert import_error(tmp_path, relu) == "error: node 'y' (Relu, opset 17): dynamic dimensions are not supported here yet\n"


def test_other_domains_and_undefined_inputs_name_the_node(tmp_path):
    model = model_of([helper.make_node("Binarizer", ["x"], ["y"], domain="ai.onnx.ml")], {"x": rand(2)},
                     {"y": (F, [2])})
    model.opset_import.append(helper.make_opsetid("ai.onnx.ml", 3))
    assert import_error(tmp_path, model) == (
        "error: node 'y' (Binarizer, opset 3): operator domain 'ai.onnx.ml' is not supported\n")


def encoder_layer(seq=8, dim=16, heads=2, hidden=32):
    """One transformer encoder layer (self-attention, feed-forward with erf GELU, residuals and
    LayerNormalization) as a model of primitive ops, with random weights."""
    hd = dim // heads
    w = {n: rand(*s) * 0.3 for n, s in (("wq", (dim, dim)), ("wk", (dim, dim)), ("wv", (dim, dim)),
                                        ("wo", (dim, dim)), ("w1", (dim, hidden)), ("w2", (hidden, dim)))}
    w.update({n: rand(s) * 0.1 for n, s in (("bq", dim), ("bk", dim), ("bv", dim), ("bo", dim), ("b1", hidden),
                                            ("b2", dim), ("ln1b", dim), ("ln2b", dim))})
    w.update({"ln1s": np.abs(rand(dim)) + 0.5, "ln2s": np.abs(rand(dim)) + 0.5,
              "heads_shape": np.array([1, seq, heads, hd], np.int64), "flat_shape": np.array([1, seq, dim], np.int64),
              "scale": np.array(1 / np.sqrt(hd), np.float32), "sqrt2": np.array(np.sqrt(2), np.float32),
              "one": np.array(1, np.float32), "half": np.array(0.5, np.float32)})
    nodes = []
    for p in "qkv":
        nodes += [node("MatMul", ["x", f"w{p}"], [f"{p}0"]), node("Add", [f"{p}0", f"b{p}"], [f"{p}1"]),
                  node("Reshape", [f"{p}1", "heads_shape"], [f"{p}2"]),
                  node("Transpose", [f"{p}2"], [f"{p}3"], perm=[0, 2, 3, 1] if p == "k" else [0, 2, 1, 3])]
    nodes += [node("MatMul", ["q3", "k3"], ["s0"]), node("Mul", ["s0", "scale"], ["s1"]),
              node("Softmax", ["s1"], ["s2"], axis=-1), node("MatMul", ["s2", "v3"], ["a0"]),
              node("Transpose", ["a0"], ["a1"], perm=[0, 2, 1, 3]), node("Reshape", ["a1", "flat_shape"], ["a2"]),
              node("MatMul", ["a2", "wo"], ["a3"]), node("Add", ["a3", "bo"], ["a4"]), node("Add", ["a4", "x"], ["r1"]),
              node("LayerNormalization", ["r1", "ln1s", "ln1b"], ["n1"]),
              node("MatMul", ["n1", "w1"], ["f0"]), node("Add", ["f0", "b1"], ["f1"]),
              node("Div", ["f1", "sqrt2"], ["g0"]), node("Erf", ["g0"], ["g1"]), node("Add", ["g1", "one"], ["g2"]),
              node("Mul", ["f1", "g2"], ["g3"]), node("Mul", ["g3", "half"], ["g4"]),
              node("MatMul", ["g4", "w2"], ["f2"]), node("Add", ["f2", "b2"], ["f3"]), node("Add", ["f3", "n1"], ["r2"]),
              node("LayerNormalization", ["r2", "ln2s", "ln2b"], ["y"])]
    return nodes, {"x": rand(1, seq, dim)}, list(w.items())


def test_transformer_encoder_matches_onnxruntime():
    nodes, inputs, weights = encoder_layer()
    check(nodes, inputs, {"y": (F, [1, 8, 16])}, weights)
