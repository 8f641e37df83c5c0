"""TensorScatter (opset 24): a KV-cache update. Each batch's update rows
land in the cache from its write index on (wrapping in circular mode); as a
gather, each cache position takes the update row that lands on it, if any."""
import numpy as np

from ..emitter import NodeError, fmt_shape
from .nn import static


def tensor_scatter(node):
    past, update, writes = static(node.inputs[0], "past_cache"), static(node.inputs[1], "update"), node.input(2)
    mode = node.attrs.get("mode", "linear")
    if mode not in ("linear", "circular"):
        raise NodeError(f"mode '{mode}' is not supported (linear or circular is)")
    r = past.rank
    axis = node.attrs.get("axis", -2)
    if not -r <= axis < r or axis % r == 0:
        raise NodeError(f"axis {axis} is not a sequence axis of a rank-{r} cache (the batch axis 0 is not)")
    axis %= r
    expected = past.shape[:axis] + (update.shape[axis],) + past.shape[axis + 1:]
    if update.rank != r or update.shape != expected or update.dtype != past.dtype:
        raise NodeError(f"update {fmt_shape(update.shape)} must be the cache {fmt_shape(past.shape)} with another "
                        "length along the axis")
    if writes is not None and static(writes, "write_indices").shape != (past.shape[0],):
        raise NodeError(f"write_indices {fmt_shape(writes.shape)} must be [{past.shape[0]}]")
    e, t = node.e, past.element
    length, rows = past.shape[axis], update.shape[axis]
    src = e.materialize(update)
    full = [f"d{i}" for i in range(r)]
    ins = [(past, full)] + ([(writes, ["d0"])] if writes is not None else [])

    def body(b, args, acc):
        def i64(v):
            return b.const(v, np.int64)
        at = [b.emit(f"linalg.index {i} : index") for i in range(r)]
        start = i64(0) if writes is None else args[1] if writes.dtype == np.int64 else \
            b.emit(f"arith.extsi {args[1]} : {writes.element} to i64")
        row = b.emit(f"arith.subi {b.emit(f'arith.index_cast {at[axis]} : index to i64')}, {start} : i64")
        if mode == "circular":   # the row that wraps onto this position: (p - start) mod length
            rem = b.emit(f"arith.remsi {row}, {i64(length)} : i64")
            negative = b.emit(f"arith.cmpi slt, {rem}, {i64(0)} : i64")
            row = b.emit(f"arith.select {negative}, {b.emit(f'arith.addi {rem}, {i64(length)} : i64')}, {rem} : i64")
        hit = b.emit(f"arith.andi {b.emit(f'arith.cmpi sge, {row}, {i64(0)} : i64')}, "
                     f"{b.emit(f'arith.cmpi slt, {row}, {i64(rows)} : i64')} : i1")
        safe = b.emit(f"arith.index_cast {b.emit(f'arith.select {hit}, {row}, {i64(0)} : i64')} : i64 to index")
        value = b.emit(f"tensor.extract {src}[{', '.join(at[:axis] + [safe] + at[axis + 1:])}] : {update.type}")
        return b.emit(f"arith.select {hit}, {value}, {args[0]} : {t}")
    return e.generic(ins, past.shape, past.dtype, body)


CONVERTERS = {"TensorScatter": tensor_scatter}
