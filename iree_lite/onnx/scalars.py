"""Operands whose values are known only at run time (an axes, shape,
starts, pads, ... input fed as a graph input): their elements read as i64
scalars at function level, the arithmetic the converters do on them, and
the cf.assert checks that they agree with the static shapes the model
declares (a disagreement fails the call with a message naming the node)."""
import itertools

from .emitter import NodeError, element_type, fmt_shape, scalar_constant

# The most axis sets a runtime `axes` operand is matched against.
MAX_AXIS_SETS = 64


class Scalars:
    """i64 (and i1) scalar code at function level for one node."""

    def __init__(self, node):
        self.node, self.e = node, node.e

    def const(self, n, t="i64"):
        if t == "i1":
            return self.e.emit(f"arith.constant {'true' if n else 'false'}")
        return self.e.emit(f"arith.constant {int(n)} : {t}")

    def ints(self, i, what):
        """Input i's elements (a 0-D or 1-D integer tensor of static size) as
        i64 SSA names: constants where the value is known."""
        v = self.node.input(i)
        if None in v.shape or v.rank > 1:
            raise NodeError(f"input {i} ('{self.node.proto.input[i]}', {what}) of shape {fmt_shape(v.shape)}: "
                            "a 1-D operand of static size is needed")
        if self.node.known(i):
            return [self.const(int(a)) for a in self.node.const_input(i, what).reshape(-1)]
        if v.dtype.kind not in "iu":
            raise NodeError(f"input {i} ('{self.node.proto.input[i]}', {what}) must be an integer tensor")
        out = []
        for p in range(v.shape[0] if v.rank else 1):
            x = self.element(v, [p] if v.rank else [])
            if v.element != "i64":
                x = self.e.emit(f"arith.{'extui' if v.unsigned else 'extsi'} {x} : {v.element} to i64")
            out.append(x)
        return out

    def element(self, v, position):
        """v's element at `position` (ints), in v's own element type."""
        idx = ", ".join(self.e.emit(f"arith.constant {p} : index") for p in position)
        return self.e.emit(f"tensor.extract {self.e.materialize(v)}[{idx}] : {v.type}")

    def scalar(self, i, what):
        """Input i, a tensor of one element, as a scalar of its element type."""
        v = self.node.input(i)
        if None in v.shape or len(v.shape) > 1 or (v.rank and v.shape[0] != 1):
            raise NodeError(f"input {i} ('{self.node.proto.input[i]}', {what}) of shape {fmt_shape(v.shape)}: "
                            "one element is needed")
        return self.element(v, [0] * v.rank)

    def value(self, i, what):
        """Input i, one element, as a scalar of its element type: a literal
        where known."""
        if self.node.known(i):
            array = self.node.const_input(i, what)
            return self.e.emit(scalar_constant(array.reshape(-1)[0], array.dtype))
        return self.scalar(i, what)

    def op(self, name, a, b, t="i64"):
        return self.e.emit(f"arith.{name} {a}, {b} : {t}")

    def cmp(self, pred, a, b):
        return self.e.emit(f"arith.cmpi {pred}, {a}, {b} : i64")

    def select(self, cond, a, b, t="i64"):
        return self.e.emit(f"arith.select {cond}, {a}, {b} : {t}")

    def all(self, conds):
        conds = list(conds)
        if not conds:
            return self.const(True, "i1")
        out = conds[0]
        for c in conds[1:]:
            out = self.op("andi", out, c, "i1")
        return out

    def any(self, conds):
        conds = list(conds)
        if not conds:
            return self.const(False, "i1")
        out = conds[0]
        for c in conds[1:]:
            out = self.op("ori", out, c, "i1")
        return out

    def equals(self, a, n):
        return self.cmp("eq", a, self.const(n))

    def clamp(self, a, lo, hi):
        return self.op("minsi", self.op("maxsi", a, self.const(lo)), self.const(hi))

    def wrap_negative(self, a, n):
        """a, or a + n where a is negative (an axis or index from the end)."""
        return self.select(self.cmp("slt", a, self.const(0)), self.op("addi", a, self.const(n)), a)

    def check(self, cond, what):
        """Fail the call with `node: what` where cond is false at run time."""
        text = f"{self.node.label}: {what}".replace("\\", "\\\\").replace('"', '\\"')
        self.e.lines.append(f'  cf.assert {cond}, "{text}"')

    def is_axis_set(self, axes, axis_set):
        """i1: the runtime axes (wrapped into [0, rank) already) are exactly
        axis_set, with len(axes) == len(axis_set) so none repeats."""
        return self.all(self.any(self.equals(a, c) for a in axes) for c in axis_set)


def axis_sets(rank, count, fits, what):
    """The sets of `count` distinct axes below `rank` for which fits(set)."""
    sets = [s for s in itertools.combinations(range(rank), count) if fits(set(s))]
    if not sets:
        raise NodeError(f"no {count} axes of {what} give the declared output shape")
    if len(sets) > MAX_AXIS_SETS:
        raise NodeError(f"{len(sets)} sets of axes of {what} give the declared output shape; "
                        f"at most {MAX_AXIS_SETS} are tried at run time")
    return sets


def select_tensor(e, cond, a, b):
    """a where the i1 scalar cond holds, else b (same shapes)."""
    full = [f"d{i}" for i in range(a.rank)]
    t = element_type(a.dtype)
    return e.generic([(a, full), (b, full)], a.shape, a.dtype,
                     lambda bb, args, acc: bb.emit(f"arith.select {cond}, {args[0]}, {args[1]} : {t}"))
