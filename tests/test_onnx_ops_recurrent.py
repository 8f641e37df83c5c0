"""The ONNX importer's RNN, GRU and LSTM against onnxruntime on random
inputs over their attributes (directions, layout 1, sequence_lens, clip,
activation functions with alpha and beta, GRU's linear_before_reset,
LSTM's peepholes and input_forget, optional inputs and outputs), weights
as initializers or as run-time inputs; on both VMs and through the real
IREE; and the errors for forms it refuses. Skips without onnx/onnxruntime."""
import re

import numpy as np
import pytest

from onnx_op_models import assert_same, check, check_on_real_iree, expected, import_error, model_of, node

from iree_lite.onnx import OnnxImportError, import_model, load

RNG = np.random.default_rng(12)
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
RTOL, ATOL = 1e-4, 1e-5


def rand(*shape, scale=0.5):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def recurrent_model(op, direction="forward", steps=5, batch=3, size=4, hidden=6, bias=True, lens=None,
                    initial=False, peepholes=False, outputs=None, weights_as="initializers", **attrs):
    """(nodes, inputs, weights, output names) of one recurrent node: lens a
    list of lengths (fed at run time) or None."""
    dirs, gates = 2 if direction == "bidirectional" else 1, GATES[op]
    layout = attrs.get("layout", 0)
    x = rand(batch, steps, size) if layout else rand(steps, batch, size)
    feeds, weights, names = {"x": x}, {}, ["x", "w", "r"]
    params = {"w": rand(dirs, gates * hidden, size), "r": rand(dirs, gates * hidden, hidden)}
    if bias:
        params["b"] = rand(dirs, 2 * gates * hidden)
    state = (batch, dirs, hidden) if layout else (dirs, batch, hidden)
    optional = {"b": bias, "lens": lens is not None, "h0": initial, "c0": initial and op == "LSTM",
                "p": peepholes}
    if initial:
        params["h0"] = rand(*state)
        if op == "LSTM":
            params["c0"] = rand(*state)
    if peepholes:
        params["p"] = rand(dirs, 3 * hidden)
    slots = ["b", "lens", "h0"] + (["c0", "p"] if op == "LSTM" else [])
    used = [s for s in slots if optional[s]]
    last = slots.index(used[-1]) if used else -1
    names += [s if optional[s] else "" for s in slots[:last + 1]]
    if lens is not None:
        feeds["lens"] = np.array(lens, np.int32)
    (feeds if weights_as == "inputs" else weights).update(params)
    outputs = outputs or (["y", "y_h", "y_c"] if op == "LSTM" else ["y", "y_h"])
    n = node(op, names, outputs, direction=direction, **{"hidden_size": hidden, **attrs})
    return [n], feeds, weights, [o for o in outputs if o]


