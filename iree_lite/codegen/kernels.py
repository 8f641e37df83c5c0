"""Tile kernels: a fused group of element-wise ops as a tile-form program.

Layout of a kernel's operands:
- bindings: the group's buffer inputs, then its outputs (for a scalar group,
  the outputs only: `eval` maps them to destination registers, floats first);
- push constants: folded splat values and, for a scalar group, the scalar
  inputs; floats first, then ints, matching the `rf*`/`ri*` lists.
All loads come first and all stores last, so an output may share storage
with an input (in place) without a later load seeing the new contents.
"""
import collections
import math
from array import array
from dataclasses import dataclass

from ..ir.elements import SIZES
from ..ir.types import ScalarType, TensorType, element_type_of
from .. import isa
from ..isa.module import Kernel

INDEX = ScalarType("index")


class KernelTooLarge(Exception):
    """A group that no kernel can hold; the message says what it needs."""


def _too_many_scalars():
    return KernelTooLarge(f"needs more than the {isa.MAX_PUSH} scalars a kernel takes")


@dataclass
class KernelPlan:
    kernel: Kernel
    inputs: list       # Values bound as input buffers (tensor groups)
    outputs: list      # Values written (bindings, or eval destinations)
    push: list         # (Value or None, python scalar or None, element type) per push slot


def _is_float(t):
    return element_type_of(t).is_float


# The superinstruction running each pair of tile ops (isa.SUPERINSTRUCTIONS).
SUPERINSTRUCTION_OF = {parts: name for name, parts in isa.SUPERINSTRUCTIONS.items()}


def _steps(ops, outputs, lookup):
    """(op, operands, (tile op, element, extra)) per tile instruction of a
    group's ops. A pair of them that a superinstruction runs (isa.SUPERINSTRUCTIONS)
    is one step, the second op's: the first op's result, used by nothing
    else, is the second's first operand; the step's operands are the first's
    and then the second's other one."""
    uses = collections.Counter(v for op in ops for v in op.operands)
    tiles = [lookup(op.name).tile(op) for op in ops]
    steps, skip = [], False
    for i, op in enumerate(ops):
        if skip:
            skip = False
            continue
        if i + 1 < len(ops):
            (first, element, _), (second, _, _), nxt = tiles[i], tiles[i + 1], ops[i + 1]
            fused = SUPERINSTRUCTION_OF.get((first, second))
            value = op.results[0]
            if (fused and element in isa.TYPE_CLASSES[isa.BY_NAME[f"t.{fused}"].types] and uses[value] == 1
                    and value not in outputs and nxt.operands[0] is value):
                steps.append((nxt, [*op.operands, *nxt.operands[1:]], (fused, element, {})))
                skip = True
                continue
        steps.append((op, op.operands, tiles[i]))
    return steps


