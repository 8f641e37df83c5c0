"""Convolutions on the native VM's matmul paths (windows copied by the host's
buffer.expand; tiles of 8 rows with AVX-512, 4 with AVX2/SSE2; B read by
panels for at most 128 rows, packed by rows beyond): bit for bit the
reference interpreter on every tile level and device, padded through
tensor.pad, around the tile edges, in NCHW and NHWC, grouped, depthwise,
strided and dilated; a ResNet layer against the in-order sum and the real
IREE."""

import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from tool_runs import iree_outputs_of, same_on_both

ISAS = pytest.mark.parametrize("kernel_isa", ["avx512", "avx2", "sse2"], indirect=True)
DEVICES = [("local-sync", None), ("local-task", 2)]

# kind: (input, filter, output) shapes from (n, c, h, w, f, groups, kh, kw, oh, ow).
LAYOUTS = {
    "conv_2d_nchw_fchw": lambda n, c, h, w, f, g, kh, kw, oh, ow: ((n, c, h, w), (f, c, kh, kw), (n, f, oh, ow)),
    "conv_2d_nhwc_hwcf": lambda n, c, h, w, f, g, kh, kw, oh, ow: ((n, h, w, c), (kh, kw, c, f), (n, oh, ow, f)),
    "conv_2d_ngchw_fgchw": lambda n, c, h, w, f, g, kh, kw, oh, ow: ((n, g, c, h, w), (f, g, c, kh, kw),
                                                                     (n, g, f, oh, ow)),
    "depthwise_conv_2d_nhwc_hwc": lambda n, c, h, w, f, g, kh, kw, oh, ow: ((n, h, w, c), (kh, kw, c), (n, oh, ow, c)),
    "depthwise_conv_2d_nchw_chw": lambda n, c, h, w, f, g, kh, kw, oh, ow: ((n, c, h, w), (c, kh, kw), (n, c, oh, ow)),
}


def tensor(shape):
    return f"tensor<{'x'.join(map(str, shape))}xf32>"


def padded_conv(kind, n, c, h, w, f, g=1, k=3, pad=1, s=1, d=1):
    """A function @f(x, filter) -> conv(pad(x)) of zero init, the padding
    on the spatial dimensions through tensor.pad; and its operands' shapes."""
    hp, wp = h + 2 * pad, w + 2 * pad
    oh, ow = (hp - (k - 1) * d - 1) // s + 1, (wp - (k - 1) * d - 1) // s + 1
    xs, ws, os_ = LAYOUTS[kind](n, c, h, w, f, g, k, k, oh, ow)
    spatial = [i for i, (a, b) in enumerate(zip(xs, LAYOUTS[kind](n, c, hp, wp, f, g, k, k, oh, ow)[0])) if a != b]
    low = [pad if i in spatial else 0 for i in range(len(xs))]
    xp = tuple(x + 2 * p for x, p in zip(xs, low))
    args = ", ".join(f"%i{i}: index" for i in range(len(xs)))
    attrs = f"{{dilations = dense<{d}> : tensor<2xi64>, strides = dense<{s}> : tensor<2xi64>}}"
    src = (f"func.func @f(%x: {tensor(xs)}, %w: {tensor(ws)}) -> {tensor(os_)} {{\n"
           f"  %cst = arith.constant 0.0 : f32\n"
           f"  %p = tensor.pad %x low{low} high{low} {{\n  ^bb0({args}):\n    tensor.yield %cst : f32\n"
           f"  }} : {tensor(xs)} to {tensor(xp)}\n"
           f"  %z = arith.constant dense<0.0> : {tensor(os_)}\n"
           f"  %r = linalg.{kind} {attrs} ins(%p, %w : {tensor(xp)}, {tensor(ws)}) outs(%z : {tensor(os_)})"
           f" -> {tensor(os_)}\n  return %r : {tensor(os_)}\n}}\n")
    return src, xs, ws


def check_both_vms(src, xs, ws, seed):
    """Native on each device bit for bit the reference interpreter."""
    from iree_lite.vm import interp
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32)]
    module = compile_module(src, "c.mlir")
    ref = interp.Context()
    ref.load(module)
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        same_on_both(ctx, ref, "f", arrays)


# Filters around the tile heights (NCHW: the filters are the product's rows)
# and widths (NHWC: its columns, 16 f32 to a panel); 0 channels (k = 0).
@pytest.mark.parametrize("f", [1, 7, 8, 9, 16, 17])
@pytest.mark.parametrize("kind", ["conv_2d_nchw_fchw", "conv_2d_nhwc_hwcf"])
@ISAS
def test_padded_convolutions_match_the_reference(kernel_isa, kind, f):
    check_both_vms(*padded_conv(kind, 1, 3, 6, 7, f), seed=f)


