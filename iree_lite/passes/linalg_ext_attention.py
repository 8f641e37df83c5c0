"""iree_linalg_ext.attention as two batched matrix products around a
softmax, as IREE computes it in base 2: S = (scale * log2(e) * Q) K^T,
the region then applied to each score (so it sees them times log2(e), as
in IREE), then the mask (an i1 mask puts -inf where false, a float one is
added times log2(e)); then, as IREE's one online step, P = exp2(S - max)
along the keys, O = (P V) / sum(P). Scores, softmax and sums are f32 for
an attention output narrower than f32 (rounded to the output at the end),
else of the output's type; Q is scaled in its own type (the scale
converted to it) and Q and K widened, and P is rounded to V's type before
the second product (IREE's order). online_attention is that step from the
given (acc, max, sum). The indexing maps name the roles of the iteration
dimensions, which may be dynamic: batch (in all of Q, K, V and O), m (Q
and O), k1 (Q and K: summed first), k2 (K and V: summed second), n (V and
O).
"""
import math
import sys

from ..dialects.iree_linalg_ext import score_type
from ..ir.attributes import AffineMapAttr
from ..isa.smallfloat import FORMATS, tables
from ..ir.types import TensorType
from .body import apply_body
from .build import cast, constant, expand, reduce, shape_of, size_of, size_product, sizes, splat, view

LOG2E = 1.4426950408889634


def rewrite_attention(op, rw):
    n_in = op.attributes["num_ins"].value
    ins, outs = op.operands[:n_in], op.operands[n_in:]
    q, k, v, scale = ins[:4]
    mask = ins[4] if len(ins) == 5 else None
    out = outs[0]
    maps = [m.results for m in op.attributes["indexing_maps"].values]
    qd, kd, vd, od = maps[0], maps[1], maps[2], maps[n_in]
    batch = [d for d in od if d in qd and d in kd and d in vd]
    m = [d for d in od if d in qd and d not in batch]
    n = [d for d in od if d in vd and d not in batch]
    k1 = [d for d in qd if d in kd and d not in batch]
    k2 = [d for d in kd if d in vd and d not in batch]
    size = iteration_sizes(rw, [(x, dims) for x, dims in zip(ins[:3] + ins[4:] + outs, maps[:3] + maps[4:])
                                if x is not scale])

    def arrange(x, dims, groups):
        """x (its dimensions iteration dims `dims`) moved to the order of
        `groups` and viewed with one dimension per group."""
        order = [d for g in groups for d in g]
        shape = tuple(size[d] if isinstance(size[d], int) else None for d in order)
        moved = expand(rw, x, AffineMapAttr(len(order), tuple(order.index(d) for d in dims)), shape,
                       size=lambda i: size[order[i]])
        return view(rw, moved, [size_product(rw, [size[d] for d in g]) for g in groups])

    def restore(x, groups, dims, like):
        """arrange's inverse: x back to the layout `dims` of tensor `like`."""
        order = [d for g in groups for d in g]
        unfolded = view(rw, x, [size[d] for d in order])
        return expand(rw, unfolded, AffineMapAttr(len(dims), tuple(dims.index(d) for d in order)), like.type.shape,
                      like=like)

    def new(name, operands, t):
        return rw.new(name, operands, [t])[0]

    def filled(value, like):
        return splat(rw, constant(rw, value, like.type.element), like)
    element = score_type(op)   # scores, softmax and accumulation; Q, K and V may be narrower
    log2e = constant(rw, LOG2E, scale.type)
    qs = arrange(q, qd, [batch, m, k1])
    factor = cast(rw, new("arith.mulf", [scale, log2e], scale.type), qs.type.element, False)
    qs = new("arith.mulf", [qs, splat(rw, factor, qs)], qs.type)
    qs, keys = cast(rw, qs, element, False), cast(rw, arrange(k, kd, [batch, k1, k2]), element, False)
    scores = contract(rw, qs, keys)
    scores = apply_region(rw, op.regions[0].blocks[0], scores, [batch, m, k2], size)
    t = scores.type
    if mask is not None:
        masked = arrange(mask, maps[4], [batch, m, k2])
        if masked.type.element.is_float:
            masked = cast(rw, masked, element, False)
            scores = new("arith.addf", [scores, new("arith.mulf", [masked, filled(LOG2E, scores)], t)], t)
        else:
            scores = new("arith.select", [masked, scores, filled(float("-inf"), scores)], t)
    values = arrange(v, vd, [batch, k2, n])

    def weighted(weights, acc=None):
        """acc (or zeros) + weights @ values, the weights first rounded to
        the values' type, as IREE does."""
        weights = cast(rw, cast(rw, weights, v.type.element, False), element, False)
        return contract(rw, weights, cast(rw, values, element, False), acc)
    row = AffineMapAttr(3, (0, 1))   # a [batch, m] value at each score
    if len(outs) == 1:   # IREE's one online step from (0, lowest, 0), then acc / sum in the output's type
        rows = TensorType(t.shape[:2], element)

        def per_row(value):
            return rw.new("tensor.splat", [constant(rw, value, element)] + sizes(rw, scores, [0, 1]), [rows])[0]
        peak = reduce(rw, scores, per_row(-largest(element)), [2], "maximumf")
        weights = new("math.exp2", [new("arith.subf", [scores, expand(rw, peak, row, t.shape, like=scores)], t)], t)
        total = reduce(rw, weights, per_row(0.0), [2], "addf")
        acc = weighted(weights)
        inverse = new("arith.divf", [per_row(1.0), total], rows)
        acc = new("arith.mulf", [expand(rw, inverse, row, acc.type.shape, like=acc), acc], acc.type)
        return [cast(rw, restore(acc, [batch, m, n], od, out), out.type.element, False)]
    _, old_max, old_sum = outs
    md = maps[n_in + 1]
    old_max, old_sum = arrange(old_max, md, [batch, m]), arrange(old_sum, md, [batch, m])
    new_max = reduce(rw, scores, old_max, [2], "maximumf")
    weights = new("math.exp2", [new("arith.subf", [scores, expand(rw, new_max, row, t.shape, like=scores)], t)], t)
    norm = new("math.exp2", [new("arith.subf", [old_max, new_max], new_max.type)], new_max.type)
    new_sum = reduce(rw, weights, new("arith.mulf", [old_sum, norm], norm.type), [2], "addf")
    acc = arrange(out, od, [batch, m, n])
    acc = new("arith.mulf", [acc, expand(rw, norm, row, acc.type.shape, like=acc)], acc.type)
    return [restore(weighted(weights, acc), [batch, m, n], od, out), restore(new_max, [batch, m], md, outs[1]),
            restore(new_sum, [batch, m], md, outs[2])]


