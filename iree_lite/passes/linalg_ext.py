"""iree_linalg_ext ops lowered to ops the compiler has.

gather is element-wise: each output element's coordinates into the source
are read from the indices by gathers, and the source gathered at them (all
of which fuse into one kernel). scatter is a loop over the batch elements
in order (the only order that is right for non-unique indices): each one's
slice of the original is read, combined with its update by the region,
applied element-wise to the slice, and written back. An index outside its
dimension fails the call (OUT_OF_RANGE), in both ops, where IREE reads or
writes outside the tensor. scan is a loop along its dimension, one slice a
step. sort and topk are in linalg_ext_sort.py.
"""
from ..dialects.linalg import ins_outs
from ..ir.types import TensorType
from .build import I1, INDEX, cmp, emit, extract, for_loop, if_else, index_constant, insert, linear_index, shape_of, \
    size_product, splat, view
from .body import apply_body, gather
from .linalg_ext_attention import rewrite_attention
from .linalg_ext_custom import rewrite_custom
from .linalg_ext_fft import rewrite_fft
from .linalg_ext_map import rewrite_map_load, rewrite_map_store
from .linalg_ext_quant import rewrite_quant
from .linalg_ext_winograd import rewrite_winograd
from .linalg_ext_sort import rewrite_sort, rewrite_topk


def as_index(ops, value, loc):
    """Integer indices (scalars or tensors) as index values, read as signed."""
    t = value.type
    element = t.element if isinstance(t, TensorType) else t
    if element == INDEX:
        return value
    rt = TensorType(t.shape, INDEX) if isinstance(t, TensorType) else INDEX
    return emit(ops, "arith.index_cast", [value], [rt], loc=loc)[0]


def rewrite_gather(op, ops, remap, source):
    (src, indices, *mask), (out,) = ins_outs(op)
    loc, shape = op.loc, op.results[0].type.shape
    dim_map = op.attributes["dimension_map"]
    batch = out.type.rank - (src.type.rank - len(dim_map))
    at = [linear_index(ops, shape, d, loc, source, out) for d in range(out.type.rank)]
    coords = [None] * len(dim_map)
    for k, d in enumerate(dim_map):
        position = at[:batch]
        if indices.type.rank == batch + 1:   # else the index depth is an implicit 1
            k_index = index_constant(ops, k, loc)
            position.append(k_index if batch else splat(ops, k_index, out, loc))
        coords[d] = as_index(ops, gather(ops, indices, position, shape, loc), loc)
    value = gather(ops, src, coords + at[batch:], shape, loc)
    if mask:
        keep = gather(ops, mask[0], at[:batch], shape, loc)
        value = emit(ops, "arith.select", [keep, value, out], [out.type], loc=loc)[0]
    return [value]


def rewrite_scatter(op, ops, remap, source):
    (updates, indices, *mask), (original,) = ins_outs(op)
    loc = op.loc
    dim_map = op.attributes["dimension_map"]
    depth = len(dim_map)
    batch = updates.type.rank - (original.type.rank - depth)
    extent = shape_of(ops, updates, loc)
    count, piece = size_product(ops, extent[:batch], loc), extent[batch:]
    count_value = count if not isinstance(count, int) else index_constant(ops, count, loc)
    rows = view(ops, updates, [count] + piece, loc)
    where = view(ops, indices, [count, depth], loc)
    keep = view(ops, mask[0], [count], loc) if mask else None
    t = original.type

    def body(ops, i, acc):
        coords = [as_index(ops, emit(ops, "tensor.extract", [where, i, index_constant(ops, k, loc)],
                                     [indices.type.element], loc=loc)[0], loc) for k in range(depth)]
        coords = [coords[dim_map.index(d)] for d in range(depth)]
        zero = index_constant(ops, 0, loc)
        sizes = [1] * depth + piece

        def update(ops):
            old = extract(ops, acc, coords + [zero] * len(piece), sizes, loc)
            row = view(ops, extract(ops, rows, [i] + [zero] * len(piece), [1] + piece, loc), sizes, loc)
            block = op.regions[0].blocks[0]
            (new,) = apply_body(ops, block, dict(zip(block.arguments, (row, old))), old.type.shape, remap, source,
                                like=old)
            return [insert(ops, new, acc, coords + [zero] * len(piece), loc, sizes)]
        if keep is None:
            return update(ops)
        kept = emit(ops, "tensor.extract", [keep, i], [I1], loc=loc)[0]
        return if_else(ops, kept, update, lambda ops: [acc], [t], loc)
    return for_loop(ops, count_value, [original], body, loc)


