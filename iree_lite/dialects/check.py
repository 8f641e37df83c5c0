"""check: test assertions (`iree-lite check-module` runs functions using them)."""
from ..ir.attributes import DenseElementsAttr, FloatAttr
from ..ir.core import Operation
from ..ir.ops import OpDef
from ..ir.types import ScalarType, TensorType

F32 = ScalarType("f32")


class ExpectOp(OpDef):
    """`check.expect_true(%x) : i32`, `check.expect_eq(%a, %b) : T`,
    `check.expect_eq_const(%a, dense<...> : T) : T`, each with an optional
    attribute dict; the almost forms take tolerances as IREE prints them,
    `check.expect_almost_eq(%a, %b, atol 1.0e-3, rtol 1.0e-5) : T`, or in
    the dict (`{atol = 1e-3 : f32, rtol = ...}`)."""

    def __init__(self, name, arity, const):
        self.name = name
        self.arity = arity
        self.const = const   # the last operand is a dense literal

    def parse(self, p, loc, result_names):
        p.parse_punct("(")
        operands = [p.parse_operand()]
        attrs = {}
        if self.arity == 2:
            p.parse_punct(",")
            if self.const:
                tok = p.tok
                attrs["expected"] = p.parse_attribute()
                if not isinstance(attrs["expected"], DenseElementsAttr):
                    raise p.error("expected a dense elements literal", tok)
            else:
                operands.append(p.parse_operand())
        while "almost" in self.name and p.parse_optional_punct(","):
            key = p.tok
            if not (p.parse_optional_keyword("atol") or p.parse_optional_keyword("rtol")) or key.text in attrs:
                raise p.error("expected 'atol' or 'rtol' (each at most once)", key)
            number = p.parse_optional_number()
            if number is None:
                raise p.error(f"expected a number for '{key.text}'")
            attrs[key.text] = FloatAttr(float(number[0]), F32)
        p.parse_punct(")")
        attrs.update(p.parse_optional_attr_dict())
        p.parse_punct(":")
        t = p.parse_type()
        return Operation(self.name, p.resolve_all(operands, [t] * len(operands)), [], attrs, loc=loc)

    def verify(self, op, fail):
        t = op.operands[0].type
        if self.arity == 1:
            if isinstance(t, TensorType) or not t.is_int:
                fail(f"'{self.name}' takes an integer scalar, got '{t}'")
            return
        if not isinstance(t, TensorType):
            fail(f"'{self.name}' takes tensors, got '{t}'")
        if self.const and op.attributes["expected"].type != t:
            fail(f"expected value is '{op.attributes['expected'].type}', the checked value '{t}'")
        if "almost" in self.name and not t.element.is_float:
            fail(f"'{self.name}' takes float tensors, got '{t}'")
        for key in ("atol", "rtol"):
            if key in op.attributes and not isinstance(op.attributes[key], FloatAttr):
                fail(f"'{key}' must be a float attribute")


OPS = {op.name: op for op in (
    ExpectOp("check.expect_true", 1, False),
    ExpectOp("check.expect_false", 1, False),
    ExpectOp("check.expect_eq", 2, False),
    ExpectOp("check.expect_eq_const", 2, True),
    ExpectOp("check.expect_almost_eq", 2, False),
    ExpectOp("check.expect_almost_eq_const", 2, True),
)}
DEFAULT_TOLERANCE = {"atol": FloatAttr(1e-4, F32), "rtol": FloatAttr(0.0, F32)}
