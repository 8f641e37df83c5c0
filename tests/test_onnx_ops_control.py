"""The ONNX importer's control flow (If, Loop, Scan) and sequences against
onnxruntime: subgraphs reading the enclosing graph's values, run-time and
import-time conditions, data-dependent trip counts with scan outputs, scan
axes and directions; and the forms it refuses, with the reason. Skips
without onnx/onnxruntime."""
import subprocess
import sys

import numpy as np
import pytest

from onnx_op_models import check_on_real_iree, expected, node

import onnx  # noqa: E402 (after onnx_op_models' skips)
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from iree_lite.onnx import OnnxImportError, import_model, load  # noqa: E402

RNG = np.random.default_rng(12)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def info(name, dtype=TensorProto.FLOAT, shape=None):
    return helper.make_tensor_value_info(name, dtype, shape)


def seq_info(name):
    return helper.make_tensor_sequence_value_info(name, TensorProto.FLOAT, None)


def graph(nodes, inputs, outputs):
    return helper.make_graph(nodes, "body", inputs, outputs)


def same(have, want):
    """iree-lite's outputs equal onnxruntime's: sequences element by element."""
    if isinstance(want, list):
        assert isinstance(have, list) and len(have) == len(want)
        for h, w in zip(have, want):
            same(h, w)
        return
    want = np.asarray(want)
    assert have.dtype == want.dtype and have.shape == want.shape, (have.dtype, have.shape, want.dtype, want.shape)
    np.testing.assert_allclose(have, want, rtol=1e-5, atol=1e-6)


def model_of(nodes, inputs, outputs, weights, opset, sequences):
    """onnx_op_models.model_of with the outputs named in `sequences` declared
    as sequences."""
    def out(name):
        return seq_info(name) if name in sequences else info(name, 0)
    g = helper.make_graph(nodes, "g", [info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
                                       for n, a in inputs.items()],
                          [out(n) for n in outputs], [numpy_helper.from_array(np.asarray(a), n)
                                                      for n, a in dict(weights).items()])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    return onnx.shape_inference.infer_shapes(model, strict_mode=True)


def check(nodes, inputs, outputs=("y",), weights=(), opset=21, sequences=()):
    model = model_of(nodes, inputs, outputs, weights, opset, sequences)
    want = expected(model, inputs)
    have = load(model, device="local-sync")(inputs)
    for name, w in zip(outputs, want):
        same(have[name], w)
    return model


def branches():
    """An If's two branches: then x*w (w an initializer of the outer graph),
    else x's first rows (another static shape), both reading outer x."""
    then = graph([node("Mul", ["x", "w"], ["t"])], [], [info("t")])
    other = graph([node("Slice", ["x", "starts", "ends"], ["e"])], [], [info("e")])
    return then, other


@pytest.mark.parametrize("flag", [True, False])
def test_if_on_a_run_time_condition_reads_outer_values(flag):
    then, other = branches()
    weights = {"w": rand(4, 3), "starts": np.array([0], np.int64), "ends": np.array([2], np.int64)}
    check([node("If", ["c"], then_branch=then, else_branch=other)],
          {"c": np.array(flag), "x": rand(4, 3)}, weights=weights)


def test_if_on_an_import_time_condition_is_the_branch_inlined():
    then, other = branches()
    weights = {"w": rand(4, 3), "starts": np.array([0], np.int64), "ends": np.array([2], np.int64),
               "c": np.array(False)}
    model = check([node("If", ["c"], then_branch=then, else_branch=other)], {"x": rand(4, 3)}, weights=weights)
    text = import_model(model)
    assert "scf.if" not in text and "tensor.extract_slice %arg0[0, 0] [2, 3]" in text


