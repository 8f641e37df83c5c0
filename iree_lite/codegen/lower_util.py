"""Lowering constants (arith.constant, util.unfoldable_constant) and the
util dialect's globals and optimization barrier."""
from ..ir.types import TensorType
from .. import isa
from .kernels import fill_kernel
from .lowering import lowers
from ..isa.module import CONST_DATA, Constant


@lowers("arith.constant", "util.unfoldable_constant")
def lower_constant(fl, op):
    attr = op.attributes["value"]
    t = op.results[0].type
    if not isinstance(t, TensorType):
        fl.values[op.results[0]] = fl.scalar_constant(attr.value, t)
        return
    reg = fl.result(op)
    if attr.splat:
        # Fill at run time rather than storing every element in the module.
        fl.emit("buffer.alloc", op.loc, dst=reg, layout=fl.mb.layout(t))
        fl.fill(fl.mb.kernel(fill_kernel(t.element)), reg, fl.scalar_constant(attr.values[0], t.element), op.loc)
    else:
        data = fl.mb.constant(Constant(CONST_DATA, isa.ELEMENT_CODES[t.element.name], t.shape, data=attr.data))
        fl.emit("buffer.const", op.loc, dst=reg, data=data)


@lowers("util.optimization_barrier", dynamic=True)
def lower_optimization_barrier(fl, op):
    for r, v in zip(op.results, op.operands):
        fl.values[r] = fl.values[v]


@lowers("util.global.load")
def lower_global_load(fl, op):
    reg = fl.result(op)
    ordinal = fl.mb.global_ordinal(op.attributes["global"].name)
    fl.emit(f"global.load.{reg.bank}", op.loc, dst=reg, **{"global": ordinal})


@lowers("util.global.store")
def lower_global_store(fl, op):
    src = fl.values[op.operands[0]]
    ordinal = fl.mb.global_ordinal(op.attributes["global"].name)
    fl.emit(f"global.store.{src.bank}", op.loc, src=src, **{"global": ordinal})
