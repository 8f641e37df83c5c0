"""Ops whose output depends only on shapes and attributes, not on input
values: EyeLike."""
import numpy as np

from ..emitter import NodeError, Value, fmt_shape
from .elementwise import onnx_dtype
from .nn import static


def eye_like(node):
    """Ones on the diagonal shifted k columns right (left for negative k),
    zeros elsewhere, in the `dtype` attribute's type or the input's: a
    constant, as the input's shape is static."""
    x = static(node.inputs[0])
    if x.rank != 2:
        raise NodeError(f"the input of shape {fmt_shape(x.shape)} is not 2-D")
    code = node.attrs.get("dtype")
    dtype = x.dtype if code is None else onnx_dtype(code, "dtype")
    return Value(x.shape, dtype, const=np.eye(*x.shape, k=node.attrs.get("k", 0), dtype=dtype))


CONVERTERS = {"EyeLike": eye_like}
