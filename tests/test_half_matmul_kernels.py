"""The f16 matmul's row kernel (csrc/lite_tile.h lite_f16_axpy): its F16C
variant and the scalar one give the reference interpreter's bits (each
product and sum rounded to f16, in k order), on values that overflow, round
to subnormals, or are infinite or NaN; and a large f16 matmul runs in seconds
with IREE's result (large_linalg_matmul.mlir's 20.2812)."""
import time

import numpy as np
import pytest

from tool_runs import as_buffer

KERNEL_ISAS = pytest.mark.parametrize("kernel_isa", ["avx2", "sse2"], indirect=True)


def matmul(m, k, n, element="f16"):
    a, b, c = f"tensor<{m}x{k}x{element}>", f"tensor<{k}x{n}x{element}>", f"tensor<{m}x{n}x{element}>"
    return (f"func.func @main(%a: {a}, %b: {b}, %c: {c}) -> {c} {{\n"
            f"  %r = linalg.matmul ins(%a, %b : {a}, {b}) outs(%c : {c}) -> {c}\n"
            f"  return %r : {c}\n}}\n")


def special_values(shape, rng):
    """f16 bits: normal values of every scale, with infinities, NaNs, zeros and subnormals mixed in."""
    x = rng.standard_normal(shape) * np.exp2(rng.integers(-14, 12, shape))
    picks = rng.random(shape)
    x = np.where(picks < 0.02, np.inf, x)
    x = np.where((picks >= 0.02) & (picks < 0.04), -np.inf, x)
    x = np.where((picks >= 0.04) & (picks < 0.06), np.nan, x)
    x = np.where((picks >= 0.06) & (picks < 0.1), 0.0, x)
    x = np.where((picks >= 0.1) & (picks < 0.15), rng.standard_normal(shape) * 2.0 ** -20, x)
    return x.astype(np.float16).view(np.uint16)


@KERNEL_ISAS
@pytest.mark.parametrize("device", ["local-sync", "local-task"])
@pytest.mark.parametrize("m,k,n", [(3, 7, 1), (5, 9, 8), (4, 33, 37), (9, 64, 129)])
def test_f16_matmul_kernels_match_the_reference(kernel_isa, device, m, k, n, both_vms):
    rng = np.random.default_rng(m * k * n)
    arrays = [special_values(shape, rng) for shape in ((m, k), (k, n), (m, n))]
    native, ref = both_vms(matmul(m, k, n), device=device)
    buffers = [as_buffer(v, "f16") for v in arrays]
    (want,) = ref.invoke("main", buffers)
    (have,) = native.invoke("main", buffers)
    assert have.tobytes() == bytes(want.data)


def test_large_f16_matmul_accumulates_in_f16_as_iree_does(both_vms):
    """2048 products of 1 * f16(0.01), summed in f16 in k order: 20.28125,
    the value IREE's llvm-cpu gives (large_linalg_matmul.mlir expects 20.2812)."""
    m, k, n = 512, 2048, 1024
    native, _ = both_vms(matmul(m, k, n), device="local-task")
    a = np.ones((m, k), np.float16).view(np.uint16)
    b = np.full((k, n), 0.01, np.float16).view(np.uint16)
    c = np.zeros((m, n), np.uint16)
    start = time.perf_counter()
    (have,) = native.invoke("main", [as_buffer(v, "f16") for v in (a, b, c)])
    took = time.perf_counter() - start
    assert np.unique(np.frombuffer(have.tobytes(), np.float16)).tolist() == [20.28125]
    assert took < 60, f"{took:.1f} s"
