"""Builders of the tensor ops that the structured-op rewrites emit: each
appends its ops to `ops` and returns the new value(s)."""
import math

from ..dialects import lookup
from ..ir.attributes import AffineMapAttr, FloatAttr, IntegerAttr
from ..ir.linear import exact_dimension
from ..ir.core import Block, Diagnostic, Operation, Region
from ..ir.elements import wrap_int
from ..isa.smallfloat import FORMATS, tables
from ..ir.types import ScalarType, TensorType, element_type_of

INDEX = ScalarType("index")
I1 = ScalarType("i1")


def emit(ops, name, operands, result_types, attributes=None, loc=None):
    """A new op appended to `ops`: its results."""
    op = Operation(name, operands, result_types, attributes, loc=loc)
    ops.append(op)
    return op.results


def expand(ops, value, amap, shape, loc, like=None, size=None):
    """`value` seen through `amap` at the iteration `shape` (a copy), or
    `value` itself for the identity. Dynamic dimensions that no dimension of
    `value` is exactly (a broadcast's new ones, a window's) take their sizes
    from `size(d)`, an index value, or else from tensor `like`, of the
    iteration shape."""
    if amap.is_identity and value.type.shape == tuple(shape):
        return value
    forms = amap.linear()
    if forms is not None and in_order(forms, value.type.shape, shape):
        return view(ops, value, shape, loc)
    forms = forms or ()
    t = TensorType(tuple(shape), value.type.element)
    fed = {exact_dimension(coeffs, const) for coeffs, const in forms}
    size = size or (lambda d: size_of(ops, like, d, loc))
    unfed = [size(d) for d, n in enumerate(shape) if n is None and d not in fed]
    return emit(ops, "iree_lite.expand", [value] + unfed, [t], {"map": amap}, loc)[0]


def in_order(forms, src_shape, shape):
    """Whether a map of linear `forms` reads a static `src_shape` in order
    at the static `shape` of as many elements: flat source index = flat
    index, so the expand is a reshape (a view, no copy): a weight broadcast
    to a batch of one, unit dimensions added or dropped."""
    if None in src_shape or None in shape or math.prod(src_shape) != math.prod(shape):
        return False
    flat = [0] * (len(shape) + 1)   # the flat source index's coefficients, then its constant
    row = 1
    for (coeffs, const), n in zip(reversed(forms), reversed(src_shape)):
        flat = [f + c * row for f, c in zip(flat, (*coeffs, const))]
        row *= n
    row = 1
    for d in reversed(range(len(shape))):
        if shape[d] != 1 and flat[d] != row:
            return False
        row *= shape[d]
    return flat[-1] == 0


def view(ops, value, sizes, loc):
    """value's elements at another shape (no copy): `sizes` are ints, or
    index values for dynamic sizes."""
    shape = tuple(n if isinstance(n, int) else None for n in sizes)
    dims = [n for n in sizes if not isinstance(n, int)]
    return emit(ops, "iree_lite.view", [value] + dims, [TensorType(shape, value.type.element)], loc=loc)[0]


def shape_of(ops, value, loc):
    """value's sizes: ints, or index values read at run time."""
    return [n if n is not None else size_of(ops, value, a, loc) for a, n in enumerate(value.type.shape)]


def size_product(ops, sizes, loc):
    """The product of sizes (ints or index values): an int if all are."""
    static = 1
    for n in sizes:
        static *= n if isinstance(n, int) else 1
    dynamic = [n for n in sizes if not isinstance(n, int)]
    if not dynamic:
        return static
    result = dynamic[0]
    for n in dynamic[1:] + ([index_constant(ops, static, loc)] if static != 1 else []):
        result = emit(ops, "arith.muli", [result, n], [INDEX], loc=loc)[0]
    return result


def insert(ops, piece, into, offsets, loc, extent=None):
    """tensor.insert_slice of all of `piece` into `into` at index `offsets`
    (values), with unit steps. The slice's sizes are `extent` (ints or index
    values), by default piece's own; piece must have them at run time."""
    extent = extent or shape_of(ops, piece, loc)
    rank = piece.type.rank
    attrs = {"offsets": (None,) * rank, "sizes": tuple(n if isinstance(n, int) else None for n in extent),
             "strides": (1,) * rank, "slice_rank": rank}
    return emit(ops, "tensor.insert_slice", [piece, into] + offsets + [n for n in extent if not isinstance(n, int)],
                [into.type], attrs, loc)[0]