def check_recurrent(op, opset=22, **kwargs):
    nodes, feeds, weights, outputs = recurrent_model(op, **kwargs)
    check(nodes, feeds, outputs, weights, opset=opset, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("op", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("direction", ["forward", "reverse", "bidirectional"])
@pytest.mark.parametrize("weights_as", ["initializers", "inputs"])
def test_directions_with_initial_state_and_lengths(op, direction, weights_as):
    check_recurrent(op, direction=direction, weights_as=weights_as, initial=True, lens=[5, 2, 4])


@pytest.mark.parametrize("op", ["RNN", "GRU", "LSTM"])
def test_defaults_without_bias(op):
    check_recurrent(op, bias=False)


@pytest.mark.parametrize("op,outputs", [(op, outs) for op in ("RNN", "GRU", "LSTM") for outs in (["y", ""], ["", "y_h"])]
                         + [("LSTM", ["", "", "y_c"]), ("LSTM", ["y", "", "y_c"])])
def test_only_some_outputs(op, outputs):
    check_recurrent(op, direction="bidirectional", lens=[1, 5, 3], outputs=outputs)


@pytest.mark.parametrize("op", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("direction", ["forward", "bidirectional"])
def test_an_empty_sequence_ends_with_zero_states(op, direction):
    check_recurrent(op, direction=direction, initial=True, lens=[0, 5, 2])


@pytest.mark.parametrize("op", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("lens", [[3, 5, 1], [0, 4, 5]])
def test_sequence_lens_known_at_import_time(op, lens):
    nodes, feeds, weights, outputs = recurrent_model(op, direction="bidirectional", lens=lens, initial=True)
    weights["lens"] = feeds.pop("lens")
    check(nodes, feeds, outputs, weights, opset=22, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("op", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("direction", ["forward", "bidirectional"])
def test_layout_1_is_layout_0_transposed(op, direction):
    """onnxruntime runs only layout 0 of GRU and LSTM: the oracle is the
    same node at layout 0 on the transposed inputs."""
    nodes, feeds, weights, outputs = recurrent_model(op, direction=direction, initial=True, lens=[4, 5, 2],
                                                     layout=1, weights_as="inputs")
    have = load(model_of(nodes, feeds, outputs, weights, 22), device="local-sync")(feeds)
    plain = {k: np.ascontiguousarray(v.swapaxes(0, 1)) if k in ("x", "h0", "c0") else v for k, v in feeds.items()}
    n0 = node(op, list(nodes[0].input), outputs, direction=direction, hidden_size=6)
    want = expected(model_of([n0], plain, outputs, weights, 22), plain)
    for name, w in zip(outputs, want):
        w = w.transpose(2, 0, 1, 3) if name == "y" else w.swapaxes(0, 1)
        assert_same(have[name], np.ascontiguousarray(w), RTOL, ATOL)


@pytest.mark.parametrize("op", ["RNN", "GRU", "LSTM"])
def test_clip(op):
    nodes, feeds, weights, outputs = recurrent_model(op, direction="bidirectional", clip=0.3)
    feeds["x"] *= 8   # most gate inputs past the clip
    check(nodes, feeds, outputs, weights, opset=22, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("op,acts,alpha,beta", [
    ("RNN", ["Affine", "Affine"], [0.5, 0.8], [0.1, -0.2]),
    ("RNN", ["ScaledTanh", "HardSigmoid"], [0.9, 0.3], [1.3, 0.4]),
    ("RNN", ["LeakyRelu", "Elu"], [0.2, 0.7], None),
    ("RNN", ["ThresholdedRelu", "LeakyRelu"], [0.1, 0.05], None),
    ("RNN", ["Softsign", "Softplus"], None, None),
    ("RNN", ["Relu", "Sigmoid"], None, None),
    ("GRU", ["HardSigmoid", "Elu", "Sigmoid", "ScaledTanh"], [0.3, 0.9, 0.7], [0.4, 1.1]),
    ("GRU", ["Sigmoid", "Softsign", "HardSigmoid", "Relu"], None, None),
    ("LSTM", ["HardSigmoid", "Softsign", "Affine", "Sigmoid", "LeakyRelu", "Tanh"], [0.25, 0.6, 0.3], [0.45, 0.1]),
    ("LSTM", ["Sigmoid", "Softplus", "Relu", "Sigmoid", "Tanh", "Softsign"], None, None),
])
def test_activation_functions(op, acts, alpha, beta):
    attrs = {"activations": acts}
    if alpha:
        attrs["activation_alpha"] = alpha
    if beta:
        attrs["activation_beta"] = beta
    check_recurrent(op, direction="bidirectional", lens=[5, 3, 4], **attrs)


def test_one_directions_activations_serve_both():
    acts = {"activations": ["HardSigmoid", "Softsign"]}
    nodes, feeds, weights, outputs = recurrent_model("GRU", direction="bidirectional", **acts)
    have = load(model_of(nodes, feeds, outputs, weights, 22), device="local-sync")(feeds)
    nodes[0].attribute[0].strings.extend([b"HardSigmoid", b"Softsign"])
    want = expected(model_of(nodes, feeds, outputs, weights, 22), feeds)
    for name, w in zip(outputs, want):
        assert_same(have[name], w, RTOL, ATOL)


def test_rnn_schema_default_for_one_direction_takes_the_first():
    check_recurrent("RNN", activations=["Relu", "Tanh"], initial=True)


@pytest.mark.parametrize("direction", ["forward", "bidirectional"])
@pytest.mark.parametrize("weights_as", ["initializers", "inputs"])
def test_gru_linear_before_reset(direction, weights_as):
    check_recurrent("GRU", direction=direction, weights_as=weights_as, initial=True, lens=[2, 5, 5],
                    linear_before_reset=1)


@pytest.mark.parametrize("weights_as", ["initializers", "inputs"])
@pytest.mark.parametrize("input_forget", [0, 1])
def test_lstm_peepholes_and_input_forget(weights_as, input_forget):
    check_recurrent("LSTM", direction="bidirectional", weights_as=weights_as, initial=True, peepholes=True,
                    lens=[5, 2, 3], input_forget=input_forget)


def test_lstm_in_float64():
    """onnxruntime has no float64 LSTM: the oracle is its float32 run of the
    same (float32-exact) values."""
    nodes, feeds, weights, outputs = recurrent_model("LSTM", direction="reverse", initial=True, peepholes=True)
    want = expected(model_of(nodes, feeds, outputs, weights, 22), feeds)
    wide = {k: v.astype(np.float64) for k, v in feeds.items()}
    have = load(model_of(nodes, wide, outputs, {k: v.astype(np.float64) for k, v in weights.items()}, 22),
                device="local-sync")(wide)
    for name, w in zip(outputs, want):
        assert_same(have[name], w.astype(np.float64), RTOL, ATOL)


def test_older_opsets():
    check_recurrent("LSTM", opset=7, direction="bidirectional", lens=[4, 5, 1], initial=True, peepholes=True)
    check_recurrent("GRU", opset=7, linear_before_reset=1, initial=True)


def test_program_size_does_not_grow_with_the_sequence():
    def lines(steps):
        nodes, feeds, weights, outputs = recurrent_model("LSTM", steps=steps, direction="bidirectional",
                                                         weights_as="inputs", lens=[1] * 3)
        return import_model(model_of(nodes, feeds, outputs, weights, 22)).count("\n")
    assert lines(3) == lines(300)


def test_long_sequence():
    check_recurrent("GRU", steps=200, batch=2, hidden=8, direction="bidirectional", lens=[200, 77])


def test_both_vms_agree(both_vms):
    """The native VM's outputs match onnxruntime, and the reference
    interpreter's are the same bytes."""
    from iree_lite.vm import interp
    nodes, feeds, weights, outputs = recurrent_model("LSTM", direction="bidirectional", lens=[3, 5, 1],
                                                     initial=True, peepholes=True)
    model = model_of(nodes, feeds, outputs, weights, 22)
    native, reference = both_vms(import_model(model))
    have = [np.asarray(r) for r in native.invoke("g", list(feeds.values()))]
    for h, w in zip(have, expected(model, feeds)):
        assert_same(h, w, RTOL, ATOL)
    args = [interp.Buffer("f32" if a.dtype == np.float32 else "i32", a.shape, bytearray(a.tobytes()))
            for a in feeds.values()]
    assert [bytes(r.data) for r in reference.invoke("g", args)] == [h.tobytes() for h in have]


def test_real_iree_runs_it(tmp_path, reference_iree):
    nodes, feeds, weights, outputs = recurrent_model("LSTM", direction="bidirectional", lens=[3, 5, 1],
                                                     initial=True, peepholes=True)
    check_on_real_iree(tmp_path, reference_iree, nodes, feeds, outputs, weights, opset=22)


def test_sequence_lens_past_the_sequence_fails_the_call():
    from iree_lite.vm.errors import VMError
    nodes, feeds, weights, outputs = recurrent_model("GRU", lens=[5, 5, 5])
    run = load(model_of(nodes, feeds, outputs, weights, 22), device="local-sync")
    message = "node 'y' (GRU, opset 22): sequence_lens values must be in [0, 5]"
    for lens in ([5, 6, 1], [0, -1, 2]):
        with pytest.raises(VMError, match=r"^FAILED_PRECONDITION; <onnx>:\d+:\d+: " + re.escape(message) + "$"):
            run({**feeds, "lens": np.array(lens, np.int32)})


def error_of(op, **kwargs):
    nodes, feeds, weights, outputs = recurrent_model(op, **kwargs)
    return import_error(nodes, feeds, outputs, weights, opset=22)


@pytest.mark.parametrize("op,kwargs,message", [
    ("RNN", {"activations": ["Gelu"]}, "activation function 'Gelu' is not supported (one of Relu, Tanh, Sigmoid, "
     "Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus is)"),
    ("GRU", {"activations": ["Sigmoid", "Tanh", "Tanh"]},
     "activations lists 3 functions; GRU takes 2 per direction (2 here)"),
    ("RNN", {"activations": ["Tanh", "Tanh", "Tanh"], "direction": "bidirectional"},
     "activations lists 3 functions; RNN takes 1 per direction (2 here)"),
    ("RNN", {"activations": ["ScaledTanh"], "activation_alpha": [1.0]},
     "activation function 'ScaledTanh' needs a value in activation_beta"),
    ("LSTM", {"clip": 0.0}, "clip 0.0 is not supported (a positive value is)"),
    ("GRU", {"hidden_size": 7}, "hidden_size 7 disagrees with R of shape [1, 18, 6]"),
    ("LSTM", {"direction": "sideways"},
     "direction 'sideways' is not supported (forward, reverse or bidirectional is)"),
    ("LSTM", {"layout": 2}, "layout 2 is not supported (0 or 1 is)"),
])
def test_unsupported_attributes(op, kwargs, message):
    assert error_of(op, **kwargs) == f"node 'y' ({op}, opset 22): {message}"


def test_a_dynamic_batch_is_an_import_error():
    from onnx import helper
    nodes, feeds, weights, outputs = recurrent_model("GRU")
    model = model_of(nodes, feeds, outputs, weights, 22)
    model.graph.input[0].type.tensor_type.shape.dim[1].dim_param = "batch"
    with pytest.raises(OnnxImportError) as info:
        import_model(helper.make_model(model.graph, opset_imports=model.opset_import))
    assert str(info.value) == ("node 'y' (GRU, opset 22): X of shape [5, ?, 4]: dynamic dimensions are not "
                               "supported here yet")


def test_sequence_lens_out_of_range_at_import_time():
    nodes, feeds, weights, outputs = recurrent_model("RNN", lens=[1, 9, 2])
    weights["lens"] = feeds.pop("lens")
    assert import_error(nodes, feeds, outputs, weights, opset=22) == \
        "node 'y' (RNN, opset 22): sequence_lens values must be in [0, 5], not [1, 9, 2]"


def test_cli_error_is_one_line(tmp_path):
    import subprocess
    import sys

    import onnx
    nodes, feeds, weights, outputs = recurrent_model("LSTM", activations=["Sigmoid", "Tanh", "Swish"])
    onnx.save(model_of(nodes, feeds, outputs, weights, 22), str(tmp_path / "m.onnx"))
    proc = subprocess.run([sys.executable, "-m", "iree_lite", "import-onnx", str(tmp_path / "m.onnx")],
                          capture_output=True, text=True, timeout=600)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1, "", "error: node 'y' (LSTM, opset 22): activation function 'Swish' is not supported (one of Relu, Tanh, "
               "Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus is)\n")
