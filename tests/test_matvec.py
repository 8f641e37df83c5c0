"""Matrix-vector products on the native VM (csrc/matmul.pxi's matvec_rows:
8 rows summed side by side, each in order): bit for bit the reference
interpreter for rows around the group of 8, batches, every element type,
device and worker count, NaNs and infinities included."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from test_contract import DEVICES, ELEMENTS, in_order_matmul, matmul_source, native, operands, reference

SIZES = [(0, 0, 5), (0, 1, 3), (0, 7, 9), (0, 8, 1), (0, 9, 300), (0, 17, 0), (3, 13, 33), (2, 8, 5)]


@pytest.mark.parametrize("dtype", list(ELEMENTS), ids=lambda t: t.__name__)
@pytest.mark.parametrize("batch,m,k", SIZES)
def test_matvec_matches_the_reference(dtype, batch, m, k):
    lead = (batch,) if batch else ()
    arrays = operands([lead + (m, k), lead + (k, 1), lead + (m, 1)], dtype, m * 100 + k)
    if np.issubdtype(dtype, np.floating) and m * k > 20:
        arrays[0].reshape(-1)[[3, 11, 17]] = [np.nan, np.inf, -np.inf]
    module = compile_module(matmul_source(batch, m, k, 1, ELEMENTS[dtype]), "m.mlir")
    want = reference(module, arrays)
    with np.errstate(invalid="ignore"):
        assert want.tobytes() == in_order_matmul(*arrays).tobytes()
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want.tobytes(), (device, workers)


@pytest.mark.parametrize("dtype", [np.float32, np.int64], ids=lambda t: t.__name__)
def test_large_matvec_is_the_in_order_sum(dtype):
    # Chunks of rows on the pool, cut where no group of 8 fits.
    arrays = operands([(1003, 517), (517, 1), (1003, 1)], dtype, 8)
    module = compile_module(matmul_source(0, 1003, 517, 1, ELEMENTS[dtype]), "m.mlir")
    want = in_order_matmul(*arrays).tobytes()
    for device, workers in DEVICES:
        assert native(module, arrays, device, workers).tobytes() == want, (device, workers)
