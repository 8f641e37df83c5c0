"""Rewrite linalg ops (parallel iterators) into tensor element-wise ops, and
decompose every other op that defines `decompose` (affine maps, fpowi).

`linalg.generic`'s body is applied element-wise: each scalar body op becomes
the same op on tensors of the iteration shape, so dispatch formation fuses
it with its neighbours like any other element-wise op. An input whose
indexing map is not the identity (a broadcast or a transpose) is first
materialised at the iteration shape by `iree_lite.expand` (a strided copy).
Named ops map to the one op they mean.
"""
from ..dialects import lookup
from ..dialects.linalg import CONTRACTIONS, CONVOLUTIONS, ELEMENTWISE, combiner_of, conv_sizes, ins_outs, \
    strides_and_dilations
from ..ir.attributes import AffineMapAttr, FloatAttr, IntegerAttr, exact_dimension
from ..ir.core import Block, Diagnostic, Operation
from ..ir.types import ScalarType, TensorType, element_type_of

INDEX = ScalarType("index")


def lower_linalg(block, source, remap=None):
    """Rewrite the linalg ops of `block` and of its nested regions in place."""
    remap = {} if remap is None else remap
    ops = []
    for op in block.operations:
        op.operands = [remap.get(v, v) for v in op.operands]
        for region in op.regions:   # bodies too: their affine ops decompose before the body is applied
            for inner in region.blocks:
                lower_linalg(inner, source, remap)
        dynamic = any(isinstance(v.type, TensorType) and not v.type.is_static for v in (*op.operands, *op.results))
        if op.name.startswith("iree_linalg_ext.") and op.name != "iree_linalg_ext.yield":
            from .linalg_ext import rewrite_ext   # (it builds on this module's helpers)
            for old, new in zip(op.results, rewrite_ext(op, ops, remap, source)):
                remap[old] = new
        elif op.name.startswith("linalg.") and op.name not in ("linalg.yield", "linalg.index") or \
                op.name == "tensor.generate" or (op.name == "tensor.pad" and (op.regions or dynamic)) or \
                (op.name == "tensor.concat" and dynamic):
            rewritten = {"tensor.generate": rewrite_generate, "tensor.pad": rewrite_pad,
                         "tensor.concat": rewrite_concat}.get(op.name, rewrite)(op, ops, remap, source)
            for old, new in zip(op.results, rewritten):
                remap[old] = new
        elif hasattr(lookup(op.name), "decompose"):
            def new(name, operands, result_types, attributes=None, loc=op.loc):
                return _new(ops, name, operands, result_types, attributes, loc)
            for old, value in zip(op.results, lookup(op.name).decompose(op, new)):
                remap[old] = value
        else:
            ops.append(op)
    block.operations = []
    for op in ops:
        block.append(op)


def _new(ops, name, operands, result_types, attributes=None, loc=None):
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
    t = TensorType(tuple(shape), value.type.element)
    forms = amap.linear() or ()
    fed = {exact_dimension(coeffs, const) for coeffs, const in forms}
    size = size or (lambda d: size_of(ops, like, d, loc))
    unfed = [size(d) for d, n in enumerate(shape) if n is None and d not in fed]
    return _new(ops, "iree_lite.expand", [value] + unfed, [t], {"map": amap}, loc)[0]


