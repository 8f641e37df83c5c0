"""linalg's quantized named ops (quantized_matmul, quantized_batch_matmul and
the `_q` convolutions): out += (a - a_zp) * (b - b_zp), every value cast
(signed) to the output's element type. Exact output bytes, both VMs against
numpy, the real IREE as the oracle, and the errors of malformed uses."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from tool_runs import as_buffer, lite_run, run_mlir_both, same_on_both


def tensor(shape, element):
    return f"tensor<{'x'.join(map(str, shape))}x{element}>"


def program(op, a, b, out, element="i8", out_element="i32", attrs=""):
    """@f(%a, %b, %a_zp, %b_zp): `op` into a zero-filled output."""
    ta, tb, to = tensor(a, element), tensor(b, element), tensor(out, out_element)
    return (f"func.func @f(%a: {ta}, %b: {tb}, %az: i32, %bz: i32) -> {to} {{\n"
            f"  %e = tensor.empty() : {to}\n"
            f"  %zero = arith.constant 0 : {out_element}\n"
            f"  %o = linalg.fill ins(%zero : {out_element}) outs(%e : {to}) -> {to}\n"
            f"  %r = linalg.{op} {attrs}ins(%a, %b, %az, %bz : {ta}, {tb}, i32, i32) outs(%o : {to}) -> {to}\n"
            f"  return %r : {to}\n}}\n")


def quantized_on_both(native, ref, a, b, zps):
    """@f's result on the native VM, asserting the reference interpreter's is the same bytes."""
    (have,) = [np.asarray(r) for r in native.invoke("f", [a, b, *zps])]
    (want,) = ref.invoke("f", [as_buffer(a), as_buffer(b), *zps])
    assert bytes(want.data) == have.tobytes()
    return have


def shifted(x, zp):
    return x.astype(np.int64) - zp


def wrap_i32(x):
    return x.astype(np.int64).astype(np.int32)


RNG = np.random.default_rng(11)
A = RNG.integers(-128, 128, (3, 4), dtype=np.int8)
B = RNG.integers(-128, 128, (4, 5), dtype=np.int8)
BA = RNG.integers(-128, 128, (2, 3, 4), dtype=np.int8)
BB = RNG.integers(-128, 128, (2, 4, 5), dtype=np.int8)
ZERO_POINTS = [(0, 0), (-128, 127), (41, -57)]


@pytest.mark.parametrize("device", ["local-sync", "local-task"])
@pytest.mark.parametrize("zps", ZERO_POINTS)
def test_quantized_matmul_on_both_vms(both_vms, device, zps):
    native, ref = both_vms(program("quantized_matmul", (3, 4), (4, 5), (3, 5)), device=device)
    have = quantized_on_both(native, ref, A, B, (zps[0], zps[1]))
    np.testing.assert_array_equal(have, wrap_i32(shifted(A, zps[0]) @ shifted(B, zps[1])))


@pytest.mark.parametrize("zps", ZERO_POINTS)
def test_quantized_batch_matmul_on_both_vms(both_vms, zps):
    native, ref = both_vms(program("quantized_batch_matmul", (2, 3, 4), (2, 4, 5), (2, 3, 5)))
    have = quantized_on_both(native, ref, BA, BB, (zps[0], zps[1]))
    np.testing.assert_array_equal(have, wrap_i32(np.matmul(shifted(BA, zps[0]), shifted(BB, zps[1]))))


def test_quantized_matmul_of_dynamic_sizes(both_vms):
    src = ("func.func @f(%a: tensor<?x?xi8>, %b: tensor<?x5xi8>, %az: i32, %bz: i32) -> tensor<?x5xi32> {\n"
           "  %c0 = arith.constant 0 : index\n  %m = tensor.dim %a, %c0 : tensor<?x?xi8>\n"
           "  %zero = arith.constant 0 : i32\n  %e = tensor.empty(%m) : tensor<?x5xi32>\n"
           "  %o = linalg.fill ins(%zero : i32) outs(%e : tensor<?x5xi32>) -> tensor<?x5xi32>\n"
           "  %r = linalg.quantized_matmul ins(%a, %b, %az, %bz : tensor<?x?xi8>, tensor<?x5xi8>, i32, i32) "
           "outs(%o : tensor<?x5xi32>) -> tensor<?x5xi32>\n  return %r : tensor<?x5xi32>\n}\n")
    native, ref = both_vms(src)
    a = RNG.integers(-128, 128, (7, 9), dtype=np.int8)
    b = RNG.integers(-128, 128, (9, 5), dtype=np.int8)
    have = quantized_on_both(native, ref, a, b, (-3, 100))
    np.testing.assert_array_equal(have, wrap_i32(shifted(a, -3) @ shifted(b, 100)))


def test_quantized_matmul_accumulates_into_the_output_and_wraps(both_vms):
    """The init is added (not overwritten), and i32 sums wrap around."""
    src = ("func.func @f(%a: tensor<1x64xi32>, %b: tensor<64x1xi32>, %o: tensor<1x1xi32>) -> tensor<1x1xi32> {\n"
           "  %az = arith.constant -7 : i32\n  %bz = arith.constant 0 : i32\n"
           "  %r = linalg.quantized_matmul ins(%a, %b, %az, %bz : tensor<1x64xi32>, tensor<64x1xi32>, i32, i32) "
           "outs(%o : tensor<1x1xi32>) -> tensor<1x1xi32>\n  return %r : tensor<1x1xi32>\n}\n")
    native, ref = both_vms(src)
    a = np.full((1, 64), 2**30, np.int32)
    b = np.full((64, 1), 3, np.int32)
    o = np.full((1, 1), 5, np.int32)
    (have,) = same_on_both(native, ref, "f", [a, b, o])
    want = (5 + 64 * 3 * (2**30 + 7)) % 2**32
    assert have.tolist() == [[want - 2**32 if want >= 2**31 else want]]


def test_quantized_matmul_into_floats(both_vms):
    """An f32 output: the i8 values and zero points converted, then subtracted."""
    native, ref = both_vms(program("quantized_matmul", (3, 4), (4, 5), (3, 5), out_element="f32"))
    have = quantized_on_both(native, ref, A, B, (5, -9))
    want = (A.astype(np.float32) - 5) @ (B.astype(np.float32) + 9)
    np.testing.assert_array_equal(have, want.astype(np.float32))


CONV = 'conv_2d_nhwc_hwcf_q {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} '


def test_quantized_convolution_on_both_vms(both_vms):
    native, ref = both_vms(program(CONV.split(" ", 1)[0], (1, 5, 5, 2), (3, 3, 2, 4), (1, 2, 2, 4),
                                   attrs=CONV.split(" ", 1)[1]))
    x = RNG.integers(-128, 128, (1, 5, 5, 2), dtype=np.int8)
    w = RNG.integers(-128, 128, (3, 3, 2, 4), dtype=np.int8)
    have = quantized_on_both(native, ref, x, w, (3, -4))
    xs, ws = shifted(x, 3), shifted(w, -4)
    want = np.zeros((1, 2, 2, 4), np.int64)
    for i in range(2):
        for j in range(2):
            want[0, i, j] = np.einsum("hwc,hwcf->f", xs[0, 2 * i:2 * i + 3, 2 * j:2 * j + 3], ws)
    np.testing.assert_array_equal(have, want.astype(np.int32))


def test_quantized_matmul_output_bytes(tmp_path):
    src = tmp_path / "q.mlir"
    src.write_text(program("quantized_matmul", (2, 3), (3, 2), (2, 2)))
    status, out = lite_run("run-mlir", str(src), "--input=2x3xi8=[1 -2 3][127 -128 0]",
                           "--input=3x2xi8=[4 5][-6 7][8 -9]", "--input=-1", "--input=2")
    assert (status, out) == (0, "EXEC @f\nresult[0]: hal.buffer_view\n2x2xi32=[36 -43][1278 -262]\n")


@pytest.mark.parametrize("op, shapes, inputs", [
    ("quantized_matmul", ((3, 4), (4, 5), (3, 5)), ["3x4xi8=[1 2 3 4][5 6 7 8][9 10 11 12]",
                                                    "4x5xi8=[5 4 3 2 9][1 0 -1 -2 8][-3 -4 -5 -6 7][2 3 5 7 11]",
                                                    "-128", "127"]),
    ("quantized_batch_matmul", ((2, 3, 4), (2, 4, 5), (2, 3, 5)), ["2x3x4xi8=-100", "2x4x5xi8=-3", "7", "-2"]),
    ("depthwise_conv_2d_nhwc_hwc_q", ((1, 4, 4, 3), (2, 2, 3), (1, 3, 3, 3)),
     ["1x4x4x3xi8=[[[1 2 3][4 5 6][7 8 9][10 11 12]][[-1 -2 -3][-4 -5 -6][-7 -8 -9][-10 -11 -12]]"
      "[[13 14 15][16 17 18][19 20 21][22 23 24]][[0 0 0][127 127 127][-128 -128 -128][5 5 5]]]",
      "2x2x3xi8=[[1 -1 2][3 -3 4]][[5 -5 6][7 -7 8]]", "9", "-4"]),
])
def test_quantized_ops_match_iree(reference_iree, tmp_path, op, shapes, inputs):
    src = tmp_path / "q.mlir"
    src.write_text(program(op, *shapes))
    theirs, ours = run_mlir_both(reference_iree, src, ["--function=f", *(f"--input={i}" for i in inputs)])
    assert theirs[0] == 0
    assert ours == theirs


ERRORS = [
    ("quantized_matmul ins(%a, %b, %z : tensor<3x4xi8>, tensor<4x5xi8>, i32)",
     "'linalg.quantized_matmul' takes two tensors and two i32 zero points as inputs"),
    ("quantized_matmul ins(%a, %b, %z, %w : tensor<3x4xi8>, tensor<4x5xi8>, i32, i8)",
     "'linalg.quantized_matmul' takes two tensors and two i32 zero points as inputs"),
    ("conv_2d_nhwc_hwcf_q ins(%a, %b, %z, %z : tensor<3x4xi8>, tensor<4x5xi8>, i32, i32)",
     "'linalg.conv_2d_nhwc_hwcf_q' takes two inputs and one output of ranks 4, 4, 4"),
]


@pytest.mark.parametrize("use, message", ERRORS)
def test_malformed_quantized_ops_are_located_errors(use, message):
    src = ("func.func @f(%a: tensor<3x4xi8>, %b: tensor<4x5xi8>, %z: i32, %w: i8, %o: tensor<3x5xi32>)"
           " -> tensor<3x5xi32> {\n"
           f"  %r = linalg.{use} outs(%o : tensor<3x5xi32>) -> tensor<3x5xi32>\n"
           "  return %r : tensor<3x5xi32>\n}\n")
    with pytest.raises(Diagnostic) as e:
        compile_module(src, "q.mlir")
    assert str(e.value).splitlines()[0] == f"q.mlir:2:8: error: {message}"


def test_malformed_quantized_op_from_the_cli(tmp_path):
    src = tmp_path / "q.mlir"
    src.write_text("func.func @f(%a: tensor<3x4xi8>, %b: tensor<4x5xi8>, %z: f32, %o: tensor<3x5xi32>)"
                   " -> tensor<3x5xi32> {\n"
                   "  %r = linalg.quantized_matmul ins(%a, %b, %z, %z : tensor<3x4xi8>, tensor<4x5xi8>, f32, f32)"
                   " outs(%o : tensor<3x5xi32>) -> tensor<3x5xi32>\n"
                   "  return %r : tensor<3x5xi32>\n}\n")
    status, out = lite_run("compile", str(src), "-o", str(tmp_path / "q.vmfb"))
    assert status == 1
    assert out.splitlines()[0] == (f"{src}:2:8: error: 'linalg.quantized_matmul' takes two tensors and two i32 "
                                   "zero points as inputs")
    assert "Traceback" not in out
