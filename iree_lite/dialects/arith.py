"""arith: element-wise float arithmetic and constants."""
from ..ir.attributes import BoolAttr, DenseElementsAttr, FloatAttr, IntegerAttr
from ..ir.core import Operation
from ..ir.ops import OpDef
from ..ir.types import ScalarType, element_type_of


class ElementwiseOp(OpDef):
    """`%r = dialect.op %a[, %b] [fastmath<...>] : T`, all operands of type T."""

    def __init__(self, name, arity, elementwise, element_kind):
        self.name = name
        self.arity = arity
        self.elementwise = elementwise
        self.element_kind = element_kind   # 'float' or 'int'

    def parse(self, p, loc, result_names):
        operands = p.parse_operand_list()
        if p.parse_optional_keyword("fastmath"):
            p.skip_angle_body()
        p.parse_punct(":")
        t = p.parse_type()
        return Operation(self.name, p.resolve_all(operands, [t] * self.arity), [t], loc=loc)

    def verify(self, op, fail):
        if len(op.operands) != self.arity:
            fail(f"expected {self.arity} operands")
        t = op.results[0].type
        if any(v.type != t for v in op.operands):
            fail(f"operand types {', '.join(str(v.type) for v in op.operands)} do not match result type {t}")
        if getattr(element_type_of(t), "is_" + self.element_kind) is not True:
            fail(f"operand #0 must be {self.element_kind}-like, but got '{t}'")


class ConstantOp(OpDef):
    name = "arith.constant"

    def parse(self, p, loc, result_names):
        tok = p.tok
        attr = p.parse_attribute()
        if isinstance(attr, BoolAttr):
            attr = IntegerAttr(int(attr.value), ScalarType("i1"))
        if not isinstance(attr, (IntegerAttr, FloatAttr, DenseElementsAttr)):
            raise p.error("expected a number or dense elements for 'arith.constant'", tok)
        return Operation(self.name, [], [attr.type], {"value": attr}, loc=loc)

    def verify(self, op, fail):
        attr = op.attributes.get("value")
        if attr is None or attr.type != op.results[0].type:
            fail("'value' attribute type does not match the result type")


def _binary_float(name):
    return ElementwiseOp(f"arith.{name}", 2, name, "float")


OPS = {op.name: op for op in (
    *(_binary_float(n) for n in ("addf", "subf", "mulf", "divf", "remf", "maximumf", "minimumf",
                                 "maxnumf", "minnumf")),
    ElementwiseOp("arith.negf", 1, "negf", "float"),
    ConstantOp(),
)}
