"""RotaryEmbedding (opset 23) as one linalg.generic: each of the first
rotary_embedding_dim features of a head is rotated with its partner (the
other half, or its neighbour when interleaved) by the cached cos and sin of
its position."""
import numpy as np

from ..emitter import NodeError, fmt_shape
from .elementwise import check_float
from .nn import static


def rotary_embedding(node):
    x, cos, sin, ids = (node.input(i) for i in range(4))
    static(x)
    check_float(x)
    static(cos, "cos_cache")
    static(sin, "sin_cache")
    interleaved = node.attrs.get("interleaved", 0)
    heads = node.attrs.get("num_heads", 0)
    e = node.e
    if x.rank == 3:   # (B, S, heads * D) -> (B, S, heads, D)
        if not heads or x.shape[2] % heads:
            raise NodeError(f"a 3-D input {fmt_shape(x.shape)} needs num_heads dividing its last dimension")
        x4 = e.reshape(x, x.shape[:2] + (heads, x.shape[2] // heads))
        seq = 1
    elif x.rank == 4:   # (B, heads, S, D)
        x4, seq = x, 2
    else:
        raise NodeError(f"input of rank {x.rank} is not supported (3 or 4 is)")
    batch, length, head = x4.shape[0], x4.shape[seq], x4.shape[3]
    rot = node.attrs.get("rotary_embedding_dim", 0) or head
    if rot % 2 or rot > head:
        raise NodeError(f"rotary_embedding_dim {rot} must be even and at most the head size {head}")
    half = rot // 2
    if ids is not None:
        static(ids, "position_ids")
        if ids.shape != (batch, length) or cos.rank != 2 or cos.shape[1] != half or sin.shape != cos.shape:
            raise NodeError(f"position_ids {fmt_shape(ids.shape)} must be [{batch}, {length}] and the caches "
                            f"[positions, {half}], not {fmt_shape(cos.shape)} and {fmt_shape(sin.shape)}")
    elif cos.shape != (batch, length, half) or sin.shape != cos.shape:
        raise NodeError(f"without position_ids the caches must be [{batch}, {length}, {half}], not "
                        f"{fmt_shape(cos.shape)} and {fmt_shape(sin.shape)}")
    t, dt = x.element, x.dtype
    src, cos_src, sin_src = e.materialize(x4), e.materialize(cos), e.materialize(sin)
    ids_src = e.materialize(ids) if ids is not None else None

    def body(b, args, acc):
        def index(value):
            return b.emit(f"arith.constant {value} : index")

        def pick(cond, a, c):
            return b.emit(f"arith.select {cond}, {a}, {c} : index")
        at = [b.emit(f"linalg.index {i} : index") for i in range(4)]
        d = at[3]
        rotated = b.emit(f"arith.cmpi ult, {d}, {index(rot)} : index")
        if interleaved:
            first = b.emit(f"arith.cmpi eq, {b.emit(f'arith.remui {d}, {index(2)} : index')}, {index(0)} : index")
            partner = pick(first, b.emit(f"arith.addi {d}, {index(1)} : index"),
                           b.emit(f"arith.subi {d}, {index(1)} : index"))
            slot = b.emit(f"arith.divui {d}, {index(2)} : index")
        else:
            first = b.emit(f"arith.cmpi ult, {d}, {index(half)} : index")
            partner = pick(first, b.emit(f"arith.addi {d}, {index(half)} : index"),
                           b.emit(f"arith.subi {d}, {index(half)} : index"))
            slot = pick(first, d, b.emit(f"arith.subi {d}, {index(half)} : index"))
        partner, slot = pick(rotated, partner, d), pick(rotated, slot, index(0))   # in bounds past the rotation
        own = b.emit(f"tensor.extract {src}[{', '.join(at)}] : {x4.type}")
        other = b.emit(f"tensor.extract {src}[{', '.join(at[:3] + [partner])}] : {x4.type}")
        if ids is not None:
            pos = b.emit(f"tensor.extract {ids_src}[{at[0]}, {at[seq]}] : {ids.type}")
            if ids.dtype.itemsize < 8:
                pos = b.emit(f"arith.extsi {pos} : {ids.element} to i64")
            pos = b.emit(f"arith.maxsi {pos}, {b.const(0, np.int64)} : i64")   # never outside the caches
            pos = b.emit(f"arith.minsi {pos}, {b.const(cos.shape[0] - 1, np.int64)} : i64")
            where = [b.emit(f"arith.index_cast {pos} : i64 to index"), slot]
        else:
            where = [at[0], at[seq], slot]
        c = b.emit(f"tensor.extract {cos_src}[{', '.join(where)}] : {cos.type}")
        s = b.emit(f"tensor.extract {sin_src}[{', '.join(where)}] : {sin.type}")
        # as ONNX's reference: real = cos*x1 - sin*x2, imag = sin*x1 + cos*x2
        real = b.emit(f"arith.subf {b.emit(f'arith.mulf {c}, {own} : {t}')}, "
                      f"{b.emit(f'arith.mulf {s}, {other} : {t}')} : {t}")
        imag = b.emit(f"arith.addf {b.emit(f'arith.mulf {s}, {other} : {t}')}, "
                      f"{b.emit(f'arith.mulf {c}, {own} : {t}')} : {t}")
        return b.emit(f"arith.select {rotated}, {b.emit(f'arith.select {first}, {real}, {imag} : {t}')}, {own} : {t}")
    y = e.generic([], x4.shape, dt, body)
    return e.reshape(y, x.shape)


CONVERTERS = {"RotaryEmbedding": rotary_embedding}
