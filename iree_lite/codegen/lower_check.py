"""Lowering the check dialect (IREE's check module) to check instructions."""
from ..dialects.check import DEFAULT_TOLERANCE
from .. import isa
from .lowering import lowers
from ..isa.module import CONST_DATA, CONST_FLOAT, Constant


@lowers("check.expect_true")
def lower_expect_true(fl, op, name="check.true"):
    fl.emit(name, op.loc, cond=fl.values[op.operands[0]], where=fl.where(op))


@lowers("check.expect_false")
def lower_expect_false(fl, op):
    lower_expect_true(fl, op, "check.false")


def expected_buffer(fl, op):
    """The expected operand, or the `expected` attribute as a constant buffer."""
    if "expected" not in op.attributes:
        return fl.values[op.operands[1]]
    attr = op.attributes["expected"]
    t = attr.type
    reg = fl.new("r")
    data = fl.mb.constant(Constant(CONST_DATA, isa.ELEMENT_CODES[t.element.name], t.shape, data=attr.flat_data()))
    fl.emit("buffer.const", op.loc, dst=reg, data=data)
    return reg


@lowers("check.expect_eq", "check.expect_almost_eq", dynamic=True)
@lowers("check.expect_eq_const", "check.expect_almost_eq_const")
def lower_expect_eq(fl, op):
    fl.timeline.settle(op.loc)   # checks read tensor contents
    expected = expected_buffer(fl, op)
    if "almost" not in op.name:
        fl.emit("check.eq", op.loc, actual=fl.values[op.operands[0]], expected=expected, where=fl.where(op))
        return
    tol = {k: fl.mb.constant(Constant(CONST_FLOAT, value=float(op.attributes.get(k, d).value)))
           for k, d in DEFAULT_TOLERANCE.items()}
    fl.emit("check.almost_eq", op.loc, actual=fl.values[op.operands[0]], expected=expected, where=fl.where(op), **tol)