def loop_body(scan=True):
    """y += x * (i + 1) while the running sum of y stays below a limit;
    the scan output is each step's y."""
    nodes = [node("Cast", ["i"], ["fi"], to=TensorProto.FLOAT), node("Add", ["fi", "one"], ["f"]),
             node("Mul", ["x", "f"], ["step"]), node("Add", ["y_in", "step"], ["y_out"]),
             node("ReduceSum", ["y_out"], ["total"], keepdims=0), node("Less", ["total", "limit"], ["c_out"])]
    outs = [info("c_out", TensorProto.BOOL, []), info("y_out", shape=[3])]
    if scan:
        nodes.append(node("Identity", ["y_out"], ["s"]))
        outs.append(info("s", shape=[3]))
    return graph(nodes, [info("i", TensorProto.INT64, []), info("c_in", TensorProto.BOOL, []),
                         info("y_in", shape=[3])], outs)


@pytest.mark.parametrize("trip,cond", [(5, None), (None, True), (7, True), (2, True), (4, False)])
def test_loop_trip_count_condition_and_scan_outputs(trip, cond):
    inputs = {"x": np.array([1, 2, 3], np.float32), "y0": np.zeros(3, np.float32)}
    if trip is not None:
        inputs["m"] = np.array(trip, np.int64)
    if cond is not None:
        inputs["c"] = np.array(cond)
    weights = {"one": np.array(1, np.float32), "limit": np.array(40, np.float32)}
    check([node("Loop", ["m" if trip is not None else "", "c" if cond is not None else "", "y0"], ["y", "s"],
                body=loop_body())], inputs, outputs=("y", "s"), weights=weights)


def counting_body():
    """y += x * (i + 1), the condition passed on: a fixed trip count."""
    return graph([node("Cast", ["i"], ["fi"], to=TensorProto.FLOAT), node("Add", ["fi", "one"], ["f"]),
                  node("Mul", ["x", "f"], ["step"]), node("Add", ["y_in", "step"], ["y_out"]),
                  node("Identity", ["c_in"], ["c_out"]), node("Identity", ["y_out"], ["s"])],
                 [info("i", TensorProto.INT64, []), info("c_in", TensorProto.BOOL, []), info("y_in", shape=[3])],
                 [info("c_out", TensorProto.BOOL, []), info("y_out", shape=[3]), info("s", shape=[3])])


@pytest.mark.parametrize("trip", [0, 4])
@pytest.mark.parametrize("cond", [None, True])
def test_loop_with_an_import_time_trip_count_is_an_scf_for_with_static_scan_outputs(trip, cond):
    weights = {"one": np.array(1, np.float32), "m": np.array(trip, np.int64)}
    if cond is not None:
        weights["c"] = np.array(cond)
    model = check([node("Loop", ["m", "c" if cond is not None else "", "y0"], ["y", "s"], body=counting_body())],
                  {"x": np.array([1, 2, 3], np.float32), "y0": np.ones(3, np.float32)}, outputs=("y", "s"),
                  weights=weights)
    text = import_model(model)
    assert "scf.while" not in text and f"-> (tensor<3xf32>, tensor<{trip}x3xf32>)" in text


def test_loop_whose_body_decides_to_stop_is_an_scf_while_even_with_a_known_trip_count():
    weights = {"one": np.array(1, np.float32), "limit": np.array(40, np.float32), "m": np.array(9, np.int64)}
    model = check([node("Loop", ["m", "", "y0"], ["y", "s"], body=loop_body())],
                  {"x": np.array([1, 2, 3], np.float32), "y0": np.zeros(3, np.float32)}, outputs=("y", "s"),
                  weights=weights)
    assert "scf.while" in import_model(model) and "tensor<?x3xf32>" in import_model(model)


def scan_body():
    """state += row; the scan outputs are the new state and row * 2."""
    return graph([node("Add", ["s_in", "row"], ["s_out"]), node("Add", ["row", "row"], ["twice"]),
                  node("Identity", ["s_out"], ["acc"])],
                 [info("s_in", shape=[2]), info("row", shape=[2])],
                 [info("s_out", shape=[2]), info("acc", shape=[2]), info("twice", shape=[2])])


@pytest.mark.parametrize("attrs", [
    {}, {"scan_input_directions": [1]}, {"scan_input_axes": [1]}, {"scan_input_axes": [-1]},
    {"scan_output_axes": [1, -1], "scan_output_directions": [1, 0]},
])
def test_scan_axes_and_directions(attrs):
    x = rand(2, 5) if attrs.get("scan_input_axes") else rand(5, 2)
    check([node("Scan", ["s0", "x"], ["s", "acc", "twice"], body=scan_body(), num_scan_inputs=1, **attrs)],
          {"s0": rand(2), "x": x}, outputs=("s", "acc", "twice"), opset=16)


