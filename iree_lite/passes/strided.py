"""Transposes and reshapes around a matrix product as its strides, not copies.

Attention transposes its heads between products: Q to (heads, seq, d), K
to (heads, d, seq), the context back to (seq, heads, d), each an
iree_lite.expand through a permutation map (a copy) with reshapes
(iree_lite.views) on either side. A product from +0.0 of static shape
(passes/linalg.py fresh_products) reads an operand that is such a copy
from the copy's source instead, and writes a result that only such a copy
reads where the copy would have put it: `layout` on the iree_lite.matmul
gives [B, M, K, N] and each operand's batch, row and column strides (in
elements of the buffer it names), as buffer.matmul.strided takes them.
The copies nothing else reads go.

What the native kernel reads in place bounds what folds: rows of the
left operand and of the result contiguous, the right operand's rows or
columns contiguous (a transposed B packs as well as a plain one); any
other copy stays.
"""
from collections import Counter

from ..ir.core import Operation
from ..ir.linear import row_major_strides
from ..ir.types import TensorType


def restrided(shape, strides, new_shape):
    """The strides of `new_shape`, a reshape (the same elements in row-major
    order) of `shape` laid out by `strides`, or None where a reshape of
    that layout has none (it merges dimensions that are not contiguous).
    A shape of no elements has any strides: dense ones."""
    if 0 in shape:
        return row_major_strides(new_shape)
    old = [(n, s) for n, s in zip(shape, strides) if n != 1]
    new = [n for n in new_shape if n != 1]
    out, i = [], 0
    for n in new:   # each new dimension: a run of old ones (merged) or a part of one (split)
        if i >= len(old):
            return None
        size, stride = old[i]
        if n == size:
            out.append(stride)
            i += 1
        elif size % n == 0:   # split: the outer part
            out.append(stride * (size // n))
            old[i] = (size // n, stride)
        else:   # merge old dimensions while they are contiguous
            run = size
            while run < n and i + 1 < len(old) and old[i][1] == old[i + 1][0] * old[i + 1][1]:
                i += 1
                run *= old[i][0]
            if run != n:
                return None
            out.append(old[i][1])
            i += 1
    if i != len(old):
        return None
    it = iter(out)
    return [1 if n == 1 else next(it) for n in new_shape]   # any stride serves a dimension of one


def static(v):
    return isinstance(v.type, TensorType) and v.type.is_static


def through_views(v):
    """The value v is a static iree_lite.view of a view ... of (or v)."""
    while isinstance(v.owner, Operation) and v.owner.name == "iree_lite.view" and len(v.owner.operands) == 1 \
            and static(v.owner.operands[0]):
        v = v.owner.operands[0]
    return v


def read_through(v):
    """(source, strides) where v, of static shape, is a copy through a linear
    map of nonnegative coefficients and no offset (possibly reshaped): v's
    elements where the source holds them; else None."""
    root = through_views(v)
    op = root.owner
    if not (isinstance(op, Operation) and op.name == "iree_lite.expand" and len(op.operands) == 1
            and static(op.operands[0]) and static(root)):
        return None
    src = op.operands[0]
    forms = op.attributes["map"].linear()
    if forms is None or any(const != 0 or min(coeffs, default=0) < 0 for coeffs, const in forms):
        return None
    src_strides = row_major_strides(src.type.shape)
    strides = [sum(s * coeffs[d] for s, (coeffs, _) in zip(src_strides, forms)) for d in range(root.type.rank)]
    strides = restrided(root.type.shape, strides, v.type.shape)
    return None if strides is None else (src, strides)


def written_through(v, users):
    """(the copy's result, strides, the ops that go) where v's one reader is
    a permutation copy (possibly through reshapes, each read once): v's
    elements where that copy puts them; else None."""
    chain = []
    while len(users.get(v, ())) == 1:
        op = users[v][0]
        if op.name == "iree_lite.view" and len(op.operands) == 1 and static(op.results[0]):
            chain.append(op)
            v = op.results[0]
            continue
        amap = op.attributes.get("map") if op.name == "iree_lite.expand" else None
        results = amap.results if amap is not None else None   # None entries: a constant 0 (a broadcast)
        if results is None or None in results or sorted(results) != list(range(amap.num_dims)) or \
                len(op.operands) != 1 or not static(op.results[0]):
            return None
        out = op.results[0]
        # Source element e sits at out[d] with d[perm[j]] = e[j]: dimension j strides as out's perm[j].
        out_strides = row_major_strides(out.type.shape)
        strides = [out_strides[p] for p in results]
        first = chain[0].operands[0] if chain else v
        strides = restrided(v.type.shape, strides, first.type.shape)
        return None if strides is None else (out, strides, chain + [op])
    return None


def as_matrix(strides, rank):
    """Strides of (batch, rows, columns) for an operand of rank 3, or 2 (no batches)."""
    return list(strides) if rank == 3 else [0, *strides]


def strided_products(blocks):
    """Fold the copies around each product from +0.0 of `blocks` (and their
    regions) into its layout, and drop the copies nothing reads any more."""
    ops = [op for block in blocks for op in walk(block)]
    users = {}
    for op in ops:
        for v in op.operands:
            users.setdefault(v, []).append(op)
    replaced, candidates = {}, []
    for op in ops:
        if op.name == "iree_lite.matmul" and len(op.operands) == 2 and "layout" not in op.attributes and \
                all(static(v) for v in (*op.operands, op.results[0])):
            fold(op, users, replaced, candidates)
    if not replaced and not candidates:
        return
    for op in ops:
        op.operands = [replaced.get(v, v) for v in op.operands]
    drop_unread(blocks, candidates)


def fold(op, users, replaced, candidates):
    a, b = op.operands
    c = op.results[0]
    rank = c.type.rank
    *_, m, k = a.type.shape
    n = c.type.shape[-1]
    batches = c.type.shape[0] if rank == 3 else 1
    layout = [as_matrix(row_major_strides(v.type.shape), rank) for v in (c, a, b)]
    operands = [a, b]
    for i, v in enumerate((a, b)):
        found = read_through(v)
        if found is not None:
            s = as_matrix(found[1], rank)
            if s[2] == 1 or i == 1 and s[1] == 1:   # A's rows contiguous; B's rows or columns
                layout[i + 1], operands[i] = s, found[0]
                candidates.append(v)
                users.setdefault(found[0], []).append(op)   # no longer only its copy's to fold away
    out = written_through(c, users)
    if out is not None and as_matrix(out[1], rank)[2] == 1:
        layout[0] = as_matrix(out[1], rank)
    else:
        out = None
    if operands == [a, b] and out is None:
        return
    op.operands = operands
    op.attributes["layout"] = (batches, m, k, n, *layout[0], *layout[1], *layout[2])
    if out is not None:
        result, _, gone = out
        op.results = [type(c)(result.type, c.name, op, 0)]
        replaced[result] = op.results[0]
        for dead in gone:
            dead.operands = []
            candidates.extend(dead.results)


def walk(block):
    for op in block.operations:
        yield op
        for region in op.regions:
            for inner in region.blocks:
                yield from walk(inner)


def drop_unread(blocks, candidates):
    """Remove the copies and views among `candidates`' owners that nothing
    reads now, and those they alone read."""
    reads = Counter(v for block in blocks for op in walk(block) for v in op.operands)
    gone = set()
    todo = [v.owner for v in candidates]
    while todo:
        op = todo.pop()
        if id(op) in gone or op.name not in ("iree_lite.view", "iree_lite.expand") or \
                any(reads[r] for r in op.results):
            continue
        gone.add(id(op))
        reads.subtract(op.operands)
        todo.extend(v.owner for v in op.operands if isinstance(v.owner, Operation))
    if gone:
        for block in blocks:
            prune(block, gone)


def prune(block, gone):
    block.operations = [op for op in block.operations if id(op) not in gone]
    for op in block.operations:
        for region in op.regions:
            for inner in region.blocks:
                prune(inner, gone)
