"""cf: `cf.assert`, a run-time check inside a function."""
from ..ir.attributes import StringAttr
from ..ir.core import Operation
from ..ir.ops import OpDef
from ..ir.types import ScalarType


class AssertOp(OpDef):
    """`cf.assert %ok, "message"`: fails the call (FAILED_PRECONDITION),
    naming the op's location and the message, when %ok (an i1) is false."""
    name = "cf.assert"

    def parse(self, p, loc, result_names):
        operand = p.parse_operand()
        p.parse_punct(",")
        tok = p.tok
        message = p.parse_attribute()
        if not isinstance(message, StringAttr):
            raise p.error("expected the assertion's message, a string", tok)
        return Operation(self.name, [p.resolve(operand)], [], {"msg": message}, loc=loc)

    def verify(self, op, fail):
        if op.operands[0].type != ScalarType("i1"):
            fail(f"'cf.assert' takes an i1 condition, got '{op.operands[0].type}'")


OPS = {"cf.assert": AssertOp()}
