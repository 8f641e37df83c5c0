"""math.erf on f32, whose kernel is vectorized C (csrc/lite_erf.h) with a
glibc fallback near f32 rounding boundaries: bit for bit the reference
interpreter's definition under each instruction set of the kernel, on a
sweep of the whole f32 range and densely where erf's approximation, its
clamp at |x| = 4 and its f32 rounding are delicate."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm.elementwise import ELEMENTWISE


def sweep():
    """Every 1021st f32 bit pattern (NaNs and infinities included); every
    f32 within 4096 of 0, +-4 (the clamp), +-3.86 (where erf(x) starts to
    round to 1) and +-1; and a dense uniform sample of [-4, 4], where the
    approximation works."""
    bits = [np.arange(0, 2 ** 32, 1021, dtype=np.uint64)]
    for edge in (0.0, -0.0, 4.0, -4.0, 3.86, -3.86, 1.0, -1.0, 2.0 ** -126, -(2.0 ** -126)):
        b = int(np.float32(edge).view(np.uint32))
        bits.append(np.arange(max(b - 4096, b & 0x80000000), b + 4096, dtype=np.uint64))
    dense = np.random.default_rng(0).uniform(-4, 4, 1 << 20).astype(np.float32)
    return np.concatenate([np.concatenate(bits).astype(np.uint32).view(np.float32), dense])


@pytest.fixture(scope="module")
def inputs_and_reference():
    x = sweep()
    erf = ELEMENTWISE["t.erf"]
    return x, np.array([erf(v) for v in x.tolist()]).astype(np.float32)


def run_erf(x):
    t = f"tensor<{len(x)}xf32>"
    module = compile_module(f"func.func @f(%x: {t}) -> {t} {{\n  %r = math.erf %x : {t}\n  return %r : {t}\n}}\n",
                            "erf.mlir")
    ctx = Context("local-task", 2)
    ctx.load(module)
    (have,) = ctx.invoke("f", [x])
    return np.asarray(have)


@pytest.mark.parametrize("kernel_isa", ["avx512", "avx2", "sse2"], indirect=True)
def test_erf_f32_is_the_reference_bit_for_bit(kernel_isa, inputs_and_reference):
    x, want = inputs_and_reference
    have = run_erf(x)
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(have), nan)
    bad = np.flatnonzero(have[~nan].view(np.uint32) != want[~nan].view(np.uint32))
    assert bad.size == 0, [(x[~nan][i], have[~nan][i], want[~nan][i]) for i in bad[:10]]


@pytest.mark.parametrize("kernel_isa", ["avx512", "avx2"], indirect=True)
@pytest.mark.parametrize("size", [0, 1, 255, 257, 4095, 4097])
def test_erf_f32_at_block_and_tile_edges(kernel_isa, size):
    """Sizes around the kernel's 256-element chunks and the VM's 4096-element
    tiles, with a fallback element (NaN) last so a partial chunk takes it."""
    x = np.random.default_rng(size).uniform(-5, 5, size).astype(np.float32)
    if size:
        x[-1] = np.nan
    want = np.array([ELEMENTWISE["t.erf"](v) for v in x.tolist()], np.float32)
    have = run_erf(x)
    assert have.shape == (size,)
    assert np.array_equal(have.view(np.uint32)[:-1], want.view(np.uint32)[:-1])
    assert size == 0 or np.isnan(have[-1])
