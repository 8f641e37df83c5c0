"""Shape ops whose shape-giving operand (Reshape's shape, Slice's starts,
Pad's pads, ...) is known only at run time. The result's static shape comes
from the model's declared output shape; the code reads the operand at run
time where the values matter (offsets, strides, pad widths) and asserts
that it agrees with the declared shape."""
import numpy as np

from ..emitter import NodeError, Value, element_type, fmt_shape
from ..scalars import Scalars, axis_sets


def operand_name(node, i):
    return f"input {i} ('{node.proto.input[i]}')"


def first_runtime(node, indices):
    """`input i ('name')` for the first of indices known only at run time."""
    return next(operand_name(node, i) for i in indices if not node.known(i))


def check_length(node, values, n, i, what):
    if len(values) != n:
        raise NodeError(f"input {i} ('{node.proto.input[i]}', {what}) has {len(values)} elements, {n} expected")


def reshape(node, x, allowzero):
    s = Scalars(node)
    out = node.output_shape(0, operand_name(node, 1))
    shape = s.ints(1, "shape")
    check_length(node, shape, len(out), 1, "shape")
    if int(np.prod(out)) != int(np.prod(x.shape)):
        raise NodeError(f"cannot reshape {fmt_shape(x.shape)} to the declared {fmt_shape(out)}")
    oks, inferred = [], []
    for i, (d, o) in enumerate(zip(shape, out)):
        inferred.append(s.equals(d, -1))
        # -1 takes what the others leave: the declared size when they all agree
        others = int(np.prod([n for j, n in enumerate(out) if j != i]))
        choices = [s.equals(d, o)] + ([inferred[-1]] if others else [])
        if not allowzero and i < x.rank and x.shape[i] == o:
            choices.append(s.equals(d, 0))
        oks.append(s.any(choices))
    count = s.const(0)
    for c in inferred:
        count = s.op("addi", count, s.e.emit(f"arith.extui {c} : i1 to i64"))
    oks.append(s.cmp("sle", count, s.const(1)))
    s.check(s.all(oks), f"the shape operand does not give the declared output shape {fmt_shape(out)}")
    return node.e.reshape(x, out)


def check_axes(s, axes, rank, sets, what):
    """Assert the runtime axes are one of the candidate sets."""
    axes = [s.wrap_negative(a, rank) for a in axes]
    s.check(s.any(s.is_axis_set(axes, c) for c in sets),
            f"the axes operand does not give the declared output shape {what}")


def squeeze(node, x):
    s = Scalars(node)
    out = node.output_shape(0, operand_name(node, 1))
    axes = s.ints(1, "axes")

    def fits(removed):
        return all(x.shape[a] == 1 for a in removed) and \
            tuple(d for i, d in enumerate(x.shape) if i not in removed) == tuple(out)
    check_axes(s, axes, x.rank, axis_sets(x.rank, len(axes), fits, fmt_shape(x.shape)), fmt_shape(out))
    return node.e.reshape(x, out)


def unsqueeze(node, x):
    s = Scalars(node)
    out = node.output_shape(0, operand_name(node, 1))
    axes = s.ints(1, "axes")
    rank = x.rank + len(axes)

    def fits(inserted):
        rest = [d for i, d in enumerate(out) if i not in inserted]
        return len(out) == rank and all(out[a] == 1 for a in inserted) and tuple(rest) == x.shape
    check_axes(s, axes, rank, axis_sets(rank, len(axes), fits, fmt_shape(x.shape)), fmt_shape(out))
    return node.e.reshape(x, out)


def expand(node, x):
    s = Scalars(node)
    out = node.output_shape(0, operand_name(node, 1))
    shape = s.ints(1, "shape")
    rank = max(len(shape), x.rank)
    xs = (1,) * (rank - x.rank) + x.shape
    if len(out) != rank or any(d not in (1, o) for d, o in zip(xs, out)) or \
            any(d != o for d, o in zip(xs[:rank - len(shape)], out)):
        raise NodeError(f"cannot expand {fmt_shape(x.shape)} to the declared {fmt_shape(out)}")
    oks = [s.any([s.equals(d, o)] + ([s.equals(d, 1)] if xd == o else []))
           for d, xd, o in zip(shape, xs[rank - len(shape):], out[rank - len(shape):])]
    s.check(s.all(oks), f"the shape operand does not give the declared output shape {fmt_shape(out)}")
    return node.e.broadcast_to(x, out)


