"""i8 x i8 -> i32 contractions: the compiler hands the i8 operands to
buffer.matmul as they are (no widened copies), and the native VM's paths
(csrc/matmul_i8.pxi: VNNI tiles of 8 rows by 32 columns with AVX-512, the
i32 tiles on widened copies elsewhere) give the reference interpreter's
bits: sizes around the tiles and the groups of 4 k, batches, every device
and worker count, every instruction-set level; and the real IREE's output."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.vm import interp
from test_contract import DEVICES, native, tensor
from tool_runs import as_buffer, lite_run, run_mlir_both

ISAS = pytest.mark.parametrize("kernel_isa", ["avx512", "avx2", "sse2"], indirect=True)


def i8_matmul_source(batch, m, k, n, cast=""):
    lead = (batch,) if batch else ()
    a, b = (tensor(lead + shape, "i8") for shape in ((m, k), (k, n)))
    c = tensor(lead + (m, n), "i32")
    kind = "batch_matmul" if batch else "matmul"
    return (f"func.func @f(%a: {a}, %b: {b}, %c: {c}) -> {c} {{\n"
            f"  %r = linalg.{kind} {cast}ins(%a, %b : {a}, {b}) outs(%c : {c}) -> {c}\n  return %r : {c}\n}}\n")


def i8_operands(batch, m, k, n, seed):
    """A and B over all of i8 (the extremes included), C over all of i32."""
    lead = (batch,) if batch else ()
    rng = np.random.default_rng(seed)
    a = rng.integers(-128, 127, lead + (m, k), dtype=np.int8, endpoint=True)
    b = rng.integers(-128, 127, lead + (k, n), dtype=np.int8, endpoint=True)
    if a.size:
        a.reshape(-1)[0] = -128
    if b.size:
        b.reshape(-1)[-1] = -128
    c = rng.integers(-2**31, 2**31 - 1, lead + (m, n), dtype=np.int32, endpoint=True)
    return [a, b, c]


def wrapped_product(a, b, c, unsigned=False):
    """C + A B in i32, wrapping (the operands sign- or zero-extended)."""
    wide = np.uint8 if unsigned else np.int8
    return (c.astype(np.int64) + np.matmul(a.view(wide).astype(np.int64), b.view(wide).astype(np.int64))) \
        .astype(np.uint64).astype(np.uint32).view(np.int32)


def reference(module, arrays):
    """The reference interpreter's result, an i32 array."""
    ref = interp.Context()
    ref.load(module)
    (want,) = ref.invoke("f", [as_buffer(x) for x in arrays])
    return np.frombuffer(bytes(want.data), np.int32).reshape(want.shape)


def test_i8_operands_reach_the_matmul_unwidened():
    # The function's only work is buffer.matmul: before, two dispatches
    # widened A and B to i32 copies first.
    module = compile_module(i8_matmul_source(0, 16, 64, 32), "m.mlir")
    assert not module.kernels, [k.name for k in module.kernels]


# Sizes: empty (each of m, k, n), one, a tile's rows and columns (8 x 32) less
# and more one, k around groups of 4, batches, and rows cut by the chunks.
SMALL = [(0, 0, 4, 32), (0, 8, 0, 32), (0, 8, 4, 0), (0, 1, 1, 1), (0, 7, 3, 31), (0, 8, 4, 32),
         (0, 9, 5, 33), (0, 16, 8, 64), (2, 7, 13, 33), (3, 9, 1, 1), (0, 17, 257, 65), (0, 1, 64, 100)]


@pytest.mark.parametrize("batch,m,k,n", SMALL)
@ISAS
def test_i8_matmul_matches_the_reference(kernel_isa, batch, m, k, n):
    arrays = i8_operands(batch, m, k, n, m * 1000 + k * 10 + n)
    module = compile_module(i8_matmul_source(batch, m, k, n), "m.mlir")
    want = reference(module, arrays)
    assert want.tobytes() == wrapped_product(*arrays).tobytes()
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want.tobytes(), (device, workers)


LARGE = [(0, 512, 512, 512), (0, 257, 300, 129), (4, 128, 64, 128), (0, 128, 1023, 33)]


@pytest.mark.parametrize("batch,m,k,n", LARGE)
@ISAS
def test_large_i8_matmul_is_the_wrapped_sum(kernel_isa, batch, m, k, n):
    arrays = i8_operands(batch, m, k, n, m + k + n)
    module = compile_module(i8_matmul_source(batch, m, k, n), "m.mlir")
    want = wrapped_product(*arrays).tobytes()
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want, (device, workers)


def test_unsigned_cast_still_widens_as_unsigned():
    src = i8_matmul_source(0, 9, 5, 33, cast="{cast = #linalg.type_fn<cast_unsigned>} ")
    arrays = i8_operands(0, 9, 5, 33, 4)
    module = compile_module(src, "m.mlir")
    want = reference(module, arrays)
    assert want.tobytes() == wrapped_product(*arrays, unsigned=True).tobytes()
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want.tobytes(), (device, workers)


@ISAS
def test_i8_matmul_matches_the_real_iree(kernel_isa, reference_iree, tmp_path):
    m, k, n = 9, 70, 40
    src = tmp_path / "m.mlir"
    src.write_text(i8_matmul_source(0, m, k, n))
    a, b, c = i8_operands(0, m, k, n, 11)
    for name, x in zip("abc", (a, b, c)):
        np.save(tmp_path / f"{name}.npy", x)
    args = ["--function=f", *(f"--input=@{tmp_path / name}.npy" for name in "abc")]
    theirs, ours = run_mlir_both(reference_iree, src, args)
    assert theirs[0] == ours[0] == 0
    assert ours[1] == theirs[1]
    assert str(wrapped_product(a, b, c)[0, 0]) in ours[1]


def test_i8_matmul_of_disagreeing_shapes_is_an_error(tmp_path):
    # Dynamic sizes reach the VM, which checks them: IREE's status line, exit 1.
    src = tmp_path / "m.mlir"
    src.write_text("func.func @f(%a: tensor<?x4xi8>, %b: tensor<?x8xi8>, %c: tensor<2x8xi32>) -> tensor<2x8xi32> {\n"
                   "  %r = linalg.matmul ins(%a, %b : tensor<?x4xi8>, tensor<?x8xi8>) outs(%c : tensor<2x8xi32>)"
                   " -> tensor<2x8xi32>\n  return %r : tensor<2x8xi32>\n}\n")
    status, out = lite_run("run-mlir", str(src), "--function=f", "--input=2x4xi8=1", "--input=3x8xi8=1",
                           "--input=2x8xi32=0")
    assert status == 1
    assert out.splitlines()[1].startswith(
        "INVALID_ARGUMENT; matmul of '2x4' by '3x8' into '2x8': the shapes do not agree; invoking function 'f'")
