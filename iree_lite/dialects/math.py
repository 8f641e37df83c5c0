"""math: element-wise float functions."""
from ..ir.core import Operation
from ..ir.ops import OpDef
from ..ir.types import element_type_of
from .arith import ElementwiseOp, shape_of, with_element

_UNARY = ("absf", "sqrt", "rsqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
          "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
          "erf", "erfc", "floor", "ceil", "round", "roundeven", "trunc")


class FPowIOp(OpDef):
    """`math.fpowi %x, %n : f32, i32`: a float to an integer power. It
    decomposes into sitofp and powf: pow with an integral exponent, which
    libm computes correctly rounded (exactly, where the result is exact)."""
    name = "math.fpowi"

    def parse(self, p, loc, result_names):
        toks = p.parse_operand_list()
        p.parse_punct(":")
        types = p.parse_type_list()
        return Operation(self.name, p.resolve_all(toks, types), types[:1], loc=loc)

    def verify(self, op, fail):
        x, n = (v.type for v in op.operands)
        if not element_type_of(x).is_float or not element_type_of(n).is_int or shape_of(x) != shape_of(n) \
                or element_type_of(n).name == "index":
            fail(f"'math.fpowi' takes a float and an integer of the same shape, got '{x}' and '{n}'")

    def decompose(self, op, new):
        x, n = op.operands
        exponent = new("arith.sitofp", [n], [with_element(n.type, element_type_of(x.type))])[0]
        return new("math.powf", [x, exponent], [x.type])


OPS = {op.name: op for op in (
    *(ElementwiseOp(f"math.{name}") for name in (*_UNARY, "powf", "atan2", "copysign", "fma", "absi", "ipowi",
                                                 "ctlz", "cttz", "ctpop", "isnan", "isinf", "isfinite")),
    FPowIOp(),
)}
