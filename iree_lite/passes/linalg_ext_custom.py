"""iree_linalg_ext.custom_op run untiled, as IREE's decomposition runs it:
the region inlined over the whole operands, each tensor operand cast to
its block argument's dynamic type and each yielded value to its result's
type; `iree_linalg_ext.index` in the region, the offset of the one tile,
is 0. The inlined ops are then lowered like any other."""
from ..dialects.iree_linalg_ext import IndexOp
from ..ir.core import Block
from .build import emit, index_constant


def rewrite_custom(op, ops, remap, source):
    from .linalg import lower_linalg   # the region's ops are lowered as the function's are
    body = op.regions[0].blocks[0]
    for arg, value in zip(body.arguments, op.operands):
        remap[arg] = value if value.type == arg.type else emit(ops, "tensor.cast", [value], [arg.type], loc=op.loc)[0]
    inlined = Block()
    for inner in body.operations[:-1]:
        if inner.name == IndexOp.name:
            remap[inner.results[0]] = index_constant(ops, 0, inner.loc)
        else:
            inlined.append(inner)
    lower_linalg(inlined, source, remap)
    ops += inlined.operations
    results = []
    for value, result in zip(body.operations[-1].operands, op.results):
        value = remap.get(value, value)
        results.append(value if value.type == result.type else
                       emit(ops, "tensor.cast", [value], [result.type], loc=op.loc)[0])
    return results

