"""Convolutions and poolings against direct numpy loops over the output
positions, with strides and dilations, on both devices; and their errors."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError

DTYPES = {"f32": np.float32, "f64": np.float64, "i32": np.int32}


def tensor(shape, element):
    return f"tensor<{'x'.join(map(str, shape))}x{element}>"


def program(kind, x, w, out, element, strides, dilations, window_element=None):
    attrs = f"{{dilations = dense<{list(dilations)}> : tensor<2xi64>, strides = dense<{list(strides)}> : tensor<2xi64>}}"
    tx, tw, to = tensor(x, element), tensor(w, window_element or element), tensor(out, element)
    return (f"func.func @f(%x: {tx}, %w: {tw}, %o: {to}) -> {to} {{\n"
            f"  %r = linalg.{kind} {attrs} ins(%x, %w : {tx}, {tw}) outs(%o : {to}) -> {to}\n"
            f"  return %r : {to}\n}}\n")


def window(x_nhwc, oh, ow, kh, kw, s, d):
    """x[n, oh*s + i*d, ow*s + j*d, c] for i < kh, j < kw: (n, kh, kw, c)."""
    return x_nhwc[:, oh * s[0]:oh * s[0] + (kh - 1) * d[0] + 1:d[0], ow * s[1]:ow * s[1] + (kw - 1) * d[1] + 1:d[1], :]


def reference(kind, x, w, init, s, d):
    out = init.copy()
    nchw = kind == "conv_2d_nchw_fchw"
    xh = x.transpose(0, 2, 3, 1) if nchw else x
    kh, kw = (w.shape[2:] if nchw else w.shape[:2])
    oh_n, ow_n = (out.shape[2:] if nchw else out.shape[1:3])
    for oh in range(oh_n):
        for ow in range(ow_n):
            p = window(xh, oh, ow, kh, kw, s, d)
            if kind == "conv_2d_nhwc_hwcf":
                out[:, oh, ow, :] += np.einsum("nijc,ijcf->nf", p, w)
            elif nchw:
                out[:, :, oh, ow] += np.einsum("nijc,fcij->nf", p, w)
            elif kind == "depthwise_conv_2d_nhwc_hwc":
                out[:, oh, ow, :] += (p * w).sum(axis=(1, 2))
            elif kind == "pooling_nhwc_sum":
                out[:, oh, ow, :] += p.sum(axis=(1, 2))
            else:
                out[:, oh, ow, :] = np.maximum(out[:, oh, ow, :], p.max(axis=(1, 2)))
    return out


def shapes(kind, n, h, w, c, kh, kw, f, s, d):
    oh, ow = (h - (kh - 1) * d[0] - 1) // s[0] + 1, (w - (kw - 1) * d[1] - 1) // s[1] + 1
    return {"conv_2d_nhwc_hwcf": ((n, h, w, c), (kh, kw, c, f), (n, oh, ow, f)),
            "conv_2d_nchw_fchw": ((n, c, h, w), (f, c, kh, kw), (n, f, oh, ow)),
            "depthwise_conv_2d_nhwc_hwc": ((n, h, w, c), (kh, kw, c), (n, oh, ow, c)),
            "pooling_nhwc_sum": ((n, h, w, c), (kh, kw), (n, oh, ow, c)),
            "pooling_nhwc_max": ((n, h, w, c), (kh, kw), (n, oh, ow, c))}[kind]


KINDS = ["conv_2d_nhwc_hwcf", "conv_2d_nchw_fchw", "depthwise_conv_2d_nhwc_hwc", "pooling_nhwc_sum",
         "pooling_nhwc_max"]


@pytest.mark.parametrize("element", sorted(DTYPES))
@pytest.mark.parametrize("dims,s,d", [((1, 5, 6, 3, 2, 3, 4), (1, 1), (1, 1)),
                                      ((2, 9, 7, 2, 3, 2, 3), (2, 1), (1, 2)),
                                      ((3, 8, 8, 1, 1, 1, 5), (3, 3), (1, 1))])
@pytest.mark.parametrize("kind", KINDS)
def test_convolutions_match_numpy(kind, dims, s, d, element):
    xs, ws, os_ = shapes(kind, *dims, s, d)
    rng = np.random.default_rng(len(kind) + dims[1])
    dt = DTYPES[element]
    x = rng.integers(-20, 20, xs).astype(dt)
    w = rng.integers(-5, 5, ws).astype(dt)
    init = rng.integers(-50, 50, os_).astype(dt)
    pooling = kind.startswith("pooling")
    src = program(kind, xs, ws, os_, element, s, d, "f32" if pooling else None)
    want = reference(kind, x, w, init, s, d)
    module = compile_module(src, "conv.mlir")
    for device, workers in (("local-sync", None), ("local-task", 2)):
        ctx = Context(device, workers)
        ctx.load(module)
        got = np.asarray(ctx.invoke("f", [x, np.zeros(ws, np.float32) if pooling else w, init])[0])
        np.testing.assert_array_equal(got, want)   # small integers: exact in every type


def test_max_pooling_propagates_nan_and_keeps_the_init():
    src = program("pooling_nhwc_max", (1, 3, 3, 1), (2, 2), (1, 2, 2, 1), "f32", (1, 1), (1, 1))
    ctx = Context("local-sync")
    ctx.load(compile_module(src, "p.mlir"))
    x = np.array([np.nan, 1, 2, 3, 4, 5, 6, 7, -8], np.float32).reshape(1, 3, 3, 1)
    init = np.array([-np.inf, -np.inf, -np.inf, 100], np.float32).reshape(1, 2, 2, 1)
    got = np.asarray(ctx.invoke("f", [x, np.zeros((2, 2), np.float32), init])[0]).reshape(-1)
    np.testing.assert_array_equal(got, [np.nan, 5, 7, 100])   # assert_array_equal matches NaN with NaN


@pytest.mark.parametrize("kind,xs,ws,os_,message", [
    ("conv_2d_nhwc_hwcf", (1, 4, 4, 2), (3, 3, 3, 1), (1, 2, 2, 1), "channel sizes 2 and 3 differ"),
    ("conv_2d_nhwc_hwcf", (1, 4, 4, 2), (3, 3, 2, 1), (1, 3, 2, 1),
     r"window of 3 \(stride 1, dilation 1\) does not give 3 outputs from 4 inputs"),
    ("depthwise_conv_2d_nhwc_hwc", (1, 4, 4, 2), (3, 3, 2, 1), (1, 2, 2, 2), "ranks 4, 3, 4"),
])
def test_convolution_errors(kind, xs, ws, os_, message):
    with pytest.raises(Diagnostic, match=message) as e:
        compile_module(program(kind, xs, ws, os_, "f32", (1, 1), (1, 1)), "bad.mlir")
    assert e.value.render().startswith("bad.mlir:2:8: error:")


def dynamic(shape, element, axes):
    """The tensor type of `shape` with dimensions `axes` dynamic."""
    return tensor(["?" if k in axes else n for k, n in enumerate(shape)], element)


def dynamic_program(kind, xs, ws, os_, s, d, axes, seed=0):
    """The convolution compiled with dynamic dimensions `axes` of each
    operand (input, filter, output), and arrays of shapes xs, ws and os_."""
    pooling = kind.startswith("pooling")
    src = program(kind, xs, ws, os_, "f32", s, d, "f32" if pooling else None)
    for shape, dims in zip((xs, ws, os_), axes):
        src = src.replace(tensor(shape, "f32"), dynamic(shape, "f32", dims))
    rng = np.random.default_rng(seed)
    x = rng.integers(-20, 20, xs).astype(np.float32)
    w = np.zeros(ws, np.float32) if pooling else rng.integers(-5, 5, ws).astype(np.float32)
    init = rng.integers(-50, 50, os_).astype(np.float32)
    return compile_module(src, "conv.mlir"), [x, w, init]


def run_both(module, arrays):
    """The results of local-task and of the reference interpreter."""
    ctx = Context("local-task", 2)
    ctx.load(module)
    got = np.asarray(ctx.invoke("f", arrays)[0])
    ref = interp.Context()
    ref.load(module)
    want = ref.invoke("f", [interp.Buffer("f32", a.shape, bytearray(a.tobytes())) for a in arrays])[0]
    return got, np.frombuffer(bytes(want.data), np.float32).reshape(want.shape)


def run_dynamic(kind, xs, ws, os_, s, d, axes, seed=0):
    """Both VMs agree bit for bit; their result and numpy's."""
    module, arrays = dynamic_program(kind, xs, ws, os_, s, d, axes, seed)
    got, ref = run_both(module, arrays)
    assert ref.tobytes() == got.tobytes()
    return got, reference(kind, *arrays, s, d)


