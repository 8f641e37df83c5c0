"""Op definitions: how a dialect op is parsed, verified and classified."""
from .types import element_type_of


class OpDef:
    """Each op defines `parse(parser, loc, result_names) -> Operation` for
    the custom syntax after its name; the rest has defaults. An op that
    decomposes into other ops may define `decompose(op, new)`: it builds
    the replacement by `new(name, operands, result_types, attributes=None)`
    (the new op's results) and returns the values replacing op's results;
    the LowerLinalg pass finds it by the same lookup as every other rewrite
    (passes/linalg.py: `rewrite_for`)."""
    name = ""
    # The ISA tile op family (`t.<elementwise>`) an element-wise op lowers to.
    elementwise = None
    # The ops whose regions may hold this one directly (None: any, or none),
    # and the error when another does.
    parents = outside = None

    def verify(self, op, fail):
        """Check op; `fail(message)` raises a Diagnostic at the op."""

    def fusible(self, op):
        """Whether this element-wise op may join a dispatch (some only can
        for static shapes)."""
        return True

    def tile(self, op):
        """(tile op name, element type name, extra fields) for an element-wise
        op: by default the tile op computes in its first operand's type."""
        return self.elementwise, element_type_of(op.operands[0].type).name, {}


def ends_in(terminator, what):
    """A region check for Parser.parse_region: the block's last op is
    `terminator` (`what` names the region in the error)."""
    def check(block, parser):
        if not block.operations or block.operations[-1].name != terminator:
            raise parser.error(f"{what} must end in '{terminator}'")
    return check


class TerminatorOp(OpDef):
    """`name [%a, %b : T, U]`: func.return, scf.yield, linalg.yield."""

    def __init__(self, name):
        self.name = name

    def parse(self, p, loc, result_names):
        from .core import Operation
        p.parse_optional_attr_dict()   # first in func.return's and scf.yield's forms; discardable (Parser.parse_punct)
        operands = p.parse_operand_list()
        types = []
        if operands:
            p.parse_punct(":")
            types = p.parse_type_list()
        return Operation(self.name, p.resolve_all(operands, types), [], loc=loc)
