"""math: element-wise float functions."""
from .arith import ElementwiseOp

_UNARY = ("absf", "sqrt", "rsqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
          "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
          "erf", "erfc", "floor", "ceil", "round", "roundeven", "trunc")

OPS = {op.name: op for op in (
    *(ElementwiseOp(f"math.{name}", 1, name, "float") for name in _UNARY),
    *(ElementwiseOp(f"math.{name}", 2, name, "float") for name in ("powf", "atan2", "copysign")),
    ElementwiseOp("math.fma", 3, "fma", "float"),
    ElementwiseOp("math.absi", 1, "absi", "int"),
    ElementwiseOp("math.ipowi", 2, "ipowi", "int"),
    *(ElementwiseOp(f"math.{name}", 1, name, "float", result_i1=True) for name in ("isnan", "isinf", "isfinite")),
)}
