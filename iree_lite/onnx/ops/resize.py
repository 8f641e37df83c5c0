"""Resize. ONNX defines the interpolation separably, so each resized axis is
one gather along that axis: a table of source indices (and, for linear and
cubic, of weights) over the output positions, computed in f64 from the
axis's scale (which may be known only at run time), then the output read
from those indices (and weighted and summed)."""
import math

import numpy as np

from ..emitter import NodeError, Value, fmt_shape, scalar_constant
from .elementwise import check_float
from .nn import static

TRANSFORMS = ("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
              "tf_crop_and_resize")
NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")
POLICIES = ("stretch", "not_larger", "not_smaller")
RADIUS = {"linear": 1, "cubic": 2}   # the interpolation kernel's support, in input steps


def choice(node, name, default, allowed):
    value = node.attrs.get(name, default)
    if value not in allowed:
        raise NodeError(f"{name} '{value}' is not supported")
    return value


def given(v):
    """v unless omitted or empty (an empty scales/roi means absent)."""
    return None if v is None or 0 in v.shape else v


def kernel(b, mode, a, t, dtype=np.float64):
    """The linear or cubic (Keys, with coefficient a) interpolation kernel at
    distance t, of float type dtype."""
    c = lambda v: b.const(v, dtype)   # noqa: E731
    ft = Value((), dtype).element
    op = lambda name, p, q: b.emit(f"arith.{name} {p}, {q} : {ft}")   # noqa: E731
    t = b.emit(f"math.absf {t} : {ft}")
    if mode == "linear":
        return op("maximumf", op("subf", c(1.0), t), c(0.0))
    t2 = op("mulf", t, t)
    t3 = op("mulf", t2, t)
    near = op("addf", op("subf", op("mulf", c(a + 2), t3), op("mulf", c(a + 3), t2)), c(1.0))
    far = op("subf", op("addf", op("subf", op("mulf", c(a), t3), op("mulf", c(5 * a), t2)),
                        op("mulf", c(8 * a), t)), c(4 * a))
    far = b.emit(f"arith.select {b.emit(f'arith.cmpf olt, {t}, {c(2.0)} : {ft}')}, {far}, {c(0.0)} : {ft}")
    return b.emit(f"arith.select {b.emit(f'arith.cmpf ole, {t}, {c(1.0)} : {ft}')}, {near}, {far} : {ft}")


class Axis:
    """One resized axis: input size n, output size m, and f64 SSA scalars at
    function level: the scale, scale * n (ONNX's output_width) and the roi."""

    def __init__(self, axis, n, m, scale, known_scale):
        self.axis, self.n, self.m, self.scale, self.known_scale = axis, n, m, scale, known_scale
        self.width = self.roi = None


def read_f64(e, v, k):
    """Element k of the 1-D float or integer Value v as an f64 SSA scalar."""
    if v.const is not None:
        return f64(e, float(v.const.reshape(-1)[k]))
    x = e.emit(f"tensor.extract {e.materialize(v)}[{e.emit(f'arith.constant {k} : index')}] : {v.type}")
    if v.dtype == np.float64:
        return x
    if v.is_float:
        return e.emit(f"arith.extf {x} : {v.element} to f64")
    return e.emit(f"arith.{'uitofp' if v.unsigned else 'sitofp'} {x} : {v.element} to f64")


def f64(e, value):
    return e.emit(scalar_constant(float(value), np.float64))


def plan_axes(node, x, axes, scales, sizes, policy):
    """The Axis of each resized axis, in `axes` order."""
    e = node.e
    known = (scales if scales is not None else sizes).const is not None
    if known:
        ratios = [float(scales.const[k]) if scales is not None else float(sizes.const[k]) / x.shape[a]
                  for k, a in enumerate(axes)]
        if sizes is not None and policy != "stretch":
            ratios = [(min if policy == "not_larger" else max)(ratios)] * len(axes)
            out = [int(ratios[0] * x.shape[a] + 0.5) for a in axes]
        elif sizes is not None:
            out = [int(sizes.const[k]) for k in range(len(axes))]
        else:
            out = [int(s * x.shape[a]) for s, a in zip(ratios, axes)]
        return [Axis(a, x.shape[a], m, f64(e, s), s) for a, m, s in zip(axes, out, ratios)]
    declared = node.output_shape(0, "scales" if scales is not None else "sizes")
    if len(declared) != x.rank:
        raise NodeError(f"the declared output shape {fmt_shape(declared)} does not match the input's rank")
    out = [declared[a] for a in axes]
    if sizes is not None and policy == "stretch":   # the scale is what the (static) output size says
        return [Axis(a, x.shape[a], m, f64(e, m / x.shape[a]), m / x.shape[a]) for a, m in zip(axes, out)]
    if scales is not None:
        return [Axis(a, x.shape[a], m, read_f64(e, scales, k), None) for k, (a, m) in enumerate(zip(axes, out))]
    ratios = [e.emit(f"arith.divf {read_f64(e, sizes, k)}, {f64(e, x.shape[a])} : f64") for k, a in enumerate(axes)]
    scale = ratios[0]
    for other in ratios[1:]:
        scale = e.emit(f"arith.{'minimumf' if policy == 'not_larger' else 'maximumf'} {scale}, {other} : f64")
    return [Axis(a, x.shape[a], m, scale, None) for a, m in zip(axes, out)]