def rewrite(op, ops, remap, source):
    if op.name in ("linalg.pack", "linalg.unpack"):
        from .pack import rewrite_packing   # (it builds on this module's helpers)
        return rewrite_packing(op, ops)
    ins, outs = ins_outs(op)
    out_type = op.results[0].type if op.results else outs[0].type
    kind = op.name.split(".", 1)[1]
    if kind in ELEMENTWISE:
        float_op, int_op = ELEMENTWISE[kind]
        name = float_op if out_type.element.is_float else int_op
        if name is None:
            raise Diagnostic(f"'{op.name}' needs a float element type", op.loc, source)
        name = name if "." in name else f"arith.{name}"
        return _new(ops, name, list(ins), [out_type], loc=op.loc)
    if kind == "fill":
        return [splat(ops, ins[0], outs[0], op.loc)]
    if kind == "copy":
        return [ins[0]]
    if kind == "transpose":
        perm = [a.value for a in op.attributes["permutation"].values]
        amap = AffineMapAttr(len(perm), tuple(perm.index(k) for k in range(len(perm))))
        return [expand(ops, ins[0], amap, out_type.shape, op.loc)]
    if kind == "broadcast":
        added = {a.value for a in op.attributes["dimensions"].values}
        amap = AffineMapAttr(out_type.rank, tuple(d for d in range(out_type.rank) if d not in added))
        return [expand(ops, ins[0], amap, out_type.shape, op.loc, outs[0])]
    if kind == "reduce":
        dims = sorted(a.value for a in op.attributes["dimensions"].values)
        kept = [d for d in range(ins[0].type.rank) if d not in dims]
        identity = AffineMapAttr(ins[0].type.rank, tuple(range(ins[0].type.rank)))
        return [reduce_body(op, ops, [identity], kept, dims, remap, source)]
    if kind in CONTRACTIONS:
        return [contract(ops, kind, cast_operands(op, ops, ins, out_type.element), outs[0], op.loc)]
    if kind == "map":
        body = op.regions[0].blocks[0]
        return apply_body(ops, body, dict(zip(body.arguments, op.operands)), out_type.shape, remap, source,
                          like=outs[0])
    if kind in CONVOLUTIONS:
        return [convolve(op, ops, kind, cast_operands(op, ops, ins, out_type.element), outs[0], op.loc)]
    if kind == "softmax":
        return [softmax(ops, ins[0], op.attributes["dimension"].value, op.loc)]
    kinds = [getattr(i, "value", i).split("<")[-1].rstrip(">") for i in op.attributes["iterator_types"].values]
    if "reduction" in kinds:
        return [reduce_generic(op, ops, kinds, remap, source)]
    return rewrite_generic(op, ops, remap, source)


def cast_operands(op, ops, ins, element):
    """A named structured op's inputs converted to its output's element type, as
    linalg defines it: `cast_signed` (the default) extends or truncates integers as
    signed and converts them to floats as signed; `cast_unsigned` as unsigned."""
    unsigned = "cast_unsigned" in str(op.attributes.get("cast", ""))
    return [cast(ops, value, element, unsigned, op.loc) for value in ins]


def cast(ops, value, element, unsigned, loc):
    have = value.type.element
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
    return _new(ops, f"arith.{name}", [value], [TensorType(value.type.shape, element)], loc=loc)[0]


def _fail(op, source):
    def fail(message):
        raise Diagnostic(message, op.loc, source)
    return fail


def fold(ops, init, src, combiner, loc):
    """init with src's rows folded in by `combiner` (buffer.reduce). The VM folds
    32- and 64-bit elements; i8 and i16 fold as i32 and wrap back, which gives
    the same results for every integer combiner (wrapping sums and products
    agree modulo 2^n, and sign extension keeps the order)."""
    element = init.type.element
    if element.is_int and element.bitwidth in (8, 16):
        wide = ScalarType("i32")
        folded = fold(ops, cast(ops, init, wide, False, loc), cast(ops, src, wide, False, loc), combiner, loc)
        return cast(ops, folded, element, False, loc)
    return _new(ops, "iree_lite.reduce", [init, src], [init.type], {"combiner": combiner}, loc)[0]


def reduce(ops, x, init, dims, combiner, loc):
    """Fold dimensions `dims` of x into init (moved innermost first, as rows)."""
    kept = [d for d in range(x.type.rank) if d not in dims]
    order = kept + dims
    moved = expand(ops, x, AffineMapAttr(len(order), tuple(order.index(k) for k in range(len(order)))),
                   tuple(x.type.shape[d] for d in order), loc)
    return fold(ops, init, moved, combiner, loc)


def reduce_generic(op, ops, kinds, remap, source):
    maps = op.attributes["indexing_maps"].values
    parallel = [d for d, k in enumerate(kinds) if k == "parallel"]
    reduced = [d for d, k in enumerate(kinds) if k != "parallel"]
    return reduce_body(op, ops, maps, parallel, reduced, remap, source)


