"""Every convolution and pooling linalg defines (1-D, 2-D, 3-D; each
layout; grouped, depthwise with and without a multiplier; sum, max, min
pooling, signed and unsigned), against a direct loop over all loops, on
both VMs; and their errors."""
import itertools

import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.vm import interp

# Each op's input, filter (or window) and output dimensions, written out as
# MLIR's LinalgNamedStructuredOps.yaml defines them. A spatial letter in the
# input is read at o<letter> * stride + k<letter> * dilation.
LAYOUTS = {
    "conv_1d": ("w", "kw", "ow"),
    "conv_2d": ("h w", "kh kw", "oh ow"),
    "conv_3d": ("d h w", "kd kh kw", "od oh ow"),
    "conv_1d_nwc_wcf": ("n w c", "kw c f", "n ow f"),
    "conv_1d_ncw_fcw": ("n c w", "f c kw", "n f ow"),
    "conv_2d_nhwc_hwcf": ("n h w c", "kh kw c f", "n oh ow f"),
    "conv_2d_nhwc_fhwc": ("n h w c", "f kh kw c", "n oh ow f"),
    "conv_2d_nchw_fchw": ("n c h w", "f c kh kw", "n f oh ow"),
    "conv_2d_ngchw_fgchw": ("n g c h w", "f g c kh kw", "n g f oh ow"),
    "conv_2d_ngchw_gfchw": ("n g c h w", "g f c kh kw", "n g f oh ow"),
    "conv_2d_nhwgc_gfhwc": ("n h w g c", "g f kh kw c", "n oh ow g f"),
    "conv_3d_ndhwc_dhwcf": ("n d h w c", "kd kh kw c f", "n od oh ow f"),
    "conv_3d_ncdhw_fcdhw": ("n c d h w", "f c kd kh kw", "n f od oh ow"),
    "depthwise_conv_1d_nwc_wc": ("n w c", "kw c", "n ow c"),
    "depthwise_conv_1d_ncw_cw": ("n c w", "c kw", "n c ow"),
    "depthwise_conv_1d_nwc_wcm": ("n w c", "kw c m", "n ow c m"),
    "depthwise_conv_2d_nhwc_hwc": ("n h w c", "kh kw c", "n oh ow c"),
    "depthwise_conv_2d_nchw_chw": ("n c h w", "c kh kw", "n c oh ow"),
    "depthwise_conv_2d_nhwc_hwcm": ("n h w c", "kh kw c m", "n oh ow c m"),
    "depthwise_conv_3d_ndhwc_dhwc": ("n d h w c", "kd kh kw c", "n od oh ow c"),
    "depthwise_conv_3d_ncdhw_cdhw": ("n c d h w", "c kd kh kw", "n c od oh ow"),
    "depthwise_conv_3d_ndhwc_dhwcm": ("n d h w c", "kd kh kw c m", "n od oh ow c m"),
}
for _layout, _pools in (("nhwc", "sum max max_unsigned min min_unsigned"), ("nchw", "sum max"),
                        ("nwc", "sum max max_unsigned min min_unsigned"), ("ncw", "sum max"),
                        ("ndhwc", "sum max min")):
    _spatial = [a for a in _layout if a in "dhw"]
    for _pool in _pools.split():
        LAYOUTS[f"pooling_{_layout}_{_pool}"] = (" ".join(_layout), " ".join("k" + a for a in _spatial),
                                                 " ".join("o" + a if a in "dhw" else a for a in _layout))

SIZES = {"n": 2, "c": 3, "g": 2, "f": 2, "m": 2, "od": 2, "oh": 3, "ow": 2, "kd": 2, "kh": 2, "kw": 3}


def tensor(shape, element):
    return f"tensor<{'x'.join(map(str, shape))}x{element}>"


def problem(kind, strides, dilations):
    """The shapes of the input, filter and output, and the spatial letters."""
    axes = [s.split() for s in LAYOUTS[kind]]
    spatial = [a for a in axes[0] if a in "dhw"]
    sizes = dict(SIZES)
    for a, s, d in zip(spatial, strides, dilations):
        sizes[a] = (sizes["o" + a] - 1) * s + (sizes["k" + a] - 1) * d + 1 + 1   # one input left over
    return [tuple(sizes[a] for a in names) for names in axes], spatial


def program(kind, shapes, element, strides, dilations):
    rank = len(strides)
    attrs = "" if kind in ("conv_1d", "conv_2d", "conv_3d") else (
        f"{{dilations = dense<{list(dilations)}> : tensor<{rank}xi64>, "
        f"strides = dense<{list(strides)}> : tensor<{rank}xi64>}} ")
    tx, tw, to = (tensor(s, element) for s in shapes)
    return (f"func.func @f(%x: {tx}, %w: {tw}, %o: {to}) -> {to} {{\n"
            f"  %r = linalg.{kind} {attrs}ins(%x, %w : {tx}, {tw}) outs(%o : {to}) -> {to}\n"
            f"  return %r : {to}\n}}\n")


def reference(kind, x, w, init, strides, dilations):
    """The op's definition, one loop point at a time."""
    names = [s.split() for s in LAYOUTS[kind]]
    spatial = [a for a in names[0] if a in "dhw"]
    loops = sorted({a for a in names[1] + names[2]})
    shape = {a: n for axes, arr in zip(names[1:], (w, init)) for a, n in zip(axes, arr.shape)}
    out = init.copy()
    unsigned = kind.endswith("_unsigned")
    for point in itertools.product(*(range(shape[a]) for a in loops)):
        at = dict(zip(loops, point))
        for a, s, d in zip(spatial, strides, dilations):
            at[a] = at["o" + a] * s + at["k" + a] * d
        xi = x[tuple(at[a] for a in names[0])]
        o = tuple(at[a] for a in names[2])
        if kind.startswith("pooling"):
            how = kind.split("_")[2]
            if how == "sum":
                out[o] += xi
            else:
                pick = max if how == "max" else min
                key = (lambda v: int(v) & 0xFFFFFFFF) if unsigned else (lambda v: v)
                out[o] = pick(out[o], xi, key=key)
        else:
            out[o] += xi * w[tuple(at[a] for a in names[1])]
    return out