def tile(node, x, tile_static):
    s = Scalars(node)
    out = node.output_shape(0, operand_name(node, 1))
    repeats = s.ints(1, "repeats")
    check_length(node, repeats, x.rank, 1, "repeats")
    if len(out) != x.rank or any((o % d if d else o) for d, o in zip(x.shape, out)):
        raise NodeError(f"cannot tile {fmt_shape(x.shape)} to the declared {fmt_shape(out)}")
    oks = [s.cmp("sge", r, s.const(0)) if d == 0 else s.equals(r, o // d)
           for r, d, o in zip(repeats, x.shape, out)]
    s.check(s.all(oks), f"the repeats operand does not give the declared output shape {fmt_shape(out)}")
    return tile_static(node.e, x, [o // d if d else 1 for d, o in zip(x.shape, out)])


def split_sizes(node, x, axis, count):
    """The declared sizes of the outputs along axis, checked against the
    runtime split operand."""
    s = Scalars(node)
    sizes = []
    for k in range(count):
        out = node.output_shape(k, operand_name(node, 1))
        if len(out) != x.rank:
            raise NodeError(f"output {k} has rank {len(out)}, {x.rank} expected")
        sizes.append(out[axis])
    split = s.ints(1, "split")
    check_length(node, split, count, 1, "split")
    s.check(s.all(s.equals(v, n) for v, n in zip(split, sizes)),
            f"the split operand does not give the declared output sizes {sizes}")
    return sizes


def constant_of_shape(node, fill):
    s = Scalars(node)
    out = node.output_shape(0, operand_name(node, 0))
    shape = s.ints(0, "shape")
    check_length(node, shape, len(out), 0, "shape")
    s.check(s.all(s.equals(d, o) for d, o in zip(shape, out)),
            f"the shape operand does not give the declared output shape {fmt_shape(out)}")
    return Value(out, fill.dtype, const=np.broadcast_to(fill, out))


def axes_of(node, s, rank, i, count):
    """Input i's axes (all axes in order when omitted): ints in [0, rank)
    when known, else SSA names, checked at run time to be valid and
    distinct."""
    if node.input(i) is None:
        return list(range(count))
    if node.known(i):
        axes = [int(a) % rank for a in node.const_input(i, "axes")]
    else:
        axes = [s.wrap_negative(a, rank) for a in s.ints(i, "axes")]
        valid = [s.all([s.cmp("sge", a, s.const(0)), s.cmp("slt", a, s.const(rank))]) for a in axes]
        distinct = [s.cmp("ne", a, b) for k, a in enumerate(axes) for b in axes[k + 1:]]
        s.check(s.all(valid + distinct), f"the axes operand must name distinct axes in [-{rank}, {rank - 1}]")
    check_length(node, axes, count, i, "axes")
    return axes


def per_axis(s, rank, axes, values, default):
    """For each axis below rank, the value (axes, values) give it, else
    default(axis)."""
    if all(isinstance(a, int) for a in axes):
        given = dict(zip(axes, values))
        return [given[a] if a in given else default(a) for a in range(rank)]
    result = []
    for a in range(rank):
        value = default(a)
        for ax, v in zip(axes, values):
            value = s.select(s.equals(ax, a), v, value)
        result.append(value)
    return result


def slice_(node, x):
    """ONNX Slice: per axis, start and end taken from the end when negative,
    clamped, then count = ceil((end - start) / step) elements from start."""
    s = Scalars(node)
    out = node.output_shape(0, first_runtime(node, range(1, 5)))
    if len(out) != x.rank:
        raise NodeError(f"the declared output shape {fmt_shape(out)} has another rank than the input")
    starts, ends = s.ints(1, "starts"), s.ints(2, "ends")
    check_length(node, ends, len(starts), 2, "ends")
    steps = s.ints(4, "steps") if node.input(4) is not None else [s.const(1)] * len(starts)
    check_length(node, steps, len(starts), 4, "steps")
    axes = axes_of(node, s, x.rank, 3, len(starts))
    starts = per_axis(s, x.rank, axes, starts, lambda a: s.const(0))
    ends = per_axis(s, x.rank, axes, ends, lambda a: s.const(x.shape[a]))
    steps = per_axis(s, x.rank, axes, steps, lambda a: s.const(1))
    oks = []
    for a, d in enumerate(x.shape):
        forward = s.cmp("sgt", steps[a], s.const(0))
        start, end = s.wrap_negative(starts[a], d), s.wrap_negative(ends[a], d)
        starts[a] = s.select(forward, s.clamp(start, 0, d), s.clamp(start, 0, d - 1))
        end = s.select(forward, s.clamp(end, 0, d), s.clamp(end, -1, d - 1))
        nonzero = s.cmp("ne", steps[a], s.const(0))
        divisor = s.select(nonzero, steps[a], s.const(1))
        count = s.op("maxsi", s.op("ceildivsi", s.op("subi", end, starts[a]), divisor), s.const(0))
        oks += [nonzero, s.equals(count, out[a])]
    s.check(s.all(oks), f"the slice operands do not give the declared output shape {fmt_shape(out)}")
    return node.e.read_at(x, out, lambda b, j, read: read([
        b.emit(f"arith.addi {start}, {b.emit(f'arith.muli {k}, {step} : i64')} : i64")
        for k, start, step in zip(j, starts, steps)]))


def pad(node, x, mode):
    """Pad by reading x at (output index - low pad) per axis: outside x the
    constant (mode constant), else of what negative pads leave of x the
    nearest edge, the mirror image without the edge (reflect) or the other
    end (wrap)."""
    s = Scalars(node)
    e = node.e
    if node.opset < 11:
        pads = [s.const(p) for p in node.attrs.get("pads")]
        value = node.attrs.get("value", 0.0)
    else:
        pads = s.ints(1, "pads")
        # the constant: a literal when known, else read at run time
        value = 0 if node.input(2) is None else \
            node.const_input(2).reshape(-1)[0] if node.known(2) else s.scalar(2, "constant_value")
    half = len(pads) // 2
    axes = axes_of(node, s, x.rank, 3, half)
    low = per_axis(s, x.rank, axes, pads[:half], lambda a: s.const(0))
    high = per_axis(s, x.rank, axes, pads[half:], lambda a: s.const(0))
    if all(node.known(i) for i in (1, 3)):
        known = [int(a) for a in node.const_input(1)] if node.opset >= 11 else node.attrs.get("pads")
        out = list(x.shape)
        for j, a in enumerate(axes):
            out[a] += known[j] + known[j + half]
    else:
        out = node.output_shape(0, first_runtime(node, (1, 3)))
        if len(out) != x.rank:
            raise NodeError(f"the declared output shape {fmt_shape(out)} has another rank than the input")
        s.check(s.all(s.equals(s.op("addi", s.op("addi", lo, hi), s.const(d)), o)
                      for lo, hi, d, o in zip(low, high, x.shape, out)),
                f"the pads operand does not give the declared output shape {fmt_shape(out)}")
    if any(d < 0 for d in out):
        raise NodeError(f"the pads make a negative dimension: {fmt_shape(out)}")

    def scalar(b):
        return value if isinstance(value, str) else b.const(value, x.dtype)
    if 0 in x.shape:
        if mode != "constant":
            raise NodeError(f"mode '{mode}' cannot pad an empty tensor")
        init = e.empty(out, x.dtype)
        return e.generic([], out, x.dtype, lambda b, args, acc: scalar(b), init=init)

    if mode == "constant":
        return e.read_at(x, tuple(out), lambda b, j, read: pad_constant(b, j, read, low, x, scalar(b)))
    # the other modes extend what is left of x after negative pads crop it
    crop = [s.op("maxsi", s.op("subi", s.const(0), lo), s.const(0)) for lo in low]
    sizes = [s.op("subi", s.op("subi", s.const(d), c), s.op("maxsi", s.op("subi", s.const(0), hi), s.const(0)))
             for d, c, hi in zip(x.shape, crop, high)]
    s.check(s.all(s.cmp("sge", n, s.const(1)) for n in sizes),
            f"the pads operand crops away every element of an axis, which mode '{mode}' extends")
    shifts = [s.op("maxsi", lo, s.const(0)) for lo in low]
    lasts = [s.op("subi", n, s.const(1)) for n in sizes]
    periods = [s.op("maxsi", s.op("muli", last, s.const(2)), s.const(1)) for last in lasts]

    def body(b, j, read):
        indices = []
        for k, shift, c, n, last, period in zip(j, shifts, crop, sizes, lasts, periods):
            k = b.emit(f"arith.subi {k}, {shift} : i64")
            if mode == "edge":
                k = b.emit(f"arith.minsi {b.emit(f'arith.maxsi {k}, {b.const(0, np.int64)} : i64')}, {last} : i64")
            elif mode == "wrap":
                k = floor_mod(b, k, n)
            else:   # reflect: period 2(n-1) (1 for n = 1), its second half mirrored
                m = floor_mod(b, k, period)
                back = b.emit(f"arith.subi {period}, {m} : i64")
                k = b.emit(f"arith.select {b.emit(f'arith.cmpi sle, {m}, {last} : i64')}, {m}, {back} : i64")
            indices.append(b.emit(f"arith.addi {k}, {c} : i64"))
        return read(indices)
    return e.read_at(x, tuple(out), body)


def pad_constant(b, j, read, low, x, value):
    """x at (j - low) where that is inside x, else value."""
    indices, inside = [], []
    for k, lo, d in zip(j, low, x.shape):
        k = b.emit(f"arith.subi {k}, {lo} : i64")
        zero, last = b.const(0, np.int64), b.const(d - 1, np.int64)
        inside += [b.emit(f"arith.cmpi sge, {k}, {zero} : i64"), b.emit(f"arith.cmpi sle, {k}, {last} : i64")]
        indices.append(b.emit(f"arith.minsi {b.emit(f'arith.maxsi {k}, {zero} : i64')}, {last} : i64"))
    element = read(indices)
    ok = inside[0]
    for c in inside[1:]:
        ok = b.emit(f"arith.andi {ok}, {c} : i1")
    return b.emit(f"arith.select {ok}, {element}, {value} : {element_type(x.dtype)}")


def floor_mod(b, k, n):
    """k mod n (an i64 SSA value) in [0, n), for any sign of k."""
    r = b.emit(f"arith.remsi {k}, {n} : i64")
    return b.emit(f"arith.remsi {b.emit(f'arith.addi {r}, {n} : i64')}, {n} : i64")


def range_(node):
    """start + i * delta for the declared number of elements, which must be
    max(ceil((limit - start) / delta), 0)."""
    s = Scalars(node)
    out = node.output_shape(0, first_runtime(node, range(3)))
    x = node.inputs[0]
    t, dt = x.element, x.dtype
    if len(out) != 1:
        raise NodeError(f"the declared output shape {fmt_shape(out)} is not 1-D")
    start, limit, delta = (s.value(i, what) for i, what in enumerate(("start", "limit", "delta")))
    e = node.e
    if x.is_float:
        wide = [v if t == "f64" else e.emit(f"arith.extf {v} : {t} to f64") for v in (limit, start, delta)]
        ceil = e.emit(f"math.ceil {s.op('divf', s.op('subf', wide[0], wide[1], 'f64'), wide[2], 'f64')} : f64")
        # a NaN, infinite or huge count (zero delta among them) fails the check
        bound = e.emit("arith.constant 1.0e+18 : f64")
        nonzero = e.emit(f"arith.cmpf olt, {e.emit(f'math.absf {ceil} : f64')}, {bound} : f64")
        count = e.emit(f"arith.fptosi {s.select(nonzero, ceil, e.emit('arith.constant 0.0 : f64'), 'f64')} : "
                       "f64 to i64")
    else:
        wide = [v if t == "i64" else e.emit(f"arith.extsi {v} : {t} to i64") for v in (limit, start, delta)]
        nonzero = s.cmp("ne", wide[2], s.const(0))
        divisor = s.select(nonzero, wide[2], s.const(1))
        count = s.op("ceildivsi", s.op("subi", wide[0], wide[1]), divisor)
    count = s.op("maxsi", count, s.const(0))
    s.check(s.all([nonzero, s.equals(count, out[0])]),
            f"start, limit and delta do not give the declared {out[0]} elements")

    def body(b, args, acc):
        i = b.emit(f"arith.index_cast {b.emit('linalg.index 0 : index')} : index to i64")
        if x.is_float:
            i = b.emit(f"arith.sitofp {i} : i64 to {t}")
        elif t != "i64":
            i = b.emit(f"arith.trunci {i} : i64 to {t}")
        step = b.emit(f"arith.{'mulf' if x.is_float else 'muli'} {i}, {delta} : {t}")
        return b.emit(f"arith.{'addf' if x.is_float else 'addi'} {start}, {step} : {t}")
    return e.generic([], tuple(out), dt, body)
