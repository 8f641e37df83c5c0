"""Ops whose output size depends on the input values: NonZero and
Compress. The selected positions are counted at run time; the result is a
tensor with that dynamic size (tensor.empty(%n)) filled by a gather from
the compacted positions. Compaction is quadratic in the number of
candidates, so it is bounded."""
import numpy as np

from ..emitter import NodeError, Value, tensor_type
from .nn import static

# The most candidate elements compacted (the work grows with its square).
MAX_CANDIDATES = 4096


def compact(e, flags):
    """(n, positions) for a 1-D i1 Value: n the index count of set flags
    (SSA), positions an (N,) i64 Value whose first n entries are the set
    flags' positions in order (entry j: how many inclusive prefix counts are
    at most j)."""
    size = flags.shape[0]
    if size > MAX_CANDIDATES:
        raise NodeError(f"{size} candidate elements: at most {MAX_CANDIDATES} are compacted")
    i64 = np.dtype(np.int64)
    zero = e.fill(0, (size,), i64)

    def prefix(b, args, acc):
        i, j = b.emit("linalg.index 0 : index"), b.emit("linalg.index 1 : index")
        before = b.emit(f"arith.cmpi ule, {j}, {i} : index")
        take = b.emit(f"arith.andi {before}, {args[0]} : i1")
        return b.emit(f"arith.addi {acc}, {b.emit(f'arith.extui {take} : i1 to i64')} : i64")
    counts = e.generic([(flags, ["d1"])], (size,), i64, prefix, reduce_dims=[size], init=zero)

    def rank(b, args, acc):
        j = b.emit(f"arith.index_cast {b.emit('linalg.index 0 : index')} : index to i64")
        below = b.emit(f"arith.cmpi sle, {args[0]}, {j} : i64")
        return b.emit(f"arith.addi {acc}, {b.emit(f'arith.extui {below} : i1 to i64')} : i64")
    positions = e.generic([(counts, ["d1"])], (size,), i64, rank, reduce_dims=[size], init=e.fill(0, (size,), i64))
    last = e.emit(f"arith.constant {size - 1} : index")
    total = e.emit(f"tensor.extract {e.materialize(counts)}[{last}] : {counts.type}")
    return e.emit(f"arith.index_cast {total} : i64 to index"), positions


def dynamic_empty(e, shape, n, dtype):
    """tensor.empty of `shape` whose one None dimension is the index n."""
    return e.emit(f"tensor.empty({n}) : {tensor_type(shape, dtype)}")


def nonzero_flags(e, x):
    if x.dtype == np.bool_:
        return x
    t = x.element
    pred = f"arith.cmpf une, {{}}, {{}} : {t}" if x.is_float else f"arith.cmpi ne, {{}}, {{}} : {t}"
    return e.elementwise([x], np.bool_, lambda b, a: b.emit(pred.format(a[0], b.const(0, x.dtype))))


def nonzero(node):
    x = static(node.inputs[0])
    if x.rank == 0:
        raise NodeError("a 0-D input is not supported")
    e = node.e
    size = int(np.prod(x.shape))
    if size == 0:
        return e.constant(np.zeros((x.rank, 0), np.int64))
    n, positions = compact(e, nonzero_flags(e, e.reshape(x, (size,))))
    shape = (x.rank, None)
    src = e.materialize(positions)
    strides = [int(np.prod(x.shape[i + 1:])) for i in range(x.rank)]

    def body(b, args, acc):
        axis, j = b.emit("linalg.index 0 : index"), b.emit("linalg.index 1 : index")
        flat = b.emit(f"tensor.extract {src}[{j}] : {positions.type}")
        # the coordinate along `axis`: (flat / stride[axis]) % shape[axis], strides picked by axis
        stride, extent = b.const(1, np.int64), b.const(1, np.int64)
        for i in range(x.rank):
            here = b.emit(f"arith.cmpi eq, {axis}, {b.emit(f'arith.constant {i} : index')} : index")
            stride = b.emit(f"arith.select {here}, {b.const(strides[i], np.int64)}, {stride} : i64")
            extent = b.emit(f"arith.select {here}, {b.const(x.shape[i], np.int64)}, {extent} : i64")
        return b.emit(f"arith.remsi {b.emit(f'arith.divsi {flat}, {stride} : i64')}, {extent} : i64")
    return e.generic([], shape, np.int64, body, init=dynamic_empty(e, shape, n, np.int64))


def compress(node):
    x, condition = static(node.inputs[0]), static(node.inputs[1], "condition")
    axis = node.attrs.get("axis")
    e = node.e
    if axis is None:
        x = e.reshape(x, (int(np.prod(x.shape)),))
        axis = 0
    if not -x.rank <= axis < x.rank:
        raise NodeError(f"axis {axis} is out of range for rank {x.rank}")
    axis %= x.rank
    if condition.rank != 1 or condition.shape[0] > x.shape[axis]:
        raise NodeError(f"condition of shape {list(condition.shape)} must be 1-D and at most {x.shape[axis]} long")
    flags = nonzero_flags(e, condition)
    if flags.shape[0] == 0:
        shape = x.shape[:axis] + (0,) + x.shape[axis + 1:]
        return Value(shape, x.dtype, ssa=e.emit(f"tensor.empty() : {tensor_type(shape, x.dtype)}"))
    n, positions = compact(e, flags)
    shape = x.shape[:axis] + (None,) + x.shape[axis + 1:]
    src, picks = e.materialize(x), e.materialize(positions)

    def body(b, args, acc):
        at = [b.emit(f"linalg.index {i} : index") for i in range(x.rank)]
        p = b.emit(f"tensor.extract {picks}[{at[axis]}] : {positions.type}")
        at[axis] = b.emit(f"arith.index_cast {p} : i64 to index")
        return b.emit(f"tensor.extract {src}[{', '.join(at)}] : {x.type}")
    return e.generic([], shape, x.dtype, body, init=dynamic_empty(e, shape, n, x.dtype))


CONVERTERS = {"NonZero": nonzero, "Compress": compress}
