"""math.exp on f32, whose kernel is vectorized C (csrc/lite_tile.h) with a
glibc fallback near f32 rounding boundaries: bit for bit the reference
interpreter's definition, on millions of inputs over the whole f32 range,
under each instruction set of the kernel."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm import elementwise


def sweep():
    """Every 1021st f32 bit pattern (NaNs and infinities included), and
    every f32 within 4096 of the edges: exp(x) overflowing, becoming
    subnormal and 0, and near 1, where exp(x) ~ 1 + x lies close to f32
    rounding boundaries (the fallback's inputs)."""
    bits = [np.arange(0, 2 ** 32, 1021, dtype=np.uint64)]
    for edge in (88.72283935546875, -87.33654022216797, -103.97207641601562, 2.0 ** -24, -(2.0 ** -25), 0.0, -0.0):
        b = int(np.float32(edge).view(np.uint32))
        bits.append(np.arange(max(b - 4096, b & 0x80000000), b + 4096, dtype=np.uint64))
    return np.concatenate(bits).astype(np.uint32).view(np.float32)


@pytest.fixture(scope="module")
def inputs_and_reference():
    x = sweep()
    exp = elementwise.ELEMENTWISE["t.exp"]
    with np.errstate(over="ignore"):   # to f32 infinity
        return x, np.array([exp(v) for v in x.tolist()]).astype(np.float32)


@pytest.mark.parametrize("kernel_isa", ["avx512", "avx2", "sse2"], indirect=True)
def test_exp_f32_is_the_reference_bit_for_bit(kernel_isa, inputs_and_reference):
    x, want = inputs_and_reference
    t = f"tensor<{len(x)}xf32>"
    module = compile_module(f"func.func @f(%x: {t}) -> {t} {{\n  %r = math.exp %x : {t}\n  return %r : {t}\n}}\n",
                            "exp.mlir")
    ctx = Context("local-task", 2)
    ctx.load(module)
    (have,) = ctx.invoke("f", [x])
    have = np.asarray(have)
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(have), nan)
    bad = np.flatnonzero(have[~nan].view(np.uint32) != want[~nan].view(np.uint32))
    assert bad.size == 0, [(x[~nan][i], have[~nan][i], want[~nan][i]) for i in bad[:10]]
