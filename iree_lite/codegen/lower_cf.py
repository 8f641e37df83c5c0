"""Lowering cf branches between a function's blocks, and cf.assert.
Branches settle the timeline before they leave a block."""
from ..dialects.cf import edges
from .. import isa
from .kernels import scalar_kernel
from .lowering import lowers
from .regalloc import Label

CMPI_EQ = [name for name, _ in isa.CMPI_PREDICATES].index("eq")


def jump(fl, block, values, loc):
    """Pass `values` to block's arguments and continue at it."""
    fl.parallel_copy([fl.values[v] for v in block.arguments], [fl.values[v] for v in values], loc)
    fl.emit("br", loc, target=fl.block_labels[id(block)])


def branch_if(fl, cond, block, values, loc):
    """Continue at `block` with `values` if register `cond` is nonzero;
    returns the (label, block, values) of an edge still to lower, when
    values must be passed on the way."""
    if not values:
        fl.emit("br.if", loc, cond=cond, target=fl.block_labels[id(block)])
        return None
    at = Label()
    fl.emit("br.if", loc, cond=cond, target=at)
    return at, block, values


def lower_edges(fl, pending, loc):
    for at, block, values in filter(None, pending):
        fl.asm.place(at)
        jump(fl, block, values, loc)


@lowers("cf.br", dynamic=True)
def lower_br(fl, op):
    fl.timeline.settle(op.loc)
    jump(fl, *edges(op)[0], op.loc)


@lowers("cf.cond_br", dynamic=True)
def lower_cond_br(fl, op):
    fl.timeline.settle(op.loc)
    taken, otherwise = edges(op)
    pending = branch_if(fl, fl.values[op.operands[0]], *taken, op.loc)
    jump(fl, *otherwise, op.loc)
    lower_edges(fl, [pending], op.loc)


@lowers("cf.switch", dynamic=True)
def lower_switch(fl, op):
    fl.timeline.settle(op.loc)
    flag = op.operands[0]
    default, *cases = edges(op)
    kernel = fl.mb.kernel(scalar_kernel("cmpi", flag.type.name, "i1", pred=CMPI_EQ))
    pending = []
    for value, (block, values) in zip(op.attributes["case_values"], cases):
        equal = fl.new("i")
        fl.emit("eval", op.loc, kernel=kernel, push_f=[],
                push_i=[fl.values[flag], fl.scalar_constant(value, flag.type)], dst_f=[], dst_i=[equal])
        pending.append(branch_if(fl, equal, block, values, op.loc))
    jump(fl, *default, op.loc)
    lower_edges(fl, pending, op.loc)


@lowers("cf.assert")
def lower_assert(fl, op):
    message = fl.mb.text(op.attributes["msg"].value.encode())
    fl.emit("cf.assert", op.loc, cond=fl.values[op.operands[0]], where=fl.where(op), message=message)
