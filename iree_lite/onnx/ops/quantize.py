"""Linear quantization: QuantizeLinear / DequantizeLinear (per tensor, per
axis, blocked), DynamicQuantizeLinear, and the integer products
MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv.

Quantizing rounds half to even (math.roundeven) and saturates to the
target type's range, as ONNX specifies."""
import numpy as np

from ..emitter import NodeError, element_type, fmt_shape
from .elementwise import cast_scalar
from .nn import convolve, matmul_values, static

QUANTIZED = {np.dtype(t) for t in (np.uint8, np.int8, np.uint16, np.int16)}


def quant_type(dtype):
    dtype = np.dtype(dtype)
    if dtype not in QUANTIZED:
        raise NodeError(f"quantized type {dtype} is not supported (uint8, int8, uint16 and int16 are)")
    return dtype


def quant_params(e, x, p, axis, block, what):
    """(p, the loop dimensions over x that read it) for scale or zero point
    p: none for one element, d{axis} per axis; blocks are repeated out to
    x's shape first."""
    if count(p) == 1:
        return e.reshape(p, ()), []
    static(p, what)
    axis = node_axis(x, axis)
    if not block:
        if p.rank != 1 or p.shape[0] != x.shape[axis]:
            raise NodeError(f"{what} {fmt_shape(p.shape)} must have one element or {x.shape[axis]} "
                            f"(axis {axis} of {fmt_shape(x.shape)})")
        return p, [f"d{axis}"]
    if block < 0:
        raise NodeError(f"block_size {block} is negative")
    want = tuple(-(-d // block) if i == axis else d for i, d in enumerate(x.shape))
    if p.shape != want:
        raise NodeError(f"{what} {fmt_shape(p.shape)} must have shape {fmt_shape(want)} for blocks of {block} "
                        f"along axis {axis} of {fmt_shape(x.shape)}")
    blocks = p.shape[axis]
    split = p.shape[:axis + 1] + (block,) + p.shape[axis + 1:]
    exprs = [f"d{i}" for i in range(axis + 1)] + [f"d{i + 1}" for i in range(axis + 1, p.rank)]
    repeated = e.generic([(p, exprs)], split, p.dtype, lambda b, a, acc: a[0])
    flat = e.reshape(repeated, p.shape[:axis] + (blocks * block,) + p.shape[axis + 1:])
    return e.extract_slice(flat, [0] * p.rank, list(x.shape)), [f"d{i}" for i in range(x.rank)]


def count(v):
    return int(np.prod(v.shape))


def node_axis(x, axis):
    if not -x.rank <= axis < x.rank:
        raise NodeError(f"axis {axis} is out of range for rank {x.rank}")
    return axis % x.rank


def quantize_scalar(b, y, zero, zero_dtype, ct, out):
    """round-half-even(y) + zero, saturated to out's range, as out: y is the
    scaled value (float type ct), zero the zero point (None for 0)."""
    t = element_type(ct)
    # bounds past any int32 sum that still saturates alike, exact in ct
    bound = float(min(np.finfo(ct).max, 1 << 24))
    r = b.emit(f"math.roundeven {y} : {t}")
    r = b.emit(f"arith.maximumf {r}, {b.const(-bound, ct)} : {t}")
    r = b.emit(f"arith.minimumf {r}, {b.const(bound, ct)} : {t}")
    q = b.emit(f"arith.fptosi {r} : {t} to i32")
    if zero is not None:
        q = b.emit(f"arith.addi {q}, {cast_scalar(b, zero, zero_dtype, np.int32)} : i32")
    info = np.iinfo(out)
    q = b.emit(f"arith.maxsi {q}, {b.const(int(info.min), np.int32)} : i32")
    q = b.emit(f"arith.minsi {q}, {b.const(int(info.max), np.int32)} : i32")
    return b.emit(f"arith.trunci {q} : i32 to {element_type(out)}")


def output_dtype(node, default):
    """The output_dtype attribute's numpy type, else default."""
    from onnx import helper
    code = node.attrs.get("output_dtype", 0)
    if not code:
        return default
    try:
        return np.dtype(helper.tensor_dtype_to_np_dtype(code))
    except KeyError:
        raise NodeError(f"output_dtype {code} is not supported") from None


def quantize_linear(node):
    x, scale, zero = static(node.inputs[0]), static(node.input(1), "y_scale"), node.input(2)
    if not x.is_float or not scale.is_float:
        raise NodeError(f"x ({x.dtype}) and y_scale ({scale.dtype}) must be floats")
    axis, block = node.attrs.get("axis", 1), node.attrs.get("block_size", 0)
    out = output_dtype(node, zero.dtype if zero is not None else np.dtype(np.uint8))
    if zero is not None and zero.dtype != out:
        raise NodeError(f"output_dtype {out} and the zero point's type {zero.dtype} differ")
    quant_type(out)
    node.attrs.get("saturate", 1)   # only float8 targets can overflow without saturating
    precision = node.attrs.get("precision", 0)
    ct = precision_dtype(precision) if precision else np.result_type(x.dtype, scale.dtype)
    ins = [(x, [f"d{i}" for i in range(x.rank)]), quant_params(node.e, x, scale, axis, block, "y_scale")]
    if zero is not None:
        ins.append(quant_params(node.e, x, zero, axis, block, "y_zero_point"))

    def body(b, args, acc):
        y = b.emit(f"arith.divf {cast_scalar(b, args[0], x.dtype, ct)}, {cast_scalar(b, args[1], scale.dtype, ct)} : "
                   f"{element_type(ct)}")
        return quantize_scalar(b, y, args[2] if zero is not None else None, out, ct, out)
    return node.e.generic(ins, x.shape, out, body)


def precision_dtype(code):
    from onnx import helper
    dtype = np.dtype(helper.tensor_dtype_to_np_dtype(code))
    if dtype.kind != "f":
        raise NodeError(f"precision {dtype} is not supported (a float type is needed)")
    element_type(dtype)
    return dtype


def dequantize_linear(node):
    """(x - zero) * scale, computed in float32 (or the scale's wider type)."""
    x, scale, zero = static(node.inputs[0]), static(node.input(1), "x_scale"), node.input(2)
    if x.dtype not in QUANTIZED and x.dtype != np.int32:
        raise NodeError(f"element type {x.dtype} is not supported (uint8, int8, uint16, int16 and int32 are)")
    if not scale.is_float:
        raise NodeError(f"x_scale must be a float, not {scale.dtype}")
    if zero is not None and zero.dtype != x.dtype:
        raise NodeError(f"the zero point's type {zero.dtype} is not x's {x.dtype}")
    axis, block = node.attrs.get("axis", 1), node.attrs.get("block_size", 0)
    out = output_dtype(node, scale.dtype)
    if out.kind != "f":
        raise NodeError(f"output_dtype {out} is not a float type")
    ct = np.result_type(np.float32, scale.dtype)
    t = element_type(ct)
    ins = [(x, [f"d{i}" for i in range(x.rank)]), quant_params(node.e, x, scale, axis, block, "x_scale")]
    if zero is not None:
        ins.append(quant_params(node.e, x, zero, axis, block, "x_zero_point"))

    def body(b, args, acc):
        d = cast_scalar(b, args[0], x.dtype, ct)
        if zero is not None:
            d = b.emit(f"arith.subf {d}, {cast_scalar(b, args[2], x.dtype, ct)} : {t}")
        y = b.emit(f"arith.mulf {d}, {cast_scalar(b, args[1], scale.dtype, ct)} : {t}")
        return cast_scalar(b, y, ct, out)
    return node.e.generic(ins, x.shape, out, body)


def dynamic_quantize_linear(node):
    """uint8 quantization over x's range widened to hold 0, as ONNX's
    reference computes it in float32: scale = (max - min) / 255 (1/255 when
    both are 0), zero point = round(clip(-min / scale, 0, 255))."""
    x = static(node.inputs[0])
    if x.dtype != np.float32:
        raise NodeError(f"element type {x.dtype} is not supported (float32 is)")
    e, t, f = node.e, x.element, np.float32
    every = list(range(x.rank))
    top = e.reduce(x, every, f, 0.0, lambda b, v, acc: b.emit(f"arith.maximumf {v}, {acc} : {t}"))
    bottom = e.reduce(x, every, f, 0.0, lambda b, v, acc: b.emit(f"arith.minimumf {v}, {acc} : {t}"))

    def scale_of(b, a):
        same = b.emit(f"arith.cmpf oeq, {a[0]}, {a[1]} : {t}")
        span = b.emit(f"arith.select {same}, {b.const(1.0, f)}, {b.emit(f'arith.subf {a[0]}, {a[1]} : {t}')} : {t}")
        return b.emit(f"arith.divf {span}, {b.const(255.0, f)} : {t}")
    scale = e.elementwise([top, bottom], f, scale_of)

    def zero_of(b, a):   # the rounded zero point, still as a float
        z = b.emit(f"arith.subf {b.const(0.0, f)}, {b.emit(f'arith.divf {a[0]}, {a[1]} : {t}')} : {t}")
        return b.emit(f"math.roundeven {to_byte_range(b, z, t)} : {t}")
    zero = e.elementwise([bottom, scale], f, zero_of)

    def quantize(b, args, acc):
        r = b.emit(f"math.roundeven {b.emit(f'arith.divf {args[0]}, {args[1]} : {t}')} : {t}")
        r = b.emit(f"arith.addf {r}, {args[2]} : {t}")
        return b.emit(f"arith.fptoui {to_byte_range(b, r, t)} : {t} to i8")
    y = e.generic([(x, [f"d{i}" for i in every]), (scale, []), (zero, [])], x.shape, np.uint8, quantize)
    zero_u8 = e.elementwise([zero], np.uint8, lambda b, a: b.emit(f"arith.fptoui {a[0]} : {t} to i8"))
    return [y, scale, zero_u8]


def to_byte_range(b, v, t):
    """Float32 v clamped to [0, 255]."""
    low = b.emit(f"arith.maximumf {v}, {b.const(0.0, np.float32)} : {t}")
    return b.emit(f"arith.minimumf {low}, {b.const(255.0, np.float32)} : {t}")


def centered(e, v, zero, axis, what):
    """v - zero as int32; zero has one element or (axis not None) one per
    position along axis."""
    v = static(v)
    if v.dtype not in (np.dtype(np.uint8), np.dtype(np.int8)):
        raise NodeError(f"{what} of type {v.dtype} is not supported (uint8 and int8 are)")
    every = [f"d{i}" for i in range(v.rank)]
    if zero is None:
        return e.elementwise([v], np.int32, lambda b, a: cast_scalar(b, a[0], v.dtype, np.int32))
    static(zero)
    if zero.dtype != v.dtype:
        raise NodeError(f"the zero point of {what} is {zero.dtype}, not {v.dtype}")
    if count(zero) == 1:
        zero = e.reshape(zero, ())
        exprs = []
    elif axis is not None and zero.rank == 1 and v.rank and zero.shape[0] == v.shape[axis % v.rank]:
        exprs = [f"d{axis % v.rank}"]
    else:
        raise NodeError(f"the zero point of {what} {fmt_shape(zero.shape)} must have one element"
                        + (f" or {v.shape[axis % v.rank]}" if axis is not None and v.rank else ""))
    return e.generic([(v, every), (zero, exprs)], v.shape, np.int32, lambda b, a, acc: b.emit(
        f"arith.subi {cast_scalar(b, a[0], v.dtype, np.int32)}, {cast_scalar(b, a[1], v.dtype, np.int32)} : i32"))


def matmul_integer(node):
    e = node.e
    a = centered(e, node.inputs[0], node.input(2), -2, "A")
    b = centered(e, node.inputs[1], node.input(3), -1, "B")
    return matmul_values(e, a, b)


def conv_integer(node):
    e = node.e
    x = centered(e, node.inputs[0], node.input(2), None, "x")
    w = centered(e, node.inputs[1], node.input(3), 0, "w")
    return convolve(node, x, w, None)


def requantize(e, acc, x_scale, w_scale, w_axis, y_scale, y_zero, out):
    """int32 acc * (x_scale * w_scale / y_scale) + y_zero, rounded half to
    even and saturated to out; w_scale has one element or one per position
    along w_axis of acc."""
    scales = [static(s, what) for s, what in ((x_scale, "x_scale"), (w_scale, "w_scale"), (y_scale, "y_scale"))]
    if any(not s.is_float for s in scales):
        raise NodeError("the scales must be floats")
    ct = np.result_type(np.float32, *(s.dtype for s in scales))
    t = element_type(ct)
    ins = [(acc, [f"d{i}" for i in range(acc.rank)])]
    for s, axis, what in ((scales[0], None, "x_scale"), (scales[1], w_axis, "w_scale"), (scales[2], None, "y_scale"),
                          (y_zero, None, "y_zero_point")):
        if s is None:
            continue
        if count(s) == 1:
            ins.append((e.reshape(s, ()), []))
        elif axis is not None and s.rank == 1 and s.shape[0] == acc.shape[axis]:
            ins.append((s, [f"d{axis}"]))
        else:
            raise NodeError(f"{what} {fmt_shape(s.shape)} must have one element"
                            + (f" or {acc.shape[axis]}" if axis is not None else ""))

    def body(b, args, acc_):
        f = [cast_scalar(b, a, s.dtype, ct) for a, s in zip(args[1:4], scales)]
        factor = b.emit(f"arith.divf {b.emit(f'arith.mulf {f[0]}, {f[1]} : {t}')}, {f[2]} : {t}")
        y = b.emit(f"arith.mulf {cast_scalar(b, args[0], np.int32, ct)}, {factor} : {t}")
        return quantize_scalar(b, y, args[4] if y_zero is not None else None, out, ct, out)
    return e.generic(ins, acc.shape, out, body)


def qlinear_matmul(node):
    e = node.e
    a_, a_scale, a_zero, b_, b_scale, b_zero, y_scale, y_zero = (node.input(i) for i in range(8))
    out = quant_type(y_zero.dtype if y_zero is not None else a_.dtype)
    acc = matmul_values(e, centered(e, a_, a_zero, -2, "a"), centered(e, b_, b_zero, -1, "b"))
    if count(a_scale) != 1:
        raise NodeError(f"a_scale {fmt_shape(a_scale.shape)} must have one element")
    return requantize(e, acc, a_scale, b_scale, acc.rank - 1, y_scale, y_zero, out)


def qlinear_conv(node):
    e = node.e
    x, x_scale, x_zero, w, w_scale, w_zero, y_scale, y_zero = (node.input(i) for i in range(8))
    bias = node.input(8)
    out = quant_type(y_zero.dtype if y_zero is not None else x.dtype)
    if bias is not None and bias.dtype != np.int32:
        raise NodeError(f"the bias must be int32, not {bias.dtype}")
    acc = convolve(node, centered(e, x, x_zero, None, "x"), centered(e, w, w_zero, 0, "w"), bias)
    return requantize(e, acc, x_scale, w_scale, 1, y_scale, y_zero, out)


CONVERTERS = {
    "QuantizeLinear": quantize_linear, "DequantizeLinear": dequantize_linear,
    "DynamicQuantizeLinear": dynamic_quantize_linear, "MatMulInteger": matmul_integer,
    "ConvInteger": conv_integer, "QLinearMatMul": qlinear_matmul, "QLinearConv": qlinear_conv,
}
