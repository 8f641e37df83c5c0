"""iree_linalg_ext.quantize_affine and dequantize_affine (IREE's torch input
conversion emits them): per tensor, per channel and per group, with and
without a zero point, clamping and round-half-to-even, the generic form;
exact run-mlir output, the same output as the real IREE, the same bytes on
both VMs, and IREE's verifier messages for malformed uses."""
import subprocess
import textwrap

import numpy as np
import pytest

from tool_runs import compile_both, compile_error, lite_run, run_both, same_on_both

PROGRAM = textwrap.dedent("""\
    #id2 = affine_map<(d0, d1) -> (d0, d1)>
    #ch = affine_map<(d0, d1) -> (d1)>
    #id1 = affine_map<(d0) -> (d0)>
    #all = affine_map<(d0) -> ()>
    #id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
    #group = affine_map<(d0, d1, d2) -> (d0, d1)>
    func.func @dequant_channel(%x: tensor<2x4xi8>, %s: tensor<4xf32>, %z: tensor<4xi8>) -> tensor<2x4xf32> {
      %o = tensor.empty() : tensor<2x4xf32>
      %r = iree_linalg_ext.dequantize_affine <indexing_maps = [#id2, #ch, #ch, #id2]>
          ins(%x, %s, %z : tensor<2x4xi8>, tensor<4xf32>, tensor<4xi8>) outs(%o : tensor<2x4xf32>) -> tensor<2x4xf32>
      return %r : tensor<2x4xf32>
    }
    func.func @quant_channel(%x: tensor<2x4xf32>, %s: tensor<4xf32>, %z: tensor<4xi8>) -> tensor<2x4xi8> {
      %o = tensor.empty() : tensor<2x4xi8>
      %r = iree_linalg_ext.quantize_affine <indexing_maps = [#id2, #ch, #ch, #id2], quant_min = -128, quant_max = 127>
          ins(%x, %s, %z : tensor<2x4xf32>, tensor<4xf32>, tensor<4xi8>) outs(%o : tensor<2x4xi8>) -> tensor<2x4xi8>
      return %r : tensor<2x4xi8>
    }
    func.func @dequant_tensor(%x: tensor<4xi32>, %s: tensor<f32>) -> tensor<4xf32> {
      %o = tensor.empty() : tensor<4xf32>
      %r = iree_linalg_ext.dequantize_affine <indexing_maps = [#id1, #all, #id1]>
          ins(%x, %s : tensor<4xi32>, tensor<f32>) outs(%o : tensor<4xf32>) -> tensor<4xf32>
      return %r : tensor<4xf32>
    }
    func.func @quant_tensor(%x: tensor<6xf32>, %s: tensor<f32>) -> tensor<6xi8> {
      %o = tensor.empty() : tensor<6xi8>
      %r = iree_linalg_ext.quantize_affine <indexing_maps = [#id1, #all, #id1], quant_min = -100, quant_max = 100>
          ins(%x, %s : tensor<6xf32>, tensor<f32>) outs(%o : tensor<6xi8>) -> tensor<6xi8>
      return %r : tensor<6xi8>
    }
    func.func @dequant_wide_zero(%x: tensor<4xi8>, %s: tensor<f32>, %z: tensor<i16>) -> tensor<4xf16> {
      %o = tensor.empty() : tensor<4xf16>
      %r = iree_linalg_ext.dequantize_affine <indexing_maps = [#id1, #all, #all, #id1]>
          ins(%x, %s, %z : tensor<4xi8>, tensor<f32>, tensor<i16>) outs(%o : tensor<4xf16>) -> tensor<4xf16>
      return %r : tensor<4xf16>
    }
    func.func @round_trip_group(%x: tensor<2x3x2xf32>, %s: tensor<2x3xf32>, %z: tensor<2x3xi8>) -> tensor<2x3x2xf32> {
      %q0 = tensor.empty() : tensor<2x3x2xi8>
      %q = "iree_linalg_ext.quantize_affine"(%x, %s, %z, %q0)
          <{indexing_maps = [#id3, #group, #group, #id3], quant_min = -8 : i64, quant_max = 7 : i64}>
          : (tensor<2x3x2xf32>, tensor<2x3xf32>, tensor<2x3xi8>, tensor<2x3x2xi8>) -> tensor<2x3x2xi8>
      %o = tensor.empty() : tensor<2x3x2xf32>
      %r = iree_linalg_ext.dequantize_affine <indexing_maps = [#id3, #group, #group, #id3]>
          ins(%q, %s, %z : tensor<2x3x2xi8>, tensor<2x3xf32>, tensor<2x3xi8>) outs(%o : tensor<2x3x2xf32>)
          -> tensor<2x3x2xf32>
      return %r : tensor<2x3x2xf32>
    }
    """)

