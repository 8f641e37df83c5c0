"""ONNX ops whose shape-giving operand (axes, shape, starts/ends/steps, pads,
repeats, split sizes, k, Range's start/limit/delta) is a graph input, known
only at run time: each model compiled once and run for many operand values
against onnxruntime; operand values that disagree with the declared output
shape fail the call with the node's cf.assert message (exit 1 from the CLI),
on both VMs and like IREE's own compiler on the same MLIR; shapes that are
not declared static are import errors naming the node and operand.
Skips without the onnx extra (and onnxruntime)."""
import re
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper  # noqa: E402

from iree_lite.onnx import OnnxImportError, import_model, load  # noqa: E402
from iree_lite.vm import interp  # noqa: E402
from iree_lite.vm.errors import VMError  # noqa: E402
from tool_runs import as_buffer, compile_both, run_both, same_on_both  # noqa: E402

F, I64 = TensorProto.FLOAT, TensorProto.INT64
RNG = np.random.default_rng(11)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def ints(*values):
    return np.array(values, np.int64)


def model_of(nodes, inputs, outputs, opset=18):
    """inputs {name: (elem type, shape)}; outputs {name: (elem type, shape)}."""
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(n, t, s) for n, (t, s) in inputs.items()],
                              [helper.make_tensor_value_info(n, t, s) for n, (t, s) in outputs.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def node(op, ins, outs=("y",), **attrs):
    return helper.make_node(op, list(ins), list(outs), **attrs)


class Compared:
    """A model compiled once by iree-lite and run by onnxruntime too."""

    def __init__(self, model):
        self.model = model
        self.ours = load(model, device="local-sync")
        self.theirs = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])

    def same(self, **feeds):
        want = self.theirs.run(None, feeds)
        have = self.ours(feeds)
        for out, w in zip(self.model.graph.output, want):
            h = have[out.name]
            assert h.dtype == w.dtype and h.shape == w.shape, (out.name, feeds)
            np.testing.assert_allclose(h, w, rtol=1e-5, atol=1e-6, err_msg=f"{out.name} {feeds}")

    def fails(self, message, **feeds):
        """The call fails with the node's message (its label, then what)."""
        with pytest.raises(VMError, match=r"^FAILED_PRECONDITION; <onnx>:\d+:\d+: " + re.escape(message) + "$"):
            self.ours(feeds)


def test_reshape_shape_operand_with_zero_and_minus_one():
    m = Compared(model_of([node("Reshape", ["x", "s"])], {"x": (F, [2, 3, 4]), "s": (I64, [2])}, {"y": (F, [2, 12])}))
    x = rand(2, 3, 4)
    for s in ([2, 12], [0, 12], [2, -1], [-1, 12], [0, -1]):
        m.same(x=x, s=ints(*s))
    for s in ([3, 8], [12, 2], [-1, -1], [0, 0], [4, -1]):
        m.fails("node 'y' (Reshape, opset 18): the shape operand does not give the declared output shape [2, 12]",
                x=x, s=ints(*s))


REDUCTIONS = ("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
              "ReduceLogSumExp", "ReduceSumSquare")


def test_reductions_select_among_the_axis_sets_the_declared_shape_allows():
    # (3, 4, 4) to (3, 4) without keepdims: axis 1 or 2, each computed, chosen at run time
    nodes = [node(op, ["x", "a"], [op], keepdims=0) for op in REDUCTIONS]
    m = Compared(model_of(nodes, {"x": (F, [3, 4, 4]), "a": (I64, [1])}, {op: (F, [3, 4]) for op in REDUCTIONS}))
    x = np.abs(rand(3, 4, 4)) + 0.5
    for a in (1, 2, -1, -2):
        m.same(x=x, a=ints(a))
    for a in (0, -3, 3, 7):
        m.fails("node 'ReduceSum' (ReduceSum, opset 18): the axes operand does not give the declared output "
                "shape [3, 4]", x=x, a=ints(a))


