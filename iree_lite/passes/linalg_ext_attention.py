"""iree_linalg_ext.attention as two batched matrix products around a
softmax, as IREE computes it in base 2: S = (scale * log2(e) * Q) K^T,
the region then applied to each score (so it sees them times log2(e), as
in IREE), then the mask (an i1 mask puts -inf where false, a float one is
added times log2(e)), and O = softmax2(S) V along the keys, softmax2 using
exp2. The indexing maps name the roles of the
iteration dimensions: batch (in all of Q, K, V and O), m (Q and O), k1
(Q and K: summed first), k2 (K and V: summed second), n (V and O).
"""
from ..ir.attributes import AffineMapAttr
from ..ir.core import Diagnostic
from ..ir.types import TensorType
from .body import apply_body
from .build import constant, emit, expand, reduce, softmax, view

LOG2E = 1.4426950408889634


def rewrite_attention(op, ops, remap, source):
    n_in = op.attributes["num_ins"].value
    ins, outs = op.operands[:n_in], op.operands[n_in:]
    q, k, v, scale = ins[:4]
    mask = ins[4] if len(ins) == 5 else None
    out = outs[0]
    loc = op.loc
    maps = [m.results for m in op.attributes["indexing_maps"].values]
    if any(not x.type.is_static for x in (q, k, v, *outs) + ((mask,) if mask else ())):
        raise Diagnostic(f"'{op.name}' of dynamic shape is not supported by iree-lite yet", loc, source)
    qd, kd, vd, od = maps[0], maps[1], maps[2], maps[n_in]
    batch = [d for d in od if d in qd and d in kd and d in vd]
    m = [d for d in od if d in qd and d not in batch]
    n = [d for d in od if d in vd and d not in batch]
    k1 = [d for d in qd if d in kd and d not in batch]
    k2 = [d for d in kd if d in vd and d not in batch]
    size = {}
    for x, dims in ((q, qd), (k, kd), (v, vd), (out, od)):
        size.update(zip(dims, x.type.shape))

    def arrange(x, dims, groups):
        """x (its dimensions iteration dims `dims`) moved to the order of
        `groups` and viewed with one dimension per group."""
        order = [d for g in groups for d in g]
        moved = expand(ops, x, AffineMapAttr(len(order), tuple(order.index(d) for d in dims)),
                       tuple(size[d] for d in order), loc)
        flat = [1] * len(groups)
        for i, g in enumerate(groups):
            for d in g:
                flat[i] *= size[d]
        return view(ops, moved, flat, loc)

    def restore(x, groups, dims, like):
        """arrange's inverse: x back to the layout `dims` of tensor `like`."""
        order = [d for g in groups for d in g]
        unfolded = view(ops, x, [size[d] for d in order], loc)
        return expand(ops, unfolded, AffineMapAttr(len(dims), tuple(dims.index(d) for d in order)), like.type.shape,
                      loc)

    def new(name, operands, t):
        return emit(ops, name, operands, [t], loc=loc)[0]

    def const(value, t=None):
        c = constant(ops, value, element, loc)
        return c if t is None else new("tensor.splat", [c], t)
    element = out.type.element
    log2e = const(LOG2E)
    qs = arrange(q, qd, [batch, m, k1])
    scaled = new("arith.mulf", [qs, new("tensor.splat", [new("arith.mulf", [scale, log2e], element)], qs.type)],
                 qs.type)
    keys = arrange(k, kd, [batch, k1, k2])
    t = TensorType((qs.type.shape[0], qs.type.shape[1], keys.type.shape[2]), element)
    scores = new("iree_lite.matmul", [const(0.0, t), scaled, keys], t)
    block = op.regions[0].blocks[0]
    (scores,) = apply_body(ops, block, {block.arguments[0]: scores}, t.shape, remap, source, like=scores)
    if mask is not None:
        masked = arrange(mask, maps[4], [batch, m, k2])
        if masked.type.element.is_float:
            scores = new("arith.addf", [scores, new("arith.mulf", [masked, new("tensor.splat", [log2e], t)], t)], t)
        else:
            scores = new("arith.select", [masked, scores, const(float("-inf"), t)], t)
    values = arrange(v, vd, [batch, k2, n])
    r = TensorType((t.shape[0], t.shape[1], values.type.shape[2]), element)
    if len(outs) == 1:
        weights = softmax(ops, scores, 2, loc, exp="math.exp2")
        return [restore(new("iree_lite.matmul", [const(0.0, r), weights, values], r), [batch, m, n], od, out)]
    _, old_max, old_sum = outs
    md = maps[n_in + 1]
    row = AffineMapAttr(3, (0, 1))   # a [batch, m] value at each score
    old_max, old_sum = arrange(old_max, md, [batch, m]), arrange(old_sum, md, [batch, m])
    new_max = reduce(ops, scores, old_max, [2], "maximumf", loc)
    weights = new("math.exp2", [new("arith.subf", [scores, expand(ops, new_max, row, t.shape, loc)], t)], t)
    norm = new("math.exp2", [new("arith.subf", [old_max, new_max], new_max.type)], new_max.type)
    new_sum = reduce(ops, weights, new("arith.mulf", [old_sum, norm], norm.type), [2], "addf", loc)
    acc = arrange(out, od, [batch, m, n])
    acc = new("arith.mulf", [acc, expand(ops, norm, row, r.shape, loc)], r)
    new_acc = new("iree_lite.matmul", [acc, weights, values], r)
    return [restore(new_acc, [batch, m, n], od, out), restore(new_max, [batch, m], md, outs[1]),
            restore(new_sum, [batch, m], md, outs[2])]
