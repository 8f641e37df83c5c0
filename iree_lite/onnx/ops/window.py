"""Ops that slide a window over any number of spatial dimensions: the
pools (MaxPool with its Indices, AveragePool, LpPool, GlobalLpPool) and
ConvTranspose, each one linalg.generic whose input map reads position
`out * stride + tap * dilation` (a `window` operand of the kernel's shape
gives the taps their bounds); and MaxUnpool, MaxPool's Indices undone."""
import numpy as np

from ..emitter import NodeError, Value, fmt_shape
from .elementwise import check_float
from .nn import static, window_attrs


def dims(first, count):
    return [f"d{first + i}" for i in range(count)]


def tap_exprs(out_dims, tap_dims, strides, dilations, offsets=None):
    """The affine expressions `o * s + k * d + offset` of a window's reads."""
    offsets = offsets or [0] * len(out_dims)
    return [f"{o} * {s} + {k} * {d}" + (f" + {c}" if c else "")
            for o, k, s, d, c in zip(out_dims, tap_dims, strides, dilations, offsets)]


def window(e, kernel, dtype):
    return Value(tuple(kernel), dtype, ssa=e.empty(kernel, dtype))


def required(node, name):
    value = node.attrs.get(name)
    if value is None:
        raise NodeError(f"attribute '{name}' is required")
    return list(value)


def pool_geometry(node, x, kernel):
    """(strides, dilations, pads low, pads high, what ceil_mode adds past the
    high pads, output spatial sizes) of a pool over x's spatial dimensions."""
    strides, dilations, low, high = window_attrs(node, x.shape[2:], kernel, False)
    ceil_mode = node.attrs.get("ceil_mode", 0)
    out, extra = [], []
    for size, k, s, d, lo, hi in zip(x.shape[2:], kernel, strides, dilations, low, high):
        span = size + lo + hi - (k - 1) * d - 1
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= size + lo:
            o -= 1   # the last window must start inside the input or its low pad
        out.append(o)
        extra.append(max(0, (o - 1) * s + (k - 1) * d + 1 - (size + lo + hi)))
    if min(out) < 1:
        raise NodeError(f"the kernel {fmt_shape(kernel)} does not fit the input {fmt_shape(x.shape)}")
    return strides, dilations, low, high, extra, out


