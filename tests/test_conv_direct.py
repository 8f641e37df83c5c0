"""The direct convolution (buffer.conv2d, csrc/conv.pxi): 2-D NCHW
convolutions of f32 (plain, grouped, depthwise) compile to one
buffer.conv2d reading the unpadded input (a tensor.pad of +0.0 folded into
the window read), bit for bit the reference interpreter on both devices and
every packing path (AVX-512 and AVX2 masked rows, the scalar rows) at sizes around
its tiles: output pixels around a panel (16), filters around a tile's rows
(8, or 4 below AVX-512), k around a block (256), no work at all, and filters
split across workers when panels are few; numerically the real IREE; the
verifier's bounds on the window constant; and shapes that do not agree
failing the call alike on both VMs."""

import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.elements import CONV_WINDOW_LIMIT, pack
from iree_lite.isa import ELEMENT_CODES
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError
from iree_lite.vm.verifier import VerifyError, verify_module
from tool_runs import as_buffer, host_ops, iree_outputs_of, same_on_both

DEVICES = [("local-sync", None), ("local-task", 2)]
ISAS = pytest.mark.parametrize("kernel_isa", ["avx512", "avx2", "sse2"], indirect=True)


def tensor(shape):
    return f"tensor<{'x'.join(map(str, shape))}xf32>"


def conv_source(kind, n, c, h, w, f, k=3, low=(0, 0), high=(0, 0), s=(1, 1), d=(1, 1), g=1, pad_value="0.0"):
    """@f(x, filter) -> conv(pad(x)) from a zero init, the padding (if any)
    through tensor.pad by `pad_value`; and the operands' shapes."""
    hp, wp = h + low[0] + high[0], w + low[1] + high[1]
    oh, ow = (hp - (k - 1) * d[0] - 1) // s[0] + 1, (wp - (k - 1) * d[1] - 1) // s[1] + 1
    xs, ws, outs = {
        "conv_2d_nchw_fchw": ((n, c, h, w), (f, c, k, k), (n, f, oh, ow)),
        "conv_2d_ngchw_gfchw": ((n, g, c, h, w), (g, f, c, k, k), (n, g, f, oh, ow)),
        "depthwise_conv_2d_nchw_chw": ((n, c, h, w), (c, k, k), (n, c, oh, ow)),
        "conv_2d_nhwc_hwcf": ((n, h, w, c), (k, k, c, f), (n, oh, ow, f)),
    }[kind]
    nhwc = kind.endswith("hwcf")
    lead = len(xs) - 3 if nhwc else len(xs) - 2
    lows = [0] * lead + list(low) + ([0] if nhwc else [])
    highs = [0] * lead + list(high) + ([0] if nhwc else [])
    xp = tuple(a + lo + hi for a, lo, hi in zip(xs, lows, highs))
    attrs = (f"{{dilations = dense<[{d[0]}, {d[1]}]> : tensor<2xi64>, "
             f"strides = dense<[{s[0]}, {s[1]}]> : tensor<2xi64>}}")
    src = f"func.func @f(%x: {tensor(xs)}, %w: {tensor(ws)}) -> {tensor(outs)} {{\n"
    operand = "%x"
    if any(lows) or any(highs):
        src += (f"  %cst = arith.constant {pad_value} : f32\n"
                f"  %p = tensor.pad %x low{lows} high{highs} {{\n"
                f"  ^bb0({', '.join(f'%i{i}: index' for i in range(len(xs)))}):\n    tensor.yield %cst : f32\n"
                f"  }} : {tensor(xs)} to {tensor(xp)}\n")
        operand = "%p"
    src += (f"  %z = arith.constant dense<0.0> : {tensor(outs)}\n"
            f"  %r = linalg.{kind} {attrs} ins({operand}, %w : {tensor(xp)}, {tensor(ws)}) "
            f"outs(%z : {tensor(outs)}) -> {tensor(outs)}\n  return %r : {tensor(outs)}\n}}\n")
    return src, xs, ws


def arrays_for(xs, ws, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32)]


def check_both_vms(src, xs, ws, seed=0):
    """Native on each device bit for bit the reference interpreter."""
    arrays = arrays_for(xs, ws, seed)
    module = compile_module(src, "c.mlir")
    assert "buffer.conv2d" in [name for name, _ in host_ops(module)]
    ref = interp.Context()
    ref.load(module)
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        same_on_both(ctx, ref, "f", arrays)


