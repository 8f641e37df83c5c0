"""Ops that work along an axis in order: CumSum and CumProd (as
iree_linalg_ext.scan), TopK (as iree_linalg_ext.sort), Hardmax, OneHot and
ReverseSequence."""
import numpy as np

from ..emitter import NodeError, Value, fmt_shape
from ..scalars import Scalars
from .elementwise import check_float
from .indexing import extreme_position
from .linalg_ext import check, empty_value, positions, region_op, reverse, scalar_of
from .nn import static
from .shape_operands import operand_name


def cumulative(kind):
    """CumSum / CumProd: an inclusive (or exclusive) scan along the axis, in
    reverse when asked. A run-time axis scans along every axis and picks one."""
    def convert(node):
        x = static(node.inputs[0])
        exclusive, backward = node.attrs.get("exclusive", 0), node.attrs.get("reverse", 0)
        if x.rank == 0:
            raise NodeError("the input must have rank 1 or more")
        e, t = node.e, x.element
        if x.dtype.kind == "b":
            raise NodeError(f"element type {x.dtype} is not supported")
        op = {"sum": ("arith.addf", "arith.addi"), "prod": ("arith.mulf", "arith.muli")}[kind][0 if x.is_float else 1]
        identity = (0 if kind == "sum" else 1) * (1.0 if x.is_float else 1)

        def along(axis):
            src = reverse(e, x, axis) if backward else x
            kept = x.shape[:axis] + x.shape[axis + 1:]
            acc = Value(kept, x.dtype, ssa=e.fill(identity, kept, x.dtype))
            y, _ = region_op(e, f"iree_linalg_ext.scan dimension({axis}) inclusive({'false' if exclusive else 'true'})",
                             [src], [empty_value(e, x.shape, x.dtype), acc], [t, t],
                             lambda b, a: b.emit(f"{op} {a[0]}, {a[1]} : {t}"))
            return reverse(e, y, axis) if backward else y

        axis_value = node.inputs[1]
        if axis_value.const is not None:
            axis = int(axis_value.const.reshape(-1)[0])
            if not -x.rank <= axis < x.rank:
                raise NodeError(f"axis {axis} is out of range for rank {x.rank}")
            return along(axis % x.rank)
        return pick_axis(node, x, axis_value, [along(a) for a in range(x.rank)])
    return convert


def pick_axis(node, x, axis_value, candidates):
    """The candidate for the run-time axis (one per axis of x), after checking
    the axis is within [-rank, rank)."""
    e, r = node.e, x.rank
    it = axis_value.element
    a = scalar_of(e, axis_value)
    low = e.emit(f"arith.cmpi sge, {a}, {e.emit(f'arith.constant {-r} : {it}')} : {it}")
    high = e.emit(f"arith.cmpi slt, {a}, {e.emit(f'arith.constant {r} : {it}')} : {it}")
    check(e, e.emit(f"arith.andi {low}, {high} : i1"), f"{node.op_type}: axis is out of range for rank {r}")
    if r == 1:
        return candidates[0]
    negative = e.emit(f"arith.cmpi slt, {a}, {e.emit(f'arith.constant 0 : {it}')} : {it}")
    shifted = e.emit(f"arith.addi {a}, {e.emit(f'arith.constant {r} : {it}')} : {it}")
    wrapped = e.emit(f"arith.select {negative}, {shifted}, {a} : {it}")
    every = [f"d{i}" for i in range(r)]

    def body(b, args, acc):
        result = args[-1]
        for i in range(r - 2, -1, -1):
            hit = b.emit(f"arith.cmpi eq, {wrapped}, {b.const(i, axis_value.dtype)} : {it}")
            result = b.emit(f"arith.select {hit}, {args[i]}, {result} : {x.element}")
        return result
    return e.generic([(c, every) for c in candidates], x.shape, x.dtype, body)


