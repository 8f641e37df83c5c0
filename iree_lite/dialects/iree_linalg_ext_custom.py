"""iree_linalg_ext.custom_op, a tile-level computation written as a region
over slices of its operands, and iree_linalg_ext.index, the iteration
index inside it (and inside attention's score region):

    %r = iree_linalg_ext.custom_op {indexing_maps = [..], iterator_types = [..]}
        ins(%a, %s : tensor<4x3xf32>, f32) outs(%o : tensor<4x5xf32>) {
      ^bb0(%ta: tensor<?x?xf32>, %ts: f32, %to: tensor<?x?xf32>):
        ..tensor-level ops..
        iree_linalg_ext.yield %v : tensor<?x?xf32>
    } -> tensor<4x5xf32>

The maps say which slice of each operand a tile of the loops reads (a
symbol: the whole dimension); the block arguments are those slices, all of
their dimensions dynamic, or the scalar operands themselves. Run untiled,
as IREE's decomposition does, the one tile is the whole iteration space:
the region is inlined over the whole operands (passes/linalg_ext_custom.py),
and `iree_linalg_ext.index d`, the offset of the tile along loop d, is 0.
The verifiers have IREE's messages (LinalgExtOps.cpp)."""
from ..ir.attributes import IntegerAttr
from ..ir.core import Diagnostic, Operation
from ..ir.ops import OpDef, ends_in
from ..ir.types import ScalarType, TensorType
from .iree_linalg_ext import ExtOp
from .linalg import parse_ins_outs

I64 = ScalarType("i64")
INDEX_PARENTS = ("iree_linalg_ext.custom_op", "iree_linalg_ext.attention", "iree_linalg_ext.online_attention")


def scalar_operand(t):
    return not isinstance(t, TensorType)


class CustomOp(ExtOp):
    name = "iree_linalg_ext.custom_op"

    def parse(self, p, loc, result_names):
        """IREE's form: `{indexing_maps = [..], iterator_types = [..]}`
        (only these, in this order), `attributes {..}`, ins, outs, region,
        `-> results`."""
        attrs = {}
        p.parse_punct("{")
        for n, key in enumerate(("indexing_maps", "iterator_types")):
            if n:
                p.parse_punct(",")
            p.parse_keyword(key)
            p.parse_punct("=")
            attrs[key] = p.parse_attribute()
        p.parse_punct("}")
        if p.parse_optional_keyword("attributes"):
            attrs.update(p.parse_attr_dict())
        ins, in_types, outs, out_types = parse_ins_outs(p)
        region = p.parse_region([], ends_in("iree_linalg_ext.yield", f"'{self.name}' body"), f"'{self.name}' body")
        results = []
        if p.parse_optional_punct("->"):
            results = p.parse_result_types()
            while p.parse_optional_punct(","):
                results.append(p.parse_type())
        operands = p.resolve_all(ins, in_types) + p.resolve_all(outs, out_types)
        attrs["num_ins"] = IntegerAttr(len(ins), I64)
        return Operation(self.name, operands, results, attrs, regions=[region], loc=loc)

    def verify(self, op, fail):
        ins, outs = self.split(op)
        for i, v in enumerate(ins):
            if not isinstance(v.type, (TensorType, ScalarType)):
                fail(f"'{self.name}' op operand #{i} must be variadic of ranked tensor of signless integer or "
                     "index or floating-point values or signless integer or index or floating-point, but got "
                     f"'{v.type}'")
        for i, v in enumerate(outs, len(ins)):
            if not isinstance(v.type, TensorType):
                fail(f"'{self.name}' op operand #{i} must be variadic of ranked tensor of any non-token type "
                     f"values, but got '{v.type}'")
        for key in ("indexing_maps", "iterator_types"):
            if not hasattr(op.attributes.get(key), "values"):
                fail(f"'{self.name}' op expected '{key}'")
        maps, loops = op.attributes["indexing_maps"].values, len(op.attributes["iterator_types"].values)
        operands = ins + outs
        if any(not hasattr(m, "num_dims") for m in maps):
            fail(f"'{self.name}' op indexing_maps must be affine maps")
        if len(maps) != len(operands):
            fail(f"'{self.name}' op expected number of indexing maps ({len(maps)}) to be same as the number of "
                 f"input/output operands ({len(operands)})")
        symbols = None
        for i, (m, v) in enumerate(zip(maps, operands)):
            if m.num_dims == 0 and m.num_symbols == 0 and not m.expressions():
                continue   # the empty map: a scalar, or an operand used whole
            if m.num_dims != loops:
                fail(f"'{self.name}' op expected indexing_map #{i} to have {loops} dim(s) to match the number of "
                     "loops or be zero")
            if symbols is not None and m.num_symbols != symbols:
                fail(f"'{self.name}' op inconsistent number of symbol dimensions in indexing_map #{i}, expected "
                     f"{symbols} instead of {m.num_symbols}")
            symbols = m.num_symbols if symbols is None else symbols
            rank = 0 if scalar_operand(v.type) else v.type.rank
            if len(m.expressions()) != rank:
                fail(f"'{self.name}' op expected operand rank({rank}) to match the result rank of indexing map #{i}")
        block = op.regions[0].blocks[0]
        if len(block.arguments) != len(operands):
            fail(f"'{self.name}' op expected as many basic block arguments ({len(block.arguments)}) as the number "
                 f"of operands ({len(operands)})")
        for i, (arg, v) in enumerate(zip(block.arguments, operands)):
            if scalar_operand(v.type):
                if arg.type != v.type:
                    fail(f"'{self.name}' op for (scalar) operand #{i} expected corresponding basic block argument "
                         "to be of the same type")
                continue
            if not isinstance(arg.type, TensorType):
                fail(f"'{self.name}' op for (tensor) operand #{i} expected corresponding basic block argument to "
                     "be tensor as well")
            want = TensorType((None,) * v.type.rank, v.type.element)
            if arg.type != want:
                fail(f"'{self.name}' op expected basic block argument corresponding to (tensor) operand #{i} to "
                     f"be '{want}' instead of '{arg.type}'")
        yielded = block.operations[-1].operands
        if len(yielded) != len(outs):
            fail(f"'{self.name}' op expected as many yields as the numbers of `outs` operand")
        for i, (y, arg) in enumerate(zip(yielded, block.arguments[len(ins):])):
            if y.type != arg.type:
                fail(f"'{self.name}' op expected type of {i}-th operand of yield to match the corresponding "
                     "output basic block argument")
        check_index_ops(block, loops, fail)
        if len(op.results) != len(outs):
            fail(f"'{self.name}' op requires the same number of results ({len(op.results)}) as `outs` operands "
                 f"({len(outs)})")
        for i, (v, r) in enumerate(zip(outs, op.results)):
            if v.type != r.type:
                fail(f"'{self.name}' op expected type of operand #{len(ins) + i} ('{v.type}') to match type of "
                     f"corresponding result ('{r.type}')")


