"""The ABI models of a function: the values of its `iree.abi.model`
attribute once the pipeline's LowerAbi pass has run, as the module file
stores them too. Coarse-fences functions take a wait and a signal fence
after their arguments; sync ones run to completion."""
from ..isa.module import ABI_COARSE_FENCES as COARSE_FENCES, ABI_MODELS, ABI_SYNC as SYNC  # noqa: F401  (re-exported)
ABI_ATTRIBUTE = "iree.abi.model"
# `--iree-execution-model`: async-external gives every export and import coarse-fences.
EXECUTION_MODELS = ("host-only", "async-internal", "async-external")
