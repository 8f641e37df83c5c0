"""Scalar inputs of `linalg.generic` (`ins(%x, %s : tensor<4xi32>, i32)`,
indexed by a map with no results): the same value at every point of the
iteration. The body reads the scalar itself, and the op loses the operand,
its map and its block argument, leaving a generic over tensors only."""
from ..ir.attributes import ArrayAttr, IntegerAttr
from ..ir.types import TensorType


def fold_scalar_operands(op, remap):
    """Rewrite `op` in place; `remap` maps each dropped block argument to its scalar."""
    num_ins = op.attributes["num_ins"]
    body = op.regions[0].blocks[0]
    keep = [i for i, v in enumerate(op.operands) if i >= num_ins.value or isinstance(v.type, TensorType)]
    if len(keep) == len(op.operands):
        return
    for i, v in enumerate(op.operands[:num_ins.value]):
        if i not in keep:
            remap[body.arguments[i]] = v
    maps = op.attributes["indexing_maps"].values
    op.attributes["indexing_maps"] = ArrayAttr(tuple(maps[i] for i in keep))
    op.attributes["num_ins"] = IntegerAttr(num_ins.value - (len(op.operands) - len(keep)), num_ins.type)
    op.operands = [op.operands[i] for i in keep]
    body.arguments = [body.arguments[i] for i in keep]
    for i, arg in enumerate(body.arguments):
        arg.index = i
