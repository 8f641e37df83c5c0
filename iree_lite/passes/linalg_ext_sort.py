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
from ..ir.types import ScalarType, TensorType
from .build import I1, INDEX, cmp, constant, expand, extract, for_loop, index_constant, insert, linear_index, \
    shape_of, size_of, size_product, splat, transpose, view
from .body import apply_body


class Rows:
    """Tensors of one shape seen as [rows, n] rows along `dim`, and back;
    n must be static unless `dynamic`."""

    def __init__(self, rw, t, dim, what, dynamic=False):
        self.rw, self.t, self.dim = rw, t, dim
        if t.shape[dim] is None and not dynamic:
            raise rw.error(f"'{what}' along a dynamic dimension is not supported by iree-lite yet")
        rank = t.rank
        self.order = [d for d in range(rank) if d != dim] + [dim]
        self.outer = [t.shape[d] for d in self.order[:-1]]   # None where dynamic

    def flat(self, v):
        rw = self.rw
        moved = transpose(rw, v, self.order)
        outer = [n if n is not None else size_of(rw, v, d) for d, n in zip(self.order[:-1], self.outer)]
        return view(rw, moved, [size_product(rw, outer), shape_of(rw, v)[self.dim]]), outer

    def back(self, v, outer, t):
        moved = view(self.rw, v, [*outer, shape_of(self.rw, v)[1]])
        return expand(self.rw, moved, AffineMapAttr(t.rank, tuple(self.order)), t.shape)


def merge_sort(rw, flat, compare):
    """The [rows, n] tensors `flat` permuted alike along their rows so that
    an earlier element stays first iff compare(earlier values, later
    values) (lists of tensors, one per operand) holds."""
    shape = flat[0].type.shape
    n, like = shape[1], flat[0]

    def const(k):
        return index_constant(rw, k)

    def e(name, a, b, rt=INDEX):
        return rw.new(name, [a, b], [TensorType(shape, rt)])[0]

    def select(c, a, b):
        return rw.new("arith.select", [c, a, b], [TensorType(shape, INDEX)])[0]
    row_start = e("arith.muli", linear_index(rw, shape, 0, like), const(n))
    position = linear_index(rw, shape, 1, like)

    def at(values, where):
        flat_index = e("arith.addi", row_start, where)
        return [rw.new("iree_lite.gather", [v, flat_index], [v.type])[0] for v in values]
    true = constant(rw, 1, I1)
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
            active = cmp(rw, "slt", lo, hi)
            lo = select(e("arith.andi", active, first, I1), e("arith.addi", mid, const(1)), lo)
            hi = select(e("arith.andi", active, e("arith.xori", first, true, I1), I1), mid, hi)
        j = e("arith.subi", p, lo)
        take_a = e("arith.andi", cmp(rw, "slt", lo, left),
                   e("arith.ori", cmp(rw, "sge", j, right), a_first(lo, j), I1), I1)
        flat = at(flat, select(take_a, e("arith.addi", s, lo), e("arith.addi", b_start, j)))
        w *= 2
    return flat


def region_compare(rw, op, shape, like):
    """The op's comparator region applied element-wise: (lhs values, rhs
    values) -> i1, its block taking (lhs0, rhs0, lhs1, rhs1, ..)."""
    block = op.regions[0].blocks[0]

    def compare(lhs, rhs):
        mapping = {}
        for k, (a, b) in enumerate(zip(lhs, rhs)):
            mapping[block.arguments[2 * k]], mapping[block.arguments[2 * k + 1]] = a, b
        (result,) = apply_body(rw, block, mapping, shape, like=like)
        return result
    return compare


def rewrite_sort(op, rw):
    values = list(op.operands)
    t = values[0].type
    rows = Rows(rw, t, op.attributes["dimension"], op.name)
    flat, outer = zip(*(rows.flat(v) for v in values))
    compare = region_compare(rw, op, flat[0].type.shape, flat[0])
    ordered = merge_sort(rw, list(flat), compare)
    return [rows.back(v, outer[0], r.type) for v, r in zip(ordered, op.results)]


