"""Ops whose output depends only on shapes and attributes, not on input
values: EyeLike and the windows (HannWindow, HammingWindow,
BlackmanWindow), constants computed at import time."""
import numpy as np

from ..emitter import NodeError, Value, fmt_shape
from .elementwise import onnx_dtype
from .nn import static
from .ordering import count_operand


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


def cosine_window(coefficients):
    """sum_j (-1)^j a_j cos(2 pi j n / N) for n below the size, N the size
    (periodic) or the size - 1 (symmetric). A size known only at run time
    takes the declared output length, checked at run time."""
    def convert(node):
        size = count_operand(node, 0, "size", lambda n: (n,), 0)
        if size < 0:
            raise NodeError(f"size {size} is negative")
        dtype = onnx_dtype(node.attrs.get("output_datatype", 1), "output_datatype")
        period = size if node.attrs.get("periodic", 1) else size - 1
        with np.errstate(invalid="ignore"):   # a symmetric window of one element is 0/0: NaN, as onnxruntime's
            phase = 2 * np.pi * np.arange(size) / period
        window = sum((-1) ** j * a * np.cos(j * phase) for j, a in enumerate(coefficients))
        return Value((size,), dtype, const=np.asarray(window, np.float64).astype(dtype))
    return convert


CONVERTERS = {
    "EyeLike": eye_like, "HannWindow": cosine_window([0.5, 0.5]),
    "HammingWindow": cosine_window([25 / 46, 21 / 46]), "BlackmanWindow": cosine_window([0.42, 0.5, 0.08]),
}
