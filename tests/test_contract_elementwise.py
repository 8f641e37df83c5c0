"""linalg.contract and linalg.elementwise as IREE 3.13 writes them: results
against numpy, both VMs byte for byte, the real IREE byte for byte (inputs
whose sums are exact, so the order of summation cannot matter), the fast
matmul path for matmul-shaped contracts, and located errors."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from tool_runs import lite_run, run_mlir_both, same_on_both

NP = {"f32": np.float32, "f16": np.float16, "i8": np.int8, "i32": np.int32, "i1": np.bool_}


def tensor(shape, element):
    return f"tensor<{'x'.join(map(str, shape))}x{element}>"


def contract(maps, a, b, c, attrs=""):
    """A function @f(%a, %b, %c) returning linalg.contract over (shape, element) operands."""
    ta, tb, tc = (tensor(*x) for x in (a, b, c))
    maps = ", ".join(f"affine_map<{m}>" for m in maps)
    return (f"func.func @f(%a: {ta}, %b: {tb}, %c: {tc}) -> {tc} {{\n"
            f"  %r = linalg.contract indexing_maps = [{maps}] {attrs}ins(%a, %b : {ta}, {tb}) outs(%c : {tc})"
            f" -> {tc}\n  return %r : {tc}\n}}\n")


def values(shape, element, seed):
    """Small integers (halves for floats): every product and sum is exact."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-6, 7, shape)
    return (x / 2).astype(NP[element]) if element.startswith("f") else x.astype(NP[element])


# (maps, (shape, element) of a, b, c, attributes, numpy einsum of the contraction)
CONTRACTS = {
    "matmul": (["(m, n, k) -> (m, k)", "(m, n, k) -> (k, n)", "(m, n, k) -> (m, n)"],
               ((5, 7), "f32"), ((7, 3), "f32"), ((5, 3), "f32"), "", "mk,kn->mn"),
    "batch_transposed": (["(b, m, n, k) -> (m, b, k)", "(b, m, n, k) -> (b, n, k)", "(b, m, n, k) -> (b, m, n)"],
                         ((4, 2, 6), "f32"), ((2, 5, 6), "f32"), ((2, 4, 5), "f32"), "", "mbk,bnk->bmn"),
    "broadcast_rhs": (["(b, m, n, k) -> (b, m, k)", "(b, m, n, k) -> (k, n)", "(b, m, n, k) -> (b, m, n)"],
                      ((3, 4, 6), "f32"), ((6, 5), "f32"), ((3, 4, 5), "f32"), "", "bmk,kn->bmn"),
    "output_transposed": (["(m, n, k) -> (k, m)", "(m, n, k) -> (k, n)", "(m, n, k) -> (n, m)"],
                          ((6, 4), "f32"), ((6, 5), "f32"), ((5, 4), "f32"), "", "km,kn->nm"),
    "two_reduced_dims": (["(m, n, k, l) -> (m, k, l)", "(m, n, k, l) -> (l, k, n)", "(m, n, k, l) -> (m, n)"],
                         ((3, 4, 2), "f32"), ((2, 4, 5), "f32"), ((3, 5), "f32"), "", "mkl,lkn->mn"),
    "mixed_f16": (["(m, n, k) -> (m, k)", "(m, n, k) -> (k, n)", "(m, n, k) -> (m, n)"],
                  ((4, 6), "f16"), ((6, 3), "f32"), ((4, 3), "f32"), "", "mk,kn->mn"),
    "i8_signed": (["(m, n, k) -> (m, k)", "(m, n, k) -> (n, k)", "(m, n, k) -> (m, n)"],
                  ((4, 6), "i8"), ((3, 6), "i8"), ((4, 3), "i32"), "", "mk,nk->mn"),
    "i8_unsigned": (["(m, n, k) -> (m, k)", "(m, n, k) -> (k, n)", "(m, n, k) -> (m, n)"],
                    ((4, 6), "i8"), ((6, 3), "i8"), ((4, 3), "i32"), "{cast = #linalg.type_fn<cast_unsigned>} ",
                    "mk,kn->mn"),
    "dot": (["(k) -> (k)", "(k) -> (k)", "(k) -> ()"], ((9,), "f32"), ((9,), "f32"), ((), "f32"), "", "k,k->"),
}


