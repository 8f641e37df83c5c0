"""`iree-lite compile`: MLIR source -> .vmfb, like iree-compile."""
import sys

from ..fileio import write_atomically

STDIN_NAME = "<stdin>"


def read_source(path):
    """(text, display name) of an input path, `-` being stdin; None on error."""
    if path == "-":
        return sys.stdin.buffer.read().decode("utf-8", "replace"), STDIN_NAME
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace"), path
    except OSError as e:
        print(f"error opening input file: cannot open input file '{path}': {e.strerror}", file=sys.stderr)
        return None


def check_targets(ns, name):
    """iree-compile's error for an unknown target backend or device, or None."""
    from ..compiler import TARGET_BACKENDS
    for backend in list(ns.target_backends or []) + list(ns.local_target_device_backends or []):
        if backend not in TARGET_BACKENDS:
            return (f"{name}:0:0: error: target backend '{backend}' not registered; "
                    f"registered backends: [{', '.join(TARGET_BACKENDS)}]")
    if ns.target_device not in (None, "local"):
        return f"{name}:0:0: error: target device '{ns.target_device}' not registered; registered devices: [local]"
    return None


def run(ns):
    from ..compiler import compile_str
    from ..ir.core import Diagnostic
    source = read_source(ns.input)
    if source is None:
        return 1
    text, name = source
    target_error = check_targets(ns, name)
    if target_error:
        print(target_error, file=sys.stderr)
        return 1
    try:
        blob = compile_str(text, name, ns.execution_model)
    except Diagnostic as d:
        print(d.render(), file=sys.stderr)
        return 1
    if ns.output in (None, "-"):
        sys.stdout.buffer.write(blob)
        sys.stdout.buffer.flush()
    else:
        try:
            write_atomically(ns.output, blob)
        except OSError as e:
            print(f"error: cannot write output file '{ns.output}': {e.strerror}", file=sys.stderr)
            return 1
    return 0
