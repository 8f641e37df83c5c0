"""linalg ops with parallel iterators: generic bodies (broadcast and
transposed inputs included) and named ops, against numpy and the reference."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from tool_runs import compile_error

ELEMENTS = {np.float32: "f32", np.int32: "i32", np.float64: "f64", np.int64: "i64"}


def run(source, *arrays):
    module = compile_module(source, "l.mlir")
    ref = interp.Context()
    ref.load(module)
    want = ref.invoke("f", [interp.Buffer(ELEMENTS[a.dtype.type], a.shape, bytearray(a.tobytes())) for a in arrays])
    ctx = Context("local-task", 2)
    ctx.load(module)
    have = [np.asarray(r) for r in ctx.invoke("f", list(arrays))]
    for w, h in zip(want, have):
        assert bytes(w.data) == h.tobytes() and w.shape == h.shape
    return have


def generic(maps, ins, out, body, iterators=None):
    n = len(out[1].split("x")) - 1 if out[1] else 0
    its = iterators or ", ".join(['"parallel"'] * n)
    args = ", ".join(f"%a{i}: tensor<{t}>" for i, t in enumerate(ins))
    ins_ops = ", ".join(f"%a{i}" for i in range(len(ins)))
    ins_types = ", ".join(f"tensor<{t}>" for t in ins)
    elem = out[1].split("x")[-1]
    block = ", ".join([f"%x{i}: {t.split('x')[-1]}" for i, t in enumerate(ins)] + [f"%o: {elem}"])
    return (f"func.func @f({args}) -> tensor<{out[1]}> {{\n"
            f"  %init = tensor.empty() : tensor<{out[1]}>\n"
            f"  %r = linalg.generic {{indexing_maps = [{', '.join(maps)}], iterator_types = [{its}]}} "
            f"ins({ins_ops} : {ins_types}) outs(%init : tensor<{out[1]}>) {{\n  ^bb0({block}):\n{body}\n"
            f"  }} -> tensor<{out[1]}>\n  return %r : tensor<{out[1]}>\n}}\n")


ID2 = "affine_map<(d0, d1) -> (d0, d1)>"


def test_generic_with_broadcasts_and_a_transpose():
    src = generic([ID2, "affine_map<(d0, d1) -> (d1)>", "affine_map<(d0, d1) -> (d0)>",
                   "affine_map<(d0, d1) -> (d1, d0)>", ID2],
                  ["3x4xf32", "4xf32", "3xf32", "4x3xf32"], (None, "3x4xf32"),
                  "    %s = arith.addf %x0, %x1 : f32\n    %p = arith.mulf %s, %x2 : f32\n"
                  "    %q = arith.subf %p, %x3 : f32\n    linalg.yield %q : f32")
    rng = np.random.default_rng(0)
    a, b, c, d = (rng.standard_normal(s).astype(np.float32) for s in ((3, 4), (4,), (3,), (4, 3)))
    (r,) = run(src, a, b, c, d)
    np.testing.assert_array_equal(r, (a + b) * c[:, None] - d.T)


def test_generic_3d_permutation_and_size_one_broadcast():
    src = generic(["affine_map<(d0, d1, d2) -> (d2, d0, d1)>", "affine_map<(d0, d1, d2) -> (0, d2)>",
                   "affine_map<(d0, d1, d2) -> (d0, d1, d2)>"],
                  ["4x2x3xi32", "1x4xi32"], (None, "2x3x4xi32"),
                  "    %s = arith.muli %x0, %x1 : i32\n    linalg.yield %s : i32")
    a = np.arange(24, dtype=np.int32).reshape(4, 2, 3)
    b = np.array([[1, -1, 2, -2]], np.int32)
    (r,) = run(src, a, b)
    np.testing.assert_array_equal(r, np.transpose(a, (1, 2, 0)) * b[0])


def test_generic_with_captured_scalar_and_constant_yield():
    src = ("func.func @f(%a: tensor<5xf64>) -> (tensor<5xf64>, tensor<5xf64>) {\n"
           "  %k = arith.constant 3.0 : f64\n  %init = tensor.empty() : tensor<5xf64>\n"
           "  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, "
           "affine_map<(d0) -> (d0)>], iterator_types = [\"parallel\"]} ins(%a : tensor<5xf64>) "
           "outs(%init, %init : tensor<5xf64>, tensor<5xf64>) {\n  ^bb0(%x: f64, %o: f64, %p: f64):\n"
           "    %m = arith.mulf %x, %k : f64\n    linalg.yield %m, %k : f64, f64\n  } -> (tensor<5xf64>, tensor<5xf64>)\n"
           "  return %r#0, %r#1 : tensor<5xf64>, tensor<5xf64>\n}\n")
    a = np.linspace(-1, 1, 5)
    m, k = run(src, a)
    np.testing.assert_array_equal(m, a * 3.0)
    np.testing.assert_array_equal(k, np.full(5, 3.0))


@pytest.mark.parametrize("op,fn,element", [
    ("add", np.add, "f32"), ("sub", np.subtract, "i32"), ("mul", np.multiply, "f64"), ("max", np.maximum, "f32"),
    ("min", np.minimum, "i32"), ("div", np.divide, "f32"),
])
def test_named_binary_ops(op, fn, element):
    t = f"tensor<2x5x{element}>"
    src = (f"func.func @f(%a: {t}, %b: {t}) -> {t} {{\n  %init = tensor.empty() : {t}\n"
           f"  %r = linalg.{op} ins(%a, %b : {t}, {t}) outs(%init : {t}) -> {t}\n  return %r : {t}\n}}\n")
    dtype = {"f32": np.float32, "i32": np.int32, "f64": np.float64}[element]
    a = (np.arange(10).reshape(2, 5) - 3).astype(dtype)
    b = np.full((2, 5), 2, dtype)
    (r,) = run(src, a, b)
    np.testing.assert_array_equal(r, fn(a, b).astype(dtype))


def test_fill_copy_transpose_broadcast():
    src = ("func.func @f(%a: tensor<2x3xf32>, %v: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3x2xf32>, "
           "tensor<4x3xf32>, tensor<2x3xf32>) {\n"
           "  %c = arith.constant 1.5 : f32\n  %e = tensor.empty() : tensor<2x3xf32>\n"
           "  %f = linalg.fill ins(%c : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>\n"
           "  %e2 = tensor.empty() : tensor<3x2xf32>\n"
           "  %t = linalg.transpose ins(%a : tensor<2x3xf32>) outs(%e2 : tensor<3x2xf32>) permutation = [1, 0]\n"
           "  %e3 = tensor.empty() : tensor<4x3xf32>\n"
           "  %b = linalg.broadcast ins(%v : tensor<3xf32>) outs(%e3 : tensor<4x3xf32>) dimensions = [0]\n"
           "  %k = linalg.copy ins(%a : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>\n"
           "  return %f, %t, %b, %k : tensor<2x3xf32>, tensor<3x2xf32>, tensor<4x3xf32>, tensor<2x3xf32>\n}\n")
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    v = np.array([1, 2, 3], np.float32)
    f, t, b, k = run(src, a, v)
    np.testing.assert_array_equal(f, np.full((2, 3), 1.5, np.float32))
    np.testing.assert_array_equal(t, a.T)
    np.testing.assert_array_equal(b, np.broadcast_to(v, (4, 3)))
    np.testing.assert_array_equal(k, a)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64], ids=lambda t: t.__name__)
def test_broadcast_along_trailing_dimensions(dtype):
    # Each source element fills a run of the result (an expand with a
    # source stride of 0), of odd lengths.
    e = ELEMENTS[dtype]
    src = (f"func.func @f(%v: tensor<5x{e}>) -> tensor<5x3x1029x{e}> {{\n"
           f"  %e = tensor.empty() : tensor<5x3x1029x{e}>\n"
           f"  %b = linalg.broadcast ins(%v : tensor<5x{e}>) outs(%e : tensor<5x3x1029x{e}>) dimensions = [1, 2]\n"
           f"  return %b : tensor<5x3x1029x{e}>\n}}\n")
    v = np.array([1.5, -2, 3, 0, 7], dtype)
    (b,) = run(src, v)
    np.testing.assert_array_equal(b, np.broadcast_to(v[:, None, None], (5, 3, 1029)))


@pytest.mark.parametrize("maps,iterators,body,message", [
    ([ID2, ID2], '"parallel", "reduction"', "    linalg.yield %x0 : f32", "reductions in .linalg.generic. into outputs"),
    ([ID2, "affine_map<(d0, d1) -> (d1, d0)>"], None, "    linalg.yield %x0 : f32", "identity indexing maps"),
    ([ID2], None, "    linalg.yield %x0 : f32", "1 indexing maps for 2 operands"),
    # found by the compiler fuzzer's soak (a body yielding nothing reached the code generator)
    ([ID2, ID2], None, "    linalg.yield", r"'linalg.generic' body yields \(\), but its outputs hold \(f32\)"),
    ([ID2, ID2], None, "    %i = arith.constant 1 : i32\n    linalg.yield %i : i32",
     r"body yields \(i32\), but its outputs hold \(f32\)"),
])
def test_unsupported_generics_are_located_errors(maps, iterators, body, message):
    with pytest.raises(Diagnostic, match=message) as e:
        compile_module(generic(maps, ["2x2xf32"], (None, "2x2xf32"), body, iterators), "g.mlir")
    assert e.value.render().startswith("g.mlir:3:8: error:")


def contraction(kind, a_shape, b_shape, out_shape, element="f32"):
    t = lambda s: f"tensor<{'x'.join(map(str, s))}{'x' if s else ''}{element}>"
    return (f"func.func @f(%a: {t(a_shape)}, %b: {t(b_shape)}, %c: {t(out_shape)}) -> {t(out_shape)} {{\n"
            f"  %r = linalg.{kind} ins(%a, %b : {t(a_shape)}, {t(b_shape)}) outs(%c : {t(out_shape)}) -> {t(out_shape)}\n"
            f"  return %r : {t(out_shape)}\n}}\n")


@pytest.mark.parametrize("kind,a,b,out,fn", [
    ("matmul", (5, 7), (7, 3), (5, 3), lambda a, b: a @ b),
    ("matmul", (1, 1), (1, 1), (1, 1), lambda a, b: a @ b),
    ("batch_matmul", (2, 4, 3), (2, 3, 6), (2, 4, 6), lambda a, b: a @ b),
    ("matvec", (4, 9), (9,), (4,), lambda a, b: a @ b),
    ("vecmat", (9,), (9, 4), (4,), lambda a, b: a @ b),
    ("batch_matvec", (3, 4, 5), (3, 5), (3, 4), lambda a, b: np.einsum("bmk,bk->bm", a, b)),
    ("dot", (33,), (33,), (), lambda a, b: np.dot(a, b)),
])
def test_contractions_accumulate_into_their_init(kind, a, b, out, fn):
    rng = np.random.default_rng(1)
    x, y = rng.integers(-4, 5, a).astype(np.float32), rng.integers(-4, 5, b).astype(np.float32)
    c = np.full(out, 0.5, np.float32)
    (r,) = run(contraction(kind, a, b, out), x, y, c)
    np.testing.assert_array_equal(r, fn(x, y) + np.float32(0.5))


def test_large_matmul_on_the_pool():
    rng = np.random.default_rng(2)
    a, b = rng.integers(-3, 4, (130, 70)).astype(np.float64), rng.integers(-3, 4, (70, 90)).astype(np.float64)
    ctx = Context("local-task", 2)
    ctx.load(compile_module(contraction("matmul", (130, 70), (70, 90), (130, 90), "f64"), "m.mlir"))
    (r,) = ctx.invoke("f", [a, b, np.zeros((130, 90))])
    np.testing.assert_array_equal(np.asarray(r), a @ b)


def reduce_src(shape, dims, out_shape, op="addf", element="f32"):
    t = lambda s: f"tensor<{'x'.join(map(str, s))}{'x' if s else ''}{element}>"
    return (f"func.func @f(%x: {t(shape)}, %i: {t(out_shape)}) -> {t(out_shape)} {{\n"
            f"  %r = linalg.reduce ins(%x : {t(shape)}) outs(%i : {t(out_shape)}) dimensions = {list(dims)}\n"
            f"    (%in: {element}, %acc: {element}) {{\n      %s = arith.{op} %acc, %in : {element}\n"
            f"      linalg.yield %s : {element}\n    }}\n  return %r : {t(out_shape)}\n}}\n")


@pytest.mark.parametrize("shape,dims", [((3, 5), [1]), ((3, 5), [0]), ((2, 3, 4), [1]), ((2, 3, 4), [0, 2]),
                                        ((7,), [0])])
def test_reduce(shape, dims):
    x = np.random.default_rng(3).integers(-9, 10, shape).astype(np.float32)
    out = tuple(n for d, n in enumerate(shape) if d not in dims)
    init = np.full(out, 1.0, np.float32)
    (r,) = run(reduce_src(shape, dims, out), x, init)
    np.testing.assert_array_equal(r, x.sum(axis=tuple(dims)) + 1)


def test_integer_max_reduce_and_reduction_generic():
    x = np.random.default_rng(4).integers(-100, 100, (4, 6)).astype(np.int32)
    init = np.full(4, np.iinfo(np.int32).min, np.int32)
    (r,) = run(reduce_src((4, 6), [1], (4,), "maxsi", "i32"), x, init)
    np.testing.assert_array_equal(r, x.max(axis=1))
    src = ("func.func @f(%x: tensor<4x6xf32>, %i: tensor<6xf32>) -> tensor<6xf32> {\n"
           "  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0)>],"
           " iterator_types = [\"parallel\", \"reduction\"]} ins(%x : tensor<4x6xf32>) outs(%i : tensor<6xf32>) {\n"
           "  ^bb0(%in: f32, %acc: f32):\n    %m = arith.mulf %in, %acc : f32\n    linalg.yield %m : f32\n"
           "  } -> tensor<6xf32>\n  return %r : tensor<6xf32>\n}\n")
    y = np.random.default_rng(5).integers(1, 3, (4, 6)).astype(np.float32)
    (r,) = run(src, y, np.ones(6, np.float32))
    np.testing.assert_array_equal(r, y.prod(axis=0))


@pytest.mark.parametrize("shape,dim", [((2, 7), 1), ((5, 3), 0), ((2, 3, 4), 2)])
def test_softmax(shape, dim):
    x = np.random.default_rng(6).standard_normal(shape).astype(np.float32)
    t = f"tensor<{'x'.join(map(str, shape))}xf32>"
    src = (f"func.func @f(%x: {t}) -> {t} {{\n  %e = tensor.empty() : {t}\n"
           f"  %r = linalg.softmax dimension({dim}) ins(%x : {t}) outs(%e : {t}) -> {t}\n  return %r : {t}\n}}\n")
    (r,) = run(src, x)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    np.testing.assert_allclose(r, e / e.sum(axis=dim, keepdims=True), rtol=1e-6, atol=1e-7)


def test_linalg_index_and_tensor_generate():
    src = ("func.func @f(%a: tensor<3x4xi32>) -> (tensor<3x4xi32>, tensor<2x5xf32>) {\n"
           "  %init = tensor.empty() : tensor<3x4xi32>\n"
           "  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],"
           " iterator_types = [\"parallel\", \"parallel\"]} ins(%a : tensor<3x4xi32>) outs(%init : tensor<3x4xi32>) {\n"
           "  ^bb0(%x: i32, %o: i32):\n    %i = linalg.index 0 : index\n    %j = linalg.index 1 : index\n"
           "    %ten = arith.constant 10 : index\n    %t = arith.muli %i, %ten : index\n"
           "    %s = arith.addi %t, %j : index\n    %c = arith.index_cast %s : index to i32\n"
           "    %y = arith.addi %x, %c : i32\n    linalg.yield %y : i32\n  } -> tensor<3x4xi32>\n"
           "  %g = tensor.generate {\n  ^bb0(%p: index, %q: index):\n    %pq = arith.muli %p, %q : index\n"
           "    %i64 = arith.index_cast %pq : index to i64\n    %f = arith.sitofp %i64 : i64 to f32\n"
           "    tensor.yield %f : f32\n  } : tensor<2x5xf32>\n"
           "  return %r, %g : tensor<3x4xi32>, tensor<2x5xf32>\n}\n")
    a = np.full((3, 4), 1000, np.int32)
    r, g = run(src, a)
    np.testing.assert_array_equal(r, 1000 + np.add.outer(np.arange(3) * 10, np.arange(4)))
    np.testing.assert_array_equal(g, np.outer(np.arange(2), np.arange(5)).astype(np.float32))


def test_linalg_index_across_tiles():
    n = 3 * 4096 + 7   # several tiles: the coordinate must follow the tile start
    src = (f"func.func @f(%a: tensor<{n}xi64>) -> tensor<{n}xi64> {{\n  %e = tensor.empty() : tensor<{n}xi64>\n"
           "  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],"
           f" iterator_types = [\"parallel\"]}} ins(%a : tensor<{n}xi64>) outs(%e : tensor<{n}xi64>) {{\n"
           "  ^bb0(%x: i64, %o: i64):\n    %i = linalg.index 0 : index\n    %c = arith.index_cast %i : index to i64\n"
           f"    %y = arith.subi %c, %x : i64\n    linalg.yield %y : i64\n  }} -> tensor<{n}xi64>\n"
           f"  return %r : tensor<{n}xi64>\n}}\n")
    a = np.full(n, 5, np.int64)
    (r,) = run(src, a)
    np.testing.assert_array_equal(r, np.arange(n) - 5)


REDUCE_ROWS = ("func.func @f(%a: tensor<3x5xf32>, %b: tensor<5xf32>) -> tensor<3xf32> {{\n"
               "  %z = arith.constant dense<0.0> : tensor<3xf32>\n"
               "  %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,"
               " affine_map<(d0, d1) -> (d0)>], iterator_types = [\"parallel\", \"reduction\"]}}"
               " ins(%a, %b : tensor<3x5xf32>, tensor<5xf32>) outs(%z : tensor<3xf32>) {{\n"
               "  ^bb0(%x: f32, %y: f32, %acc: f32):\n{body}\n    linalg.yield %s : f32\n  }} -> tensor<3xf32>\n"
               "  return %r : tensor<3xf32>\n}}\n")


def test_reduction_bodies_map_before_combining():
    """Sum over rows of (x - y)^2 with a broadcast input, and the same with
    the accumulator first; linalg.reduce's short form; linalg.index in a
    reduction (weights by column)."""
    a = np.arange(15, dtype=np.float32).reshape(3, 5) / 4
    b = np.array([1, -2, 0.5, 3, 0], np.float32)
    for combine in ("%s = arith.addf %sq, %acc : f32", "%s = arith.addf %acc, %sq : f32"):
        body = f"    %d = arith.subf %x, %y : f32\n    %sq = arith.mulf %d, %d : f32\n    {combine}"
        (r,) = run(REDUCE_ROWS.format(body=body), a, b)
        np.testing.assert_allclose(r, ((a - b) ** 2).sum(axis=1), rtol=1e-6)
    body = ("    %j = linalg.index 1 : index\n    %i = arith.index_cast %j : index to i32\n"
            "    %w = arith.sitofp %i : i32 to f32\n    %p = arith.mulf %x, %w : f32\n"
            "    %s = arith.maximumf %acc, %p : f32")
    (r,) = run(REDUCE_ROWS.format(body=body), a, b)
    np.testing.assert_array_equal(r, (a * np.arange(5, dtype=np.float32)).max(axis=1))
    src = ("func.func @f(%a: tensor<3x5xf32>) -> tensor<5xf32> {\n  %z = arith.constant dense<1.0> : tensor<5xf32>\n"
           "  %r = linalg.reduce { arith.mulf } ins(%a : tensor<3x5xf32>) outs(%z : tensor<5xf32>) dimensions = [0]\n"
           "  return %r : tensor<5xf32>\n}\n")
    (r,) = run(src, a)
    np.testing.assert_array_equal(r, a.prod(axis=0))


@pytest.mark.parametrize("body", [
    "    %s = arith.addf %x, %y : f32",                                   # the accumulator unused
    "    %t = arith.addf %x, %acc : f32\n    %s = arith.mulf %t, %t : f32",   # work after combining
    "    %s = arith.subf %x, %acc : f32",                                 # not a combiner
])
def test_reduction_bodies_iree_lite_cannot_split_are_located_errors(body):
    with pytest.raises(Diagnostic, match="reduction bodies that end by combining the accumulator") as e:
        compile_module(REDUCE_ROWS.format(body=body), "r.mlir")
    assert e.value.render().startswith("r.mlir:3:8: error:")


def test_linalg_map_long_and_short_forms():
    src = ("func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {\n"
           "  %e = tensor.empty() : tensor<2x3xf32>\n"
           "  %m = linalg.map { arith.addf } ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>)\n"
           "  %n = linalg.map ins(%a, %m : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>)\n"
           "    (%x: f32, %y: f32) {\n      %p = arith.mulf %x, %y : f32\n      %q = math.absf %p : f32\n"
           "      linalg.yield %q : f32\n    }\n"
           "  return %m, %n : tensor<2x3xf32>, tensor<2x3xf32>\n}\n")
    a = np.arange(6, dtype=np.float32).reshape(2, 3) - 2
    b = np.full((2, 3), 0.5, np.float32)
    m, n = run(src, a, b)
    np.testing.assert_array_equal(m, a + b)
    np.testing.assert_array_equal(n, np.abs(a * (a + b)))
    # IREE 3.13's MLIR gives the body the output's element too
    src = ("func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {\n"
           "  %n = linalg.map ins(%a : tensor<2x3xf32>) outs(%b : tensor<2x3xf32>)\n"
           "    (%x: f32, %o: f32) {\n      %p = arith.mulf %x, %o : f32\n      linalg.yield %p : f32\n    }\n"
           "  return %n : tensor<2x3xf32>\n}\n")
    (n,) = run(src, a, b)
    np.testing.assert_array_equal(n, a * b)


@pytest.mark.parametrize("text,message", [
    ("linalg.map { arith.nope } ins(%a : tensor<4xf32>) outs(%a : tensor<4xf32>)", "unknown operation 'arith.nope'"),
    ("linalg.map { math.absf } ins(%b : tensor<5xf32>) outs(%a : tensor<4xf32>)",
     "'linalg.map' takes inputs of its one output's shape"),
])
def test_linalg_map_errors(text, message):
    src = (f"func.func @f(%a: tensor<4xf32>, %b: tensor<5xf32>) -> tensor<4xf32> {{\n  %r = {text}\n"
           "  return %r : tensor<4xf32>\n}\n")
    with pytest.raises(Diagnostic, match=message):
        compile_module(src, "m.mlir")


@pytest.mark.parametrize("text,message", [
    ("linalg.add outs(%a : tensor<4xf32>) -> tensor<4xf32>", "'linalg.add' takes 2 ins operands, not 0"),
    ("linalg.max ins(%a : tensor<4xf32>) outs(%a : tensor<4xf32>) -> tensor<4xf32>",
     "'linalg.max' takes 2 ins operands, not 1"),
    ("linalg.exp ins(%a, %a : tensor<4xf32>, tensor<4xf32>) outs(%a : tensor<4xf32>) -> tensor<4xf32>",
     "'linalg.exp' takes 1 ins operand, not 2"),
    ("linalg.copy outs(%a : tensor<4xf32>) -> tensor<4xf32>", "'linalg.copy' takes 1 ins operand, not 0"),
])
def test_named_ops_take_their_number_of_inputs(text, message):
    """Found by mutating IREE's tests: a named element-wise op without its
    inputs ended in an internal error."""
    src = f"func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {{\n  %r = {text}\n  return %r : tensor<4xf32>\n}}\n"
    assert compile_error(src) == f"t.mlir:2:8: error: {message}"
