"""Reductions (ReduceSum, ReduceMean, ...) and Softmax / LogSoftmax."""
import numpy as np

from ..emitter import NodeError
from .elementwise import by_kind, check_float
from .nn import static

# op -> (start value, combiner (float, signed int, unsigned int), element map, finisher)
REDUCTIONS = {
    "ReduceSum": (0, ("arith.addf", "arith.addi", "arith.addi"), None, None),
    "ReduceMean": (0, ("arith.addf", None, None), None, "mean"),
    "ReduceProd": (1, ("arith.mulf", "arith.muli", "arith.muli"), None, None),
    "ReduceMax": ("lowest", ("arith.maximumf", "arith.maxsi", "arith.maxui"), None, None),
    "ReduceMin": ("highest", ("arith.minimumf", "arith.minsi", "arith.minui"), None, None),
    "ReduceSumSquare": (0, ("arith.addf", "arith.addi", "arith.addi"), "square", None),
    "ReduceL1": (0, ("arith.addf", None, None), "abs", None),
    "ReduceL2": (0, ("arith.addf", None, None), "square", "sqrt"),
    "ReduceLogSum": (0, ("arith.addf", None, None), None, "log"),
    "ReduceLogSumExp": (0, ("arith.addf", None, None), "exp", "log"),
}

# Opset from which each reduction takes its axes as an input.
AXES_INPUT_FROM = {"ReduceSum": 13}


def start_value(kind, dtype):
    if kind == "lowest":
        return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min
    if kind == "highest":
        return np.inf if dtype.kind == "f" else np.iinfo(dtype).max
    return kind


def reduction(op_type):
    start, combiners, pre, finish = REDUCTIONS[op_type]

    def convert(node):
        x = static(node.inputs[0])
        dt, t = x.dtype, x.element
        combiner = by_kind(x, *combiners)
        if combiner is None:
            raise NodeError(f"element type {dt} is not supported (a float type is needed)")
        keepdims = node.attrs.get("keepdims", 1)
        if node.opset >= AXES_INPUT_FROM.get(op_type, 18):
            axes = None if node.input(1) is None else [int(a) for a in node.const_input(1, "axes")]
        else:
            axes = node.attrs.get("axes")
        if not axes:
            if node.attrs.get("noop_with_empty_axes", 0):
                return x
            axes = list(range(x.rank))
        axes = sorted({a % x.rank for a in axes}) if x.rank else []
        e = node.e

        def element(b, v):
            if pre == "square":
                return b.emit(f"{'arith.mulf' if x.is_float else 'arith.muli'} {v}, {v} : {t}")
            if pre == "abs":
                return b.emit(f"math.absf {v} : {t}")
            if pre == "exp":
                return b.emit(f"math.exp {v} : {t}")
            return v
        y = e.reduce(x, axes, dt, start_value(start, dt), lambda b, v, acc: b.emit(f"{combiner} {v}, {acc} : {t}"),
                     pre=element if pre else None)
        if finish:
            count = int(np.prod([x.shape[a] for a in axes]))

            def done(b, a):
                if finish == "mean":
                    return b.emit(f"arith.divf {a[0]}, {b.const(count, dt)} : {t}")
                return b.emit(f"math.{finish} {a[0]} : {t}")
            y = e.elementwise([y], dt, done)
        if keepdims:
            y = e.reshape(y, [1 if i in axes else d for i, d in enumerate(x.shape)])
        return y
    return convert


def along_softmax_axis(node, apply):
    """apply(e, v, axis) on the input at Softmax's axis: from opset 13 the
    input itself; before, the input flattened to 2-D around the axis (axis
    1), the result reshaped back."""
    x = static(node.inputs[0])
    check_float(x)
    e = node.e
    if node.opset >= 13:
        return apply(e, x, node.attrs.get("axis", -1) % x.rank)
    axis = node.attrs.get("axis", 1) % x.rank
    v = e.reshape(x, (int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:]))))
    return e.reshape(apply(e, v, 1), x.shape)


def softmax_along(e, v, axis):
    return e.named(f"linalg.softmax dimension({axis})", [v], e.empty(v.shape, v.dtype), v.shape, v.dtype)


def log_softmax_along(e, v, axis):
    """x - max - log(sum(exp(x - max))) along the axis."""
    t, dt = v.element, v.dtype
    full = [f"d{i}" for i in range(v.rank)]
    kept = [f"d{i}" for i in range(v.rank) if i != axis]
    top = e.max_over(v, [axis])
    shifted = e.generic([(v, full), (top, kept)], v.shape, dt,
                        lambda b, a, acc: b.emit(f"arith.subf {a[0]}, {a[1]} : {t}"))
    total = e.sum_over(shifted, [axis], pre=lambda b, a: b.emit(f"math.exp {a} : {t}"))
    return e.generic([(shifted, full), (total, kept)], v.shape, dt,
                     lambda b, a, acc: b.emit(f"arith.subf {a[0]}, {b.emit(f'math.log {a[1]} : {t}')} : {t}"))


CONVERTERS = {name: reduction(name) for name in REDUCTIONS}
CONVERTERS.update({"Softmax": lambda node: along_softmax_axis(node, softmax_along),
                   "LogSoftmax": lambda node: along_softmax_axis(node, log_softmax_along)})
