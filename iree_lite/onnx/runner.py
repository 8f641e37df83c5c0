"""`iree_lite.onnx.load`: an imported, compiled model called by ONNX names."""
import numpy as np

from .emitter import Sequence, signed_view
from .importer import OnnxImportError, load_model, GraphImporter


class Runner:
    def __init__(self, source, device, opset, data_dir):
        from ..compiler import compile_module
        from ..ir.core import Diagnostic
        from ..runtime.context import Context
        model = load_model(source, opset, data_dir)
        importer = GraphImporter(model, "resource")
        text = importer.run()
        self.inputs = importer.arguments
        self.outputs = importer.results
        try:
            module = compile_module(text, "<onnx>")
        except Diagnostic as e:
            raise OnnxImportError(f"the imported model does not compile: {e}") from None
        self.context = Context(device)
        self.context.load(module)
        self.function = self.context.lookup(module.exports[0].name)

    def __call__(self, feeds=None, **named):
        feeds = {**(feeds or {}), **named}
        missing = [name for name, _ in self.inputs if name not in feeds]
        unknown = [name for name in feeds if name not in dict(self.inputs)]
        if missing or unknown:
            raise ValueError(f"inputs {', '.join(n for n, _ in self.inputs) or '(none)'} expected; "
                             + (f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(unknown)}"))
        args = [signed_view(np.array(feeds[name], v.dtype, order="C")) for name, v in self.inputs]
        results = iter(self.context.invoke(self.function, args))
        return {name: [as_numpy(next(results), x.dtype) for x in v.items] if isinstance(v, Sequence)
                else as_numpy(next(results), v.dtype) for name, v in self.outputs}


def as_numpy(result, dtype):
    """A result in its ONNX dtype (the VM's storage is signless)."""
    return np.asarray(result).view(dtype) if dtype != np.bool_ else np.asarray(result).astype(np.bool_)