def rewrite_topk(op, rw):
    """The first k of (the outs, then the inputs) sorted along the dimension
    by the comparator, equal values by index: what IREE's insertion of each
    input into the outs gives when the outs start in that order (as filled
    with the comparator's extreme value), by a merge sort. topk_v2 is
    IREE's own loops (topk_v2_insertions), which order equal values their own
    way and take any sizes."""
    ins, outs = ins_outs(op)
    dim = op.attributes["dimension"]
    v2 = op.name.endswith("topk_v2")
    rows = Rows(rw, ins[0].type, dim, op.name, v2)
    values, outer = rows.flat(ins[0])
    index_type = outs[1].type if len(outs) == 2 else \
        TensorType(outs[0].type.shape, ins[1].type.element if len(ins) == 2 else ScalarType("i32"))
    if len(outs) == 1:   # topk_v2 without an indices output: as if filled with 0
        zero = constant(rw, 0, index_type.element)
        outs = [outs[0], splat(rw, zero, outs[0])]
    if len(ins) == 2:
        indices = rows.flat(ins[1])[0]
    else:   # each input's position along the dimension
        at = linear_index(rw, values.type.shape, 1, values)
        indices = rw.new("arith.index_cast", [at], [TensorType(values.type.shape, index_type.element)])[0]
    out_rows = Rows(rw, outs[0].type, dim, op.name, v2)   # k must be static for the merge sort
    firsts = [out_rows.flat(v)[0] for v in outs]
    if v2:
        ordered = topk_v2_insertions(rw, op, firsts, values, indices)
        return [out_rows.back(v, outer, r.type) for v, r in zip(ordered, op.results)]
    count = size_product(rw, outer)
    k, n = outs[0].type.shape[dim], values.type.shape[1]
    zero = index_constant(rw, 0)
    both = []
    for first, then in ((firsts[0], values), (firsts[1], indices)):
        t = TensorType((values.type.shape[0], k + n), first.type.element)
        joined = rw.new("tensor.empty", [] if isinstance(count, int) else [count], [t])[0]
        joined = insert(rw, first, joined, [zero, zero], [count, k])
        both.append(insert(rw, then, joined, [zero, index_constant(rw, k)], [count, n]))
    ordered = merge_sort(rw, both, topk_order(rw, op, both[0]))
    return [rows.back(extract(rw, v, [zero, zero], [count, k]), outer, r.type) for v, r in zip(ordered, op.results)]


def topk_order(rw, op, like):
    """(lhs, rhs) -> whether lhs comes first, each a (values, indices) pair
    of tensors of like's shape: by the comparator region, ties by index."""
    block = op.regions[0].blocks[0]
    shape = like.type.shape

    def compare(lhs, rhs):
        def region(a, b):
            (result,) = apply_body(rw, block, {block.arguments[0]: a, block.arguments[1]: b}, shape, like=like)
            return result
        forward, reverse = region(lhs[0], rhs[0]), region(rhs[0], lhs[0])

        def logic(name, a, b):
            return rw.new(f"arith.{name}", [a, b], [TensorType(shape, I1)])[0]
        true = constant(rw, 1, I1)
        tied = logic("xori", logic("xori", forward, reverse), true)   # neither comes first, or (IREE's test) both
        return logic("ori", forward, logic("andi", tied, cmp(rw, "slt", lhs[1], rhs[1])))
    return compare


def topk_v2_insertions(rw, op, firsts, values, indices):
    """topk_v2 as IREE runs it: each input of a [rows, n] row in turn carried
    through the [rows, k] outs (taking a slot where the comparator puts it
    first, and going on with the slot's old element; the index by the same
    test, ties broken by index), then, when `is_sorted`, a bubble sort of
    the outs that swaps any pair the comparator does not keep in order."""
    block = op.regions[0].blocks[0]
    zero = index_constant(rw, 0)
    one = index_constant(rw, 1)
    count = shape_of(rw, values)[0]

    def column(t, j):
        return extract(rw, t, [zero, j], [count, 1])

    def put(t, piece, j):
        return insert(rw, piece, t, [zero, j], [count, 1])

    def holds(a, b):
        (result,) = apply_body(rw, block, {block.arguments[0]: a, block.arguments[1]: b}, a.type.shape, like=a)
        return result

    def select(c, a, b):
        return rw.new("arith.select", [c, a, b], [a.type])[0]

    def slot(j, best, where, value, index):
        kept, kept_index = column(best, j), column(where, j)
        forward, reverse = holds(value, kept), holds(kept, value)
        def logic(name, a, b):
            return rw.new(f"arith.{name}", [a, b], [forward.type])[0]
        tied = logic("xori", logic("xori", forward, reverse), splat(rw, constant(rw, 1, I1), forward))
        first = logic("ori", forward, logic("andi", tied, cmp(rw, "slt", index, kept_index)))
        return [put(best, select(forward, value, kept), j),
                put(where, select(first, index, kept_index), j),
                select(forward, kept, value), select(first, kept_index, index)]

    def swap(j, best, where):
        after = rw.new("arith.addi", [j, one], [INDEX])[0]
        a, b = column(best, j), column(best, after)
        ai, bi = column(where, j), column(where, after)
        keep = holds(a, b)
        best = put(put(best, select(keep, a, b), j), select(keep, b, a), after)
        where = put(put(where, select(keep, ai, bi), j), select(keep, bi, ai), after)
        return [best, where]

    def step(i, best, where):
        k = size_of(rw, best, 1)
        best, where, _, _ = for_loop(rw, k, [best, where, column(values, i), column(indices, i)], slot)
        if "is_sorted" not in op.attributes:
            return [best, where]
        last = rw.new("arith.subi", [k, one], [INDEX])[0]

        def sweep(p, best, where):
            return for_loop(rw, rw.new("arith.subi", [last, p], [INDEX])[0], [best, where], swap)
        return for_loop(rw, last, [best, where], sweep)
    return for_loop(rw, size_of(rw, values, 1), firsts, step)
