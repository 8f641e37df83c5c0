"""Lowering a dispatch group: one tile kernel (kernels.build_kernel) run
over the group's shape, or evaluated once for a scalar group; a group with
a producer (a convolution, a matmul from +0.0) runs as its epilogue
(buffer.conv2d.dispatch, buffer.matmul.fresh.dispatch,
buffer.matmul.strided.dispatch).
Each output goes where buffer planning put it: an output argument, the
buffer of an input read for the last time, its part of a concat, or a new
buffer."""
import math

from ..dialects import lookup
from ..dialects.iree_lite import folds_init
from ..ir.types import TensorType
from .kernels import KernelTooLarge, build_kernel
from ..isa import register_bank


def lower_group(fl, group, users):
    outputs = group.outputs(users)
    producer = None if group.producer is None else producer_operands(fl, group.producer)
    if producer is not None and (not outputs or fl.mb.trace_dispatch_tensors):
        fl.emit(producer[0], group.producer.loc, **producer[1])   # on its own: its epilogue is dead, or traced
        producer = None
    for op in group.views:   # of the producer's buffer, allocated just now
        fl.lower_op(op)
    if not outputs:
        return   # dead: nothing reads what it computes
    try:
        plan = build_kernel("", group, outputs, lookup)
    except KernelTooLarge as e:
        raise fl.error(f"element-wise region {e}", group.ops[0].loc) from None
    kernel = fl.mb.kernel(plan.kernel)
    push_f, push_i = [], []
    for v, value, etype in plan.push:
        reg = fl.values[v] if value is None else fl.scalar_constant(value, etype)
        (push_f if reg.bank == "f" else push_i).append(reg)
    loc = group.ops[-1].loc
    if group.is_scalar:
        dst_f, dst_i = [], []
        for v in plan.outputs:
            reg = fl.values[v] = fl.new(register_bank(v.type))
            (dst_f if reg.bank == "f" else dst_i).append(reg)
        fl.emit("eval", loc, kernel=kernel, push_f=push_f, push_i=push_i, dst_f=dst_f, dst_i=dst_i)
        return
    ins = [fl.values[v] for v in plan.inputs]
    # Inputs read element by element (not gathered) have the group's shape.
    shaped = group.elementwise_inputs()
    dynamic = not group.ops[-1].results[0].type.is_static
    if dynamic:   # the inputs' shapes are known only now: they must agree
        if not shaped:
            raise fl.error("an element-wise op of dynamic shape needs a tensor operand", loc)
        for v in shaped[1:]:
            user = next(op for op in group.ops if v in op.operands)
            fl.emit("buffer.match", user.loc, a=fl.values[v], b=fl.values[shaped[0]], where=fl.where(user))
    outs = []
    for v in plan.outputs:
        storage = fl.plan.in_place.get(v)
        if storage is not None:
            fl.values[v] = fl.values[storage]
            if dynamic:
                fl.emit("buffer.match", loc, a=fl.values[v], b=fl.values[shaped[0]], where=fl.where(group.ops[-1]))
        elif v in fl.plan.reuse:   # an input's buffer, read for the last time here, takes the result
            fl.values[v] = fl.values[fl.plan.reuse[v]]
        elif v in fl.plan.parts:   # computed into its part of a concat's buffer
            fl.values[v] = fl.part(v, loc)
        else:
            fl.values[v] = fl.alloc(v.type, loc, like=fl.values[shaped[0]] if dynamic else None)
        outs.append(fl.values[v])
    if fl.mb.trace_dispatch_tensors:
        traced_dispatch(fl, group, kernel, (plan.inputs, ins), (plan.outputs, outs), push_f, push_i, loc)
    elif producer is not None:   # run to completion, as the producer is
        fl.emit(producer[0] + ".dispatch", group.producer.loc, **producer[1], kernel=kernel, bind_r=ins + outs,
                push_f=push_f, push_i=push_i)
    else:
        fl.dispatch(kernel, ins + outs, push_f, push_i, loc)


def traced_dispatch(fl, group, kernel, ins, outs, push_f, push_i, loc):
    """A group's dispatch between debug.trace of its inputs and of its
    outputs (each (values, registers)), as IREE traces an element-wise
    dispatch: its entry point's name (`f_dispatch_0::f_dispatch_0_elementwise_6_f32`,
    D for a dynamic size) and its tensors collapsed to one dimension. It
    runs synchronously, so that the outputs are there to print."""
    name = f"{fl.func.name}_dispatch_{fl.traced}"
    fl.traced += 1
    size = "D" if None in group.key else str(math.prod(group.key))
    key = f"{name}::{name}_elementwise_{size}_{group.ops[-1].results[0].type.element}"
    fl.timeline.settle(loc)
    for (values, regs), what in ((ins, "inputs"), (outs, "outputs")):
        views = []
        for v, reg in zip(values, regs):
            if v.type.rank != 1:
                views.append(fl.new("r"))
                flat = TensorType((math.prod(v.type.shape) if v.type.is_static else None,), v.type.element)
                fl.emit("buffer.view", loc, dst=views[-1], src=reg, layout=fl.mb.layout(flat), dims_i=[])
            else:
                views.append(reg)
        fl.emit("debug.trace", loc, key=fl.mb.text(f"{key} {what}".encode()), view_r=views)
        if what == "inputs":
            fl.emit("dispatch", loc, kernel=kernel, bind_r=ins[1] + outs[1], push_f=push_f, push_i=push_i)


def producer_operands(fl, op):
    """The instruction running a group's producer and its operands."""
    if op.name == "iree_lite.conv2d":
        return "buffer.conv2d", conv2d_operands(fl, op)
    return fresh_matmul(fl, op)


def written_whole(fl, op):
    """The register of a new buffer for op's result, which op writes whole
    without reading it: its part of a concat's buffer where planned
    (BufferPlan.parts)."""
    fl.timeline.settle(op.loc)
    r = op.results[0]
    reg = fl.values[r] = fl.part(r, op.loc) if r in fl.plan.parts else fl.alloc(r.type, op.loc)
    return reg


def fresh_matmul(fl, op):
    """The instruction and its operands for matmul(lhs, rhs) from +0.0
    (passes/linalg.py fresh_products): buffer.matmul.fresh, or
    buffer.matmul.strided where a layout places its operands
    (passes/strided.py)."""
    lhs, rhs = (fl.values[v] for v in op.operands)
    operands = {"acc": written_whole(fl, op), "lhs": lhs, "rhs": rhs}
    if "layout" not in op.attributes:
        return "buffer.matmul.fresh", operands
    return "buffer.matmul.strided", {**operands, "layout": fl.mb.i64_data(list(op.attributes["layout"]))}


def conv2d_operands(fl, op):
    """buffer.conv2d's operands for conv2d(acc, input, filter), which
    accumulates into a copy of acc, or conv2d(input, filter), whose window
    says fresh: it writes a new buffer, or its part of a concat's
    (BufferPlan.parts)."""
    acc = fl.accumulator(op) if folds_init(op) else written_whole(fl, op)
    x, w = op.operands[-2:]
    return {"acc": acc, "input": fl.values[x], "filter": fl.values[w],
            "window": fl.mb.i64_data(list(op.attributes["window"]))}
