"""iree_linalg_ext.map_load and map_store: the region applied element-wise
to the coordinates of the iteration space. map_load is then a gather (the
padding where the source coordinates fall outside the source); map_store a
loop over the input's elements, in order, writing each one whose mask holds
at its output coordinates (outside the output, the call fails:
OUT_OF_RANGE, where IREE would write out of bounds)."""
from .body import apply_body, flat_index, gather
from .build import I1, INDEX, emit, for_loop, if_else, linear_index, shape_of, size_product, view


def coordinates(op, ops, space, remap, source):
    """The region's yielded values, as tensors over the shape of `space`."""
    block = op.regions[0].blocks[0]
    shape = space.type.shape
    mapping = {arg: linear_index(ops, shape, d, op.loc, source, space) for d, arg in enumerate(block.arguments)}
    return apply_body(ops, block, mapping, shape, remap, source, like=space)


def rewrite_map_load(op, ops, remap, source):
    src, out = op.operands
    *coords, padding = coordinates(op, ops, out, remap, source)
    return [gather(ops, src, coords, out.type.shape, op.loc, padding)]


def rewrite_map_store(op, ops, remap, source):
    x, out = op.operands
    loc = op.loc
    *coords, mask = coordinates(op, ops, x, remap, source)
    flat, _ = flat_index(ops, out, coords, loc)
    count = size_product(ops, shape_of(ops, x, loc), loc)
    values, where, keep = (view(ops, v, [count], loc) for v in (x, flat, mask))
    flat_out = view(ops, out, [size_product(ops, shape_of(ops, out, loc), loc)], loc)

    def step(ops, i, acc):
        def store(ops):
            value = emit(ops, "tensor.extract", [values, i], [x.type.element], loc=loc)[0]
            at = emit(ops, "tensor.extract", [where, i], [INDEX], loc=loc)[0]
            return [emit(ops, "tensor.insert", [value, acc, at], [acc.type], loc=loc)[0]]
        return if_else(ops, emit(ops, "tensor.extract", [keep, i], [I1], loc=loc)[0], store, lambda ops: [acc],
                       [acc.type], loc)
    (stored,) = for_loop(ops, count, [flat_out], step, loc)
    return [view(ops, stored, shape_of(ops, out, loc), loc)]
