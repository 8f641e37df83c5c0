"""BitCast (opset 26): the same bits read as another element type of the
same width."""
import numpy as np

from ..emitter import NodeError, Value
from .elementwise import cast_value, onnx_dtype


def bitcast(node):
    x = node.inputs[0]
    dtype = np.dtype(onnx_dtype(node.attrs.get("to"), "bitcast to"))
    if dtype.itemsize != x.dtype.itemsize:
        raise NodeError(f"bitcast from {x.dtype} to {dtype} changes the element width")
    if (dtype.kind == "b") != (x.dtype.kind == "b"):   # bool's byte is 0 or 1, MLIR's i1 one bit
        return cast_value(node.e, x, dtype)
    if x.const is not None and x.ssa is None:
        return Value(x.shape, dtype, const=x.const.view(dtype))
    if x.element == Value((), dtype).element:   # signless MLIR: signed and unsigned share the type
        return Value(x.shape, dtype, ssa=node.e.materialize(x))
    return node.e.elementwise([x], dtype, lambda b, xs: b.emit(f"arith.bitcast {xs[0]} : {x.element} to "
                                                                f"{Value((), dtype).element}"))


CONVERTERS = {"BitCast": bitcast}
