"""The native matmul and reduction kernels (csrc/contract.pxi) against the
reference interpreter, bit for bit: odd sizes around the kernels' tiles and
blocks, batches, every supported element type, on local-sync and on
local-task with 1, 2 and 7 workers, and on both instruction sets of the
matmul tiles (csrc/lite_tile.h)."""
import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from tool_runs import as_buffer, reference_results

ELEMENTS = {np.float32: "f32", np.float64: "f64", np.int32: "i32", np.int64: "i64"}
DEVICES = [("local-sync", None), ("local-task", 1), ("local-task", 2), ("local-task", 7)]


def tensor(shape, element):
    return f"tensor<{'x'.join(map(str, shape))}{'x' if shape else ''}{element}>"


def matmul_source(batch, m, k, n, element):
    lead = (batch,) if batch else ()
    a, b, c = (tensor(lead + s, element) for s in ((m, k), (k, n), (m, n)))
    kind = "batch_matmul" if batch else "matmul"
    return (f"func.func @f(%a: {a}, %b: {b}, %c: {c}) -> {c} {{\n"
            f"  %r = linalg.{kind} ins(%a, %b : {a}, {b}) outs(%c : {c}) -> {c}\n  return %r : {c}\n}}\n")


def operands(shapes, dtype, seed):
    """Random operands whose sums depend on their order (floats) or wrap (integers)."""
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.floating):
        return [rng.standard_normal(s).astype(dtype) for s in shapes]
    info = np.iinfo(dtype)
    return [rng.integers(info.min, info.max, s, dtype=dtype, endpoint=True) for s in shapes]


def in_order_matmul(a, b, c):
    """The reference's definition in numpy, fast enough for large sizes: C plus
    the products for k = 0, 1, ... in turn, each product and sum rounded to
    the element type (numpy's element-wise float ops do not fuse; its integer
    ops wrap)."""
    c = c.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        for kk in range(a.shape[-1]):
            c += a[..., :, kk:kk + 1] * b[..., kk:kk + 1, :]
    return c


def reference(module, arrays):
    (want,) = reference_results(module, "f", [as_buffer(x) for x in arrays])
    return np.frombuffer(bytes(want.data), arrays[0].dtype).reshape(want.shape)


def native(module, arrays, device, workers):
    ctx = Context(device, workers)
    ctx.load(module)
    (have,) = ctx.invoke("f", list(arrays))
    return np.asarray(have)


# Each instruction set of the matmul tiles: AVX-512 (8-row tiles), AVX2 and SSE2 (4-row tiles).
MATMUL_TILES = pytest.mark.parametrize("kernel_isa", ["avx512", "avx2", "sse2"], indirect=True)

# Sizes around the tiles (4 or 8 rows by 16 f32 columns), the k block (256)
# and the plain loop's cases (fewer rows than a tile; narrower than a panel).
SMALL = [(0, 1, 1, 1), (0, 3, 5, 17), (0, 5, 17, 33), (0, 17, 33, 16), (0, 4, 257, 9), (0, 9, 258, 17),
         (0, 33, 3, 100), (2, 7, 13, 33), (3, 4, 1, 16), (0, 6, 0, 20), (0, 8, 20, 15), (2, 8, 1, 16),
         (0, 15, 9, 47), (0, 16, 300, 16)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64], ids=lambda t: t.__name__)
@pytest.mark.parametrize("batch,m,k,n", SMALL)
@MATMUL_TILES
def test_matmul_matches_the_reference(kernel_isa, dtype, batch, m, k, n):
    lead = (batch,) if batch else ()
    arrays = operands([lead + (m, k), lead + (k, n), lead + (m, n)], dtype, m * 1000 + k * 10 + n)
    module = compile_module(matmul_source(batch, m, k, n, ELEMENTS[dtype]), "m.mlir")
    want = reference(module, arrays)
    assert want.tobytes() == in_order_matmul(*arrays).tobytes()
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want.tobytes(), (device, workers)


# Large enough to run on the pool in chunks of rows (more than 128 rows, or
# batches, cut by chunks included), of whole batches (as many as, or a multiple
# of, the workers; attention's scores per head) or of panels (at most 128
# rows; with a partial last panel; fewer rows than a tile: the plain loop), by
# rows with as many blocks of B as the job holds itself (256) and one more
# (2 x 129); the in-order oracle above stands in for the slow reference.
LARGE = [(0, 100, 100, 100), (0, 257, 300, 129), (0, 128, 512, 256), (3, 33, 257, 65), (5, 17, 100, 31),
         (0, 64, 600, 200), (0, 1, 300, 1000), (0, 3, 256, 700), (0, 7, 100, 300), (4, 128, 64, 128),
         (16, 33, 40, 50), (0, 129, 256, 4096), (0, 129, 257, 2064)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64], ids=lambda t: t.__name__)
@pytest.mark.parametrize("batch,m,k,n", LARGE)
@MATMUL_TILES
def test_large_matmul_is_the_in_order_sum(kernel_isa, dtype, batch, m, k, n):
    lead = (batch,) if batch else ()
    arrays = operands([lead + (m, k), lead + (k, n), lead + (m, n)], dtype, m + k + n)
    module = compile_module(matmul_source(batch, m, k, n, ELEMENTS[dtype]), "m.mlir")
    want = in_order_matmul(*arrays).tobytes()
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want, (device, workers)


