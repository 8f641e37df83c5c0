"""Builders of the tensor ops that the structured-op rewrites emit: each
takes the Rewriter `rw` (passes/rewriter.py), adds its ops at its insertion
point and location, and returns the new value(s)."""
import math

from ..dialects import lookup
from ..ir.attributes import AffineMapAttr, DenseElementsAttr, FloatAttr, IntegerAttr
from ..ir.linear import exact_dimension
from ..ir.elements import wrap_int
from ..isa.smallfloat import FORMATS, tables
from ..ir.types import ScalarType, TensorType, element_type_of

INDEX = ScalarType("index")
I1 = ScalarType("i1")


def expand(rw, value, amap, shape, like=None, size=None):
    """`value` seen through `amap` at the iteration `shape` (a copy), or
    `value` itself for the identity. Dynamic dimensions that no dimension of
    `value` is exactly (a broadcast's new ones, a window's) take their sizes
    from `size(d)`, an index value, or else from tensor `like`, of the
    iteration shape."""
    if amap.is_identity and value.type.shape == tuple(shape):
        return value
    forms = amap.linear()
    if forms is not None and in_order(forms, value.type.shape, shape):
        return view(rw, value, shape)
    forms = forms or ()
    t = TensorType(tuple(shape), value.type.element)
    fed = {exact_dimension(coeffs, const) for coeffs, const in forms}
    size = size or (lambda d: size_of(rw, like, d))
    unfed = [size(d) for d, n in enumerate(shape) if n is None and d not in fed]
    return rw.new("iree_lite.expand", [value] + unfed, [t], {"map": amap})[0]


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


def view(rw, value, sizes):
    """value's elements at another shape (no copy): `sizes` are ints, or
    index values for dynamic sizes."""
    shape = tuple(n if isinstance(n, int) else None for n in sizes)
    dims = [n for n in sizes if not isinstance(n, int)]
    return rw.new("iree_lite.view", [value] + dims, [TensorType(shape, value.type.element)])[0]


def shape_of(rw, value):
    """value's sizes: ints, or index values read at run time."""
    return [n if n is not None else size_of(rw, value, a) for a, n in enumerate(value.type.shape)]


def size_product(rw, sizes):
    """The product of sizes (ints or index values): an int if all are."""
    static = 1
    for n in sizes:
        static *= n if isinstance(n, int) else 1
    dynamic = [n for n in sizes if not isinstance(n, int)]
    if not dynamic:
        return static
    result = dynamic[0]
    for n in dynamic[1:] + ([index_constant(rw, static)] if static != 1 else []):
        result = rw.new("arith.muli", [result, n], [INDEX])[0]
    return result


def insert(rw, piece, into, offsets, extent=None):
    """tensor.insert_slice of all of `piece` into `into` at index `offsets`
    (values), with unit steps. The slice's sizes are `extent` (ints or index
    values), by default piece's own; piece must have them at run time."""
    extent = extent or shape_of(rw, piece)
    rank = piece.type.rank
    attrs = {"offsets": (None,) * rank, "sizes": tuple(n if isinstance(n, int) else None for n in extent),
             "strides": (1,) * rank, "slice_rank": rank}
    return rw.new("tensor.insert_slice", [piece, into] + offsets + [n for n in extent if not isinstance(n, int)],
                  [into.type], attrs)[0]



def extract(rw, src, offsets, sizes):
    """tensor.extract_slice of `src` at `offsets`, of `sizes` (each ints or
    index values), with unit steps."""
    rank = src.type.rank
    attrs = {"offsets": tuple(n if isinstance(n, int) else None for n in offsets),
             "sizes": tuple(n if isinstance(n, int) else None for n in sizes), "strides": (1,) * rank,
             "slice_rank": rank}
    dynamic = [n for n in (*offsets, *sizes) if not isinstance(n, int)]
    return rw.new("tensor.extract_slice", [src] + dynamic, [TensorType(attrs["sizes"], src.type.element)], attrs)[0]

def contract_views(rw, a, b, init):
    """init + a @ b (batched when rank 3), init seen at the product's shape."""
    acc = view(rw, init, shape_of(rw, a)[:-1] + shape_of(rw, b)[-1:])
    return view(rw, rw.new("iree_lite.matmul", [acc, a, b], [acc.type])[0], shape_of(rw, init))


def constant(rw, value, element):
    """A scalar arith.constant of type `element`."""
    attr = FloatAttr(value, element) if element.is_float else IntegerAttr(value, element)
    return rw.new("arith.constant", [], [element], {"value": attr})[0]


def float_constant(v):
    """The value of `v` where it is a scalar arith.constant of a float type, else None."""
    owner = v.owner
    attr = owner.attributes.get("value") if getattr(owner, "name", None) == "arith.constant" else None
    return attr.value if isinstance(attr, FloatAttr) else None


