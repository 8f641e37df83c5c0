"""The compiler driver: MLIR text -> .vmfb bytes.

parse, then the pass pipeline (passes/pipeline.py: verification, ABI, the
linalg and small-type rewrites, dispatch formation, buffer planning), then
codegen (register bytecode) and the module file. Pure Python.

`lower(text, ...)` stops after any pass, for `--compile-to` and the IR
dumps; `observer` sees the module before and after each pass.
"""
from .ir.core import Diagnostic

TARGET_BACKENDS = ("vmvx", "llvm-cpu")   # both target the same VM


def pipeline(execution_model="async-internal"):
    """The passes compile_module runs, in order."""
    from .codegen.limits import KERNEL_VALUES
    from .passes.abi import EXECUTION_MODELS
    from .passes.pipeline import passes
    if execution_model not in EXECUTION_MODELS:
        raise Diagnostic(f"unknown execution model '{execution_model}' "
                         f"(expected one of {', '.join(EXECUTION_MODELS)})")
    return passes(execution_model, KERNEL_VALUES)


def lower(text, filename="<stdin>", execution_model="async-internal", stop_after=None, skip=(), observer=None):
    """The ir.Module of MLIR source after the pipeline's passes up to the one
    named `stop_after` (all when None), leaving out those named in `skip`;
    raises Diagnostic. `observer.before(pass, module)` and `.after(...)`
    are called around each pass run."""
    from .parse import parse_module
    passes = pipeline(execution_model)
    module = parse_module(text, filename)
    for p in passes:
        if p.arg in skip:
            continue
        if observer is not None:
            observer.before(p, module)
        p.run(module)
        if observer is not None:
            observer.after(p, module)
        if p.arg == stop_after:
            break
    return module


def compile_module(text, filename="<stdin>", execution_model="async-internal", trace_dispatch_tensors=False,
                   skip=(), observer=None):
    """Compile MLIR source to a codegen.module.Module; raises Diagnostic.
    trace_dispatch_tensors: print each element-wise dispatch's inputs and
    outputs when it runs (IREE's --iree-flow-trace-dispatch-tensors)."""
    from . import __version__
    from .codegen.host import generate
    module = lower(text, filename, execution_model, skip=skip, observer=observer)
    return generate(module, __version__, trace_dispatch_tensors)


def compile_str(text, filename="<stdin>", execution_model="async-internal", **options):
    """Compile MLIR source to .vmfb bytes; raises Diagnostic. `options`:
    compile_module's."""
    from .codegen.module import serialize
    return serialize(compile_module(text, filename, execution_model, **options))


def compile_file(path, execution_model="async-internal"):
    with open(path, encoding="utf-8") as f:
        return compile_str(f.read(), path, execution_model)
