"""Row ops: softmax and layer norm along the innermost dimension of an f32
tensor as one op each, which takes each row through all its steps while it
is in L1 (csrc/rows.pxi), where their decompositions take several passes
over the whole tensor.

linalg.softmax becomes `iree_lite.softmax` (buffer.softmax: each row's
maximum, exp, sum and division, the decomposition's ops in its order); any
other softmax the reductions and element-wise ops of build.softmax.

A layer norm has no op of its own in linalg: programs spell it out, and the
linalg rewrite makes of it two reductions and element-wise ops. After it,
`layernorm_rows` finds that chain, from the sum of the rows to the centred
values times 1 / sqrt(variance + eps), and makes its last op
`iree_lite.layernorm(x, eps)` (buffer.layernorm: the same ops in the same
order, so the same bits). Only the exact chain matches (an f32 tensor of
static shape, both reductions an addf of rows of its innermost dimension
from +0.0, each divisor that dimension's size as an f32 constant, the mean
and 1 / sqrt(...) broadcast back along it, the ops in the order below) and
only where nothing else reads a value inside it; a reshape of the mean or of
1 / sqrt(...) that nothing reads (a LayerNormalization's unused outputs)
does not count, and goes with the chain. Anything else stays as it is.
"""
from ..ir.types import TensorType
from .build import float_constant, same_float, softmax, splat_value
from .dispatch import compute_users


def softmax_rows(rw, x, dim):
    t = x.type
    if dim == t.rank - 1 and t.element.name == "f32":
        return rw.new("iree_lite.softmax", [x], [t])[0]
    return softmax(rw, x, dim)


def layernorm_rows(blocks):
    """Each layer norm's chain in `blocks` (a function's, or a region's, and
    the regions of their ops) made one `iree_lite.layernorm`."""
    users = compute_users(*blocks)
    for block in blocks:
        removed = set()
        for op in block.operations:
            for region in op.regions:
                layernorm_rows(region.blocks)
            chain = layernorm_chain(op, users) if op.name == "iree_lite.reduce" and id(op) not in removed else None
            if chain is not None:
                *others, last, x, eps = chain
                removed.update(map(id, others))
                last.name, last.operands, last.attributes = "iree_lite.layernorm", [x, eps], {}
        block.operations = [op for op in block.operations if id(op) not in removed]


def layernorm_chain(first, users):
    """The ops of the layer norm whose first reduction is `first` (the
    unread reshapes first, the op whose result is the normalised tensor
    last), then its input and eps; None where it is not exactly one.

        s = iree_lite.reduce(+0.0 splat, x) {addf}   mean = divf(s, n)
        d = subf(x, expand(mean))                    q = iree_lite.reduce(+0.0 splat, mulf(d, d)) {addf}
        r = rsqrt(addf(divf(q, n), eps))             y = mulf(d, expand(r))
    """
    x = first.operands[1]
    t = x.type
    if not (isinstance(t, TensorType) and t.is_static and t.rank >= 1 and t.element.name == "f32"):
        return None
    unread = []

    def readers(v):
        return list({id(u): u for u in users.get(v, ())}.values())

    def only_user(v, name):
        """v's one reader, if it is a `name` op in first's block; the
        reshapes of v that nothing reads do not count, and join `unread`."""
        found, views = [], []
        for u in readers(v):
            more = unread_views(u)
            if more is None:
                found.append(u)
            else:
                views += more
        if len(found) != 1 or found[0].name != name or found[0].parent is not first.parent:
            return None
        unread.extend(views)
        return found[0]

    def unread_views(op):
        """op and the reshapes of its result, if op is a reshape in first's
        block that nothing but such reshapes reads; else None."""
        if op.name != "iree_lite.view" or op.parent is not first.parent:
            return None
        views = [op]
        for u in readers(op.results[0]):
            more = unread_views(u)
            if more is None:
                return None
            views += more
        return views

    def summed(op, src):
        return op.name == "iree_lite.reduce" and op.operands[1] is src and op.attributes.get("combiner") == "addf" \
            and same_float(splat_value(op.operands[0]), 0.0) and \
            tuple(op.results[0].type.shape) == tuple(t.shape[:-1])

    def divided(v):
        op = only_user(v, "arith.divf")
        return op if op is not None and op.operands[0] is v and is_constant(op.operands[1], t.shape[-1]) else None

    def broadcast(v):
        op = only_user(v, "iree_lite.expand")
        rows = [([int(i == d) for i in range(t.rank)], 0) for d in range(t.rank - 1)]
        return op if op is not None and len(op.operands) == 1 and op.attributes["map"].linear() == rows else None

    def of(op, *operands):
        return op if op is not None and list(op.operands) == list(operands) else None

    def then(op, step):
        """step(op's result), None after a step that found nothing."""
        return None if op is None else step(op.results[0])

    mean = then(first if summed(first, x) else None, divided)
    mean_rows = then(mean, broadcast)
    centred = then(mean_rows, lambda m: of(only_user(m, "arith.subf"), x, m))
    if centred is None:
        return None
    d = centred.results[0]
    d_readers = readers(d)
    square = next((u for u in d_readers if of(u, d, d) and u.name == "arith.mulf"), None)
    if square is None or len(d_readers) != 2:
        return None
    squares = then(square, lambda q: only_user(q, "iree_lite.reduce"))
    var = then(squares if squares is not None and summed(squares, square.results[0]) else None, divided)
    shifted = then(var, lambda v: only_user(v, "arith.addf"))
    if shifted is None or shifted.operands[0] is not var.results[0] or not is_scalar_f32(eps := shifted.operands[1]):
        return None
    rstd = then(shifted, lambda v: of(only_user(v, "math.rsqrt"), v))
    rstd_rows = then(rstd, broadcast)
    last = then(rstd_rows, lambda r: of(only_user(r, "arith.mulf"), d, r))
    if last is None or last not in d_readers:
        return None
    return (*unread, first, mean, mean_rows, centred, square, squares, var, shifted, rstd, rstd_rows, last, x, eps)


def is_constant(v, number):
    """Whether v is an f32 scalar arith.constant of value `number`."""
    return is_scalar_f32(v) and float_constant(v) == number


def is_scalar_f32(v):
    return not isinstance(v.type, TensorType) and getattr(v.type, "name", None) == "f32"
