"""The LowerLinalg pass: every op that has a rewrite (passes/rewriter.py)
replaced by what it builds, in one walk over a function's blocks. One
lookup, `rewrite_for`, finds each op's rewrite: linalg ops (here),
iree_linalg_ext ops (linalg_ext.py), structured tensor ops (tensor.py) and
arith's extended ops (extended.py) have theirs in REWRITES; other ops may
decompose themselves (OpDef.decompose: affine maps, fpowi, flow's reshapes).

`linalg.generic`'s body is applied element-wise: each scalar body op becomes
the same op on tensors of the iteration shape, so dispatch formation fuses
it with its neighbours like any other element-wise op. An input whose
indexing map is not the identity (a broadcast or a transpose) is first
materialised at the iteration shape by `iree_lite.expand` (a strided copy).
Named ops map to the one op they mean.
"""
from ..dialects import lookup
from ..dialects.linalg import (CONTRACTIONS, CONVOLUTIONS, MATMUL_DIMS, NAMED_CONTRACTS, NAMED_ELEMENTWISE,
                               OPS as LINALG_OPS, QUANTIZED, ins_outs, unsigned_cast)
from ..dialects.reduction import Fold, Pick, reduction_plan
from ..ir.attributes import AffineMapAttr
from ..ir.core import Block, Operation
from ..ir.types import element_type_of
from .body import apply_body
from .build import (cast, expand, fold, map_dimensions, reordered, same_float, shape_of, size_of, splat,
                    splat_value, view)
from .contract import rewrite_contract, rewrite_elementwise
from .convolution import convolve
from .extended import EXTENDED, rewrite_extended
from .linalg_ext import REWRITES as EXT_REWRITES
from .pack import rewrite_packing
from .pool_direct import pooling_generic
from .reduction import pick
from .rows import layernorm_rows, softmax_rows
from .rewriter import Rewriter
from .scalar_operands import fold_scalar_operands
from .small_reductions import unrolled_reduction
from .strided import strided_products
from .tensor import REWRITES as TENSOR_REWRITES


def lower_linalg(f, source):
    """Rewrite the ops of function `f` (and of their regions) in place."""
    rw = Rewriter(source, {})   # one value map for the blocks: a later block may use what an earlier one rewrote
    for block in f.blocks:
        rewrite_block(block, rw)
    for block in f.blocks:
        fresh_products(block)
    layernorm_rows(f.blocks)
    strided_products(f.blocks)


def fresh_products(block):
    """Each static f32 or f64 matmul from a +0.0 splat (of `block` and its
    regions) made `iree_lite.matmul(a, b)`: the kernel starts its sums from
    +0.0 itself, so a splat nothing else reads is never filled."""
    for op in block.operations:
        for region in op.regions:
            for inner in region.blocks:
                fresh_products(inner)
        if op.name == "iree_lite.matmul" and len(op.operands) == 3 and op.results[0].type.is_static and \
                op.results[0].type.element.name in ("f32", "f64") and same_float(splat_value(op.operands[0]), 0.0):
            op.operands = op.operands[1:]


def rewrite_block(block, rw):
    """Rewrite the ops of `block` (and of their regions) through `rw`, whose
    insertion point and location are back as they were afterwards."""
    outer, outer_loc, rw.ops = rw.ops, rw.loc, []
    for op in block.operations:
        op.operands = [rw.remap.get(v, v) for v in op.operands]
        if op.name == "linalg.generic":
            fold_scalar_operands(op, rw.remap)
        # Bodies too: their affine ops decompose before the body is applied (a custom_op's is inlined first).
        for region in op.regions if op.name != "iree_linalg_ext.custom_op" else ():
            for inner in region.blocks:
                rewrite_block(inner, rw)
        rw.loc = op.loc
        rewrite = rewrite_for(op.name)
        values = None if rewrite is None else rewrite(op, rw)
        if values is None:
            rw.ops.append(op)
        else:
            rw.remap.update(zip(op.results, values))
    block.operations = []
    for op in rw.ops:
        block.append(op)
    rw.ops, rw.loc = outer, outer_loc


def rewrite_for(name):
    """The one lookup of an op's rewrite: its entry in REWRITES, or else, for
    an op whose dialect knows how it decomposes into other ops (an OpDef
    with `decompose(op, new)`: affine maps, fpowi, flow's reshapes, ...),
    that decomposition; None for an op that stays as it is. Decompositions
    are found through the op's OpDef rather than listed in REWRITES, so that
    a dialect loads only when a program uses it."""
    rewrite = REWRITES.get(name)
    if rewrite is None and hasattr(lookup(name), "decompose"):
        return decompose
    return rewrite


def decompose(op, rw):
    return lookup(op.name).decompose(op, rw.new)


