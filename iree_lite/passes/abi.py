"""ABI lowering decisions: which functions take the coarse-fences pair.

See shared reference notes: under `async-external` every export and every
import uses coarse-fences; `iree.abi.model = "coarse-fences"` on a function
makes it async whatever the flag says, and any other value makes it sync.
Functions with bodies that are private are internal and always sync.
"""
from ..ir.abi import ABI_ATTRIBUTE, COARSE_FENCES, SYNC
from ..ir.attributes import StringAttr


def abi_model(func, execution_model):
    attr = func.attributes.get(ABI_ATTRIBUTE)
    if isinstance(attr, StringAttr):
        return COARSE_FENCES if attr.value == COARSE_FENCES else SYNC
    if func.is_declaration or func.visibility == "public":
        return COARSE_FENCES if execution_model == "async-external" else SYNC
    return SYNC


def lowered_abi(func):
    """The ABI the pipeline's LowerAbi pass gave `func`."""
    return COARSE_FENCES if func.attributes[ABI_ATTRIBUTE].value == COARSE_FENCES else SYNC


def output_arguments(func):
    """{result index: argument index} for `iree.abi.output = N` arguments."""
    outs = {}
    for i, arg in enumerate(func.arguments):
        attr = arg.attributes.get("iree.abi.output")
        if attr is not None:
            outs[attr.value] = i
    return outs
