"""The compiler's small float conversions (iree_lite.fdecode/fencode), made
by iree_lite.passes.small_types: a byte holding a small float's bit pattern
to the f32 it is, and back (the tile ops t.fdecode and t.fencode)."""
from ..ir.ops import OpDef
from ..isa.smallfloat import FORMAT_CODES


class SmallFloatOp(OpDef):
    def __init__(self, name, tile_op, element):
        self.name = name
        self.elementwise = tile_op
        self.element = element   # the element type the tile op computes in (its result's)

    def parse(self, p, loc, result_names):
        raise p.error(f"'{self.name}' is internal to the compiler")

    def tile(self, op):
        return self.elementwise, self.element, {"fmt": FORMAT_CODES[op.attributes["format"]]}


OPS = {op.name: op for op in (SmallFloatOp("iree_lite.fdecode", "fdecode", "f32"),
                               SmallFloatOp("iree_lite.fencode", "fencode", "i8"))}