RUNS = [
    ("dequant_channel", ["2x4xi8=0 1 -128 127 5 6 7 8", "4xf32=0.5 2 1 0.1", "4xi8=1 -2 3 100"],
     "2x4xf32=[-0.5 6 -131 2.7][2 16 4 -9.2]"),
    ("quant_channel", ["2x4xf32=0.5 1.5 2.5 -0.5 -2.5 300 -300 3.49", "4xf32=0.5 2 1 0.25", "4xi8=1 -2 3 100"],
     "2x4xi8=[2 -1 5 98][-4 127 -128 114]"),
    ("quant_channel", ["2x4xf32=0.5 1.5 2.5 -0.5 -2.5 3.5 -3.5 NaN", "4xf32=1 1 1 1", "4xi8=0 0 0 0"],
     "2x4xi8=[0 2 2 0][-2 4 -4 -128]"),
    ("dequant_tensor", ["4xi32=0 -7 2147483647 -2147483648", "f32=0.25"], "4xf32=0 -1.75 5.36871E+08 -5.36871E+08"),
    ("quant_tensor", ["6xf32=1 -1 0.3 1000 -1000 0.125", "f32=0.125"], "6xi8=8 -8 2 100 -100 1"),
    ("dequant_wide_zero", ["4xi8=-128 127 0 1", "f32=0.5", "i16=300"], "4xf16=-214 -86.5 -150 -149.5"),
    ("round_trip_group", ["2x3x2xf32=0.1 0.2 1 -1 3 4 -5 5 0.5 0.25 9 -9", "2x3xf32=0.1 0.5 1 2 0.125 1",
                          "2x3xi8=0 1 -2 3 0 0"], "2x3x2xf32=[[0.1 0.2][1 -1][3 4]][[-4 4][0.5 0.25][7 -8]]"),
]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("quant") / "quant.mlir"
    path.write_text(PROGRAM)
    return path


def arguments(runs):
    return [f"--function={runs[0]}", *(f"--input={v}" for v in runs[1])]


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r[0])
def test_run_mlir_prints_exactly(source, run):
    rc, out = lite_run("run-mlir", str(source), *arguments(run))
    assert (rc, out) == (0, f"EXEC @{run[0]}\nresult[0]: hal.buffer_view\n{run[2]}\n")


@pytest.fixture(scope="module")
def modules(reference_iree, source):
    return compile_both(reference_iree, source)


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r[0])
def test_same_output_as_iree(reference_iree, modules, run):
    want, have = run_both(reference_iree, modules, arguments(run))
    assert have == want == (0, f"EXEC @{run[0]}\nresult[0]: hal.buffer_view\n{run[2]}\n")


def test_both_vms_give_the_same_bytes(both_vms):
    native, ref = both_vms(PROGRAM)
    x = np.array([[0.5, 1.5, 2.5, -0.5], [-2.5, 300, -300, 3.49]], np.float32)
    s, z = np.array([0.5, 2, 1, 0.25], np.float32), np.array([1, -2, 3, 100], np.int8)
    (have,) = same_on_both(native, ref, "quant_channel", [x, s, z])
    assert have.tolist() == [[2, -1, 5, 98], [-4, 127, -128, 114]]


def op_line(op, types, props="indexing_maps = [#m, #s, #s, #m]"):
    """A function applying `op` to (input, scale, zero point) of `types`, the output's last."""
    x, s, z, o = types
    return textwrap.dedent(f"""\
        #m = affine_map<(d0) -> (d0)>
        #s = affine_map<(d0) -> ()>
        func.func @f(%x: {x}, %s: {s}, %z: {z}) -> {o} {{
          %o = tensor.empty() : {o}
          %r = iree_linalg_ext.{op} <{props}> ins(%x, %s, %z : {x}, {s}, {z}) outs(%o : {o}) -> {o}
          return %r : {o}
        }}
        """)