def build_kernel(name, group, outputs, lookup):
    """A KernelPlan for a group; `lookup` maps op names to OpDefs."""
    inputs = group.inputs()
    code, locs = [], []
    reg_of = {}
    free = list(range(isa.KERNEL_TILE_REGS - 1, -1, -1))   # pop() hands out low registers first
    steps = _steps(group.ops, outputs, lookup)
    last_use = {}
    for i, (_, operands, _) in enumerate(steps):
        for v in operands:
            last_use[v] = i
    for v in outputs:
        last_use[v] = len(steps)
    high = [-1]

    def alloc(v):
        if not free:
            raise KernelTooLarge("needs more tile registers than exist")
        reg_of[v] = free.pop()
        high[0] = max(high[0], reg_of[v])
        return reg_of[v]

    def emit(opname, operands, element, loc=None):
        if loc is not None:
            locs.append((len(code), loc.line, loc.col))
        code.extend(isa.encode(opname, operands, isa.ELEMENT_CODES[element]))

    # Tensors are bound as buffers (those only gathers read, as gathered
    # bindings); scalars (and folded splat constants) are push constants,
    # floats first, then ints (the rf*/ri* lists), then the gathers' index
    # constants.
    gathers = group.gathers()
    gathered = list(dict.fromkeys(op.operands[0] for op in gathers))
    buffers = group.elementwise_inputs()
    pushed = [(v, value, element_type_of(v.type)) for v, value in group.splats.items()]
    pushed += [(v, None, v.type) for v in inputs if not isinstance(v.type, TensorType)]
    pushed.sort(key=lambda p: not _is_float(p[2]))
    index_slot = {}   # index constant -> its push slot
    nbindings = len(buffers) + len(gathered) + len(outputs)
    if nbindings > isa.MAX_BINDINGS:
        raise KernelTooLarge(f"binds {nbindings} buffers, more than a kernel takes ({isa.MAX_BINDINGS})")

    def index_constant(value):
        if value not in index_slot:
            if len(pushed) == isa.MAX_PUSH:
                raise _too_many_scalars()
            index_slot[value] = len(pushed)
            pushed.append((None, value, INDEX))
        return index_slot[value]

    bindings = []
    for b, v in enumerate(buffers):
        element = element_type_of(v.type).name
        bindings.append((isa.ELEMENT_CODES[element], isa.BIND_INPUT))
        emit("t.load", {"d": alloc(v), "b": b}, element)
    for v in gathered:
        bindings.append((isa.ELEMENT_CODES[element_type_of(v.type).name], isa.BIND_GATHERED))
    slot_of = {}
    if len(pushed) > isa.MAX_PUSH:
        raise _too_many_scalars()
    for slot, (v, _, etype) in enumerate(pushed):
        slot_of[v] = slot
        emit("t.splat", {"d": alloc(v), "p": slot}, element_type_of(etype).name)

    def gather_form(op):
        """An expand's flat source index: base + sum over result dimensions d
        of strides[d] * coordinate_d, as (base, strides)."""
        src, shape = op.operands[0].type.shape, op.results[0].type.shape
        rows = [1] * len(src)
        for k in range(len(src) - 2, -1, -1):
            rows[k] = rows[k + 1] * src[k + 1]
        strides, base = [0] * len(shape), 0
        for (coeffs, const), row in zip(op.attributes["map"].linear(), rows):
            strides = [s + c * row for s, c in zip(strides, coeffs)]
            base += const * row
        return base, strides

    def spread_run(op):
        """(inner, length) when the flat source index is the flat coordinate
        over a run of adjacent result dimensions (a broadcast along the
        others: t.spread, d[i] = src[(i / inner) % length]; a softmax's row
        maximum or a bias), or None. Unit dimensions read nothing."""
        base, strides = gather_form(op)
        shape = op.results[0].type.shape
        used = [d for d, s in enumerate(strides) if s and shape[d] != 1]
        if base or min(shape, default=1) <= 0 or used != list(range(used[0], used[-1] + 1) if used else []):
            return None
        step = 1
        for d in reversed(used):
            if strides[d] != step:
                return None
            step *= shape[d]
        return math.prod(shape[used[-1] + 1:] if used else shape), step

    def index_key(op):
        """(base, strides) of an expand's gather, unit dimensions' strides
        dropped (their coordinate is always 0)."""
        base, strides = gather_form(op)
        return base, tuple(s if n != 1 else 0 for s, n in zip(strides, op.results[0].type.shape))

    # Gathers over the same strides (a pooling window's points, say) share
    # the strided sum of coordinates; each adds its own base.
    sharing = collections.Counter(index_key(op)[1] for op in gathers
                                  if op.name == "iree_lite.expand" and spread_run(op) is None)
    shared = {}   # strides -> the register holding their sum

    def const(value):
        reg = alloc(object())
        emit("t.splat", {"d": reg, "p": index_constant(value)}, "index")
        return reg

    def strided_sum(shape, strides):
        """A register holding sum over d of strides[d] * coordinate_d, or None for no strides."""
        index, inner = None, 1
        for d in reversed(range(len(shape))):
            if strides[d]:
                term = alloc(object())
                emit("t.lindex", {"d": term, "a": index_constant(inner), "b": index_constant(shape[d])}, "index")
                if strides[d] != 1:
                    factor = const(strides[d])
                    emit("t.muli", {"d": term, "a": term, "b": factor}, "index")
                    free.append(factor)
                if index is None:
                    index = term
                else:
                    emit("t.addi", {"d": index, "a": index, "b": term}, "index")
                    free.append(term)
            inner *= shape[d]
        return index

    def gather_index(op):
        """A register holding, per element, the flat index its expand reads,
        and whether the gather frees it (not while later gathers share it)."""
        base, strides = index_key(op)
        if strides not in shared:
            shared[strides] = strided_sum(op.results[0].type.shape, strides)
        part = shared[strides]
        sharing[strides] -= 1
        last = sharing[strides] == 0
        if part is None:
            return const(base), True
        if not base:
            return part, last
        offset = const(base)
        index = alloc(object())
        emit("t.addi", {"d": index, "a": part, "b": offset}, "index")
        free.append(offset)
        if last:
            free.append(part)
        return index, True

    late = []   # sources freed only once d has its register
    ordered_outputs = sorted(outputs, key=lambda v: not _is_float(v.type)) if group.is_scalar else outputs
    output_binding = {v: len(buffers) + len(gathered) + i for i, v in enumerate(ordered_outputs)}
    last = group.ops[-1].results[0]
    for i, (op, operands, (tile_op, element, extra)) in enumerate(steps):
        if op in gathers:
            binding = len(buffers) + gathered.index(op.operands[0])
            run = spread_run(op) if op.name == "iree_lite.expand" else None
            if run is not None:
                tile_op, extra = "spread", {"b": binding, "a": index_constant(run[0]), "c": index_constant(run[1])}
            else:
                if op.name == "iree_lite.expand":
                    index, owned = gather_index(op)
                    if owned:
                        free.append(index)
                else:   # iree_lite.gather: the flat indices are its second operand
                    index = reg_of[op.operands[1]]
                    if last_use[op.operands[1]] == i:
                        free.append(index)
                extra = {"a": index, "b": binding}
            srcs = []
        else:
            srcs = [reg_of[v] for v in operands]
            width = SIZES[element_type_of(op.results[0].type).name]
            for v in dict.fromkeys(operands):   # free sources first (in order): d may reuse one
                if last_use[v] == i:
                    # ...one no narrower than d: tile ops write d front to back as they read,
                    # so a wider d (i32 -> index, say) would overwrite lanes not yet read.
                    (free if SIZES[element_type_of(v.type).name] >= width else late).append(reg_of[v])
            if tile_op == "lindex":   # its stride and size are push constants
                srcs = []
                extra = {"a": slot_of[op.operands[0]], "b": slot_of[op.operands[1]]}
        operands = dict(zip(("a", "b", "c"), srcs))
        operands["d"] = alloc(op.results[0])
        free.extend(late)
        late.clear()
        operands.update({k: isa.ELEMENT_CODES[x] if k == "src" else x for k, x in extra.items()})
        if op.results[0] is last and last in output_binding:
            # The last result goes straight into its output: no copy.
            emit("t.bind", {"d": operands["d"], "b": output_binding[last]},
                 element_type_of(last.type).name)
        emit("t." + tile_op, operands, element, op.loc)

    for v in ordered_outputs:
        element = element_type_of(v.type).name
        bindings.append((isa.ELEMENT_CODES[element], isa.BIND_OUTPUT))
        if v is not last:
            emit("t.store", {"d": reg_of[v], "b": output_binding[v]}, element)

    kernel = Kernel(name, high[0] + 1, tuple(bindings), len(pushed), array("I", code), locs)
    return KernelPlan(kernel, buffers + gathered, ordered_outputs, pushed)


