"""iree_linalg_ext.map_load and map_store: the region applied element-wise
to the coordinates of the iteration space. map_load is then a gather (the
padding where the source coordinates fall outside the source); map_store a
loop over the input's elements, in order, writing each one whose mask holds
at its output coordinates (outside the output, the call fails:
OUT_OF_RANGE, where IREE would write out of bounds)."""
from .body import apply_body, flat_index, gather
from .build import I1, INDEX, for_loop, if_else, linear_index, shape_of, size_product, view


def coordinates(op, rw, space):
    """The region's yielded values, as tensors over the shape of `space`."""
    block = op.regions[0].blocks[0]
    shape = space.type.shape
    mapping = {arg: linear_index(rw, shape, d, space) for d, arg in enumerate(block.arguments)}
    return apply_body(rw, block, mapping, shape, like=space)


def rewrite_map_load(op, rw):
    src, out = op.operands
    *coords, padding = coordinates(op, rw, out)
    return [gather(rw, src, coords, out.type.shape, padding)]


def rewrite_map_store(op, rw):
    x, out = op.operands
    *coords, mask = coordinates(op, rw, x)
    flat, _ = flat_index(rw, out, coords)
    count = size_product(rw, shape_of(rw, x))
    values, where, keep = (view(rw, v, [count]) for v in (x, flat, mask))
    flat_out = view(rw, out, [size_product(rw, shape_of(rw, out))])

    def step(i, acc):
        def store():
            value = rw.new("tensor.extract", [values, i], [x.type.element])[0]
            at = rw.new("tensor.extract", [where, i], [INDEX])[0]
            return [rw.new("tensor.insert", [value, acc, at], [acc.type])[0]]
        return if_else(rw, rw.new("tensor.extract", [keep, i], [I1])[0], store, lambda: [acc], [acc.type])
    (stored,) = for_loop(rw, count, [flat_out], step)
    return [view(rw, stored, shape_of(rw, out))]
