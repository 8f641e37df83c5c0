"""CausalConvWithState (opset 27): a depthwise 1-D convolution over the
past state followed by the input, with an optional fused SiLU; the new state
is the last k - 1 positions of that sequence."""
import numpy as np

from ..emitter import NodeError, element_type, fmt_shape
from .elementwise import cast_scalar, check_float, sigmoid
from .nn import static


def causal_conv_with_state(node):
    x, w, bias, past = (node.input(i) for i in range(4))
    static(x)
    static(w, "weight")
    check_float(x)
    activation = node.attrs.get("activation", "none")
    if activation not in ("none", "silu", "swish"):
        raise NodeError(f"activation '{activation}' is not supported (none, silu or swish is)")
    if x.rank != 3 or w.rank != 3 or w.shape[:2] != (x.shape[1], 1):
        raise NodeError(f"input {fmt_shape(x.shape)} must be (batch, channels, length) and weight "
                        f"{fmt_shape(w.shape)} (channels, 1, k)")
    batch, channels, length = x.shape
    k = w.shape[2]
    state_shape = (batch, channels, k - 1)
    if past is not None and static(past, "past_state").shape != state_shape:
        raise NodeError(f"past_state {fmt_shape(past.shape)} must be {fmt_shape(state_shape)}")
    if bias is not None and static(bias, "bias").shape != (channels,):
        raise NodeError(f"bias {fmt_shape(bias.shape)} must be [{channels}]")
    e, dt = node.e, x.dtype
    if past is None:
        past = e.constant(np.zeros(state_shape, dt))
    padded = e.concat([past, x], 2) if k > 1 else x
    acc_dtype = np.dtype(np.float32) if dt.itemsize < 4 else dt   # half precision accumulates in f32
    a = element_type(acc_dtype)
    init = e.fill(0.0, x.shape, acc_dtype)

    def mac(b, args, acc):
        product = b.emit(f"arith.mulf {cast_scalar(b, args[0], dt, acc_dtype)}, "
                         f"{cast_scalar(b, args[1], dt, acc_dtype)} : {a}")
        return b.emit(f"arith.addf {acc}, {product} : {a}")
    total = e.generic([(padded, ["d0", "d1", "d2 + d3"]), (w, ["d1", "0", "d3"])], x.shape, acc_dtype, mac,
                      reduce_dims=[3], init=init)
    ins = [(total, ["d0", "d1", "d2"])] + ([(bias, ["d1"])] if bias is not None else [])

    def finish(b, args, acc):
        y = args[0]
        if bias is not None:
            y = b.emit(f"arith.addf {y}, {cast_scalar(b, args[1], dt, acc_dtype)} : {a}")
        if activation != "none":
            y = b.emit(f"arith.mulf {y}, {sigmoid(b, y, a, acc_dtype)} : {a}")
        return cast_scalar(b, y, acc_dtype, dt)
    y = e.generic(ins, x.shape, dt, finish)
    state = e.extract_slice(padded, [0, 0, length], list(state_shape))
    return [y, state]


CONVERTERS = {"CausalConvWithState": causal_conv_with_state}
