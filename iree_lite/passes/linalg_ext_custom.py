"""iree_linalg_ext.custom_op run untiled, as IREE's decomposition runs it:
the region inlined over the whole operands, each tensor operand cast to
its block argument's dynamic type and each yielded value to its result's
type; `iree_linalg_ext.index` in the region, the offset of the one tile,
is 0. The inlined ops are then lowered like any other."""
from ..dialects.iree_linalg_ext import IndexOp
from ..ir.core import Block
from .build import index_constant


def rewrite_custom(op, rw):
    from .linalg import rewrite_block   # the region's ops are lowered as the function's are
    body = op.regions[0].blocks[0]
    for arg, value in zip(body.arguments, op.operands):
        rw.remap[arg] = value if value.type == arg.type else rw.new("tensor.cast", [value], [arg.type])[0]
    inlined = Block()
    for inner in body.operations[:-1]:
        if inner.name == IndexOp.name:
            with rw.at(inner.loc):
                rw.remap[inner.results[0]] = index_constant(rw, 0)
        else:
            inlined.append(inner)
    rewrite_block(inlined, rw)
    rw.ops += inlined.operations
    results = []
    for value, result in zip(body.operations[-1].operands, op.results):
        value = rw.remap.get(value, value)
        results.append(value if value.type == result.type else rw.new("tensor.cast", [value], [result.type])[0])
    return results

