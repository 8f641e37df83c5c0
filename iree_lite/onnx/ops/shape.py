"""Shape and data-movement ops: reshapes, transposes, concatenation,
slicing, gathers, broadcasts, padding and constants. MLIR's shapes here are
static: a shape operand known only at run time needs the declared output
shape (shape_operands)."""
import numpy as np

from ..emitter import NodeError, Value, element_type, fmt_shape
from . import shape_operands
from .nn import static


def axes_input_or_attr(node, index, name="axes"):
    """Axes from the input at `index` (newer opsets) or the attribute."""
    if node.input(index) is not None:
        return [int(a) for a in node.const_input(index, name)]
    return node.attrs.get(name)


def reshape(node):
    x = static(node.inputs[0])
    allowzero = node.attrs.get("allowzero", 0)
    if node.opset < 5:
        shape = list(node.attrs.get("shape"))
    elif not node.known(1):
        return shape_operands.reshape(node, x, allowzero)
    else:
        shape = [int(d) for d in node.const_input(1, "shape")]
    out = [x.shape[i] if d == 0 and not allowzero else d for i, d in enumerate(shape)]
    if out.count(-1) > 1:
        raise NodeError(f"shape {shape} has more than one -1")
    known = int(np.prod([d for d in out if d != -1]))
    total = int(np.prod(x.shape))
    if -1 in out:
        if known == 0 or total % known:
            raise NodeError(f"cannot reshape {fmt_shape(x.shape)} to {shape}")
        out[out.index(-1)] = total // known
    if int(np.prod(out)) != total:
        raise NodeError(f"cannot reshape {fmt_shape(x.shape)} to {shape}")
    return node.e.reshape(x, out)


def flatten(node):
    x = static(node.inputs[0])
    axis = node.attrs.get("axis", 1)
    axis = axis + x.rank if axis < 0 else axis
    return node.e.reshape(x, (int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:]))))


def squeeze(node):
    x = static(node.inputs[0])
    if not node.known(1):
        return shape_operands.squeeze(node, x)
    axes = axes_input_or_attr(node, 1)
    if axes is None:
        axes = [i for i, d in enumerate(x.shape) if d == 1]
    axes = {a % x.rank for a in axes}
    if any(x.shape[a] != 1 for a in axes):
        raise NodeError(f"cannot squeeze axes {sorted(axes)} of {fmt_shape(x.shape)}")
    return node.e.reshape(x, [d for i, d in enumerate(x.shape) if i not in axes])


def unsqueeze(node):
    x = static(node.inputs[0])
    if not node.known(1):
        return shape_operands.unsqueeze(node, x)
    axes = axes_input_or_attr(node, 1)
    rank = x.rank + len(axes)
    axes = sorted(a % rank for a in axes)
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return node.e.reshape(x, shape)


def transpose(node):
    x = node.inputs[0]
    perm = node.attrs.get("perm", list(reversed(range(x.rank))))
    if x.const is not None and x.ssa is None:
        a = np.transpose(x.const, perm)
        return Value(a.shape, a.dtype, const=a)
    return node.e.transpose(static(x), perm)


def concat(node):
    vs = [static(v) for v in node.inputs if v is not None and 0 not in v.shape] or [node.inputs[0]]
    axis = node.attrs.get("axis") % vs[0].rank
    return node.e.concat(vs, axis)


