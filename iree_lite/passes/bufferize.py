"""Bufferization: decide where every tensor value lives.

- A group output that a function returns as result N, when argument A is
  `iree.abi.output = N`, is computed straight into A's storage, unless A's
  old contents are still read after that group.
- Any other returned value bound to output storage is copied into it (all
  are, in a function of several blocks).
- Everything else gets a fresh buffer (constants reference module data),
  or, for a group's result, the buffer of one of its inputs that nothing
  reads afterwards (FunctionLowering.dead_input: reuse by liveness).
"""
from dataclasses import dataclass, field

from .abi import output_arguments
from .dispatch import Group


@dataclass
class BufferPlan:
    in_place: dict = field(default_factory=dict)   # Value -> argument Value that holds it
    copies: list = field(default_factory=list)     # (result index, Value or None: the returned one, argument Value)


def plan_buffers(func, items, users):
    plan = BufferPlan()
    outs = output_arguments(func)
    if not outs:
        return plan
    if func.other_blocks:   # returns in several blocks: each copies what it returns (func.return lowering)
        plan.copies = [(n, None, func.body.arguments[a]) for n, a in sorted(outs.items())]
        return plan
    ret = func.body.operations[-1]
    position = {}
    for i, it in enumerate(items):
        for op in (it.ops if isinstance(it, Group) else [it]):
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
    return plan
