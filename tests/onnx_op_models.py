"""Test support for the per-op ONNX importer tests (tests/test_onnx_ops_*.py):
one-node models built with onnx.helper, run by iree-lite and compared with
onnxruntime (or onnx's reference evaluator where onnxruntime lacks the op),
and the same model through the real iree-compile / iree-run-module."""
import subprocess

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import helper, numpy_helper  # noqa: E402

from iree_lite.onnx import OnnxImportError, import_model, load  # noqa: E402


def node(op, ins, outs=("y",), **attrs):
    return helper.make_node(op, list(ins), list(outs), **attrs)


def model_of(nodes, inputs, outputs, weights=(), opset=21):
    """inputs {name: array}, outputs [names] (types and shapes inferred),
    weights {name: array} as initializers."""
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
         for n, a in inputs.items()],
        [helper.make_tensor_value_info(n, 0, None) for n in outputs],
        [numpy_helper.from_array(np.asarray(a), n) for n, a in dict(weights).items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    return onnx.shape_inference.infer_shapes(model, strict_mode=True)


def declared_model(op_node, inputs, outputs, opset):
    """inputs and outputs {name: (numpy dtype, shape)}: every output's shape
    declared, as a model with a run-time size operand (TopK's k, OneHot's
    depth, a window's size) must."""
    def info(name, dtype, shape):
        return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(np.dtype(dtype)), shape)
    graph = helper.make_graph([op_node], "g", [info(n, *t) for n, t in inputs.items()],
                              [info(n, *t) for n, t in outputs.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def expected(model, inputs, oracle="onnxruntime"):
    if oracle == "reference":
        from onnx.reference import ReferenceEvaluator
        return [np.asarray(r) for r in ReferenceEvaluator(model).run(None, inputs)]
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, inputs)


def assert_same(have, want, rtol, atol):
    assert have.dtype == want.dtype and have.shape == want.shape, (have.dtype, have.shape, want.dtype, want.shape)
    if want.dtype.kind == "f":
        np.testing.assert_allclose(have, want, rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(have, want)


def check(nodes, inputs, outputs=("y",), weights=(), opset=21, oracle="onnxruntime", rtol=1e-5, atol=1e-6):
    """iree-lite's outputs equal the oracle's (integers exactly)."""
    model = model_of(nodes, inputs, outputs, weights, opset)
    want = expected(model, inputs, oracle)
    have = load(model, device="local-sync")(inputs)
    for name, w in zip(outputs, want):
        assert_same(have[name], np.asarray(w), rtol, atol)


def import_error(nodes, inputs, outputs=("y",), weights=(), opset=21):
    """The one-line import error for the model."""
    with pytest.raises(OnnxImportError) as info:
        import_model(model_of(nodes, inputs, outputs, weights, opset))
    return str(info.value)


def check_on_real_iree(tmp_path, reference_iree, nodes, inputs, outputs, weights=(), opset=21, oracle="onnxruntime"):
    """The imported MLIR compiled and run by the real IREE gives the oracle's outputs."""
    model = model_of(nodes, inputs, outputs, weights, opset)
    want = expected(model, inputs, oracle)
    (tmp_path / "m.mlir").write_text(import_model(model))
    subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(tmp_path / "m.mlir"),
                    "-o", str(tmp_path / "m.vmfb")], check=True, capture_output=True, timeout=600)
    args = []
    for i, a in enumerate(inputs.values()):
        np.save(tmp_path / f"in{i}.npy", a)
        args.append(f"--input=@{tmp_path / f'in{i}.npy'}")
    args += [f"--output=@{tmp_path / f'out{i}.npy'}" for i in range(len(outputs))]
    subprocess.run([reference_iree["iree-run-module"], f"--module={tmp_path / 'm.vmfb'}", *args],
                   check=True, capture_output=True, timeout=600)
    for i, w in enumerate(want):
        w = np.asarray(w)
        have = np.load(tmp_path / f"out{i}.npy")
        assert_same(have.view(w.dtype) if have.dtype.itemsize == w.dtype.itemsize else have, w, 1e-5, 1e-6)
