"""Picks (dialects/reduction.py: argmax and its kind) as parallel
reductions.

In order, a pick takes its value at every iteration point where the folded
value v beats the running max (or min); with a strict comparison that is
the first point reaching the final max m, provided m beats the max's
initial value (else no point does, and the output keeps its own initial
value); with a non-strict one, the last. So: the positions p (along the
reduced dimensions, flattened) where v == m and v beats that initial value
are reduced to their least (or greatest) one, and the value at that
position is then reduced out of the others. (Should v hold a NaN, a
maximumf fold is NaN and no point reaches it: the output keeps its initial
value.)
"""
from ..ir.attributes import AffineMapAttr
from ..ir.types import TensorType
from .build import I1, INDEX, cmp, constant, expand, fold, linear_index, size_of, splat


def pick(rw, step, v, m, init_of, s, init, parallel):
    """Output `init` of Pick `step`: `v` and `s` are the folded and picked
    values over the iteration shape (parallel dimensions first), `m` the
    fold's result and `init_of` its initial value."""
    shape = v.type.shape

    def at(element, name, operands, attributes=None):
        return rw.new(name, operands, [TensorType(shape, element)], attributes)[0]

    def spread(value):   # a value of the parallel dimensions, at every iteration point
        return expand(rw, value, AffineMapAttr(len(shape), tuple(range(parallel))), shape, like=v)

    def reduced(value, start, combiner):   # value folded along the reduced dimensions into a splat of `start`
        return fold(rw, splat(rw, start, init), value, combiner)

    position = None
    for axis in range(parallel, len(shape)):
        coordinate = linear_index(rw, shape, axis, v)
        if position is not None:
            scaled = at(INDEX, "arith.muli", [position, splat(rw, size_of(rw, v, axis), v)])
            coordinate = at(INDEX, "arith.addi", [scaled, coordinate])
        position = coordinate
    reaches = cmp(rw, "oeq" if v.type.element.is_float else "eq", v, spread(m))
    hit = at(I1, "arith.andi", [reaches, cmp(rw, step.predicate, v, spread(init_of))])
    none = constant(rw, -1 if step.last else (1 << 63) - 1, INDEX)
    where = reduced(at(INDEX, "arith.select", [hit, position, splat(rw, none, v)]), none,
                    "maxsi" if step.last else "minsi")
    element = s.type.element
    low = constant(rw, float("-inf") if element.is_float else -(1 << (element.bitwidth - 1)), element)
    chosen = at(element, "arith.select", [cmp(rw, "eq", position, spread(where)), s, splat(rw, low, v)])
    value = reduced(chosen, low, "maximumf" if element.is_float else "maxsi")
    found = cmp(rw, "ne", where, splat(rw, none, init))
    return rw.new("arith.select", [found, value, init], [init.type])[0]
