"""Bufferization: decide where every tensor value lives.

- A group output that a function returns as result N, when argument A is
  `iree.abi.output = N`, is computed straight into A's storage, unless A's
  old contents are still read after that group.
- Any other returned value bound to output storage is copied into it (all
  are, in a function of several blocks).
- An operand of a static tensor.concat whose parts are contiguous (the
  dimensions before the concatenated one all 1) is computed straight into
  its part of the concat's buffer when a group of the concat's block
  computes it and nothing else reads it (no copy into the concat).
- The one output of a convolution's or matmul's epilogue
  (dispatch.Group.producer) takes the producer's buffer when nothing else
  reads it and the epilogue reads it element by element only (no
  gather); a producer from +0.0 then writes straight into that output's
  part of a concat.
- An op that folds into a copy of its init (a reduction, matmul, pooling
  or accumulating convolution) folds into the init's own buffer when that
  is a fill (tensor.splat, a splat constant) of its block only it reads.
- Any other group output outside scf regions may take the buffer of one of
  the group's inputs that a group of this function computed and that
  nothing reads afterwards (reuse by liveness).
- Everything else gets a fresh buffer (constants reference module data).
Codegen follows the plan (codegen/lower_group.py, lower_func.py).
"""
import math
from dataclasses import dataclass, field

from ..dialects.iree_lite import folds_init
from .abi import output_arguments
from .dispatch import Group, elementwise_kind, item_ops


@dataclass
class BufferPlan:
    in_place: dict = field(default_factory=dict)   # Value -> argument Value that holds it
    copies: list = field(default_factory=list)     # (result index, Value or None: the returned one, argument Value)
    reuse: dict = field(default_factory=dict)      # group output Value -> the group input whose buffer it takes
    parts: dict = field(default_factory=dict)      # group output or convolution -> (tensor.concat result, element offset)
    folds_into_init: set = field(default_factory=set)   # results of ops folding into their init's buffer (no copy)


def plan_buffers(func):
    """The BufferPlan of a function that dispatch formation has run over
    (`func.dispatch`)."""
    plan = BufferPlan()
    outs = output_arguments(func)
    if outs and func.other_blocks:   # returns in several blocks: each copies what it returns (func.return lowering)
        plan.copies = [(n, None, func.body.arguments[a]) for n, a in sorted(outs.items())]
    elif outs:
        plan_outputs(plan, func, outs, *func.dispatch[id(func.body)])
    plan_parts(plan, func)
    plan_epilogues(plan, func)
    plan_folds(plan, func)
    plan_reuse(plan, func)
    return plan


def plan_outputs(plan, func, outs, items, users):
    ret = func.body.operations[-1]
    position = {}
    for i, it in enumerate(items):
        for op in item_ops(it):
            position[id(op)] = i
    producer = {}
    for i, it in enumerate(items):
        if isinstance(it, Group):
            for op in it.ops:
                for r in op.results:
                    producer[r] = i
    for n, arg_index in sorted(outs.items()):
        storage = func.body.arguments[arg_index]
        value = ret.operands[n]
        if value is storage:
            continue
        at = producer.get(value)
        # A gather in the producing group may read the storage anywhere: no overwriting it then.
        if at is not None and value not in plan.in_place and all(
                position[id(u)] < at or position[id(u)] == at and u.name != "iree_lite.expand"
                for u in users.get(storage, ())):
            plan.in_place[value] = storage
        else:
            plan.copies.append((n, value, storage))


