"""The syntax MLIR's own printer emits (what `iree-compile --compile-to=input`
and importers write), and the errors for input iree-lite does not take."""
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def lite(tmp_path, source, *args, tool="run-mlir", name="t.mlir"):
    """(exit status, stdout + stderr) of `iree-lite TOOL source ARGS`."""
    path = tmp_path / name
    path.write_bytes(source if isinstance(source, bytes) else source.encode())
    proc = subprocess.run([sys.executable, "-m", "iree_lite", tool, str(path), *args], capture_output=True,
                          timeout=120, cwd=REPO, env=dict(os.environ, PYTHONPATH=REPO))
    return proc.returncode, (proc.stdout + proc.stderr).decode().replace(str(tmp_path) + os.sep, "")


CONV = """
func.func @c(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x3x3xf32>
  %o = linalg.fill ins(%z : f32) outs(%e : tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<[1, 1]> : vector<2xi64>}
       ins(%x, %w : tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) outs(%o : tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %r : tensor<1x1x3x3xf32>
}
"""


def test_vector_typed_dilations(tmp_path):
    assert lite(tmp_path, CONV, "--input=1x1x4x4xf32=1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
                "--input=1x1x2x2xf32=1 0 0 1") == (
        0, "EXEC @c\nresult[0]: hal.buffer_view\n1x1x3x3xf32=[[[7 9 11][15 17 19][23 25 27]]]\n")


def test_vector_values_are_an_error(tmp_path):
    source = "func.func @v() -> tensor<2xi64> {\n  %c = arith.constant dense<1> : vector<2xi64>\n" \
             "  return %c : tensor<2xi64>\n}\n"
    assert lite(tmp_path, source) == (1, (
        "t.mlir:2:23: error: 'vector<2xi64>' values are not supported: iree-lite computes on tensors "
        "(vector types only type attributes)\n  %c = arith.constant dense<1> : vector<2xi64>\n"
        "                      ^\n"))


ALIASES = """
!t = tensor<2x3xf32>
#map = affine_map<(d0, d1) -> (d0, d1)>
#bcast = affine_map<(d0, d1) -> (d1)>
module {
  func.func @f(%a: !t, %b: tensor<3xf32>) -> !t {
    %e = tensor.empty() : !t
    %r = linalg.generic {indexing_maps = [#map, #bcast, #map],
                         iterator_types = [#linalg.iterator_type<parallel>, #linalg.iterator_type<parallel>]}
        ins(%a, %b : !t, tensor<3xf32>) outs(%e : !t) {
    ^bb0(%x: f32, %y: f32, %o: f32):
      %s = arith.addf %x, %y fastmath<contract> : f32
      linalg.yield %s : f32
    } -> !t
    return %r : !t
  }
}
"""


def test_type_and_attribute_aliases(tmp_path):
    assert lite(tmp_path, ALIASES, "--input=2x3xf32=1 2 3 4 5 6", "--input=3xf32=10 20 30") == (
        0, "EXEC @f\nresult[0]: hal.buffer_view\n2x3xf32=[11 22 33][14 25 36]\n")


@pytest.mark.parametrize("source,error", [
    ("func.func @v(%a: !foo) {\n  return\n}\n",
     "t.mlir:1:18: error: undefined type alias '!foo'\nfunc.func @v(%a: !foo) {\n                 ^\n"),
    ("!t = i32\n!t = f32\n", "t.mlir:2:1: error: redefinition of alias '!t'\n!t = f32\n^\n"),
    ("func.func @v(%a: tensor<2xf32>) -> tensor<2xf32> {\n  %c = linalg.generic {indexing_maps = [#m]}\n",
     "t.mlir:2:41: error: undefined attribute alias '#m'\n  %c = linalg.generic {indexing_maps = [#m]}\n"
     + " " * 40 + "^\n"),
], ids=["undefined-type", "redefined", "undefined-attribute"])
def test_alias_errors(tmp_path, source, error):
    assert lite(tmp_path, source) == (1, error)


LOWER_IT = "input is not supported by iree-lite; lower it to linalg (for example with iree-compile --compile-to=input)"


@pytest.mark.parametrize("line,col,frontend", [
    ("  %0 = stablehlo.add %a, %a : tensor<4xf32>", 8, "StableHLO"),
    ("  %0 = chlo.erf %a : tensor<4xf32> -> tensor<4xf32>", 8, "StableHLO"),
    ('  %0 = "mhlo.abs"(%a) : (tensor<4xf32>) -> tensor<4xf32>', 8, "MHLO"),
    ("  %0 = tosa.abs %a : (tensor<4xf32>) -> tensor<4xf32>", 8, "TOSA"),
    ('  %0 = torch.operator "onnx.Abs"(%a) : (tensor<4xf32>) -> tensor<4xf32>', 8, "Torch"),
    ("  %0 = torch_c.to_builtin_tensor %a : !torch.vtensor<[4],f32> -> tensor<4xf32>", 8, "Torch"),
    ("  %0 = torch_c.from_builtin_tensor %a : tensor<4xf32> -> !torch.vtensor<[4],f32>", 8, "Torch"),
], ids=["stablehlo", "chlo", "mhlo-generic", "tosa", "torch", "torch_c", "torch-type"])
def test_frontend_dialects(tmp_path, line, col, frontend):
    source = f"func.func @m(%a: tensor<4xf32>) -> tensor<4xf32> {{\n{line}\n  return %0 : tensor<4xf32>\n}}\n"
    caret = " " * (col - 1) + "^"
    assert lite(tmp_path, source, tool="compile") == (1, f"t.mlir:2:{col}: error: {frontend} {LOWER_IT}\n{line}\n{caret}\n")


def test_frontend_types(tmp_path):
    line = "func.func @m(%a: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {"
    assert lite(tmp_path, line + "\n", tool="compile") == (
        1, f"t.mlir:1:18: error: Torch {LOWER_IT}\n{line}\n{' ' * 17}^\n")


def test_bytecode_is_a_clear_error(tmp_path):
    rc, out = lite(tmp_path, b"ML\xefR\rMLIR20\x00\x01\x02", tool="compile", name="m.mlirbc")
    assert (rc, out) == (1, "error: m.mlirbc is MLIR bytecode (.mlirbc), which iree-lite does not read; convert it "
                            "to MLIR text first (for example with iree-compile --compile-to=input FILE -o FILE.mlir)\n")
