"""Lowering the compiler's internal iree_lite ops (the linalg rewrite's
output) to buffer instructions."""
from .. import isa
from ..dialects.iree_lite import folds_init
from .lower_group import conv2d_operands, fresh_matmul, written_whole
from .lowering import lowers
from ..isa.module import CONST_INT, Constant


@lowers("iree_lite.view", dynamic=True)
def lower_view(fl, op):
    reg = fl.result(op)
    fl.emit("buffer.view", op.loc, dst=reg, src=fl.values[op.operands[0]],
            layout=fl.mb.layout(op.results[0].type), dims_i=[fl.values[v] for v in op.operands[1:]])


def combiner(fl, op):
    """The int constant naming op's combiner (isa.REDUCE_COMBINERS)."""
    return fl.mb.constant(Constant(CONST_INT, value=isa.REDUCE_COMBINERS.index(op.attributes["combiner"])))


@lowers("iree_lite.reduce", dynamic=True)
def lower_reduce(fl, op):
    acc = fl.accumulator(op)
    fl.emit("buffer.reduce", op.loc, acc=acc, src=fl.values[op.operands[1]], combiner=combiner(fl, op))


@lowers("iree_lite.matmul", dynamic=True)
def lower_matmul(fl, op):
    if not folds_init(op):
        name, operands = fresh_matmul(fl, op)
        fl.emit(name, op.loc, **operands)
    else:
        lhs, rhs = (fl.values[v] for v in op.operands[1:])
        fl.emit("buffer.matmul", op.loc, acc=fl.accumulator(op), lhs=lhs, rhs=rhs)


@lowers("iree_lite.softmax", dynamic=True)
def lower_softmax(fl, op):
    fl.timeline.settle(op.loc)   # reads contents now
    fl.emit("buffer.softmax", op.loc, dst=fl.result(op), src=fl.values[op.operands[0]])


@lowers("iree_lite.layernorm", dynamic=True)
def lower_layernorm(fl, op):
    fl.timeline.settle(op.loc)   # reads contents now
    src, eps = (fl.values[v] for v in op.operands)
    fl.emit("buffer.layernorm", op.loc, dst=fl.result(op), src=src, eps=eps)


@lowers("iree_lite.conv2d")
def lower_conv2d(fl, op):
    fl.emit("buffer.conv2d", op.loc, **conv2d_operands(fl, op))


@lowers("iree_lite.pool2d")
def lower_pool2d(fl, op):
    acc = fl.accumulator(op) if folds_init(op) else written_whole(fl, op)   # from its padding: a new buffer
    fl.emit("buffer.pool2d", op.loc, acc=acc, input=fl.values[op.operands[-1]],
            window=fl.mb.i64_data(list(op.attributes["window"])), combiner=combiner(fl, op))


@lowers("iree_lite.expand", dynamic=True)
def lower_expand(fl, op):
    fl.timeline.settle(op.loc)   # copies contents now
    src, amap = op.operands[0], op.attributes["map"]
    forms = amap.linear()
    if forms is None:
        raise fl.error("iree-lite copies only linear indexing maps outside a fused dispatch", op.loc)
    # Rows per source dimension: a coefficient per result dimension, then the constant.
    entries = [x for coeffs, const in forms for x in (*coeffs, const)]
    reg = fl.result(op)
    fl.emit("buffer.expand", op.loc, dst=reg, src=fl.values[src], layout=fl.mb.layout(op.results[0].type),
            map=fl.mb.i64_data(entries), dims_i=[fl.values[v] for v in op.operands[1:]])
