"""linalg.pack and linalg.unpack: data tiling, as IREE's matmul encodings use it.

`linalg.pack %src [padding_value(%p : T)] [outer_dims_perm = [..]]
inner_dims_pos = [..] inner_tiles = [8, %t] into %dest : A -> B` cuts each
dimension inner_dims_pos[i] of A into tiles of inner_tiles[i] (the last padded
with %p), so that B is (the outer dimensions, permuted by outer_dims_perm,
then the tiles' dimensions in inner_dims_pos order). `linalg.unpack` is the
inverse, dropping the padding. Tile sizes may be SSA values (operands after
the two tensors and the padding value; None in `inner_tiles`).
"""
from ..ir.core import Operation
from ..ir.ops import OpDef
from ..ir.types import ScalarType
from .tensor import parse_mixed_list, parse_tensor

INDEX = ScalarType("index")


class PackOp(OpDef):
    def __init__(self, name):
        self.name = name

    def parse(self, p, loc, result_names):
        src = p.parse_operand()
        padding = None
        if self.name == "linalg.pack" and p.parse_optional_keyword("padding_value"):
            p.parse_punct("(")
            value = p.parse_operand()
            p.parse_punct(":")
            padding = (value, p.parse_type())
            p.parse_punct(")")
        attrs, tiles = {}, []
        if p.parse_optional_keyword("outer_dims_perm"):
            p.parse_punct("=")
            attrs["outer_dims_perm"] = parse_mixed_list(p, "outer_dims_perm")
        p.parse_keyword("inner_dims_pos")
        p.parse_punct("=")
        attrs["inner_dims_pos"] = parse_mixed_list(p, "inner_dims_pos")
        p.parse_keyword("inner_tiles")
        p.parse_punct("=")
        attrs["inner_tiles"] = parse_mixed_list(p, "inner_tiles", tiles)
        p.parse_keyword("into")
        dest = p.parse_operand()
        attrs.update(p.parse_optional_attr_dict())
        p.parse_punct(":")
        a = parse_tensor(p, self.name)
        p.parse_punct("->")
        b = parse_tensor(p, self.name)
        operands = p.resolve_all([src, dest], [a, b])
        if padding is not None:
            operands += p.resolve_all([padding[0]], [padding[1]])
        attrs["padded"] = padding is not None
        operands += p.resolve_all(tiles, [INDEX] * len(tiles))
        return Operation(self.name, operands, [b], attrs, loc=loc)

    def verify(self, op, fail):
        packed = op.name == "linalg.pack"
        plain, tiled = (op.operands[0].type, op.results[0].type)[::1 if packed else -1]
        pos, tiles = op.attributes["inner_dims_pos"], op.attributes["inner_tiles"]
        perm = op.attributes.get("outer_dims_perm", tuple(range(plain.rank)))
        if len(pos) != len(tiles) or len(set(pos)) != len(pos) or any(not 0 <= d < plain.rank for d in pos):
            fail(f"'{op.name}' needs one tile size per distinct dimension of '{plain}' in inner_dims_pos")
        if sorted(perm) != list(range(plain.rank)):
            fail(f"'{op.name}' outer_dims_perm must permute the {plain.rank} dimensions of '{plain}'")
        if any(t is not None and t < 1 for t in tiles):
            fail(f"'{op.name}' tile sizes must be positive")
        if tiled.rank != plain.rank + len(pos) or tiled.element != plain.element or \
                any(None not in (n, t) and n != t for n, t in zip(tiled.shape[plain.rank:], tiles)):
            fail(f"'{op.name}' of '{plain}' by tiles {list(tiles)} at {list(pos)} cannot give '{tiled}'")
        if op.attributes.get("padded") and op.operands[2].type != plain.element:
            fail(f"the padding value must be '{plain.element}', got '{op.operands[2].type}'")


OPS = {op.name: op for op in (PackOp("linalg.pack"), PackOp("linalg.unpack"))}
