"""The LowerLinalg pass's one rewrite mechanism: one lookup (rewrite_for)
finds a rewrite in REWRITES or an OpDef's decompose, and every rewrite
builds through the Rewriter, whose insertion point and location the
helpers use and restore."""
import pytest

from iree_lite.ir.core import Diagnostic
from iree_lite.ir.types import ScalarType, TensorType
from iree_lite.parse import parse_module
from iree_lite.passes.build import for_loop, index_constant, splat
from iree_lite.passes.linalg import REWRITES, decompose, rewrite_for
from iree_lite.passes.rewriter import Rewriter

F32 = ScalarType("f32")


@pytest.mark.parametrize("name, found", [
    ("linalg.matmul", REWRITES["linalg.matmul"]),
    ("iree_linalg_ext.sort", REWRITES["iree_linalg_ext.sort"]),
    ("tensor.pad", REWRITES["tensor.pad"]),
    ("math.fpowi", decompose),        # the OpDef's decompose, not listed in REWRITES
    ("affine.apply", decompose),
    ("arith.addf", None),             # stays as it is
    ("nosuch.op", None),
])
def test_one_lookup_finds_table_entries_and_decompositions(name, found):
    assert rewrite_for(name) is found
    if found is decompose:
        assert name not in REWRITES   # found through its OpDef


def test_helpers_build_at_the_insertion_point_and_location():
    module = parse_module("func.func @f(%x: tensor<4xf32>, %s: f32) -> tensor<4xf32> {\n"
                          "  return %x : tensor<4xf32>\n}\n", "f.mlir")
    x, s = module.functions[0].arguments
    rw = Rewriter(module.source, {})
    rw.loc = "outer"
    with rw.at("inner"):
        value = splat(rw, s, x)
    zero = index_constant(rw, 0)
    assert [op.name for op in rw.ops] == ["tensor.splat", "arith.constant"]
    assert [op.loc for op in rw.ops] == ["inner", "outer"]
    assert value.type == TensorType((4,), F32) and zero is rw.ops[1].results[0]


def test_a_loop_body_builds_in_the_loop_and_the_insertion_point_comes_back():
    module = parse_module("func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
                          "  return %x : tensor<4xf32>\n}\n", "f.mlir")
    (x,) = module.functions[0].arguments
    rw = Rewriter(module.source, {})
    (result,) = for_loop(rw, 3, [x], lambda i, acc: [rw.new("arith.addf", [acc, acc], [acc.type])[0]])
    loop = rw.ops[-1]
    assert loop.name == "scf.for" and result is loop.results[0]
    body = loop.regions[0].blocks[0]
    assert [op.name for op in body.operations] == ["arith.addf", "scf.yield"]
    assert all(op.name != "arith.addf" for op in rw.ops)

    def failing(i, acc):
        rw.new("arith.addf", [acc, acc], [acc.type])
        raise rw.error("stop")
    before = list(rw.ops)
    with pytest.raises(Diagnostic):
        for_loop(rw, 3, [x], failing)
    assert rw.ops[:len(before)] == before and all(op.name != "arith.addf" for op in rw.ops)
