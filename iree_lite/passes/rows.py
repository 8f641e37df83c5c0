"""Softmax rows as one op: linalg.softmax along the innermost dimension of
an f32 tensor becomes `iree_lite.softmax` (buffer.softmax: each row's
maximum, exp, sum and division while the row is in L1, the decomposition's
ops in its order); any other softmax the reductions and element-wise ops of
build.softmax."""
from .build import softmax


def softmax_rows(rw, x, dim):
    t = x.type
    if dim == t.rank - 1 and t.element.name == "f32":
        return rw.new("iree_lite.softmax", [x], [t])[0]
    return softmax(rw, x, dim)