def test_scan_opset_8_batches():
    check([node("Scan", ["", "s0", "x"], ["s", "acc", "twice"], body=scan_body(), num_scan_inputs=1,
                directions=[1])], {"s0": rand(3, 2), "x": rand(3, 4, 2)}, outputs=("s", "acc", "twice"), opset=8)


def test_sequence_ops():
    nodes = [node("SplitToSequence", ["x", "sizes"], ["parts"], axis=1),
             node("SequenceInsert", ["parts", "z", "at"], ["more"]),
             node("SequenceErase", ["more"], ["fewer"]),
             node("SequenceAt", ["fewer", "at"], ["picked"]),
             node("SequenceLength", ["fewer"], ["n"]),
             node("ConcatFromSequence", ["fewer"], ["joined"], axis=1),
             node("SplitToSequence", ["x"], ["cols"], axis=1, keepdims=0),
             node("ConcatFromSequence", ["cols"], ["stacked"], axis=-1, new_axis=1),
             node("SequenceConstruct", ["picked", "picked"], ["two"]), node("Identity", ["two"], ["pair"])]
    weights = {"sizes": np.array([1, 3, 2], np.int64), "at": np.array(-1, np.int64)}
    check(nodes, {"x": rand(2, 6), "z": rand(2, 4)}, outputs=("picked", "n", "joined", "stacked", "pair"),
          weights=weights, opset=17, sequences=("pair",))


def test_sequence_map_and_empty_sequences():
    body = graph([node("ReduceSum", ["e", "axes"], ["r"], keepdims=1), node("Add", ["r", "bias"], ["b"])],
                 [info("e", shape=[2, None])], [info("b", shape=[2, 1])])
    nodes = [node("SplitToSequence", ["x", "sizes"], ["parts"], axis=1),
             node("SequenceMap", ["parts"], ["sums"], body=body),
             node("SequenceEmpty", [], ["none"], dtype=TensorProto.FLOAT),
             node("SequenceInsert", ["none", "bias"], ["one"]), node("SequenceLength", ["none"], ["n"])]
    weights = {"sizes": np.array([2, 1, 3], np.int64), "axes": np.array([1], np.int64),
               "bias": np.full((2, 1), 0.5, np.float32)}
    check(nodes, {"x": rand(2, 6)}, outputs=("sums", "one", "n"), weights=weights, opset=17,
          sequences=("sums", "one"))


def test_a_sequence_through_if_on_a_run_time_condition():
    then = graph([node("SequenceConstruct", ["x", "x"], ["p"])], [], [seq_info("p")])
    other = graph([node("Neg", ["x"], ["nx"]), node("SequenceConstruct", ["nx", "x"], ["q"])], [], [seq_info("q")])
    for flag in (True, False):
        check([node("If", ["c"], then_branch=then, else_branch=other)], {"c": np.array(flag), "x": rand(3)},
              opset=17, sequences=("y",))


def import_error(nodes, inputs, weights=(), opset=17, sequences=()):
    """The one-line import error for the model."""
    with pytest.raises(OnnxImportError) as error:
        import_model(model_of(nodes, inputs, ("y",), weights, opset, sequences))
    return str(error.value)


LOOP_INPUTS = {"m": np.array(3, np.int64), "x": np.array([1, 2, 3], np.float32), "y0": np.zeros(3, np.float32)}


