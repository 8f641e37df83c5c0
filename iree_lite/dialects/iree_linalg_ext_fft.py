"""iree_linalg_ext.fft, which IREE's StableHLO input conversion emits for
an FFT (after a bit-reversal gather), one op per Cooley-Tukey stage:

    fft ins(%stage[, %real_coeff, %imag_coeff] : index[, C, C]) outs(%real, %imag : T, T) : T, T

Stage s merges halves of length 2^(s-1) along the innermost dimension:
a[k + j], a[k + j + mh] = u + w t, u - w t with u = a[k + j], t = a[k + j + mh]
(mh = 2^(s-1), k in steps of 2^s, j < mh), w = exp(-2 pi i j / 2^s), or
(real_coeff[j], imag_coeff[j]) when given. The verifier has IREE's checks."""
from ..ir.types import ScalarType, TensorType
from .iree_linalg_ext import ExtOp
from .linalg import finish, ins_outs, parse_ins_outs

INDEX = ScalarType("index")


class FftOp(ExtOp):
    name = "iree_linalg_ext.fft"

    def parse(self, p, loc, result_names):
        attrs = dict(p.parse_optional_attr_dict())
        ins, in_types, outs, out_types = parse_ins_outs(p)
        if any(isinstance(t, TensorType) for t in out_types):
            tok = p.tok
            if not p.parse_optional_punct(":"):
                raise p.error(f"'{self.name}' of tensors needs its result types (`: {out_types[0]}, ..`)")
            results = p.parse_type_list()
            if [str(t) for t in results] != [str(t) for t in out_types]:
                raise p.error(f"'{self.name}' results must have the types of its outs operands", tok)
        return finish(p, self.name, ins, in_types, outs, out_types, attrs, [], loc)

    def verify(self, op, fail):
        ins, outs = ins_outs(op)
        if tuple(r.type for r in op.results) != tuple(v.type for v in outs):
            fail(f"'{self.name}' results must have the types of its outs operands")
        if len(ins) not in (1, 3) or len(outs) != 2:
            fail(f"'{self.name}' takes ins(stage[, real_coeff, imag_coeff]) and outs(real, imag)")
        real = outs[0].type
        if not isinstance(real, TensorType) or outs[1].type != real or not real.element.is_float or real.rank < 1:
            fail(f"'{self.name}' takes its real and imaginary parts as float tensors of one type")
        length = real.shape[-1]
        if length is not None and length & (length - 1):
            fail(f"'{self.name}' op only powers of 2 are handled currently")
        if ins[0].type != INDEX:
            fail(f"'{self.name}' op expected to carry `stage` input")
        for c in ins[1:]:
            if not isinstance(c.type, TensorType) or c.type.rank != 1 or c.type.element != real.element:
                fail(f"'{self.name}' coefficients must be 1-D tensors of the parts' element type")


OPS = {FftOp.name: FftOp()}