def reduce_body(op, ops, maps, parallel, reduced, remap, source):
    """A reduction (generic or linalg.reduce): the body's ops before its
    combiner applied element-wise over the iteration space ordered
    (parallel..., reduced...), then folded into the output along the
    reduced dimensions."""
    ins, (init,) = ins_outs(op)
    order = parallel + reduced
    size = {}
    for value, amap in zip(ins, maps):
        size.update({d: value.type.shape[r] for r, d in enumerate(amap.results) if d is not None})
    if len(size) != len(order):
        raise Diagnostic("every iteration dimension must index an input of the reduction", op.loc, source)
    shape = tuple(size[d] for d in order)
    body = op.regions[0].blocks[0]
    combiner, value = combiner_of(op, _fail(op, source))
    reads = {d: (value, r) for value, amap in zip(ins, maps) for r, d in enumerate(amap.results) if d is not None}

    def size(i):   # iteration dimension order[i], read from an input it indexes
        return size_of(ops, *reads[order[i]], op.loc)
    mapping = {}
    for arg, x, amap in zip(body.arguments, ins, maps):
        moved = AffineMapAttr(len(order), tuple(None if d is None else order.index(d) for d in amap.results))
        mapping[arg] = expand(ops, x, moved, shape, op.loc, size=size)
    pre = Block(body.arguments, body.operations[:-2] + [Operation("linalg.yield", [value], [])])
    like = next(iter(mapping.values()), None)   # an input at the (reordered) iteration shape
    (folded,) = apply_body(ops, pre, mapping, shape, remap, source, [order.index(d) for d in range(len(order))],
                           like)
    return fold(ops, init, folded, combiner, op.loc)


def view(ops, value, sizes, loc):
    """value's elements at another shape (no copy): `sizes` are ints, or
    index values for dynamic sizes."""
    shape = tuple(n if isinstance(n, int) else None for n in sizes)
    dims = [n for n in sizes if not isinstance(n, int)]
    return _new(ops, "iree_lite.view", [value] + dims, [TensorType(shape, value.type.element)], loc=loc)[0]


def shape_of(ops, value, loc):
    """value's sizes: ints, or index values read at run time."""
    return [n if n is not None else size_of(ops, value, a, loc) for a, n in enumerate(value.type.shape)]


def contract(ops, kind, ins, init, loc):
    """matmul and its relatives as (batched) matrix products: vectors are
    viewed as one-column or one-row matrices."""
    a, b = ins
    if kind in ("matvec", "batch_matvec"):
        b, acc = view(ops, b, shape_of(ops, b, loc) + [1], loc), view(ops, init, shape_of(ops, init, loc) + [1], loc)
    elif kind == "vecmat":
        a, acc = view(ops, a, [1] + shape_of(ops, a, loc), loc), view(ops, init, [1] + shape_of(ops, init, loc), loc)
    elif kind == "dot":
        a, b = view(ops, a, [1] + shape_of(ops, a, loc), loc), view(ops, b, shape_of(ops, b, loc) + [1], loc)
        acc = view(ops, init, [1, 1], loc)
    else:
        acc = init
    result = _new(ops, "iree_lite.matmul", [acc, a, b], [acc.type], loc=loc)[0]
    return result if result.type == init.type else view(ops, result, shape_of(ops, init, loc), loc)


