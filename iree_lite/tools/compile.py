"""`iree-lite compile`: MLIR source -> .vmfb (or a stage of the compiler printed as MLIR), like iree-compile."""
import codecs
import sys

from ..fileio import open_input, write_atomically

STDIN_NAME = "<stdin>"


class CompileError(Exception):
    """A compile failure, already worded as iree-compile words it."""


def read_source(path):
    """(text, display name) of an input path, `-` being stdin."""
    if path == "-":
        return decode_stream(sys.stdin.buffer), STDIN_NAME
    try:
        with open_input(path) as f:
            return decode_stream(f), path
    except OSError as e:
        raise CompileError(f"error opening input file: cannot open input file '{path}': {e.strerror}") from None


def decode_stream(f, chunk=1 << 24):
    """A binary stream's UTF-8 text (bad bytes replaced), decoded a chunk at
    a time onto one string that grows in place: the file's bytes and its
    text are never both held whole (weights are most of a model's file)."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    text = ""
    while True:
        data = f.read(chunk)
        text += decoder.decode(data, final=not data)
        if not data:
            return text


def target_errors(ns):
    """What is wrong with ns's target backends and device, one message each."""
    from ..compiler import TARGET_BACKENDS
    errors = [f"target backend '{b}' not registered; registered backends: [{', '.join(TARGET_BACKENDS)}]"
              for b in [*(ns.target_backends or ()), *(ns.local_target_device_backends or ())]
              if b not in TARGET_BACKENDS]
    if ns.target_device not in (None, "local"):
        errors.append(f"target device '{ns.target_device}' not registered; registered devices: [local]")
    return errors


def checked_source(ns):
    """(text, display name) of ns.input, once ns's compiler flags check out,
    and the IR dumps they ask for (tools/ir_dumps.py) or None; raises
    CompileError."""
    from ..compiler import pipeline
    from .iree_flags import check
    from .ir_dumps import ir_dumps
    errors, warnings = check(ns)
    if errors:
        raise CompileError(f"error: {errors[0]}")
    try:
        dumps = ir_dumps(ns, pipeline(ns.execution_model))
    except ValueError as e:
        raise CompileError(f"error: {e}") from None
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    text, name = read_source(ns.input)
    targets = target_errors(ns)
    if targets:   # iree-compile reports them at the input's 0:0
        raise CompileError(f"{name}:0:0: error: {targets[0]}")
    return text, name, dumps


def compile_input(ns):
    """The isa.module.Module for ns.input under ns's compiler flags;
    raises CompileError."""
    from ..compiler import compile_module
    from ..ir.core import Diagnostic
    text, name, dumps = checked_source(ns)
    try:
        return compile_module(text, name, ns.execution_model, trace_dispatch_tensors=ns.trace_dispatch_tensors,
                              observer=dumps)
    except Diagnostic as d:
        raise CompileError(d.render()) from None


def run(ns):
    from ..compiler import compile_output
    from ..ir.core import Diagnostic
    try:
        text, name, dumps = checked_source(ns)
        try:
            pieces = compile_output(text, name, ns.execution_model, ns.compile_to, ns.print_op_generic,
                                    ns.print_debuginfo, trace_dispatch_tensors=ns.trace_dispatch_tensors,
                                    observer=dumps)
        except Diagnostic as d:
            raise CompileError(d.render()) from None
    except CompileError as e:
        print(e, file=sys.stderr)
        return 1
    if ns.output in (None, "-"):
        sys.stdout.buffer.writelines(pieces)
        sys.stdout.buffer.flush()
    else:
        try:
            write_atomically(ns.output, pieces)
        except OSError as e:
            print(f"error: cannot write output file '{ns.output}': {e.strerror}", file=sys.stderr)
            return 1
    return 0
