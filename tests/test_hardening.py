"""Concurrency, failure propagation and leaks. Every wait has a timeout."""
import os
import random
import threading

import numpy as np
import pytest

from iree_lite import _vm
from iree_lite.vm.errors import VMError

LIT = os.path.join(os.path.dirname(__file__), "lit")


@pytest.mark.parametrize("device", ["local-sync", "local-task"])
def test_eight_threads_share_one_context(device, seed_context):
    ctx = seed_context(device)
    run = ctx.lookup("run")
    errors = []

    def worker(k):
        x = np.full(4096, -float(k + 1), np.float32)
        want = np.float32((k + 1) ** 2)
        for _ in range(1000):
            (r,) = ctx.invoke(run, [x], timeout=10)
            if not np.all(np.asarray(r) == want):
                errors.append(k)
                return
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads) and not errors


def test_failures_injected_into_async_chains_reach_the_final_fence(seed_context):
    ctx = seed_context()
    run = ctx.lookup("run")
    rng = random.Random(0)
    for trial in range(200):
        # A chain of calls, each waiting on the previous one's signal fence,
        # held back by its input fence until the failure is in place.
        length = rng.randint(1, 5)
        first = _vm.Fence()
        wait, fences = first, []
        for _ in range(length):
            signal = _vm.Fence()
            ctx.call_async(run, [np.full(4096, -2.0, np.float32)], wait, signal)
            fences.append(signal)
            wait = signal
        k = rng.randint(-1, length - 1)   # -1 fails the input fence itself
        if k < 0:
            first.fail("ABORTED", f"injected {trial}")
        else:
            fences[k].fail("ABORTED", f"injected {trial}")
            first.signal()
        for i, f in enumerate(fences):
            if i < k:
                assert f.wait(timeout=10)
            else:
                with pytest.raises(VMError, match=f"ABORTED; injected {trial}"):
                    f.wait(timeout=10)


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_seed_pipeline_does_not_leak(seed_context):
    ctx = seed_context()
    run = ctx.lookup("run")
    x = _vm.BufferView.from_bytes(8, (4096,), np.full(4096, -2.0, np.float32))
    for _ in range(100):
        ctx.invoke(run, [x], timeout=10)
    before = rss_bytes()
    for _ in range(10_000):
        ctx.invoke(run, [x], timeout=10)
    assert rss_bytes() - before < 1 << 20