def pool(kind):
    def convert(node):
        x = static(node.inputs[0])
        if x.rank < 3:
            raise NodeError(f"{kind} needs an input of rank 3 or more, not {fmt_shape(x.shape)}")
        if kind != "MaxPool":
            check_float(x)
        elif x.dtype.kind not in "fiu":
            raise NodeError(f"element type {x.dtype} is not supported")
        kernel = required(node, "kernel_shape")
        if len(kernel) != x.rank - 2:
            raise NodeError(f"kernel_shape {kernel} does not match the input's {x.rank - 2} spatial dimensions")
        strides, dilations, low, high, extra, out = pool_geometry(node, x, kernel)
        e, t, s = node.e, x.element, len(kernel)
        # unsigned maxima as signed ones of the values with their top bit flipped
        flip = 1 << (8 * x.dtype.itemsize - 1) if x.unsigned else None
        if kind == "MaxPool":
            pad_value = -np.inf if x.is_float else np.iinfo(x.dtype).min
            combine = "arith.maximumf" if x.is_float else "arith.maxsi"
        else:
            pad_value, combine = 0.0, "arith.addf"
        p = node.attrs.get("p", 2) if kind == "LpPool" else None
        include_pad = node.attrs.get("count_include_pad", 0) if kind == "AveragePool" else 0
        storage_order = node.attrs.get("storage_order", 0) if kind == "MaxPool" else 0
        xp = e.pad(x, [0, 0] + low, [0, 0] + [h + x_ for h, x_ in zip(high, extra)], pad_value)
        shape = x.shape[:2] + tuple(out)
        reads = ["d0", "d1"] + tap_exprs(dims(2, s), dims(2 + s, s), strides, dilations)

        def body(b, args, acc):
            v = args[0]
            if p is not None:   # |x|^p
                v = b.emit(f"math.absf {v} : {t}")
                v = b.emit(f"arith.mulf {v}, {v} : {t}") if p == 2 else \
                    b.emit(f"math.powf {v}, {b.const(float(p), x.dtype)} : {t}")
            if flip:
                v = b.emit(f"arith.xori {v}, {b.const(flip, x.dtype)} : {t}")
            return b.emit(f"{combine} {acc}, {v} : {t}")
        taps = window(e, kernel, x.dtype)
        y = e.generic([(xp, reads), (taps, dims(2 + s, s))], shape, x.dtype, body, reduce_dims=kernel,
                      init=e.fill(flip if flip else pad_value, shape, x.dtype))
        if flip:
            y = e.elementwise([y], x.dtype, lambda b, a: b.emit(f"arith.xori {a[0]}, {b.const(flip, x.dtype)} : {t}"))
        if kind == "AveragePool":
            counts = np.ones(out, x.dtype)
            for axis, (size, k, st, d, lo, hi, o) in enumerate(zip(x.shape[2:], kernel, strides, dilations,
                                                                  low, high, out)):
                first, last = (-lo, size + hi) if include_pad else (0, size)
                pos = np.arange(o)[:, None] * st - lo + np.arange(k)[None, :] * d
                along = ((pos >= first) & (pos < last)).sum(axis=1).astype(x.dtype)
                counts = counts * along.reshape([-1 if i == axis else 1 for i in range(s)])
            y = e.elementwise([y, Value(counts.shape, counts.dtype, const=counts)], x.dtype,
                              lambda b, a: b.emit(f"arith.divf {a[0]}, {a[1]} : {t}"))
        elif kind == "LpPool":
            y = e.elementwise([y], x.dtype, lambda b, a: b.emit(f"math.sqrt {a[0]} : {t}") if p == 2 else
                              b.emit(f"math.powf {a[0]}, {b.const(1.0 / p, x.dtype)} : {t}"))
        if kind == "MaxPool" and len([o for o in node.proto.output if o]) > 1:
            return [y, max_indices(e, x, xp, y, kernel, strides, dilations, low, storage_order)]
        return y   # storage_order only spells the Indices
    return convert