def extract(ops, src, offsets, sizes, loc):
    """tensor.extract_slice of `src` at `offsets`, of `sizes` (each ints or
    index values), with unit steps."""
    rank = src.type.rank
    attrs = {"offsets": tuple(n if isinstance(n, int) else None for n in offsets),
             "sizes": tuple(n if isinstance(n, int) else None for n in sizes), "strides": (1,) * rank,
             "slice_rank": rank}
    dynamic = [n for n in (*offsets, *sizes) if not isinstance(n, int)]
    return emit(ops, "tensor.extract_slice", [src] + dynamic, [TensorType(attrs["sizes"], src.type.element)], attrs,
                loc)[0]

def contract_views(ops, a, b, init, loc):
    """init + a @ b (batched when rank 3), init seen at the product's shape."""
    acc = view(ops, init, shape_of(ops, a, loc)[:-1] + shape_of(ops, b, loc)[-1:], loc)
    return view(ops, emit(ops, "iree_lite.matmul", [acc, a, b], [acc.type], loc=loc)[0], shape_of(ops, init, loc), loc)


def constant(ops, value, element, loc):
    """A scalar arith.constant of type `element`."""
    attr = FloatAttr(value, element) if element.is_float else IntegerAttr(value, element)
    return emit(ops, "arith.constant", [], [element], {"value": attr}, loc)[0]


def cmp(ops, predicate, a, b, loc):
    """a `predicate` b (its name), by arith.cmpf for floats else arith.cmpi:
    i1, at the shape of whichever operand is a tensor."""
    t = next((v.type for v in (a, b) if isinstance(v.type, TensorType)), None)
    name = "arith.cmpf" if element_type_of(a.type).is_float else "arith.cmpi"
    code = IntegerAttr(lookup(name).predicates.index(predicate), ScalarType("i64"))
    return emit(ops, name, [a, b], [TensorType(t.shape, I1) if t else I1], {"predicate": code}, loc)[0]


def index_constant(ops, value, loc):
    return constant(ops, value, INDEX, loc)


def size_of(ops, like, axis, loc):
    """The size of dimension `axis` of tensor `like`: a constant, or read at run time."""
    n = like.type.shape[axis]
    if n is not None:
        return index_constant(ops, n, loc)
    return emit(ops, "tensor.dim", [like, index_constant(ops, axis, loc)], [INDEX], loc=loc)[0]


def sizes(ops, like, axes, loc):
    """The sizes of `like`'s dynamic dimensions among `axes`, in order."""
    return [size_of(ops, like, a, loc) for a in axes if like.type.shape[a] is None]


def splat(ops, value, like, loc):
    """Scalar `value` at tensor `like`'s shape (its dynamic sizes read at run time)."""
    dynamic = sizes(ops, like, range(like.type.rank), loc)
    return emit(ops, "tensor.splat", [value] + dynamic, [TensorType(like.type.shape, value.type)], loc=loc)[0]


def linear_index(ops, shape, dim, loc, source, like=None):
    """An index tensor of `shape` holding each element's coordinate along
    `dim`; dynamic sizes are those of tensor `like`, of that shape."""
    if None in shape and like is None:
        raise Diagnostic("coordinates over dynamic shapes need a tensor input here in iree-lite", loc, source)
    stride = index_constant(ops, 1, loc)
    for axis in range(dim + 1, len(shape)):
        stride = emit(ops, "arith.muli", [stride, size_of(ops, like, axis, loc) if shape[axis] is None
                                          else index_constant(ops, shape[axis], loc)], [INDEX], loc=loc)[0]
    size = size_of(ops, like, dim, loc) if shape[dim] is None else index_constant(ops, shape[dim], loc)
    # Over a dynamic shape, `like` is an operand too (t.lindex ignores it): the dispatch takes its size from it.
    shaped = [like] if None in shape else []
    return emit(ops, "iree_lite.linear_index", [stride, size] + shaped, [TensorType(tuple(shape), INDEX)],
                loc=loc)[0]


