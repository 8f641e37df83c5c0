"""iree_linalg_ext.fft, one Cooley-Tukey stage, element-wise over the
innermost dimension: element i (j = i mod 2^stage) is the sum (j < mh) or
the difference of u = a[lo] and w t, t = a[lo + mh], lo = i or i - mh,
w the twiddle factor of j mod mh: the coefficients' element, or
exp(-2 pi i j / 2^stage) computed in f32 as IREE computes it. Reads past
the innermost dimension (a stage too large for it) fail the call."""
import math

from ..dialects.linalg import ins_outs
from ..ir.types import ScalarType
from .body import gather
from .build import cast, cmp, constant, index_constant, linear_index, splat

F32 = ScalarType("f32")


def rewrite_fft(op, rw):
    (stage, *coeff), (real, imag) = ins_outs(op)
    t = real.type
    shape, last = t.shape, t.rank - 1

    def arith(name, *operands):
        return rw.new(f"arith.{name}", list(operands), [operands[-1].type])[0]

    def select(cond, a, b):
        return rw.new("arith.select", [cond, a, b], [b.type])[0]
    one = index_constant(rw, 1)
    whole = arith("shli", one, stage)
    half = splat(rw, arith("shrsi", whole, one), real)
    i = linear_index(rw, shape, last, real)
    j = arith("remui", i, splat(rw, whole, real))
    lower = cmp(rw, "ult", j, half)
    twiddle = select(lower, j, arith("subi", j, half))
    lo = select(lower, i, arith("subi", i, half))
    at = [linear_index(rw, shape, d, real) for d in range(last)]
    u_re, u_im = (gather(rw, v, at + [lo], shape) for v in (real, imag))
    v_re, v_im = (gather(rw, v, at + [arith("addi", lo, half)], shape) for v in (real, imag))
    if coeff:
        w_re, w_im = (gather(rw, c, [twiddle], shape) for c in coeff)
    else:
        i32 = ScalarType("i32")

        def as_f32(v):
            return cast(rw, cast(rw, v, i32, False), F32, False)
        step = arith("divf", constant(rw, -2 * math.acos(-1), F32), as_f32(whole))
        angle = arith("mulf", splat(rw, step, real), as_f32(twiddle))
        w_re, w_im = (cast(rw, rw.new(f"math.{f}", [angle], [angle.type])[0], t.element, False) for f in ("cos", "sin"))
    t_re = arith("subf", arith("mulf", w_re, v_re), arith("mulf", w_im, v_im))
    t_im = arith("addf", arith("mulf", w_re, v_im), arith("mulf", w_im, v_re))
    return [select(lower, arith("addf", u_re, t_re), arith("subf", u_re, t_re)),
            select(lower, arith("addf", u_im, t_im), arith("subf", u_im, t_im))]
