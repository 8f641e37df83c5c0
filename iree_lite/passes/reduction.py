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
from .build import I1, INDEX, cmp, constant, emit, expand, fold, linear_index, size_of, splat


def pick(ops, step, v, m, init_of, s, init, parallel, loc):
    """Output `init` of Pick `step`: `v` and `s` are the folded and picked
    values over the iteration shape (parallel dimensions first), `m` the
    fold's result and `init_of` its initial value."""
    shape = v.type.shape

    def at(element, name, operands, attributes=None):
        return emit(ops, name, operands, [TensorType(shape, element)], attributes, loc)[0]

    def spread(value):   # a value of the parallel dimensions, at every iteration point
        return expand(ops, value, AffineMapAttr(len(shape), tuple(range(parallel))), shape, loc, like=v)

    def reduced(value, start, combiner):   # value folded along the reduced dimensions into a splat of `start`
        return fold(ops, splat(ops, start, init, loc), value, combiner, loc)

    position = None
    for axis in range(parallel, len(shape)):
        coordinate = linear_index(ops, shape, axis, loc, None, v)
        if position is not None:
            scaled = at(INDEX, "arith.muli", [position, splat(ops, size_of(ops, v, axis, loc), v, loc)])
            coordinate = at(INDEX, "arith.addi", [scaled, coordinate])
        position = coordinate
    reaches = cmp(ops, "oeq" if v.type.element.is_float else "eq", v, spread(m), loc)
    hit = at(I1, "arith.andi", [reaches, cmp(ops, step.predicate, v, spread(init_of), loc)])
    none = constant(ops, -1 if step.last else (1 << 63) - 1, INDEX, loc)
    where = reduced(at(INDEX, "arith.select", [hit, position, splat(ops, none, v, loc)]), none,
                 "maxsi" if step.last else "minsi")
    element = s.type.element
    low = constant(ops, float("-inf") if element.is_float else -(1 << (element.bitwidth - 1)), element, loc)
    chosen = at(element, "arith.select", [cmp(ops, "eq", position, spread(where), loc), s, splat(ops, low, v, loc)])
    value = reduced(chosen, low, "maximumf" if element.is_float else "maxsi")
    found = cmp(ops, "ne", where, splat(ops, none, init, loc), loc)
    return emit(ops, "arith.select", [found, value, init], [init.type], loc=loc)[0]