def splat_value(t):
    """The float every element of tensor `t` is, where it is a splat constant
    or a tensor.splat or linalg.fill of a scalar float constant, else None."""
    owner = t.owner
    name = getattr(owner, "name", None)
    if name == "arith.constant":
        attr = owner.attributes.get("value")
        return attr.values[0] if isinstance(attr, DenseElementsAttr) and attr.splat and \
            isinstance(attr.values[0], float) else None
    if name in ("tensor.splat", "linalg.fill") and owner.operands:
        return float_constant(owner.operands[0])
    return None


def padding_folded(x, value):
    """(the tensor padded, its low pads along h and w) when `x` is a static
    tensor.pad by constant `value` (its sign too) along h and w only (high
    pads need nothing: the kernel reads the padding past the input's end);
    else (x, (0, 0))."""
    pad = x.owner
    if getattr(pad, "name", None) != "tensor.pad" or pad.regions or len(pad.operands) != 2:
        return x, (0, 0)
    low, high = pad.attributes["low"], pad.attributes["high"]
    if not same_float(float_constant(pad.operands[1]), value) or \
            not all(isinstance(n, int) for n in (*low, *high)) or any(n != 0 for n in (*low[:-2], *high[:-2])):
        return x, (0, 0)
    return pad.operands[0], tuple(low[-2:])


def same_float(a, b):
    """Whether floats a (or None) and b are equal and of one sign (+0.0 is not -0.0)."""
    return a is not None and a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def cmp(rw, predicate, a, b):
    """a `predicate` b (its name), by arith.cmpf for floats else arith.cmpi:
    i1, at the shape of whichever operand is a tensor."""
    t = next((v.type for v in (a, b) if isinstance(v.type, TensorType)), None)
    name = "arith.cmpf" if element_type_of(a.type).is_float else "arith.cmpi"
    code = IntegerAttr(lookup(name).predicates.index(predicate), ScalarType("i64"))
    return rw.new(name, [a, b], [TensorType(t.shape, I1) if t else I1], {"predicate": code})[0]


def index_constant(rw, value):
    return constant(rw, value, INDEX)


def size_of(rw, like, axis):
    """The size of dimension `axis` of tensor `like`: a constant, or read at run time."""
    n = like.type.shape[axis]
    if n is not None:
        return index_constant(rw, n)
    return rw.new("tensor.dim", [like, index_constant(rw, axis)], [INDEX])[0]


def sizes(rw, like, axes):
    """The sizes of `like`'s dynamic dimensions among `axes`, in order."""
    return [size_of(rw, like, a) for a in axes if like.type.shape[a] is None]


def splat(rw, value, like):
    """Scalar `value` at tensor `like`'s shape (its dynamic sizes read at run time)."""
    dynamic = sizes(rw, like, range(like.type.rank))
    return rw.new("tensor.splat", [value] + dynamic, [TensorType(like.type.shape, value.type)])[0]


def linear_index(rw, shape, dim, like=None):
    """An index tensor of `shape` holding each element's coordinate along
    `dim`; dynamic sizes are those of tensor `like`, of that shape."""
    if None in shape and like is None:
        raise rw.error("coordinates over dynamic shapes need a tensor input here in iree-lite")
    stride = index_constant(rw, 1)
    for axis in range(dim + 1, len(shape)):
        stride = rw.new("arith.muli", [stride, size_of(rw, like, axis) if shape[axis] is None
                                       else index_constant(rw, shape[axis])], [INDEX])[0]
    size = size_of(rw, like, dim) if shape[dim] is None else index_constant(rw, shape[dim])
    # Over a dynamic shape, `like` is an operand too (t.lindex ignores it): the dispatch takes its size from it.
    shaped = [like] if None in shape else []
    return rw.new("iree_lite.linear_index", [stride, size] + shaped, [TensorType(tuple(shape), INDEX)])[0]


def cast(rw, value, element, unsigned):
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
    return rw.new(f"arith.{name}", [value], [result])[0]


# Bitwise combiners, folded a bit at a time (each bit an i32 0 or 1) by the
# combiner that gives the same bit; xori's sum is read modulo 2.
BIT_FOLDS = {"andi": "minsi", "ori": "maxsi", "xori": "addi"}
NAN_SKIPPING = ("maxnumf", "minnumf")


def fold(rw, init, src, combiner):
    """init with src's rows folded in by `combiner` (buffer.reduce). The VM folds
    32- and 64-bit elements; i8 and i16 fold as i32 and wrap back, which gives
    the same results for every integer combiner (wrapping sums and products
    agree modulo 2^n, and sign extension keeps the order). Unsigned extremes
    fold as signed ones of the values with their sign bit flipped (which
    maps the unsigned order onto the signed one)."""
    element = init.type.element
    if combiner in NAN_SKIPPING:
        return _fold_skipping_nan(rw, init, src, combiner)
    if combiner in ("maxui", "minui"):
        def flip(v):
            sign = splat(rw, constant(rw, wrap_int(element.name, 1 << (element.bitwidth - 1)), element), v)
            return rw.new("arith.xori", [v, sign], [v.type])[0]
        return flip(fold(rw, flip(init), flip(src), combiner[:3] + "si"))
    if combiner in BIT_FOLDS:
        return _fold_bits(rw, init, src, combiner)
    if element.is_int and element.bitwidth in (8, 16):
        wide = ScalarType("i32")
        folded = fold(rw, cast(rw, init, wide, False), cast(rw, src, wide, False), combiner)
        return cast(rw, folded, element, False)
    return rw.new("iree_lite.reduce", [init, src], [init.type], {"combiner": combiner})[0]