def test_reductions_with_keepdims_over_size_one_axes():
    # (3, 1, 4) to (3, 1, 1) over 2 axes: {1, 2} in any order or sign; to (3, 1, 4) over axis 1 alone:
    # the squares summed over one element each
    m = Compared(model_of([node("ReduceL2", ["x", "a"], keepdims=1), node("ReduceSumSquare", ["x", "b"], ["z"])],
                          {"x": (F, [3, 1, 4]), "a": (I64, [2]), "b": (I64, [1])},
                          {"y": (F, [3, 1, 1]), "z": (F, [3, 1, 4])}))
    x = rand(3, 1, 4)
    for a, b in (([1, 2], 1), ([2, 1], -2), ([-1, -2], 1), ([2, -2], -2)):
        m.same(x=x, a=ints(*a), b=ints(b))
    for a in ([2, 2], [0, 2], [1, 1]):
        m.fails("node 'y' (ReduceL2, opset 18): the axes operand does not give the declared output shape "
                "[3, 1, 1]", x=x, a=ints(*a), b=ints(1))
    m.fails("node 'z' (ReduceSumSquare, opset 18): the axes operand does not give the declared output shape "
            "[3, 1, 4]", x=x, a=ints(1, 2), b=ints(2))


def test_reduction_through_elementwise_ops_to_a_declared_output():
    # ReduceSum's own result has no inferable shape: Sqrt and Cast carry the declared one back
    nodes = [node("ReduceSum", ["x", "a"], ["s"], keepdims=0), node("Sqrt", ["s"], ["r"]),
             node("Cast", ["r"], ["y"], to=F)]
    m = Compared(model_of(nodes, {"x": (F, [2, 5, 3]), "a": (I64, [2])}, {"y": (F, [5])}))
    x = np.abs(rand(2, 5, 3))
    for a in ([0, 2], [2, 0], [-1, -3]):
        m.same(x=x, a=ints(*a))
    m.fails("node 's' (ReduceSum, opset 18): the axes operand does not give the declared output shape [5]",
            x=x, a=ints(0, 1))


def test_range_length_carried_from_the_output_through_both_branches():
    # Range's length is unknown to shape inference; the two branches from it
    # meet in an Add whose result is declared, so both have its length
    half = helper.make_tensor("half", F, [], [0.5])
    nodes = [node("Cast", ["n"], ["limit"], to=F), node("Constant", [], ["zero"], value_float=0.0),
             node("Constant", [], ["one"], value_float=1.0), node("Constant", [], ["h"], value=half),
             node("Range", ["zero", "limit", "one"], ["r"]), node("Mul", ["r", "h"], ["a"]),
             node("Cos", ["a"], ["c"]), node("Sin", ["r"], ["b"]), node("Add", ["c", "b"], ["y"])]
    m = Compared(model_of(nodes, {"n": (TensorProto.INT32, [])}, {"y": (F, [7])}))
    m.same(n=np.array(7, np.int32))
    m.fails("node 'r' (Range, opset 18): start, limit and delta do not give the declared 7 elements",
            n=np.array(6, np.int32))