def contract_case(name):
    maps, a, b, c, attrs, _ = CONTRACTS[name]
    src = contract(maps, a, b, c, attrs)
    if c[0] == ():   # a rank-0 output
        src = src.replace("tensor<xf32>", "tensor<f32>")
    return src, [values(shape, e, seed) for seed, (shape, e) in enumerate((a, b, c))]


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_contract_matches_numpy_on_both_vms(both_vms, name):
    src, arrays = contract_case(name)
    (got,) = same_on_both(*both_vms(src), "f", arrays)
    a, b, c = arrays
    unsigned = "cast_unsigned" in CONTRACTS[name][4]
    wide = [x.astype(np.uint8 if unsigned else x.dtype).astype(c.dtype) for x in (a, b)]
    np.testing.assert_array_equal(got, c + np.einsum(CONTRACTS[name][5], *wide))


@pytest.mark.parametrize("name", ["matmul", "batch_transposed", "broadcast_rhs", "output_transposed",
                                  "two_reduced_dims", "mixed_f16", "i8_unsigned"])
def test_contract_matches_iree(reference_iree, tmp_path, name):
    src, arrays = contract_case(name)
    path = tmp_path / "c.mlir"
    path.write_text(src)
    args = []
    for x in arrays:
        dims = "x".join(map(str, x.shape))
        element = {np.float32: "f32", np.float16: "f16", np.int8: "i8", np.int32: "i32"}[x.dtype.type]
        np.save(tmp_path / f"{len(args)}.npy", x)
        args.append(f"--input=@{tmp_path / f'{len(args)}.npy'}" if dims else f"--input={element}={x}")
    theirs, ours = run_mlir_both(reference_iree, path, ["--function=f", *args])
    assert theirs == ours and theirs[0] == 0


def test_matmul_shaped_contract_is_the_plain_matmul():
    """No copies: the inputs and accumulator go to the matmul kernel as they are."""
    src, _ = contract_case("matmul")
    plain = src.replace(src[src.index("linalg.contract"):src.index("ins(")], "linalg.matmul ")
    assert compile_module(src, "t.mlir") == compile_module(plain, "t.mlir")


ELEMENTWISE = """
func.func @f({args}, %o: {out}) -> {out} {{
  %r = linalg.elementwise <{kind}> {maps}ins({ins} : {types}) outs(%o : {out}) -> {out}
  return %r : {out}
}}
"""


def elementwise(kind, types, out, maps=""):
    names = [f"%x{i}" for i in range(len(types))]
    return ELEMENTWISE.format(args=", ".join(f"{n}: {t}" for n, t in zip(names, types)), out=out, kind=kind,
                              maps=maps, ins=", ".join(names), types=", ".join(types))


F = tensor((3, 4), "f32")
I = tensor((3, 4), "i32")
UNARY_F = {"exp": np.exp, "log": np.log, "abs": np.abs, "ceil": np.ceil, "floor": np.floor, "negf": np.negative,
           "reciprocal": lambda x: 1 / x, "round": lambda x: np.trunc(x + np.copysign(0.5, x)), "sqrt": np.sqrt,
           "rsqrt": lambda x: 1 / np.sqrt(x), "square": np.square, "tanh": np.tanh}
BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "max_signed": np.maximum, "min_signed": np.minimum}


@pytest.mark.parametrize("kind", sorted(UNARY_F))
def test_elementwise_unary_float(both_vms, kind):
    x = np.abs(values((3, 4), "f32", 1)) + 0.25
    (got,) = same_on_both(*both_vms(elementwise(kind, [F], F)), "f", [x, np.zeros_like(x)])
    want = UNARY_F[kind](x.astype(np.float64)).astype(np.float32)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("kind,element", [(k, e) for k in sorted(BINARY) + ["div"] for e in ("f32", "i32")] +
                         [(k, "i32") for k in ("div_unsigned", "max_unsigned", "min_unsigned")] + [("powf", "f32")])
