"""linalg's convolutions and poolings, every layout, from one description:
an op's name says which loop each dimension of its input, filter (or
window) and output walks (`conv_2d_nhwc_hwcf`: input n, h, w, c; filter
kh, kw, c, f; output n, oh, ow, f).

Loops: n batch, c channel, g group, f filter, m channel multiplier; along
each spatial dimension s (d, h, w) the output position `os` and the window
position `ks`. An input's spatial dimension `s` is read at
os * stride + ks * dilation. The rewrite is passes/convolution.py.
"""
import re
from dataclasses import dataclass

from ..ir.types import element_type_of

NAMES = (
    "conv_1d", "conv_2d", "conv_3d", "conv_1d_nwc_wcf", "conv_1d_ncw_fcw", "conv_2d_nhwc_hwcf", "conv_2d_nhwc_fhwc",
    "conv_2d_nchw_fchw", "conv_2d_ngchw_fgchw", "conv_2d_ngchw_gfchw", "conv_2d_nhwgc_gfhwc", "conv_3d_ndhwc_dhwcf",
    "conv_3d_ncdhw_fcdhw", "depthwise_conv_1d_nwc_wc", "depthwise_conv_1d_ncw_cw", "depthwise_conv_1d_nwc_wcm",
    "depthwise_conv_2d_nhwc_hwc", "depthwise_conv_2d_nchw_chw", "depthwise_conv_2d_nhwc_hwcm",
    "depthwise_conv_3d_ndhwc_dhwc", "depthwise_conv_3d_ncdhw_cdhw", "depthwise_conv_3d_ndhwc_dhwcm",
    "pooling_nhwc_sum", "pooling_nchw_sum", "pooling_nhwc_max", "pooling_nhwc_max_unsigned", "pooling_nchw_max",
    "pooling_nhwc_min", "pooling_nhwc_min_unsigned", "pooling_nwc_sum", "pooling_ncw_sum", "pooling_nwc_max",
    "pooling_nwc_max_unsigned", "pooling_ncw_max", "pooling_nwc_min", "pooling_nwc_min_unsigned",
    "pooling_ndhwc_sum", "pooling_ndhwc_max", "pooling_ndhwc_min")

LOOP_NAMES = {"n": "batch", "c": "channel", "f": "filter", "g": "group", "m": "multiplier"}


@dataclass(frozen=True)
class Layout:
    """The loops of one convolution or pooling. `input` names the input's
    dimensions (a spatial letter for a windowed one), `filter` the
    filter's (or the pooling window's), `output` the output's; `spatial`
    the spatial letters in order (strides and dilations follow it).
    `combine`: "mul" (products summed) or a pooling's sum, max or min;
    `unsigned` for the unsigned max and min poolings."""
    input: tuple
    filter: tuple
    output: tuple
    spatial: str
    combine: str
    unsigned: bool = False

    @property
    def reduced(self):
        """The loops summed (or pooled) over, in the filter's order."""
        return tuple(a for a in self.filter if a not in self.output)

    @property
    def pooling(self):
        return self.combine != "mul"


def layout(kind):
    """The Layout of a convolution or pooling op name (without `linalg.`)."""
    pool = re.fullmatch(r"pooling_([a-z]+)_(sum|max|min)(_unsigned)?", kind)
    if pool:
        letters = pool.group(1)
        spatial = "".join(a for a in letters if a in "dhw")
        out = tuple("o" + a if a in spatial else a for a in letters)
        return Layout(tuple(letters), tuple("k" + a for a in spatial), out, spatial, pool.group(2),
                      bool(pool.group(3)))
    conv = re.fullmatch(r"(depthwise_)?conv_(\d)d(?:_([a-z]+)_([a-z]+))?", kind)
    spatial = "dhw"[3 - int(conv.group(2)):]
    letters, filter_letters = conv.group(3) or spatial, conv.group(4) or spatial
    out = []
    for a in letters:
        if a in spatial:
            out.append("o" + a)
        elif a == "c" and not conv.group(1):
            out.append("f")
        else:
            out += [a, "m"] if a == "c" and "m" in filter_letters else [a]
    return Layout(tuple(letters), tuple("k" + a if a in spatial else a for a in filter_letters), tuple(out),
                  spatial, "mul")


def loop_sizes(lay, shapes):
    """The sizes of the loops (and of the input's spatial dimensions; None
    where dynamic everywhere) from the input, filter and output shapes, with
    where each is read: {loop: (operand, axis)}; and (loop, size, size) for
    the static sizes of one loop that differ."""
    sizes, where, differ = {}, {}, []
    for operand, (axes, shape) in enumerate(zip((lay.input, lay.filter, lay.output), shapes)):
        for axis, (loop, n) in enumerate(zip(axes, shape)):
            if sizes.get(loop) is None:
                sizes[loop], where[loop] = n, (operand, axis)
            elif n is not None and n != sizes[loop]:
                differ.append((LOOP_NAMES[loop], sizes[loop], n))
    return sizes, where, differ


def strides_and_dilations(op, rank):
    """(strides, dilations) along the spatial dimensions, 1 by default."""
    pairs = []
    for key in ("strides", "dilations"):
        attr = op.attributes.get(key)
        pairs.append((1,) * rank if attr is None else tuple(attr.flat()))
    return pairs


def verify_convolution(op, ins, outs, fail, kind=None):
    """The checks of a convolution or pooling op with ins and outs; `kind`
    names the layout where op's name does not (a quantized op's base)."""
    name = op.name
    lay = layout(kind or name.split(".", 1)[1])
    ranks = tuple(len(axes) for axes in (lay.input, lay.filter, lay.output))
    if len(ins) != 2 or len(outs) != 1 or tuple(v.type.rank for v in (*ins, outs[0])) != ranks:
        fail(f"'{name}' takes two inputs and one output of ranks {', '.join(map(str, ranks))}")
    x, w, out = (v.type for v in (*ins, outs[0]))   # inputs are cast to out's element type
    if lay.unsigned and not element_type_of(out).is_int:
        fail(f"'{name}' needs an integer element type, got '{out}'")
    k = len(lay.spatial)
    for key in ("strides", "dilations"):
        attr = op.attributes.get(key)
        if attr is not None and (not hasattr(attr, "flat") or len(attr.flat()) != k or min(attr.flat()) < 1):
            fail(f"'{name}' {key} must be {k} positive integer{'s' if k > 1 else ''}")
    sizes, _, differ = loop_sizes(lay, (x.shape, w.shape, out.shape))
    for what, a, b in differ:   # dynamic sizes are checked at run time
        fail(f"'{name}' {what} sizes {a} and {b} differ")
    for s, d, a in zip(*strides_and_dilations(op, k), lay.spatial):
        o, kk, i = sizes["o" + a], sizes["k" + a], sizes[a]
        if None not in (o, kk, i) and (o < 1 or kk < 1 or (o - 1) * s + (kk - 1) * d + 1 > i):
            fail(f"'{name}' window of {kk} (stride {s}, dilation {d}) does not give {o} outputs from {i} inputs")