def max_indices(e, x, xp, y, kernel, strides, dilations, low, storage_order):
    """MaxPool's Indices: the flat position in x (row-major, or with the
    spatial dimensions column-major for storage_order=1) of the first
    maximum in each window's row-major scan."""
    s, rank = len(kernel), x.rank
    spatial = x.shape[2:]
    row_major = [int(np.prod(spatial[i + 1:])) for i in range(s)]
    col_major = [int(np.prod(spatial[:i])) for i in range(s)]
    size = int(np.prod(spatial))
    none = int(np.prod(x.shape))
    reads = ["d0", "d1"] + tap_exprs(dims(2, s), dims(2 + s, s), strides, dilations)
    eq = "arith.cmpf oeq" if x.is_float else "arith.cmpi eq"

    def body(b, args, acc):
        i64 = lambda v: b.emit(f"arith.index_cast {v} : index to i64")   # noqa: E731
        idx = lambda d: i64(b.emit(f"linalg.index {d} : index"))   # noqa: E731
        const = lambda v: b.const(v, np.int64)   # noqa: E731
        channel = b.emit(f"arith.addi {b.emit(f'arith.muli {idx(0)}, {const(x.shape[1])} : i64')}, {idx(1)} : i64")
        flat = b.emit(f"arith.muli {channel}, {const(size)} : i64")
        inside = b.emit("arith.constant true")
        for i in range(s):
            pos = b.emit(f"arith.addi {b.emit(f'arith.muli {idx(2 + i)}, {const(strides[i])} : i64')}, "
                         f"{b.emit(f'arith.muli {idx(2 + s + i)}, {const(dilations[i])} : i64')} : i64")
            pos = b.emit(f"arith.subi {pos}, {const(low[i])} : i64")
            ok = b.emit(f"arith.andi {b.emit(f'arith.cmpi sge, {pos}, {const(0)} : i64')}, "
                        f"{b.emit(f'arith.cmpi slt, {pos}, {const(spatial[i])} : i64')} : i1")
            inside = b.emit(f"arith.andi {inside}, {ok} : i1")
            flat = b.emit(f"arith.addi {flat}, {b.emit(f'arith.muli {pos}, {const(row_major[i])} : i64')} : i64")
        hit = b.emit(f"arith.andi {inside}, {b.emit(f'{eq}, {args[0]}, {args[1]} : {x.element}')} : i1")
        return b.emit(f"arith.minsi {acc}, {b.emit(f'arith.select {hit}, {flat}, {const(none)} : i64')} : i64")
    taps = window(e, kernel, x.dtype)
    out_dims = dims(0, rank)
    indices = e.generic([(xp, reads), (y, out_dims), (taps, dims(rank, s))], y.shape, np.int64, body,
                        reduce_dims=kernel, init=e.fill(none, y.shape, np.int64))
    if not storage_order:
        return indices

    def to_column_major(b, args, acc):   # re-spell the spatial part of a row-major flat index
        const = lambda v: b.const(v, np.int64)   # noqa: E731
        rest = b.emit(f"arith.remsi {args[0]}, {const(size)} : i64")
        out = b.emit(f"arith.subi {args[0]}, {rest} : i64")
        for i in range(s):
            coord = b.emit(f"arith.remsi {b.emit(f'arith.divsi {rest}, {const(row_major[i])} : i64')}, "
                           f"{const(spatial[i])} : i64")
            out = b.emit(f"arith.addi {out}, {b.emit(f'arith.muli {coord}, {const(col_major[i])} : i64')} : i64")
        return out
    return e.generic([(indices, out_dims)], y.shape, np.int64, to_column_major)


def global_lp_pool(node):
    x = static(node.inputs[0])
    check_float(x)
    p = node.attrs.get("p", 2)
    e, t = node.e, x.element
    axes = list(range(2, x.rank))

    def power(b, v):
        v = b.emit(f"math.absf {v} : {t}")
        return b.emit(f"arith.mulf {v}, {v} : {t}") if p == 2 else \
            b.emit(f"math.powf {v}, {b.const(float(p), x.dtype)} : {t}")
    y = e.sum_over(x, axes, pre=power)
    y = e.elementwise([y], x.dtype, lambda b, a: b.emit(f"math.sqrt {a[0]} : {t}") if p == 2 else
                      b.emit(f"math.powf {a[0]}, {b.const(1.0 / p, x.dtype)} : {t}"))
    return e.reshape(y, x.shape[:2] + (1,) * len(axes))


