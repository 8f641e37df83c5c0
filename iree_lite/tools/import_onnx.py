"""`iree-lite import-onnx`: an ONNX model as MLIR text, like iree-import-onnx."""
import sys

from ..fileio import write_atomically


def run(ns):
    from ..onnx.importer import OnnxImportError, import_model
    try:
        text = import_model(ns.input, opset=ns.opset, weights=ns.weights, data_dir=ns.data_dir,
                            data_prop=ns.data_prop)
    except OnnxImportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if ns.output in (None, "-"):
        sys.stdout.write(text)
        return 0
    try:
        write_atomically(ns.output, text.encode())
    except OSError as e:
        print(f"error: cannot write '{ns.output}': {e.strerror}", file=sys.stderr)
        return 1
    return 0
