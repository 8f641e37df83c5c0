"""The VM's fixed capacities (isa.VM_LIMITS) as the compiler meets them.

A program the VM could not run within them is refused with a located error
here, before any code is emitted, or is kept within them as it is lowered
(KERNEL_VALUES bounds dispatch groups): the compiler never emits a module
the verifier rejects for a limit.
"""
from ..ir.types import TensorType
from .. import isa

# Bindings and push constants of one kernel: dispatch formation keeps each
# group's inputs and results within both.
KERNEL_VALUES = min(isa.MAX_BINDINGS, isa.MAX_PUSH)


def check_call_values(func, arg_banks, result_banks, error):
    """Raise error(message, loc) unless a call of `func`, whose arguments
    and results have these register banks, fits the VM's transfer arrays."""
    for what, banks in (("arguments", arg_banks), ("results", result_banks)):
        for bank, name in isa.BANK_NAMES.items():
            if banks.count(bank) > isa.MAX_CALL_VALUES:
                raise error(f"function '{func.name}' has {banks.count(bank)} {name} {what}, more than the VM "
                            f"passes in a call ({isa.MAX_CALL_VALUES} of each register bank)", func.loc)


def check_ranks(ir_module, error):
    """Raise error(message, loc) at the first tensor type (of a global, a
    function or an op) with more dimensions than the VM holds."""
    def check(types, loc):
        for t in types:
            if isinstance(t, TensorType) and len(t.shape) > isa.MAX_RANK:
                raise error(f"'{t}' has {len(t.shape)} dimensions, more than the VM's limit of {isa.MAX_RANK}", loc)

    def walk(block):
        for op in block.operations:
            check((r.type for r in op.results), op.loc)
            for region in op.regions:
                for inner in region.blocks:
                    check((a.type for a in inner.arguments), op.loc)
                    walk(inner)

    for g in ir_module.globals:
        check([g.type], g.loc)
    for f in ir_module.functions:
        check([*(a.type for a in f.arguments), *f.type.results], f.loc)
        for block in f.blocks:
            check((a.type for a in block.arguments), f.loc)
            walk(block)