def conv_transpose(node):
    """The transposed convolution as a direct one: x spread out by the
    strides (zeros between) and padded, then correlated with the reversed
    kernel, its channel axes swapped, per group."""
    x, w, bias = static(node.input(0)), static(node.input(1), "weight"), node.input(2)
    check_float(x)
    s = x.rank - 2
    if s < 1 or w.rank != x.rank:
        raise NodeError(f"input {fmt_shape(x.shape)} and weight {fmt_shape(w.shape)} do not make a convolution")
    a = node.attrs
    group = a.get("group", 1)
    kernel = list(w.shape[2:])
    if list(a.get("kernel_shape", kernel)) != kernel:
        raise NodeError(f"kernel_shape {list(a.get('kernel_shape'))} does not match the weight {fmt_shape(w.shape)}")
    n, c = x.shape[:2]
    if c != w.shape[0] or c % group:
        raise NodeError(f"input channels {c}, weight {fmt_shape(w.shape)} and group {group} do not agree")
    cg, mg = c // group, w.shape[1]
    spatial = x.shape[2:]
    strides = list(a.get("strides", [1] * s))
    dilations = list(a.get("dilations", [1] * s))
    output_padding = list(a.get("output_padding", [0] * s))[:s]
    auto_pad = a.get("auto_pad", "NOTSET")
    if auto_pad not in ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"):
        raise NodeError(f"auto_pad '{auto_pad}' is not supported")
    full = [st * (i - 1) + op + (k - 1) * d + 1
            for st, i, op, k, d in zip(strides, spatial, output_padding, kernel, dilations)]
    output_shape = a.get("output_shape")
    pads = a.get("pads")
    if output_shape is not None:
        output_shape = list(output_shape)[-s:]
    if pads is None and auto_pad in ("SAME_UPPER", "SAME_LOWER") or pads is None and output_shape is not None:
        out = output_shape if output_shape is not None else [i * st for i, st in zip(spatial, strides)]
        total = [f - o for f, o in zip(full, out)]
        begin = [t // 2 if auto_pad == "SAME_UPPER" else t - t // 2 for t in total]
    else:
        pads = list(pads) if pads is not None and auto_pad != "VALID" else [0] * 2 * s
        begin = pads[:s]
        out = output_shape if output_shape is not None else [f - lo - hi for f, lo, hi in zip(full, pads[:s], pads[s:])]
    if min(out) < 1:
        raise NodeError(f"the output size {fmt_shape(out)} is empty")
    e, t = node.e, x.element
    reach = [(k - 1) * d for k, d in zip(kernel, dilations)]
    at = [max(0, r - b) for r, b in zip(reach, begin)]   # where x's first element lands
    offset = [b - r + a_ for b, r, a_ in zip(begin, reach, at)]   # output 0's first read
    length = [max(a_ + st * (i - 1) + 1, o_ + o + r)
              for a_, st, i, o_, o, r in zip(at, strides, spatial, offset, out, reach)]
    spread = e.fill(0.0, (n, c) + tuple(length), x.dtype)
    spread_type = Value((n, c) + tuple(length), x.dtype).type
    spread = Value((n, c) + tuple(length), x.dtype, ssa=e.emit(
        f"tensor.insert_slice {e.materialize(x)} into {spread}[0, 0, {', '.join(map(str, at))}] "
        f"[{', '.join(map(str, x.shape))}] [1, 1, {', '.join(map(str, strides))}] : {x.type} into {spread_type}"))
    # loops: batch (only when not 1: the VM allows 8 loops), output channel,
    # output positions (parallel); input channel, taps (reduction); one
    # generic per group
    lead = ["n"] if n > 1 else []
    loops = lead + ["m"] + [f"o{i}" for i in range(s)] + ["c"] + [f"k{i}" for i in range(s)]
    d = {name: f"d{i}" for i, name in enumerate(loops)}
    out_dims, tap_dims = [d[f"o{i}"] for i in range(s)], [d[f"k{i}"] for i in range(s)]
    reads = [d[a] for a in lead] + [d["c"]] + tap_exprs(out_dims, tap_dims, [1] * s, dilations, offset)
    flipped = flip_taps(e, w)
    shape = (n,) * len(lead) + (mg,) + tuple(out)
    taps = window(e, kernel, x.dtype)

    def multiply_add(b, args, acc):
        return b.emit(f"arith.addf {acc}, {b.emit(f'arith.mulf {args[0]}, {args[1]} : {t}')} : {t}")
    parts = []
    for g in range(group):
        xg = e.reshape(e.extract_slice(spread, [0, g * cg] + [0] * s, [n, cg] + length),
                       (n,) * len(lead) + (cg,) + tuple(length))
        wg = e.extract_slice(flipped, [g * cg] + [0] * (s + 1), [cg, mg] + kernel)
        y = e.generic([(xg, reads), (wg, [d["c"], d["m"]] + tap_dims), (taps, tap_dims)], shape, x.dtype, multiply_add,
                      reduce_dims=[cg] + kernel, init=e.fill(0.0, shape, x.dtype))
        parts.append(e.reshape(y, (n, mg) + tuple(out)))
    y = e.concat(parts, 1)
    if bias is not None:
        y = e.generic([(y, dims(0, x.rank)), (bias, ["d1"])], y.shape, y.dtype,
                      lambda b, args, acc: b.emit(f"arith.addf {args[0]}, {args[1]} : {t}"))
    return y


def max_unpool(node):
    """x's elements scattered to the flat positions the indices give in the
    pool's input shape (what the kernel, strides and pads imply), which
    output_shape may then pad at the end."""
    x, indices = static(node.input(0)), static(node.input(1), "indices")
    check_float(x)
    if indices.shape != x.shape or indices.dtype.kind != "i":
        raise NodeError(f"indices {fmt_shape(indices.shape)} of type {indices.dtype} do not match the input "
                        f"{fmt_shape(x.shape)}")
    s = x.rank - 2
    kernel = required(node, "kernel_shape")
    strides = list(node.attrs.get("strides", [1] * s))
    pads = list(node.attrs.get("pads", [0] * 2 * s))
    if s < 1 or len(kernel) != s:
        raise NodeError(f"kernel_shape {kernel} does not match the input's {s} spatial dimensions")
    pooled = x.shape[:2] + tuple((i - 1) * st - lo - hi + k for i, st, lo, hi, k in
                                 zip(x.shape[2:], strides, pads[:s], pads[s:], kernel))
    if node.input(2) is None:
        shape = pooled
    elif node.input(2).const is not None:
        shape = tuple(int(d) for d in node.input(2).const.reshape(-1))
    else:
        shape = tuple(node.output_shape(0, "output_shape"))
    if len(shape) != x.rank or any(a < b for a, b in zip(shape, pooled)):
        raise NodeError(f"output_shape {fmt_shape(shape)} is smaller than the unpooled shape {fmt_shape(pooled)}")
    e, t = node.e, x.element
    count, total = int(np.prod(x.shape)), int(np.prod(pooled))
    updates = e.reshape(x, (count,))
    where = e.reshape(indices, (count, 1))
    flat_type = Value((total,), x.dtype).type
    zeros = e.fill(0.0, (total,), x.dtype)
    flat = e.emit(f"iree_linalg_ext.scatter dimension_map = [0] unique_indices(false) "
                  f"ins({e.materialize(updates)}, {e.materialize(where)} : {updates.type}, {where.type}) "
                  f"outs({zeros} : {flat_type}) {{")
    e.lines.append(f"  ^bb0(%u{e.count}: {t}, %o{e.count}: {t}):")
    e.lines.append(f"    iree_linalg_ext.yield %u{e.count} : {t}")
    e.lines.append(f"  }} -> {flat_type}")
    y = e.reshape(Value((total,), x.dtype, ssa=flat), pooled)
    return e.pad(y, [0] * x.rank, [a - b for a, b in zip(shape, pooled)], 0.0)


def flip_taps(e, w):
    """w with its spatial axes reversed, read by index (a reversing
    indexing map is not one IREE's tiling takes)."""
    def body(b, args, acc):
        coords = [b.emit(f"linalg.index {i} : index") for i in range(w.rank)]
        coords[2:] = [b.emit(f"arith.subi {b.emit(f'arith.constant {k - 1} : index')}, {c} : index")
                      for k, c in zip(w.shape[2:], coords[2:])]
        return b.emit(f"tensor.extract {e.materialize(w)}[{', '.join(coords)}] : {w.type}")
    return e.generic([], w.shape, w.dtype, body)


CONVERTERS = {
    "MaxPool": pool("MaxPool"), "AveragePool": pool("AveragePool"), "LpPool": pool("LpPool"),
    "GlobalLpPool": global_lp_pool, "ConvTranspose": conv_transpose, "MaxUnpool": max_unpool,
}
