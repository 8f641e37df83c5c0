"""Attention (opset 23): scaled dot-product attention over heads, with
grouped key/value heads, past keys and values, a boolean or additive mask,
causal masking, sliding windows, padded key caches (nonpad_kv_seqlen) and
softcap."""
import numpy as np

from ..emitter import NodeError, broadcast_exprs
from .elementwise import cast_value, check_float
from .nn import matmul_values, static
from .reduce import softmax_along


def to_heads(e, v, heads, what):
    """(B, H, S, D) from 4-D input, or from 3-D (B, S, H*D) with `heads`."""
    static(v, what)
    if v.rank == 4:
        return v
    if v.rank != 3 or not heads:
        raise NodeError(f"{what} must be 4-D, or 3-D with its number of heads given")
    b, s, hidden = v.shape
    return e.transpose(e.reshape(v, (b, s, heads, hidden // heads)), (0, 2, 1, 3))


def repeat_heads(e, v, groups):
    """Each of v's heads `groups` times in a row (grouped-query attention)."""
    if groups == 1:
        return v
    b, h, s, d = v.shape
    wide = e.broadcast_to(e.reshape(v, (b, h, 1, s, d)), (b, h, groups, s, d))
    return e.reshape(wide, (b, h * groups, s, d))


def attention(node):
    q, k, v = node.inputs[:3]
    mask, past_k, past_v = node.input(3), node.input(4), node.input(5)
    check_float(q)
    nonpad = node.input(6)   # onnx's shape inference refuses it with past_key, and bad window sizes
    a, e = node.attrs, node.e
    softcap = a.get("softcap", 0.0)
    qk_mode = a.get("qk_matmul_output_mode", 0)
    if qk_mode not in (0, 1, 2, 3):
        raise NodeError(f"qk_matmul_output_mode {qk_mode} is not supported")
    a.get("softmax_precision")
    three_d = q.rank == 3
    q = to_heads(e, q, a.get("q_num_heads"), "Q")
    k = to_heads(e, k, a.get("kv_num_heads"), "K")
    v = to_heads(e, v, a.get("kv_num_heads"), "V")
    past = 0 if past_k is None else static(past_k).shape[2]
    if past_k is not None:
        k = e.concat([past_k, k], 2)
        v = e.concat([static(past_v), v], 2)
    present_k, present_v = k, v
    batch, heads, sq, dim = q.shape
    if heads % k.shape[1]:
        raise NodeError(f"{heads} query heads are not a multiple of {k.shape[1]} key heads")
    k, v = repeat_heads(e, k, heads // k.shape[1]), repeat_heads(e, v, heads // v.shape[1])
    io_dtype = q.dtype
    if io_dtype.itemsize < 4:   # half precision computes in f32 and rounds the results once, as onnxruntime
        q, k, v = (cast_value(e, x, np.float32) for x in (q, k, v))
        if mask is not None and mask.is_float:
            mask = cast_value(e, static(mask, "attn_mask"), np.float32)
    t, dt = q.element, q.dtype
    scale = a.get("scale", None)
    scale = 1 / np.sqrt(dim) if scale is None else scale
    scores = matmul_values(e, q, e.transpose(k, (0, 1, 3, 2)))
    shape = scores.shape
    full = [f"d{i}" for i in range(4)]
    causal = a.get("is_causal", 0)

    def stage(value, body, extra=()):
        return e.generic([(value, full), *extra], shape, dt, lambda b, args, acc: body(b, args))
    scaled = stage(scores, lambda b, x: b.emit(f"arith.mulf {x[0]}, {b.const(scale, dt)} : {t}"))
    capped = scaled
    if softcap > 0:   # softcap * tanh(s / softcap), before the masks so that masked stays -inf
        def cap(b, x):
            inner = b.emit(f"math.tanh {b.emit(f'arith.divf {x[0]}, {b.const(softcap, dt)} : {t}')} : {t}")
            return b.emit(f"arith.mulf {inner}, {b.const(softcap, dt)} : {t}")
        capped = stage(scaled, cap)

    left, right = a.get("left_window_size", -1), a.get("right_window_size", -1)
    windowed = left >= 0 or right >= 0
    extra = []
    if mask is not None:
        static(mask, "attn_mask")
        if mask.shape[-1] < shape[3]:   # a mask shorter than the keys masks the rest
            fill = False if mask.dtype == np.bool_ else -np.inf
            mask = e.pad(mask, [0] * mask.rank, [0] * (mask.rank - 1) + [shape[3] - mask.shape[-1]], fill)
        extra.append((mask, broadcast_exprs(mask.shape, shape)))
    if nonpad is not None:
        extra.append((static(nonpad, "nonpad_kv_seqlen"), ["d0"]))

    def bias(b, x):
        s, masked = x[0], b.const(-np.inf, dt)
        if mask is not None:
            if mask.dtype == np.bool_:
                s = b.emit(f"arith.select {x[1]}, {s}, {masked} : {t}")
            else:
                s = b.emit(f"arith.addf {s}, {x[1]} : {t}")
        allowed = []
        row = b.emit(f"arith.index_cast {b.emit('linalg.index 2 : index')} : index to i64")
        col = b.emit(f"arith.index_cast {b.emit('linalg.index 3 : index')} : index to i64")
        # query i sits at i + the cached keys (the valid keys less the queries with a padded cache)
        offset = b.const(past, np.int64)
        if nonpad is not None:
            valid = x[-1] if nonpad.dtype == np.int64 else b.emit(f"arith.extsi {x[-1]} : {nonpad.element} to i64")
            offset = b.emit(f"arith.subi {valid}, {b.const(sq, np.int64)} : i64")
            allowed.append(b.emit(f"arith.cmpi slt, {col}, {valid} : i64"))
        diff = b.emit(f"arith.subi {b.emit(f'arith.addi {row}, {offset} : i64')}, {col} : i64")
        if causal:
            allowed.append(b.emit(f"arith.cmpi sge, {diff}, {b.const(0, np.int64)} : i64"))
        if left >= 0:
            allowed.append(b.emit(f"arith.cmpi sle, {diff}, {b.const(left, np.int64)} : i64"))
        if right >= 0:
            allowed.append(b.emit(f"arith.cmpi sge, {diff}, {b.const(-right, np.int64)} : i64"))
        for ok in allowed:
            s = b.emit(f"arith.select {ok}, {s}, {masked} : {t}")
        return s
    biased = capped
    if extra or causal or windowed:
        biased = stage(capped, bias, extra)
    scores = biased
    probs = softmax_along(e, scores, 3)
    if extra or causal or windowed:   # a row with every key masked attends to nothing: zeros, not NaN
        top = e.max_over(biased, [3])

        def guard(b, x):
            empty = b.emit(f"arith.cmpf oeq, {x[1]}, {b.const(-np.inf, dt)} : {t}")
            return b.emit(f"arith.select {empty}, {b.const(0.0, dt)}, {x[0]} : {t}")
        probs = stage(probs, guard, [(top, full[:3])])
    y = matmul_values(e, probs, v)
    if three_d:
        y = e.reshape(e.transpose(y, (0, 2, 1, 3)), (batch, sq, heads * y.shape[3]))
    return [cast_value(e, y, io_dtype), present_k, present_v,
            cast_value(e, [scaled, capped, biased, probs][qk_mode], io_dtype)]


CONVERTERS = {"Attention": attention}