class Plan:
    """What the axes share: the node's attributes."""

    def __init__(self, node, x):
        self.e = node.e
        self.mode = choice(node, "mode", "nearest", ("nearest", "linear", "cubic"))
        self.transform = choice(node, "coordinate_transformation_mode", "half_pixel", TRANSFORMS)
        self.nearest_mode = choice(node, "nearest_mode", "round_prefer_floor", NEAREST_MODES)
        self.cubic_a = float(node.attrs.get("cubic_coeff_a", -0.75))
        self.exclude = bool(node.attrs.get("exclude_outside", 0))
        self.extrapolation = float(node.attrs.get("extrapolation_value", 0.0))
        self.antialias = bool(node.attrs.get("antialias", 0))
        if self.mode == "nearest" and self.antialias:
            raise NodeError("antialias=1 is not supported with mode 'nearest'")
        if self.mode != "nearest":
            check_float(x)

    # -- the source coordinate of an output position (f64, in a linalg body) --

    def source(self, b, ax):
        """x_original of output position `linalg.index 0` along ax."""
        c = lambda v: b.const(v, np.float64)   # noqa: E731
        op = lambda name, p, q: b.emit(f"arith.{name} {p}, {q} : f64")   # noqa: E731
        y = b.emit(f"arith.sitofp {b.emit('arith.index_cast ' + b.emit('linalg.index 0 : index') + ' : index to i64')}"
                   " : i64 to f64")
        t = self.transform
        if t == "asymmetric":
            return op("divf", y, ax.scale)
        single = b.emit(f"arith.cmpf oeq, {ax.width}, {c(1.0)} : f64")
        if t in ("half_pixel", "pytorch_half_pixel", "half_pixel_symmetric"):
            x = op("divf", op("addf", y, c(0.5)), ax.scale)
            if t == "half_pixel_symmetric":
                adjustment = op("divf", c(ax.m), ax.width)
                x = op("addf", op("mulf", c(ax.n / 2), op("subf", c(1.0), adjustment)), x)
            x = op("subf", x, c(0.5))
            return b.emit(f"arith.select {single}, {c(-0.5)}, {x} : f64") if t == "pytorch_half_pixel" else x
        if t == "align_corners":
            x = op("divf", op("mulf", y, c(ax.n - 1)), op("subf", ax.width, c(1.0)))
            return b.emit(f"arith.select {single}, {c(0.0)}, {x} : f64")
        start, end = ax.roi   # tf_crop_and_resize
        span = op("subf", end, start)
        x = op("divf", op("mulf", op("mulf", y, span), c(ax.n - 1)), op("subf", ax.width, c(1.0)))
        centre = op("divf", op("mulf", span, c(ax.n - 1)), c(2.0))
        x = b.emit(f"arith.select {single}, {centre}, {x} : f64")
        return op("addf", x, op("mulf", start, c(ax.n - 1)))

    def split(self, b, x):
        """(floor(x) as i64, whether x is whole, the ratio in (0, 1])."""
        floor = b.emit(f"math.floor {x} : f64")
        whole = b.emit(f"arith.cmpf oeq, {x}, {floor} : f64")
        ratio = b.emit(f"arith.select {whole}, {b.const(1.0, np.float64)}, "
                       f"{b.emit(f'arith.subf {x}, {floor} : f64')} : f64")
        return b.emit(f"arith.fptosi {floor} : f64 to i64"), whole, ratio

    def clamp(self, b, i, n):
        i = b.emit(f"arith.maxsi {i}, {b.const(0, np.int64)} : i64")
        return b.emit(f"arith.minsi {i}, {b.const(n - 1, np.int64)} : i64")

    # -- tables over the output positions of one axis ------------------------

    def nearest_table(self, ax):
        """(m,) i64: the input index each output position reads."""
        def body(b, args, acc):
            floor, whole, ratio = self.split(b, self.source(b, ax))
            if self.nearest_mode == "floor":
                return self.clamp(b, floor, ax.n)
            if self.nearest_mode == "ceil":
                up = b.emit("arith.constant true")
            else:
                pred = "ogt" if self.nearest_mode == "round_prefer_floor" else "oge"
                up = b.emit(f"arith.cmpf {pred}, {ratio}, {b.const(0.5, np.float64)} : f64")
            fraction = b.emit(f"arith.xori {whole}, {b.emit('arith.constant true')} : i1")
            up = b.emit(f"arith.andi {up}, {fraction} : i1")
            step = b.emit(f"arith.extui {up} : i1 to i64")
            return self.clamp(b, b.emit(f"arith.addi {floor}, {step} : i64"), ax.n)
        return self.e.generic([], (ax.m,), np.int64, body)

    def taps(self, ax):
        """(static tap count T, i64 first-tap offset, i64 tap count, f64
        kernel scale) for linear/cubic; antialiasing widens the kernel by
        1/scale when downsampling."""
        e, radius = self.e, RADIUS[self.mode]
        if not self.antialias:
            return 2 * radius, e.emit(f"arith.constant {1 - radius} : i64"), \
                e.emit(f"arith.constant {2 * radius} : i64"), f64(e, 1.0)
        if ax.known_scale is not None:
            low = min(ax.known_scale, 1.0)
        else:   # a bound from the static output size: m = floor(scale * n) or round(scale * n)
            low = min((ax.m - 0.5) / ax.n, 1.0)
        count = 2 - 2 * (math.floor(-radius / low) + 1)
        kernel_scale = e.emit(f"arith.minimumf {ax.scale}, {f64(e, 1.0)} : f64")
        first = e.emit(f"math.floor {e.emit(f'arith.divf {f64(e, -radius)}, {kernel_scale} : f64')} : f64")
        first = e.emit(f"arith.addi {e.emit(f'arith.fptosi {first} : f64 to i64')}, "
                       f"{e.emit('arith.constant 1 : i64')} : i64")
        two = e.emit("arith.constant 2 : i64")
        n_taps = e.emit(f"arith.subi {two}, {e.emit(f'arith.muli {first}, {two} : i64')} : i64")
        return count, first, n_taps, kernel_scale

    def tap_tables(self, ax, x_dtype):
        """((m, T) i64 indices, (m, T) weights of x's type)."""
        count, first, n_taps, kernel_scale = self.taps(ax)
        e = self.e

        def index(b):
            floor, whole, ratio = self.split(b, self.source(b, ax))
            j = b.emit(f"arith.index_cast {b.emit('linalg.index 1 : index')} : index to i64")
            half = b.emit(f"arith.divsi {n_taps}, {b.const(2, np.int64)} : i64")
            step = b.emit(f"arith.select {whole}, {b.const(0, np.int64)}, {b.const(1, np.int64)} : i64")
            start = b.emit(f"arith.addi {b.emit(f'arith.subi {floor}, {half} : i64')}, {step} : i64")
            return b.emit(f"arith.addi {start}, {j} : i64"), j, ratio

        def weight(b, args, acc):
            i, j, ratio = index(b)
            offset = b.emit(f"arith.sitofp {b.emit(f'arith.addi {first}, {j} : i64')} : i64 to f64")
            w = kernel(b, self.mode, self.cubic_a, b.emit(f"arith.mulf {kernel_scale}, "
                                                          f"{b.emit(f'arith.subf {offset}, {ratio} : f64')} : f64"))
            zero = b.const(0.0, np.float64)
            if self.antialias:   # taps past this scale's count weigh nothing
                w = b.emit(f"arith.select {b.emit(f'arith.cmpi slt, {j}, {n_taps} : i64')}, {w}, {zero} : f64")
            if self.exclude:
                inside = b.emit(f"arith.andi {b.emit(f'arith.cmpi sge, {i}, {b.const(0, np.int64)} : i64')}, "
                                f"{b.emit(f'arith.cmpi slt, {i}, {b.const(ax.n, np.int64)} : i64')} : i1")
                w = b.emit(f"arith.select {inside}, {w}, {zero} : f64")
            return w
        indices = e.generic([], (ax.m, count), np.int64, lambda b, args, acc: self.clamp(b, index(b)[0], ax.n))
        weights = e.generic([], (ax.m, count), np.float64, weight)
        normalize = self.antialias or self.exclude
        total = e.sum_over(weights, [1]) if normalize else None
        t = Value((), x_dtype).element

        def finish(b, args, acc):
            w = args[0]
            if normalize:
                zero = b.emit(f"arith.cmpf oeq, {args[1]}, {b.const(0.0, np.float64)} : f64")
                total = b.emit(f"arith.select {zero}, {b.const(1.0, np.float64)}, {args[1]} : f64")
                w = b.emit(f"arith.divf {w}, {total} : f64")
            return w if t == "f64" else b.emit(f"arith.truncf {w} : f64 to {t}")
        ins = [(weights, ["d0", "d1"])] + ([(total, ["d0"])] if normalize else [])
        return indices, e.generic(ins, (ax.m, count), x_dtype, finish)

    def outside(self, ax):
        """(m,) i1: output positions whose source lies outside the input
        (tf_crop_and_resize gives them extrapolation_value)."""
        def body(b, args, acc):
            x = self.source(b, ax)
            low = b.emit(f"arith.cmpf olt, {x}, {b.const(0.0, np.float64)} : f64")
            high = b.emit(f"arith.cmpf ogt, {x}, {b.const(float(ax.n - 1), np.float64)} : f64")
            return b.emit(f"arith.ori {low}, {high} : i1")
        return self.e.generic([], (ax.m,), np.bool_, body)

    # -- one axis -------------------------------------------------------------

    def along(self, x, ax):
        e, a, rank = self.e, ax.axis, x.rank
        shape = x.shape[:a] + (ax.m,) + x.shape[a + 1:]
        src = e.materialize(x)

        def gather(b, i):
            coords = [b.emit(f"arith.index_cast {i} : i64 to index") if d == a else b.emit(f"linalg.index {d} : index")
                      for d in range(rank)]
            return b.emit(f"tensor.extract {src}[{', '.join(coords)}] : {x.type}")
        if self.mode == "nearest":
            y = e.generic([(self.nearest_table(ax), [f"d{a}"])], shape, x.dtype,
                          lambda b, args, acc: gather(b, args[0]))
        else:
            indices, weights = self.tap_tables(ax, x.dtype)
            t = x.element
            init = e.fill(0.0, shape, x.dtype)

            def body(b, args, acc):
                w = b.emit(f"arith.mulf {gather(b, args[0])}, {args[1]} : {t}")
                return b.emit(f"arith.addf {acc}, {w} : {t}")
            y = e.generic([(indices, [f"d{a}", f"d{rank}"]), (weights, [f"d{a}", f"d{rank}"])], shape, x.dtype,
                          body, reduce_dims=[a], init=init)
        if self.transform == "tf_crop_and_resize":
            value = self.extrapolation
            y = e.generic([(y, [f"d{d}" for d in range(rank)]), (self.outside(ax), [f"d{a}"])], shape, x.dtype,
                          lambda b, args, acc: b.emit(f"arith.select {args[1]}, {b.const(value, x.dtype)}, "
                                                      f"{args[0]} : {x.element}"))
        return y


