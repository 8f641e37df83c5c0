"""The one way the LowerLinalg pass replaces an op: a rewrite, building
through a Rewriter.

A rewrite is `rewrite(op, rw)`: it builds the op's replacement through the
Rewriter `rw` and returns the values that replace op's results, or None to
keep op as it is. `rewrite_for(name)` finds an op's rewrite: REWRITES (by
op name, passes/linalg.py) or else the op's own decomposition (its OpDef's
`decompose(op, new)`, for ops whose dialect knows it: affine maps, fpowi,
flow's reshapes).

The Rewriter is the builder every helper takes (passes/build.py,
passes/body.py, and the rewrites' own): it holds the insertion point (new
ops go to the end of `rw.ops`), the location they take (`rw.loc`, the op
being rewritten, or another for a while by `with rw.at(loc)`), the value
map (`rw.remap`: a replaced value -> its replacement) and the program text
for located errors (`rw.source`).
"""
from contextlib import contextmanager

from ..ir.core import Block, Diagnostic, Operation, Region


class Rewriter:
    def __init__(self, source, remap):
        self.source = source   # the program text, for located errors
        self.remap = remap     # Value -> the Value replacing it, shared by the function's blocks
        self.ops = []          # the ops of the block being rewritten, so far: the insertion point
        self.loc = None        # the location of the op being rewritten

    def new(self, name, operands, result_types, attributes=None, regions=()):
        """A new op at the insertion point: its results."""
        op = Operation(name, operands, result_types, attributes, regions=regions, loc=self.loc)
        self.ops.append(op)
        return op.results

    def error(self, message, loc=None):
        return Diagnostic(message, self.loc if loc is None else loc, self.source)

    @contextmanager
    def at(self, loc):
        """New ops take `loc` inside the with-block."""
        outer, self.loc = self.loc, loc
        try:
            yield
        finally:
            self.loc = outer

    def region(self, build, arguments):
        """A one-block region of block arguments of types `arguments`:
        `build(*block arguments)` builds its ops (the insertion point moved
        into the block) and returns what the block yields."""
        block = Block()
        values = [block.add_argument(t) for t in arguments]
        outer, self.ops = self.ops, []
        try:
            self.new("scf.yield", build(*values), [])
            for inner in self.ops:
                block.append(inner)
        finally:
            self.ops = outer
        return Region([block])
