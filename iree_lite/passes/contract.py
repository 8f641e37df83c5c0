"""linalg.elementwise and linalg.contract in the ops the compiler runs.

An elementwise op is its arith or math op on the inputs seen at the
output's shape through their maps (iree_lite.expand: a copy where a map
transposes or broadcasts). A contraction is a batched matrix product
(iree_lite.matmul, the native matmul kernel): each input laid out as
(batch..., rows or columns..., reduced...) by its map and viewed as a 3-d
(or, without batch dimensions, 2-d) matrix; the accumulator likewise as
(batch..., m..., n...). Inputs and accumulator already in that order are
used in place, so a plain matmul-shaped contract is a plain matmul.
"""
from ..dialects.linalg import ELEMENTWISE_KINDS, ins_outs
from ..ir.attributes import AffineMapAttr, FloatAttr
from .build import expand, size_of, size_product, splat, view


def rewrite_elementwise(op, rw):
    ins, outs = ins_outs(op)
    out = outs[0].type
    kind = op.attributes["kind"].value
    maps = op.attributes["indexing_maps"].values if "indexing_maps" in op.attributes else \
        [AffineMapAttr(out.rank, tuple(range(out.rank)))] * len(op.operands)
    values = [expand(rw, v, m, out.shape, outs[0]) for v, m in zip(ins, maps)]
    name = ELEMENTWISE_KINDS[kind][0 if out.element.is_float else 1]
    if name == "square":
        values, name = values * 2, ("arith.mulf" if out.element.is_float else "arith.muli")
    elif name == "reciprocal":
        one = rw.new("arith.constant", [], [out.element], {"value": FloatAttr(1.0, out.element)})[0]
        values, name = [splat(rw, one, outs[0])] + values, "arith.divf"
    return rw.new(name, values, [out])


def rewrite_contract(op, rw, cast_operands):
    ins, outs = ins_outs(op)
    init = outs[0]
    a_map, b_map, c_map = (m.results for m in op.attributes["indexing_maps"].values)
    batch = [d for d in c_map if d in a_map and d in b_map]
    rows = [d for d in c_map if d in a_map and d not in b_map]
    cols = [d for d in c_map if d in b_map and d not in a_map]
    reduced = [d for d in a_map if d not in c_map]
    reads = {d: (v, axis) for v, m in zip((*ins, init), (a_map, b_map, c_map)) for axis, d in enumerate(m)}
    for w, m in zip((*ins, init), (a_map, b_map, c_map)):   # a static size wherever an operand has one
        reads.update({d: (w, axis) for axis, d in enumerate(m) if w.type.shape[axis] is not None})

    def size(d):
        v, axis = reads[d]
        return v.type.shape[axis] if v.type.shape[axis] is not None else size_of(rw, v, axis)

    def arranged(value, have, order):
        """value (indexed by dimensions `have`) as a matrix over (batch, then the two groups of `order`)."""
        amap = AffineMapAttr(sum(map(len, order)), tuple([d for group in order for d in group].index(d) for d in have))
        dims = [d for group in order for d in group]
        shape = tuple(reads[d][0].type.shape[reads[d][1]] for d in dims)
        value = expand(rw, value, amap, shape, size=lambda i: size(dims[i]))
        matrix = [size_product(rw, [size(d) for d in group]) for group in order]
        return reshaped(value, matrix if batch else matrix[1:])

    def reshaped(value, sizes):   # a view where the shape changes
        return value if value.type.shape == tuple(sizes) else view(rw, value, sizes)

    a, b = cast_operands(op, rw, ins, init.type.element)
    lhs = arranged(a, a_map, (batch, rows, reduced))
    rhs = arranged(b, b_map, (batch, reduced, cols))
    acc = arranged(init, c_map, (batch, rows, cols))
    product = rw.new("iree_lite.matmul", [acc, lhs, rhs], [acc.type])[0]
    dims = batch + rows + cols
    result = reshaped(product, [size(d) for d in dims])
    if dims == list(c_map):
        return [result]
    amap = AffineMapAttr(len(c_map), tuple(c_map.index(d) for d in dims))
    return [expand(rw, result, amap, init.type.shape, init)]