def split(node):
    x = static(node.inputs[0])
    axis = node.attrs.get("axis", 0) % x.rank
    count = len(node.proto.output)
    node.attrs.get("num_outputs")   # read, so not refused as unknown: the outputs' count says the same
    if node.opset >= 13 and not node.known(1):
        sizes = shape_operands.split_sizes(node, x, axis, count)
    else:
        sizes = node.const_input(1, "split") if node.opset >= 13 else node.attrs.get("split")
    if sizes is None:
        size = -(-x.shape[axis] // count)
        sizes = [min(size, x.shape[axis] - i * size) for i in range(count)]
    sizes = [int(s) for s in sizes]
    if sum(sizes) != x.shape[axis]:
        raise NodeError(f"split sizes {sizes} do not add up to dimension {axis} of {fmt_shape(x.shape)}")
    return pieces_along(node.e, x, axis, sizes)


def pieces_along(e, x, axis, sizes):
    """x cut along `axis` into consecutive pieces of `sizes` (which add up to its dimension)."""
    out, start = [], 0
    for s in sizes:
        offsets = [0] * x.rank
        offsets[axis] = start
        shape = list(x.shape)
        shape[axis] = s
        out.append(e.extract_slice(x, offsets, shape))
        start += s
    return out


def slice_(node):
    x = static(node.inputs[0])
    if node.opset < 10:
        starts, ends = node.attrs.get("starts"), node.attrs.get("ends")
        axes, steps = node.attrs.get("axes"), None
    elif not all(node.known(i) for i in range(1, 5)):
        return shape_operands.slice_(node, x)
    else:
        starts, ends = node.const_input(1, "starts"), node.const_input(2, "ends")
        axes, steps = node.const_input(3, "axes"), node.const_input(4, "steps")
    axes = list(range(len(starts))) if axes is None else [int(a) % x.rank for a in axes]
    steps = [1] * len(starts) if steps is None else [int(s) for s in steps]
    offsets, sizes, strides = [0] * x.rank, list(x.shape), [1] * x.rank
    flips = []
    for a, start, end, step in zip(axes, starts, ends, steps):
        (lo, hi, st) = slice(int(start), int(end), step).indices(x.shape[a])
        n = len(range(lo, hi, st))
        if st < 0:   # the elements in ascending order, reversed after
            lo, st = (lo + (n - 1) * st if n else 0), -st
            flips.append(a)
        offsets[a], sizes[a], strides[a] = (lo if n else 0), n, st
    y = node.e.extract_slice(x, offsets, sizes, strides)
    return reverse(node.e, y, flips) if flips else y


def reverse(e, v, axes):
    """v with the given axes reversed."""
    def body(b, j, read):
        return read([b.emit(f"arith.subi {b.const(n - 1, np.int64)}, {k} : i64") if i in axes else k
                     for i, (k, n) in enumerate(zip(j, v.shape))])
    return e.read_at(v, v.shape, body)


def gather(node):
    x, indices = static(node.inputs[0]), node.inputs[1]
    axis = node.attrs.get("axis", 0) % x.rank
    e = node.e
    if indices.const is not None and indices.const.ndim == 0:
        i = int(indices.const) % x.shape[axis]
        offsets = [0] * x.rank
        offsets[axis] = i
        sizes = list(x.shape)
        sizes[axis] = 1
        return e.reshape(e.extract_slice(x, offsets, sizes), x.shape[:axis] + x.shape[axis + 1:])
    static(indices, "indices")
    # As rows of a 2-D (A*N, B) view of x, over (A, K, B), K the flat indices:
    # iree-lite gathers from 2-D sources in its own kernels.
    n = x.shape[axis]
    outer, inner = int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis + 1:]))
    flat = e.reshape(indices, (int(np.prod(indices.shape)),))
    table = e.reshape(x, (outer * n, inner))
    it = indices.element

    def body(b, args, acc):
        i = b.emit(f"arith.index_cast {wrapped_index(b, args[0], n, indices.dtype)} : {it} to index")
        base = b.emit(f"arith.muli {b.emit('linalg.index 0 : index')}, {b.emit(f'arith.constant {n} : index')} : index")
        row = b.emit(f"arith.addi {base}, {i} : index")
        col = b.emit("linalg.index 2 : index")
        return b.emit(f"tensor.extract {e.materialize(table)}[{row}, {col}] : {table.type}")
    y = e.generic([(flat, ["d1"])], (outer, flat.shape[0], inner), x.dtype, body)
    return e.reshape(y, x.shape[:axis] + indices.shape + x.shape[axis + 1:])


def wrapped_index(b, i, n, dtype):
    """Scalar index i (of dtype) into n elements, a negative one counting
    from the end: ((i % n) + n) % n."""
    size, t = b.const(n, dtype), element_type(dtype)
    r = b.emit(f"arith.remsi {i}, {size} : {t}")
    return b.emit(f"arith.remsi {b.emit(f'arith.addi {r}, {size} : {t}')}, {size} : {t}")


def expand(node):
    x = static(node.inputs[0])
    if not node.known(1):
        return shape_operands.expand(node, x)
    shape = [int(d) for d in node.const_input(1, "shape")]
    rank = max(len(shape), x.rank)
    shape = [1] * (rank - len(shape)) + shape
    xs = (1,) * (rank - x.rank) + x.shape
    out = tuple(s if d == 1 else d for d, s in zip(xs, shape))
    if any(d not in (1, s) for d, s in zip(xs, out)):
        raise NodeError(f"cannot expand {fmt_shape(x.shape)} to {shape}")
    return node.e.broadcast_to(x, out)