def cast(ops, value, element, unsigned, loc):
    have = element_type_of(value.type)
    if have == element:
        return value
    if have.is_float and element.is_float:
        name = "extf" if element.bitwidth > have.bitwidth else "truncf"
    elif have.is_float:
        name = "fptoui" if unsigned else "fptosi"
    elif element.is_float:
        name = "uitofp" if unsigned else "sitofp"
    elif element.bitwidth > have.bitwidth:
        name = "extui" if unsigned else "extsi"
    else:
        name = "trunci" if element.bitwidth < have.bitwidth else ("index_castui" if unsigned else "index_cast")
    result = TensorType(value.type.shape, element) if isinstance(value.type, TensorType) else element
    return emit(ops, f"arith.{name}", [value], [result], loc=loc)[0]


# Bitwise combiners, folded a bit at a time (each bit an i32 0 or 1) by the
# combiner that gives the same bit; xori's sum is read modulo 2.
BIT_FOLDS = {"andi": "minsi", "ori": "maxsi", "xori": "addi"}
NAN_SKIPPING = ("maxnumf", "minnumf")


def fold(ops, init, src, combiner, loc):
    """init with src's rows folded in by `combiner` (buffer.reduce). The VM folds
    32- and 64-bit elements; i8 and i16 fold as i32 and wrap back, which gives
    the same results for every integer combiner (wrapping sums and products
    agree modulo 2^n, and sign extension keeps the order). Unsigned extremes
    fold as signed ones of the values with their sign bit flipped (which
    maps the unsigned order onto the signed one)."""
    element = init.type.element
    if combiner in NAN_SKIPPING:
        return _fold_skipping_nan(ops, init, src, combiner, loc)
    if combiner in ("maxui", "minui"):
        def flip(v):
            sign = splat(ops, constant(ops, wrap_int(element.name, 1 << (element.bitwidth - 1)), element, loc), v, loc)
            return emit(ops, "arith.xori", [v, sign], [v.type], loc=loc)[0]
        return flip(fold(ops, flip(init), flip(src), combiner[:3] + "si", loc))
    if combiner in BIT_FOLDS:
        return _fold_bits(ops, init, src, combiner, loc)
    if element.is_int and element.bitwidth in (8, 16):
        wide = ScalarType("i32")
        folded = fold(ops, cast(ops, init, wide, False, loc), cast(ops, src, wide, False, loc), combiner, loc)
        return cast(ops, folded, element, False, loc)
    return emit(ops, "iree_lite.reduce", [init, src], [init.type], {"combiner": combiner}, loc)[0]


def _fold_skipping_nan(ops, init, src, combiner, loc):
    """maxnumf and minnumf: NaNs are left out, the result is NaN (init's)
    only where every value and init are. NaNs become the extreme that
    loses (-inf for max, or the lowest finite value of a format without
    infinity), folded by maximumf (minimumf), and a second fold says
    whether any value was a number."""
    element = init.type.element

    def where_nan(v, value, other=None):   # `value` where v is NaN, else `other` (default: v)
        fill = splat(ops, constant(ops, value, element, loc), v, loc)
        other = v if other is None else splat(ops, constant(ops, other, element, loc), v, loc)
        return emit(ops, "arith.select", [cmp(ops, "uno", v, v, loc), fill, other], [v.type], loc=loc)[0]
    losing = losing_extreme(element, combiner == "maxnumf")
    folded = fold(ops, where_nan(init, losing), where_nan(src, losing), combiner[:3] + "imumf", loc)
    seen = fold(ops, where_nan(init, 0.0, 1.0), where_nan(src, 0.0, 1.0), "maximumf", loc)
    none = cmp(ops, "oeq", seen, splat(ops, constant(ops, 0.0, element, loc), seen, loc), loc)
    return emit(ops, "arith.select", [none, init, folded], [init.type], loc=loc)[0]


def losing_extreme(element, for_max):
    """The value no other beats in a max (for_max) or a min of `element`."""
    if element.name in FORMATS and FORMATS[element.name].kind != "ieee":
        finite = [v for v in tables(element.name).values if math.isfinite(v)]
        return min(finite) if for_max else max(finite)
    return float("-inf") if for_max else float("inf")


