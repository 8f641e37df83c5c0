"""Every allocation the native VM makes in a call is checked: with
tests/native/fail_alloc.c preloaded, tests/alloc_failures_run.py fails each
allocation of each workload in turn (module load, worker pool, fences and
their waiters, parallel loops, buffers, traces), and each call ends in its
right result or a clean out-of-memory error, never a crash or a hang."""
import os
import subprocess
import sys

from native_build import build_native

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORKLOADS = [f"{w}-{d}" for d in ("local-task", "local-sync")
             for w in ("seed", "traced-seed", "matmul-softmax", "conv", "pool", "reduce-erf", "i8-f16-matmul")]


def test_each_allocation_of_a_call_may_fail(tmp_path):
    shim = build_native("fail_alloc", tmp_path, shared=True)
    run = subprocess.run([sys.executable, os.path.join(HERE, "alloc_failures_run.py")], capture_output=True,
                         text=True, timeout=600, env=dict(os.environ, LD_PRELOAD=shim, PYTHONPATH=REPO))
    assert run.returncode == 0, run.stdout + run.stderr
    failed = {name: int(k) for name, k, _ in (line.split() for line in run.stdout.splitlines())}
    assert list(failed) == WORKLOADS
    # Each call allocates (the shim reaches the VM), the async ones dozens of times.
    assert all(k > 0 for k in failed.values()) and failed["seed-local-task"] > 20, failed
