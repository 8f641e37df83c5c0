"""Attribute dictionaries in MLIR's custom op forms: `attr-dict` just before
an op's `:` types (arith, math, tensor, linalg.yield), first in
`arith.constant`, func.return and scf.yield (`return {tag} %r : T`), last
after scf regions. Real programs carry tags there; IREE reads them and so
does iree-lite, which drops them (they are discardable: nothing iree-lite
computes depends on them). Also hints that change no value (`nofold`,
`overflow<...>`)."""
import re

import pytest
from test_mlir_syntax import iree_run, lite

TAGGED = """
func.func @f(%a: tensor<4xf32>, %b: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %k = arith.constant {tag = "k"} dense<[1.0, -2.0, 3.5, -0.5]> : tensor<4xf32>
  %s = arith.addf %a, %k {tag = 1 : i32} : tensor<4xf32>
  %m = arith.mulf %s, %s fastmath<fast> {tag, other = [1, 2]} : tensor<4xf32>
  %c = arith.cmpf olt, %s, %m {tag = [1.5, "x"]} : tensor<4xf32>
  %x = arith.select %c, %s, %m {tag} : tensor<4xi1>, tensor<4xf32>
  %e = math.exp %x {tag} : tensor<4xf32>
  %n = arith.negf %e {tag} : tensor<4xf32>
  %f = math.fma %n, %a, %k {tag} : tensor<4xf32>
  %i = arith.bitcast %f {tag} : tensor<4xf32> to tensor<4xi32>
  %j = arith.xori %i, %b {tag} : tensor<4xi32>
  %d = tensor.cast %j {tag} : tensor<4xi32> to tensor<?xi32>
  %o = tensor.cast %d : tensor<?xi32> to tensor<4xi32>
  %z = tensor.empty() {tag} : tensor<4xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]} ins(%f : tensor<4xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%v: f32, %unused: f32):
    %h = arith.mulf %v, %v {tag} : f32
    linalg.yield %h {tag} : f32
  } -> tensor<4xf32>
  return {tag = "r"} %g, %o : tensor<4xf32>, tensor<4xi32>
}
"""
ARGS = ["--input=4xf32=0.5 1 -2 3", "--input=4xi32=1 2 3 4"]


def untagged(source):
    return re.sub(r" \{tag[^}]*\}", "", source)


def test_tags_change_nothing(tmp_path):
    assert "{tag" not in untagged(TAGGED)
    rc, out = lite(tmp_path, TAGGED, *ARGS)
    assert rc == 0 and out.startswith("EXEC @f\nresult[0]: hal.buffer_view\n4xf32="), out
    assert (rc, out) == lite(tmp_path, untagged(TAGGED), *ARGS, name="untagged.mlir")


def test_tags_same_as_iree(tmp_path, reference_iree):
    assert iree_run(reference_iree, tmp_path, TAGGED, "f", ARGS) == lite(tmp_path, TAGGED, *ARGS)


@pytest.mark.parametrize("line,error", [
    ("  %s = arith.addf %a, %a {tag = } : tensor<4xf32>", "3:33: error: expected attribute value"),
    ("  %s = arith.addf %a, %a {tag} tensor<4xf32>", "3:32: error: expected ':'"),
])
def test_a_bad_attribute_dictionary_is_an_error_at_its_place(tmp_path, line, error):
    source = f"func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {{\n\n{line}\n  return %s : tensor<4xf32>\n}}\n"
    rc, out = lite(tmp_path, source, "--input=4xf32=1")
    assert rc == 1 and out.startswith(f"t.mlir:{error}\n"), out


HINTED = """
func.func @f(%a: tensor<4xf32>, %b: tensor<4xi32>) -> (tensor<6xf32>, tensor<4xi32>) {
  %c = arith.constant 0.5 : f32
  %p = tensor.pad %a nofold low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %c : f32
  } : tensor<4xf32> to tensor<6xf32>
  %s = arith.addi %b, %b overflow<nsw, nuw> : tensor<4xi32>
  return %p, %s : tensor<6xf32>, tensor<4xi32>
}
"""


def test_hints_that_change_no_value(tmp_path):
    """`nofold` on tensor.pad and arith's overflow<...> flags: read, and the
    results are those of the program without them."""
    plain = HINTED.replace(" nofold", "").replace(" overflow<nsw, nuw>", "")
    rc, out = lite(tmp_path, HINTED, *ARGS)
    assert rc == 0 and "6xf32=0.5 0.5 1 -2 3 0.5" in out and "4xi32=2 4 6 8" in out, out
    assert (rc, out) == lite(tmp_path, plain, *ARGS, name="plain.mlir")


def test_hints_same_as_iree(tmp_path, reference_iree):
    assert iree_run(reference_iree, tmp_path, HINTED, "f", ARGS) == lite(tmp_path, HINTED, *ARGS)
