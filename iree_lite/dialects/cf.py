"""cf: `cf.assert`, a run-time check inside a function, and the branches
that end the blocks of a function body: `cf.br`, `cf.cond_br`, `cf.switch`.

A branch's operands are its own (the condition or flag) followed by the
operands it passes to each successor in turn; `successor_sizes` counts the
latter, one entry per successor (op.successors)."""
from ..ir.attributes import StringAttr
from ..ir.core import Operation
from ..ir.ops import OpDef
from ..ir.types import ScalarType

I1 = ScalarType("i1")


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
        return Operation(self.name, [p.resolve(operand, I1)], [], {"msg": message}, loc=loc)

    def verify(self, op, fail):   # the generic form gives the operand's type
        if op.operands[0].type != I1:
            fail(f"'cf.assert' takes an i1 condition, got '{op.operands[0].type}'")


def branch(name, own, edges, loc, attributes=None):
    """The branch op `name` with operands `own` continuing at `edges`, [(Block, [Value])]."""
    attrs = dict(attributes or {})
    attrs["successor_sizes"] = tuple(len(values) for _, values in edges)
    op = Operation(name, own + [v for _, values in edges for v in values], [], attrs, loc=loc)
    op.successors = [block for block, _ in edges]
    return op


def edges(op):
    """[(Block, [Value])]: where a branch may continue, with the values it
    passes to that block's arguments."""
    sizes = op.attributes["successor_sizes"]
    at = len(op.operands) - sum(sizes)
    out = []
    for block, n in zip(op.successors, sizes):
        out.append((block, op.operands[at:at + n]))
        at += n
    return out


class BranchOp(OpDef):
    """Checks shared by the branches: each successor gets as many values as
    it has arguments, of their types."""

    def parse_edge(self, p):
        block = p.parse_successor()
        return block, p.parse_successor_operands()

    def verify(self, op, fail):
        for i, (block, values) in enumerate(edges(op)):
            if len(values) != len(block.arguments):
                fail(f"branch has {len(values)} operands for successor #{i}, but target block has "
                     f"{len(block.arguments)}")
            for j, (v, arg) in enumerate(zip(values, block.arguments)):
                if v.type != arg.type:
                    fail(f"type mismatch for bb argument #{j} of successor #{i}")


class BrOp(BranchOp):
    """`cf.br ^bb1(%a, %b : i32, f32)`."""
    name = "cf.br"

    def parse(self, p, loc, result_names):
        edge = self.parse_edge(p)
        return branch(self.name, [], [edge], loc, p.parse_optional_attr_dict())


class CondBrOp(BranchOp):
    """`cf.cond_br %c [weights([90, 10])], ^bb1(%a : i32), ^bb2`."""
    name = "cf.cond_br"

    def parse(self, p, loc, result_names):
        cond = p.resolve(p.parse_operand(), I1)
        if p.parse_optional_keyword("weights"):   # a hint for code layout only
            p.parse_punct("(")
            p.parse_attribute()
            p.parse_punct(")")
        p.parse_punct(",")
        true_edge = self.parse_edge(p)
        p.parse_punct(",")
        false_edge = self.parse_edge(p)
        return branch(self.name, [cond], [true_edge, false_edge], loc, p.parse_optional_attr_dict())


class SwitchOp(BranchOp):
    """`cf.switch %flag : i32, [default: ^bb1(%a : i32), 42: ^bb2, ...]`:
    continues at the first case equal to %flag, else at the default."""
    name = "cf.switch"

    def parse(self, p, loc, result_names):
        flag_tok = p.parse_operand()
        p.parse_punct(":")
        type_tok = p.tok
        t = p.parse_type()
        if not isinstance(t, ScalarType) or t.is_float:
            raise p.error(f"'cf.switch' takes an integer flag, got '{t}'", type_tok)
        flag = p.resolve(flag_tok, t)
        p.parse_punct(",")
        p.parse_punct("[")
        p.parse_keyword("default")
        p.parse_punct(":")
        all_edges, cases = [self.parse_edge(p)], []
        while p.parse_optional_punct(","):
            negative = p.parse_optional_punct("-") is not None
            value = int(p.parse_kind("integer", "case value").text)
            cases.append(-value if negative else value)
            p.parse_punct(":")
            all_edges.append(self.parse_edge(p))
        p.parse_punct("]")
        attrs = p.parse_optional_attr_dict()
        attrs["case_values"] = tuple(cases)
        return branch(self.name, [flag], all_edges, loc, attrs)


OPS = {"cf.assert": AssertOp(), "cf.br": BrOp(), "cf.cond_br": CondBrOp(), "cf.switch": SwitchOp()}