def _fold_bits(ops, init, src, combiner, loc):
    element, wide = init.type.element, ScalarType("i32")

    def op(name, a, b):
        return emit(ops, name, [a, b], [a.type], loc=loc)[0]

    def scalar(v, like):
        return splat(ops, constant(ops, v, element_type_of(like.type), loc), like, loc)

    def bit(v, b):
        if element.bitwidth > 1:   # (an i1 is its bit)
            v = op("arith.andi", op("arith.shrui", v, scalar(b, v)) if b else v, scalar(1, v))
        return cast(ops, v, wide, True, loc)
    result = None
    for b in range(element.bitwidth):
        folded = fold(ops, bit(init, b), bit(src, b), BIT_FOLDS[combiner], loc)
        if combiner == "xori":
            folded = op("arith.andi", folded, scalar(1, folded))
        part = cast(ops, folded, element, True, loc)
        part = op("arith.shli", part, scalar(b, part)) if b else part
        result = part if result is None else op("arith.ori", result, part)
    return result


def map_dimensions(amap):
    """Each result of a linear affine map: the dimension it is exactly, or None."""
    return [exact_dimension(coeffs, const) for coeffs, const in amap.linear()]


def reordered(amap, order):
    """`amap` over the iteration dimensions reordered: new dimension i is old
    dimension order[i]."""
    if amap.results is not None:
        return AffineMapAttr(len(order), tuple(None if d is None else order.index(d) for d in amap.results))
    exprs = []
    for coeffs, const in amap.linear():
        e = ("c", const)
        for d, a in enumerate(coeffs):
            if a:
                e = ("+", e, ("*", ("d", order.index(d)), ("c", a)))
        exprs.append(e)
    return AffineMapAttr(len(order), None, 0, tuple(exprs))


def transpose(ops, x, order, loc):
    """x with its dimensions reordered, new dimension i being old order[i]
    (a copy, or x itself for the identity)."""
    return expand(ops, x, AffineMapAttr(len(order), tuple(order.index(d) for d in range(len(order)))),
                  tuple(x.type.shape[d] for d in order), loc)


def reduce(ops, x, init, dims, combiner, loc):
    """Fold dimensions `dims` of x into init (moved innermost first, as rows)."""
    kept = [d for d in range(x.type.rank) if d not in dims]
    return fold(ops, init, transpose(ops, x, kept + dims, loc), combiner, loc)


def softmax(ops, x, dim, loc, exp="math.exp"):
    """exp(x - max) / sum(exp(x - max)) along `dim`, from reductions,
    broadcasts and element-wise ops (which fuse); `exp` may be math.exp2."""
    t = x.type
    kept = [d for d in range(t.rank) if d != dim]
    reduced = TensorType(tuple(t.shape[d] for d in kept), t.element)
    back = AffineMapAttr(t.rank, tuple(kept))

    def filled(value):   # a splat at the reduced shape
        return emit(ops, "tensor.splat", [constant(ops, value, t.element, loc)] + sizes(ops, x, kept, loc), [reduced],
                    loc=loc)[0]
    peak = reduce(ops, x, filled(float("-inf")), [dim], "maximumf", loc)
    shifted = emit(ops, "arith.subf", [x, expand(ops, peak, back, t.shape, loc, x)], [t], loc=loc)[0]
    e = emit(ops, exp, [shifted], [t], loc=loc)[0]
    total = reduce(ops, e, filled(0.0), [dim], "addf", loc)
    return emit(ops, "arith.divf", [e, expand(ops, total, back, t.shape, loc, x)], [t], loc=loc)[0]


def region_of(build, arguments, loc):
    """A one-block region: `build(ops, *block arguments)` returns what it yields."""
    block, ops = Block(), []
    values = [block.add_argument(t) for t in arguments]
    yielded = build(ops, *values)
    emit(ops, "scf.yield", yielded, [], loc=loc)
    for inner in ops:
        block.append(inner)
    return Region([block])


def for_loop(ops, count, inits, body, loc):
    """scf.for i in [0, count) carrying `inits` through `body(ops, i, *carried)`;
    count is an int or an index value."""
    if isinstance(count, int):
        count = index_constant(ops, count, loc)
    region = region_of(body, [INDEX] + [v.type for v in inits], loc)
    bounds = [index_constant(ops, 0, loc), count, index_constant(ops, 1, loc)]
    loop = Operation("scf.for", bounds + list(inits), [v.type for v in inits], regions=[region], loc=loc)
    ops.append(loop)
    return loop.results


def if_else(ops, cond, then, otherwise, types, loc):
    branch = Operation("scf.if", [cond], types, regions=[region_of(then, [], loc), region_of(otherwise, [], loc)],
                       loc=loc)
    ops.append(branch)
    return branch.results
