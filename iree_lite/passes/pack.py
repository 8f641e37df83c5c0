"""linalg.pack and linalg.unpack as a padding, a view and a transposing copy
(and back, with a slice dropping the padding): ops the linalg rewrite has."""
from ..ir.attributes import AffineMapAttr
from ..ir.types import TensorType
from .build import expand, extract, index_constant, insert, size_of, size_product, splat, view


def rewrite_packing(op, rw):
    packing = op.name == "linalg.pack"
    src, dest = op.operands[:2]
    plain, tiled = (src, dest) if packing else (dest, src)
    rank = plain.type.rank
    pos = op.attributes["inner_dims_pos"]
    perm = op.attributes.get("outer_dims_perm", tuple(range(rank)))
    dynamic = iter(op.operands[2 + bool(op.attributes.get("padded")):])
    tiles = {d: next(dynamic) if t is None else t for d, t in zip(pos, op.attributes["inner_tiles"])}

    def tiled_size(k):
        n = tiled.type.shape[k]
        return n if n is not None else size_of(rw, tiled, k)

    def plain_size(d):
        n = plain.type.shape[d]
        return n if n is not None else size_of(rw, plain, d)
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
    padded = [size_product(rw, [outer[d], tiles[d]]) if d in tiles else plain_size(d) for d in range(rank)]
    static = tuple(n if isinstance(n, int) else None for n in interleaved)
    if packing:
        value = src
        if op.attributes.get("padded"):
            value = _pad(rw, src, op.operands[2], padded)
        value = view(rw, value, interleaved)
        amap = AffineMapAttr(len(order), tuple(order.index(k) for k in range(len(order))))
        return [expand(rw, value, amap, tiled.type.shape, size=lambda k: tiled_size(k))]
    amap = AffineMapAttr(len(order), tuple(order))
    value = expand(rw, src, amap, static, size=lambda k: interleaved[k])
    value = view(rw, value, padded)
    sizes = [plain_size(d) for d in range(rank)]
    if sizes == padded:
        return [value]
    return [extract(rw, value, [0] * rank, sizes)]


def _pad(rw, src, value, padded):
    """src at the start of a tensor of sizes `padded` filled with `value`."""
    t = TensorType(tuple(n if isinstance(n, int) else None for n in padded), src.type.element)
    like = rw.new("tensor.empty", [n for n in padded if not isinstance(n, int)], [t])[0]
    return insert(rw, src, splat(rw, value, like), [index_constant(rw, 0)] * t.rank)
