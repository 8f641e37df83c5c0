"""The ONNX importer's ordered ops against onnxruntime on random inputs:
CumSum, CumProd, TopK, Hardmax, OneHot, ReverseSequence; their errors; and
one model of them through the real IREE. Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, check_on_real_iree, declared_model, import_error, node

RNG = np.random.default_rng(11)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def ints(*shape, low=-9, high=9, dtype=np.int32):
    return RNG.integers(low, high, shape).astype(dtype)


@pytest.mark.parametrize("op", ["CumSum", "CumProd"])
@pytest.mark.parametrize("exclusive,reverse", [(0, 0), (1, 0), (0, 1), (1, 1)])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cumulative_with_a_constant_axis(op, exclusive, reverse, axis):
    x = rand(3, 4, 5) if op == "CumSum" else (rand(3, 4, 5) * 0.5 + 1).astype(np.float32)
    # CumProd is opset 26, past onnxruntime: onnx's reference evaluator is the oracle there
    opset, oracle = (14, "onnxruntime") if op == "CumSum" else (26, "reference")
    check([node(op, ["x", "axis"], exclusive=exclusive, reverse=reverse)], {"x": x},
          weights={"axis": np.array(axis, np.int64)}, opset=opset, oracle=oracle)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_cumsum_with_a_run_time_axis_of_integers(axis):
    x = ints(2, 3, 4)
    check([node("CumSum", ["x", "axis"], exclusive=1)], {"x": x, "axis": np.array(axis, np.int32)}, opset=14)


def test_cumsum_run_time_axis_out_of_range_fails_the_call():
    from onnx_op_models import model_of

    from iree_lite.onnx import load
    from iree_lite.vm.errors import VMError
    model = model_of([node("CumSum", ["x", "axis"])], {"x": rand(2, 3), "axis": np.array(0, np.int64)}, ["y"],
                     opset=14)
    run = load(model, device="local-sync")
    with pytest.raises(VMError, match="CumSum: axis is out of range for rank 2"):
        run({"x": rand(2, 3), "axis": np.array(2, np.int64)})


@pytest.mark.parametrize("largest", [1, 0])
@pytest.mark.parametrize("axis,k", [(1, 3), (-1, 5), (0, 1), (2, 0)])
def test_topk_floats(largest, axis, k):
    x = rand(4, 6, 5)
    x[1, 2, :3] = x[0, 0, 0]   # ties: the lower index first
    check([node("TopK", ["x", "k"], ["v", "i"], axis=axis, largest=largest)], {"x": x}, ["v", "i"],
          weights={"k": np.array([k], np.int64)}, opset=11)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
def test_topk_integers_with_ties(dtype):
    x = ints(5, 7, low=0, high=4, dtype=dtype)
    check([node("TopK", ["x", "k"], ["v", "i"], axis=1, largest=1)], {"x": x}, ["v", "i"],
          weights={"k": np.array([4], np.int64)}, opset=11, oracle="reference")


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_hardmax_with_ties(axis):
    x = np.round(rand(3, 4, 5))   # many equal maxima: the first one wins
    check([node("Hardmax", ["x"], axis=axis)], {"x": x}, opset=13)


def test_hardmax_before_opset_13_flattens_at_the_axis():
    check([node("Hardmax", ["x"], axis=1)], {"x": rand(2, 3, 4)}, opset=11)


@pytest.mark.parametrize("axis", [0, 1, -1, -3])
@pytest.mark.parametrize("index_type", [np.int64, np.int32, np.float32])
def test_one_hot(axis, index_type):
    indices = RNG.integers(-6, 8, (2, 3)).astype(index_type)   # negatives count back; 6 and 7 match nothing
    check([node("OneHot", ["indices", "depth", "values"], axis=axis)], {"indices": indices},
          weights={"depth": np.array(6, np.int64), "values": np.array([-2.5, 4.0], np.float32)}, opset=11,
          oracle="reference")   # onnxruntime lacks most index types


@pytest.mark.parametrize("batch_axis,time_axis", [(0, 1), (1, 0)])
def test_reverse_sequence(batch_axis, time_axis):
    x = rand(5, 5, 3)
    lens = RNG.integers(1, 6, 5).astype(np.int64)
    check([node("ReverseSequence", ["x", "lens"], batch_axis=batch_axis, time_axis=time_axis)],
          {"x": x, "lens": lens}, opset=10)


def test_errors_name_the_node_and_the_problem():
    x = {"x": rand(3, 4)}
    assert import_error([node("TopK", ["x", "k"], ["v", "i"])], {**x, "k": np.array([2], np.int64)}, ["v", "i"],
                        opset=11) == ("node 'v' (TopK, opset 11): input 1 ('k') is known only at run time, so "
                                      "output 0 ('v') needs a static declared shape (it has [?, ?])")
    assert import_error([node("CumSum", ["x", "axis"])], x, weights={"axis": np.array(2, np.int64)}, opset=14) == \
        "node 'y' (CumSum, opset 14): axis 2 is out of range for rank 2"
    assert import_error([node("Hardmax", ["x"])], {"x": ints(3, 4)}, opset=13) == \
        "node 'y' (Hardmax, opset 13): element type int32 is not supported (a float type is needed)"
    assert import_error([node("ReverseSequence", ["x", "lens"], batch_axis=0, time_axis=0)],
                        {"x": rand(3, 4, 2), "lens": np.ones(3, np.int64)}, opset=10) == \
        ("node 'y' (ReverseSequence, opset 10): batch_axis and time_axis must be 0 and 1 (in either order) of an "
         "input of rank 2 or more")


def run_time_count_model(op):
    """TopK with k, or OneHot with depth, a graph input; the output shapes
    declared for k = 3 along axis 1, depth = 7 along axis 1."""
    if op == "TopK":
        return declared_model(node("TopK", ["x", "k"], ["v", "i"], axis=1, largest=0),
                              {"x": (np.float32, (4, 6, 5)), "k": (np.int64, (1,))},
                              {"v": (np.float32, (4, 3, 5)), "i": (np.int64, (4, 3, 5))}, 11)
    return declared_model(node("OneHot", ["indices", "depth", "values"], axis=1),
                          {"indices": (np.int64, (2, 3)), "depth": (np.float32, ()), "values": (np.float32, (2,))},
                          {"y": (np.float32, (2, 7, 3))}, 11)


@pytest.mark.parametrize("op", ["TopK", "OneHot"])
def test_run_time_k_and_depth_against_onnxruntime(op):
    from onnx_op_models import assert_same, expected

    from iree_lite.onnx import load
    model = run_time_count_model(op)
    run = load(model, device="local-sync")
    for _ in range(3):
        if op == "TopK":
            x = np.round(rand(4, 6, 5) * 2)   # ties: the lower index first
            feeds = {"x": x, "k": np.array([3], np.int64)}
        else:   # a fractional depth truncates to 7; negatives count back, 7 and 8 match nothing
            feeds = {"indices": RNG.integers(-7, 9, (2, 3)).astype(np.int64), "depth": np.array(7.5, np.float32),
                     "values": rand(2)}
        have = run(feeds)
        for out, want in zip(model.graph.output, expected(model, feeds)):
            assert_same(have[out.name], want, 1e-5, 1e-6)


@pytest.mark.parametrize("op,feeds,message", [
    ("TopK", {"x": rand(4, 6, 5), "k": np.array([2], np.int64)},
     "node 'v' (TopK, opset 11): the k operand is not the declared 3"),
    ("OneHot", {"indices": np.zeros((2, 3), np.int64), "depth": np.array(8.0, np.float32), "values": rand(2)},
     "node 'y' (OneHot, opset 11): the depth operand is not the declared 7"),
])
def test_run_time_k_or_depth_other_than_declared_fails_the_call(op, feeds, message):
    import re

    from iree_lite.onnx import load
    from iree_lite.vm.errors import VMError
    run = load(run_time_count_model(op), device="local-sync")
    with pytest.raises(VMError, match=r"^FAILED_PRECONDITION; <onnx>:\d+:\d+: " + re.escape(message) + "$"):
        run(feeds)


def test_declared_shape_that_no_k_gives_is_an_import_error():
    from iree_lite.onnx import OnnxImportError, import_model
    model = declared_model(node("TopK", ["x", "k"], ["v", "i"], axis=1),
                           {"x": (np.float32, (4, 6)), "k": (np.int64, (1,))},
                           {"v": (np.float32, (3, 3)), "i": (np.int64, (4, 3))}, 11)
    with pytest.raises(OnnxImportError) as info:
        import_model(model)
    assert str(info.value) == ("node 'v' (TopK, opset 11): the declared output shape [3, 3] does not fit the input "
                               "with k along axis 1")


def test_real_iree_runs_them(tmp_path, reference_iree):
    x = rand(4, 6)
    x[0, :3] = 1.0
    nodes = [node("CumSum", ["x", "axis"], ["c"], reverse=1), node("TopK", ["x", "k"], ["v", "i"]),
             node("Hardmax", ["x"], ["h"]), node("OneHot", ["idx", "depth", "values"], ["o"]),
             node("ReverseSequence", ["x", "lens"], ["r"], batch_axis=0, time_axis=1)]
    inputs = {"x": x, "axis": np.array(1, np.int32), "idx": np.array([0, -1, 7, 2], np.int64),
              "lens": np.array([1, 6, 3, 0], np.int64)}
    check_on_real_iree(tmp_path, reference_iree, nodes, inputs, ["c", "v", "i", "h", "o", "r"],
                       weights={"k": np.array([3], np.int64), "depth": np.array(5, np.int64),
                                "values": np.array([0.0, 1.0], np.float32)}, opset=14)
