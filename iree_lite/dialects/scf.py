"""scf: structured control flow (for with iter_args, if with results, yield)."""
from ..ir.core import Diagnostic, Operation
from ..ir.ops import OpDef, TerminatorOp, ends_in
from ..ir.types import ScalarType, TensorType

INDEX = ScalarType("index")
I1 = ScalarType("i1")


def yields(result_types):
    """A region terminator check: the block ends in scf.yield, implicit when
    there are no results."""
    def check(block, p):
        if block.operations and block.operations[-1].name == "scf.yield":
            return
        if result_types:
            raise Diagnostic("region must end in 'scf.yield' of the results",
                             block.operations[-1].loc if block.operations else p.loc(), p.lexer.text)
        block.append(Operation("scf.yield", [], [], loc=p.loc()))
    return check


def parse_bindings(p):
    """`(%a = %x, %b = %y)`: the region argument names and their initial
    value operands (scf.for's iter_args, scf.while's operands)."""
    names, inits = [], []
    p.parse_punct("(")

    def item():
        names.append(p.parse_value_name())
        p.parse_punct("=")
        inits.append(p.parse_operand())
    p.parse_comma_list(item, ")")
    return names, inits


class ForOp(OpDef):
    """`scf.for %i = %lb to %ub step %s [iter_args(%a = %x) -> (T)] [: type] { ... }`."""
    name = "scf.for"

    def parse(self, p, loc, result_names):
        iv = p.parse_value_name()
        p.parse_punct("=")
        bounds = [p.parse_operand()]
        p.parse_keyword("to")
        bounds.append(p.parse_operand())
        p.parse_keyword("step")
        bounds.append(p.parse_operand())
        names, inits, types = [], [], []
        if p.parse_optional_keyword("iter_args"):
            names, inits = parse_bindings(p)
            p.parse_punct("->")
            types = p.parse_result_types()
        iv_type = p.parse_type() if p.parse_optional_punct(":") else INDEX
        operands = p.resolve_all(bounds, [iv_type] * 3) + p.resolve_all(inits, types)
        body = p.parse_region([(iv, iv_type)] + list(zip(names, types)), yields(types), "loop body")
        p.parse_optional_attr_dict()   # last in the form; discardable (Parser.parse_punct)
        return Operation(self.name, operands, types, regions=[body], loc=loc)

    def verify(self, op, fail):
        t = op.operands[0].type
        if isinstance(t, TensorType) or not t.is_int:
            fail(f"loop bounds must be index or integer scalars, got '{t}'")
        check_yield(op.regions[0], op, fail)


class IfOp(OpDef):
    """`scf.if %c [-> (T)] { ... } [else { ... }]`."""
    name = "scf.if"

    def parse(self, p, loc, result_names):
        cond = p.resolve(p.parse_operand(), I1)
        types = p.parse_result_types() if p.parse_optional_punct("->") else []
        regions = [p.parse_region([], yields(types), "then region")]
        if p.parse_optional_keyword("else"):
            regions.append(p.parse_region([], yields(types), "else region"))
        elif types:
            raise p.error("'scf.if' with results needs an else region")
        p.parse_optional_attr_dict()   # last in the form; discardable (Parser.parse_punct)
        return Operation(self.name, [cond], types, regions=regions, loc=loc)

    def verify(self, op, fail):
        for region in op.regions:
            check_yield(region, op, fail)


class WhileOp(OpDef):
    """`scf.while (%a = %init) : (T) -> U { ... scf.condition(%c) %v : U } do {
    ^bb0(%b: U): ... scf.yield %n : T }`."""
    name = "scf.while"

    def parse(self, p, loc, result_names):
        names, inits = parse_bindings(p)
        p.parse_punct(":")
        tok = p.tok
        ft = p.parse_type()
        if not hasattr(ft, "inputs") or len(ft.inputs) != len(names):
            raise p.error(f"expected a function type of {len(names)} inputs", tok)
        before = p.parse_region(list(zip(names, ft.inputs)), ends_in("scf.condition", "the 'scf.while' before region"),
                                "before region")
        p.parse_keyword("do")
        after = p.parse_region([], yields(list(ft.inputs)), "after region")
        p.parse_optional_attr_dict()   # last in the form; discardable (Parser.parse_punct)
        return Operation(self.name, p.resolve_all(inits, list(ft.inputs)), list(ft.results),
                         regions=[before, after], loc=loc)

    def verify(self, op, fail):
        cond = op.regions[0].blocks[0].operations[-1]
        if cond.operands[0].type != I1:
            fail("'scf.condition' needs an i1 condition")
        forwarded = tuple(v.type for v in cond.operands[1:])
        if forwarded != tuple(r.type for r in op.results) or \
                forwarded != tuple(a.type for a in op.regions[1].blocks[0].arguments):
            fail("'scf.condition' must forward the while's result types, which the after region takes")
        yielded = tuple(v.type for v in op.regions[1].blocks[0].operations[-1].operands)
        if yielded != tuple(v.type for v in op.operands):
            fail("the after region must yield the types of the while's operands")


class ConditionOp(OpDef):
    """`scf.condition(%c) %a, %b : T, U`."""
    name = "scf.condition"

    def parse(self, p, loc, result_names):
        p.parse_punct("(")
        cond = p.resolve(p.parse_operand(), I1)
        p.parse_punct(")")
        toks = p.parse_operand_list()
        types = []
        if toks:
            p.parse_punct(":")
            types = p.parse_type_list()
        return Operation(self.name, [cond] + p.resolve_all(toks, types), [], loc=loc)


def check_yield(region, op, fail):
    have = tuple(v.type for v in region.blocks[0].operations[-1].operands)
    want = tuple(r.type for r in op.results)
    if have != want:
        fail(f"'{op.name}' yields ({', '.join(map(str, have))}) but its results are "
             f"({', '.join(map(str, want))})")


OPS = {op.name: op for op in (ForOp(), IfOp(), WhileOp(), ConditionOp(), TerminatorOp("scf.yield"))}