@MATMUL_TILES
def test_matmul_propagates_nan_and_infinity_like_the_reference(kernel_isa):
    a, b, c = operands([(8, 20), (20, 40), (8, 40)], np.float32, 9)
    a[1, 3], a[6, 19], b[7, 33] = np.inf, np.nan, -np.inf
    module = compile_module(matmul_source(0, 8, 20, 40, "f32"), "m.mlir")
    want = reference(module, [a, b, c])
    for device, workers in DEVICES:
        assert native(module, [a, b, c], device, workers).tobytes() == want.tobytes(), (device, workers)


def reduce_source(shape, out, op, element):
    t, o = tensor(shape, element), tensor(out, element)
    dims = list(range(len(out), len(shape)))
    return (f"func.func @f(%x: {t}, %i: {o}) -> {o} {{\n"
            f"  %r = linalg.reduce ins(%x : {t}) outs(%i : {o}) dimensions = {dims}\n"
            f"    (%in: {element}, %acc: {element}) {{\n      %s = arith.{op} %acc, %in : {element}\n"
            f"      linalg.yield %s : {element}\n    }}\n  return %r : {o}\n}}\n")


def reduce_operands(shape, out, op, dtype, seed, nans):
    """Random data; for maximumf/minimumf with zeros of both signs (+0 is
    the larger) and, with `nans`, NaNs of distinct payloads and signs (the
    first in fold order must win)."""
    x, init = operands([shape, out], dtype, seed)
    if op in ("maximumf", "minimumf") and x.size > 2:
        bits = x.reshape(-1).view(np.uint32 if dtype == np.float32 else np.uint64)
        rng = np.random.default_rng(seed)
        nan = 0x7FC00000 if dtype == np.float32 else 0x7FF8000000000000
        sign = 0x80000000 if dtype == np.float32 else 0x8000000000000000
        x.reshape(-1)[:] = np.abs(x.reshape(-1)) * (-1 if op == "maximumf" else 1)   # so a zero is the extreme
        for i, at in enumerate(sorted(rng.choice(x.size, min(6, x.size // 2), replace=False))):
            bits[at] = (nan | (i + 1) | (sign if i % 2 else 0)) if nans and i % 3 != 2 else (sign if i % 2 else 0)
    elif op == "muli":
        x |= 1   # odd factors: the product wraps without collapsing to 0
    return x, init


# (combiner, element, NaNs in the data): the float ones whose folds may be
# reordered and split (maximumf/minimumf, NaNs aside) and one whose may not
# (addf: in order, by segments of isa.REDUCE_SEGMENT). Shapes: rows whole and
# split (too few rows for the workers), short rows and long (spread over
# lanes, or segments), below and above a block of rows folded in lockstep (8).
COMBINERS = [("maximumf", np.float32, True), ("maximumf", np.float64, False), ("minimumf", np.float64, True),
             ("minimumf", np.float32, False), ("addf", np.float32, False), ("addi", np.int32, False),
             ("muli", np.int64, False), ("maxsi", np.int32, False), ("minsi", np.int64, False)]


@pytest.mark.parametrize("op,dtype,nans", COMBINERS, ids=lambda v: getattr(v, "__name__", str(v)))
@pytest.mark.parametrize("shape,out", [((0,), ()), ((1,), ()), ((4095,), ()), ((1, 4097), (1,)), ((3, 4097), (3,)),
                                       ((200001,), ()), ((3, 70001), (3,)), ((2, 3, 40013), (2, 3)),
                                       ((8, 3), (8,)), ((17, 33), (17,)), ((2, 9, 7), (2, 9)), ((41, 5003), (41,))])
def test_reduce_matches_the_reference(op, dtype, nans, shape, out):
    x, init = reduce_operands(shape, out, op, dtype, sum(shape) + len(op), nans)
    module = compile_module(reduce_source(shape, out, op, ELEMENTS[dtype]), "r.mlir")
    want = reference(module, [x, init])
    for device, workers in DEVICES:
        assert native(module, [x, init], device, workers).tobytes() == want.tobytes(), (device, workers)


def test_long_float_sums_fold_by_segments():
    """buffer.reduce's definition, written out with numpy float32 scalars:
    the first segment folded into the init in order, each later one from its
    first element, then the segments' folds in order; on every device."""
    seg = isa.REDUCE_SEGMENT
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(2 * seg + 101) * 1e4).astype(np.float32)
    init = np.array(3.25, np.float32)

    def fold(acc, values):
        for v in values:
            acc = np.float32(acc + v)
        return acc
    parts = [fold(init, x[:seg])] + [fold(x[t], x[t + 1:t + seg]) for t in range(seg, x.size, seg)]
    want = fold(parts[0], parts[1:])
    module = compile_module(reduce_source(x.shape, (), "addf", "f32"), "r.mlir")
    assert reference(module, [x, init]).tobytes() == want.tobytes()
    for device, workers in DEVICES:
        assert native(module, [x, init], device, workers).tobytes() == want.tobytes(), (device, workers)
    assert want != fold(init, x)   # the segments matter here
