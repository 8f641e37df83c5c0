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
from .build import I1, INDEX, cmp, extract, for_loop, if_else, index_constant, insert, linear_index, shape_of, \
    size_product, splat, view
from .body import apply_body, gather
from .linalg_ext_attention import rewrite_attention
from .linalg_ext_custom import rewrite_custom
from .linalg_ext_fft import rewrite_fft
from .linalg_ext_map import rewrite_map_load, rewrite_map_store
from .linalg_ext_quant import rewrite_quant
from .linalg_ext_winograd import rewrite_winograd
from .linalg_ext_sort import rewrite_sort, rewrite_topk


def as_index(rw, value):
    """Integer indices (scalars or tensors) as index values, read as signed."""
    t = value.type
    element = t.element if isinstance(t, TensorType) else t
    if element == INDEX:
        return value
    rt = TensorType(t.shape, INDEX) if isinstance(t, TensorType) else INDEX
    return rw.new("arith.index_cast", [value], [rt])[0]


def rewrite_gather(op, rw):
    (src, indices, *mask), (out,) = ins_outs(op)
    shape = op.results[0].type.shape
    dim_map = op.attributes["dimension_map"]
    batch = out.type.rank - (src.type.rank - len(dim_map))
    at = [linear_index(rw, shape, d, out) for d in range(out.type.rank)]
    coords = [None] * len(dim_map)
    for k, d in enumerate(dim_map):
        position = at[:batch]
        if indices.type.rank == batch + 1:   # else the index depth is an implicit 1
            k_index = index_constant(rw, k)
            position.append(k_index if batch else splat(rw, k_index, out))
        coords[d] = as_index(rw, gather(rw, indices, position, shape))
    value = gather(rw, src, coords + at[batch:], shape)
    if mask:
        keep = gather(rw, mask[0], at[:batch], shape)
        value = rw.new("arith.select", [keep, value, out], [out.type])[0]
    return [value]


def rewrite_scatter(op, rw):
    (updates, indices, *mask), (original,) = ins_outs(op)
    dim_map = op.attributes["dimension_map"]
    depth = len(dim_map)
    batch = updates.type.rank - (original.type.rank - depth)
    extent = shape_of(rw, updates)
    count, piece = size_product(rw, extent[:batch]), extent[batch:]
    count_value = count if not isinstance(count, int) else index_constant(rw, count)
    rows = view(rw, updates, [count] + piece)
    where = view(rw, indices, [count, depth])
    keep = view(rw, mask[0], [count]) if mask else None
    t = original.type

    def body(i, acc):
        coords = [as_index(rw, rw.new("tensor.extract", [where, i, index_constant(rw, k)],
                                      [indices.type.element])[0]) for k in range(depth)]
        coords = [coords[dim_map.index(d)] for d in range(depth)]
        zero = index_constant(rw, 0)
        sizes = [1] * depth + piece

        def update():
            old = extract(rw, acc, coords + [zero] * len(piece), sizes)
            row = view(rw, extract(rw, rows, [i] + [zero] * len(piece), [1] + piece), sizes)
            block = op.regions[0].blocks[0]
            (new,) = apply_body(rw, block, dict(zip(block.arguments, (row, old))), old.type.shape, like=old)
            return [insert(rw, new, acc, coords + [zero] * len(piece), sizes)]
        if keep is None:
            return update()
        kept = rw.new("tensor.extract", [keep, i], [I1])[0]
        return if_else(rw, kept, update, lambda: [acc], [t])
    return for_loop(rw, count_value, [original], body)


def rewrite_scan(op, rw):
    """A loop along the scanned dimension carrying (out, acc): each step
    one slice, the region applied element-wise to the previous output's
    slice and an input slice."""
    (x,), (out, acc) = ins_outs(op)
    dim, inclusive = op.attributes["dimension"], op.attributes["inclusive"]
    along = Slices(rw, x, dim)
    row = along.row
    block = op.regions[0].blocks[0]

    def step(k, result, carried):
        def first():
            return [row(x, k) if inclusive else carried, carried]

        def later():
            before = rw.new("arith.subi", [k, index_constant(rw, 1)], [INDEX])[0]
            (value,) = apply_body(rw, block, {block.arguments[0]: row(result, before),
                                              block.arguments[1]: row(x, k if inclusive else before)},
                                  acc.type.shape, like=carried)
            return [value, value]
        is_first = cmp(rw, "eq", k, index_constant(rw, 0))
        value, carried = if_else(rw, is_first, first, later, [acc.type, acc.type])
        piece = view(rw, value, along.sizes)
        return [insert(rw, piece, result, along.at(k), along.sizes), carried]
    return for_loop(rw, along.count, [out, acc], step)


def rewrite_arg_compare(op, rw):
    """A loop along the dimension carrying the best (values, indices): each
    step the region, element-wise, decides where the step's slice wins."""
    n_in = op.attributes["num_ins"].value
    (x,), (value, index), base = op.operands[:n_in], op.operands[n_in:n_in + 2], op.operands[n_in + 2:]
    dim = op.attributes["dimension"]
    along = Slices(rw, x, dim)
    block = op.regions[0].blocks[0]
    index_type = index.type.element

    def step(k, best, where):
        row = along.row(x, k)
        (wins,) = apply_body(rw, block, {block.arguments[0]: row, block.arguments[1]: best}, value.type.shape,
                             like=best)
        position = rw.new("arith.addi", [k, base[0]], [INDEX])[0] if base else k
        position = rw.new("arith.index_cast", [position], [index_type])[0]
        return [rw.new("arith.select", [wins, row, best], [value.type])[0],
                rw.new("arith.select", [wins, splat(rw, position, where), where], [index.type])[0]]
    return for_loop(rw, along.count, [value, index], step)


class Slices:
    """The slices along dimension `dim` of tensors of x's shape, for a loop
    over it: `count` of them (an int or an index value)."""

    def __init__(self, rw, x, dim):
        extent = shape_of(rw, x)
        self.rw, self.count, self.dim, self.rank = rw, extent[dim], dim, x.type.rank
        self.sizes = extent[:dim] + [1] + extent[dim + 1:]
        self.kept = extent[:dim] + extent[dim + 1:]

    def at(self, k):
        """The offsets of slice k (an index value)."""
        zero = index_constant(self.rw, 0)
        return [zero] * self.dim + [k] + [zero] * (self.rank - self.dim - 1)

    def row(self, tensor, k):
        """Slice k of `tensor`, without the dimension."""
        return view(self.rw, extract(self.rw, tensor, self.at(k), self.sizes), self.kept)


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