@pytest.mark.parametrize("kind,n,c,f,g,s,d", [
    ("conv_2d_nchw_fchw", 2, 4, 9, 1, 2, 1), ("conv_2d_nhwc_hwcf", 1, 5, 17, 1, 1, 2),
    ("conv_2d_ngchw_fgchw", 1, 3, 9, 2, 1, 1), ("depthwise_conv_2d_nhwc_hwc", 1, 17, 1, 1, 2, 1),
    ("depthwise_conv_2d_nchw_chw", 1, 9, 1, 1, 1, 2), ("conv_2d_nchw_fchw", 1, 0, 8, 1, 1, 1)])
@ISAS
def test_grouped_depthwise_strided_dilated_convolutions_match_the_reference(kernel_isa, kind, n, c, f, g, s, d):
    check_both_vms(*padded_conv(kind, n, c, 9, 8, f, g=g, s=s, d=d), seed=c + f)


# Stride 2 (AVX-512 packs it from two loads of 16, not a gather): a panel's
# lanes in one run or several output rows, masked at the padding on either
# side, and output rows longer than a panel.
@pytest.mark.parametrize("h,w,k", [(9, 8, 3), (7, 33, 3), (5, 56, 3), (3, 31, 1), (4, 40, 7)])
@ISAS
def test_stride_two_windows_match_the_reference(kernel_isa, h, w, k):
    check_both_vms(*padded_conv("conv_2d_nchw_fchw", 1, 2, h, w, 5, k=k, s=2, pad=k // 2), seed=w)


# The kernel packs groups of up to 16 panels (256 output pixels) at once:
# pixels around a group (255, 256, 257), k past a block of 256 (1x1 over
# 257 channels), filters split into chunks over few panels (130 of them, a
# chunk's last rows below a tile), and two images of several groups each;
# 3x3 windows and 1x1 (pointwise: panels copied from consecutive inputs).
@pytest.mark.parametrize("n,c,h,w,f,k", [(1, 1, 15, 17, 5, 3), (1, 1, 16, 16, 5, 3), (1, 1, 1, 257, 5, 3),
                                         (1, 257, 3, 6, 5, 1), (1, 1, 7, 7, 130, 3), (2, 1, 17, 17, 5, 3),
                                         (1, 2, 15, 17, 5, 1), (1, 2, 1, 257, 5, 1), (2, 3, 17, 17, 9, 1)])
@ISAS
def test_groups_of_panels_and_chunks_of_filters_match_the_reference(kernel_isa, n, c, h, w, f, k):
    check_both_vms(*padded_conv("conv_2d_nchw_fchw", n, c, h, w, f, k=k, pad=k // 2), seed=c + f)


def in_order_conv_nchw(x, w):
    """The 3x3, padding 1 NCHW convolution (batch 1) as the ISA defines its
    matrix product: each output the f32 sum, in (c, kh, kw) order, of f32
    products, from zero."""
    c, h, wd = x.shape[1:]
    p = np.pad(x[0], ((0, 0), (1, 1), (1, 1)))
    out = np.zeros((w.shape[0], h * wd), np.float32)
    for ci in range(c):
        for i in range(3):
            for j in range(3):
                window = p[ci, i:i + h, j:j + wd].reshape(1, -1)
                out = out + w[:, ci, i, j].reshape(-1, 1) * window
    return out.reshape(1, -1, h, wd)


RESNET = padded_conv("conv_2d_nchw_fchw", 1, 64, 56, 56, 64)


@ISAS
def test_a_resnet_layer_is_the_in_order_sum(kernel_isa):
    src, xs, ws = RESNET
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32)
    want = in_order_conv_nchw(x, w).tobytes()
    module = compile_module(src, "resnet.mlir")
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        (have,) = ctx.invoke("f", [x, w])
        assert np.asarray(have).tobytes() == want, device


def test_a_resnet_layer_agrees_with_iree(reference_iree, tmp_path):
    src, xs, ws = RESNET
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32)
    theirs = iree_outputs_of(reference_iree, tmp_path, src, "f", [x, w])
    ctx = Context("local-task")
    ctx.load(compile_module(src, "c.mlir"))
    (ours,) = ctx.invoke("f", [x, w])
    # IREE fuses multiply-adds and sums in its own order: agreement to the
    # f32 rounding of 576-term sums.
    np.testing.assert_allclose(np.asarray(ours), theirs, rtol=1e-4, atol=1e-3)
