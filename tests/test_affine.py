"""affine.apply, affine.min and affine.max over index values: against
Python's integer arithmetic (floordiv is //, mod is % for the positive
divisors the parser admits, ceildiv is -(-a // b)), on both VMs."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.runtime.context import Context
from iree_lite.vm import interp

# (map inputs, result expressions, Python meaning of the results over dimensions d and symbols s)
MAPS = [
    ("(d0, d1)[s0]", ["d0 * 4 + d1 - s0"], lambda d, s: [d[0] * 4 + d[1] - s[0]]),
    ("(d0)", ["d0 floordiv 3", "d0 ceildiv 3", "d0 mod 3"], lambda d, s: [d[0] // 3, -(-d[0] // 3), d[0] % 3]),
    ("(d0, d1)", ["-d0 + 2 * (d1 - 7)", "(d0 + d1) mod 16"], lambda d, s: [-d[0] + 2 * (d[1] - 7), (d[0] + d[1]) % 16]),
    ("()[s0, s1]", ["s0 * s1", "s1 - s0", "42"], lambda d, s: [s[0] * s[1], s[1] - s[0], 42]),
    ("(d0, d1)", ["d1", "d0"], lambda d, s: [d[1], d[0]]),
]
VALUES = [0, 1, -1, 7, -7, 15, -16, 1000003, -999999, 12345678901]


def wrap(v):
    """index arithmetic wraps at 64 bits."""
    return (v + 2 ** 63) % 2 ** 64 - 2 ** 63


def program(head, exprs, dims, syms):
    args = ", ".join(f"%a{i}: index" for i in range(dims + syms))
    d = ", ".join(f"%a{i}" for i in range(dims))
    s = ", ".join(f"%a{i}" for i in range(dims, dims + syms))
    use = f"({d})" + (f"[{s}]" if syms else "")
    return (f"#map = affine_map<{head} -> ({', '.join(exprs)})>\n"
            f"func.func @apply({args}) -> index {{\n"
            f"  %r = affine.apply affine_map<{head} -> ({exprs[0]})>{use}\n  return %r : index\n}}\n"
            f"func.func @minmax({args}) -> (index, index) {{\n  %lo = affine.min #map{use}\n"
            f"  %hi = affine.max #map{use}\n  return %lo, %hi : index, index\n}}\n")


@pytest.mark.parametrize("head,exprs,meaning", MAPS)
def test_affine_ops_match_python(head, exprs, meaning):
    dims = head.split(")")[0].count("d")
    syms = head.count("s")
    module = compile_module(program(head, exprs, dims, syms), "affine.mlir")
    ref = interp.Context()
    ref.load(module)
    ctx = Context("local-sync")
    ctx.load(module)
    rng = np.random.default_rng(dims * 10 + syms)
    for _ in range(40):
        args = [int(v) for v in rng.choice(VALUES, dims + syms)]
        results = [wrap(r) for r in meaning(args[:dims], args[dims:])]
        want = [[results[0]], [min(results), max(results)]]
        assert [ctx.invoke("apply", args), ctx.invoke("minmax", args)] == want, args
        assert [ref.invoke("apply", args), ref.invoke("minmax", args)] == want, args


@pytest.mark.parametrize("text,message", [
    ("%r = affine.apply affine_map<(d0) -> (d0 mod 0)>(%i)", "the right side of 'mod' must be a positive constant"),
    ("%r = affine.apply affine_map<(d0)[s0] -> (d0 floordiv s0)>(%i)[%i]",
     "the right side of 'floordiv' must be a positive constant"),
    ("%r = affine.apply affine_map<(d0) -> (d0, d0)>(%i)", "'affine.apply' needs one result"),
    ("%r = affine.apply affine_map<(d0, d1) -> (d0)>(%i)", r"1 operands for affine_map<\(d0, d1\) -> \(d0\)>, which takes 2 dimensions and 0 symbols"),
    ("%r = affine.min affine_map<(d0) -> (d0 + e)>(%i)", "expected a dimension, symbol or integer"),
])
def test_affine_errors(text, message):
    src = f"func.func @f(%i: index) -> index {{\n  {text}\n  return %r : index\n}}\n"
    with pytest.raises(Diagnostic, match=message):
        compile_module(src, "bad.mlir")


def test_maps_other_than_linear_ones_are_not_linalg_indexing_maps():
    src = ("func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n  %e = tensor.empty() : tensor<4xf32>\n"
           "  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0 floordiv 2)>, affine_map<(d0) -> (d0)>],"
           " iterator_types = [\"parallel\"]} ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) {\n"
           "  ^bb0(%x: f32, %o: f32):\n    linalg.yield %x : f32\n  } -> tensor<4xf32>\n"
           "  return %r : tensor<4xf32>\n}\n")
    with pytest.raises(Diagnostic, match=r"indexing maps whose results are distinct dimensions or 0, and on inputs "
                                         r"sums of dimensions times constants and constants, "
                                         r"not affine_map<\(d0\) -> \(\(d0 floordiv 2\)\)>"):
        compile_module(src, "bad.mlir")


def test_affine_min_bounds_a_tiled_loop():
    """The usual use: the last tile of a loop is clipped by affine.min."""
    src = ("func.func @f(%n: index) -> index {\n  %c0 = arith.constant 0 : index\n"
           "  %c4 = arith.constant 4 : index\n  %z = arith.constant 0 : index\n"
           "  %s = scf.for %i = %c0 to %n step %c4 iter_args(%acc = %z) -> (index) {\n"
           "    %sz = affine.min affine_map<(d0)[s0] -> (4, s0 - d0)>(%i)[%n]\n"
           "    %t = arith.addi %acc, %sz : index\n    scf.yield %t : index\n  }\n  return %s : index\n}\n")
    ctx = Context("local-sync")
    ctx.load(compile_module(src, "loop.mlir"))
    assert [ctx.invoke("f", [n])[0] for n in (0, 3, 4, 10)] == [0, 3, 4, 10]
