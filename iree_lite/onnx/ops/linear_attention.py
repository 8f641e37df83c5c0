"""LinearAttention (opset 27): the recurrent state update of linear,
gated, delta and gated-delta attention, unrolled over the (static) sequence
at import time and computed in f32 as onnx's reference does: per token the
state decays by exp(decay), takes the (beta-weighted, delta-corrected)
outer product of key and value, and each query head reads it."""
import numpy as np

from ..emitter import NodeError, fmt_shape
from .attention import repeat_heads, to_heads
from .elementwise import cast_value, check_float
from .nn import static

RULES = ("linear", "gated", "delta", "gated_delta")
# The most tokens unrolled: each costs a handful of structured ops.
MAX_TOKENS = 1024


def linear_attention(node):
    q, k, v, past, decay, beta = (node.input(i) for i in range(6))
    for value, what in ((q, "query"), (k, "key"), (v, "value")):
        static(value, what)
        if value.rank != 3:
            raise NodeError(f"{what} {fmt_shape(value.shape)} must be 3-D (batch, tokens, heads * size)")
    check_float(q)
    a, e = node.attrs, node.e
    rule = a.get("update_rule", "gated_delta")
    if rule not in RULES:
        raise NodeError(f"update_rule '{rule}' is not supported ({', '.join(RULES)} are)")
    q_heads, kv_heads = a.get("q_num_heads", 0), a.get("kv_num_heads", 0)
    if kv_heads <= 0 or q_heads <= 0 or q_heads % kv_heads or q.shape[2] % q_heads or v.shape[2] % kv_heads:
        raise NodeError(f"q_num_heads {q_heads} and kv_num_heads {kv_heads} do not divide query "
                        f"{fmt_shape(q.shape)} and value {fmt_shape(v.shape)}")
    a.get("chunk_size")   # a tuning hint: the result does not depend on it
    gating, delta = rule in ("gated", "gated_delta"), rule in ("delta", "gated_delta")
    if gating != (decay is not None) or delta != (beta is not None):
        raise NodeError(f"update_rule '{rule}' {'needs' if gating else 'takes no'} decay and "
                        f"{'needs' if delta else 'takes no'} beta")
    batch, tokens, _ = q.shape
    if tokens > MAX_TOKENS:
        raise NodeError(f"{tokens} tokens: at most {MAX_TOKENS} are unrolled")
    dk, dv = q.shape[2] // q_heads, v.shape[2] // kv_heads
    f32 = np.dtype(np.float32)

    def heads(value, count, what):
        return to_heads(e, cast_value(e, value, f32), count, what)
    q4, k4, v4 = heads(q, q_heads, "query"), heads(k, kv_heads, "key"), heads(v, kv_heads, "value")
    state_shape = (batch, kv_heads, dk, dv)
    if past is not None:
        if static(past, "past_state").shape != state_shape:
            raise NodeError(f"past_state {fmt_shape(past.shape)} must be {fmt_shape(state_shape)}")
        state = cast_value(e, past, f32)
    else:
        state = e.constant(np.zeros(state_shape, f32))
    if decay is not None:
        static(decay, "decay")
        if decay.rank != 3 or decay.shape[2] not in (kv_heads, kv_heads * dk):
            raise NodeError(f"decay {fmt_shape(decay.shape)} must be (batch, tokens, {kv_heads} or {kv_heads * dk})")
        decay = heads(decay, kv_heads, "decay")   # (B, H, T, 1 or dk)
    if beta is not None:
        static(beta, "beta")
        if beta.rank != 3 or beta.shape[2] not in (kv_heads, 1):
            raise NodeError(f"beta {fmt_shape(beta.shape)} must be (batch, tokens, {kv_heads} or 1)")
        beta = heads(beta, beta.shape[2], "beta")   # (B, H or 1, T, 1)
    full = ["d0", "d1", "d2", "d3"]

    def mul(b, x, y):
        return b.emit(f"arith.mulf {x}, {y} : f32")

    def mac(b, args, acc):
        return b.emit(f"arith.addf {acc}, {mul(b, args[0], args[1])} : f32")
    outputs = []
    for t in range(tokens):
        at = str(t)
        if gating:
            g = [decay, ["d0", "d1", at, "d2" if decay.shape[3] > 1 else "0"]]
            state = e.generic([(state, full), g], state_shape, f32,
                              lambda b, x, acc: mul(b, x[0], b.emit(f"math.exp {x[1]} : f32")))
        update = (v4, ["d0", "d1", at, "d3"])
        if delta:   # beta * (v - S^T k)
            per_value = (batch, kv_heads, dv)
            back = e.generic([(state, ["d0", "d1", "d3", "d2"]), (k4, ["d0", "d1", at, "d3"])], per_value, f32, mac,
                             reduce_dims=[dk], init=e.fill(0.0, per_value, f32))
            rate = (beta, ["d0", "d1" if beta.shape[1] > 1 else "0", at, "0"])
            corrected = e.generic([(v4, ["d0", "d1", at, "d2"]), (back, ["d0", "d1", "d2"]), rate], per_value, f32,
                                  lambda b, x, acc: mul(b, x[2], b.emit(f"arith.subf {x[0]}, {x[1]} : f32")))
            update = (corrected, ["d0", "d1", "d3"])
        state = e.generic([(state, full), (k4, ["d0", "d1", at, "d2"]), update], state_shape, f32,
                          lambda b, x, acc: b.emit(f"arith.addf {x[0]}, {mul(b, x[1], x[2])} : f32"))
        read = repeat_heads(e, state, q_heads // kv_heads)
        out = e.generic([(q4, ["d0", "d1", at, "d3"]), (read, ["d0", "d1", "d3", "d2"])], (batch, q_heads, dv), f32,
                        mac, reduce_dims=[dk], init=e.fill(0.0, (batch, q_heads, dv), f32))
        outputs.append(e.reshape(out, (batch, 1, q_heads * dv)))
    scale = a.get("scale", 0.0) or 1 / np.sqrt(dk)
    y = e.elementwise([e.concat(outputs, 1)], f32, lambda b, x: mul(b, x[0], b.const(scale, f32)))
    return [cast_value(e, y, q.dtype), cast_value(e, state, q.dtype if past is None else past.dtype)]


CONVERTERS = {"LinearAttention": linear_attention}
