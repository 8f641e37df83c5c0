"""A matmul accumulating in a small float type, rounded at each step as
IREE 3.13 computes it: for k in order, the accumulator plus the product
a[.., i, k] * b[.., k, j] (exact in f32, not rounded) rounded to the type.
Computed in f32, one step of K at a time."""
from ..ir.types import ScalarType, TensorType
from .build import constant, extract, splat

F32 = ScalarType("f32")
MAX_STEPS = 256   # the static K it unrolls to at most


def stepwise_matmul(rw, acc, a, b, round_to):
    """The f32 result of acc + a @ b, each sum rounded by `round_to` (an f32
    value to the small type and back); acc, a and b in f32 already, of
    static shapes."""
    k = a.type.shape[-1]
    if not (a.type.is_static and b.type.is_static) or k > MAX_STEPS:
        raise rw.error(f"iree-lite rounds a matmul accumulating in a small float type at each step, as IREE "
                       f"does, for static shapes with a reduction size of at most {MAX_STEPS}, not "
                       f"'{a.type}' x '{b.type}'")
    batch = a.type.shape[:-2]
    m, n = a.type.shape[-2], b.type.shape[-1]
    zero = (0,) * len(batch)
    for step in range(k):
        column = extract(rw, a, [*zero, 0, step], [*batch, m, 1])
        row = extract(rw, b, [*zero, step, 0], [*batch, 1, n])
        product_t = TensorType((*batch, m, n), F32)
        zeros = splat(rw, constant(rw, 0.0, F32), acc)
        product = rw.new("iree_lite.matmul", [zeros, column, row], [product_t])[0]
        acc = round_to(rw.new("arith.addf", [acc, product], [product_t])[0])
    return acc