def _fold_skipping_nan(rw, init, src, combiner):
    """maxnumf and minnumf: NaNs are left out, the result is NaN (init's)
    only where every value and init are. NaNs become the extreme that
    loses (-inf for max, or the lowest finite value of a format without
    infinity), folded by maximumf (minimumf), and a second fold says
    whether any value was a number."""
    element = init.type.element

    def where_nan(v, value, other=None):   # `value` where v is NaN, else `other` (default: v)
        fill = splat(rw, constant(rw, value, element), v)
        other = v if other is None else splat(rw, constant(rw, other, element), v)
        return rw.new("arith.select", [cmp(rw, "uno", v, v), fill, other], [v.type])[0]
    losing = losing_extreme(element, combiner == "maxnumf")
    folded = fold(rw, where_nan(init, losing), where_nan(src, losing), combiner[:3] + "imumf")
    seen = fold(rw, where_nan(init, 0.0, 1.0), where_nan(src, 0.0, 1.0), "maximumf")
    none = cmp(rw, "oeq", seen, splat(rw, constant(rw, 0.0, element), seen))
    return rw.new("arith.select", [none, init, folded], [init.type])[0]


def losing_extreme(element, for_max):
    """The value no other beats in a max (for_max) or a min of `element`."""
    if element.name in FORMATS and FORMATS[element.name].kind != "ieee":
        finite = [v for v in tables(element.name).values if math.isfinite(v)]
        return min(finite) if for_max else max(finite)
    return float("-inf") if for_max else float("inf")


def _fold_bits(rw, init, src, combiner):
    element, wide = init.type.element, ScalarType("i32")

    def op(name, a, b):
        return rw.new(name, [a, b], [a.type])[0]

    def scalar(v, like):
        return splat(rw, constant(rw, v, element_type_of(like.type)), like)

    def bit(v, b):
        if element.bitwidth > 1:   # (an i1 is its bit)
            v = op("arith.andi", op("arith.shrui", v, scalar(b, v)) if b else v, scalar(1, v))
        return cast(rw, v, wide, True)
    result = None
    for b in range(element.bitwidth):
        folded = fold(rw, bit(init, b), bit(src, b), BIT_FOLDS[combiner])
        if combiner == "xori":
            folded = op("arith.andi", folded, scalar(1, folded))
        part = cast(rw, folded, element, True)
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


def transpose(rw, x, order):
    """x with its dimensions reordered, new dimension i being old order[i]
    (a copy, or x itself for the identity)."""
    return expand(rw, x, AffineMapAttr(len(order), tuple(order.index(d) for d in range(len(order)))),
                  tuple(x.type.shape[d] for d in order))


def reduce(rw, x, init, dims, combiner):
    """Fold dimensions `dims` of x into init (moved innermost first, as rows)."""
    kept = [d for d in range(x.type.rank) if d not in dims]
    return fold(rw, init, transpose(rw, x, kept + dims), combiner)


def softmax(rw, x, dim, exp="math.exp"):
    """exp(x - max) / sum(exp(x - max)) along `dim`, from reductions,
    broadcasts and element-wise ops (which fuse); `exp` may be math.exp2."""
    t = x.type
    kept = [d for d in range(t.rank) if d != dim]
    reduced = TensorType(tuple(t.shape[d] for d in kept), t.element)
    back = AffineMapAttr(t.rank, tuple(kept))

    def filled(value):   # a splat at the reduced shape
        return rw.new("tensor.splat", [constant(rw, value, t.element)] + sizes(rw, x, kept), [reduced])[0]
    peak = reduce(rw, x, filled(float("-inf")), [dim], "maximumf")
    shifted = rw.new("arith.subf", [x, expand(rw, peak, back, t.shape, x)], [t])[0]
    e = rw.new(exp, [shifted], [t])[0]
    total = reduce(rw, e, filled(0.0), [dim], "addf")
    return rw.new("arith.divf", [e, expand(rw, total, back, t.shape, x)], [t])[0]


def for_loop(rw, count, inits, body):
    """scf.for i in [0, count) carrying `inits` through `body(i, *carried)`
    (building in the loop's body); count is an int or an index value."""
    if isinstance(count, int):
        count = index_constant(rw, count)
    region = rw.region(body, [INDEX] + [v.type for v in inits])
    bounds = [index_constant(rw, 0), count, index_constant(rw, 1)]
    return rw.new("scf.for", bounds + list(inits), [v.type for v in inits], regions=[region])


def if_else(rw, cond, then, otherwise, types):
    """scf.if: `then()` and `otherwise()` build their branches and return what each yields."""
    return rw.new("scf.if", [cond], types, regions=[rw.region(then, []), rw.region(otherwise, [])])
