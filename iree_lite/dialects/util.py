"""util: values the compiler must treat as opaque."""
from ..ir.core import Operation
from ..ir.ops import OpDef
from .arith import ConstantOp


class OptimizationBarrierOp(OpDef):
    """`util.optimization_barrier %a : T`: %a, unchanged (iree-lite does no
    constant folding across it, nor anywhere else yet)."""
    name = "util.optimization_barrier"

    def parse(self, p, loc, result_names):
        operands = p.parse_operand_list()
        p.parse_punct(":")
        types = p.parse_type_list()
        return Operation(self.name, p.resolve_all(operands, types), types, loc=loc)


class UnfoldableConstantOp(ConstantOp):
    """`util.unfoldable_constant dense<...> : T`: a constant never folded."""
    name = "util.unfoldable_constant"

    def parse(self, p, loc, result_names):
        op = super().parse(p, loc, result_names)
        op.name = self.name
        return op


OPS = {op.name: op for op in (OptimizationBarrierOp(), UnfoldableConstantOp())}
