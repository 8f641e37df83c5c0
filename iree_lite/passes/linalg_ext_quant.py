"""iree_linalg_ext.quantize_affine and dequantize_affine, element-wise as
IREE decomposes them (DecomposeAggregatedOps), in the scale's float type F:

    dequantize: F(x - zero_point) * scale, then to the output's float type,
                the difference in an integer wide enough for both operands
                (twice the width when they have the same one, as IREE's)
    quantize:   fptosi(clamp(roundeven(F(x) / scale) + F(zero_point), quant_min, quant_max))
"""
from ..ir.types import ScalarType, TensorType
from .build import cast, constant, expand, splat


def rewrite_quant(op, rw):
    ins, out = op.operands[:-1], op.operands[-1]
    shape = out.type.shape
    maps = op.attributes["indexing_maps"].values
    x, scale, *zero = (expand(rw, v, m, shape, like=out) for v, m in zip(ins, maps))
    real = scale.type.element

    def at(element):
        return TensorType(shape, element)

    def arith(name, *operands):
        return rw.new(f"arith.{name}", list(operands), [operands[0].type])[0]

    if op.name.endswith("dequantize_affine"):
        if zero:
            a, b = x.type.element.bitwidth, zero[0].type.element.bitwidth
            wide = ScalarType(f"i{max(a, b) if a != b else min(2 * a, 64)}")
            x = arith("subi", cast(rw, x, wide, False), cast(rw, zero[0], wide, False))
        value = arith("mulf", cast(rw, x, real, False), scale)
        return [cast(rw, value, out.type.element, False)]
    value = rw.new("math.roundeven", [arith("divf", cast(rw, x, real, False), scale)], [at(real)])[0]
    if zero:
        value = arith("addf", value, cast(rw, zero[0], real, False))
    for name, key in (("maxnumf", "quant_min"), ("minnumf", "quant_max")):
        bound = splat(rw, constant(rw, float(op.attributes[key].value), real), out)
        value = arith(name, value, bound)
    return [cast(rw, value, out.type.element, False)]