def test_slice_with_runtime_starts_ends_axes_and_steps():
    inputs = {"x": (F, [6, 5, 4]), **{n: (I64, [2]) for n in ("st", "en", "ax", "sp")}}
    m = Compared(model_of([node("Slice", ["x", "st", "en", "ax", "sp"])], inputs, {"y": (F, [3, 5, 2])}))
    x = rand(6, 5, 4)
    for st, en, ax, sp in (([0, 0], [3, 2], [0, 2], [1, 1]),
                           ([1, 5], [3, 2], [2, 0], [1, -1]),      # axis 0 backwards: 5, 4, 3
                           ([0, -1], [4, -7], [-1, 0], [2, -2]),  # clamped end: 5, 3, 1
                           ([-9, 2], [99, 4], [0, 2], [2, 1]),
                           ([3, 0], [1000, 2], [0, -1], [1, 1])):
        m.same(x=x, st=ints(*st), en=ints(*en), ax=ints(*ax), sp=ints(*sp))
    message = "node 'y' (Slice, opset 18): the slice operands do not give the declared output shape [3, 5, 2]"
    m.fails(message, x=x, st=ints(0, 0), en=ints(4, 2), ax=ints(0, 2), sp=ints(1, 1))
    m.fails(message, x=x, st=ints(0, 0), en=ints(3, 2), ax=ints(0, 2), sp=ints(1, 0))
    m.fails("node 'y' (Slice, opset 18): the axes operand must name distinct axes in [-3, 2]",
            x=x, st=ints(0, 0), en=ints(3, 2), ax=ints(0, 0), sp=ints(1, 1))
    m.fails("node 'y' (Slice, opset 18): the axes operand must name distinct axes in [-3, 2]",
            x=x, st=ints(0, 0), en=ints(3, 2), ax=ints(0, 3), sp=ints(1, 1))


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "wrap"])
def test_pad_with_runtime_pads(mode):
    ins = ["x", "p", "v"] if mode == "constant" else ["x", "p"]
    inputs = {"x": (F, [3, 4]), "p": (I64, [4]), **({"v": (F, [])} if mode == "constant" else {})}
    m = Compared(model_of([node("Pad", ins, mode=mode)], inputs, {"y": (F, [6, 5])}, opset=19))
    x = rand(3, 4)
    value = {"v": np.array(2.5, np.float32)} if mode == "constant" else {}
    # [rows low, cols low, rows high, cols high]; onnxruntime reflects at most size - 1 elements
    pads = [[1, 0, 2, 1], [2, 1, 1, 0], [1, -1, 2, 2], [2, 2, 1, -1], [3, -2, 0, 3]]
    for p in pads[:4] if mode == "reflect" else pads:
        m.same(x=x, p=ints(*p), **value)
    m.fails("node 'y' (Pad, opset 19): the pads operand does not give the declared output shape [6, 5]",
            x=x, p=ints(1, 1, 1, 1), **value)


def test_pad_with_runtime_axes():
    inputs = {"x": (F, [2, 3, 4]), "p": (I64, [2]), "a": (I64, [1])}
    m = Compared(model_of([node("Pad", ["x", "p", "", "a"])], inputs, {"y": (F, [2, 3, 7])}))
    x = rand(2, 3, 4)
    for p, a in (([1, 2], 2), ([3, 0], -1), ([-1, 4], 2)):
        m.same(x=x, p=ints(*p), a=ints(a))
    m.fails("node 'y' (Pad, opset 18): the pads operand does not give the declared output shape [2, 3, 7]",
            x=x, p=ints(1, 2), a=ints(1))


@pytest.mark.parametrize("upper", [0, 1])
def test_trilu_with_runtime_k(upper):
    m = Compared(model_of([node("Trilu", ["x", "k"], upper=upper)], {"x": (F, [2, 4, 5]), "k": (I64, [])},
                          {"y": (F, [2, 4, 5])}))
    x = rand(2, 4, 5)
    for k in range(-5, 7):
        m.same(x=x, k=np.array(k, np.int64))


def test_range_with_runtime_start_limit_delta():
    ints_model = Compared(model_of([node("Range", ["s", "l", "d"])], {n: (TensorProto.INT32, []) for n in "sld"},
                                   {"y": (TensorProto.INT32, [5])}, opset=11))
    for s, l, d in ((0, 5, 1), (10, 0, -2), (3, 12, 2), (-7, -2, 1), (100, 81, -4)):
        ints_model.same(s=np.array(s, np.int32), l=np.array(l, np.int32), d=np.array(d, np.int32))
    message = "node 'y' (Range, opset 11): start, limit and delta do not give the declared 5 elements"
    for s, l, d in ((0, 10, 1), (0, 5, 0), (5, 0, 1)):
        ints_model.fails(message, s=np.array(s, np.int32), l=np.array(l, np.int32), d=np.array(d, np.int32))
    floats = Compared(model_of([node("Range", ["s", "l", "d"])], {n: (F, []) for n in "sld"}, {"y": (F, [4])},
                               opset=11))
    for s, l, d in ((0.5, 2.5, 0.5), (1.0, -1.0, -0.6), (-3.0, 1.0, 1.0)):
        floats.same(s=np.array(s, np.float32), l=np.array(l, np.float32), d=np.array(d, np.float32))
    for s, l, d in ((0, 1, 0.5), (0, 1, 0), (0, np.inf, 1), (np.nan, 1, 1), (0, 1e30, 1e-30)):
        floats.fails("node 'y' (Range, opset 11): start, limit and delta do not give the declared 4 elements",
                     s=np.array(s, np.float32), l=np.array(l, np.float32), d=np.array(d, np.float32))


