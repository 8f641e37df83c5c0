"""flow.tensor.bitcast between element sizes: the bytes of a tensor, as
IREE's buffers hold them (sub-byte elements packed, the lowest bits first;
wider ones little-endian), read as elements of another width; differential
against the real IREE on both VMs."""
import pytest

from tool_runs import LITE, compile_both, compile_error, run, run_both

SOURCE = """
func.func @i8_to_i4(%a: tensor<2x2xi8>) -> tensor<2x4xi8> {
  %b = flow.tensor.bitcast %a : tensor<2x2xi8> -> tensor<2x4xi4>
  %r = arith.extsi %b : tensor<2x4xi4> to tensor<2x4xi8>
  return %r : tensor<2x4xi8>
}
func.func @i4_to_i8(%a: tensor<4xi8>) -> tensor<2xi8> {
  %n = arith.trunci %a : tensor<4xi8> to tensor<4xi4>
  %b = flow.tensor.bitcast %n : tensor<4xi4> -> tensor<2xi8>
  return %b : tensor<2xi8>
}
func.func @i2_to_i16(%a: tensor<8xi8>) -> tensor<1xi16> {
  %n = arith.trunci %a : tensor<8xi8> to tensor<8xi2>
  %b = flow.tensor.bitcast %n : tensor<8xi2> -> tensor<1xi16>
  return %b : tensor<1xi16>
}
func.func @i32_to_i8(%a: tensor<2xi32>) -> tensor<8xi8> {
  %b = flow.tensor.bitcast %a : tensor<2xi32> -> tensor<8xi8>
  return %b : tensor<8xi8>
}
func.func @i8_to_i32(%a: tensor<2x4xi8>) -> tensor<2x1xi32> {
  %b = flow.tensor.bitcast %a : tensor<2x4xi8> -> tensor<2x1xi32>
  return %b : tensor<2x1xi32>
}
func.func @f32_to_i16(%a: tensor<2x3xf32>) -> tensor<2x6xi16> {
  %b = flow.tensor.bitcast %a : tensor<2x3xf32> -> tensor<2x6xi16>
  return %b : tensor<2x6xi16>
}
func.func @i16_to_i64(%a: tensor<8xi16>) -> tensor<2xi64> {
  %b = flow.tensor.bitcast %a : tensor<8xi16> -> tensor<2xi64>
  return %b : tensor<2xi64>
}
func.func @f16_to_f32(%a: tensor<4xf16>) -> tensor<2xf32> {
  %b = flow.tensor.bitcast %a : tensor<4xf16> -> tensor<2xf32>
  return %b : tensor<2xf32>
}
func.func @i8_to_f4(%a: tensor<4xi8>) -> tensor<8xf32> {
  %b = flow.tensor.bitcast %a : tensor<4xi8> -> tensor<8xf4E2M1FN>
  %r = arith.extf %b : tensor<8xf4E2M1FN> to tensor<8xf32>
  return %r : tensor<8xf32>
}
func.func @f4_to_i8(%a: tensor<8xf32>) -> tensor<4xi8> {
  %f = arith.truncf %a : tensor<8xf32> to tensor<8xf4E2M1FN>
  %b = flow.tensor.bitcast %f : tensor<8xf4E2M1FN> -> tensor<4xi8>
  return %b : tensor<4xi8>
}
func.func @i4_public(%a: tensor<4xi4>) -> tensor<2xi8> {
  %b = flow.tensor.bitcast %a : tensor<4xi4> -> tensor<2xi8>
  return %b : tensor<2xi8>
}
func.func @i64_to_i32(%a: tensor<2xi64>) -> tensor<4xi32> {
  %b = flow.tensor.bitcast %a : tensor<2xi64> -> tensor<4xi32>
  return %b : tensor<4xi32>
}
"""

CASES = [
    ["--function=i8_to_i4", "--input=2x2xi8=[33 -16][127 -128]"],
    ["--function=i4_to_i8", "--input=4xi8=1,2,-3,7"],
    ["--function=i2_to_i16", "--input=8xi8=1,-1,2,-2,1,0,0,1"],
    ["--function=i32_to_i8", "--input=2xi32=16909060,-2"],
    ["--function=i8_to_i32", "--input=2x4xi8=[1 2 3 4][-1 -1 -1 127]"],
    ["--function=f32_to_i16", "--input=2x3xf32=[1 -2 0.1][1e30 -0 3.5]"],
    ["--function=i16_to_i64", "--input=8xi16=1,2,3,4,-1,-1,-1,-2"],
    ["--function=f16_to_f32", "--input=4xf16=0,1,0,-2"],
    ["--function=i8_to_f4", "--input=4xi8=32,100,-54,30"],
    ["--function=f4_to_i8", "--input=8xf32=0,1,2,4,-1,-2,-4,0.5"],
    ["--function=i4_public", "--input=4xi4=21,7D"],
    ["--function=i64_to_i32", "--input=2xi64=4294967297,-3"],
]


@pytest.fixture(scope="module")
def modules(reference_iree, tmp_path_factory):
    src = tmp_path_factory.mktemp("bitcast") / "b.mlir"
    src.write_text(SOURCE)
    return compile_both(reference_iree, src)


@pytest.mark.parametrize("args", CASES, ids=lambda a: a[0][11:])
def test_matches_iree(reference_iree, modules, args):
    want, have = run_both(reference_iree, modules, args)
    assert want[0] == 0
    assert have == want
    assert run([*LITE, "run-module", "--trace_execution", f"--module={modules[1]}", *args]) == want


@pytest.mark.parametrize("body, error", [
    ("%b = flow.tensor.bitcast %a : tensor<4xi8> -> tensor<3xi4>",
     "'flow.tensor.bitcast' changes the number of bytes: 'tensor<4xi8>' -> 'tensor<3xi4>'"),
    ("%b = flow.tensor.bitcast %a : tensor<4xi8> -> tensor<8xi1>",
     "'flow.tensor.bitcast' from 'tensor<4xi8>' to 'tensor<8xi1>' (another element size) is not supported by "
     "iree-lite: it reads static shapes of i2, i4, f4 or 8- to 64-bit elements"),
    ("%b = flow.tensor.bitcast %a : tensor<4xi8> -> tensor<?xi4>{%c}",
     "'flow.tensor.bitcast' from 'tensor<4xi8>' to 'tensor<?xi4>' (another element size) is not supported by "
     "iree-lite: it reads static shapes of i2, i4, f4 or 8- to 64-bit elements"),
])
def test_errors(body, error):
    source = (f"func.func @f(%a: tensor<4xi8>) -> tensor<4xi8> {{\n  %c = arith.constant 8 : index\n  {body}\n"
              "  return %a : tensor<4xi8>\n}\n")
    assert compile_error(source) == f"t.mlir:3:8: error: {error}"