def plan_parts(plan, func):
    """Fill plan.parts: the concat operands computed in place (see above)."""
    for block in func.blocks:
        items, users = func.dispatch[id(block)]
        producer = {r: it for it in items if isinstance(it, Group) and not it.is_scalar for op in it.ops
                    for r in op.results}
        for concat in items:
            if isinstance(concat, Group) or concat.name != "tensor.concat":
                continue
            t, dim = concat.results[0].type, concat.attributes["dim"]
            if not t.is_static or math.prod(t.shape[:dim]) != 1 or len(set(concat.operands)) != len(concat.operands):
                continue
            at = 0
            for v in concat.operands:
                group = producer.get(v)
                members = set(map(id, group.ops)) if group is not None else set()
                outside = [u for u in users.get(v, ()) if id(u) not in members]
                if group is not None and v not in plan.in_place and len(outside) == 1 and outside[0] is concat:
                    plan.parts[v] = (concat.results[0], at)
                at += math.prod(v.type.shape)


def plan_epilogues(plan, func):
    """Fill plan.reuse (and plan.parts) for the epilogues (see above)."""
    for block in func.blocks:
        items, users = func.dispatch[id(block)]
        for group in items:
            if not isinstance(group, Group) or group.producer is None:
                continue
            acc, outputs, members = group.producer.results[0], group.outputs(users), set(map(id, group.ops))
            # Read element by element only: a gather may read what the kernel has already written.
            if len(outputs) != 1 or outputs[0].type != acc.type or outputs[0] in plan.in_place or \
                    any(id(u) not in members for u in users.get(acc, ())) or \
                    any(op.operands[0] is acc for op in group.gathers()):
                continue
            if outputs[0] in plan.parts:
                if folds_init(group.producer):   # accumulates onto a copy of its init
                    continue
                plan.parts[acc] = plan.parts[outputs[0]]
            plan.reuse[outputs[0]] = acc


def plan_folds(plan, func):
    """Fill plan.folds_into_init (see above): a fill is a new buffer each time it runs."""
    for block in func.blocks:
        items, users = func.dispatch[id(block)]
        for op in items:
            if isinstance(op, Group) or not folds_init(op):
                continue
            init = op.operands[0]
            fill = init.owner
            if getattr(fill, "parent", None) is block and users.get(init) == [op] and (
                    fill.name == "tensor.splat" or fill.name == "arith.constant" and fill.attributes["value"].splat):
                plan.folds_into_init.add(op.results[0])


def plan_reuse(plan, func):
    """Fill plan.reuse, going through the groups of the function's blocks in
    the order codegen lowers them."""
    blocks = func.blocks
    run_at = {}   # id(op) -> its position in its block's execution order: a group's ops at its last one
    for block in blocks:
        items, _ = func.dispatch[id(block)]
        order = {id(op): i for i, op in enumerate(block.operations)}
        for it in items:
            for op in item_ops(it):
                run_at[id(op)] = it.position if isinstance(it, Group) else order[id(op)]
    owned = set()   # values in buffers this function's groups allocated (or took over)
    for block in blocks:
        items, users = func.dispatch[id(block)]
        for group in items:
            if not isinstance(group, Group) or group.is_scalar:
                continue
            outputs = group.outputs(users)
            inputs = group.elementwise_inputs() if outputs else ()
            for v in outputs:
                if v in plan.in_place or v in plan.parts:
                    continue
                dead = None if v in plan.reuse else dead_input(group, v, inputs, owned, users, run_at)
                if dead is not None:
                    plan.reuse[v] = dead
                    owned.discard(dead)
                owned.add(v)


def dead_input(group, out, inputs, owned, users, run_at):
    """An input of `group` of `out`'s type whose buffer this function
    allocated and nothing reads after the group: `out` can be computed
    into it, since kernels write each tile after reading it. Only values
    read by groups and element reads qualify: other ops may alias the
    buffer (views) or keep it."""
    members = set(map(id, group.ops))
    block = group.ops[-1].parent   # in a function of several blocks, all of it happens in this one
    for v in inputs:
        if v in owned and v.type == out.type and v.owner.parent is block and all(
                id(u) in members or u.parent is block and run_at.get(id(u), group.position) < group.position
                and (u.name in ("tensor.extract", "tensor.dim") or elementwise_kind(u) is not None)
                for u in users.get(v, ())):
            return v
    return None
