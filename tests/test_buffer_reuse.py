"""Buffers are reused by liveness: a group's result takes the buffer of an
input that nothing reads afterwards (kernels write each tile after reading
it), on every size, device and worker count, with the same results."""
import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module, lower
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.disasm import disassemble

CHAIN = """
func.func @f(%x: tensor<{n}xf32>) -> (tensor<{n}xf32>, tensor<{n}xf32>) {{
  %a = arith.mulf %x, %x : tensor<{n}xf32>
  %c0 = arith.constant 0 : index
  %r = tensor.extract %a[%c0] : tensor<{n}xf32>
  %b = arith.addf %a, %x : tensor<{n}xf32>
  %s = tensor.extract %b[%c0] : tensor<{n}xf32>
  %d = math.sqrt %b : tensor<{n}xf32>
  %e = arith.subf %d, %x : tensor<{n}xf32>
  return %e, {kept} : tensor<{n}xf32>, tensor<{n}xf32>
}}
"""


def allocations(module):
    (fn,) = [f for f in module.functions if f.name == "f"]
    return [text for _, text in disassemble(module, fn.code, fn.locs) if text.startswith("buffer.alloc")]


@pytest.mark.parametrize("model", ["async-internal", "async-external"])
@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2), ("local-task", 7)])
@pytest.mark.parametrize("n", [1, isa.TILE - 1, isa.TILE + 1, 50 * isa.TILE + 3])
def test_results_in_reused_buffers(n, device, workers, model):
    module = compile_module(CHAIN.format(n=n, kept="%x"), "r.mlir", model)
    # %a's buffer takes %b (its last reader), and %b's takes %d then %e.
    assert len(allocations(module)) == 1
    x = np.linspace(0.5, 4.0, n, dtype=np.float32)
    ctx = Context(device, workers)
    ctx.load(module)
    e, kept = (np.asarray(r) for r in ctx.invoke("f", [x]))
    b = x * x + x
    np.testing.assert_array_equal(e, np.sqrt(b) - x)
    np.testing.assert_array_equal(kept, x)
    ref = interp.Context()
    ref.load(module)
    assert bytes(ref.invoke("f", [interp.Buffer("f32", (n,), bytearray(x.tobytes()))])[0].data) == e.tobytes()


def test_views_keep_their_buffers():
    """A view shares the buffer: what reads the view later must see it unchanged."""
    src = ("func.func @f(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<2x4xf32>) {\n"
           "  %a = arith.mulf %x, %x : tensor<8xf32>\n"
           "  %v = tensor.expand_shape %a [[0, 1]] output_shape [2, 4] : tensor<8xf32> into tensor<2x4xf32>\n"
           "  %b = arith.addf %a, %x : tensor<8xf32>\n  return %b, %v : tensor<8xf32>, tensor<2x4xf32>\n}\n")
    module = compile_module(src, "v.mlir")
    assert len(allocations(module)) == 2
    x = np.arange(8, dtype=np.float32)
    ctx = Context("local-sync")
    ctx.load(module)
    b, v = (np.asarray(r) for r in ctx.invoke("f", [x]))
    np.testing.assert_array_equal(v, (x * x).reshape(2, 4))
    np.testing.assert_array_equal(b, x * x + x)


def test_values_read_later_keep_their_buffers():
    module = compile_module(CHAIN.format(n=8, kept="%a"), "r.mlir")
    assert len(allocations(module)) == 2   # %a is returned: %b needs a buffer of its own
    x = np.arange(8, dtype=np.float32)
    ctx = Context("local-sync")
    ctx.load(module)
    e, a = (np.asarray(r) for r in ctx.invoke("f", [x]))
    np.testing.assert_array_equal(a, x * x)
    np.testing.assert_array_equal(e, np.sqrt(x * x + x) - x)


def test_calls_take_buffers_and_fences_from_the_pools(seed_context):
    """The seed's @run, called repeatedly: its buffer headers, storage and
    fences come from the pools (what the previous call released), and a
    result still held keeps its storage out of them. First the storage pool
    is filled with blocks no call asks for (more of them, and more bytes,
    than it keeps), as earlier work in the process leaves it: the oldest
    give way to the new ones."""
    from iree_lite import _vm
    for count, elements in ((100, 25000), (40, 1 << 19)):
        for i in range(count):
            _vm.BufferView.from_bytes(isa.ELEMENT_CODES["f32"], (elements + i,), np.zeros(elements + i, np.float32))
    ctx = seed_context("local-task", 2)
    fn = ctx.lookup("run")
    x = _vm.BufferView.from_bytes(isa.ELEMENT_CODES["f32"], (4096,), np.full(4096, -2.0, np.float32))
    held = ctx.invoke(fn, [x])
    y = _vm.BufferView.from_bytes(isa.ELEMENT_CODES["f32"], (4096,), np.full(4096, -3.0, np.float32))
    ctx.invoke(fn, [y])
    before = _vm.pool_statistics()
    for _ in range(50):
        (r,) = ctx.invoke(fn, [y])
        np.testing.assert_array_equal(np.asarray(r), 9.0)
    after = _vm.pool_statistics()
    for pool in ("headers", "storage", "fences"):
        hits, misses = (after[pool][k] - before[pool][k] for k in ("hits", "misses"))
        assert hits >= 50 and misses <= 2, (pool, hits, misses)
    np.testing.assert_array_equal(np.asarray(held[0]), 4.0)   # not handed out while held


@pytest.mark.parametrize("kept,reuse", [
    ("%x", {"arith.addf": "arith.mulf", "arith.subf": "arith.addf"}),
    ("%b", {"arith.addf": "arith.mulf"}),    # %b is returned: %e cannot take its buffer
    ("%a", {"arith.subf": "arith.addf"}),    # %a is returned: %b cannot take its buffer
])
def test_buffer_planning_records_reuse(kept, reuse):
    """The buffer planning pass decides the reuse (codegen follows it): which
    group result takes which input's buffer, never an argument's."""
    module = lower(CHAIN.format(n=4, kept=kept), "r.mlir", stop_after="iree-lite-plan-buffers")
    (f,) = module.functions
    assert {out.owner.name: taken.owner.name for out, taken in f.buffers.reuse.items()} == reuse