def test_elementwise_binary(both_vms, kind, element):
    t = tensor((3, 4), element)
    a, b = values((3, 4), element, 1), values((3, 4), element, 2)
    b[b == 0] = 3
    if kind == "powf":   # positive bases: no NaNs, whose bits the VMs need not agree on
        a = np.abs(a) + 0.25
    (got,) = same_on_both(*both_vms(elementwise(kind, [t, t], t)), "f", [a, b, np.zeros_like(a)])
    if kind in BINARY:
        np.testing.assert_array_equal(got, BINARY[kind](a, b))
    elif kind == "div" and element == "f32" or kind == "powf":
        np.testing.assert_array_equal(got, (np.divide if kind == "div" else np.power)(
            a.astype(np.float64), b.astype(np.float64)).astype(np.float32))
    else:
        ua, ub = a.view(np.uint32), b.view(np.uint32)
        want = {"div": np.trunc(a / b).astype(np.int32), "div_unsigned": (ua // ub).view(np.int32),
                "max_unsigned": np.maximum(ua, ub).view(np.int32), "min_unsigned": np.minimum(ua, ub).view(np.int32)}
        np.testing.assert_array_equal(got, want[kind])


def test_elementwise_select_and_maps(both_vms):
    """select with an i1 condition; maps transposing and broadcasting the inputs."""
    maps = ("indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1, d0)>, "
            "affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>] ")
    src = elementwise("select", [tensor((4,), "i1"), tensor((4, 3), "f32"), F], F, maps)
    cond = np.array([True, False, False, True])
    a, b = values((4, 3), "f32", 1), values((3, 4), "f32", 2)
    (got,) = same_on_both(*both_vms(src), "f", [cond, a, b, np.zeros_like(b)])
    np.testing.assert_array_equal(got, np.where(cond[None, :], a.T, b))


def test_elementwise_matches_iree(reference_iree, tmp_path):
    maps = ("indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1)>, "
            "affine_map<(d0, d1) -> (d0, d1)>] ")
    src = elementwise("mul", [tensor((4, 3), "f32"), tensor((4,), "f32")], F, maps) + \
        elementwise("max_unsigned", [I, I], I).replace("@f", "@g")
    path = tmp_path / "e.mlir"
    path.write_text(src)
    for fn, args in (("f", ["--input=4x3xf32=1 -2 3 4 5 6 7 8 9 10 11 -12", "--input=4xf32=0.5 -1 2 0",
                            "--input=3x4xf32=0"]),
                     ("g", ["--input=3x4xi32=1 -2 3 4 5 6 7 8 9 10 11 -12", "--input=3x4xi32=-1 2 3 -4 5 0 7 8 1 2 3 4",
                            "--input=3x4xi32=0"])):
        theirs, ours = run_mlir_both(reference_iree, path, [f"--function={fn}", *args])
        assert theirs == ours and theirs[0] == 0


@pytest.mark.parametrize("src,error", [
    (elementwise("cube", [F], F), "3:28: error: unknown elementwise kind 'cube'"),
    (elementwise("add", [F], F), "'linalg.elementwise' <add> takes 2 inputs and one output"),
    (elementwise("div_unsigned", [F, F], F), "'linalg.elementwise' <div_unsigned> is not defined on 'f32' elements"),
    (elementwise("add", [F, I], F), "'linalg.elementwise' <add> takes inputs of its output's element type 'f32'"),
    (elementwise("exp", [tensor((4, 3), "f32")], F),
     "'linalg.elementwise' without indexing_maps takes inputs of its output's shape"),
    (contract(["(m, n, k, j) -> (m, k, j)", "(m, n, k, j) -> (k, n)", "(m, n, k, j) -> (m, n)"],
              ((2, 3, 4), "f32"), ((3, 5), "f32"), ((2, 5), "f32")),
     "iree-lite supports 'linalg.contract' whose reduced dimensions index both inputs"),
    (contract(["(m, n, k) -> (m, k)", "(m, n, k) -> (k, n)", "(m, n, k) -> (m, n)"],
              ((2, 3), "f32"), ((4, 5), "f32"), ((2, 5), "f32")),
     "'linalg.contract' operands disagree on the size of dimension d2: 3 and 4"),
    (contract(["(m, n, k) -> (m, k)", "(m, n, k) -> (k, n)"], ((2, 3), "f32"), ((3, 5), "f32"), ((2, 5), "f32")),
     "'linalg.contract' needs one projected-permutation indexing map over 3 dimensions per operand"),
])
def test_malformed_uses_are_located_errors(tmp_path, src, error):
    path = tmp_path / "bad.mlir"
    path.write_text(src)
    status, out = lite_run("compile", str(path), "-o", str(tmp_path / "bad.vmfb"))
    assert status == 1
    assert f"{path}:" in out and error in out and "Traceback" not in out
    with pytest.raises(Diagnostic):
        compile_module(src, "bad.mlir")


# Named contractions with fixed maps: (lhs, rhs, output shapes, numpy einsum).
NAMED = {"batch_vecmat": ((2, 4), (2, 4, 3), (2, 3), "bk,bkn->bn"),
         "batch_reduce_matmul": ((2, 5, 4), (2, 4, 3), (5, 3), "bmk,bkn->mn"),
         "mmt4d": ((2, 3, 4, 2), (5, 3, 2, 2), (2, 5, 4, 2), "mkac,nkbc->mnab"),
         "batch_mmt4d": ((2, 2, 3, 4, 1), (2, 5, 3, 2, 1), (2, 2, 5, 4, 2), "zmkac,znkbc->zmnab")}


def named(name):
    a, b, c, _ = NAMED[name]
    ta, tb, tc = (tensor(s, "f32") for s in (a, b, c))
    src = (f"func.func @f(%a: {ta}, %b: {tb}, %c: {tc}) -> {tc} {{\n"
           f"  %r = linalg.{name} ins(%a, %b : {ta}, {tb}) outs(%c : {tc}) -> {tc}\n  return %r : {tc}\n}}\n")
    return src, [values(s, "f32", seed) for seed, s in enumerate((a, b, c))]


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_contraction(both_vms, name):
    src, (a, b, c) = named(name)
    (got,) = same_on_both(*both_vms(src), "f", [a, b, c])
    np.testing.assert_array_equal(got, c + np.einsum(NAMED[name][3], a, b))


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_contraction_matches_iree(reference_iree, tmp_path, name):
    src, arrays = named(name)
    path = tmp_path / "n.mlir"
    path.write_text(src)
    for k, x in enumerate(arrays):
        np.save(tmp_path / f"{k}.npy", x)
    theirs, ours = run_mlir_both(reference_iree, path, ["--function=f"] + [
        f"--input=@{tmp_path / f'{k}.npy'}" for k in range(3)])
    assert theirs == ours and theirs[0] == 0


def test_contract_with_dynamic_sizes(both_vms):
    """Batch, rows and the reduced dimension sized at run time, the lhs transposed."""
    maps = ["(b, m, n, k) -> (m, b, k)", "(b, m, n, k) -> (b, n, k)", "(b, m, n, k) -> (b, m, n)"]
    src = contract(maps, (("?", 2, "?"), "f32"), ((2, 5, "?"), "f32"), ((2, "?", 5), "f32"))
    a, b, c = values((4, 2, 6), "f32", 1), values((2, 5, 6), "f32", 2), values((2, 4, 5), "f32", 3)
    (got,) = same_on_both(*both_vms(src), "f", [a, b, c])
    np.testing.assert_array_equal(got, c + np.einsum("mbk,bnk->bmn", a, b))