@pytest.mark.parametrize("kind,padded", [("conv_2d_nchw_fchw", True), ("conv_2d_ngchw_gfchw", True),
                                         ("depthwise_conv_2d_nchw_chw", False), ("conv_2d_nhwc_hwcf", True)])
def test_nchw_forms_are_one_direct_convolution_of_the_unpadded_input(kind, padded):
    src, _, _ = conv_source(kind, 1, 4, 6, 5, 3, low=(1, 1) if padded else (0, 0),
                            high=(1, 1) if padded else (0, 0), g=2)
    names = [name for name, _ in host_ops(compile_module(src, "c.mlir"))]
    if kind.endswith("hwcf"):   # NHWC keeps the window copy and the matrix product
        assert "buffer.conv2d" not in names and "buffer.matmul" in names
        return
    assert names.count("buffer.conv2d") == 1
    # No window copy, no padded copy: the kernel reads the arguments themselves.
    assert not {"buffer.expand", "buffer.scatter", "buffer.matmul"} & set(names)


# (n, c, h, w, f, k): output pixels around a panel of 16 (1, 15, 16, 17, 33),
# filters around a tile's rows (3..9), k = c*k*k around a block of 256, and
# no work at all (no image, no channel).
SIZES = [(1, 2, 1, 1, 8, 1), (1, 3, 3, 5, 7, 1), (1, 3, 4, 4, 9, 1), (1, 2, 1, 17, 8, 1), (2, 2, 3, 11, 5, 1),
         (1, 255, 2, 3, 9, 1), (1, 256, 2, 3, 8, 1), (1, 257, 1, 3, 4, 1), (1, 29, 3, 3, 3, 3),
         (0, 3, 4, 4, 8, 1), (1, 0, 4, 4, 8, 3)]


@pytest.mark.parametrize("n,c,h,w,f,k", SIZES)
@ISAS
def test_sizes_around_the_tiles_match_the_reference(kernel_isa, n, c, h, w, f, k):
    check_both_vms(*conv_source("conv_2d_nchw_fchw", n, c, h, w, f, k=k), seed=c + f)


@pytest.mark.parametrize("low,high,s,d", [((1, 1), (1, 1), (1, 1), (1, 1)), ((2, 1), (0, 3), (2, 1), (1, 2)),
                                          ((1, 2), (2, 0), (2, 2), (2, 1)), ((0, 0), (0, 0), (3, 2), (1, 1))])
@ISAS
def test_padded_strided_dilated_windows_match_the_reference(kernel_isa, low, high, s, d):
    check_both_vms(*conv_source("conv_2d_nchw_fchw", 1, 3, 7, 9, 9, low=low, high=high, s=s, d=d), seed=s[0])


# Column strides above 1 gather each run's lanes: outputs rows of 15-19
# pixels, so runs start and end inside panels, with padding on either side
# (the stem's 7x7 stride-2 window among them) and a stride of 5.
@pytest.mark.parametrize("h,w,k,low,high,s", [(9, 33, 3, (1, 1), (1, 1), (2, 2)), (5, 37, 1, (0, 0), (0, 0), (1, 2)),
                                              (23, 29, 7, (3, 3), (3, 3), (2, 2)), (6, 50, 3, (0, 2), (1, 1), (1, 3)),
                                              (4, 80, 2, (1, 0), (0, 4), (1, 5))])
@ISAS
def test_strided_windows_gathered_across_panels_match_the_reference(kernel_isa, h, w, k, low, high, s):
    check_both_vms(*conv_source("conv_2d_nchw_fchw", 1, 3, h, w, 9, k=k, low=low, high=high, s=s), seed=w)


@pytest.mark.parametrize("kind,c,f,g,s", [("conv_2d_ngchw_gfchw", 2, 5, 3, 1), ("conv_2d_ngchw_gfchw", 3, 9, 2, 2),
                                          ("depthwise_conv_2d_nchw_chw", 9, 1, 1, 1),
                                          ("depthwise_conv_2d_nchw_chw", 17, 1, 1, 2)])
@ISAS
def test_grouped_and_depthwise_match_the_reference(kernel_isa, kind, c, f, g, s):
    check_both_vms(*conv_source(kind, 1, c, 6, 7, f, low=(1, 1), high=(1, 1), s=(s, s), g=g), seed=c)


