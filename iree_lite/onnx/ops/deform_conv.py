"""DeformConv (opset 19, 2-D): a grouped convolution whose every kernel tap
samples the input bilinearly (zeros outside) at its position moved by a
per-output offset, optionally scaled by a mask. One linalg.generic reduces
over the group's channels and the kernel taps."""
import numpy as np

from ..emitter import NodeError, fmt_shape
from .elementwise import check_float
from .nn import static


def deform_conv(node):
    x, w, offset, bias, mask = (node.input(i) for i in range(5))
    static(x)
    static(w, "W")
    static(offset, "offset")
    check_float(x)
    if x.rank != 4:
        raise NodeError(f"input {fmt_shape(x.shape)}: only 2-D (N, C, H, W) deformable convolution is supported")
    a = node.attrs
    group, offset_group = a.get("group", 1), a.get("offset_group", 1)
    kh, kw = a.get("kernel_shape", w.shape[2:])
    sh, sw = a.get("strides", [1, 1])
    dh, dw = a.get("dilations", [1, 1])
    pads = a.get("pads", [0, 0, 0, 0])
    n, ic, ih, iw = x.shape
    oc, icg = w.shape[:2]
    oh, ow = offset.shape[2:]
    if ic != icg * group or oc % group or ic % offset_group or (kh, kw) != tuple(w.shape[2:]) or \
            offset.shape[:2] != (n, offset_group * kh * kw * 2):
        raise NodeError(f"input {fmt_shape(x.shape)}, W {fmt_shape(w.shape)} and offset {fmt_shape(offset.shape)} "
                        f"do not fit group {group} and offset_group {offset_group}")
    out_shape = (n, oc, oh, ow)
    if mask is not None and static(mask, "mask").shape != (n, offset_group * kh * kw, oh, ow):
        raise NodeError(f"mask {fmt_shape(mask.shape)} must be {fmt_shape((n, offset_group * kh * kw, oh, ow))}")
    if bias is not None and static(bias, "B").shape != (oc,):
        raise NodeError(f"B {fmt_shape(bias.shape)} must be [{oc}]")
    e, t, dt = node.e, x.element, x.dtype
    src, off = e.materialize(x), e.materialize(offset)
    weights = e.materialize(mask) if mask is not None else None

    def body(b, args, acc):
        def idx(v):
            return b.emit(f"arith.constant {v} : index")

        def op(name, p, q, ty="index"):
            return b.emit(f"arith.{name} {p}, {q} : {ty}")
        bn, o, i, j, c, ka, kb = (b.emit(f"linalg.index {d} : index") for d in range(7))
        channel = op("addi", op("muli", op("divui", o, idx(oc // group)), idx(icg)), c)
        tap = op("addi", op("muli", op("addi", op("muli", op("divui", channel, idx(ic // offset_group)), idx(kh)), ka),
                                 idx(kw)), kb)
        dy = b.emit(f"tensor.extract {off}[{bn}, {op('muli', tap, idx(2))}, {i}, {j}] : {offset.type}")
        dx = b.emit(f"tensor.extract {off}[{bn}, {op('addi', op('muli', tap, idx(2)), idx(1))}, {i}, {j}] : "
                    f"{offset.type}")

        def position(out_at, k, stride, dilation, pad, delta):
            base = op("subi", op("addi", op("muli", out_at, idx(stride)), op("muli", k, idx(dilation))), idx(pad))
            base = b.emit(f"arith.sitofp {b.emit(f'arith.index_cast {base} : index to i64')} : i64 to {t}")
            return op("addf", base, delta, t)
        y, xpos = position(i, ka, sh, dh, pads[0], dy), position(j, kb, sw, dw, pads[1], dx)
        y0, x0 = b.emit(f"math.floor {y} : {t}"), b.emit(f"math.floor {xpos} : {t}")
        fy, fx = op("subf", y, y0, t), op("subf", xpos, x0, t)
        one = b.const(1.0, dt)
        total = b.const(0.0, dt)
        for cy, wy in ((0, op("subf", one, fy, t)), (1, fy)):
            for cx, wx in ((0, op("subf", one, fx, t)), (1, fx)):
                row = b.emit(f"arith.fptosi {op('addf', y0, b.const(cy, dt), t)} : {t} to i64")
                col = b.emit(f"arith.fptosi {op('addf', x0, b.const(cx, dt), t)} : {t} to i64")
                inside = [b.emit(f"arith.cmpi sge, {row}, {b.const(0, np.int64)} : i64"),
                          b.emit(f"arith.cmpi slt, {row}, {b.const(ih, np.int64)} : i64"),
                          b.emit(f"arith.cmpi sge, {col}, {b.const(0, np.int64)} : i64"),
                          b.emit(f"arith.cmpi slt, {col}, {b.const(iw, np.int64)} : i64")]
                ok = inside[0]
                for cond in inside[1:]:
                    ok = b.emit(f"arith.andi {ok}, {cond} : i1")
                r, q = (b.emit(f"arith.index_cast {b.emit(f'arith.select {ok}, {v}, {b.const(0, np.int64)} : i64')} "
                               f": i64 to index") for v in (row, col))
                value = b.emit(f"tensor.extract {src}[{bn}, {channel}, {r}, {q}] : {x.type}")
                value = b.emit(f"arith.select {ok}, {value}, {b.const(0.0, dt)} : {t}")
                total = op("addf", total, op("mulf", op("mulf", wy, wx, t), value, t), t)
        if weights is not None:
            total = op("mulf", total, b.emit(f"tensor.extract {weights}[{bn}, {tap}, {i}, {j}] : {mask.type}"), t)
        return op("addf", acc, op("mulf", args[0], total, t), t)
    if bias is not None:
        init = e.generic([(bias, ["d1"])], out_shape, dt, lambda b, args, acc: args[0]).ssa
    else:
        init = e.fill(0.0, out_shape, dt)
    return e.generic([(w, ["d1", "d4", "d5", "d6"])], out_shape, dt, body, reduce_dims=[icg, kh, kw], init=init)


CONVERTERS = {"DeformConv": deform_conv}
