"""arith's extended ops in ops of one width: addui_extended as the wrapping
sum and an unsigned compare; mulsi/mului_extended as the product's low
half and its high half, computed in i64 for narrower types and from 32-bit
halves for i64."""
from ..dialects.arith import with_element
from ..ir.attributes import IntegerAttr
from ..ir.types import ScalarType, TensorType, element_type_of
from .build import cmp, splat

I64 = ScalarType("i64")
EXTENDED = ("arith.addui_extended", "arith.mulsi_extended", "arith.mului_extended")


def rewrite_extended(op, rw):
    """The values of op's two results."""
    a, b = op.operands
    bits = element_type_of(a.type).bitwidth

    def arith(name, *operands, element=None):
        t = operands[0].type if element is None else with_element(operands[0].type, element)
        return rw.new(f"arith.{name}", list(operands), [t])[0]

    def constant(value, like):
        element = element_type_of(like.type)
        c = rw.new("arith.constant", [], [element], {"value": IntegerAttr(value, element)})[0]
        return splat(rw, c, like) if isinstance(like.type, TensorType) else c

    if op.name == "arith.addui_extended":
        if bits == 1:   # i1 has logic ops only: the sum bit and the carry
            return [arith("xori", a, b), arith("andi", a, b)]
        total = arith("addi", a, b)
        return [total, cmp(rw, "ult", total, a)]
    signed = op.name == "arith.mulsi_extended"
    if bits < 64:   # the exact product fits i64: its two halves
        wide = arith("muli", *(arith("extsi" if signed else "extui", x, element=I64) for x in (a, b)))
        high = arith("shrui", wide, constant(bits, wide))
        return [arith("trunci", x, element=element_type_of(a.type)) for x in (wide, high)]
    # i64: the unsigned high half from the four products of 32-bit halves
    # (each exact in u64), then, when signed, less b for a < 0 and a for b < 0.
    mask, half = constant(0xFFFFFFFF, a), constant(32, a)
    lo_a, hi_a, lo_b, hi_b = arith("andi", a, mask), arith("shrui", a, half), arith("andi", b, mask), \
        arith("shrui", b, half)
    low_low, low_high = arith("muli", lo_a, lo_b), arith("muli", lo_a, hi_b)
    high_low, high_high = arith("muli", hi_a, lo_b), arith("muli", hi_a, hi_b)
    middle = arith("addi", arith("addi", arith("shrui", low_low, half), arith("andi", low_high, mask)),
                   arith("andi", high_low, mask))
    high = arith("addi", arith("addi", high_high, arith("shrui", low_high, half)),
                 arith("addi", arith("shrui", high_low, half), arith("shrui", middle, half)))
    if signed:
        sign = constant(63, a)
        high = arith("subi", high, arith("addi", arith("andi", arith("shrsi", a, sign), b),
                                         arith("andi", arith("shrsi", b, sign), a)))
    return [arith("muli", a, b), high]
