"""Lowering scf.for, scf.while and scf.if to branches. Their regions run
their work to completion: the timeline is settled before each."""
from .. import isa
from .kernels import scalar_kernel
from .lowering import lowers
from .regalloc import Label

CMPI_SGE = [name for name, _ in isa.CMPI_PREDICATES].index("sge")


@lowers("scf.for", dynamic=True)
def lower_for(fl, op):
    fl.timeline.settle(op.loc)
    lb, ub, step = (fl.values[v] for v in op.operands[:3])
    element = op.operands[0].type.name
    carried = [fl.new(isa.register_bank(r.type)) for r in op.results]
    iv = fl.new("i")
    fl.copy(iv, lb, op.loc)
    for reg, v in zip(carried, op.operands[3:]):
        fl.copy(reg, fl.values[v], op.loc)
    head, done = fl.asm.label(), Label()
    finished = fl.new("i")
    fl.emit("eval", op.loc, kernel=fl.mb.kernel(scalar_kernel("cmpi", element, "i1", pred=CMPI_SGE)),
            push_f=[], push_i=[iv, ub], dst_f=[], dst_i=[finished])
    fl.emit("br.if", op.loc, cond=finished, target=done)
    yielded = fl.lower_region(op.regions[0], [iv] + carried)
    fl.parallel_copy(carried, yielded, op.loc)
    fl.emit("eval", op.loc, kernel=fl.mb.kernel(scalar_kernel("addi", element, element)),
            push_f=[], push_i=[iv, step], dst_f=[], dst_i=[iv])
    fl.emit("br", op.loc, target=head)
    fl.asm.place(done)
    fl.values.update(zip(op.results, carried))


@lowers("scf.while", dynamic=True)
def lower_while(fl, op):
    fl.timeline.settle(op.loc)
    carried = [fl.new(isa.register_bank(v.type)) for v in op.operands]
    for reg, v in zip(carried, op.operands):
        fl.copy(reg, fl.values[v], op.loc)
    results = [fl.new(isa.register_bank(r.type)) for r in op.results]
    head, body, end = fl.asm.label(), Label(), Label()
    cond, *forwarded = fl.lower_region(op.regions[0], carried)
    # Forwarded values go through `results`: they are both the loop's
    # results and the after region's arguments.
    for reg, value in zip(results, forwarded):
        fl.copy(reg, value, op.loc)
    fl.emit("br.if", op.loc, cond=cond, target=body)
    fl.emit("br", op.loc, target=end)
    fl.asm.place(body)
    fl.parallel_copy(carried, fl.lower_region(op.regions[1], results), op.loc)
    fl.emit("br", op.loc, target=head)
    fl.asm.place(end)
    fl.values.update(zip(op.results, results))


@lowers("scf.if", dynamic=True)
def lower_if(fl, op):
    fl.timeline.settle(op.loc)
    results = [fl.new(isa.register_bank(r.type)) for r in op.results]
    then, end = Label(), Label()
    fl.emit("br.if", op.loc, cond=fl.values[op.operands[0]], target=then)
    for branch, region in ((None, op.regions[1] if len(op.regions) > 1 else None), (then, op.regions[0])):
        if branch is not None:
            fl.asm.place(branch)
        if region is not None:
            for reg, y in zip(results, fl.lower_region(region)):
                fl.copy(reg, y, op.loc)
        if branch is None:
            fl.emit("br", op.loc, target=end)
    fl.asm.place(end)
    fl.values.update(zip(op.results, results))
