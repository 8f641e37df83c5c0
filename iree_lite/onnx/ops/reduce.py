"""Reductions (ReduceSum, ReduceMean, ...) and Softmax / LogSoftmax."""
import numpy as np

from ..emitter import NodeError, fmt_shape
from ..scalars import Scalars, axis_sets, select_tensor
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
    if dtype.kind == "b":   # max is any, min is all
        return kind == "highest" if kind in ("lowest", "highest") else kind
    if kind == "lowest":
        return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min
    if kind == "highest":
        return np.inf if dtype.kind == "f" else np.iinfo(dtype).max
    return kind


def reduction(op_type):
    start, combiners, pre, finish = REDUCTIONS[op_type]

    def convert(node, x=None):
        """x: the input, when not node.inputs[0] (a bool one as i8)."""
        x = static(node.inputs[0] if x is None else x)
        e = node.e
        if x.dtype.kind == "b" and op_type in ("ReduceMax", "ReduceMin"):   # any / all, reduced as i8
            x8 = e.elementwise([x], np.int8, lambda b, a: b.emit(f"arith.extui {a[0]} : i1 to i8"))
            y = convert(node, x8)
            return e.elementwise([y], np.bool_, lambda b, a: b.emit(f"arith.trunci {a[0]} : i8 to i1"))
        dt, t = x.dtype, x.element
        combiner = by_kind(x, *combiners)
        if combiner is None:
            raise NodeError(f"element type {dt} is not supported (a float type is needed)")
        keepdims = node.attrs.get("keepdims", 1)

        def element(b, v):
            if pre == "square":
                return b.emit(f"{'arith.mulf' if x.is_float else 'arith.muli'} {v}, {v} : {t}")
            if pre == "abs":
                return b.emit(f"math.absf {v} : {t}")
            if pre == "exp":
                return b.emit(f"math.exp {v} : {t}")
            return v

        def over(axes):
            """The reduction over the given axes (sorted, maybe none)."""
            y = e.reduce(x, axes, dt, start_value(start, dt),
                         lambda b, v, acc: b.emit(f"{combiner} {v}, {acc} : {t}"), pre=element if pre else None)
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
        noop = node.attrs.get("noop_with_empty_axes", 0)
        if node.opset >= AXES_INPUT_FROM.get(op_type, 18):
            if not node.known(1):   # of a static nonzero length: never empty, so noop does not apply
                return over_runtime_axes(node, x, keepdims, over)
            axes = None if node.input(1) is None else [int(a) for a in node.const_input(1, "axes")]
        else:
            axes = node.attrs.get("axes")
        if not axes:
            if noop:
                return x
            axes = list(range(x.rank))
        return over(sorted({a % x.rank for a in axes}) if x.rank else [])
    return convert


def over_runtime_axes(node, x, keepdims, over):
    """A reduction whose axes are known only at run time: each set of that
    many axes that gives the declared output shape is a candidate; those
    differing only in size-1 axes reduce alike, so each distinct one is
    computed once and the runtime axes select among them (asserted to be
    one of the candidates)."""
    s = Scalars(node)
    out = tuple(node.output_shape(0, f"input 1 ('{node.proto.input[1]}')"))
    axes = s.ints(1, "axes")

    def fits(chosen):
        if keepdims:
            return out == tuple(1 if i in chosen else d for i, d in enumerate(x.shape))
        return out == tuple(d for i, d in enumerate(x.shape) if i not in chosen)
    groups = {}   # the axes that are not size 1 -> the candidate sets with them
    for chosen in axis_sets(x.rank, len(axes), fits, fmt_shape(x.shape)):
        groups.setdefault(tuple(a for a in chosen if x.shape[a] != 1), []).append(chosen)
    axes = [s.wrap_negative(a, x.rank) for a in axes]
    matches = [s.any(s.is_axis_set(axes, c) for c in sets) for sets in groups.values()]
    s.check(s.any(matches), f"the axes operand does not give the declared output shape {fmt_shape(out)}")
    results = [node.e.reshape(over(list(effective)), out) for effective in groups]
    y = results[-1]
    for match, r in zip(matches[-2::-1], results[-2::-1]):
        y = select_tensor(node.e, match, r, y)
    return y


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
