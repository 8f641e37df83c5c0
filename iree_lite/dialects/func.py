"""func: calls and returns (func.func itself is parsed by the parser)."""
from ..ir.attributes import SymbolRefAttr
from ..ir.core import Operation
from ..ir.ops import OpDef, TerminatorOp
from ..ir.types import FunctionType


class CallOp(OpDef):
    """`call @f(%a, %b) : (T, T) -> R`."""
    name = "func.call"

    def parse(self, p, loc, result_names):
        callee = p.parse_symbol_name("callee symbol")
        p.parse_punct("(")
        operands = p.parse_operand_list()
        p.parse_punct(")")
        attrs = p.parse_optional_attr_dict()
        p.parse_punct(":")
        tok = p.tok
        ft = p.parse_type()
        if not isinstance(ft, FunctionType):
            raise p.error("expected function type", tok)
        attrs["callee"] = SymbolRefAttr(callee)
        return Operation(self.name, p.resolve_all(operands, list(ft.inputs)), ft.results, attrs, loc=loc)


OPS = {"func.call": CallOp(), "func.return": TerminatorOp("func.return")}
