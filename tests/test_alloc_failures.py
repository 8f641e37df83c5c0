"""Every allocation the native VM makes in a call is checked: with
tests/native/fail_alloc.c preloaded, tests/alloc_failures_run.py fails each
allocation of each workload in turn (module load, worker pool, fences and
their waiters, parallel loops, buffers, traces), and each call ends in its
right result or a clean out-of-memory error, never a crash or a hang; and
a tool run whose k-th allocation fails ends in a one-line error."""
import os
import subprocess
import sys

from native_build import build_native

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORKLOADS = [f"{w}-{d}" for d in ("local-task", "local-sync")
             for w in ("seed", "traced-seed", "matmul-softmax", "conv", "conv-chunks", "pool", "reduce-erf",
                       "i8-f16-matmul")]


def test_each_allocation_of_a_call_may_fail(tmp_path):
    shim = build_native("fail_alloc", tmp_path, shared=True)
    run = subprocess.run([sys.executable, os.path.join(HERE, "alloc_failures_run.py")], capture_output=True,
                         text=True, timeout=600, env=dict(os.environ, LD_PRELOAD=shim, PYTHONPATH=REPO))
    assert run.returncode == 0, run.stdout + run.stderr
    failed = {name: int(k) for name, k, _ in (line.split() for line in run.stdout.splitlines())}
    assert list(failed) == WORKLOADS
    # Each call allocates (the shim reaches the VM), the async ones dozens of times.
    assert all(k > 0 for k in failed.values()) and failed["seed-local-task"] > 20, failed


def test_run_module_out_of_memory_is_a_clean_error(tmp_path):
    """iree-lite run-module on the seed, its VM's k-th allocation failing
    for k = 1..60 (the run makes about 50): exit 1 with one line naming
    what it could not allocate (at load: `error: ...`; in the call, IREE's
    `RESOURCE_EXHAUSTED; ...`), or success where the VM worked around it."""
    shim = build_native("fail_alloc", tmp_path, shared=True)
    modules = []
    for name in ("module_a", "module_b", "pipeline_async"):
        modules.append(str(tmp_path / f"{name}.vmfb"))
        subprocess.run([sys.executable, "-m", "iree_lite", "compile", "--iree-execution-model=async-external",
                        os.path.join(HERE, "lit", f"{name}.mlir"), "-o", modules[-1]], check=True,
                       env=dict(os.environ, PYTHONPATH=REPO))
    # Two workers on any machine: each worker adds allocations, and 16 of them take the run past k = 60.
    command = [sys.executable, "-m", "iree_lite", "run-module", "--device=local-task", "--task_topology_group_count=2",
               *(f"--module={m}" for m in modules), "--function=run", "--input=4096xf32=-2.0",
               "--expected_output=4096xf32=4.0"]
    outcomes = []
    for k in range(1, 61):
        run = subprocess.run(command, capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, LD_PRELOAD=shim, LITE_FAIL_ALLOC_AT=str(k), PYTHONPATH=REPO))
        if run.returncode == 0:
            assert "[SUCCESS]" in run.stdout, (k, run.stdout)
        else:
            (line,) = run.stderr.splitlines()
            assert run.returncode == 1 and "internal error" not in line, (k, line)
            assert line.startswith(("error: out of memory", "RESOURCE_EXHAUSTED; out of memory",
                                    "error: cannot start worker threads")), (k, line)
        outcomes.append(run.returncode)
    # Load, context and call each failed somewhere; past the last allocation all succeed.
    assert outcomes.count(1) > 20 and outcomes[-5:] == [0] * 5, outcomes