@pytest.mark.parametrize("nodes,inputs,weights,message", [
    ([node("Loop", ["", "", "y0"], ["y", "s"], body=loop_body())], LOOP_INPUTS, {},
     "node 'y' (Loop, opset 17): it has neither a trip count nor a condition, so it would never end"),
    ([node("Loop", ["m", "", "y0"], ["y"], body=graph(
        [node("Concat", ["y_in", "y_in"], ["y_out"], axis=0), node("Identity", ["c_in"], ["c_out"])],
        [info("i", TensorProto.INT64, []), info("c_in", TensorProto.BOOL, []), info("y_in", shape=[3])],
        [info("c_out", TensorProto.BOOL, []), info("y_out", shape=[6])]))], LOOP_INPUTS, {},
     "node 'y' (Loop, opset 17): loop-carried value 0 changes from float32[3] to float32[6] in the body: "
     "not supported"),
    ([node("SplitToSequence", ["x", "m"], ["parts"]), node("ConcatFromSequence", ["parts"], ["y"], axis=0)],
     LOOP_INPUTS, {}, "node 'parts' (SplitToSequence, opset 17): input 1 ('split') must be known at import "
     "time: it decides the sequence's length"),
    ([node("SequenceConstruct", ["x", "y0"], ["s"]), node("SequenceAt", ["s", "m"], ["y"])], LOOP_INPUTS, {},
     "node 'y' (SequenceAt, opset 17): input 1 ('m', the position) must be known at import time: it picks a "
     "sequence element, whose type could depend on it"),
    ([node("SequenceConstruct", ["x"], ["s"]), node("SequenceAt", ["s", "at"], ["y"])], LOOP_INPUTS,
     {"at": np.array(1, np.int64)}, "node 'y' (SequenceAt, opset 17): position 1 is out of range for a sequence "
     "of 1 elements"),
])
def test_refused_forms_say_why(nodes, inputs, weights, message):
    assert import_error(nodes, inputs, weights=weights, opset=17) == message


def test_if_branches_with_sequences_of_different_lengths_are_refused():
    then = graph([node("SequenceConstruct", ["x", "x"], ["p"])], [], [seq_info("p")])
    other = graph([node("SequenceConstruct", ["x"], ["q"])], [], [seq_info("q")])
    assert import_error([node("If", ["c"], then_branch=then, else_branch=other)],
                        {"c": np.array(True), "x": rand(3)}, sequences=("y",)) == (
        "node 'y' (If, opset 17): the branches yield sequences of different lengths, known only at run time")


def sequence_loop(trip):
    """A Loop appending x * i to a sequence, its scan output i + x."""
    body = graph([node("Cast", ["i"], ["fi"], to=TensorProto.FLOAT), node("Mul", ["x", "fi"], ["xi"]),
                  node("SequenceInsert", ["s_in", "xi"], ["s_out"]), node("Identity", ["c_in"], ["c_out"]),
                  node("Add", ["x", "fi"], ["row"])],
                 [info("i", TensorProto.INT64, []), info("c_in", TensorProto.BOOL, []), seq_info("s_in")],
                 [info("c_out", TensorProto.BOOL, []), seq_info("s_out"), info("row", shape=[3])])
    return [node("SequenceEmpty", [], ["e"]), node("Loop", [trip, "", "e"], ["y", "rows"], body=body)]


def test_a_sequence_carried_through_a_loop_of_a_known_trip_count_is_unrolled():
    model = check(sequence_loop("m"), {"x": rand(3)}, outputs=("y", "rows"), weights={"m": np.array(3, np.int64)},
                  opset=17, sequences=("y",))
    assert "scf." not in import_model(model)


def test_a_sequence_carried_through_a_loop_of_a_run_time_trip_count_is_refused():
    assert import_error(sequence_loop("m"), {"x": rand(3), "m": np.array(3, np.int64)}, sequences=("y",)) == (
        "node 'y' (Loop, opset 17): a sequence is carried through the loop, so it is unrolled at import time "
        "and needs the trip count (input 0) known then")


def test_if_branches_of_different_ranks_are_refused():
    then = graph([node("Identity", ["x"], ["t"])], [], [info("t")])
    other = graph([node("Identity", ["z"], ["e"])], [], [info("e")])
    assert import_error([node("If", ["c"], then_branch=then, else_branch=other)],
                        {"c": np.array(True), "x": rand(3), "z": rand(3, 1)}) == (
        "node 'y' (If, opset 17): output 0: the branches yield float32[3] and float32[3, 1], of different "
        "element types or ranks")


