"""The MLIR that reaches each element-wise tile op, for tests that run every
one: one arith, math or internal op, or for a superinstruction
(isa.SUPERINSTRUCTIONS) the pair of them, the first's result the second's
first operand."""
from iree_lite import isa
from iree_lite.dialects import arith, iree_lite, linalg, math

MLIR_OF = {op.elementwise: name for dialect in (arith, math, linalg, iree_lite)
           for name, op in dialect.OPS.items() if op.elementwise}
MLIR_OF.update({name: tuple(MLIR_OF[part] for part in parts) for name, parts in isa.SUPERINSTRUCTIONS.items()})


def tile_op_lines(name, operands, sig):
    """MLIR lines setting %r to tile op `name` of `operands` (SSA names),
    each op typed `sig`."""
    mlir = MLIR_OF[name]
    if isinstance(mlir, tuple):
        first, second = mlir
        k = isa.ARITY[isa.SUPERINSTRUCTIONS[name][0]]
        return (f"  %m = {first} {', '.join(operands[:k])} : {sig}\n"
                f"  %r = {second} {', '.join(['%m', *operands[k:]])} : {sig}\n")
    return f"  %r = {mlir} {', '.join(operands)} : {sig}\n"
