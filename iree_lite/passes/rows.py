"""Softmax rows as one op: linalg.softmax along the innermost dimension of
an f32 tensor becomes `iree_lite.softmax` (buffer.softmax: each row's
maximum, exp, sum and division while the row is in L1, the decomposition's
ops in its order); any other softmax the reductions and element-wise ops of
build.softmax."""
from .build import emit, softmax


def softmax_rows(ops, x, dim, loc):
    t = x.type
    if dim == t.rank - 1 and t.element.name == "f32":
        return emit(ops, "iree_lite.softmax", [x], [t], loc=loc)[0]
    return softmax(ops, x, dim, loc)
