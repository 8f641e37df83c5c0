"""affine: apply, min and max of affine maps over index values.

They decompose into index arithmetic (arith ops on index scalars), so the
rest of the compiler never sees them."""
from ..ir.attributes import AffineMapAttr, IntegerAttr
from ..ir.core import Operation
from ..ir.ops import OpDef
from ..ir.types import ScalarType

INDEX = ScalarType("index")
_ARITH = {"+": "arith.addi", "*": "arith.muli", "floordiv": "arith.floordivsi", "ceildiv": "arith.ceildivsi"}


class AffineOp(OpDef):
    """`%r = affine.apply #map(%d0, %d1)[%s0]`: the map's dimensions, then
    its symbols, are index operands. apply has one result expression; min
    and max take the least or greatest of theirs."""

    def __init__(self, name, combine):
        self.name = name
        self.combine = combine   # the arith op folding several results, or None

    def parse(self, p, loc, result_names):
        tok = p.tok
        amap = p.parse_attribute()
        if not isinstance(amap, AffineMapAttr):
            raise p.error(f"'{self.name}' needs an affine map", tok)
        p.parse_punct("(")
        toks = p.parse_operand_list()
        p.parse_punct(")")
        if p.parse_optional_punct("["):
            toks += p.parse_operand_list()
            p.parse_punct("]")
        return Operation(self.name, p.resolve_all(toks, [INDEX] * len(toks)), [INDEX], {"map": amap}, loc=loc)

    def verify(self, op, fail):
        amap = op.attributes["map"]
        if len(op.operands) != amap.num_dims + amap.num_symbols:
            fail(f"{len(op.operands)} operands for {amap}, which takes {amap.num_dims} dimensions "
                 f"and {amap.num_symbols} symbols")
        count = len(amap.expressions())
        if count == 0 or (self.combine is None and count != 1):
            fail(f"'{self.name}' needs {'one result' if self.combine is None else 'results'} in {amap}")

    def decompose(self, op, new):
        """The op's value as arith ops on index scalars: `new(name, operands,
        result types, attributes)` emits one and returns its results."""
        amap = op.attributes["map"]
        dims, syms = op.operands[:amap.num_dims], op.operands[amap.num_dims:]

        def const(v):
            return new("arith.constant", [], [INDEX], {"value": IntegerAttr(v, INDEX)})[0]

        def emit(e):
            if e[0] in ("d", "s"):
                return (dims if e[0] == "d" else syms)[e[1]]
            if e[0] == "c":
                return const(e[1])
            a, b = emit(e[1]), emit(e[2])
            if e[0] == "mod":   # a - floor(a / b) * b: in [0, b) for the positive b the parser allows
                q = new("arith.floordivsi", [a, b], [INDEX])[0]
                return new("arith.subi", [a, new("arith.muli", [q, b], [INDEX])[0]], [INDEX])[0]
            return new(_ARITH[e[0]], [a, b], [INDEX])[0]
        values = [emit(e) for e in amap.expressions()]
        result = values[0]
        for v in values[1:]:
            result = new(self.combine, [result, v], [INDEX])[0]
        return [result]


OPS = {op.name: op for op in (AffineOp("affine.apply", None), AffineOp("affine.min", "arith.minsi"),
                              AffineOp("affine.max", "arith.maxsi"))}
