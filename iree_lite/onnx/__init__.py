"""ONNX models in iree-lite: `import_model` gives MLIR text (func, arith,
math, tensor, linalg) that `iree-lite compile` and IREE's `iree-compile`
take; `load` imports, compiles and returns a callable over numpy arrays.
Needs the onnx package (the `onnx` extra)."""
from .importer import OnnxImportError, import_model, load_model


def load(source, device="local-task", opset=None, data_dir=None):
    """A callable: keyword (or one dict of) numpy arrays by ONNX input name
    -> {ONNX output name: numpy array}."""
    from .runner import Runner
    return Runner(source, device, opset, data_dir)


__all__ = ["OnnxImportError", "import_model", "load", "load_model"]
