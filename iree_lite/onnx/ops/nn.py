"""Convolution, pooling, normalization and matrix products."""
import math

import numpy as np

from ..emitter import NodeError, Value, broadcast_exprs, broadcast_shapes, fmt_shape
from .elementwise import check_float


def static(v, what="input"):
    if None in v.shape:
        raise NodeError(f"{what} of shape {fmt_shape(v.shape)}: dynamic dimensions are not supported here yet")
    return v


def spatial_2d(node, x, what):
    """x as 4-D (N, C, H, W): 1-D spatial inputs get H = 1."""
    static(x)
    if x.rank == 3:
        return node.e.reshape(x, (x.shape[0], x.shape[1], 1, x.shape[2])), True
    if x.rank != 4:
        raise NodeError(f"{what} with {x.rank - 2} spatial dimensions is not supported (1 or 2 are)")
    return x, False


def window_attrs(node, spatial, kernel, lifted):
    """(strides, dilations, pads_low, pads_high) over (H, W), after auto_pad."""
    a = node.attrs
    n = len(kernel) - (1 if lifted else 0)
    strides = list(a.get("strides", [1] * n))
    dilations = list(a.get("dilations", [1] * n))
    pads = list(a.get("pads", [0] * 2 * n))
    low, high = pads[:n], pads[n:]
    auto_pad = a.get("auto_pad", "NOTSET")
    if lifted:
        strides, dilations, low, high = [1] + strides, [1] + dilations, [0] + low, [0] + high
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        for i, (size, k, s, d) in enumerate(zip(spatial, kernel, strides, dilations)):
            out = -(-size // s)
            total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
            small = total // 2
            low[i], high[i] = (small, total - small) if auto_pad == "SAME_UPPER" else (total - small, small)
    elif auto_pad == "VALID":
        low, high = [0] * len(kernel), [0] * len(kernel)
    elif auto_pad != "NOTSET":
        raise NodeError(f"auto_pad '{auto_pad}' is not supported")
    return strides, dilations, low, high


def dense_pair(values):
    return f"dense<[{', '.join(map(str, values))}]> : tensor<2xi64>"


def conv(node):
    check_float(node.input(0))
    return convolve(node, node.input(0), node.input(1), node.input(2))


def convolve(node, x, w, bias):
    """Conv of x by w (float or integer), plus bias, with the node's window attributes."""
    x, lifted = spatial_2d(node, x, "Conv")
    static(w, "weight")
    if lifted:
        w = node.e.reshape(w, (w.shape[0], w.shape[1], 1, w.shape[2]))
    group = node.attrs.get("group", 1)
    node.attrs.get("kernel_shape")
    kernel = w.shape[2:]
    strides, dilations, low, high = window_attrs(node, x.shape[2:], kernel, lifted)
    e = node.e
    x = e.pad(x, [0, 0] + low, [0, 0] + high, 0.0)
    out_hw = [(size - (k - 1) * d - 1) // s + 1 for size, k, s, d in zip(x.shape[2:], kernel, strides, dilations)]
    if min(out_hw) < 1:
        raise NodeError(f"the kernel {fmt_shape(kernel)} does not fit the padded input {fmt_shape(x.shape)}")
    n, c = x.shape[:2]
    m = w.shape[0]
    if c != w.shape[1] * group or m % group:
        raise NodeError(f"input channels {c}, weight {fmt_shape(w.shape)} and group {group} do not agree")
    attrs = f"{{dilations = {dense_pair(dilations)}, strides = {dense_pair(strides)}}}"
    out_shape = (n, m) + tuple(out_hw)
    if group == 1:
        y = conv_nchw(e, x, w, out_shape, attrs)
    elif w.shape[1] == 1 and m == c:
        y = depthwise(e, x, w, out_shape, attrs)
    else:
        cg, mg = c // group, m // group
        parts = [conv_nchw(e, e.extract_slice(x, [0, g * cg, 0, 0], [n, cg] + list(x.shape[2:])),
                           e.extract_slice(w, [g * mg, 0, 0, 0], [mg] + list(w.shape[1:])),
                           (n, mg) + tuple(out_hw), attrs) for g in range(group)]
        y = e.concat(parts, 1)
    if bias is not None:
        y = e.generic([(y, ["d0", "d1", "d2", "d3"]), (bias, ["d1"])], y.shape, y.dtype,
                      lambda b, a, acc: b.emit(f"{'arith.addf' if y.is_float else 'arith.addi'} {a[0]}, {a[1]} : "
                                               f"{y.element}"))
    return e.reshape(y, (n, m, out_hw[1])) if lifted else y


def conv_nchw(e, x, w, out_shape, attrs):
    init = e.fill(0.0, out_shape, x.dtype)
    return e.named(f"linalg.conv_2d_nchw_fchw {attrs}", [x, w], init, out_shape, x.dtype)


def depthwise(e, x, w, out_shape, attrs):
    """One filter per channel: in NHWC, as linalg's depthwise convolution."""
    xh = e.transpose(x, (0, 2, 3, 1))
    wh = e.transpose(e.reshape(w, (w.shape[0],) + w.shape[2:]), (1, 2, 0))
    n, m, oh, ow = out_shape
    init = e.fill(0.0, (n, oh, ow, m), x.dtype)
    y = e.named(f"linalg.depthwise_conv_2d_nhwc_hwc {attrs}", [xh, wh], init, (n, oh, ow, m), x.dtype)
    return e.transpose(y, (0, 3, 1, 2))


def global_pool(kind):
    def convert(node):
        x = static(node.inputs[0])
        check_float(x)
        e, t = node.e, x.element
        axes = list(range(2, x.rank))
        if kind == "max":
            y = e.max_over(x, axes)
        else:
            count = int(np.prod(x.shape[2:]))
            y = e.sum_over(x, axes)
            y = e.elementwise([y], x.dtype, lambda b, a: b.emit(f"arith.divf {a[0]}, {b.const(count, x.dtype)} : {t}"))
        return e.reshape(y, x.shape[:2] + (1,) * len(axes))
    return convert


def batch_norm(node):
    x, scale, bias, mean, var = node.inputs[:5]
    check_float(x)
    if node.attrs.get("training_mode", 0):
        raise NodeError("training_mode=1 is not supported")
    eps = node.attrs.get("epsilon", 1e-5)
    node.attrs.get("momentum")
    if node.opset < 9 and not node.attrs.get("spatial", 1):
        raise NodeError("spatial=0 is not supported")
    t, dt = x.element, x.dtype
    exprs = [f"d{i}" for i in range(x.rank)]
    std = known_std(var, eps, dt)

    def body(b, a, acc):
        centered = b.emit(f"arith.subf {a[0]}, {a[3]} : {t}")
        sd = a[4] if std is not None else \
            b.emit(f"math.sqrt {b.emit(f'arith.addf {a[4]}, {b.const(eps, dt)} : {t}')} : {t}")
        y = b.emit(f"arith.mulf {b.emit(f'arith.divf {centered}, {sd} : {t}')}, {a[1]} : {t}")
        return b.emit(f"arith.addf {y}, {a[2]} : {t}")
    params = (scale, bias, mean, var if std is None else std)
    return node.e.generic([(x, exprs)] + [(p, ["d1"]) for p in params], x.shape, dt, body)


def known_std(var, eps, dt):
    """sqrt(var + eps) as a constant Value where var is known, of x's f32 or
    f64 type, and the result finite: numpy's IEEE add and sqrt round as the
    kernel's do, so the values are the same bits, computed once per channel
    at import instead of once per element (a scalar sqrt each) at run time.
    None otherwise (a NaN's bits are the kernel's to choose)."""
    if var.const is None or var.dtype != dt or dt not in (np.float32, np.float64):
        return None
    std = np.sqrt(var.const + np.array(eps, dt))
    return Value(std.shape, dt, const=std) if np.isfinite(std).all() else None


def layer_norm(node):
    x, scale, bias = node.input(0), node.input(1), node.input(2)
    check_float(x)
    static(x)
    axis = node.attrs.get("axis", -1) % x.rank
    eps = node.attrs.get("epsilon", 1e-5)
    check_stash_type(node)
    e, t, dt = node.e, x.element, x.dtype
    y, mean, inv = normalize(e, x, axis, eps)
    y = e.elementwise([y, scale], dt, lambda b, a: b.emit(f"arith.mulf {a[0]}, {a[1]} : {t}"))
    if bias is not None:
        y = e.elementwise([y, bias], dt, lambda b, a: b.emit(f"arith.addf {a[0]}, {a[1]} : {t}"))
    kept = x.shape[:axis] + (1,) * (x.rank - axis)
    return [y, e.reshape(mean, kept), e.reshape(inv, kept)]


def check_stash_type(node):
    if node.attrs.get("stash_type", 1) != 1:
        raise NodeError("stash_type other than 1 (float) is not supported")


def normalize(e, x, axis, eps):
    """(x - mean) / sqrt(variance + eps) over the axes from axis on, with the
    mean and 1 / sqrt(variance + eps) (of the leading axes' shape)."""
    t, dt = x.element, x.dtype
    axes = list(range(axis, x.rank))
    count = int(np.prod(x.shape[axis:]))
    lead = [f"d{i}" for i in range(axis)]
    full = [f"d{i}" for i in range(x.rank)]
    mean = e.sum_over(x, axes)
    mean = e.elementwise([mean], dt, lambda b, a: b.emit(f"arith.divf {a[0]}, {b.const(count, dt)} : {t}"))
    centered = e.generic([(x, full), (mean, lead)], x.shape, dt,
                         lambda b, a, acc: b.emit(f"arith.subf {a[0]}, {a[1]} : {t}"))
    var = e.sum_over(centered, axes, pre=lambda b, v: b.emit(f"arith.mulf {v}, {v} : {t}"))

    def inv_std(b, a):
        v = b.emit(f"arith.divf {a[0]}, {b.const(count, dt)} : {t}")
        return b.emit(f"math.rsqrt {b.emit(f'arith.addf {v}, {b.const(eps, dt)} : {t}')} : {t}")
    inv = e.elementwise([var], dt, inv_std)
    y = e.generic([(centered, full), (inv, lead)], x.shape, dt,
                  lambda b, a, acc: b.emit(f"arith.mulf {a[0]}, {a[1]} : {t}"))
    return y, mean, inv


def scale_and_shift(e, y, scale, bias, exprs):
    """y * scale + bias, scale and bias read at exprs of y's loop dims."""
    t, full = y.element, [f"d{i}" for i in range(y.rank)]
    return e.generic([(y, full), (scale, exprs), (bias, exprs)], y.shape, y.dtype, lambda b, a, acc: b.emit(
        f"arith.addf {b.emit(f'arith.mulf {a[0]}, {a[1]} : {t}')}, {a[2]} : {t}"))


def instance_norm(node):
    """Each (batch, channel) slice normalized over the spatial axes, then
    scaled and shifted per channel."""
    x, scale, bias = static(node.inputs[0]), node.inputs[1], node.inputs[2]
    check_float(x)
    if x.rank < 3:
        raise NodeError(f"the input of shape {fmt_shape(x.shape)} has no spatial axes")
    if scale.shape != x.shape[1:2] or bias.shape != x.shape[1:2]:
        raise NodeError(f"scale and bias of shape {fmt_shape(x.shape[1:2])} are needed")
    y, _, _ = normalize(node.e, x, 2, node.attrs.get("epsilon", 1e-5))
    return scale_and_shift(node.e, y, scale, bias, ["d1"])


def group_norm(node):
    """The channels split into num_groups groups, each (batch, group)
    normalized over its channels and the spatial axes, then scaled and
    shifted per channel (per group before opset 21)."""
    x, scale, bias = static(node.inputs[0]), node.inputs[1], node.inputs[2]
    check_float(x)
    check_stash_type(node)
    groups = node.attrs.get("num_groups")
    if groups is None:
        raise NodeError("attribute 'num_groups' is required")
    if x.rank < 2 or groups < 1 or x.shape[1] % groups:
        raise NodeError(f"num_groups {groups} does not divide the channels of an input of shape {fmt_shape(x.shape)}")
    per = x.shape[1] // groups
    params = (x.shape[1],) if node.opset >= 21 else (groups,)
    if scale.shape != params or bias.shape != params:
        raise NodeError(f"scale and bias of shape {fmt_shape(params)} are needed")
    e, n = node.e, x.shape[0]
    grouped = e.reshape(x, (n, groups, per * int(np.prod(x.shape[2:]))))
    y, _, _ = normalize(e, grouped, 2, node.attrs.get("epsilon", 1e-5))
    y = e.reshape(y, (n, groups, per) + x.shape[2:])
    if node.opset >= 21:
        scale, bias = e.reshape(scale, (groups, per)), e.reshape(bias, (groups, per))
    y = scale_and_shift(e, y, scale, bias, ["d1", "d2"] if node.opset >= 21 else ["d1"])
    return e.reshape(y, x.shape)


def lrn(node):
    x = static(node.inputs[0])
    check_float(x)
    size = node.attrs.get("size")
    alpha, beta, bias = node.attrs.get("alpha", 1e-4), node.attrs.get("beta", 0.75), node.attrs.get("bias", 1.0)
    e, t, dt = node.e, x.element, x.dtype
    sq = e.elementwise([x], dt, lambda b, a: b.emit(f"arith.mulf {a[0]}, {a[0]} : {t}"))
    before, after = (size - 1) // 2, math.ceil((size - 1) / 2)
    zeros = [0] * x.rank
    padded = e.pad(sq, zeros[:1] + [before] + zeros[2:], zeros[:1] + [after] + zeros[2:], 0.0)
    windows = [e.extract_slice(padded, [0, j] + zeros[2:], list(x.shape)) for j in range(size)]

    def body(b, a):
        total = a[1]
        for w in a[2:]:
            total = b.emit(f"arith.addf {total}, {w} : {t}")
        scaled = b.emit(f"arith.mulf {total}, {b.const(alpha / size, dt)} : {t}")
        d = b.emit(f"math.powf {b.emit(f'arith.addf {scaled}, {b.const(bias, dt)} : {t}')}, {b.const(beta, dt)} : {t}")
        return b.emit(f"arith.divf {a[0]}, {d} : {t}")
    return e.elementwise([x] + windows, dt, body)


def matmul_values(e, a, b):
    """numpy's matmul of two static Values."""
    static(a)
    static(b)
    if a.rank == 0 or b.rank == 0:
        raise NodeError("MatMul of a scalar is not defined")
    a2 = e.reshape(a, (1,) + a.shape) if a.rank == 1 else a
    b2 = e.reshape(b, b.shape + (1,)) if b.rank == 1 else b
    (m, k), (k2, n) = a2.shape[-2:], b2.shape[-2:]
    if k != k2:
        raise NodeError(f"shapes {fmt_shape(a.shape)} and {fmt_shape(b.shape)} do not multiply")
    batch = broadcast_shapes([a2.shape[:-2], b2.shape[:-2]])
    acc = 0.0 if a.is_float else 0
    if not batch:
        out = (m, n)
        init = e.fill(acc, out, a.dtype)
        y = e.named("linalg.matmul", [a2, b2], init, out, a.dtype)
    else:
        count = int(np.prod(batch))
        a3 = e.reshape(e.broadcast_to(a2, batch + (m, k)), (count, m, k))
        b3 = e.reshape(e.broadcast_to(b2, batch + (k, n)), (count, k, n))
        init = e.fill(acc, (count, m, n), a.dtype)
        y = e.named("linalg.batch_matmul", [a3, b3], init, (count, m, n), a.dtype)
        y = e.reshape(y, batch + (m, n))
    shape = y.shape
    if a.rank == 1:
        shape = shape[:-2] + shape[-1:]
    if b.rank == 1:
        shape = shape[:-1]
    return e.reshape(y, shape)


def matmul(node):
    a, b = node.inputs
    if a.dtype != b.dtype:
        raise NodeError(f"operand types {a.dtype} and {b.dtype} differ")
    return matmul_values(node.e, a, b)


def gemm(node):
    a, b, c = node.input(0), node.input(1), node.input(2)
    e = node.e
    alpha, beta = node.attrs.get("alpha", 1.0), node.attrs.get("beta", 1.0)
    if node.attrs.get("transA", 0):
        a = e.transpose(a, (1, 0))
    if node.attrs.get("transB", 0):
        b = e.transpose(b, (1, 0))
    y = matmul_values(e, a, b)
    t, dt = y.element, y.dtype
    if alpha != 1.0:
        y = e.elementwise([y], dt, lambda bb, x: bb.emit(f"arith.mulf {x[0]}, {bb.const(alpha, dt)} : {t}"))
    if c is not None and beta != 0.0:
        def add(bb, x):
            cc = x[1] if beta == 1.0 else bb.emit(f"arith.mulf {x[1]}, {bb.const(beta, dt)} : {t}")
            return bb.emit(f"arith.addf {x[0]}, {cc} : {t}")
        y = e.generic([(y, ["d0", "d1"]), (c, broadcast_exprs(c.shape, y.shape))], y.shape, dt,
                      lambda bb, x, acc: add(bb, x))
    return y


CONVERTERS = {
    "Conv": conv, "GlobalAveragePool": global_pool("average"), "GlobalMaxPool": global_pool("max"),
    "BatchNormalization": batch_norm, "LayerNormalization": layer_norm,
    "InstanceNormalization": instance_norm, "GroupNormalization": group_norm, "LRN": lrn,
    "MatMul": matmul, "Gemm": gemm,
}
