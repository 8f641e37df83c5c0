"""iree_linalg_ext.sort and topk: a merge sort from fused element-wise steps
and gathers (no loops, no new instructions).

The sorted dimension is moved innermost and the tensors seen as rows.
Pass w merges runs of w into runs of 2w: each output element finds, by a
binary search over its pair of runs (the merge path), how many elements of
the first run precede it, and gathers its value from there. A pass is
log(w) fused steps, a sort log(n) passes: O(n log^2 n) work, all in
parallel kernels. An earlier element stays before a later one iff the
comparator holds of (earlier, later).
"""
from ..dialects.linalg import ins_outs
from ..ir.attributes import AffineMapAttr
from ..ir.core import Diagnostic
from ..ir.types import ScalarType, TensorType
from .build import I1, INDEX, cmp, constant, emit, expand, extract, for_loop, index_constant, insert, linear_index, \
    shape_of, size_of, size_product, splat, transpose, view
from .body import apply_body


class Rows:
    """Tensors of one shape seen as [rows, n] rows along `dim`, and back;
    n must be static unless `dynamic`."""

    def __init__(self, ops, t, dim, loc, source, what, dynamic=False):
        self.ops, self.t, self.dim, self.loc = ops, t, dim, loc
        if t.shape[dim] is None and not dynamic:
            raise Diagnostic(f"'{what}' along a dynamic dimension is not supported by iree-lite yet", loc, source)
        rank = t.rank
        self.order = [d for d in range(rank) if d != dim] + [dim]
        self.outer = [t.shape[d] for d in self.order[:-1]]   # None where dynamic

    def flat(self, v):
        ops, loc = self.ops, self.loc
        moved = transpose(ops, v, self.order, loc)
        outer = [n if n is not None else size_of(ops, v, d, loc) for d, n in zip(self.order[:-1], self.outer)]
        return view(ops, moved, [size_product(ops, outer, loc), shape_of(ops, v, loc)[self.dim]], loc), outer

    def back(self, v, outer, t):
        moved = view(self.ops, v, [*outer, shape_of(self.ops, v, self.loc)[1]], self.loc)
        return expand(self.ops, moved, AffineMapAttr(t.rank, tuple(self.order)), t.shape, self.loc)


def merge_sort(ops, flat, compare, loc, source):
    """The [rows, n] tensors `flat` permuted alike along their rows so that
    an earlier element stays first iff compare(earlier values, later
    values) (lists of tensors, one per operand) holds."""
    shape = flat[0].type.shape
    n, like = shape[1], flat[0]

    def const(k):
        return index_constant(ops, k, loc)

    def e(name, a, b, rt=INDEX):
        return emit(ops, name, [a, b], [TensorType(shape, rt)], loc=loc)[0]

    def select(c, a, b):
        return emit(ops, "arith.select", [c, a, b], [TensorType(shape, INDEX)], loc=loc)[0]
    row_start = e("arith.muli", linear_index(ops, shape, 0, loc, source, like), const(n))
    position = linear_index(ops, shape, 1, loc, source, like)

    def at(values, where):
        flat_index = e("arith.addi", row_start, where)
        return [emit(ops, "iree_lite.gather", [v, flat_index], [v.type], loc=loc)[0] for v in values]
    true = constant(ops, 1, I1, loc)
    w = 1
    while w < n:
        s = e("arith.muli", e("arith.divui", position, const(2 * w)), const(2 * w))
        p = e("arith.subi", position, s)
        left = e("arith.minsi", e("arith.subi", const(n), s), const(w))   # the first run's length
        right = e("arith.maxsi", e("arith.minsi", e("arith.subi", e("arith.subi", const(n), s), const(w)),
                                    const(w)), const(0))                    # the second's
        lo = e("arith.maxsi", e("arith.subi", p, right), const(0))
        hi = e("arith.minsi", p, left)
        last_a = e("arith.subi", e("arith.addi", s, left), const(1))
        b_start = e("arith.addi", s, const(w))

        def in_a(i):   # clamped: a lane whose search is over still gathers in bounds
            return e("arith.minsi", e("arith.addi", s, i), last_a)

        def in_b(j):
            return e("arith.minsi", e("arith.addi", b_start, e("arith.maxsi", j, const(0))), const(n - 1))

        def a_first(i, j):
            return compare(at(flat, in_a(i)), at(flat, in_b(j)))
        for _ in range(w.bit_length()):   # ceil(log2(w + 1)) halvings of [lo, hi]
            mid = e("arith.divui", e("arith.addi", lo, hi), const(2))
            first = a_first(mid, e("arith.subi", e("arith.subi", p, mid), const(1)))
            active = cmp(ops, "slt", lo, hi, loc)
            lo = select(e("arith.andi", active, first, I1), e("arith.addi", mid, const(1)), lo)
            hi = select(e("arith.andi", active, e("arith.xori", first, true, I1), I1), mid, hi)
        j = e("arith.subi", p, lo)
        take_a = e("arith.andi", cmp(ops, "slt", lo, left, loc),
                   e("arith.ori", cmp(ops, "sge", j, right, loc), a_first(lo, j), I1), I1)
        flat = at(flat, select(take_a, e("arith.addi", s, lo), e("arith.addi", b_start, j)))
        w *= 2
    return flat


