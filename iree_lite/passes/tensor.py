"""Rewrites of the tensor ops codegen does not take as they are:
tensor.generate, tensor.pad computed in a region or of dynamic shape, and
tensor.concat of dynamic shape (passes/rewriter.py's convention)."""
from ..ir.types import TensorType
from .body import apply_body
from .build import INDEX, index_constant, insert, linear_index, size_of, splat


def _dynamic(op):
    return any(isinstance(v.type, TensorType) and not v.type.is_static for v in (*op.operands, *op.results))


def rewrite_generate(op, rw):
    """tensor.generate: its body over the result's shape (sized, where
    dynamic, by its operands)."""
    t = op.results[0].type
    like = None if t.is_static else rw.new("tensor.empty", list(op.operands), [t])[0]
    return generate(rw, op.regions[0].blocks[0], t.shape, like)


def generate(rw, body, shape, like):
    """A body over `shape`, its block arguments being the coordinates."""
    mapping = {arg: linear_index(rw, shape, d, like) for d, arg in enumerate(body.arguments)}
    return apply_body(rw, body, mapping, shape, like=like)


def rewrite_pad(op, rw):
    """tensor.pad computed in its region, or of dynamic shape: the padding
    over the result's shape (the region as tensor.generate, or a fill), then
    the source inserted at the low offsets. Any other pad stays."""
    if not (op.regions or _dynamic(op)):
        return None
    src, t = op.operands[0], op.results[0].type
    dynamic = iter(op.operands[len(op.operands) - (op.attributes["low"] + op.attributes["high"]).count(None):])
    low, high = ([next(dynamic) if n is None else index_constant(rw, n) for n in op.attributes[key]]
                 for key in ("low", "high"))
    like = None
    if not t.is_static:
        extents = []
        for axis, (lo, hi) in enumerate(zip(low, high)):
            if t.shape[axis] is None:
                extent = rw.new("arith.addi", [size_of(rw, src, axis), lo], [INDEX])[0]
                extents += rw.new("arith.addi", [extent, hi], [INDEX])
        like = rw.new("tensor.empty", extents, [t])[0]
    if op.regions:
        (padding,) = generate(rw, op.regions[0].blocks[0], t.shape, like)
    else:
        padding = splat(rw, op.operands[1], like) if like is not None else \
            rw.new("tensor.splat", [op.operands[1]], [t])[0]
    return [insert(rw, src, padding, low)]


def rewrite_concat(op, rw):
    """tensor.concat of dynamic shape: each operand inserted after the last.
    The other dimensions' sizes are the result's (static where any operand's
    is), which every operand must have. A static concat stays."""
    if not _dynamic(op):
        return None
    t, dim = op.results[0].type, op.attributes["dim"]
    total = None
    for v in op.operands:   # the concatenated dimension's size, summed at run time
        n = size_of(rw, v, dim)
        total = n if total is None else rw.new("arith.addi", [total, n], [INDEX])[0]
    common = []
    for axis in range(t.rank):
        static = [n for n in (t.shape[axis], *(v.type.shape[axis] for v in op.operands)) if n is not None]
        common.append(total if axis == dim else static[0] if static else size_of(rw, op.operands[0], axis))
    t = TensorType(tuple(n if isinstance(n, int) else None for n in common), t.element)
    result = rw.new("tensor.empty", [n for n in common if not isinstance(n, int)], [t])[0]
    at = index_constant(rw, 0)
    for v in op.operands:
        offsets = [at if axis == dim else index_constant(rw, 0) for axis in range(t.rank)]
        n = size_of(rw, v, dim)
        result = insert(rw, v, result, offsets, [n if axis == dim else m for axis, m in enumerate(common)])
        at = rw.new("arith.addi", [at, n], [INDEX])[0]
    return [result if result.type == op.results[0].type else rw.new("tensor.cast", [result], [op.results[0].type])[0]]


REWRITES = {"tensor.generate": rewrite_generate, "tensor.pad": rewrite_pad, "tensor.concat": rewrite_concat}
