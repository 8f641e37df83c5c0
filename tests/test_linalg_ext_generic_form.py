"""iree_linalg_ext ops in the generic form IREE 3.13's printer gives them
(`--mlir-print-op-generic`): the outputs are the last operands, one per
result, where the op has no operandSegmentSizes (gather, scatter, scan,
topk, attention), and topk_v2's and arg_compare's segments are
(values, indices?, output values, output indices?[, index base?]); each
gives the custom form's bytes. With the real iree-opt, IREE's own e2e
files for these ops, printed generically, pass check-module."""
import os
import shutil
import subprocess

import pytest

from tool_runs import LITE, lite_run, run

TOPK_V2 = """
func.func @topk(%x: tensor<6xf32>, %i: tensor<6xi32>) -> (tensor<3xf32>, tensor<3xi32>) {
  // topk_v2 merges into its outs' contents (as IREE's tests fill them), so they start at -inf and 0.
  %v0 = "arith.constant"() <{value = dense<0xFF800000> : tensor<3xf32>}> : () -> tensor<3xf32>
  %i0 = "arith.constant"() <{value = dense<0> : tensor<3xi32>}> : () -> tensor<3xi32>
  %r:2 = "iree_linalg_ext.topk_v2"(%x, %i, %v0, %i0) <{dimension = 0 : i64, is_sorted,
      operandSegmentSizes = array<i32: 1, 1, 1, 1>}> ({
  ^bb0(%a: f32, %b: f32):
    %c = "arith.cmpf"(%a, %b) <{fastmath = #arith.fastmath<none>, predicate = 2 : i64}> : (f32, f32) -> i1
    "iree_linalg_ext.yield"(%c) : (i1) -> ()
  }) : (tensor<6xf32>, tensor<6xi32>, tensor<3xf32>, tensor<3xi32>) -> (tensor<3xf32>, tensor<3xi32>)
  return %r#0, %r#1 : tensor<3xf32>, tensor<3xi32>
}
"""
ARG_COMPARE = """
func.func @argmax(%x: tensor<2x4xf32>, %base: index) -> (tensor<2xf32>, tensor<2xi32>) {
  %v0 = arith.constant dense<0xFF800000> : tensor<2xf32>
  %i0 = arith.constant dense<0> : tensor<2xi32>
  %r:2 = "iree_linalg_ext.arg_compare"(%x, %v0, %i0, %base) <{dimension = 1 : i64,
      operandSegmentSizes = array<i32: 1, 0, 1, 1, 1>}> ({
  ^bb0(%a: f32, %b: f32):
    %c = "arith.cmpf"(%a, %b) <{fastmath = #arith.fastmath<none>, predicate = 2 : i64}> : (f32, f32) -> i1
    "iree_linalg_ext.yield"(%c) : (i1) -> ()
  }) : (tensor<2x4xf32>, tensor<2xf32>, tensor<2xi32>, index) -> (tensor<2xf32>, tensor<2xi32>)
  return %r#0, %r#1 : tensor<2xf32>, tensor<2xi32>
}
"""
SCAN_GATHER = """
func.func @scan_gather(%x: tensor<5xf32>, %idx: tensor<3x1xi32>) -> (tensor<5xf32>, tensor<f32>, tensor<3xf32>) {
  %o = tensor.empty() : tensor<5xf32>
  %acc = arith.constant dense<0.0> : tensor<f32>
  %s:2 = "iree_linalg_ext.scan"(%x, %o, %acc) <{dimension = 0 : i64, inclusive = true}> ({
  ^bb0(%a: f32, %b: f32):
    %c = "arith.addf"(%a, %b) <{fastmath = #arith.fastmath<none>}> : (f32, f32) -> f32
    "iree_linalg_ext.yield"(%c) : (f32) -> ()
  }) : (tensor<5xf32>, tensor<5xf32>, tensor<f32>) -> (tensor<5xf32>, tensor<f32>)
  %g0 = tensor.empty() : tensor<3xf32>
  %g = "iree_linalg_ext.gather"(%s#0, %idx, %g0) <{dimension_map = array<i64: 0>}>
      : (tensor<5xf32>, tensor<3x1xi32>, tensor<3xf32>) -> tensor<3xf32>
  return %s#0, %s#1, %g : tensor<5xf32>, tensor<f32>, tensor<3xf32>
}
"""
CASES = [
    (TOPK_V2, ["--input=6xf32=3 9 1 7 9 2", "--input=6xi32=10 11 12 13 14 15"],
     "result[0]: hal.buffer_view\n3xf32=9 9 7\nresult[1]: hal.buffer_view\n3xi32=11 14 13\n"),
    (ARG_COMPARE, ["--input=2x4xf32=1 5 5 2 -1 -3 -2 -4", "--input=10"],
     "result[0]: hal.buffer_view\n2xf32=5 -1\nresult[1]: hal.buffer_view\n2xi32=11 10\n"),
    (SCAN_GATHER, ["--input=5xf32=1 2 3 4 5", "--input=3x1xi32=4 0 2"],
     "result[0]: hal.buffer_view\n5xf32=1 3 6 10 15\nresult[1]: hal.buffer_view\nf32=15\n"
     "result[2]: hal.buffer_view\n3xf32=15 1 6\n"),
]


@pytest.mark.parametrize("source,args,expected", CASES)
def test_generic_form_runs(source, args, expected, tmp_path):
    path = tmp_path / "g.mlir"
    path.write_text(source)
    name = source.split("@", 1)[1].split("(", 1)[0]
    assert lite_run("run-mlir", str(path), *args) == (0, f"EXEC @{name}\n{expected}")


E2E = ["arg_compare", "gather", "scan", "scatter", "sort", "top-k", "topk_v2", "winograd_input", "winograd_output",
       "map_load", "map_store"]


@pytest.mark.parametrize("name", E2E)
def test_iree_e2e_files_printed_generically_pass(name, tmp_path):
    corpus, tool = os.environ.get("IREE_E2E_DIR"), shutil.which("iree-opt")
    if not corpus or tool is None:
        pytest.skip("needs IREE_E2E_DIR (IREE's tests/e2e) and the real iree-opt")
    generic = tmp_path / f"{name}.mlir"
    subprocess.run([tool, "--mlir-print-op-generic", os.path.join(corpus, "tests/e2e/linalg_ext_ops", f"{name}.mlir"),
                    "-o", str(generic)], check=True, capture_output=True, timeout=300)
    assert run([*LITE, "compile", str(generic), "-o", str(tmp_path / "m.vmfb")])[0] == 0
    code, out = run([*LITE, "check-module", f"--module={tmp_path / 'm.vmfb'}"])
    assert code == 0 and "[  PASSED  ]" in out and "FAILED" not in out
