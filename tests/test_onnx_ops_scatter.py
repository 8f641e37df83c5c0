"""The ONNX importer's index ops against onnxruntime on random inputs:
ScatterElements, ScatterND (every reduction), GatherND (batch_dims),
Einsum; their errors; and one model of them through the real IREE. Skips
without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, check_on_real_iree, import_error, node

RNG = np.random.default_rng(5)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def distinct_indices(n, shape):
    """Indices into n positions, distinct along axis 0 (so that `none` has
    one answer), half of them negative."""
    picks = np.stack([RNG.permutation(n)[:shape[0]] for _ in range(int(np.prod(shape[1:])))], -1)
    picks = picks.reshape(shape)
    return np.where(RNG.random(shape) < 0.5, picks - n, picks).astype(np.int64)


@pytest.mark.parametrize("reduction", ["none", "add", "mul", "max", "min"])
@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_scatter_elements(reduction, dtype):
    data = (rand(5, 4, 3) * 4).astype(dtype)
    updates = (rand(3, 4, 2) * 4).astype(dtype)
    indices = distinct_indices(5, (3, 4, 2)) if reduction == "none" else RNG.integers(-5, 5, (3, 4, 2))
    check([node("ScatterElements", ["data", "indices", "updates"], axis=0, reduction=reduction)],
          {"data": data, "indices": indices.astype(np.int64), "updates": updates}, opset=18)


def test_scatter_elements_along_the_last_axis_with_int32_indices():
    data, updates = rand(3, 6), rand(3, 2)
    indices = np.array([[0, -1], [5, 2], [-6, 3]], np.int32)
    check([node("ScatterElements", ["data", "indices", "updates"], axis=-1)],
          {"data": data, "indices": indices, "updates": updates}, opset=18)


@pytest.mark.parametrize("reduction", ["none", "add", "mul", "max", "min"])
def test_scatter_nd_slices_and_elements(reduction):
    data = rand(4, 5, 3)
    rows = np.array([[1], [-1], [0]], np.int64) if reduction == "none" else np.array([[1], [3], [1]], np.int64)
    check([node("ScatterND", ["data", "indices", "updates"], reduction=reduction)],
          {"data": data, "indices": rows, "updates": rand(3, 5, 3)}, opset=18)
    cells = np.array([[[0, 1], [3, -2]], [[2, 4], [0, 1 if reduction != "none" else 2]]], np.int64)
    check([node("ScatterND", ["data", "indices", "updates"], reduction=reduction)],
          {"data": data, "indices": cells, "updates": rand(2, 2, 3)}, opset=18)


@pytest.mark.parametrize("batch_dims,indices", [
    (0, np.array([[1, -2], [0, 0], [3, 4]], np.int64)),
    (0, np.array([[[2]], [[-1]]], np.int64)),
    (1, np.array([[0, 1], [2, 0], [1, 2], [0, 0]], np.int64)),
    (2, np.array([[[1], [0], [2]], [[0], [1], [1]], [[2], [2], [0]], [[1], [1], [1]]], np.int64)),
])
def test_gather_nd(batch_dims, indices):
    check([node("GatherND", ["data", "indices"], batch_dims=batch_dims)],
          {"data": rand(4, 3, 5) if batch_dims else rand(4, 5, 3), "indices": indices}, opset=13)


@pytest.mark.parametrize("equation,shapes", [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]), ("ij->", [(3, 4)]), ("i,j->ij", [(3,), (4,)]), ("...ij,...jk", [(2, 3, 4), (2, 4, 5)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]), ("ijk->kji", [(2, 3, 4)]), ("i...->...", [(3, 2, 4)]),
    ("...j,j->...", [(2, 3, 4), (4,)]),
])
def test_einsum(equation, shapes):
    inputs = {f"x{i}": rand(*s) for i, s in enumerate(shapes)}
    check([node("Einsum", list(inputs), equation=equation)], inputs, opset=12, rtol=1e-4)


def test_einsum_of_integers():
    inputs = {"a": RNG.integers(-5, 5, (3, 4)).astype(np.int64), "b": RNG.integers(-5, 5, (4, 2)).astype(np.int64)}
    check([node("Einsum", ["a", "b"], equation="ij,jk->ik")], inputs, opset=12)


def test_errors_name_the_node_and_the_problem():
    x = {"data": rand(3, 4), "indices": np.zeros((1, 4), np.int64), "updates": rand(1, 4)}
    assert import_error([node("ScatterElements", ["data", "indices", "updates"], reduction="xor")], x, opset=18) == \
        "node 'y' (ScatterElements, opset 18): reduction 'xor' is not supported"
    assert import_error([node("ScatterElements", ["data", "indices", "updates"], reduction="add")],
                        {"data": np.zeros((3, 4), bool), "indices": x["indices"], "updates": np.zeros((1, 4), bool)},
                        opset=18) == "node 'y' (ScatterElements, opset 18): reduction 'add' is not supported for bool"
    assert import_error([node("Einsum", ["data"], equation="ij->ii")], {"data": rand(3, 3)}, opset=12) == \
        "node 'y' (Einsum, opset 12): output 'ii' must use distinct labels of the inputs"


def test_real_iree_runs_them(tmp_path, reference_iree):
    data = rand(4, 5)
    nodes = [node("ScatterElements", ["data", "ei", "eu"], ["se"], axis=1, reduction="add"),
             node("ScatterND", ["data", "ni", "nu"], ["sn"], reduction="max"),
             node("GatherND", ["data", "ni"], ["g"]), node("Einsum", ["data", "data"], ["es"], equation="ij,kj->ik")]
    inputs = {"data": data, "ei": np.array([[0, 0], [4, -1], [2, 3], [1, 1]], np.int64), "eu": rand(4, 2),
              "ni": np.array([[2], [-1], [2]], np.int64), "nu": rand(3, 5)}
    check_on_real_iree(tmp_path, reference_iree, nodes, inputs, ["se", "sn", "g", "es"], opset=18)