def check_index_ops(block, loops, fail):
    """IREE's check of the `iree_linalg_ext.index` ops directly in the body
    of an op of `loops` iteration dimensions."""
    for inner in block.operations:
        if inner.name == IndexOp.name and inner.attributes["dim"].value >= loops:
            try:
                fail(f"'{IndexOp.name}' op expected dim ({inner.attributes['dim'].value}) to be lower than the "
                     f"number of loops ({loops}) of the enclosing operation")
            except Diagnostic as error:   # IREE places it at the index op
                error.loc = inner.loc
                raise


class IndexOp(OpDef):
    """`%i = iree_linalg_ext.index 0 : index`."""
    name = "iree_linalg_ext.index"
    parents = INDEX_PARENTS
    outside = ("'iree_linalg_ext.index' op expected parent op to be one of `iree_linalg_ext.custom_op`, "
               "`iree_linalg_ext.attention`, `iree_linalg_ext.online_attention`")

    def parse(self, p, loc, result_names):
        tok = p.parse_kind("integer", "a loop dimension")
        dim = int(tok.text)
        if dim < 0:
            raise p.error(f"'{self.name}' op attribute 'dim' failed to satisfy constraint: 64-bit signless integer "
                          "attribute whose minimum value is 0", tok)
        attrs = dict(p.parse_optional_attr_dict())
        attrs["dim"] = IntegerAttr(dim, I64)
        p.parse_punct(":")
        return Operation(self.name, [], [p.parse_type()], attrs, loc=loc)

    def verify(self, op, fail):
        if str(op.results[0].type) != "index":
            fail(f"'{self.name}' op result #0 must be index, but got '{op.results[0].type}'")


OPS = {CustomOp.name: CustomOp(), IndexOp.name: IndexOp()}