def topk(node):
    """A sort along the axis by value (largest or smallest first, equal
    values by position), then the first k."""
    x = static(node.inputs[0])
    axis = node.attrs.get("axis", -1)
    if not -x.rank <= axis < x.rank:
        raise NodeError(f"axis {axis} is out of range for rank {x.rank}")
    axis %= x.rank
    k = count_operand(node, 1, "k", lambda k: x.shape[:axis] + (k,) + x.shape[axis + 1:], axis)
    largest = node.attrs.get("largest", 1)
    node.attrs.get("sorted", 1)   # sorted output is also a valid unsorted one
    if not 0 <= k <= x.shape[axis]:
        raise NodeError(f"k = {k} is outside [0, {x.shape[axis]}]")
    if x.dtype.kind == "b":
        raise NodeError(f"element type {x.dtype} is not supported")
    e, t = node.e, x.element
    if x.is_float:
        before, equal = f"arith.cmpf {'ogt' if largest else 'olt'}", "arith.cmpf oeq"
    else:
        sign = "u" if x.unsigned else "s"
        before, equal = f"arith.cmpi {sign}{'gt' if largest else 'lt'}", "arith.cmpi eq"

    def body(b, a):
        first = b.emit(f"{before}, {a[0]}, {a[1]} : {t}")
        tie = b.emit(f"{equal}, {a[0]}, {a[1]} : {t}")
        earlier = b.emit(f"arith.cmpi slt, {a[2]}, {a[3]} : i64")
        return b.emit(f"arith.ori {first}, {b.emit(f'arith.andi {tie}, {earlier} : i1')} : i1")
    values, indices = region_op(e, f"iree_linalg_ext.sort dimension({axis})", [],
                                [x, positions(e, x.shape, axis)], [t, t, "i64", "i64"], body, "i1")
    sizes = [k if i == axis else d for i, d in enumerate(x.shape)]
    return [e.extract_slice(values, [0] * x.rank, sizes), e.extract_slice(indices, [0] * x.rank, sizes)]


def count_operand(node, i, what, shape_for, axis):
    """Input i, a count of one element (TopK's k, OneHot's depth): its value
    when known at import time, else the size output 0 is declared to have
    along axis, with a run-time check that the operand (an integer, or a
    float truncated) agrees."""
    v = node.input(i)
    if None in v.shape or int(np.prod(v.shape)) != 1:
        raise NodeError(f"{what} must have one element")
    if node.known(i):
        return int(node.const_input(i, what).reshape(-1)[0])
    out = node.output_shape(0, operand_name(node, i))
    if len(out) != len(shape_for(0)) or tuple(out) != tuple(shape_for(out[axis])):
        raise NodeError(f"the declared output shape {fmt_shape(out)} does not fit the input with {what} "
                        f"along axis {axis}")
    s = Scalars(node)
    count = s.scalar(i, what)
    if v.is_float:
        count = node.e.emit(f"arith.fptosi {count} : {v.element} to i64")
    elif v.dtype.kind == "b":
        raise NodeError(f"input {i} ('{node.proto.input[i]}', {what}) must be a number")
    elif v.element != "i64":
        count = node.e.emit(f"arith.{'extui' if v.unsigned else 'extsi'} {count} : {v.element} to i64")
    s.check(s.equals(count, out[axis]), f"the {what} operand is not the declared {out[axis]}")
    return out[axis]


def hardmax(node):
    """1 at the first maximum along the axis, 0 elsewhere (before opset 13,
    over the input flattened to 2-D at the axis)."""
    x = static(node.inputs[0])
    check_float(x)
    axis = node.attrs.get("axis", -1 if node.opset >= 13 else 1)
    if not -x.rank <= axis < x.rank:
        raise NodeError(f"axis {axis} is out of range for rank {x.rank}")
    axis %= x.rank
    e, shape = node.e, x.shape
    if node.opset < 13:
        x = e.reshape(x, (int(np.prod(shape[:axis])), int(np.prod(shape[axis:]))))
        axis = 1
    first = extreme_position(e, x, axis, "max")
    n = x.rank

    def body(b, args, acc):
        pos = b.emit(f"arith.index_cast {b.emit(f'linalg.index {axis} : index')} : index to i64")
        hit = b.emit(f"arith.cmpi eq, {pos}, {args[0]} : i64")
        return b.emit(f"arith.select {hit}, {b.const(1.0, x.dtype)}, {b.const(0.0, x.dtype)} : {x.element}")
    y = e.generic([(first, [f"d{i}" for i in range(n) if i != axis])], x.shape, x.dtype, body)
    return e.reshape(y, shape)


