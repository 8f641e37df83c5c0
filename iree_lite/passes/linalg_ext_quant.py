"""iree_linalg_ext.quantize_affine and dequantize_affine, element-wise as
IREE decomposes them (DecomposeAggregatedOps), in the scale's float type F:

    dequantize: F(x - zero_point) * scale, then to the output's float type,
                the difference in an integer wide enough for both operands
                (twice the width when they have the same one, as IREE's)
    quantize:   fptosi(clamp(roundeven(F(x) / scale) + F(zero_point), quant_min, quant_max))
"""
from ..ir.types import ScalarType, TensorType
from .build import cast, constant, emit, expand, splat


def rewrite_quant(op, ops, remap, source):
    ins, out = op.operands[:-1], op.operands[-1]
    loc, shape = op.loc, out.type.shape
    maps = op.attributes["indexing_maps"].values
    x, scale, *zero = (expand(ops, v, m, shape, loc, like=out) for v, m in zip(ins, maps))
    real = scale.type.element

    def at(element):
        return TensorType(shape, element)

    def arith(name, *operands):
        return emit(ops, f"arith.{name}", list(operands), [operands[0].type], loc=loc)[0]

    if op.name.endswith("dequantize_affine"):
        if zero:
            a, b = x.type.element.bitwidth, zero[0].type.element.bitwidth
            wide = ScalarType(f"i{max(a, b) if a != b else min(2 * a, 64)}")
            x = arith("subi", cast(ops, x, wide, False, loc), cast(ops, zero[0], wide, False, loc))
        value = arith("mulf", cast(ops, x, real, False, loc), scale)
        return [cast(ops, value, out.type.element, False, loc)]
    value = emit(ops, "math.roundeven", [arith("divf", cast(ops, x, real, False, loc), scale)], [at(real)],
                 loc=loc)[0]
    if zero:
        value = arith("addf", value, cast(ops, zero[0], real, False, loc))
    for name, key in (("maxnumf", "quant_min"), ("minnumf", "quant_max")):
        bound = splat(ops, constant(ops, float(op.attributes[key].value), real, loc), out, loc)
        value = arith(name, value, bound)
    return [cast(ops, value, out.type.element, False, loc)]
