"""linalg.pack and linalg.unpack as a padding, a view and a transposing copy
(and back, with a slice dropping the padding): ops the linalg rewrite has."""
from ..ir.attributes import AffineMapAttr
from ..ir.types import TensorType
from .build import emit, expand, extract, index_constant, insert, size_of, size_product, splat, view


def rewrite_packing(op, ops):
    packing = op.name == "linalg.pack"
    src, dest = op.operands[:2]
    plain, tiled = (src, dest) if packing else (dest, src)
    rank, loc = plain.type.rank, op.loc
    pos = op.attributes["inner_dims_pos"]
    perm = op.attributes.get("outer_dims_perm", tuple(range(rank)))
    dynamic = iter(op.operands[2 + bool(op.attributes.get("padded")):])
    tiles = {d: next(dynamic) if t is None else t for d, t in zip(pos, op.attributes["inner_tiles"])}

    def tiled_size(k):
        n = tiled.type.shape[k]
        return n if n is not None else size_of(ops, tiled, k, loc)

    def plain_size(d):
        n = plain.type.shape[d]
        return n if n is not None else size_of(ops, plain, d, loc)
    outer = {d: tiled_size(perm.index(d)) for d in range(rank)}
    # The plain dimensions cut in two: d -> (outer, tile) in place, and where each lands in `tiled`.
    interleaved, where = [], {}
    for d in range(rank):
        where[("outer", d)] = len(interleaved)
        interleaved.append(outer[d])
        if d in tiles:
            where[("tile", d)] = len(interleaved)
            interleaved.append(tiles[d])
    order = [where[("outer", d)] for d in perm] + [where[("tile", d)] for d in pos]
    padded = [size_product(ops, [outer[d], tiles[d]], loc) if d in tiles else plain_size(d) for d in range(rank)]
    static = tuple(n if isinstance(n, int) else None for n in interleaved)
    if packing:
        value = src
        if op.attributes.get("padded"):
            value = _pad(ops, src, op.operands[2], padded, loc)
        value = view(ops, value, interleaved, loc)
        amap = AffineMapAttr(len(order), tuple(order.index(k) for k in range(len(order))))
        return [expand(ops, value, amap, tiled.type.shape, loc, size=lambda k: tiled_size(k))]
    amap = AffineMapAttr(len(order), tuple(order))
    value = expand(ops, src, amap, static, loc, size=lambda k: interleaved[k])
    value = view(ops, value, padded, loc)
    sizes = [plain_size(d) for d in range(rank)]
    if sizes == padded:
        return [value]
    return [extract(ops, value, [0] * rank, sizes, loc)]


def _pad(ops, src, value, padded, loc):
    """src at the start of a tensor of sizes `padded` filled with `value`."""
    t = TensorType(tuple(n if isinstance(n, int) else None for n in padded), src.type.element)
    like = emit(ops, "tensor.empty", [n for n in padded if not isinstance(n, int)], [t], loc=loc)[0]
    return insert(ops, src, splat(ops, value, like, loc), [index_constant(ops, 0, loc)] * t.rank, loc)