def _unnamed(bindings, push, code):
    return Kernel("", 1, bindings, push, array("I", code))


def fill_kernel(etype):
    """Binding 0 (output) = push constant 0 everywhere."""
    code = isa.encode("t.splat", {"d": 0, "p": 0}, isa.ELEMENT_CODES[etype.name])
    code += isa.encode("t.store", {"d": 0, "b": 0}, isa.ELEMENT_CODES[etype.name])
    return _unnamed(((isa.ELEMENT_CODES[etype.name], isa.BIND_OUTPUT),), 1, code)


def copy_kernel(etype):
    """Binding 1 (output) = binding 0."""
    t = isa.ELEMENT_CODES[etype.name]
    code = isa.encode("t.load", {"d": 0, "b": 0}, t) + isa.encode("t.store", {"d": 0, "b": 1}, t)
    return _unnamed(((t, isa.BIND_INPUT), (t, isa.BIND_OUTPUT)), 0, code)


def scalar_kernel(tile_op, element, result, **extra):
    """An eval kernel: push constants 0 and 1 (of `element`) through one tile
    op, the `result`-typed value out (loop bounds tests and increments)."""
    t, r = isa.ELEMENT_CODES[element], isa.ELEMENT_CODES[result]
    code = isa.encode("t.splat", {"d": 0, "p": 0}, t) + isa.encode("t.splat", {"d": 1, "p": 1}, t)
    code += isa.encode(f"t.{tile_op}", {"d": 2, "a": 0, "b": 1, **extra}, t)
    code += isa.encode("t.store", {"d": 2, "b": 0}, r)
    return Kernel("", 3, ((r, isa.BIND_OUTPUT),), 2, array("I", code))