def resize(node):
    x = static(node.inputs[0])
    if node.opset < 11:
        raise NodeError("Resize before opset 11 is not supported")
    plan = Plan(node, x)
    policy = choice(node, "keep_aspect_ratio_policy", "stretch", POLICIES)
    r = x.rank
    axes = node.attrs.get("axes")
    if axes is None:
        axes = list(range(r))
    else:
        if any(not -r <= a < r for a in axes) or len({a % r for a in axes}) != len(axes):
            raise NodeError(f"axes {list(axes)} are not distinct axes of a rank-{r} input")
        axes = [a % r for a in axes]
    scales, sizes = given(node.input(2)), given(node.input(3))
    if (scales is None) == (sizes is None):
        raise NodeError("exactly one of scales and sizes must be given")
    operand = scales if scales is not None else sizes
    if operand.shape != (len(axes),):
        raise NodeError(f"{'scales' if scales is not None else 'sizes'} of shape {fmt_shape(operand.shape)} "
                        f"does not have one element per resized axis ({len(axes)})")
    resized = plan_axes(node, x, axes, scales, sizes, policy)
    roi = given(node.input(1))
    e = node.e
    for k, ax in enumerate(resized):
        if ax.m < 1:
            raise NodeError(f"the output size along axis {ax.axis} is {ax.m}; empty outputs are not supported")
        ax.width = e.emit(f"arith.mulf {ax.scale}, {f64(e, ax.n)} : f64")
        if plan.transform == "tf_crop_and_resize":
            if roi is None or roi.shape != (2 * len(axes),):
                raise NodeError(f"tf_crop_and_resize needs a roi of {2 * len(axes)} elements")
            ax.roi = (read_f64(e, roi, k), read_f64(e, roi, len(axes) + k))
    y = x
    for ax in resized:
        identity = ax.m == ax.n and ax.known_scale == 1.0 and plan.transform != "tf_crop_and_resize"
        if not identity:
            y = plan.along(y, ax)
    return y


CONVERTERS = {"Resize": resize}
