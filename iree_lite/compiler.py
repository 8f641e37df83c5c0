"""The compiler driver: MLIR text -> .vmfb bytes.

parse -> verify -> dispatch formation, bufferization and ABI lowering ->
register bytecode -> module file. Pure Python.
"""
from . import __version__
from .ir.core import Diagnostic

TARGET_BACKENDS = ("vmvx", "llvm-cpu")   # both target the same VM


def compile_module(text, filename="<stdin>", execution_model="async-internal", trace_dispatch_tensors=False):
    """Compile MLIR source to a codegen.module.Module; raises Diagnostic.
    trace_dispatch_tensors: print each element-wise dispatch's inputs and
    outputs when it runs (IREE's --iree-flow-trace-dispatch-tensors)."""
    from .codegen.host import generate
    from .dialects import lookup
    from .ir.dominance import reachable
    from .ir.verifier import verify_module
    from .parse import parse_module
    from .passes.abi import EXECUTION_MODELS
    if execution_model not in EXECUTION_MODELS:
        raise Diagnostic(f"unknown execution model '{execution_model}' "
                         f"(expected one of {', '.join(EXECUTION_MODELS)})")
    from .passes.linalg import lower_linalg
    from .passes.small_types import lower_small_types
    module = parse_module(text, filename)
    verify_module(module, lookup)
    for f in module.functions:
        if f.other_blocks:   # in dominance order, which the text need not follow; unreachable ones never run
            f.other_blocks = reachable(f.body)[1:]
        remap = {}   # shared by the blocks: a later block may use what an earlier one rewrote
        for block in f.blocks:
            lower_linalg(block, module.source, remap)
    lower_small_types(module)
    return generate(module, execution_model, __version__, trace_dispatch_tensors)


def compile_str(text, filename="<stdin>", execution_model="async-internal"):
    """Compile MLIR source to .vmfb bytes; raises Diagnostic."""
    from .codegen.module import serialize
    return serialize(compile_module(text, filename, execution_model))


def compile_file(path, execution_model="async-internal"):
    with open(path, encoding="utf-8") as f:
        return compile_str(f.read(), path, execution_model)
