"""The reference interpreter's buffer.conv2d (see isa/table.py): the plain loops
of its definition, in f32 with each product and sum rounded, the oracle for
the native kernel (csrc/conv.pxi)."""
from array import array

from ..ir.elements import pack, unpack
from .errors import VMError


def conv2d(c, x, w, window, dims_str):
    """acc `c` += the convolution of input `x` by filter `w` (interp Buffers)
    with `window` = [sh, sw, dh, dw, ph, pw, groups, fresh]: fresh = 1
    starts each sum from +0.0 instead of acc's value."""
    if any(getattr(b, "shape", None) is None for b in (c, x, w)):
        raise VMError("INVALID_ARGUMENT", "conv2d operand is not a buffer")
    if any(len(b.shape) != 4 or b.element != "f32" for b in (c, x, w)) or c.readonly:
        raise VMError("INVALID_ARGUMENT", "conv2d operands must be rank-4 f32; the accumulator writable")
    sh, sw, dh, dw, ph, pw, groups, fresh = window
    images, _, h, width = x.shape
    filters, channels, kh, kw = w.shape
    if c.shape[0] != images or x.shape[1] != groups * channels or filters % groups or c.shape[1] != filters:
        raise VMError("INVALID_ARGUMENT", f"conv2d of {dims_str(x.shape)} by {dims_str(w.shape)} into "
                      f"{dims_str(c.shape)}: the shapes do not agree")
    per_group = filters // groups
    oh, ow = c.shape[2:]
    out, xs, ws = c.values(), x.values(), w.values()
    k = channels * kh * kw
    f32 = array("f", [0.0])

    def rounded(v):
        f32[0] = v
        return f32[0]
    for n in range(images):
        for f in range(filters):
            plane = (n * groups + f // per_group) * channels
            for y in range(oh):
                for xo in range(ow):
                    at = ((n * filters + f) * oh + y) * ow + xo
                    s = 0.0 if fresh else out[at]
                    for kk in range(k):
                        ch, tap = divmod(kk, kh * kw)
                        iy, ix = y * sh + tap // kw * dh - ph, xo * sw + tap % kw * dw - pw
                        v = xs[((plane + ch) * h + iy) * width + ix] if 0 <= iy < h and 0 <= ix < width else 0.0
                        s = rounded(s + rounded(ws[f * k + kk] * v))
                    out[at] = s
    c.data[:] = pack("f32", out)


def window_of(constant):
    return unpack("i64", constant.data)