def region_compare(ops, op, remap, source, shape, like):
    """The op's comparator region applied element-wise: (lhs values, rhs
    values) -> i1, its block taking (lhs0, rhs0, lhs1, rhs1, ..)."""
    block = op.regions[0].blocks[0]

    def compare(lhs, rhs):
        mapping = {}
        for k, (a, b) in enumerate(zip(lhs, rhs)):
            mapping[block.arguments[2 * k]], mapping[block.arguments[2 * k + 1]] = a, b
        (result,) = apply_body(ops, block, mapping, shape, remap, source, like=like)
        return result
    return compare


def rewrite_sort(op, ops, remap, source):
    values = list(op.operands)
    t = values[0].type
    rows = Rows(ops, t, op.attributes["dimension"], op.loc, source, op.name)
    flat, outer = zip(*(rows.flat(v) for v in values))
    compare = region_compare(ops, op, remap, source, flat[0].type.shape, flat[0])
    ordered = merge_sort(ops, list(flat), compare, op.loc, source)
    return [rows.back(v, outer[0], r.type) for v, r in zip(ordered, op.results)]


def rewrite_topk(op, ops, remap, source):
    """The first k of (the outs, then the inputs) sorted along the dimension
    by the comparator, equal values by index: what IREE's insertion of each
    input into the outs gives when the outs start in that order (as filled
    with the comparator's extreme value), by a merge sort. topk_v2 is
    IREE's own loops (topk_v2_insertions), which order equal values their own
    way and take any sizes."""
    ins, outs = ins_outs(op)
    loc, dim = op.loc, op.attributes["dimension"]
    v2 = op.name.endswith("topk_v2")
    rows = Rows(ops, ins[0].type, dim, loc, source, op.name, v2)
    values, outer = rows.flat(ins[0])
    index_type = outs[1].type if len(outs) == 2 else \
        TensorType(outs[0].type.shape, ins[1].type.element if len(ins) == 2 else ScalarType("i32"))
    if len(outs) == 1:   # topk_v2 without an indices output: as if filled with 0
        zero = constant(ops, 0, index_type.element, loc)
        outs = [outs[0], splat(ops, zero, outs[0], loc)]
    if len(ins) == 2:
        indices = rows.flat(ins[1])[0]
    else:   # each input's position along the dimension
        at = linear_index(ops, values.type.shape, 1, loc, source, values)
        indices = emit(ops, "arith.index_cast", [at], [TensorType(values.type.shape, index_type.element)], loc=loc)[0]
    out_rows = Rows(ops, outs[0].type, dim, loc, source, op.name, v2)   # k must be static for the merge sort
    firsts = [out_rows.flat(v)[0] for v in outs]
    if v2:
        ordered = topk_v2_insertions(ops, op, remap, source, firsts, values, indices)
        return [out_rows.back(v, outer, r.type) for v, r in zip(ordered, op.results)]
    count = size_product(ops, outer, loc)
    k, n = outs[0].type.shape[dim], values.type.shape[1]
    zero = index_constant(ops, 0, loc)
    both = []
    for first, then in ((firsts[0], values), (firsts[1], indices)):
        t = TensorType((values.type.shape[0], k + n), first.type.element)
        joined = emit(ops, "tensor.empty", [] if isinstance(count, int) else [count], [t], loc=loc)[0]
        joined = insert(ops, first, joined, [zero, zero], loc, [count, k])
        both.append(insert(ops, then, joined, [zero, index_constant(ops, k, loc)], loc, [count, n]))
    ordered = merge_sort(ops, both, topk_order(ops, op, remap, source, both[0]), loc, source)
    return [rows.back(extract(ops, v, [zero, zero], [count, k], loc), outer, r.type)
            for v, r in zip(ordered, op.results)]


