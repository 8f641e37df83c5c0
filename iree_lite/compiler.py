"""The compiler driver: MLIR text -> .vmfb bytes.

parse, then the pass pipeline (passes/pipeline.py: verification, ABI, the
linalg and small-type rewrites, dispatch formation, buffer planning), then
codegen (register bytecode) and the module file. Pure Python.

`lower(text, ...)` stops after any pass, for `--compile-to` and the IR
dumps; `observer` sees the module before and after each pass.
"""
TARGET_BACKENDS = ("vmvx", "llvm-cpu")   # both target the same VM
PARSE = "parse"   # lower()'s stop_after for the module as parsed, before any pass

# IREE's compiler phases that have a counterpart here, as `--compile-to` names them: the last
# pass each runs (README's "Compiler stages"). `vm` and `end` are the bytecode.
STAGES = {"start": PARSE, "input": "iree-lite-verify", "abi": "iree-lite-abi", "preprocessing": "iree-lite-abi",
          "global-optimization": "iree-lite-lower-small-types", "dispatch-creation": "iree-lite-form-dispatch-regions",
          "flow": "iree-lite-form-dispatch-regions", "stream": "iree-lite-plan-buffers"}
# The stages whose printed form compiles as it is (`--compile-from`): the later ones hold the
# compiler's internal ops, and dispatch regions and buffer plans only as the printer's notes.
READ_BACK = ("start", "input", "abi", "preprocessing")


def pipeline(execution_model="async-internal"):
    """The passes compile_module runs, in order."""
    from .codegen.limits import KERNEL_VALUES
    from .ir.abi import EXECUTION_MODELS
    from .ir.core import Diagnostic
    from .passes.pipeline import passes
    if execution_model not in EXECUTION_MODELS:
        raise Diagnostic(f"unknown execution model '{execution_model}' "
                         f"(expected one of {', '.join(EXECUTION_MODELS)})")
    return passes(execution_model, KERNEL_VALUES)


def lower(text, filename="<stdin>", execution_model="async-internal", stop_after=None, observer=None):
    """The ir.Module of MLIR source after the pipeline's passes up to the one
    whose arg is `stop_after` (all when None, none for PARSE); raises
    Diagnostic. `observer.before(pass, module)` and `.after(...)` are called
    around each pass run."""
    from .parse import parse_module
    passes = pipeline(execution_model)
    module = parse_module(text, filename)
    if stop_after == PARSE:
        return module
    for p in passes:
        if observer is not None:
            observer.before(p, module)
        p.run(module)
        if observer is not None:
            observer.after(p, module)
        if p.arg == stop_after:
            break
    return module


def print_ir(module, generic=False, debuginfo=False):
    """`module` at whatever stage as MLIR text, with what the passes decided
    beyond the IR as notes (passes.pipeline.notes)."""
    from .ir.printer import print_module
    from .passes.pipeline import notes
    return print_module(module, generic, notes(module), debuginfo)


def compile_module(text, filename="<stdin>", execution_model="async-internal", trace_dispatch_tensors=False,
                   observer=None):
    """Compile MLIR source to an isa.module.Module; raises Diagnostic.
    trace_dispatch_tensors: print each element-wise dispatch's inputs and
    outputs when it runs (IREE's --iree-flow-trace-dispatch-tensors)."""
    from .codegen.host import generate
    from .version import __version__
    module = lower(text, filename, execution_model, observer=observer)
    return generate(module, __version__, trace_dispatch_tensors)


def compile_str(text, filename="<stdin>", execution_model="async-internal", **options):
    """Compile MLIR source to .vmfb bytes; raises Diagnostic. `options`:
    compile_module's."""
    from .isa.module import serialize
    return serialize(compile_module(text, filename, execution_model, **options))


def compile_output(text, filename="<stdin>", execution_model="async-internal", compile_to="end", generic=False,
                   debuginfo=False, **options):
    """What `iree-lite compile --compile-to=PHASE` writes, as a list of byte
    pieces to write in turn: for a phase of STAGES, the module after it as
    MLIR text (UTF-8; `generic` and `debuginfo` as print_ir takes them), else
    the .vmfb (isa.module.serialize_parts: constants' data are pieces of
    their own, never copied into one buffer). `options`: compile_module's."""
    if compile_to in STAGES:
        module = lower(text, filename, execution_model, STAGES[compile_to], options.get("observer"))
        return [print_ir(module, generic, debuginfo).encode("utf-8")]
    from .isa.module import serialize_parts
    return serialize_parts(compile_module(text, filename, execution_model, **options))


def compile_file(path, execution_model="async-internal"):
    from .fileio import open_input
    with open_input(path, encoding="utf-8") as f:
        return compile_str(f.read(), path, execution_model)