def convolve(op, ops, kind, ins, init, loc):
    """Convolutions as matrix products of the input's windows (im2col: one
    strided copy) with the filter; depthwise convolutions and poolings as
    reductions of the windows."""
    x, w = ins
    z, where, _ = conv_sizes(kind, (x.type.shape, w.type.shape, init.type.shape))
    (sh, sw), (dh, dw) = strides_and_dilations(op)
    read = {}

    def size(loop):
        """A loop's size: an int, or an index value read once from an operand."""
        if z[loop] is not None:
            return z[loop]
        if loop not in read:
            operand, axis = where[loop]
            read[loop] = size_of(ops, (x, w, init)[operand], axis, loc)
        return read[loop]

    def windows(loops):
        """x at every point of `loops` (named iteration dimensions), each
        spatial index being output position * stride + window position * dilation."""
        d = {name: ("d", i) for i, name in enumerate(loops)}
        rows = ("+", ("*", d["oh"], ("c", sh)), ("*", d["kh"], ("c", dh)))
        cols = ("+", ("*", d["ow"], ("c", sw)), ("*", d["kw"], ("c", dw)))
        exprs = (d["n"], d["c"], rows, cols) if kind == "conv_2d_nchw_fchw" else (d["n"], rows, cols, d["c"])
        return expand(ops, x, AffineMapAttr(len(loops), None, 0, exprs), tuple(z[k] for k in loops), loc,
                      size=lambda i: size(loops[i]))

    def prod(*loops):
        return size_product(ops, [size(k) for k in loops], loc)
    if kind == "conv_2d_nhwc_hwcf":
        cols = view(ops, windows(["n", "oh", "ow", "kh", "kw", "c"]), [prod("n", "oh", "ow"), prod("kh", "kw", "c")],
                    loc)
        return contract_views(ops, cols, view(ops, w, [prod("kh", "kw", "c"), size("f")], loc), init, loc)
    if kind == "conv_2d_nchw_fchw":
        cols = view(ops, windows(["n", "c", "kh", "kw", "oh", "ow"]), [size("n"), prod("c", "kh", "kw"),
                                                                       prod("oh", "ow")], loc)
        flat = view(ops, w, [size("f"), prod("c", "kh", "kw")], loc)
        filters = expand(ops, flat, AffineMapAttr(3, (1, 2)), (z["n"],) + flat.type.shape, loc,
                         size=lambda i: size("n"))
        return contract_views(ops, filters, cols, init, loc)
    patches = windows(["n", "oh", "ow", "c", "kh", "kw"])
    float_ = x.type.element.is_float
    if kind == "depthwise_conv_2d_nhwc_hwc":
        filters = expand(ops, w, AffineMapAttr(6, (4, 5, 3)), patches.type.shape, loc, patches)
        patches = _new(ops, "arith.mulf" if float_ else "arith.muli", [patches, filters], [patches.type], loc=loc)[0]
        combiner = "addf" if float_ else "addi"
    else:
        combiner = {"sum": "addf" if float_ else "addi", "max": "maximumf" if float_ else "maxsi"}[kind[-3:]]
    return fold(ops, init, patches, combiner, loc)


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
        result = _new(ops, "arith.muli", [result, n], [INDEX], loc=loc)[0]
    return result


def contract_views(ops, a, b, init, loc):
    """init + a @ b (batched when rank 3), init seen at the product's shape."""
    acc = view(ops, init, shape_of(ops, a, loc)[:-1] + shape_of(ops, b, loc)[-1:], loc)
    return view(ops, _new(ops, "iree_lite.matmul", [acc, a, b], [acc.type], loc=loc)[0], shape_of(ops, init, loc), loc)


def softmax(ops, x, dim, loc, exp="math.exp"):
    """exp(x - max) / sum(exp(x - max)) along `dim`, from reductions,
    broadcasts and element-wise ops (which fuse); `exp` may be math.exp2."""
    t = x.type
    kept = [d for d in range(t.rank) if d != dim]
    reduced = TensorType(tuple(t.shape[d] for d in kept), t.element)
    back = AffineMapAttr(t.rank, tuple(kept))

    def splat(value):
        scalar = _new(ops, "arith.constant", [], [t.element], {"value": FloatAttr(value, t.element)}, loc)[0]
        return _new(ops, "tensor.splat", [scalar] + sizes(ops, x, kept, loc), [reduced], loc=loc)[0]
    peak = reduce(ops, x, splat(float("-inf")), [dim], "maximumf", loc)
    shifted = _new(ops, "arith.subf", [x, expand(ops, peak, back, t.shape, loc, x)], [t], loc=loc)[0]
    e = _new(ops, exp, [shifted], [t], loc=loc)[0]
    total = reduce(ops, e, splat(0.0), [dim], "addf", loc)
    return _new(ops, "arith.divf", [e, expand(ops, total, back, t.shape, loc, x)], [t], loc=loc)[0]


def index_constant(ops, value, loc):
    return _new(ops, "arith.constant", [], [INDEX], {"value": IntegerAttr(value, INDEX)}, loc)[0]


def size_of(ops, like, axis, loc):
    """The size of dimension `axis` of tensor `like`: a constant, or read at run time."""
    n = like.type.shape[axis]
    if n is not None:
        return index_constant(ops, n, loc)
    return _new(ops, "tensor.dim", [like, index_constant(ops, axis, loc)], [INDEX], loc=loc)[0]


