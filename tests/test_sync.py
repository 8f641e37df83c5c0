"""Semaphores, fences, the worker pool and the coarse-fences ABI.

Every wait has a timeout, so a regression fails instead of hanging.
"""
import os
import threading
import time

import numpy as np
import pytest

from iree_lite import _vm
from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm.errors import VMError

LIT = os.path.join(os.path.dirname(__file__), "lit")


def later(fn, delay=0.05):
    t = threading.Timer(delay, fn)
    t.start()
    return t


def test_semaphore_timeline():
    s = _vm.Semaphore(0)
    assert not s.wait(1, timeout=0)
    s.signal(3)
    assert s.query() == 3
    assert s.wait(2, timeout=1) and s.wait(3, timeout=1)   # waiting again is allowed
    with pytest.raises(VMError, match="must increase"):
        s.signal(3)
    assert not s.wait(4, timeout=0.05)


def test_wait_before_signal_from_another_thread():
    s = _vm.Semaphore(0)
    t = later(lambda: s.signal(1))
    assert s.wait(1, timeout=5)
    t.join()


def test_failure_is_sticky_and_first_wins():
    s = _vm.Semaphore(0)
    results = []

    def waiter():
        try:
            s.wait(1, timeout=5)
            results.append("reached")
        except VMError as e:
            results.append(str(e))
    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.05)
    s.fail("ABORTED", "first")
    s.fail("INTERNAL", "second")
    t.join(5)
    assert results == ["ABORTED; first"]
    with pytest.raises(VMError, match="ABORTED; first"):
        s.wait(1, timeout=1)
    with pytest.raises(VMError, match="failed semaphore"):
        s.signal(2)


def test_fence_join_and_insert_keep_the_larger_value():
    a, b = _vm.Semaphore(0), _vm.Semaphore(0)
    f = _vm.Fence.at(a, 1)
    f.insert(a, 2)
    joined = _vm.Fence.join(f, _vm.Fence.at(b, 1))
    assert joined.timepoints == 2
    a.signal(1)
    b.signal(1)
    assert not joined.is_reached          # a must reach 2
    a.signal(2)
    assert joined.wait(timeout=1) and joined.is_reached


def test_empty_fence_is_reached_and_fence_failure():
    assert _vm.Fence(False).wait(timeout=0)
    f = _vm.Fence()
    assert not f.wait(timeout=0.01)
    f.fail("CANCELLED", "stop")
    with pytest.raises(VMError, match="CANCELLED; stop"):
        f.wait(timeout=1)


@pytest.mark.parametrize("workers", [1, 2, 7])
@pytest.mark.parametrize("n,grain", [(0, 4), (1, 4), (3, 4), (4, 4), (5, 4), (8, 4), (100_003, 64)])
def test_parallel_loops_cover_every_item_once(workers, n, grain):
    pool = _vm.WorkerPool(workers)
    total, threads = pool._parallel_sum(n, grain)
    assert total == n * (n - 1) // 2
    assert threads <= workers


def test_parallel_loop_uses_several_threads():
    pool = _vm.WorkerPool(4)
    # Whether a worker wakes before the caller has taken every chunk depends
    # on the scheduler (a loaded machine may starve the workers): retry.
    assert any(pool._parallel_sum(4_000_000, 1000)[1] >= 2 for _ in range(200))


def test_pool_from_many_python_threads():
    pool = _vm.WorkerPool(3)
    errors = []

    def run():
        for n in range(200):
            if pool._parallel_sum(n * 37, 16)[0] != (n * 37) * (n * 37 - 1) // 2:
                errors.append(n)
    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors


QUIESCE_FROM_TWO_THREADS = """
import os, sys, threading
from iree_lite.runtime.context import Context
ctx = Context("local-task", {workers})
ctx.enable_trace()
def read():
    for _ in range(2000):
        ctx.native.read_trace()
threads = [threading.Thread(target=read, daemon=True) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join(30)
print("hung" if any(t.is_alive() for t in threads) else "done", flush=True)
os._exit(0)
"""


