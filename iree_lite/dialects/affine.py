"""affine: apply, min and max of affine maps over index values, and
linearize_index / delinearize_index (a multi-index to a row-major offset
and back, over a basis of sizes).

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


def parse_basis(p):
    """`(4, %n)`: sizes as ints, None where an index operand (returned
    after them as name tokens) gives one."""
    p.parse_punct("(")
    dynamic = []

    def item():
        if p.tok.kind == "value":
            dynamic.append(p.parse_operand())
            return None
        return int(p.parse_kind("integer", "a basis size or index value").text)
    return tuple(p.parse_comma_list(item, ")")), dynamic


class IndexBasisOp(OpDef):
    """`affine.linearize_index [disjoint] [%i, %j] by (4, %n) : index` and
    `affine.delinearize_index %x into (4, %n) : index, index`. The basis may
    leave out the outermost size, which neither op needs (MLIR's rule): the
    first delinearized index is not reduced modulo it."""

    def __init__(self, name):
        self.name = name
        self.linearize = name == "affine.linearize_index"

    def parse(self, p, loc, result_names):
        if self.linearize:
            p.parse_optional_keyword("disjoint")
            p.parse_punct("[")
            indices = p.parse_operand_list()
            p.parse_punct("]")
            p.parse_keyword("by")
        else:
            indices = [p.parse_operand()]
            p.parse_keyword("into")
        basis, dynamic = parse_basis(p)
        p.parse_punct(":")
        results = [p.parse_type()]
        while p.parse_optional_punct(","):
            results.append(p.parse_type())
        operands = p.resolve_all(indices + dynamic, [INDEX] * (len(indices) + len(dynamic)))
        return Operation(self.name, operands, results, {"static_basis": basis, "num_indices": len(indices)},
                         loc=loc)

    def verify(self, op, fail):
        basis, count = op.attributes["static_basis"], op.attributes["num_indices"]
        split = count if self.linearize else len(op.results)
        if any(v.type != INDEX for v in op.operands):
            fail(f"'{self.name}' takes index values")
        if any(r.type != INDEX for r in op.results) or (self.linearize and len(op.results) != 1):
            fail(f"'{self.name}' gives {'one index' if self.linearize else 'index values'}")
        if len(basis) not in (split, split - 1) or split == 0:
            fail(f"'{self.name}' needs a basis of as many sizes as {'indices' if self.linearize else 'results'}, "
                 f"or one fewer, not {len(basis)} for {split}")
        if len(op.operands) - count != basis.count(None) or any(n is not None and n <= 0 for n in basis):
            fail(f"'{self.name}' basis sizes must be positive")

    def decompose(self, op, new):
        basis, count = op.attributes["static_basis"], op.attributes["num_indices"]
        dynamic = iter(op.operands[count:])

        def const(v):
            return new("arith.constant", [], [INDEX], {"value": IntegerAttr(v, INDEX)})[0]
        sizes = [const(n) if n is not None else next(dynamic) for n in basis]
        indices = op.operands[:count]
        split = count if self.linearize else len(op.results)
        sizes = sizes[len(sizes) - (split - 1):] if split > 1 else []   # the sizes of all but the outermost
        if self.linearize:
            offset = indices[0]
            for size, index in zip(sizes, indices[1:]):
                offset = new("arith.addi", [new("arith.muli", [offset, size], [INDEX])[0], index], [INDEX])[0]
            return [offset]
        rest, results = indices[0], []
        for size in reversed(sizes):   # floor division and its remainder, as for affine's mod
            quotient = new("arith.floordivsi", [rest, size], [INDEX])[0]
            results.append(new("arith.subi", [rest, new("arith.muli", [quotient, size], [INDEX])[0]], [INDEX])[0])
            rest = quotient
        return [rest] + results[::-1]


OPS = {op.name: op for op in (AffineOp("affine.apply", None), AffineOp("affine.min", "arith.minsi"),
                              AffineOp("affine.max", "arith.maxsi"), IndexBasisOp("affine.linearize_index"),
                              IndexBasisOp("affine.delinearize_index"))}
