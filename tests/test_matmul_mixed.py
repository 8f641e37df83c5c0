"""Contractions of narrow operands into a wider accumulator (i8 x i8 -> i32,
f16 x f16 and bf16 x bf16 -> f32): the compiler hands the operands to
buffer.matmul as they are (no widened copies), and the native VM's paths
(csrc/matmul_mixed.pxi: i8 on VNNI tiles of 8 rows by 32 columns with
AVX-512, else on the accumulator type's tiles over widened copies, f16
widened by F16C where the CPU has it) give the reference interpreter's
bits: sizes around the tiles and the groups of 4 k, batches, every device
and worker count, every instruction-set level; and the real IREE's output."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from test_contract import DEVICES, native, tensor
from tool_runs import as_buffer, lite_run, reference_results, run_mlir_both

ISAS = pytest.mark.parametrize("kernel_isa", ["avx512", "avx2", "sse2"], indirect=True)


def narrow_matmul_source(batch, m, k, n, cast="", operand="i8", acc="i32"):
    lead = (batch,) if batch else ()
    a, b = (tensor(lead + shape, operand) for shape in ((m, k), (k, n)))
    c = tensor(lead + (m, n), acc)
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


def reference(module, arrays, elements=None):
    """The reference interpreter's result, as an array like the accumulator
    (arrays[2]); `elements` names the operands' element types where the
    dtypes do not (bf16 is held in uint16 arrays)."""
    (want,) = reference_results(module, "f", [as_buffer(x, e) for x, e in zip(arrays, elements or [None] * 3)])
    return np.frombuffer(bytes(want.data), arrays[2].dtype).reshape(want.shape)


def test_i8_operands_reach_the_matmul_unwidened():
    # The function's only work is buffer.matmul: before, two dispatches
    # widened A and B to i32 copies first.
    module = compile_module(narrow_matmul_source(0, 16, 64, 32), "m.mlir")
    assert not module.kernels, [k.name for k in module.kernels]


# Sizes: empty (each of m, k, n), one, a tile's rows and columns (8 x 32) less
# and more one, k around groups of 4, batches, and rows cut by the chunks.
SMALL = [(0, 0, 4, 32), (0, 8, 0, 32), (0, 8, 4, 0), (0, 1, 1, 1), (0, 7, 3, 31), (0, 8, 4, 32),
         (0, 9, 5, 33), (0, 16, 8, 64), (2, 7, 13, 33), (3, 9, 1, 1), (0, 17, 257, 65), (0, 1, 64, 100)]


@pytest.mark.parametrize("batch,m,k,n", SMALL)
@ISAS
def test_i8_matmul_matches_the_reference(kernel_isa, batch, m, k, n):
    arrays = i8_operands(batch, m, k, n, m * 1000 + k * 10 + n)
    module = compile_module(narrow_matmul_source(batch, m, k, n), "m.mlir")
    want = reference(module, arrays)
    assert want.tobytes() == wrapped_product(*arrays).tobytes()
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want.tobytes(), (device, workers)


LARGE = [(0, 512, 512, 512), (0, 257, 300, 129), (4, 128, 64, 128), (0, 128, 1023, 33)]


@pytest.mark.parametrize("batch,m,k,n", LARGE)
@ISAS
def test_large_i8_matmul_is_the_wrapped_sum(kernel_isa, batch, m, k, n):
    arrays = i8_operands(batch, m, k, n, m + k + n)
    module = compile_module(narrow_matmul_source(batch, m, k, n), "m.mlir")
    want = wrapped_product(*arrays).tobytes()
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want, (device, workers)


def test_unsigned_cast_still_widens_as_unsigned():
    src = narrow_matmul_source(0, 9, 5, 33, cast="{cast = #linalg.type_fn<cast_unsigned>} ")
    arrays = i8_operands(0, 9, 5, 33, 4)
    module = compile_module(src, "m.mlir")
    want = reference(module, arrays)
    assert want.tobytes() == wrapped_product(*arrays, unsigned=True).tobytes()
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want.tobytes(), (device, workers)


def test_i8_matmul_matches_the_real_iree(reference_iree, tmp_path):
    # One run: the ISA limit (kernel_isa) is this process's, and iree-lite runs here as a subprocess.
    m, k, n = 9, 70, 40
    src = tmp_path / "m.mlir"
    src.write_text(narrow_matmul_source(0, m, k, n))
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


def half_operands(batch, m, k, n, element, seed, nans=False):
    """f16 or bf16 A and B (bf16 as uint16 bits) with infinities and, with
    `nans`, NaNs of distinct payloads and signs, a signaling one among them;
    C in f32."""
    lead = (batch,) if batch else ()
    rng = np.random.default_rng(seed)
    a, b, c = (rng.standard_normal(lead + s).astype(np.float32) for s in ((m, k), (k, n), (m, n)))
    if element == "f16":
        a, b = a.astype(np.float16), b.astype(np.float16)
        special = [0x7C00, 0xFC00] + ([0x7E01, 0xFE02, 0x7C03] if nans else [])
    else:
        a, b = ((x.view(np.uint32) >> 16).astype(np.uint16) for x in (a, b))
        special = [0x7F80, 0xFF80] + ([0x7FC1, 0xFFC2, 0x7F83] if nans else [])
    for x in (a, b):
        flat = x.reshape(-1).view(np.uint16)
        if flat.size > 2 * len(special):
            flat[rng.choice(flat.size, len(special), replace=False)] = special
    return [a, b, c]


def widened_first_source(m, k, n, element):
    """The product with its operands widened by arith.extf first (the
    compiler's way before buffer.matmul took narrow operands)."""
    a, b, c = tensor((m, k), element), tensor((k, n), element), tensor((m, n), "f32")
    wa, wb = tensor((m, k), "f32"), tensor((k, n), "f32")
    return (f"func.func @f(%a: {a}, %b: {b}, %c: {c}) -> {c} {{\n"
            f"  %wa = arith.extf %a : {a} to {wa}\n  %wb = arith.extf %b : {b} to {wb}\n"
            f"  %r = linalg.matmul ins(%wa, %wb : {wa}, {wb}) outs(%c : {c}) -> {c}\n  return %r : {c}\n}}\n")


def half_views(arrays, element):
    """Native arguments: bf16 (held in uint16 arrays) as buffer views."""
    if element == "f16":
        return arrays
    from iree_lite import _vm
    from iree_lite.isa import ELEMENT_CODES
    return [_vm.BufferView.from_bytes(ELEMENT_CODES[e], x.shape, x.tobytes())
            for x, e in zip(arrays, ("bf16", "bf16", "f32"))]


HALF_SIZES = [(0, 0, 4, 16), (0, 1, 1, 1), (0, 7, 3, 15), (0, 9, 17, 17), (2, 8, 20, 33), (0, 129, 70, 40),
              (0, 300, 64, 100)]


@pytest.mark.parametrize("element", ["f16", "bf16"])
@pytest.mark.parametrize("batch,m,k,n", HALF_SIZES)
@ISAS
def test_half_into_f32_matmul_matches_the_reference(kernel_isa, element, batch, m, k, n):
    arrays = half_operands(batch, m, k, n, element, m + k + n)
    module = compile_module(narrow_matmul_source(batch, m, k, n, operand=element, acc="f32"), "m.mlir")
    assert not module.kernels, [k.name for k in module.kernels]   # no widening dispatches
    want = reference(module, arrays, [element, element, "f32"])
    for device, workers in DEVICES:
        assert native(module, half_views(arrays, element), device, workers).tobytes() == want.tobytes(), \
            (device, workers)


@pytest.mark.parametrize("element", ["f16", "bf16"])
@ISAS
def test_half_into_f32_matmul_keeps_the_nans_of_widening_first(kernel_isa, element):
    # NaN payloads (which the reference interpreter does not keep through
    # f16 and bf16 values) as the program that widens with arith.extf gives them.
    m, k, n = 19, 40, 37
    arrays = half_views(half_operands(0, m, k, n, element, 7, nans=True), element)
    module = compile_module(narrow_matmul_source(0, m, k, n, operand=element, acc="f32"), "m.mlir")
    widened = compile_module(widened_first_source(m, k, n, element), "w.mlir")
    for device, workers in DEVICES:
        want = native(widened, arrays, device, workers)
        assert np.isnan(want).any()
        assert native(module, arrays, device, workers).tobytes() == want.tobytes(), (device, workers)


def test_f16_into_f32_matmul_matches_the_real_iree(reference_iree, tmp_path):
    # One run, as for test_i8_matmul_matches_the_real_iree.
    m, k, n = 9, 40, 33
    src = tmp_path / "m.mlir"
    src.write_text(narrow_matmul_source(0, m, k, n, operand="f16", acc="f32"))
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s).astype(t) for s, t in (((m, k), np.float16), ((k, n), np.float16),
                                                             ((m, n), np.float32))]
    for name, x in zip("abc", arrays):
        np.save(tmp_path / f"{name}.npy", x)
    theirs, ours = run_mlir_both(reference_iree, src, ["--function=f",
                                                        *(f"--input=@{tmp_path / name}.npy" for name in "abc")])
    assert theirs[0] == ours[0] == 0
    assert ours[1] == theirs[1]   # as printed (IREE's fused multiply-adds differ only past those digits)