@pytest.mark.parametrize("workers", [2, 3])
def test_pool_quiesced_from_two_threads_at_once(workers):
    """Reading the trace waits for the workers to be idle: a barrier task
    per worker. Two readers at once take turns; interleaved, their barriers
    each held some of the workers waiting for the others (a hang)."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", QUIESCE_FROM_TWO_THREADS.format(workers=workers)],
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "done", out.stderr


def test_fork_child_creates_a_new_pool():
    _vm.WorkerPool(2)._parallel_sum(1000, 10)
    pid = os.fork()
    if pid == 0:   # child: exit status tells the parent whether it worked
        ok = _vm.WorkerPool(2)._parallel_sum(10_000, 100)[0] == 10_000 * 9_999 // 2
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0


# -- the coarse-fences ABI ----------------------------------------------------

def test_async_call_waits_for_its_wait_fence(seed_context):
    ctx = seed_context()
    run = ctx.lookup("run")
    wait, signal = _vm.Fence(), _vm.Fence()
    (result,) = ctx.call_async(run, [np.full(4096, -2.0, np.float32)], wait, signal)
    # The call returned; its work is queued behind `wait`.
    assert not signal.wait(timeout=0.1)
    wait.signal()
    assert signal.wait(timeout=5)
    assert np.all(np.asarray(result) == 4.0)


def test_failed_wait_fence_fails_the_signal_fence(seed_context):
    ctx = seed_context()
    wait, signal = _vm.Fence(), _vm.Fence()
    ctx.call_async(ctx.lookup("run"), [np.full(4096, -2.0, np.float32)], wait, signal)
    wait.fail("ABORTED", "upstream failed")
    with pytest.raises(VMError, match="ABORTED; upstream failed"):
        signal.wait(timeout=5)


def test_async_pipeline_on_both_devices(seed_context):
    for device, workers in (("local-sync", None), ("local-task", 1), ("local-task", 7)):
        ctx = seed_context(device, workers)
        for _ in range(20):
            (r,) = ctx.invoke("run", [np.full(4096, -3.0, np.float32)], timeout=5)
            assert np.all(np.asarray(r) == 9.0)


def test_output_storage_is_written_in_place(seed_context):
    ctx = seed_context()
    lhs = np.arange(4096, dtype=np.float32)
    out = _vm.BufferView.from_bytes(8, (4096,), np.zeros(4096, np.float32))
    (result,) = ctx.invoke(ctx.lookup("mul", module="module_b"), [lhs, lhs, out], timeout=5)
    assert result is not out and np.asarray(result).ctypes.data == np.asarray(out).ctypes.data
    assert np.array_equal(np.asarray(out), lhs * lhs)


def test_storage_of_the_wrong_size_is_rejected_at_the_call(seed_context):
    ctx = seed_context()
    mul = ctx.lookup("mul", module="module_b")
    small = _vm.BufferView.from_bytes(8, (2,), np.zeros(2, np.float32))
    x = np.ones(4096, np.float32)
    with pytest.raises(VMError, match="input2 shape dimension 0 mismatch; expected 4096 but have 2"):
        ctx.invoke(mul, [x, x, small])


def test_import_errors_name_module_and_function():
    ctx = Context("local-sync")
    path = os.path.join(LIT, "pipeline_async.mlir")
    with pytest.raises(VMError, match="required module 'module_a' not available.*resolving dependencies for "
                                      "'pipeline_async'"):
        ctx.load(compile_module(open(path).read(), path, "async-external"))
    ctx.load(compile_module("func.func @other() { return }", "module_a.mlir"))
    with pytest.raises(VMError, match="no function 'abs' exported by module 'module_a'"):
        ctx.load(compile_module(open(path).read(), path, "async-external"))


def test_import_calling_convention_must_match():
    ctx = Context("local-sync")
    a = os.path.join(LIT, "module_a.mlir")
    ctx.load(compile_module(open(a).read(), a, "host-only"))     # sync abs
    path = os.path.join(LIT, "pipeline_async.mlir")
    with pytest.raises(VMError, match="calling convention mismatch"):
        ctx.load(compile_module(open(path).read(), path, "async-external"))


@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2)])
def test_output_storage_may_alias_the_inputs(device, workers, seed_context):
    ctx = seed_context(device, workers)
    x = np.linspace(-3, 3, 4096, dtype=np.float32)
    buf = _vm.BufferView.from_bytes(8, (4096,), x)
    (result,) = ctx.invoke(ctx.lookup("mul", module="module_b"), [buf, buf, buf], timeout=5)
    assert np.array_equal(np.asarray(result), x * x)


def test_idle_workers_watch_briefly_then_sleep():
    # A worker watches the queue for a millisecond after its
    # last task, then sleeps: an idle pool holds no CPU.
    pool = _vm.WorkerPool(7)
    pool._parallel_sum(4_000_000, 1000)
    time.sleep(0.2)
    before = time.process_time()
    time.sleep(1.0)
    assert time.process_time() - before < 0.2