def rewrite_scan(op, ops, remap, source):
    """A loop along the scanned dimension carrying (out, acc): each step
    one slice, the region applied element-wise to the previous output's
    slice and an input slice."""
    (x,), (out, acc) = ins_outs(op)
    loc, dim, inclusive = op.loc, op.attributes["dimension"], op.attributes["inclusive"]
    along = Slices(ops, x, dim, loc)
    row = along.row
    block = op.regions[0].blocks[0]

    def step(ops, k, result, carried):
        def first(ops):
            return [row(ops, x, k) if inclusive else carried, carried]

        def later(ops):
            before = emit(ops, "arith.subi", [k, index_constant(ops, 1, loc)], [INDEX], loc=loc)[0]
            (value,) = apply_body(ops, block, {block.arguments[0]: row(ops, result, before),
                                               block.arguments[1]: row(ops, x, k if inclusive else before)},
                                  acc.type.shape, remap, source, like=carried)
            return [value, value]
        is_first = cmp(ops, "eq", k, index_constant(ops, 0, loc), loc)
        value, carried = if_else(ops, is_first, first, later, [acc.type, acc.type], loc)
        piece = view(ops, value, along.sizes, loc)
        return [insert(ops, piece, result, along.at(ops, k), loc, along.sizes), carried]
    return for_loop(ops, along.count, [out, acc], step, loc)


def rewrite_arg_compare(op, ops, remap, source):
    """A loop along the dimension carrying the best (values, indices): each
    step the region, element-wise, decides where the step's slice wins."""
    n_in = op.attributes["num_ins"].value
    (x,), (value, index), base = op.operands[:n_in], op.operands[n_in:n_in + 2], op.operands[n_in + 2:]
    loc, dim = op.loc, op.attributes["dimension"]
    along = Slices(ops, x, dim, loc)
    block = op.regions[0].blocks[0]
    index_type = index.type.element

    def step(ops, k, best, where):
        row = along.row(ops, x, k)
        (wins,) = apply_body(ops, block, {block.arguments[0]: row, block.arguments[1]: best}, value.type.shape,
                             remap, source, like=best)
        position = emit(ops, "arith.addi", [k, base[0]], [INDEX], loc=loc)[0] if base else k
        position = emit(ops, "arith.index_cast", [position], [index_type], loc=loc)[0]
        return [emit(ops, "arith.select", [wins, row, best], [value.type], loc=loc)[0],
                emit(ops, "arith.select", [wins, splat(ops, position, where, loc), where], [index.type], loc=loc)[0]]
    return for_loop(ops, along.count, [value, index], step, loc)


class Slices:
    """The slices along dimension `dim` of tensors of x's shape, for a loop
    over it: `count` of them (an int or an index value)."""

    def __init__(self, ops, x, dim, loc):
        extent = shape_of(ops, x, loc)
        self.count, self.dim, self.rank, self.loc = extent[dim], dim, x.type.rank, loc
        self.sizes = extent[:dim] + [1] + extent[dim + 1:]
        self.kept = extent[:dim] + extent[dim + 1:]

    def at(self, ops, k):
        """The offsets of slice k (an index value)."""
        zero = index_constant(ops, 0, self.loc)
        return [zero] * self.dim + [k] + [zero] * (self.rank - self.dim - 1)

    def row(self, ops, tensor, k):
        """Slice k of `tensor`, without the dimension."""
        return view(ops, extract(ops, tensor, self.at(ops, k), self.sizes, self.loc), self.kept, self.loc)


REWRITES = {"iree_linalg_ext.gather": rewrite_gather, "iree_linalg_ext.scatter": rewrite_scatter,
            "iree_linalg_ext.scan": rewrite_scan, "iree_linalg_ext.sort": rewrite_sort,
            "iree_linalg_ext.topk": rewrite_topk, "iree_linalg_ext.topk_v2": rewrite_topk,
            "iree_linalg_ext.arg_compare": rewrite_arg_compare, "iree_linalg_ext.attention": rewrite_attention,
            "iree_linalg_ext.online_attention": rewrite_attention, "iree_linalg_ext.map_load": rewrite_map_load,
            "iree_linalg_ext.map_store": rewrite_map_store,
            "iree_linalg_ext.winograd.input_transform": rewrite_winograd,
            "iree_linalg_ext.winograd.output_transform": rewrite_winograd,
            "iree_linalg_ext.winograd.filter_transform": rewrite_winograd,
            "iree_linalg_ext.fft": rewrite_fft,
            "iree_linalg_ext.quantize_affine": rewrite_quant, "iree_linalg_ext.dequantize_affine": rewrite_quant,
            "iree_linalg_ext.custom_op": rewrite_custom}
