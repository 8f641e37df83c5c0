"""iree_lite: the compiler's internal ops, made by its rewrites (the linalg
rewrite, flow's reshapes and bitcasts, the small type lowering), never
written in a program: the parser refuses their custom form, and reads
them back only in the generic form the IR printer writes."""
from ..ir.ops import OpDef
from .small_float import OPS as SMALL_FLOAT_OPS


class LinearIndexOp(OpDef):
    """`iree_lite.linear_index(stride, size)`, made by the linalg rewrite:
    each element's coordinate along one dimension (the tile op t.lindex)."""
    name = "iree_lite.linear_index"
    elementwise = "lindex"

    def parse(self, p, loc, result_names):
        raise p.error("'iree_lite.linear_index' is internal to the compiler")

    def tile(self, op):
        return "lindex", "index", {}


class ExpandOp(OpDef):
    """`iree_lite.expand(src[, sizes...]) {map}`, made by the linalg rewrite:
    src seen through an affine map at the result's shape (broadcasts,
    transposes, convolution windows). Of static shape it fuses into
    element-wise kernels as a gather (t.gather); otherwise the host copies."""
    name = "iree_lite.expand"
    elementwise = "gather"

    def parse(self, p, loc, result_names):
        raise p.error("'iree_lite.expand' is internal to the compiler")

    def fusible(self, op):
        return op.operands[0].type.is_static and op.results[0].type.is_static


class GatherOp(OpDef):
    """`iree_lite.gather(src, flat)`: src's elements at the flat (row-major)
    indices of index tensor `flat`, element-wise: a tensor.extract inside a
    structured op's body whose indices vary (t.gather, which fails the
    dispatch for an index outside src)."""
    name = "iree_lite.gather"
    elementwise = "gather"

    def parse(self, p, loc, result_names):
        raise p.error("'iree_lite.gather' is internal to the compiler")


class InternalOp(OpDef):
    """An op only the compiler makes, read back only in the generic form the
    IR printer writes: `iree_lite.view(src, sizes...)` (src's data at the
    result's shape, its dynamic dimensions sized by the operands in order,
    none when a single one follows from the element count; made by reshapes
    and the linalg rewrite), `iree_lite.matmul(acc, a, b)` (or `(a, b)`, from
    +0.0) and
    `iree_lite.reduce(init, src) {combiner}` (the contractions and reductions
    of the linalg rewrite), `iree_lite.conv2d(acc, input, filter) {window}`
    (a direct NCHW convolution, passes/conv_direct.py),
    `iree_lite.pool2d(acc, input) {window, combiner}` (or `(input)`, from the
    combiner's padding: a direct NCHW pooling, passes/pool_direct.py),
    `iree_lite.softmax(src)` (the softmax of f32 rows, passes/rows.py) and
    `iree_lite.layernorm(src, eps)` (f32 rows normalised to mean 0 and
    variance 1, eps added to the variance, passes/rows.py).
    Those that `fold` have as result their init (operand 0) folded with the
    other operands; of them, those given `fresh` operands (no init) start in
    a new buffer, from +0.0 or, for the pooling, its padding (folds_init)."""

    def __init__(self, name, fold=False, fresh=None):
        self.name = name
        self.fold = fold
        self.fresh = fresh

    def parse(self, p, loc, result_names):
        raise p.error(f"'{self.name}' is internal to the compiler")


OPS = {op.name: op for op in (LinearIndexOp(), ExpandOp(), GatherOp(), InternalOp("iree_lite.view"),
                              InternalOp("iree_lite.matmul", fold=True, fresh=2),
                              InternalOp("iree_lite.reduce", fold=True),
                              InternalOp("iree_lite.conv2d", fold=True, fresh=2),
                              InternalOp("iree_lite.pool2d", fold=True, fresh=1), InternalOp("iree_lite.softmax"),
                              InternalOp("iree_lite.layernorm"))}
OPS.update(SMALL_FLOAT_OPS)


def folds_init(op):
    """Whether op's result is its init operand folded with the others, in
    place: codegen gives it a copy of the init to fold into
    (FunctionLowering.accumulator), or the init itself where nothing else
    reads it (BufferPlan.folds_into_init)."""
    d = OPS.get(op.name)
    return isinstance(d, InternalOp) and d.fold and len(op.operands) != d.fresh
