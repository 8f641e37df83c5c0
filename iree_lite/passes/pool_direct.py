"""2-D NCHW poolings of f32 and static shape by maximumf or addf as one
`iree_lite.pool2d` (the native direct kernel, buffer.pool2d): linalg's
pooling_nchw_max and pooling_nchw_sum (IREE's importer), and the
linalg.generic form iree-lite's ONNX importer writes for MaxPool,
AveragePool and GlobalAveragePool's window (input read at
`out * stride + tap * dilation`, a window operand giving the taps' bounds,
the body `combine(acc, in)`). A tensor.pad by the combiner's padding in
front of the input (-inf for max, +0.0 for sum) folds into the window read,
and an init that is a fill of it into the kernel, which then starts each
output from the padding. No window copy and no padded copy; each output
folds its window's points in the same order as before, so results keep
their bits (NaN and -0 included).
Other poolings take the general rewrite (convolution.py, small_reductions.py)."""
from ..dialects.convolution import strides_and_dilations
from ..dialects.linalg import ins_outs
from ..ir.elements import CONV_WINDOW_LIMIT
from ..isa.table import POOL_PADDING
from .build import map_dimensions, padding_folded, same_float, splat_value

NAMED = {"pooling_nchw_max": "maximumf", "pooling_nchw_sum": "addf"}


def direct_pool(op, rw, kind, ins, init):
    """A named NCHW pooling as iree_lite.pool2d, or None where the kernel does not take it."""
    if kind not in NAMED:
        return None
    x, window = ins
    return pool(rw, x, window.type.shape, *strides_and_dilations(op, 2), NAMED[kind], init)


def pooling_generic(op, rw, kinds):
    """A linalg.generic that is a 2-D NCHW pooling (see the module's doc) as
    iree_lite.pool2d, or None where it is not one the kernel takes."""
    ins, outs = ins_outs(op)
    if len(ins) != 2 or len(outs) != 1 or kinds != ["parallel"] * 4 + ["reduction"] * 2 or \
            [getattr(v.type, "rank", None) for v in (*ins, *outs)] != [4, 2, 4]:
        return None
    maps = op.attributes["indexing_maps"].values
    if any(m.linear() is None for m in maps) or map_dimensions(maps[0])[:2] != [0, 1] or \
            map_dimensions(maps[1]) != [4, 5] or map_dimensions(maps[2]) != [0, 1, 2, 3]:
        return None
    forms = maps[0].linear()
    steps = []   # (stride, dilation) along h and w: in = out * stride + tap * dilation
    for k, (coeffs, const) in enumerate(forms[2:]):
        if const or any(c for d, c in enumerate(coeffs) if d not in (2 + k, 4 + k)):
            return None
        steps.append((coeffs[2 + k], coeffs[4 + k]))
    body = op.regions[0].blocks[0]
    x_arg, _, acc_arg = body.arguments
    if len(body.operations) != 2:
        return None
    combine, yielded = body.operations
    name = combine.name.removeprefix("arith.")
    if name not in POOL_PADDING or combine.operands != [acc_arg, x_arg] or yielded.operands != combine.results:
        return None
    (s_h, d_h), (s_w, d_w) = steps
    result = pool(rw, ins[0], ins[1].type.shape, (s_h, s_w), (d_h, d_w), name, outs[0])
    return None if result is None else [result]


def pool(rw, x, kernel, strides, dilations, combiner, init):
    """iree_lite.pool2d of x into init, or None where the kernel does not take it."""
    if any(v.type.rank != 4 or not v.type.is_static or v.type.element.name != "f32" for v in (x, init)) or \
            None in kernel:
        return None
    x, pads = padding_folded(x, POOL_PADDING[combiner])
    # From a fill of the padding (IREE's importer fills -inf before a max):
    # no accumulator to fill, each output starts from the padding itself.
    fresh = same_float(splat_value(init), POOL_PADDING[combiner])
    window = (*kernel, *strides, *dilations, *pads, int(fresh))
    if not all(1 <= v <= CONV_WINDOW_LIMIT for v in window[:6]) or not all(0 <= p <= CONV_WINDOW_LIMIT for p in pads):
        return None
    return rw.new("iree_lite.pool2d", [x] if fresh else [init, x], [init.type],
                  {"window": window, "combiner": combiner})[0]
