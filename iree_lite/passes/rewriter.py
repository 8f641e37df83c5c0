"""The one way the LowerLinalg pass replaces an op: a rewrite.

A rewrite is `rewrite(op, rw)`: it builds the op's replacement through the
Rewriter `rw` (its insertion point: new ops go to the end of `rw.ops`, at
`rw.loc` unless given) and returns the values that replace op's results, or
None to keep op as it is. Rewrites come from one table (passes/linalg.py's
REWRITES, by op name) or, for an op whose dialect knows its own
decomposition, from its OpDef's `decompose(op, rw.new)`.
"""
from ..ir.core import Diagnostic, Operation


class Rewriter:
    def __init__(self, source, remap):
        self.source = source   # the program text, for located errors
        self.remap = remap     # Value -> the Value replacing it, shared by the function's blocks
        self.ops = []          # the ops of the block being rewritten, so far
        self.loc = None        # the location of the op being rewritten

    def new(self, name, operands, result_types, attributes=None, loc=None):
        """A new op at the insertion point: its results."""
        op = Operation(name, operands, result_types, attributes, loc=self.loc if loc is None else loc)
        self.ops.append(op)
        return op.results

    def error(self, message, loc=None):
        return Diagnostic(message, self.loc if loc is None else loc, self.source)
