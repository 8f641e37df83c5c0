"""Scatter and gather by index tuples: ScatterElements (and the older
Scatter) and ScatterND as iree_linalg_ext.scatter, GatherND as a
linalg.generic that reads its source by index."""
import numpy as np

from ..emitter import NodeError, fmt_shape
from .linalg_ext import region_op
from .nn import static
from .shape import wrapped_index

# reduction -> (float op, signed op, unsigned op) combining update and original
COMBINE = {"add": ("arith.addf", "arith.addi", "arith.addi"), "mul": ("arith.mulf", "arith.muli", "arith.muli"),
           "max": ("arith.maximumf", "arith.maxsi", "arith.maxui"),
           "min": ("arith.minimumf", "arith.minsi", "arith.minui")}


def reduction(node, data):
    """The scatter region's body for the node's `reduction` attribute."""
    kind = node.attrs.get("reduction", "none")
    if kind == "none":
        return lambda b, a: a[0]
    if kind not in COMBINE or data.dtype.kind == "b":
        raise NodeError(f"reduction '{kind}' is not supported" + (f" for {data.dtype}" if kind in COMBINE else ""))
    ops = COMBINE[kind]
    op = ops[0] if data.is_float else ops[2] if data.unsigned else ops[1]
    return lambda b, a: b.emit(f"{op} {a[1]}, {a[0]} : {data.element}")


def scatter(node, data, updates, indices, depth, body):
    """iree_linalg_ext.scatter of updates into data at i64 index tuples of
    length depth (the last dimension of indices), duplicates in order."""
    head = (f"iree_linalg_ext.scatter dimension_map = [{', '.join(map(str, range(depth)))}] "
            f"unique_indices(false)")
    return region_op(node.e, head, [updates, indices], [data], [updates.element, data.element], body)[0]


def scatter_elements(node):
    """Each update goes to its own position with the axis coordinate replaced
    by its index: the full index tuples, then one scatter."""
    data, indices, updates = (static(v, what) for v, what in zip(node.inputs, ("data", "indices", "updates")))
    r = data.rank
    axis = node.attrs.get("axis", 0)
    if not -r <= axis < r:
        raise NodeError(f"axis {axis} is out of range for rank {r}")
    axis %= r
    if indices.shape != updates.shape or indices.rank != r or \
            any(i != axis and u > d for i, (u, d) in enumerate(zip(updates.shape, data.shape))):
        raise NodeError(f"indices {fmt_shape(indices.shape)} and updates {fmt_shape(updates.shape)} do not fit "
                        f"data {fmt_shape(data.shape)}")
    body = reduction(node, data)
    it, n = indices.element, data.shape[axis]

    def coordinate(b, args, acc):   # coordinate k of the update at (d0..d{r-1}) goes to
        k = b.emit(f"linalg.index {r} : index")
        wrapped = wrapped_index(b, args[0], n, indices.dtype)
        result = b.emit(f"arith.extsi {wrapped} : {it} to i64") if indices.dtype.itemsize < 8 else wrapped
        for i in range(r):
            if i == axis:
                continue
            here = b.emit(f"arith.index_cast {b.emit(f'linalg.index {i} : index')} : index to i64")
            hit = b.emit(f"arith.cmpi eq, {k}, {b.emit(f'arith.constant {i} : index')} : index")
            result = b.emit(f"arith.select {hit}, {here}, {result} : i64")
        return result
    tuples = node.e.generic([(indices, [f"d{i}" for i in range(r)])], indices.shape + (r,), np.int64, coordinate)
    return scatter(node, data, updates, tuples, r, body)


def scatter_nd(node):
    data, indices, updates = (static(v, what) for v, what in zip(node.inputs, ("data", "indices", "updates")))
    if indices.rank < 1:
        raise NodeError("indices must have rank 1 or more")
    depth = indices.shape[-1]
    want = indices.shape[:-1] + data.shape[depth:]
    if depth > data.rank or updates.shape != want:
        raise NodeError(f"updates {fmt_shape(updates.shape)} must have shape {fmt_shape(want)} for indices "
                        f"{fmt_shape(indices.shape)} into data {fmt_shape(data.shape)}")
    body = reduction(node, data)
    return scatter(node, data, updates, index_tuples(node.e, indices, data.shape), depth, body)


def index_tuples(e, indices, dims):
    """indices (last dimension: a tuple into dims) as i64, negatives counted
    from the end of their dimension (as shape.wrapped_index does)."""
    it, last = indices.element, indices.rank - 1

    def body(b, args, acc):
        k = b.emit(f"linalg.index {last} : index")
        size = b.const(dims[0], indices.dtype)
        for i in range(1, indices.shape[-1]):
            hit = b.emit(f"arith.cmpi eq, {k}, {b.emit(f'arith.constant {i} : index')} : index")
            size = b.emit(f"arith.select {hit}, {b.const(dims[i], indices.dtype)}, {size} : {it}")
        r = b.emit(f"arith.remsi {args[0]}, {size} : {it}")   # negatives from the end; never out of bounds
        wrapped = b.emit(f"arith.remsi {b.emit(f'arith.addi {r}, {size} : {it}')}, {size} : {it}")
        return b.emit(f"arith.extsi {wrapped} : {it} to i64") if indices.dtype.itemsize < 8 else wrapped
    every = [f"d{i}" for i in range(indices.rank)]
    return e.generic([(indices, every)], indices.shape, np.int64, body)


def gather_nd(node):
    """out[i.., s..] = data[i[:b].., indices[i..], s..] for batch_dims b."""
    data, indices = static(node.inputs[0]), static(node.inputs[1], "indices")
    batch = node.attrs.get("batch_dims", 0)
    if indices.rank < 1 or not 0 <= batch < min(indices.rank, data.rank):
        raise NodeError(f"batch_dims {batch} does not fit data {fmt_shape(data.shape)} and indices "
                        f"{fmt_shape(indices.shape)}")
    depth = indices.shape[-1]
    if batch + depth > data.rank or indices.shape[:batch] != data.shape[:batch]:
        raise NodeError(f"indices {fmt_shape(indices.shape)} do not fit data {fmt_shape(data.shape)} with "
                        f"batch_dims {batch}")
    e = node.e
    tuples = index_tuples(e, indices, data.shape[batch:])
    outer = indices.rank - 1
    shape = indices.shape[:-1] + data.shape[batch + depth:]
    src, table = e.materialize(data), e.materialize(tuples)

    def body(b, args, acc):
        loops = [b.emit(f"linalg.index {i} : index") for i in range(len(shape))]
        at = loops[:batch]
        for k in range(depth):
            i = b.emit(f"tensor.extract {table}[{', '.join(loops[:outer] + [b.emit(f'arith.constant {k} : index')])}]"
                       f" : {tuples.type}")
            at.append(b.emit(f"arith.index_cast {i} : i64 to index"))
        at += loops[outer:]
        return b.emit(f"tensor.extract {src}[{', '.join(at)}] : {data.type}")
    return e.generic([], shape, data.dtype, body)


CONVERTERS = {"ScatterElements": scatter_elements, "Scatter": scatter_elements, "ScatterND": scatter_nd,
              "GatherND": gather_nd}
