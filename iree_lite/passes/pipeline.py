"""The compiler's passes as named steps over an ir.Module, in the order
compiler.py runs them. Each has MLIR's two names: `title` for the IR dump
headers (`IR Dump After LowerLinalg`) and `arg` for the command line
(`--mlir-print-ir-after=iree-lite-lower-linalg`).

The first three leave everything they decide in the IR; dispatch formation
and buffer planning record theirs on each function (`Function.dispatch`,
`Function.buffers`) for codegen, and the IR printer shows them as notes.
"""
from ..dialects import lookup
from ..ir.attributes import StringAttr, UnitAttr
from ..ir.dominance import reachable
from ..ir.verifier import verify_module
from .abi import ABI_ATTRIBUTE, abi_model
from .bufferize import plan_buffers
from .dispatch import Group, compute_users, form_dispatch_regions, item_ops
from .linalg import lower_linalg
from .small_types import lower_small_types


class Pass:
    """A step of the pipeline: its names and summary here, and `run(module)`,
    which each pass defines, changing the module in place."""
    title = arg = summary = None


class Verify(Pass):
    title, arg, summary = "Verify", "iree-lite-verify", "checks each op's and each function's rules"

    def run(self, module):
        verify_module(module, lookup)


class LowerAbi(Pass):
    title, arg = "LowerAbi", "iree-lite-abi"
    summary = "marks every function `iree.abi.model = \"coarse-fences\"` or `\"sync\"` under the execution model"

    def __init__(self, execution_model):
        self.execution_model = execution_model

    def run(self, module):
        for f in module.functions:
            f.attributes[ABI_ATTRIBUTE] = StringAttr(abi_model(f, self.execution_model))


class LowerLinalg(Pass):
    title, arg = "LowerLinalg", "iree-lite-lower-linalg"
    summary = "rewrites linalg, iree_linalg_ext and structured tensor ops into element-wise and iree_lite ops"

    def run(self, module):
        for f in module.functions:
            if f.other_blocks:   # in dominance order, which the text need not follow; unreachable ones never run
                f.other_blocks = reachable(f.body)[1:]
            lower_linalg(f, module.source)


class LowerSmallTypes(Pass):
    title, arg = "LowerSmallTypes", "iree-lite-lower-small-types"
    summary = "stores sub-byte and small float values in bytes, converting where they compute"

    def run(self, module):
        lower_small_types(module)


class FormDispatchRegions(Pass):
    title, arg = "FormDispatchRegions", "iree-lite-form-dispatch-regions"
    summary = ("groups element-wise ops into dispatches (one tile kernel each), in every block; "
               "a dispatch reading a convolution or a matmul from +0.0 right after it becomes its epilogue")

    def __init__(self, max_values):
        self.max_values = max_values   # the bindings and push constants a kernel may take

    def run(self, module):
        for f in module.functions:
            blocks = f.blocks
            # In a function of several blocks, a value's users in every block count.
            users = compute_users(*blocks) if len(blocks) > 1 else None
            f.dispatch = {}
            for block in blocks:
                f.dispatch[id(block)] = form_dispatch_regions(block, self.max_values, users)
                self.nested(f.dispatch, block)

    def nested(self, dispatch, block):
        """The items of the blocks in `block`'s ops' regions (scf bodies)."""
        for op in block.operations:
            for region in op.regions:
                for inner in region.blocks:
                    dispatch[id(inner)] = form_dispatch_regions(inner, self.max_values)
                    self.nested(dispatch, inner)


class PlanBuffers(Pass):
    title, arg = "PlanBuffers", "iree-lite-plan-buffers"
    summary = ("computes results into `iree.abi.output` arguments in place, or copies them there; "
               "lets a result take the buffer of an input read for the last time")

    def run(self, module):
        for f in module.functions:
            if not f.is_declaration:
                f.buffers = plan_buffers(f)


def passes(execution_model, max_values):
    """The pipeline, parsing aside, up to codegen."""
    return [Verify(), LowerAbi(execution_model), LowerLinalg(), LowerSmallTypes(), FormDispatchRegions(max_values),
            PlanBuffers()]


def notes(module):
    """What dispatch formation and buffer planning decided, as attributes for
    the IR printer to show on each op: `iree_lite.dispatch = N` on the ops of
    the function's Nth dispatch (in block order), `iree_lite.epilogue = N` on
    a convolution or matmul that runs it as its epilogue, `iree_lite.no_buffer` on
    ops left out (splat constants folded into the dispatches reading them,
    unused tensor.empty), `iree_lite.in_place = A` on an op computing its
    result into argument A, `iree_lite.copies` on a return copying those
    results into their output arguments."""
    extra = {}
    for f in module.functions:
        groups = [it for items, _ in (f.dispatch or {}).values() for it in items if isinstance(it, Group)]
        for n, group in enumerate(groups):
            for op in group.ops:
                extra.setdefault(id(op), {})["iree_lite.dispatch"] = n
            if group.producer is not None:
                extra.setdefault(id(group.producer), {})["iree_lite.epilogue"] = n
        for block in f.blocks:
            if f.dispatch is None:
                break
            kept = {id(op) for it in f.dispatch[id(block)][0] for op in item_ops(it)}
            for op in block.operations:
                if id(op) not in kept:
                    extra.setdefault(id(op), {})["iree_lite.no_buffer"] = UnitAttr()
        if f.buffers is None:
            continue
        for value, storage in f.buffers.in_place.items():
            extra.setdefault(id(value.owner), {})["iree_lite.in_place"] = storage.index
        if f.buffers.copies:
            copied = tuple(n for n, _, _ in f.buffers.copies)
            for block in f.blocks:
                ret = block.operations[-1] if block.operations else None
                if ret is not None and ret.name == "func.return":
                    extra.setdefault(id(ret), {})["iree_lite.copies"] = copied
    return lambda op: extra.get(id(op), {})