def topk_order(ops, op, remap, source, like):
    """(lhs, rhs) -> whether lhs comes first, each a (values, indices) pair
    of tensors of like's shape: by the comparator region, ties by index."""
    block, loc = op.regions[0].blocks[0], op.loc
    shape = like.type.shape

    def compare(lhs, rhs):
        def region(a, b):
            (result,) = apply_body(ops, block, {block.arguments[0]: a, block.arguments[1]: b}, shape, remap, source,
                                   like=like)
            return result
        forward, reverse = region(lhs[0], rhs[0]), region(rhs[0], lhs[0])

        def logic(name, a, b):
            return emit(ops, f"arith.{name}", [a, b], [TensorType(shape, I1)], loc=loc)[0]
        true = constant(ops, 1, I1, loc)
        tied = logic("xori", logic("xori", forward, reverse), true)   # neither comes first, or (IREE's test) both
        return logic("ori", forward, logic("andi", tied, cmp(ops, "slt", lhs[1], rhs[1], loc)))
    return compare


def topk_v2_insertions(ops, op, remap, source, firsts, values, indices):
    """topk_v2 as IREE runs it: each input of a [rows, n] row in turn carried
    through the [rows, k] outs (taking a slot where the comparator puts it
    first, and going on with the slot's old element; the index by the same
    test, ties broken by index), then, when `is_sorted`, a bubble sort of
    the outs that swaps any pair the comparator does not keep in order."""
    loc = op.loc
    block = op.regions[0].blocks[0]
    zero = index_constant(ops, 0, loc)
    one = index_constant(ops, 1, loc)
    count = shape_of(ops, values, loc)[0]

    def column(ops, t, j):
        return extract(ops, t, [zero, j], [count, 1], loc)

    def put(ops, t, piece, j):
        return insert(ops, piece, t, [zero, j], loc, [count, 1])

    def holds(ops, a, b):
        (result,) = apply_body(ops, block, {block.arguments[0]: a, block.arguments[1]: b}, a.type.shape, remap,
                               source, like=a)
        return result

    def select(ops, c, a, b):
        return emit(ops, "arith.select", [c, a, b], [a.type], loc=loc)[0]

    def slot(ops, j, best, where, value, index):
        kept, kept_index = column(ops, best, j), column(ops, where, j)
        forward, reverse = holds(ops, value, kept), holds(ops, kept, value)
        def logic(name, a, b):
            return emit(ops, f"arith.{name}", [a, b], [forward.type], loc=loc)[0]
        tied = logic("xori", logic("xori", forward, reverse), splat(ops, constant(ops, 1, I1, loc), forward, loc))
        first = logic("ori", forward, logic("andi", tied, cmp(ops, "slt", index, kept_index, loc)))
        return [put(ops, best, select(ops, forward, value, kept), j),
                put(ops, where, select(ops, first, index, kept_index), j),
                select(ops, forward, kept, value), select(ops, first, kept_index, index)]

    def swap(ops, j, best, where):
        after = emit(ops, "arith.addi", [j, one], [INDEX], loc=loc)[0]
        a, b = column(ops, best, j), column(ops, best, after)
        ai, bi = column(ops, where, j), column(ops, where, after)
        keep = holds(ops, a, b)
        best = put(ops, put(ops, best, select(ops, keep, a, b), j), select(ops, keep, b, a), after)
        where = put(ops, put(ops, where, select(ops, keep, ai, bi), j), select(ops, keep, bi, ai), after)
        return [best, where]

    def step(ops, i, best, where):
        k = size_of(ops, best, 1, loc)
        best, where, _, _ = for_loop(ops, k, [best, where, column(ops, values, i), column(ops, indices, i)], slot, loc)
        if "is_sorted" not in op.attributes:
            return [best, where]
        last = emit(ops, "arith.subi", [k, one], [INDEX], loc=loc)[0]

        def sweep(ops, p, best, where):
            return for_loop(ops, emit(ops, "arith.subi", [last, p], [INDEX], loc=loc)[0], [best, where], swap, loc)
        return for_loop(ops, last, [best, where], sweep, loc)
    return for_loop(ops, size_of(ops, values, 1, loc), firsts, step, loc)
