"""The reference interpreter's buffer.pool2d (see isa/table.py): the plain
loops of its definition, each combine rounded to f32, the oracle for the
native kernel (csrc/pooling.pxi)."""
from .. import isa
from ..ir.elements import pack
from .elementwise import ELEMENTWISE, round_to
from .errors import VMError


def pool2d(c, x, window, combiner, dims_str):
    """acc `c` folded with the windows of input `x` (interp Buffers), `window`
    = [kh, kw, sh, sw, dh, dw, ph, pw, fresh], by REDUCE_COMBINERS[combiner]:
    from the combiner's padding rather than c's contents where fresh."""
    if any(getattr(b, "shape", None) is None for b in (c, x)):
        raise VMError("INVALID_ARGUMENT", "pool2d operand is not a buffer")
    if any(len(b.shape) != 4 or b.element != "f32" for b in (c, x)) or c.readonly:
        raise VMError("INVALID_ARGUMENT", "pool2d operands must be rank-4 f32; the accumulator writable")
    if c.shape[:2] != x.shape[:2]:
        raise VMError("INVALID_ARGUMENT", f"pool2d of {dims_str(x.shape)} into {dims_str(c.shape)}: "
                      "the shapes do not agree")
    kh, kw, sh, sw, dh, dw, ph, pw, fresh = window
    name = isa.REDUCE_COMBINERS[combiner]
    f, padding = ELEMENTWISE[f"t.{name}"], isa.POOL_PADDING[name]
    planes, h, w = x.shape[0] * x.shape[1], *x.shape[2:]
    oh, ow = c.shape[2:]
    out, xs = c.values(), x.values()
    for p in range(planes):
        for y in range(oh):
            for xo in range(ow):
                at = (p * oh + y) * ow + xo
                s = padding if fresh else out[at]
                for ky in range(kh):
                    for kx in range(kw):
                        iy, ix = y * sh + ky * dh - ph, xo * sw + kx * dw - pw
                        v = xs[(p * h + iy) * w + ix] if 0 <= iy < h and 0 <= ix < w else padding
                        (s,) = round_to("f32", [f(s, v)])
                out[at] = s
    c.data[:] = pack("f32", out)