@pytest.mark.parametrize("pad_value", ["1.5", "-0.0"])
def test_padding_by_other_values_is_not_folded(pad_value):
    """Only +0.0 reads as the kernel's zero: other padding stays a copy (the
    product of -0.0 differs in sign from +0.0's)."""
    src, xs, ws = conv_source("conv_2d_nchw_fchw", 1, 3, 5, 6, 8, low=(1, 1), high=(1, 1), pad_value=pad_value)
    names = [name for name, _ in host_ops(compile_module(src, "c.mlir"))]
    assert "buffer.scatter" in names and "buffer.conv2d" in names
    check_both_vms(src, xs, ws)


def test_filters_split_across_workers_when_panels_are_few():
    """One panel of 16 pixels, 136 filters, enough work for the pool: the
    filters go to the workers in chunks of whole tiles."""
    check_both_vms(*conv_source("conv_2d_nchw_fchw", 1, 256, 4, 4, 136, k=1), seed=9)


# On 2 workers: 196 panels (56x56 pixels) in 18 groups of 11 and 9, and
# 784 (112x112) in 56 groups of 14, so each worker takes as many; 49 (28x28)
# in 7 groups of 7, its 256 filters in 2 chunks (14 items, not 7).
@pytest.mark.parametrize("c,h,f", [(4, 56, 16), (2, 28, 256), (1, 112, 8)])
def test_panel_groups_and_filter_chunks_shared_evenly_match_the_reference(c, h, f):
    check_both_vms(*conv_source("conv_2d_nchw_fchw", 1, c, h, h, f, low=(1, 1), high=(1, 1)), seed=h)


def test_a_large_convolution_matches_the_reference():
    check_both_vms(*conv_source("conv_2d_nchw_fchw", 1, 16, 18, 20, 24, low=(1, 1), high=(1, 1)), seed=4)


@pytest.mark.parametrize("kind,c,f,g,k,low,s,d", [
    ("conv_2d_nchw_fchw", 16, 24, 1, 3, (1, 1), (1, 1), (1, 1)),
    ("conv_2d_nchw_fchw", 8, 17, 1, 7, (3, 3), (2, 2), (1, 1)),
    ("conv_2d_nchw_fchw", 5, 9, 1, 3, (2, 1), (1, 2), (2, 1)),
    ("conv_2d_ngchw_gfchw", 4, 6, 2, 3, (1, 1), (1, 1), (1, 1)),
    ("depthwise_conv_2d_nchw_chw", 12, 1, 1, 3, (1, 1), (2, 2), (1, 1)),
])
def test_agrees_with_iree(reference_iree, tmp_path, kind, c, f, g, k, low, s, d):
    src, xs, ws = conv_source(kind, 1, c, 21, 19, f, k=k, low=low, high=low, s=s, d=d, g=g)
    x, w = arrays_for(xs, ws, seed=c)
    theirs = iree_outputs_of(reference_iree, tmp_path, src, "f", [x, w])
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(compile_module(src, "c.mlir"))
        (ours,) = ctx.invoke("f", [x, w])
        # IREE fuses multiply-adds and sums in its own order.
        np.testing.assert_allclose(np.asarray(ours), theirs, rtol=1e-4, atol=1e-4)


@pytest.fixture(scope="module")
def small_conv():
    src, xs, ws = conv_source("conv_2d_nchw_fchw", 1, 3, 5, 5, 4, low=(1, 1), high=(1, 1))
    return compile_module(src, "c.mlir"), xs, ws


def with_window(module, window):
    """module with its buffer.conv2d's window constant replaced by i64 `window`."""
    (ordinal,) = [v["window"] for name, v in host_ops(module) if name == "buffer.conv2d"]
    constants = list(module.constants)
    constants[ordinal] = constants[ordinal].replace(shape=(len(window),), data=pack("i64", window))
    return module.replace(constants=constants)


