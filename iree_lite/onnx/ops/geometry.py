"""Ops that move elements to new positions: CenterCropPad (a slice and a
zero pad about the centre), GridSample (each output element read from the
input at a position the grid gives, interpolated) and RoiAlign (bins of
regions of interest, each the average or max of bilinear samples)."""
import numpy as np

from ..emitter import NodeError, Value, fmt_shape
from .elementwise import check_float
from .nn import static
from .resize import kernel


def center_crop_pad(node):
    x = static(node.inputs[0])
    r = x.rank
    axes = node.attrs.get("axes")
    axes = list(range(r)) if axes is None else list(axes)
    if any(not -r <= a < r for a in axes) or len({a % r for a in axes}) != len(axes):
        raise NodeError(f"axes {axes} are not distinct axes of a rank-{r} input")
    axes = [a % r for a in axes]
    shape_operand = node.input(1)
    if shape_operand.shape != (len(axes),):
        raise NodeError(f"shape of shape {fmt_shape(shape_operand.shape)} does not have one element per axis "
                        f"({len(axes)})")
    if shape_operand.const is not None:
        target = list(x.shape)
        for a, size in zip(axes, shape_operand.const.reshape(-1)):
            target[a] = int(size)
    else:
        target = list(node.output_shape(0, "shape"))
        if len(target) != r or any(t != x.shape[i] for i, t in enumerate(target) if i not in axes):
            raise NodeError(f"the declared output shape {fmt_shape(target)} does not fit the input "
                            f"{fmt_shape(x.shape)} and axes {axes}")
    if min(target, default=1) < 0:
        raise NodeError(f"the target shape {fmt_shape(target)} has a negative size")
    start = [(d - t) // 2 if t < d else 0 for d, t in zip(x.shape, target)]
    kept = [min(d, t) for d, t in zip(x.shape, target)]
    low = [(t - d) // 2 if t > d else 0 for d, t in zip(x.shape, target)]
    high = [t - k - lo for t, k, lo in zip(target, kept, low)]
    e = node.e
    return e.pad(e.extract_slice(x, start, kept), low, high, 0.0 if x.is_float else 0)


def grid_sample(node):
    """Nearest, linear or cubic sampling of x at the grid's positions (their
    last axis: x, y[, z], the reverse of x's spatial axes), with padding_mode
    deciding what lies outside; the coordinates computed in the grid's type."""
    x, grid = static(node.inputs[0]), static(node.inputs[1], "grid")
    check_float(x)
    check_float(grid)
    mode = node.attrs.get("mode", "linear" if node.opset >= 20 else "bilinear")
    mode = {"bilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    if mode not in ("nearest", "linear", "cubic"):
        raise NodeError(f"mode '{mode}' is not supported")
    padding = node.attrs.get("padding_mode", "zeros")
    if padding not in ("zeros", "border", "reflection"):
        raise NodeError(f"padding_mode '{padding}' is not supported")
    aligned = bool(node.attrs.get("align_corners", 0))
    s = x.rank - 2
    if s < 1 or grid.rank != x.rank or grid.shape[0] != x.shape[0] or grid.shape[-1] != s:
        raise NodeError(f"input {fmt_shape(x.shape)} and grid {fmt_shape(grid.shape)} do not agree")
    if mode == "cubic" and s != 2:
        raise NodeError(f"mode 'cubic' with {s} spatial dimensions is not supported (2 are)")
    e, gt, xt = node.e, grid.element, x.element
    sizes = x.shape[2:]
    out = grid.shape[1:-1]
    taps = {"nearest": 1, "linear": 2, "cubic": 4}[mode]
    rank = x.rank
    src, grid_ssa = e.materialize(x), e.materialize(grid)

    def body(b, args, acc):
        c = lambda v: b.const(v, grid.dtype)   # noqa: E731
        op = lambda name, p, q: b.emit(f"arith.{name} {p}, {q} : {gt}")   # noqa: E731
        index = [b.emit(f"linalg.index {d} : index") for d in range(rank + (s if taps > 1 else 0))]
        weight, coords = None, []
        for i, d in enumerate(sizes):
            lo, hi = (0.0, d - 1.0) if aligned else (-0.5, d - 0.5)
            at = b.emit(f"arith.constant {s - 1 - i} : index")
            g = b.emit(f"tensor.extract {grid_ssa}[{', '.join([index[0]] + index[2:rank] + [at])}] : {grid.type}")
            one = op("addf", g, c(1.0))
            pos = op("mulf", op("divf", one, c(2.0)), c(d - 1)) if aligned else \
                op("divf", op("subf", op("mulf", one, c(d)), c(1.0)), c(2.0))
            if mode == "nearest":
                pos = b.emit(f"math.roundeven {pos} : {gt}")
            if padding != "zeros":   # positions outside move in (clamped or reflected)
                moved = clamp_f(b, pos, 0.0, d - 1.0, grid.dtype) if padding == "border" else \
                    reflect(b, pos, lo, hi, grid.dtype)
                below = b.emit(f"arith.cmpf olt, {pos}, {c(lo)} : {gt}")
                outside = b.emit(f"arith.ori {below}, {b.emit(f'arith.cmpf ogt, {pos}, {c(hi)} : {gt}')} : i1")
                pos = b.emit(f"arith.select {outside}, {moved}, {pos} : {gt}")
            if mode == "nearest":
                tap = b.emit(f"arith.fptosi {pos} : {gt} to i64")
            else:
                floor = b.emit(f"math.floor {pos} : {gt}")
                j = b.emit(f"arith.index_cast {index[rank + i]} : index to i64")
                first = b.emit(f"arith.fptosi {floor} : {gt} to i64")
                offset = j if mode == "linear" else b.emit(f"arith.subi {j}, {b.const(1, np.int64)} : i64")
                tap = b.emit(f"arith.addi {first}, {offset} : i64")
                distance = op("subf", op("subf", pos, floor),
                              b.emit(f"arith.sitofp {offset} : i64 to {gt}"))
                w = kernel(b, mode, -0.75, distance, grid.dtype)
                weight = w if weight is None else op("mulf", weight, w)
            coords.append(tap)
        valid = b.emit("arith.constant true")
        reads = []
        for tap, d in zip(coords, sizes):
            if padding == "zeros":
                inside = b.emit(f"arith.andi {b.emit(f'arith.cmpi sge, {tap}, {b.const(0, np.int64)} : i64')}, "
                                f"{b.emit(f'arith.cmpi slt, {tap}, {b.const(d, np.int64)} : i64')} : i1")
                valid = b.emit(f"arith.andi {valid}, {inside} : i1")
            elif padding == "reflection":
                lo, hi = (0.0, d - 1.0) if aligned else (-0.5, d - 0.5)
                back = reflect(b, b.emit(f"arith.sitofp {tap} : i64 to {gt}"), lo, hi, grid.dtype)
                tap = b.emit(f"arith.fptosi {back} : {gt} to i64")
            tap = b.emit(f"arith.maxsi {tap}, {b.const(0, np.int64)} : i64")
            tap = b.emit(f"arith.minsi {tap}, {b.const(d - 1, np.int64)} : i64")
            reads.append(b.emit(f"arith.index_cast {tap} : i64 to index"))
        v = b.emit(f"tensor.extract {src}[{', '.join(index[:2] + reads)}] : {x.type}")
        v = b.emit(f"arith.select {valid}, {v}, {b.const(0.0, x.dtype)} : {xt}")
        if weight is None:
            return v
        if gt != xt:
            weight = b.emit(f"arith.{'extf' if grid.dtype.itemsize < x.dtype.itemsize else 'truncf'} "
                            f"{weight} : {gt} to {xt}")
        return b.emit(f"arith.addf {acc}, {b.emit(f'arith.mulf {v}, {weight} : {xt}')} : {xt}")
    shape = x.shape[:2] + tuple(out)
    if taps == 1:
        return e.generic([], shape, x.dtype, body)
    window = Value((taps,) * s, x.dtype, ssa=e.empty((taps,) * s, x.dtype))
    return e.generic([(window, [f"d{rank + i}" for i in range(s)])], shape, x.dtype, body,
                     reduce_dims=[taps] * s, init=e.fill(0.0, shape, x.dtype))


def clamp_f(b, v, lo, hi, dtype):
    t = Value((), dtype).element
    v = b.emit(f"arith.maximumf {v}, {b.const(lo, dtype)} : {t}")
    return b.emit(f"arith.minimumf {v}, {b.const(hi, dtype)} : {t}")


def reflect(b, v, lo, hi, dtype):
    """v reflected off the borders lo and hi until it lies between them."""
    t = Value((), dtype).element
    span = hi - lo
    if span == 0:
        return b.const(lo, dtype)
    c = lambda v: b.const(v, dtype)   # noqa: E731
    op = lambda name, p, q: b.emit(f"arith.{name} {p}, {q} : {t}")   # noqa: E731

    def fold(dx):   # (the number of whole spans in dx is odd, the rest)
        n = b.emit(f"arith.fptosi {op('divf', dx, c(span))} : {t} to i64")
        rest = op("subf", dx, op("mulf", b.emit(f"arith.sitofp {n} : i64 to {t}"), c(span)))
        odd = b.emit(f"arith.trunci {n} : i64 to i1")
        return odd, rest
    below_odd, below_rest = fold(op("subf", c(lo), v))
    below = b.emit(f"arith.select {below_odd}, {op('subf', c(hi), below_rest)}, "
                   f"{op('addf', c(lo), below_rest)} : {t}")
    above_odd, above_rest = fold(op("subf", v, c(hi)))
    above = b.emit(f"arith.select {above_odd}, {op('addf', c(lo), above_rest)}, "
                   f"{op('subf', c(hi), above_rest)} : {t}")
    v2 = b.emit(f"arith.select {b.emit(f'arith.cmpf ogt, {v}, {c(hi)} : {t}')}, {above}, {v} : {t}")
    return b.emit(f"arith.select {b.emit(f'arith.cmpf olt, {v}, {c(lo)} : {t}')}, {below}, {v2} : {t}")


def roi_align(node):
    x, rois = static(node.inputs[0]), static(node.inputs[1], "rois")
    batch = static(node.inputs[2], "batch_indices")
    check_float(x)
    check_float(rois)
    if x.rank != 4 or rois.rank != 2 or rois.shape[1] != 4 or batch.shape != rois.shape[:1]:
        raise NodeError(f"input {fmt_shape(x.shape)}, rois {fmt_shape(rois.shape)} and batch_indices "
                        f"{fmt_shape(batch.shape)} do not agree")
    a = node.attrs
    mode = a.get("mode", "avg")
    if mode not in ("avg", "max"):
        raise NodeError(f"mode '{mode}' is not supported")
    transform = a.get("coordinate_transformation_mode", "half_pixel" if node.opset >= 16 else "output_half_pixel")
    if transform not in ("half_pixel", "output_half_pixel"):
        raise NodeError(f"coordinate_transformation_mode '{transform}' is not supported")
    oh, ow = a.get("output_height", 1), a.get("output_width", 1)
    ratio = a.get("sampling_ratio", 0)
    if ratio <= 0:
        raise NodeError(f"sampling_ratio={ratio} (as many samples as each region needs) is not supported")
    scale = float(a.get("spatial_scale", 1.0))
    e, t = node.e, x.element
    n, _, height, width = x.shape
    src, roi_ssa, batch_ssa = e.materialize(x), e.materialize(rois), e.materialize(batch)

    def body(b, args, acc):
        c = lambda v: b.const(v, x.dtype)   # noqa: E731
        op = lambda name, p, q: b.emit(f"arith.{name} {p}, {q} : {t}")   # noqa: E731
        i64 = lambda v: b.const(v, np.int64)   # noqa: E731
        r, ch, ph, pw, iy, ix = [b.emit(f"linalg.index {d} : index") for d in range(6)]
        corner = []
        for k in range(4):
            v = b.emit(f"tensor.extract {roi_ssa}[{r}, {b.emit(f'arith.constant {k} : index')}] : {rois.type}")
            if rois.dtype != x.dtype:
                v = b.emit(f"arith.{'extf' if rois.dtype.itemsize < x.dtype.itemsize else 'truncf'} "
                           f"{v} : {rois.element} to {t}")
            corner.append(op("subf", op("mulf", v, c(scale)), c(0.5 if transform == "half_pixel" else 0.0)))
        image = b.emit(f"tensor.extract {batch_ssa}[{r}] : {batch.type}")
        image = b.emit(f"arith.extsi {image} : {batch.element} to i64") if batch.element != "i64" else image
        image = b.emit(f"arith.minsi {b.emit(f'arith.maxsi {image}, {i64(0)} : i64')}, {i64(n - 1)} : i64")
        image = b.emit(f"arith.index_cast {image} : i64 to index")
        def as_float(v):
            return b.emit(f"arith.sitofp {b.emit(f'arith.index_cast {v} : index to i64')} : i64 to {t}")
        outside = b.emit("arith.constant false")
        taps = []   # per axis (h, w): (low index, high index, low weight, high weight)
        for start, end, bins, p, i, size in ((corner[1], corner[3], oh, ph, iy, height),
                                             (corner[0], corner[2], ow, pw, ix, width)):
            extent = op("subf", end, start)
            if transform == "output_half_pixel":   # malformed regions become 1x1
                extent = op("maximumf", extent, c(1.0))
            bin_size = op("divf", extent, c(float(bins)))
            pos = op("addf", op("addf", start, op("mulf", as_float(p), bin_size)),
                     op("divf", op("mulf", op("addf", as_float(i), c(0.5)), bin_size), c(float(ratio))))
            far = b.emit(f"arith.ori {b.emit(f'arith.cmpf olt, {pos}, {c(-1.0)} : {t}')}, "
                         f"{b.emit(f'arith.cmpf ogt, {pos}, {c(float(size))} : {t}')} : i1")
            outside = b.emit(f"arith.ori {outside}, {far} : i1")
            pos = op("maximumf", pos, c(0.0))
            low = b.emit(f"arith.fptosi {pos} : {t} to i64")
            last = b.emit(f"arith.cmpi sge, {low}, {i64(size - 1)} : i64")
            low = b.emit(f"arith.select {last}, {i64(size - 1)}, {low} : i64")
            high = b.emit(f"arith.select {last}, {low}, {b.emit(f'arith.addi {low}, {i64(1)} : i64')} : i64")
            pos = b.emit(f"arith.select {last}, {b.emit(f'arith.sitofp {low} : i64 to {t}')}, {pos} : {t}")
            frac = op("subf", pos, b.emit(f"arith.sitofp {low} : i64 to {t}"))
            taps.append([b.emit(f"arith.index_cast {low} : i64 to index"),
                         b.emit(f"arith.index_cast {high} : i64 to index"), op("subf", c(1.0), frac), frac])
        (hl, hh, hy, ly), (wl, wh, hx, lx) = taps
        terms = []
        for yi, wy in ((hl, hy), (hh, ly)):
            for xi, wx in ((wl, hx), (wh, lx)):
                v = b.emit(f"tensor.extract {src}[{image}, {ch}, {yi}, {xi}] : {x.type}")
                w = b.emit(f"arith.select {outside}, {c(0.0)}, {op('mulf', wy, wx)} : {t}")
                terms.append(op("mulf", w, v))
        combine = "addf" if mode == "avg" else "maximumf"
        value = terms[0]
        for term in terms[1:]:
            value = op(combine, value, term)
        return op(combine, acc, value)
    shape = (rois.shape[0], x.shape[1], oh, ow)
    window = Value((ratio, ratio), x.dtype, ssa=e.empty((ratio, ratio), x.dtype))
    y = e.generic([(window, ["d4", "d5"])], shape, x.dtype, body, reduce_dims=[ratio, ratio],
                  init=e.fill(0.0 if mode == "avg" else -np.inf, shape, x.dtype))
    if mode == "max":
        return y
    return e.elementwise([y], x.dtype,
                         lambda b, v: b.emit(f"arith.divf {v[0]}, {b.const(ratio * ratio, x.dtype)} : {t}"))


CONVERTERS = {"CenterCropPad": center_crop_pad, "GridSample": grid_sample, "RoiAlign": roi_align}
