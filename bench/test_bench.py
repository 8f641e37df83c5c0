"""pytest-benchmark suite (not part of the test run):

    python -m pytest bench --benchmark-only

Each workload of bench/compare.py at several sizes, with numpy beside it.
"""
import os

import numpy as np
import pytest

from iree_lite import _vm
from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context

from compare import chain_source   # bench/compare.py: the workloads are the same

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
LIT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "lit")
SIZES = [1 << 10, 1 << 16, 1 << 20, 1 << 22, 1 << 24]


def arrays(n):
    rng = np.random.default_rng(0)
    return [rng.standard_normal(n).astype(np.float32) for _ in range(3)]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("device", ["local-task", "local-sync"])
def test_chain_iree_lite(benchmark, n, device):
    ctx = Context(device)
    ctx.load(compile_module(chain_source(n), "chain.mlir"))
    fn = ctx.lookup("chain")
    views = [_vm.BufferView.from_bytes(8, (n,), x) for x in arrays(n)]
    benchmark.group = f"chain-{n}"
    benchmark(ctx.invoke, fn, views)


@pytest.mark.parametrize("n", SIZES)
def test_chain_numpy(benchmark, n):
    a, b, c = arrays(n)
    benchmark.group = f"chain-{n}"
    benchmark(lambda: np.maximum(np.abs(a * b + c), a))


@pytest.mark.parametrize("n", SIZES)
def test_chain_numexpr(benchmark, n):
    numexpr = pytest.importorskip("numexpr")
    a, b, c = arrays(n)
    benchmark.group = f"chain-{n}"
    benchmark(lambda: numexpr.evaluate("where(abs(a*b+c) > a, abs(a*b+c), a)", local_dict={"a": a, "b": b, "c": c}))


@pytest.mark.parametrize("device", ["local-task", "local-sync"])
def test_seed_run_per_call(benchmark, device):
    ctx = Context(device)
    for name in ("module_a", "module_b", "pipeline_async"):
        path = os.path.join(LIT, name + ".mlir")
        ctx.load(compile_module(open(path).read(), path, "async-external"))
    x = _vm.BufferView.from_bytes(8, (4096,), np.full(4096, -2.0, np.float32))
    benchmark.group = "seed-run"
    benchmark(ctx.invoke, ctx.lookup("run"), [x])


@pytest.mark.parametrize("workers", [1, 2])
def test_chain_scaling(benchmark, workers):
    n = 1 << 22
    ctx = Context("local-task", workers)
    ctx.load(compile_module(chain_source(n), "chain.mlir"))
    views = [_vm.BufferView.from_bytes(8, (n,), x) for x in arrays(n)]
    benchmark.group = "chain-scaling"
    benchmark(ctx.invoke, ctx.lookup("chain"), views)
