"""Reductions over a few points (a 3x3 pooling window, a kernel of 2) as
element-wise folds, one iteration point at a time: the reduced dimensions
fixed to each point in order, the inputs read there (fused gathers, no
window copy), the body applied and the accumulator folded element-wise.
That is buffer.reduce's fold in its order, so the results are the same,
without the copy of every input at every window point that the general
path (expand to the iteration space, then reduce rows of a few elements)
makes."""
import itertools
import math

from ..ir.attributes import AffineMapAttr
from ..isa import REDUCE_COMBINERS
from ..ir.types import TensorType, element_type_of
from .body import apply_body
from .build import expand, reordered, splat

UNROLL_POINTS = 16   # reductions over at most this many points are unrolled
ELEMENTS = {"f32", "f64", "i32", "i64"}   # those fold() reduces directly (no widening, no bit folds)


def at_point(amap, order, parallel, point):
    """`amap` over the iteration dimensions ordered `order`, with the last
    ones (the reduced) fixed at `point`: a map of the `parallel` first
    dimensions, or None if it is not linear."""
    forms = reordered(amap, order).linear()
    if forms is None:
        return None
    exprs = []
    for coeffs, const in forms:
        e = ("c", const + sum(c * k for c, k in zip(coeffs[parallel:], point)))
        for d, c in enumerate(coeffs[:parallel]):
            if c:
                e = ("+", e, ("*", ("d", d), ("c", c)))
        exprs.append(e)
    return AffineMapAttr(parallel, None, 0, tuple(exprs))


def unrolled_reduction(rw, plan, pre, ins, maps, order, parallel, shape, folded):
    """The outputs of a reduction whose plan folds (no picks) over at most
    UNROLL_POINTS static points, computed point by point; or None (nothing
    emitted) where that does not apply."""
    body = pre.arguments
    reduced = shape[parallel:]
    if None in shape or not 1 <= math.prod(reduced) <= UNROLL_POINTS:
        return None
    if any(inner.name == "linalg.index" for inner in pre.operations):
        return None
    if any(step.combiner not in REDUCE_COMBINERS or element_type_of(init.type).name not in ELEMENTS
           for step, init in zip(plan, folded)):
        return None
    used = {v for inner in pre.operations for v in inner.operands}
    points = list(itertools.product(*(range(n) for n in reduced)))
    tap_maps = [[at_point(amap, order, parallel, point) for amap in maps[:len(ins)]] for point in points]
    if any(m is None for arg, ms in zip(body, zip(*tap_maps)) if arg in used for m in ms):
        return None
    out_shape = shape[:parallel]
    acc = list(folded)
    for point_maps in tap_maps:
        mapping = {arg: expand(rw, x, m, out_shape) for arg, x, m in zip(body, ins, point_maps) if arg in used}
        values = apply_body(rw, pre, mapping, out_shape, like=folded[0])
        for k, (step, value) in enumerate(zip(plan, values)):
            if not isinstance(value.type, TensorType):   # a value that does not vary
                value = splat(rw, value, acc[k])
            acc[k] = rw.new(f"arith.{step.combiner}", [acc[k], value], [acc[k].type])[0]
    return acc
