"""iree_linalg_ext.attention as two batched matrix products around a
softmax, as IREE computes it in base 2: S = (scale * log2(e) * Q) K^T,
the region then applied to each score (so it sees them times log2(e), as
in IREE), then the mask (an i1 mask puts -inf where false, a float one is
added times log2(e)), and O = softmax2(S) V along the keys, softmax2 using
exp2. The indexing maps name the roles of the
iteration dimensions: batch (in all of Q, K, V and O), m (Q and O), k1
(Q and K: summed first), k2 (K and V: summed second), n (V and O).
"""
from ..dialects.linalg import ins_outs
from ..ir.attributes import AffineMapAttr, FloatAttr
from ..ir.core import Diagnostic
from ..ir.types import TensorType
from .linalg import _new, apply_body, expand, softmax, view

LOG2E = 1.4426950408889634


def rewrite_attention(op, ops, remap, source):
    ins, (out,) = ins_outs(op)
    q, k, v, scale = ins[:4]
    mask = ins[4] if len(ins) == 5 else None
    loc = op.loc
    maps = [m.results for m in op.attributes["indexing_maps"].values]
    if any(not x.type.is_static for x in (q, k, v, out) + ((mask,) if mask else ())):
        raise Diagnostic(f"'{op.name}' of dynamic shape is not supported by iree-lite yet", loc, source)
    qd, kd, vd, od = maps[0], maps[1], maps[2], maps[-1]
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
    element = out.type.element
    log2e = _new(ops, "arith.constant", [], [element], {"value": FloatAttr(LOG2E, element)}, loc)[0]
    qs = arrange(q, qd, [batch, m, k1])
    scale = _new(ops, "arith.mulf", [scale, log2e], [element], loc=loc)[0]
    scaled = _new(ops, "arith.mulf", [qs, _new(ops, "tensor.splat", [scale], [qs.type], loc=loc)[0]],
                  [qs.type], loc=loc)[0]
    keys = arrange(k, kd, [batch, k1, k2])
    t = TensorType((qs.type.shape[0], qs.type.shape[1], keys.type.shape[2]), element)
    zero = _new(ops, "arith.constant", [], [element], {"value": FloatAttr(0.0, element)}, loc)[0]
    scores = _new(ops, "iree_lite.matmul", [_new(ops, "tensor.splat", [zero], [t], loc=loc)[0], scaled, keys], [t],
                  loc=loc)[0]
    block = op.regions[0].blocks[0]
    (scores,) = apply_body(ops, block, {block.arguments[0]: scores}, t.shape, remap, source, like=scores)
    if mask is not None:
        masked = arrange(mask, maps[4], [batch, m, k2])
        if masked.type.element.is_float:
            masked = _new(ops, "arith.mulf", [masked, _new(ops, "tensor.splat", [log2e], [t], loc=loc)[0]], [t],
                          loc=loc)[0]
            scores = _new(ops, "arith.addf", [scores, masked], [t], loc=loc)[0]
        else:
            low = _new(ops, "arith.constant", [], [element], {"value": FloatAttr(float("-inf"), element)}, loc)[0]
            scores = _new(ops, "arith.select", [masked, scores, _new(ops, "tensor.splat", [low], [t], loc=loc)[0]],
                          [t], loc=loc)[0]
    weights = softmax(ops, scores, 2, loc, exp="math.exp2")
    values = arrange(v, vd, [batch, k2, n])
    r = TensorType((t.shape[0], t.shape[1], values.type.shape[2]), element)
    result = _new(ops, "iree_lite.matmul", [_new(ops, "tensor.splat", [zero], [r], loc=loc)[0], weights, values], [r],
                  loc=loc)[0]
    # back to the output's layout: [batch, m, n] groups unfolded, then permuted as the output map says
    order = batch + m + n
    unfolded = view(ops, result, [size[d] for d in order], loc)
    return [expand(ops, unfolded, AffineMapAttr(len(od), tuple(od.index(d) for d in order)), out.type.shape, loc)]