def rewrite_structured(op, rw):
    """A linalg op: named ops as the one op they mean, generic ones by their body."""
    if op.name in ("linalg.pack", "linalg.unpack"):
        return rewrite_packing(op, rw)
    ins, outs = ins_outs(op)
    out_type = op.results[0].type if op.results else outs[0].type
    kind = op.name.split(".", 1)[1]
    if kind in NAMED_ELEMENTWISE:
        float_op, int_op = NAMED_ELEMENTWISE[kind]
        name = float_op if out_type.element.is_float else int_op
        if name is None:
            raise rw.error(f"'{op.name}' needs a float element type")
        name = name if "." in name else f"arith.{name}"
        return rw.new(name, list(ins), [out_type])
    if kind == "fill":
        return [splat(rw, ins[0], outs[0])]
    if kind == "copy":
        return [ins[0]]
    if kind == "transpose":
        perm = [a.value for a in op.attributes["permutation"].values]
        amap = AffineMapAttr(len(perm), tuple(perm.index(k) for k in range(len(perm))))
        return [expand(rw, ins[0], amap, out_type.shape)]
    if kind == "broadcast":
        added = {a.value for a in op.attributes["dimensions"].values}
        amap = AffineMapAttr(out_type.rank, tuple(d for d in range(out_type.rank) if d not in added))
        return [expand(rw, ins[0], amap, out_type.shape, outs[0])]
    if kind == "reduce":
        dims = sorted(a.value for a in op.attributes["dimensions"].values)
        kept = [d for d in range(ins[0].type.rank) if d not in dims]
        identity = AffineMapAttr(ins[0].type.rank, tuple(range(ins[0].type.rank)))
        return reduce_body(op, rw, [identity], kept, dims)
    if kind == "elementwise":
        return rewrite_elementwise(op, rw)
    if kind == "contract" or kind in NAMED_CONTRACTS:
        return rewrite_contract(op, rw, cast_operands)
    if kind in QUANTIZED:
        kind, ins = QUANTIZED[kind], subtract_zero_points(op, rw, ins, out_type.element)
    if kind in CONTRACTIONS:
        if "indexing_maps" in op.attributes:
            ins = matmul_inputs(op, rw, ins, outs[0])
        if not native_narrow_product(op, ins, out_type.element):
            ins = cast_operands(op, rw, ins, out_type.element)
        return [contract(rw, kind, ins, outs[0])]
    if kind == "map":
        body = op.regions[0].blocks[0]
        return apply_body(rw, body, dict(zip(body.arguments, op.operands)), out_type.shape, like=outs[0])
    if kind in CONVOLUTIONS:
        converted = 1 if kind.startswith("pooling") else 2   # a pooling's window operand gives only its shape
        operands = cast_operands(op, rw, ins[:converted], out_type.element) + ins[converted:]
        return [convolve(op, rw, kind, operands, outs[0])]
    if kind == "softmax":
        return [softmax_rows(rw, ins[0], op.attributes["dimension"].value)]
    kinds = [getattr(i, "value", i).split("<")[-1].rstrip(">") for i in op.attributes["iterator_types"].values]
    if "reduction" in kinds:
        return pooling_generic(op, rw, kinds) or reduce_generic(op, rw, kinds)
    return rewrite_generic(op, rw)


def native_narrow_product(op, ins, element):
    """Whether a contraction's operands widen to its result type in a way the
    VM's buffer.matmul takes them as they are (no widened copies): i8 read as
    signed into i32, f16 or bf16 (both the same) into f32."""
    have = {element_type_of(v.type).name for v in ins}
    if element.name == "i32" and have == {"i8"}:
        return not unsigned_cast(op)
    return element.name == "f32" and have in ({"f16"}, {"bf16"})


def cast_operands(op, rw, ins, element):
    """A named structured op's inputs converted to its output's element type, as
    linalg defines it: `cast_signed` (the default) extends or truncates integers as
    signed and converts them to floats as signed; `cast_unsigned` (and the
    unsigned poolings) as unsigned."""
    unsigned = unsigned_cast(op)
    return [cast(rw, value, element, unsigned) for value in ins]


def subtract_zero_points(op, rw, ins, element):
    """A quantized op's two inputs less its two zero points, all four cast to `element`."""
    x, w, *zero_points = cast_operands(op, rw, ins, element)
    sub = "arith.subf" if element.is_float else "arith.subi"
    return [rw.new(sub, [v, splat(rw, z, v)], [v.type])[0] for v, z in zip((x, w), zero_points)]


def _fail(rw):
    def fail(message):
        raise rw.error(message)
    return fail


def reduce_generic(op, rw, kinds):
    maps = op.attributes["indexing_maps"].values
    parallel = [d for d, k in enumerate(kinds) if k == "parallel"]
    reduced = [d for d, k in enumerate(kinds) if k != "parallel"]
    return reduce_body(op, rw, maps, parallel, reduced)


