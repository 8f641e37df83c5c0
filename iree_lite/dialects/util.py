"""util: values the compiler must treat as opaque."""
from ..ir.attributes import SymbolRefAttr
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


class GlobalLoadOp(OpDef):
    """`%v = util.global.load @g : T`."""
    name = "util.global.load"

    def parse(self, p, loc, result_names):
        g = p.parse_symbol_name("global name")
        p.parse_punct(":")
        return Operation(self.name, [], [p.parse_type()], {"global": SymbolRefAttr(g)}, loc=loc)


class GlobalStoreOp(OpDef):
    """`util.global.store %v, @g : T`."""
    name = "util.global.store"

    def parse(self, p, loc, result_names):
        v = p.parse_operand()
        p.parse_punct(",")
        g = p.parse_symbol_name("global name")
        p.parse_punct(":")
        return Operation(self.name, p.resolve_all([v], [p.parse_type()]), [], {"global": SymbolRefAttr(g)}, loc=loc)


OPS = {op.name: op for op in (OptimizationBarrierOp(), UnfoldableConstantOp(), GlobalLoadOp(), GlobalStoreOp())}
