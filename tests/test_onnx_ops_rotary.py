"""The ONNX importer's RotaryEmbedding against onnxruntime on random inputs
(4-D and 3-D input, interleaved or halves, partial rotation, with and
without position_ids), through the real IREE, and the ops it refuses with
a reason. Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, check_on_real_iree, import_error, node

RNG = np.random.default_rng(23)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def rotary_inputs(rank, interleaved, rot, with_ids):
    b, s, h, d = 2, 5, 3, 8
    x = rand(b, h, s, d) if rank == 4 else rand(b, s, h * d)
    half = (rot or d) // 2
    inputs = {"x": x}
    if with_ids:
        inputs.update(cos=rand(12, half), sin=rand(12, half), ids=RNG.integers(0, 12, (b, s)).astype(np.int64))
    else:
        inputs.update(cos=rand(b, s, half), sin=rand(b, s, half))
    attrs = {"interleaved": interleaved}
    if rot:
        attrs["rotary_embedding_dim"] = rot
    if rank == 3:
        attrs["num_heads"] = h
    return inputs, attrs


@pytest.mark.parametrize("rank", [4, 3])
@pytest.mark.parametrize("interleaved", [0, 1])
@pytest.mark.parametrize("rot", [0, 4])
@pytest.mark.parametrize("with_ids", [True, False])
def test_rotary_embedding(rank, interleaved, rot, with_ids):
    inputs, attrs = rotary_inputs(rank, interleaved, rot, with_ids)
    check([node("RotaryEmbedding", list(inputs), **attrs)], inputs, opset=23)


def test_rotary_embedding_errors():
    inputs, attrs = rotary_inputs(4, 0, 0, True)
    assert import_error([node("RotaryEmbedding", list(inputs), rotary_embedding_dim=10)],
                        {**inputs, "cos": rand(12, 5), "sin": rand(12, 5)}, opset=23) == \
        "node 'y' (RotaryEmbedding, opset 23): rotary_embedding_dim 10 must be even and at most the head size 8"
    assert import_error([node("RotaryEmbedding", list(inputs))], {**inputs, "cos": rand(12, 3), "sin": rand(12, 3)},
                        opset=23) == ("node 'y' (RotaryEmbedding, opset 23): position_ids [2, 5] must be [2, 5] and "
                                      "the caches [positions, 4], not [12, 3] and [12, 3]")


@pytest.mark.parametrize("op,ins,attrs,reason", [
    ("Unique", ["x"], {}, "its output shape depends on the input values"),
    ("NonMaxSuppression", ["x", "x"], {}, "its output shape depends on the input values"),
    ("RandomNormalLike", ["x"], {}, "random number generation is not available"),
    ("Bernoulli", ["p"], {}, "random number generation is not available"),
])
def test_refused_ops_say_why(op, ins, attrs, reason):
    inputs = {"x": rand(4), "c": np.array([True, False, True, True]), "p": np.full(4, 0.5, np.float32)}
    assert import_error([node(op, ins, **attrs)], {n: inputs[n] for n in ins}, opset=22) == \
        f"node 'y' ({op}, opset 22): operator '{op}' is not supported: {reason}"


def test_real_iree_runs_it(tmp_path, reference_iree):
    inputs, attrs = rotary_inputs(3, 1, 4, True)
    check_on_real_iree(tmp_path, reference_iree, [node("RotaryEmbedding", list(inputs), **attrs)], inputs, ["y"],
                       opset=23)