def test_errors_inside_a_subgraph_name_the_branch_and_its_node():
    then = graph([node("Unique", ["x"], ["u"])], [], [info("u")])
    other = graph([node("Identity", ["x"], ["v"])], [], [info("v")])
    assert import_error([node("If", ["c"], then_branch=then, else_branch=other)],
                        {"c": np.array(True), "x": rand(3)}, opset=17) == (
        "node 'y' (If, opset 17): then_branch: node 'u' (Unique, opset 17): operator 'Unique' is not supported: "
        "its output shape depends on the input values")


def test_a_sequence_graph_input_is_one_line_and_exit_1(tmp_path):
    import onnx
    g = helper.make_graph([node("SequenceLength", ["s"], ["n"])], "g",
                          [helper.make_tensor_sequence_value_info("s", TensorProto.FLOAT, [2])],
                          [info("n", TensorProto.INT64, [])])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), str(tmp_path / "m.onnx"))
    proc = subprocess.run([sys.executable, "-m", "iree_lite", "import-onnx", str(tmp_path / "m.onnx")],
                          capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1, "", "error: graph input 's' is a sequence, whose length is known only at run time: only sequences "
        "built inside the model are supported\n")


def test_scan_and_if_on_real_iree(tmp_path, reference_iree):
    check_on_real_iree(tmp_path, reference_iree,
                       [node("Scan", ["s0", "x"], ["s", "acc", "twice"], body=scan_body(), num_scan_inputs=1,
                             scan_output_directions=[0, 1])],
                       {"s0": rand(2), "x": rand(5, 2)}, ("s", "acc", "twice"), opset=16)


def test_loop_on_real_iree(tmp_path, reference_iree):
    inputs = {"m": np.array(5, np.int64), "c": np.array(True), "x": np.array([1, 2, 3], np.float32),
              "y0": np.zeros(3, np.float32)}
    check_on_real_iree(tmp_path, reference_iree, [node("Loop", ["m", "c", "y0"], ["y", "s"], body=loop_body())],
                       inputs, ("y", "s"), weights={"one": np.array(1, np.float32),
                                                    "limit": np.array(40, np.float32)}, opset=17)


def test_if_on_real_iree(tmp_path, reference_iree):
    then, other = branches()
    weights = {"w": rand(4, 3), "starts": np.array([0], np.int64), "ends": np.array([2], np.int64)}
    check_on_real_iree(tmp_path, reference_iree, [node("If", ["c"], then_branch=then, else_branch=other)],
                       {"c": np.array(False), "x": rand(4, 3)}, ("y",), weights=weights)


def test_loop_and_scan_on_both_vms(both_vms):
    """The imported scf.while (a growing scan output) and an scf.for over its
    dynamic length run the same in the native VM and the reference
    interpreter."""
    from tool_runs import as_buffer
    from iree_lite.vm import interp
    nodes = [node("Loop", ["m", "c", "y0"], ["y", "s"], body=loop_body()),
             node("Scan", ["y", "s"], ["t", "acc", "twice"], body=graph(
                 [node("Add", ["s_in", "row"], ["s_out"]), node("Add", ["row", "row"], ["twice"]),
                  node("Identity", ["s_out"], ["acc"])],
                 [info("s_in", shape=[3]), info("row", shape=[3])],
                 [info("s_out", shape=[3]), info("acc", shape=[3]), info("twice", shape=[3])]),
                  num_scan_inputs=1, scan_input_directions=[1])]
    inputs = {"m": np.array(6, np.int64), "c": np.array(True), "x": np.array([1, 2, 3], np.float32),
              "y0": np.zeros(3, np.float32)}
    outputs = ("y", "s", "t", "twice")
    weights = {"one": np.array(1, np.float32), "limit": np.array(40, np.float32)}
    model = model_of(nodes, inputs, outputs, weights, 17, ())
    want = expected(model, inputs)
    for vm in both_vms(import_model(model), "m.mlir"):
        args = [as_buffer(a) if isinstance(vm, interp.Context) else a for a in inputs.values()]
        have = vm.invoke("g", args)
        for h, w in zip(have, want):
            h = np.frombuffer(bytes(h.data), w.dtype).reshape(h.shape) if isinstance(vm, interp.Context) \
                else np.asarray(h)
            same(h, w)