@pytest.mark.parametrize("at", range(7))
def test_the_verifier_bounds_the_window_at_its_limit(small_conv, at):
    module = small_conv[0]
    window = [1, 1, 1, 1, 1, 1, 1, 1]
    window[at] = CONV_WINDOW_LIMIT
    verify_module(with_window(module, window))
    window[at] = CONV_WINDOW_LIMIT + 1
    with pytest.raises(VerifyError, match="a convolution window must be i64 strides and dilations in 1..1048576, "
                                          "pads in 0..1048576, groups in 1..1048576 and fresh 0 or 1"):
        verify_module(with_window(module, window))
    window[at] = 0 if at in (4, 5) else 1
    verify_module(with_window(module, window))
    window[at] = -1 if at in (4, 5) else 0
    with pytest.raises(VerifyError, match="a convolution window must be"):
        verify_module(with_window(module, window))


def test_the_verifier_wants_eight_entries_the_last_zero_or_one(small_conv):
    for fresh in (0, 1):
        verify_module(with_window(small_conv[0], [1] * 7 + [fresh]))
    for window in ([1] * 7, [1] * 9, [1] * 7 + [2], [1] * 7 + [-1]):
        with pytest.raises(VerifyError, match="a convolution window must be"):
            verify_module(with_window(small_conv[0], window))


def test_the_verifier_wants_the_window_as_i64(small_conv):
    """Eight entries' worth of bytes in another element type is no window (it used to reach an index error)."""
    module = with_window(small_conv[0], [1] * 8)
    (ordinal,) = [v["window"] for name, v in host_ops(module) if name == "buffer.conv2d"]
    constants = list(module.constants)
    constants[ordinal] = constants[ordinal].replace(element=ELEMENT_CODES["f64"], data=pack("f64", [1.0] * 8))
    with pytest.raises(VerifyError, match="a convolution window must be i64"):
        verify_module(module.replace(constants=constants))


def test_shapes_that_do_not_agree_fail_the_call_on_both_vms(small_conv):
    """Three groups of a 3-channel filter would need 9 input channels."""
    module, xs, ws = small_conv
    bad = with_window(module, [1, 1, 1, 1, 1, 1, 3, 1])
    arrays = arrays_for(xs, ws, 0)
    message = ("INVALID_ARGUMENT; conv2d of '1x3x5x5' by '4x3x3x3' into '1x4x5x5': the shapes do not agree")
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(bad)
        with pytest.raises(VMError, match=message):
            ctx.invoke("f", arrays)
    ref = interp.Context()
    ref.load(bad)
    with pytest.raises(VMError, match=message):
        ref.invoke("f", [as_buffer(a) for a in arrays])


def packed_once(src, xs, ws, workers, seed=0):
    """The convolution on `workers`, bit for bit the same as on one (the
    reference checks above hold that one), and whether its workers packed
    the window matrix once for all the filter chunks (windows_packed_once)."""
    arrays = arrays_for(xs, ws, seed)
    module = compile_module(src, "c.mlir")
    outputs = []
    for n in (1, workers):
        ctx = Context("local-task", n)
        ctx.load(module)
        outputs.append(np.asarray(ctx.invoke("f", arrays)[0]).tobytes())
    assert outputs[0] == outputs[1]
    return ctx.native.statistics()["windows_packed_once"]


# Filters in chunks over few panels: the workers pack the window matrix
# once, together, where it takes at most 8 MiB (CONV_SHARED_BYTES,
# csrc/conv.pxi); else each chunk packs its panels again, and so do those of
# a pointwise layer (its packing a copy of input rows). 1x1 at stride 2 over
# 13x13 pixels: 7x7 outputs, one group of 4 panels, 64 f32 rows of k =
# channels, so 32768 channels are 8 MiB and 32769 one row past; 128
# filters, 2 chunks.
@pytest.mark.parametrize("c,h,k,s,f,workers,once", [(32768, 13, 1, 2, 128, 2, 1), (32769, 13, 1, 2, 128, 2, 0),
                                                    (128, 28, 3, 1, 128, 2, 1), (96, 14, 3, 1, 256, 3, 1),
                                                    (256, 7, 1, 2, 136, 4, 1), (256, 4, 1, 1, 136, 4, 0),
                                                    (64, 28, 3, 1, 16, 2, 0)])
def test_filter_chunks_share_one_packing_of_the_windows_up_to_its_limit(c, h, k, s, f, workers, once):
    src, xs, ws = conv_source("conv_2d_nchw_fchw", 1, c, h, h, f, k=k, low=(k // 2,) * 2, high=(k // 2,) * 2,
                              s=(s, s))
    assert packed_once(src, xs, ws, workers, seed=c) == once