DEQ, Q = "dequantize_affine", "quantize_affine"
QP = "indexing_maps = [#m, #s, #s, #m], quant_min = {}, quant_max = {}"
ERRORS = [
    (DEQ, ("tensor<4xf32>", "tensor<f32>", "tensor<i8>", "tensor<4xf32>"), None,
     "op expected input to have a signless integer element type, got 'f32'"),
    (DEQ, ("tensor<4xi8>", "tensor<f32>", "tensor<i8>", "tensor<4xi32>"), None,
     "op expected output to have a floating point element type, got 'i32'"),
    (DEQ, ("tensor<4xi8>", "tensor<i32>", "tensor<i8>", "tensor<4xf32>"), None,
     "op expected scale to have a floating point element type, got 'i32'"),
    (DEQ, ("tensor<4xi8>", "tensor<f32>", "tensor<f32>", "tensor<4xf32>"), None,
     "op expected zero_point to have a signless integer element type, got 'f32'"),
    (DEQ, ("tensor<4xi8>", "tensor<f32>", "tensor<i8>", "tensor<4xf32>"), "indexing_maps = [#m, #s, #m]",
     "op expected 4 indexing maps, one per operand, got 3"),
    (DEQ, ("tensor<4xi8>", "tensor<f32>", "tensor<i8>", "tensor<4xf32>"), "indexing_maps = [#m, #m, #s, #m]",
     "op expected scale to have rank 1 to match the number of results of its indexing map, got 0"),
    (DEQ, ("tensor<4xi8>", "tensor<5xf32>", "tensor<i8>", "tensor<4xf32>"), "indexing_maps = [#m, #m, #s, #m]",
     "op expected scale dimension 0 to have size 4 to match dimension 0 of the quantized value, got 5"),
    (DEQ, ("tensor<4xi8>", "tensor<f32>", "tensor<3xi8>", "tensor<4xf32>"), "indexing_maps = [#m, #s, #m, #m]",
     "op expected zero_point dimension 0 to have size 4 to match dimension 0 of the quantized value, got 3"),
    (DEQ, ("tensor<4xi8>", "tensor<f32>", "tensor<i8>", "tensor<5xf32>"), None,
     "op expected input and output to have the same shape up to their indexing maps, got 'tensor<4xi8>' and "
     "'tensor<5xf32>'"),
    (Q, ("tensor<4xf32>", "tensor<f32>", "tensor<i8>", "tensor<4xi8>"), QP.format(5, 1),
     "op expected quant_min to not exceed quant_max, got [5, 1]"),
    (Q, ("tensor<4xf32>", "tensor<f32>", "tensor<i8>", "tensor<4xi8>"), QP.format(0, 1000),
     "op quantization range [0, 1000] is not representable in signed 'i8'"),
    (Q, ("tensor<4xi8>", "tensor<f32>", "tensor<i8>", "tensor<4xi8>"), QP.format(0, 10),
     "op expected input to have a floating point element type, got 'i8'"),
    (Q, ("tensor<4xf32>", "tensor<f32>", "tensor<i8>", "tensor<4xf32>"), QP.format(0, 10),
     "op expected output to have a signless integer element type, got 'f32'"),
]


@pytest.mark.parametrize("op,types,props,message", ERRORS)
def test_malformed_uses_are_located_errors(op, types, props, message):
    src = op_line(op, types, props or "indexing_maps = [#m, #s, #s, #m]")
    assert compile_error(src) == f"t.mlir:5:8: error: 'iree_linalg_ext.{op}' {message}"


@pytest.mark.parametrize("op,types,props,message", ERRORS)
def test_iree_gives_the_same_error(reference_iree, tmp_path, op, types, props, message):
    path = tmp_path / "t.mlir"
    path.write_text(op_line(op, types, props or "indexing_maps = [#m, #s, #s, #m]"))
    proc = subprocess.run([reference_iree["iree-compile"], "--compile-to=input", str(path)], capture_output=True,
                          text=True, timeout=120)
    assert proc.stderr.splitlines()[0] == f"{path}:5:8: error: 'iree_linalg_ext.{op}' {message}"
