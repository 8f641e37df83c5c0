"""A structured op's body applied element-wise: each scalar op of the block
becomes the same op on tensors of the iteration shape (`tensor.extract` of
varying indices a gather)."""
from ..dialects import lookup
from ..ir.core import Diagnostic
from ..ir.types import TensorType, element_type_of
from .build import I1, INDEX, cmp, emit, index_constant, linear_index, size_of, splat


def apply_body(ops, block, mapping, shape, remap, source, dims=None, like=None):
    """Each op of a body block, applied element-wise over `shape`: the same
    ops on tensors (scalars defined outside stay scalars). Iteration
    dimension d is dimension dims[d] of `shape` (default: d); tensor `like`,
    when given, has `shape` and sizes its dynamic dimensions. Returns the
    tensors of the terminator's operands."""
    for inner in block.operations[:-1]:
        if inner.regions:
            raise Diagnostic(f"'{inner.name}' inside a structured op body is not supported by iree-lite yet",
                             inner.loc, source)
        if inner.name in ("linalg.index", "iree_linalg_ext.index"):   # the latter: in attention's region
            dim = inner.attributes["dim"].value
            mapping[inner.results[0]] = linear_index(ops, shape, dims[dim] if dims else dim, inner.loc, source, like)
            continue
        operands = [mapping.get(v, remap.get(v, v)) for v in inner.operands]
        varying = any(v in mapping for v in inner.operands)   # else a scalar op, computed once
        if varying and inner.name == "tensor.extract":
            mapping[inner.results[0]] = gather(ops, operands[0], operands[1:], shape, inner.loc)
            continue
        if varying and lookup(inner.name).elementwise is None:
            raise Diagnostic(f"'{inner.name}' of values that vary inside a structured op body is not supported "
                             "by iree-lite yet", inner.loc, source)
        types = [TensorType(shape, element_type_of(r.type)) if varying else r.type for r in inner.results]
        for old, new in zip(inner.results, emit(ops, inner.name, operands, types, dict(inner.attributes),
                                                 inner.loc)):
            mapping[old] = new
    results = []
    for value in block.operations[-1].operands:
        value = mapping.get(value, remap.get(value, value))
        if not isinstance(value.type, TensorType):
            if like is not None:
                value = splat(ops, value, like, block.operations[-1].loc)
            elif None in shape:
                raise Diagnostic("a body yielding a value defined outside it, on dynamic shapes, is not supported "
                                 "here by iree-lite yet", block.operations[-1].loc, source)
            else:
                value = emit(ops, "tensor.splat", [value], [TensorType(shape, value.type)],
                             loc=block.operations[-1].loc)[0]
        results.append(value)
    return results


def gather(ops, src, indices, shape, loc, padding=None):
    """src's elements at `indices` (index tensors of `shape`, or scalars):
    where any index is outside its dimension, `padding` (a tensor of `shape`)
    if given, else the call fails (t.gather refuses the flat index -1)."""
    flat, inside = flat_index(ops, src, indices, loc)
    t = TensorType(tuple(shape), src.type.element)
    if padding is None or inside is None:
        return emit(ops, "iree_lite.gather", [src, flat], [t], loc=loc)[0]
    zero = index_constant(ops, 0, loc)
    safe = emit(ops, "arith.select", [inside, flat, zero], [flat.type], loc=loc)[0]
    value = emit(ops, "iree_lite.gather", [src, safe], [t], loc=loc)[0]
    return emit(ops, "arith.select", [inside, value, padding], [t], loc=loc)[0]


def flat_index(ops, src, indices, loc):
    """(row-major flat index into src at `indices`, -1 where any index is
    outside its dimension; whether all are inside, None for no indices)."""
    def elementwise(name, a, b, attributes=None):
        t = next((v.type for v in (a, b) if isinstance(v.type, TensorType)), None)
        rt = I1 if name == "arith.andi" else INDEX
        return emit(ops, name, [a, b], [TensorType(t.shape, rt) if t else rt], attributes, loc)[0]
    flat, inside = index_constant(ops, 0, loc), None
    for axis, index in enumerate(indices):
        size = size_of(ops, src, axis, loc)
        flat = elementwise("arith.addi", elementwise("arith.muli", flat, size), index)
        ok = cmp(ops, "ult", index, size, loc)   # unsigned: 0 <= index < size
        inside = ok if inside is None else elementwise("arith.andi", inside, ok)
    if inside is not None:
        flat = emit(ops, "arith.select", [inside, flat, index_constant(ops, -1, loc)], [flat.type], loc=loc)[0]
    return flat, inside
