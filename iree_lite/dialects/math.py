"""math: element-wise float functions."""
from .arith import ElementwiseOp

OPS = {op.name: op for op in (
    ElementwiseOp("math.absf", 1, "absf", "float"),
)}