def one_hot(node):
    """values[1] where the (wrapped) index equals the position along the new
    axis, values[0] elsewhere; out-of-range indices match nothing."""
    indices, values = static(node.inputs[0]), node.inputs[2]
    if values.shape != (2,):
        raise NodeError("values must have two elements")
    r = indices.rank
    axis = node.attrs.get("axis", -1)
    if not -r - 1 <= axis <= r:
        raise NodeError(f"axis {axis} is out of range for rank {r + 1}")
    axis %= r + 1
    depth = count_operand(node, 1, "depth", lambda d: indices.shape[:axis] + (d,) + indices.shape[axis:], axis)
    if depth < 1:
        raise NodeError(f"depth {depth} is not positive")
    e = node.e
    shape = indices.shape[:axis] + (depth,) + indices.shape[axis:]
    table = e.materialize(values)
    exprs = [f"d{i}" for i in range(r + 1) if i != axis]

    def body(b, args, acc):
        i = args[0]
        if indices.is_float:
            i = b.emit(f"arith.fptosi {i} : {indices.element} to i64")
        elif indices.dtype.itemsize < 8:
            i = b.emit(f"arith.{'extui' if indices.unsigned else 'extsi'} {i} : {indices.element} to i64")
        size = b.const(depth, np.int64)
        negative = b.emit(f"arith.cmpi slt, {i}, {b.const(0, np.int64)} : i64")
        i = b.emit(f"arith.select {negative}, {b.emit(f'arith.addi {i}, {size} : i64')}, {i} : i64")
        pos = b.emit(f"arith.index_cast {b.emit(f'linalg.index {axis} : index')} : index to i64")
        hit = b.emit(f"arith.cmpi eq, {i}, {pos} : i64")
        on = b.emit(f"tensor.extract {table}[{b.emit('arith.constant 1 : index')}] : {values.type}")
        off = b.emit(f"tensor.extract {table}[{b.emit('arith.constant 0 : index')}] : {values.type}")
        return b.emit(f"arith.select {hit}, {on}, {off} : {values.element}")
    return e.generic([(indices, exprs)], shape, values.dtype, body)


def reverse_sequence(node):
    """Along the time axis, each batch element's first sequence_lens[b]
    entries reversed, the rest kept."""
    x, lens = static(node.inputs[0]), static(node.inputs[1], "sequence_lens")
    batch_axis, time_axis = node.attrs.get("batch_axis", 1), node.attrs.get("time_axis", 0)
    if x.rank < 2 or {batch_axis, time_axis} - {0, 1} or batch_axis == time_axis:
        raise NodeError("batch_axis and time_axis must be 0 and 1 (in either order) of an input of rank 2 or more")
    if lens.shape != (x.shape[batch_axis],):
        raise NodeError(f"sequence_lens must have shape [{x.shape[batch_axis]}]")
    e = node.e
    src = e.materialize(x)

    def body(b, args, acc):
        length = args[0]
        if lens.dtype.itemsize < 8:
            length = b.emit(f"arith.extsi {length} : {lens.element} to i64")
        length = b.emit(f"arith.minsi {length}, {b.const(x.shape[time_axis], np.int64)} : i64")   # never past the end
        t = b.emit(f"arith.index_cast {b.emit(f'linalg.index {time_axis} : index')} : index to i64")
        inside = b.emit(f"arith.cmpi slt, {t}, {length} : i64")
        flipped = b.emit(f"arith.subi {b.emit(f'arith.subi {length}, {b.const(1, np.int64)} : i64')}, {t} : i64")
        source_t = b.emit(f"arith.index_cast {b.emit(f'arith.select {inside}, {flipped}, {t} : i64')} : i64 to index")
        at = [source_t if i == time_axis else b.emit(f"linalg.index {i} : index") for i in range(x.rank)]
        return b.emit(f"tensor.extract {src}[{', '.join(at)}] : {x.type}")
    return e.generic([(lens, [f"d{batch_axis}"])], x.shape, x.dtype, body)


CONVERTERS = {
    "CumSum": cumulative("sum"), "CumProd": cumulative("prod"), "TopK": topk, "Hardmax": hardmax,
    "OneHot": one_hot, "ReverseSequence": reverse_sequence,
}