def sizes(ops, like, axes, loc):
    """The sizes of `like`'s dynamic dimensions among `axes`, in order."""
    return [size_of(ops, like, a, loc) for a in axes if like.type.shape[a] is None]


def splat(ops, value, like, loc):
    """Scalar `value` at tensor `like`'s shape (its dynamic sizes read at run time)."""
    dynamic = sizes(ops, like, range(like.type.rank), loc)
    return _new(ops, "tensor.splat", [value] + dynamic, [TensorType(like.type.shape, value.type)], loc=loc)[0]


def linear_index(ops, shape, dim, loc, source, like=None):
    """An index tensor of `shape` holding each element's coordinate along
    `dim`; dynamic sizes are those of tensor `like`, of that shape."""
    if None in shape and like is None:
        raise Diagnostic("coordinates over dynamic shapes need a tensor input here in iree-lite", loc, source)
    stride = index_constant(ops, 1, loc)
    for axis in range(dim + 1, len(shape)):
        stride = _new(ops, "arith.muli", [stride, size_of(ops, like, axis, loc) if shape[axis] is None
                                          else index_constant(ops, shape[axis], loc)], [INDEX], loc=loc)[0]
    size = size_of(ops, like, dim, loc) if shape[dim] is None else index_constant(ops, shape[dim], loc)
    # Over a dynamic shape, `like` is an operand too (t.lindex ignores it): the dispatch takes its size from it.
    shaped = [like] if None in shape else []
    return _new(ops, "iree_lite.linear_index", [stride, size] + shaped, [TensorType(tuple(shape), INDEX)],
                loc=loc)[0]


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
        if inner.name == "linalg.index":
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
        for old, new in zip(inner.results, _new(ops, inner.name, operands, types, dict(inner.attributes),
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
                value = _new(ops, "tensor.splat", [value], [TensorType(shape, value.type)],
                             loc=block.operations[-1].loc)[0]
        results.append(value)
    return results


def gather(ops, src, indices, shape, loc):
    """src's elements at `indices` (index tensors of `shape`, or scalars):
    the row-major flat index, or -1 (which t.gather refuses) where any index
    is outside its dimension."""
    def elementwise(name, a, b, attributes=None):
        t = next((v.type for v in (a, b) if isinstance(v.type, TensorType)), None)
        rt = INDEX if name not in ("arith.cmpi", "arith.andi") else ScalarType("i1")
        return _new(ops, name, [a, b], [TensorType(t.shape, rt) if t else rt], attributes, loc)[0]
    flat, inside = index_constant(ops, 0, loc), None
    for axis, index in enumerate(indices):
        size = size_of(ops, src, axis, loc)
        flat = elementwise("arith.addi", elementwise("arith.muli", flat, size), index)
        ult = lookup("arith.cmpi").predicates.index("ult")   # unsigned: 0 <= index < size
        ok = elementwise("arith.cmpi", index, size, {"predicate": IntegerAttr(ult, ScalarType("i64"))})
        inside = ok if inside is None else elementwise("arith.andi", inside, ok)
    if inside is not None:
        flat = _new(ops, "arith.select", [inside, flat, index_constant(ops, -1, loc)], [flat.type], loc=loc)[0]
    return _new(ops, "iree_lite.gather", [src, flat], [TensorType(tuple(shape), src.type.element)], loc=loc)[0]


def rewrite_generic(op, ops, remap, source):
    shape = op.results[0].type.shape
    maps = op.attributes["indexing_maps"].values
    body = op.regions[0].blocks[0]
    used = {v for inner in body.operations for v in inner.operands}
    mapping = {}
    for value, amap, arg in zip(op.operands, maps, body.arguments):
        if arg in used:
            mapping[arg] = expand(ops, value, amap, shape, op.loc, op.operands[-1])
    return apply_body(ops, body, mapping, shape, remap, source, like=op.operands[-1])


def rewrite_generate(op, ops, remap, source):
    """tensor.generate: its body over the result's shape (sized, where
    dynamic, by its operands)."""
    t = op.results[0].type
    like = None if t.is_static else _new(ops, "tensor.empty", list(op.operands), [t], loc=op.loc)[0]
    return generate(ops, op.regions[0].blocks[0], t.shape, like, remap, source, op.loc)


def generate(ops, body, shape, like, remap, source, loc):
    """A body over `shape`, its block arguments being the coordinates."""
    mapping = {arg: linear_index(ops, shape, d, loc, source, like) for d, arg in enumerate(body.arguments)}
    return apply_body(ops, body, mapping, shape, remap, source, like=like)


def rewrite_pad(op, ops, remap, source):
    """tensor.pad computed in its region, or of dynamic shape: the padding
    over the result's shape (the region as tensor.generate, or a fill), then
    the source inserted at the low offsets."""
    src, t = op.operands[0], op.results[0].type
    dynamic = iter(op.operands[len(op.operands) - (op.attributes["low"] + op.attributes["high"]).count(None):])
    low, high = ([next(dynamic) if n is None else index_constant(ops, n, op.loc) for n in op.attributes[key]]
                 for key in ("low", "high"))
    like = None
    if not t.is_static:
        extents = []
        for axis, (lo, hi) in enumerate(zip(low, high)):
            if t.shape[axis] is None:
                extent = _new(ops, "arith.addi", [size_of(ops, src, axis, op.loc), lo], [INDEX], loc=op.loc)[0]
                extents += _new(ops, "arith.addi", [extent, hi], [INDEX], loc=op.loc)
        like = _new(ops, "tensor.empty", extents, [t], loc=op.loc)[0]
    if op.regions:
        (padding,) = generate(ops, op.regions[0].blocks[0], t.shape, like, remap, source, op.loc)
    else:
        padding = splat(ops, op.operands[1], like, op.loc) if like is not None else \
            _new(ops, "tensor.splat", [op.operands[1]], [t], loc=op.loc)[0]
    return [insert(ops, src, padding, low, op.loc)]


def rewrite_concat(op, ops, remap, source):
    """tensor.concat of dynamic shape: each operand inserted after the last.
    The other dimensions' sizes are the result's (static where any operand's
    is), which every operand must have."""
    t, dim = op.results[0].type, op.attributes["dim"]
    total = None
    for v in op.operands:   # the concatenated dimension's size, summed at run time
        n = size_of(ops, v, dim, op.loc)
        total = n if total is None else _new(ops, "arith.addi", [total, n], [INDEX], loc=op.loc)[0]
    common = []
    for axis in range(t.rank):
        static = [n for n in (t.shape[axis], *(v.type.shape[axis] for v in op.operands)) if n is not None]
        common.append(total if axis == dim else static[0] if static else size_of(ops, op.operands[0], axis, op.loc))
    t = TensorType(tuple(n if isinstance(n, int) else None for n in common), t.element)
    result = _new(ops, "tensor.empty", [n for n in common if not isinstance(n, int)], [t], loc=op.loc)[0]
    at = index_constant(ops, 0, op.loc)
    for v in op.operands:
        offsets = [at if axis == dim else index_constant(ops, 0, op.loc) for axis in range(t.rank)]
        n = size_of(ops, v, dim, op.loc)
        result = insert(ops, v, result, offsets, op.loc, [n if axis == dim else m for axis, m in enumerate(common)])
        at = _new(ops, "arith.addi", [at, n], [INDEX], loc=op.loc)[0]
    return [result if result.type == op.results[0].type else
            _new(ops, "tensor.cast", [result], [op.results[0].type], loc=op.loc)[0]]


def insert(ops, piece, into, offsets, loc, extent=None):
    """tensor.insert_slice of all of `piece` into `into` at index `offsets`
    (values), with unit steps. The slice's sizes are `extent` (ints or index
    values), by default piece's own; piece must have them at run time."""
    extent = extent or shape_of(ops, piece, loc)
    rank = piece.type.rank
    attrs = {"offsets": (None,) * rank, "sizes": tuple(n if isinstance(n, int) else None for n in extent),
             "strides": (1,) * rank, "slice_rank": rank}
    return _new(ops, "tensor.insert_slice", [piece, into] + offsets + [n for n in extent if not isinstance(n, int)],
                [into.type], attrs, loc)[0]
