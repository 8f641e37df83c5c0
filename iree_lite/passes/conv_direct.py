"""2-D NCHW convolutions of f32 and static shape as one `iree_lite.conv2d`
(the native direct kernel, buffer.conv2d): no im2col copy of the windows,
and a `tensor.pad` of zeros in front of the input folded into the window
read (the kernel reads zero outside the input) instead of a padded copy.
Other convolutions take the general rewrite (convolution.py)."""
import math

from ..dialects.convolution import strides_and_dilations
from ..ir.elements import CONV_WINDOW_LIMIT
from ..ir.types import TensorType
from .build import padding_folded, same_float, splat_value, view

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
    x, pads = padding_folded(x, 0.0)
    if not all(1 <= v <= CONV_WINDOW_LIMIT for v in (*strides, *dilations, groups)) or \
            not all(0 <= p <= CONV_WINDOW_LIMIT for p in pads):
        return None
    xs, ws, outs = x.type.shape, w.type.shape, init.type.shape
    x4 = view(rw, x, [xs[0], math.prod(xs[1:-2]), *xs[-2:]]) if len(xs) != 4 else x
    w4 = view(rw, w, [groups * (ws[-4] if len(ws) >= 4 else 1), ws[-3] if len(ws) >= 4 else 1, *ws[-2:]]) \
        if len(ws) != 4 else w
    shape4 = [outs[0], math.prod(outs[1:-2]), *outs[-2:]]
    fresh = same_float(splat_value(init), 0.0)
    # From +0.0: no accumulator to fill and copy, the kernel starts each sum from +0.0 itself.
    acc = [] if fresh else [view(rw, init, shape4) if len(outs) != 4 else init]
    window = (*strides, *dilations, *pads, groups, int(fresh))
    result = rw.new("iree_lite.conv2d", [*acc, x4, w4], [TensorType(tuple(shape4), init.type.element)],
                    {"window": window})[0]
    return view(rw, result, list(outs)) if len(outs) != 4 else result