def test_unsqueeze_squeeze_expand_tile_split_constant_of_shape():
    m = Compared(model_of(
        [node("Unsqueeze", ["x", "ua"], ["u"]), node("Squeeze", ["u", "sa"], ["q"]),
         node("Expand", ["x", "es"], ["e"]), node("Tile", ["x", "tr"], ["t"]),
         node("Split", ["x", "sp"], ["s0", "s1"], axis=1), node("ConstantOfShape", ["cs"], ["c"])],
        {"x": (F, [3, 1, 4]), "ua": (I64, [2]), "sa": (I64, [1]), "es": (I64, [4]), "tr": (I64, [3]),
         "sp": (I64, [2]), "cs": (I64, [2])},
        {"u": (F, [3, 1, 1, 4, 1]), "q": (F, [3, 1, 4, 1]), "e": (F, [2, 3, 5, 4]), "t": (F, [6, 3, 4]),
         "s0": (F, [3, 0, 4]), "s1": (F, [3, 1, 4]), "c": (F, [2, 3])}))
    x = rand(3, 1, 4)
    ok = dict(ua=ints(2, 4), sa=ints(1), es=ints(2, 3, 5, 4), tr=ints(2, 3, 1), sp=ints(0, 1), cs=ints(2, 3))
    m.same(x=x, **ok)
    m.same(x=x, **{**ok, "ua": ints(-1, 1), "sa": ints(-3), "es": ints(2, 1, 5, 1)})
    m.same(x=x, **{**ok, "ua": ints(4, 2), "sa": ints(2)})
    for name, bad, what in (
            ("ua", ints(0, 4), "'u' (Unsqueeze, opset 18): the axes operand does not give the declared output "
                               "shape [3, 1, 1, 4, 1]"),
            ("ua", ints(2, 2), "'u' (Unsqueeze, opset 18): the axes operand does not give the declared output "
                               "shape [3, 1, 1, 4, 1]"),
            ("sa", ints(0), "'q' (Squeeze, opset 18): the axes operand does not give the declared output shape "
                            "[3, 1, 4, 1]"),
            ("es", ints(2, 3, 5, 2), "'e' (Expand, opset 18): the shape operand does not give the declared output "
                                  "shape [2, 3, 5, 4]"),
            ("tr", ints(2, 1, 3), "'t' (Tile, opset 18): the repeats operand does not give the declared output "
                                  "shape [6, 3, 4]"),
            ("sp", ints(1, 0), "'s0' (Split, opset 18): the split operand does not give the declared output "
                               "sizes [0, 1]"),
            ("cs", ints(3, 2), "'c' (ConstantOfShape, opset 18): the shape operand does not give the declared "
                               "output shape [2, 3]")):
        m.fails("node " + what, x=x, **{**ok, name: bad})


def test_both_vms_run_the_runtime_operands(both_vms):
    model = model_of([node("Slice", ["x", "st", "en", "ax", "sp"], ["s"]), node("Reshape", ["s", "r"])],
                     {"x": (F, [6, 5]), **{n: (I64, [1]) for n in ("st", "en", "ax", "sp")}, "r": (I64, [2])},
                     {"y": (F, [5, 2]), "s": (F, [2, 5])})
    text = import_model(model, weights="inline")
    x = rand(6, 5)
    want = np.ascontiguousarray(x[4:0:-2].reshape(5, 2))
    good = [x, ints(4), ints(0), ints(0), ints(-2), ints(-1, 2)]
    bad = good[:5] + [ints(2, 5)]
    native, reference = both_vms(text, "m.mlir")
    np.testing.assert_array_equal(same_on_both(native, reference, "g", good)[0], want)
    for vm in (native, reference):
        with pytest.raises(VMError, match=r"^FAILED_PRECONDITION; m\.mlir:\d+:\d+: node 'y' \(Reshape, opset 18\): "
                                          r"the shape operand does not give the declared output shape \[5, 2\]"):
            vm.invoke("g", [as_buffer(a) for a in bad] if isinstance(vm, interp.Context) else bad)


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "iree_lite", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd)


