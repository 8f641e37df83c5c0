"""flow: the two ops of IREE's flow dialect that its input-level tests use.

`flow.tensor.dynamic_constant dense<...> : tensor<3xf32> -> tensor<?xf32>`
is a constant whose shape the compiler may not assume (a tensor.cast of
the constant), and `flow.tensor.tie_shape %t : tensor<?xf32>{%n}` states
the dynamic sizes of %t (iree-lite reads sizes from the tensor itself, so
it is %t)."""
from ..ir.attributes import DenseElementsAttr
from ..ir.core import Operation
from ..ir.ops import OpDef
from ..ir.types import ScalarType, TensorType

INDEX = ScalarType("index")


class DynamicConstantOp(OpDef):
    name = "flow.tensor.dynamic_constant"

    def parse(self, p, loc, result_names):
        tok = p.tok
        value = p.parse_attribute()
        if not isinstance(value, DenseElementsAttr):
            raise p.error("expected dense elements", tok)
        p.parse_punct("->")
        return Operation(self.name, [], [p.parse_type()], {"value": value}, loc=loc)

    def verify(self, op, fail):
        value, t = op.attributes.get("value"), op.results[0].type
        if not isinstance(value, DenseElementsAttr) or not isinstance(t, TensorType) or \
                value.type.element != t.element or value.type.rank != t.rank or \
                any(n is not None and n != m for n, m in zip(t.shape, value.type.shape)):
            fail(f"'{self.name}' value must be dense elements of a shape that '{t}' allows")

    def decompose(self, op, new):
        value = op.attributes["value"]
        constant = new("arith.constant", [], [value.type], {"value": value})[0]
        return new("tensor.cast", [constant], [op.results[0].type])


class TieShapeOp(OpDef):
    """`flow.tensor.tie_shape %t : tensor<?x4xf32>{%n}`."""
    name = "flow.tensor.tie_shape"

    def parse(self, p, loc, result_names):
        tensor = p.parse_operand()
        p.parse_punct(":")
        t = p.parse_type()
        sizes = []
        if p.parse_optional_punct("{"):
            sizes = p.parse_operand_list()
            p.parse_punct("}")
        return Operation(self.name, [p.resolve(tensor, t)] + p.resolve_all(sizes, [INDEX] * len(sizes)), [t],
                         loc=loc)

    def verify(self, op, fail):
        t = op.operands[0].type
        if not isinstance(t, TensorType) or op.results[0].type != t:
            fail(f"'{self.name}' takes a tensor and gives the same type, got '{t}'")
        if len(op.operands) - 1 != t.shape.count(None) or any(v.type != INDEX for v in op.operands[1:]):
            fail(f"'{self.name}' needs one index size per dynamic dimension of '{t}'")

    def decompose(self, op, new):
        return [op.operands[0]]


OPS = {op.name: op for op in (DynamicConstantOp(), TieShapeOp())}
