"""Lowering func.call and func.return: calls within the module or to
imports, and the copies of returned values into output arguments."""
from ..passes.abi import COARSE_FENCES
from .kernels import copy_kernel
from .lowering import lowers
from ..isa import register_bank
from .regalloc import by_bank


@lowers("func.call", dynamic=True)
def lower_call(fl, op):
    name = op.attributes["callee"].name
    callee = fl.mb.ir.lookup(name)
    args = [fl.values[v] for v in op.operands]
    fences = fl.timeline.call_fences(fl.mb.abi(callee) == COARSE_FENCES, op.loc)
    if fences is not None:
        args += fences
    results = []
    for r in op.results:
        fl.values[r] = fl.new(register_bank(r.type))
        results.append(fl.values[r])
    lists = by_bank(args, "args") | by_bank(results, "dst")
    if callee.is_declaration:
        fl.emit("call.import", op.loc, callee=fl.mb.import_ordinal(callee), **lists)
    else:
        fl.emit("call", op.loc, callee=fl.mb.function_ordinal(name), **lists)
    if fences is not None:
        fl.timeline.called(fences[1], op.loc)


@lowers("func.return", dynamic=True)
def lower_return(fl, op):
    returned = [fl.values[v] for v in op.operands]
    for n, _, storage in fl.plan.copies:
        value = op.operands[n]
        if value is storage:
            continue
        dst = fl.values[storage]
        fl.dispatch(fl.mb.kernel(copy_kernel(value.type.element)), [fl.values[value], dst], [], [], op.loc)
        returned[n] = dst
    fl.timeline.forward(op.loc)
    fl.emit("ret", op.loc, **by_bank(returned, "args"))