def largest(element):
    """The largest finite value of float type `element`."""
    if element.name in FORMATS:
        return max(v for v in tables(element.name).values if math.isfinite(v))
    return {"f16": 65504.0, "bf16": 3.3895313892515355e38, "f32": 3.4028234663852886e38}.get(element.name,
                                                                                        sys.float_info.max)


def apply_region(rw, block, scores, groups, size):
    """The score region applied to each score ([batch, m, k2] groups).
    `iree_linalg_ext.index d` is the coordinate along dimension d of IREE's
    score tensor, whose dimensions are each group's, in increasing order."""
    if not any(inner.name == "iree_linalg_ext.index" for inner in block.operations):
        return apply_body(rw, block, {block.arguments[0]: scores}, scores.type.shape, like=scores)[0]
    order = [d for g in groups for d in g]
    ireedims = [d for g in groups for d in sorted(g)]
    for inner in block.operations:
        if inner.name == "iree_linalg_ext.index" and inner.attributes["dim"].value >= len(order):
            raise rw.error(f"'iree_linalg_ext.index' of dimension {inner.attributes['dim'].value}: attention's "
                           f"scores have {len(order)} dimensions (batch, m and k2)", inner.loc)
    unfolded = view(rw, scores, [size[d] for d in order])
    (result,) = apply_body(rw, block, {block.arguments[0]: unfolded}, unfolded.type.shape,
                           [order.index(d) for d in ireedims], like=unfolded)
    return view(rw, result, shape_of(rw, scores))


def iteration_sizes(rw, operands):
    """Each iteration dimension's size: an int where some operand has it
    static, else an index value read from the first that has it."""
    size = {}
    for x, dims in operands:
        for axis, d in enumerate(dims):
            if x.type.shape[axis] is not None:
                size.setdefault(d, x.type.shape[axis])
    for x, dims in operands:
        for axis, d in enumerate(dims):
            if d not in size:
                size[d] = size_of(rw, x, axis)
    return size


def contract(rw, a, b, acc=None):
    """acc (or zeros) + a @ b, batched: [B, M, K] @ [B, K, N]."""
    sizes = shape_of(rw, a)[:2] + shape_of(rw, b)[2:]
    if acc is None:
        acc = rw.new("tensor.splat", [constant(rw, 0.0, a.type.element)] +
                     [n for n in sizes if not isinstance(n, int)],
                     [TensorType(tuple(n if isinstance(n, int) else None for n in sizes), a.type.element)])[0]
    return rw.new("iree_lite.matmul", [acc, a, b], [acc.type])[0]