def tile(node):
    x = static(node.inputs[0])
    if not node.known(1):
        return shape_operands.tile(node, x, tile_static)
    return tile_static(node.e, x, [int(r) for r in node.const_input(1, "repeats")])


def tile_static(e, x, repeats):
    y = x
    for axis, r in enumerate(repeats):
        if r != 1:
            y = e.concat([y] * r, axis) if r else e.extract_slice(
                y, [0] * y.rank, [0 if i == axis else d for i, d in enumerate(y.shape)])
    return y


def pad(node):
    x = static(node.inputs[0])
    mode = node.attrs.get("mode", "constant")
    if mode not in ("constant", "edge", "reflect", "wrap"):
        raise NodeError(f"mode '{mode}' is not supported")
    if mode != "constant" or not all(node.known(i) for i in (1, 2, 3)):
        return shape_operands.pad(node, x, mode)
    if node.opset < 11:
        pads, value = node.attrs.get("pads"), node.attrs.get("value", 0.0)
        axes = None
    else:
        pads = node.const_input(1, "pads")
        value = node.const_input(2, "constant_value")
        value = 0 if value is None else value.reshape(-1)[0]
        axes = node.const_input(3, "axes")
    axes = list(range(x.rank)) if axes is None else [int(a) % x.rank for a in axes]
    low, high = [0] * x.rank, [0] * x.rank
    for j, a in enumerate(axes):
        low[a], high[a] = int(pads[j]), int(pads[j + len(axes)])
    if min(low + high) < 0:
        off = [max(0, -p) for p in low]
        size = [d - max(0, -lo) - max(0, -hi) for d, lo, hi in zip(x.shape, low, high)]
        x = node.e.extract_slice(x, off, size)
        low, high = [max(0, p) for p in low], [max(0, p) for p in high]
    return node.e.pad(x, low, high, value)


def constant_of_shape(node):
    from onnx import numpy_helper
    value = node.attrs.get("value")
    fill = np.zeros((), np.float32) if value is None else numpy_helper.to_array(value).reshape(())
    if not node.known(0):
        return shape_operands.constant_of_shape(node, fill)
    shape = [int(d) for d in node.const_input(0, "shape")]
    return Value(shape, fill.dtype, const=np.broadcast_to(fill, shape))


def space_to_depth(node):
    x = static(node.inputs[0])
    bs, mode = node.attrs.get("blocksize"), node.attrs.get("mode", "DCR")
    n, c, h, w = x.shape
    y = node.e.reshape(x, (n, c, h // bs, bs, w // bs, bs))
    y = node.e.transpose(y, (0, 3, 5, 1, 2, 4) if mode == "DCR" else (0, 1, 3, 5, 2, 4))
    return node.e.reshape(y, (n, c * bs * bs, h // bs, w // bs))


def depth_to_space(node):
    x = static(node.inputs[0])
    bs, mode = node.attrs.get("blocksize"), node.attrs.get("mode", "DCR")
    n, c, h, w = x.shape
    if mode == "DCR":
        y = node.e.transpose(node.e.reshape(x, (n, bs, bs, c // (bs * bs), h, w)), (0, 3, 4, 1, 5, 2))
    else:
        y = node.e.transpose(node.e.reshape(x, (n, c // (bs * bs), bs, bs, h, w)), (0, 1, 4, 2, 5, 3))
    return node.e.reshape(y, (n, c // (bs * bs), h * bs, w * bs))


def shape_op(node):
    raise NodeError(f"the shape of '{node.proto.input[0]}' is not static: {fmt_shape(node.inputs[0].shape)}")


def size(node):
    x = static(node.inputs[0])
    a = np.array(int(np.prod(x.shape)), np.int64)
    return Value((), a.dtype, const=a)


CONVERTERS = {
    "Reshape": reshape, "Flatten": flatten, "Squeeze": squeeze, "Unsqueeze": unsqueeze,
    "Transpose": transpose, "Concat": concat, "Split": split, "Slice": slice_, "Gather": gather,
    "Expand": expand, "Tile": tile, "Pad": pad, "ConstantOfShape": constant_of_shape,
    "Shape": shape_op, "Range": shape_operands.range_, "Size": size, "SpaceToDepth": space_to_depth,
    "DepthToSpace": depth_to_space,
}
