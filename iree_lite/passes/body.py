"""A structured op's body applied element-wise: each scalar op of the block
becomes the same op on tensors of the iteration shape (`tensor.extract` of
varying indices a gather)."""
from ..dialects import lookup
from ..ir.types import TensorType, element_type_of
from .build import I1, INDEX, cmp, index_constant, linear_index, size_of, splat


def apply_body(rw, block, mapping, shape, dims=None, like=None):
    """Each op of a body block, applied element-wise over `shape`: the same
    ops on tensors (scalars defined outside stay scalars). Iteration
    dimension d is dimension dims[d] of `shape` (default: d); tensor `like`,
    when given, has `shape` and sizes its dynamic dimensions. Returns the
    tensors of the terminator's operands."""
    for inner in block.operations[:-1]:
        if inner.regions:
            raise rw.error(f"'{inner.name}' inside a structured op body is not supported by iree-lite yet", inner.loc)
        if inner.name in ("linalg.index", "iree_linalg_ext.index"):   # the latter: in attention's region
            dim = inner.attributes["dim"].value
            with rw.at(inner.loc):
                mapping[inner.results[0]] = linear_index(rw, shape, dims[dim] if dims else dim, like)
            continue
        operands = [mapping.get(v, rw.remap.get(v, v)) for v in inner.operands]
        varying = any(v in mapping for v in inner.operands)   # else a scalar op, computed once
        if varying and inner.name == "tensor.extract":
            with rw.at(inner.loc):
                mapping[inner.results[0]] = gather(rw, operands[0], operands[1:], shape)
            continue
        if varying and lookup(inner.name).elementwise is None:
            raise rw.error(f"'{inner.name}' of values that vary inside a structured op body is not supported "
                           "by iree-lite yet", inner.loc)
        types = [TensorType(shape, element_type_of(r.type)) if varying else r.type for r in inner.results]
        with rw.at(inner.loc):
            mapping.update(zip(inner.results, rw.new(inner.name, operands, types, dict(inner.attributes))))
    results = []
    terminator = block.operations[-1]
    for value in terminator.operands:
        value = mapping.get(value, rw.remap.get(value, value))
        if not isinstance(value.type, TensorType):
            if like is None and None in shape:
                raise rw.error("a body yielding a value defined outside it, on dynamic shapes, is not supported "
                               "here by iree-lite yet", terminator.loc)
            with rw.at(terminator.loc):
                value = splat(rw, value, like) if like is not None else \
                    rw.new("tensor.splat", [value], [TensorType(shape, value.type)])[0]
        results.append(value)
    return results


def gather(rw, src, indices, shape, padding=None):
    """src's elements at `indices` (index tensors of `shape`, or scalars):
    where any index is outside its dimension, `padding` (a tensor of `shape`)
    if given, else the call fails (t.gather refuses the flat index -1)."""
    flat, inside = flat_index(rw, src, indices)
    t = TensorType(tuple(shape), src.type.element)
    if padding is None or inside is None:
        return rw.new("iree_lite.gather", [src, flat], [t])[0]
    zero = index_constant(rw, 0)
    safe = rw.new("arith.select", [inside, flat, zero], [flat.type])[0]
    value = rw.new("iree_lite.gather", [src, safe], [t])[0]
    return rw.new("arith.select", [inside, value, padding], [t])[0]


def flat_index(rw, src, indices):
    """(row-major flat index into src at `indices`, -1 where any index is
    outside its dimension; whether all are inside, None for no indices)."""
    def elementwise(name, a, b, attributes=None):
        t = next((v.type for v in (a, b) if isinstance(v.type, TensorType)), None)
        rt = I1 if name == "arith.andi" else INDEX
        return rw.new(name, [a, b], [TensorType(t.shape, rt) if t else rt], attributes)[0]
    flat, inside = index_constant(rw, 0), None
    for axis, index in enumerate(indices):
        size = size_of(rw, src, axis)
        flat = elementwise("arith.addi", elementwise("arith.muli", flat, size), index)
        ok = cmp(rw, "ult", index, size)   # unsigned: 0 <= index < size
        inside = ok if inside is None else elementwise("arith.andi", inside, ok)
    if inside is not None:
        flat = rw.new("arith.select", [inside, flat, index_constant(rw, -1)], [flat.type])[0]
    return flat, inside