def reduce_body(op, rw, maps, parallel, reduced):
    """A reduction (generic or linalg.reduce): the body's ops that read no
    accumulator applied element-wise over the iteration space ordered
    (parallel..., reduced...), then each output's value folded (or picked:
    argmax) along the reduced dimensions. Returns the outputs."""
    ins, inits = ins_outs(op)
    order = parallel + reduced
    reads = {}   # iteration dimension -> (operand, axis) that it indexes exactly
    for value, amap in zip(op.operands, maps):
        for r, d in enumerate(map_dimensions(amap)):
            if d is not None and (d not in reads or reads[d][0].type.shape[reads[d][1]] is None):
                reads[d] = (value, r)
    if len(reads) != len(order):
        raise rw.error("every iteration dimension must be exactly a dimension of an operand of the reduction")
    shape = tuple(reads[d][0].type.shape[reads[d][1]] for d in order)
    body = op.regions[0].blocks[0]
    plan, elementwise = reduction_plan(op, _fail(rw))

    def size(i):   # iteration dimension order[i], read from an operand it indexes
        return size_of(rw, *reads[order[i]])
    pre = Block(body.arguments, elementwise + [Operation("linalg.yield", [step.value for step in plan], [])])
    # Outputs with unit dimensions indexed by 0 (keepdims) are reduced into views without them.
    # (linalg.reduce has no output maps: its outputs are the kept dimensions in order.)
    folded = list(inits)
    for k, amap in enumerate(maps[len(ins):]):
        if None in amap.results:
            kept = [n for n, d in zip(shape_of(rw, inits[k]), amap.results) if d is not None]
            folded[k] = view(rw, inits[k], kept)
    if all(isinstance(step, Fold) for step in plan):
        unrolled = unrolled_reduction(rw, plan, pre, ins, maps, order, len(parallel), shape, folded)
        if unrolled is not None:
            return [r if r.type == init.type else view(rw, r, shape_of(rw, init)) for r, init in zip(unrolled, inits)]
    used = {v for inner in pre.operations for v in inner.operands}
    mapping = {}
    for arg, x, amap in zip(body.arguments, ins, maps):
        if arg in used:   # a pooling's window operand only gives the window's shape
            mapping[arg] = expand(rw, x, reordered(amap, order), shape, size=size)
    like = next(iter(mapping.values()), None)   # an input at the (reordered) iteration shape
    values = apply_body(rw, pre, mapping, shape, [order.index(d) for d in range(len(order))], like)
    results = [fold(rw, init, value, step.combiner) if isinstance(step, Fold) else None
               for step, init, value in zip(plan, folded, values)]
    for k, step in enumerate(plan):
        if isinstance(step, Pick):
            results[k] = pick(rw, step, values[step.of], results[step.of], folded[step.of], values[k], folded[k],
                              len(parallel))
    return [r if r.type == init.type else view(rw, r, shape_of(rw, init)) for r, init in zip(results, inits)]


def matmul_inputs(op, rw, ins, init):
    """The inputs of a matmul or batch_matmul with indexing_maps, in the
    default layout: transposed or broadcast copies where the maps say so."""
    maps = op.attributes["indexing_maps"].values
    reads = {d: (v, axis) for v, m in zip((*ins, init), maps) for axis, d in enumerate(m.results)}
    inputs = []
    for v, m, want in zip(ins, maps, MATMUL_DIMS[op.name]):
        shape = tuple(reads[d][0].type.shape[reads[d][1]] for d in want)
        amap = AffineMapAttr(len(want), tuple(want.index(d) for d in m.results))
        inputs.append(expand(rw, v, amap, shape, size=lambda i, want=want: size_of(rw, *reads[want[i]])))
    return inputs


def contract(rw, kind, ins, init):
    """matmul and its relatives as (batched) matrix products: vectors are
    viewed as one-column or one-row matrices."""
    a, b = ins
    if kind in ("matvec", "batch_matvec"):
        b, acc = view(rw, b, shape_of(rw, b) + [1]), view(rw, init, shape_of(rw, init) + [1])
    elif kind == "vecmat":
        a, acc = view(rw, a, [1] + shape_of(rw, a)), view(rw, init, [1] + shape_of(rw, init))
    elif kind == "dot":
        a, b = view(rw, a, [1] + shape_of(rw, a)), view(rw, b, shape_of(rw, b) + [1])
        acc = view(rw, init, [1, 1])
    else:
        acc = init
    result = rw.new("iree_lite.matmul", [acc, a, b], [acc.type])[0]
    return result if result.type == init.type else view(rw, result, shape_of(rw, init))


def rewrite_generic(op, rw):
    shape = op.results[0].type.shape
    maps = op.attributes["indexing_maps"].values
    body = op.regions[0].blocks[0]
    used = {v for inner in body.operations for v in inner.operands}
    mapping = {}
    for value, amap, arg in zip(op.operands, maps, body.arguments):
        if arg in used:
            mapping[arg] = expand(rw, value, amap, shape, op.operands[-1])
    return apply_body(rw, body, mapping, shape, like=op.operands[-1])


# op name -> its rewrite (passes/rewriter.py); rewrite_for falls back on an OpDef's decompose for ops not here.
REWRITES = {name: rewrite_structured for name in LINALG_OPS if name not in ("linalg.yield", "linalg.index")}
REWRITES.update(EXT_REWRITES)
REWRITES.update({name: rewrite_extended for name in EXTENDED})
REWRITES.update(TENSOR_REWRITES)