def run_both_vms(both_vms, source, arrays):
    native, ref = both_vms(source)
    got = np.asarray(native.invoke("f", arrays)[0])
    element = {np.float32: "f32", np.int32: "i32"}[arrays[0].dtype.type]
    want = ref.invoke("f", [interp.Buffer(element, a.shape, bytearray(a.tobytes())) for a in arrays])[0]
    assert bytes(want.data) == got.tobytes()
    return got


@pytest.mark.parametrize("kind,element", [(k, e) for k in sorted(LAYOUTS) for e in ("f32", "i32")
                                          if e == "i32" or not k.endswith("_unsigned")])
def test_every_convolution_and_pooling_matches_its_definition(both_vms, kind, element):
    plain = kind in ("conv_1d", "conv_2d", "conv_3d")
    rank = len([a for a in LAYOUTS[kind][0].split() if a in "dhw"])
    strides, dilations = ((1,) * rank, (1,) * rank) if plain else ((2, 1, 1)[:rank], (1, 2, 1)[3 - rank:])
    shapes, _ = problem(kind, strides, dilations)
    rng = np.random.default_rng(len(kind))
    dt = np.float32 if element == "f32" else np.int32
    x = rng.integers(-20, 20, shapes[0]).astype(dt)
    w = rng.integers(-5, 5, shapes[1]).astype(dt)
    init = rng.integers(-50, 50, shapes[2]).astype(dt)
    got = run_both_vms(both_vms, program(kind, shapes, element, strides, dilations), [x, w, init])
    np.testing.assert_array_equal(got, reference(kind, x, w, init, strides, dilations))


def test_unsigned_pooling_orders_negative_numbers_above_positive_ones(both_vms):
    """-1 is the largest u32: it wins max_unsigned and loses min_unsigned."""
    x = np.array([3, -1, 7, 0], np.int32).reshape(1, 4, 1)
    for kind, want in (("pooling_nwc_max_unsigned", [-1, -1, 7]), ("pooling_nwc_min_unsigned", [3, 7, 0])):
        init = np.array([0 if "max" in kind else -1] * 3, np.int32).reshape(1, 3, 1)
        got = run_both_vms(both_vms, program(kind, [(1, 4, 1), (2,), (1, 3, 1)], "i32", (1,), (1,)),
                           [x, np.zeros(2, np.int32), init])
        assert got.reshape(-1).tolist() == want


@pytest.mark.parametrize("kind,shapes,element,attrs,message", [
    ("pooling_nhwc_max_unsigned", [(1, 3, 3, 1), (2, 2), (1, 2, 2, 1)], "f32", "",
     "'linalg.pooling_nhwc_max_unsigned' needs an integer element type, got 'tensor<1x2x2x1xf32>'"),
    ("conv_1d_nwc_wcf", [(1, 5, 2), (3, 2, 4), (1, 3, 4)], "f32", "{strides = dense<1> : tensor<2xi64>} ",
     "'linalg.conv_1d_nwc_wcf' strides must be 1 positive integer"),
    ("conv_3d_ndhwc_dhwcf", [(1, 3, 3, 3, 2), (2, 2, 2, 2, 1), (1, 2, 2, 2, 1)], "f32",
     "{dilations = dense<[1, 1, 0]> : tensor<3xi64>} ", "'linalg.conv_3d_ndhwc_dhwcf' dilations must be 3 positive"),
    ("conv_2d_ngchw_gfchw", [(1, 2, 3, 4, 4), (3, 1, 3, 3, 3), (1, 2, 1, 2, 2)], "f32", "",
     "'linalg.conv_2d_ngchw_gfchw' group sizes 2 and 3 differ"),
    ("depthwise_conv_2d_nhwc_hwcm", [(1, 4, 4, 2), (3, 3, 2, 2), (1, 2, 2, 2, 3)], "f32", "",
     "'linalg.depthwise_conv_2d_nhwc_hwcm' multiplier sizes 2 and 3 differ"),
    ("pooling_ncw_sum", [(1, 2, 4), (3,), (1, 2, 3)], "f32", "",
     r"'linalg.pooling_ncw_sum' window of 3 \(stride 1, dilation 1\) does not give 3 outputs from 4 inputs"),
    ("conv_3d", [(3, 3), (2, 2), (2, 2)], "f32", "", "'linalg.conv_3d' takes two inputs and one output of ranks 3, 3, 3"),
])
def test_convolution_family_errors(kind, shapes, element, attrs, message):
    tx, tw, to = (tensor(s, element) for s in shapes)
    src = (f"func.func @f(%x: {tx}, %w: {tw}, %o: {to}) -> {to} {{\n"
           f"  %r = linalg.{kind} {attrs}ins(%x, %w : {tx}, {tw}) outs(%o : {to}) -> {to}\n"
           f"  return %r : {to}\n}}\n")
    with pytest.raises(Diagnostic, match=message) as e:
        compile_module(src, "bad.mlir")
    assert e.value.render().startswith("bad.mlir:2:8: error:")
