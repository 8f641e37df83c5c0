"""2-D NCHW convolutions of f32 and static shape as one `iree_lite.conv2d`
(the native direct kernel, buffer.conv2d): no im2col copy of the windows,
and a `tensor.pad` of zeros in front of the input folded into the window
read (the kernel reads zero outside the input) instead of a padded copy.
Other convolutions take the general rewrite (convolution.py)."""
import math

from ..dialects.convolution import strides_and_dilations
from ..ir.attributes import DenseElementsAttr, FloatAttr
from ..ir.elements import CONV_WINDOW_LIMIT
from ..ir.types import TensorType
from .build import float_constant, view

# Each form as views of the kernel's operands: input [n][groups*c][h][w],
# filter [groups*f][c][kh][kw], output [n][groups*f][oh][ow]; `groups` is
# the number of groups as a function of the shapes (input, filter).
DIRECT = {
    "conv_2d_nchw_fchw": lambda x, w: 1,
    "conv_2d_ngchw_gfchw": lambda x, w: x[1],
    "depthwise_conv_2d_nchw_chw": lambda x, w: x[1],
}


def direct_conv(op, rw, kind, ins, init):
    """The convolution as iree_lite.conv2d, or None where the kernel does not take it."""
    x, w = ins
    if kind not in DIRECT or any(not v.type.is_static or v.type.element.name != "f32" for v in (x, w, init)):
        return None
    groups = DIRECT[kind](x.type.shape, w.type.shape)
    strides, dilations = strides_and_dilations(op, 2)
    x, pads = zero_padding_folded(x)
    if not all(1 <= v <= CONV_WINDOW_LIMIT for v in (*strides, *dilations, groups)) or \
            not all(0 <= p <= CONV_WINDOW_LIMIT for p in pads):
        return None
    xs, ws, outs = x.type.shape, w.type.shape, init.type.shape
    x4 = view(rw, x, [xs[0], math.prod(xs[1:-2]), *xs[-2:]]) if len(xs) != 4 else x
    w4 = view(rw, w, [groups * (ws[-4] if len(ws) >= 4 else 1), ws[-3] if len(ws) >= 4 else 1, *ws[-2:]]) \
        if len(ws) != 4 else w
    shape4 = [outs[0], math.prod(outs[1:-2]), *outs[-2:]]
    fresh = is_positive_zero_splat(init)
    # From +0.0: no accumulator to fill and copy, the kernel starts each sum from +0.0 itself.
    acc = [] if fresh else [view(rw, init, shape4) if len(outs) != 4 else init]
    window = (*strides, *dilations, *pads, groups, int(fresh))
    result = rw.new("iree_lite.conv2d", [*acc, x4, w4], [TensorType(tuple(shape4), init.type.element)],
                    {"window": window})[0]
    return view(rw, result, list(outs)) if len(outs) != 4 else result


def is_positive_zero_splat(t):
    """Whether tensor `t` is every element +0.0: a splat constant, or a
    tensor.splat or linalg.fill of a +0.0 scalar constant."""
    owner = t.owner
    name = getattr(owner, "name", None)
    if name == "arith.constant":
        attr = owner.attributes.get("value")
        return isinstance(attr, DenseElementsAttr) and attr.splat and is_positive_zero(attr.values[0])
    if name in ("tensor.splat", "linalg.fill") and owner.operands:
        value = float_constant(owner.operands[0])
        return value is not None and is_positive_zero(value)
    return False


def is_positive_zero(value):
    return isinstance(value, float) and value == 0.0 and math.copysign(1.0, value) > 0


def zero_padding_folded(x):
    """(the tensor padded, its low pads along h and w) when `x` is a static
    tensor.pad by +0.0 along h and w only (high pads need nothing: the
    kernel reads zero past the input's end); else (x, (0, 0))."""
    pad = x.owner
    if getattr(pad, "name", None) != "tensor.pad" or pad.regions or len(pad.operands) != 2:
        return x, (0, 0)
    value = getattr(pad.operands[1].owner, "attributes", {}).get("value")
    low, high = pad.attributes["low"], pad.attributes["high"]
    if not isinstance(value, FloatAttr) or value.value != 0.0 or math.copysign(1.0, value.value) < 0 or \
            pad.operands[1].owner.name != "arith.constant" or \
            not all(isinstance(n, int) for n in (*low, *high)) or any(n != 0 for n in (*low[:-2], *high[:-2])):
        return x, (0, 0)
    return pad.operands[0], tuple(low[-2:])