@pytest.mark.parametrize("batch", [0, 1, 3])
@pytest.mark.parametrize("kind", KINDS)
def test_convolutions_of_a_dynamic_batch(kind, batch):
    s, d = (2, 1), (1, 2)
    xs, ws, os_ = shapes(kind, batch, 9, 7, 2, 3, 2, 3, s, d)
    got, want = run_dynamic(kind, xs, ws, os_, s, d, ({0}, set(), {0}), batch)
    np.testing.assert_array_equal(got, want)


SPATIAL = {"conv_2d_nchw_fchw": ({2, 3}, {2, 3}, {2, 3})}   # h, w; kh, kw; oh, ow


@pytest.mark.parametrize("dynamic_axes", ["spatial", "all"])
@pytest.mark.parametrize("dims,s,d", [((2, 9, 7, 2, 3, 2, 3), (2, 1), (1, 2)), ((1, 4, 5, 3, 1, 5, 2), (1, 1), (1, 1)),
                                      ((1, 3, 3, 1, 3, 3, 1), (1, 1), (1, 1))])
@pytest.mark.parametrize("kind", KINDS)
def test_convolutions_of_dynamic_sizes(kind, dims, s, d, dynamic_axes):
    """Spatial sizes (input, window and output) or every size read at run time."""
    xs, ws, os_ = shapes(kind, *dims, s, d)
    axes = SPATIAL.get(kind, ({1, 2}, {0, 1}, {1, 2}))
    if dynamic_axes == "all":
        axes = tuple(set(range(len(shape))) for shape in (xs, ws, os_))
    got, want = run_dynamic(kind, xs, ws, os_, s, d, axes, dims[1])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("xs,ws,os_,message", [
    ((1, 4, 4, 2), (3, 3, 2, 1), (1, 3, 2, 1), "OUT_OF_RANGE.*window of '1x4x4x2' to '1x3x2x3x3x2'"),
    ((1, 4, 4, 3), (3, 3, 2, 1), (1, 2, 2, 1), "INVALID_ARGUMENT.*'1x4x4x3' to '1x2x2x3x3x2'"),
])
def test_dynamic_convolution_shapes_that_disagree_fail_the_call(xs, ws, os_, message):
    """A window reaching past the input, or channels that differ, found at
    run time: an error naming both shapes, from both VMs."""
    module, arrays = dynamic_program("conv_2d_nhwc_hwcf", xs, ws, os_, (1, 1), (1, 1), ({1, 2, 3}, set(), {1, 2}))
    for vm in (Context("local-task", 2), interp.Context()):
        vm.load(module)
        args = arrays if isinstance(vm, Context) else [interp.Buffer("f32", a.shape, bytearray(a.tobytes()))
                                                      for a in arrays]
        with pytest.raises(VMError, match=message):
            vm.invoke("f", args)