def test_cli_run_of_an_inconsistent_operand_exits_1_with_the_message(tmp_path):
    model = model_of([node("Reshape", ["x", "s"])], {"x": (F, [2, 3]), "s": (I64, [2])}, {"y": (F, [3, 2])})
    onnx.save(model, str(tmp_path / "m.onnx"))
    assert cli("import-onnx", "m.onnx", "-o", "m.mlir", cwd=tmp_path).returncode == 0
    ok = cli("run-mlir", "m.mlir", "--input=2x3xf32=1 2 3 4 5 6", "--input=2xi64=-1 2", cwd=tmp_path)
    assert (ok.returncode, ok.stdout) == (0, "EXEC @g\nresult[0]: hal.buffer_view\n3x2xf32=[1 2][3 4][5 6]\n")
    bad = cli("run-mlir", "m.mlir", "--input=2x3xf32=1 2 3 4 5 6", "--input=2xi64=2 3", cwd=tmp_path)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert re.search(r"FAILED_PRECONDITION; m\.mlir:\d+:\d+: node 'y' \(Reshape, opset 18\): the shape operand "
                     r"does not give the declared output shape \[3, 2\]", bad.stderr), bad.stderr


def test_same_results_and_status_as_iree_on_the_imported_mlir(reference_iree, tmp_path):
    model = model_of([node("ReduceMax", ["x", "a"], ["m"], keepdims=0), node("Trilu", ["m", "k"], ["y"])],
                     {"x": (F, [3, 4, 4]), "a": (I64, [1]), "k": (I64, [])}, {"y": (F, [3, 4])})
    src = tmp_path / "m.mlir"
    src.write_text(import_model(model, weights="inline"))
    modules = compile_both(reference_iree, src)
    x = "--input=3x4x4xf32=" + " ".join(str(v) for v in range(48))
    for axes, k, status in (("1", "1", 0), ("-1", "-2", 0), ("0", "0", 1)):
        want, have = run_both(reference_iree, modules, ["--function=g", x, f"--input=1xi64={axes}", f"--input=i64={k}"])
        assert have[1] == want[1] and have[0] == want[0] == status


@pytest.mark.parametrize("nodes,inputs,outputs,message", [
    ([node("ReduceSum", ["x", "a"], keepdims=0)], {"x": (F, [3, 4]), "a": (I64, [1])}, {"y": (F, [5])},
     "node 'y' (ReduceSum, opset 18): no 1 axes of [3, 4] give the declared output shape"),
    ([node("ReduceSum", ["x", "a"], keepdims=0)], {"x": (F, [3, 4]), "a": (I64, [None])}, {"y": (F, [3])},
     "node 'y' (ReduceSum, opset 18): input 1 ('a', axes) of shape [?]: a 1-D operand of static size is needed"),
    ([node("Slice", ["x", "s", "e"])], {"x": (F, [3, 4]), "s": (I64, [1]), "e": (I64, [1])}, {"y": (F, [None, 4])},
     "node 'y' (Slice, opset 18): input 1 ('s') is known only at run time, so output 0 ('y') needs a static "
     "declared shape (it has [?, 4])"),
    ([node("Tile", ["x", "r"])], {"x": (F, [3, 4]), "r": (I64, [2])}, {"y": (F, [7, 4])},
     "node 'y' (Tile, opset 18): cannot tile [3, 4] to the declared [7, 4]"),
    ([node("Split", ["x", "s"], ["a", "b"])], {"x": (F, [3, 4]), "s": (I64, [3])},
     {"a": (F, [1, 4]), "b": (F, [2, 4])},
     "node 'a' (Split, opset 18): input 1 ('s', split) has 3 elements, 2 expected"),
    ([node("Unsqueeze", ["x", "a"])], {"x": (F, [3, 4]), "a": (I64, [2])}, {"y": (F, [3, 4, 1, 2])},
     "node 'y' (Unsqueeze, opset 18): no 2 axes of [3, 4] give the declared output shape"),
])
def test_shapes_the_runtime_operands_cannot_fix_are_import_errors(nodes, inputs, outputs, message):
    with pytest.raises(OnnxImportError) as e:
        import_model(model_of(nodes, inputs, outputs))
    assert str(e.value) == message
