"""`iree-lite batch --executor=dask`: a manifest on a real Dask cluster
(LocalCluster worker processes, or a scheduler's), with the same progress,
summary and reports as local runs; a worker killed midway costs nothing.
Also run-only entries (no expectations) with their `outputs` saved, on both
executors. Skips without dask.distributed (the `dask` extra)."""
import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import iree_lite
from test_batch import REPO, cli, write_jsonl

SOURCE = """func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = math.absf %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
"""
OK = {"modules": ["m.vmfb"], "function": "f", "inputs": ["4xf32=-1 2 -3 4"], "expected_outputs": ["4xf32=1 2 3 4"]}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("dask")
    (d / "m.vmfb").write_bytes(iree_lite.compile_str(SOURCE, "m.mlir"))
    (d / "out").mkdir()
    return d


def manifest(folder):
    return write_jsonl(folder / "mixed.jsonl", [
        dict(OK, name="ok"),
        dict(OK, name="wrong", expected_outputs=["4xf32=1 2 3 5"]),
        dict(OK, name="missing", modules=["nope.vmfb"], expected_outputs=["4xf32=1"]),
        {"name": "only", "modules": ["m.vmfb"], "function": "f", "inputs": ["4xf32=-5 6 -7 8"],
         "outputs": ["@out/y.npy"]},
    ])


def test_run_only_entries_save_their_outputs_locally(folder):
    rc, out, err = cli("batch", str(manifest(folder)), "--jobs=2")
    assert rc == 1 and out.splitlines()[-1] == "4 runs: 2 passed, 1 failed, 1 error"
    np.testing.assert_array_equal(np.load(folder / "out" / "y.npy"), np.array([5, 6, 7, 8], np.float32))


def test_same_outcome_on_a_local_cluster(folder, tmp_path):
    pytest.importorskip("distributed")
    (folder / "out" / "y.npy").unlink(missing_ok=True)
    reports = []
    for executor in ("local", "dask"):
        report = tmp_path / f"{executor}.json"
        rc, out, err = cli("batch", str(manifest(folder)), "--jobs=2", f"--executor={executor}",
                           f"--report={report}", timeout=300)
        assert rc == 1 and out.splitlines()[-1] == "4 runs: 2 passed, 1 failed, 1 error"
        # The passes (their lines carry timings) in any order: the runs finish in any order.
        assert sorted(err.splitlines()) == sorted([
            "[FAIL] wrong: [FAILED] result[0]: element at index 3 (4) does not match the expected (5); "
            "expected that the view is equal to contents of a view of 4xf32",
            f"[ERROR] missing: NOT_FOUND; failed to open file '{folder / 'nope.vmfb'}'; loading bytecode module at "
            f"'{folder / 'nope.vmfb'}'; loading modules and dependencies; creating run context",
            *(line for line in err.splitlines() if line.startswith("[PASS]"))])
        runs = json.loads(report.read_text())["runs"]
        reports.append([(r["name"], r["status"], r["message"]) for r in runs])
    assert reports[0] == reports[1]
    np.testing.assert_array_equal(np.load(folder / "out" / "y.npy"), np.array([5, 6, 7, 8], np.float32))


def test_a_thousand_runs_survive_a_worker_killed_midway(folder, tmp_path):
    psutil = pytest.importorskip("psutil")
    pytest.importorskip("distributed")
    runs = write_jsonl(folder / "thousand.jsonl", [dict(OK, name=f"r{i}") for i in range(1000)])
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "iree_lite", "batch", str(runs), "--executor=dask", "--jobs=2",
                             f"--report={tmp_path / 'r.json'}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        passed = 0
        while passed < 50:
            line = proc.stderr.readline()
            assert line, "the batch ended before 50 runs"
            passed += line.startswith("[PASS]")
        workers = [p for p in psutil.Process(proc.pid).children(recursive=True)
                   if "spawn_main" in " ".join(p.cmdline())]
        assert len(workers) >= 2
        workers[0].send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert out.splitlines()[-1] == "1000 runs: 1000 passed, 0 failed, 0 errors"
    report = json.loads((tmp_path / "r.json").read_text())
    assert [r["name"] for r in report["runs"]] == [f"r{i}" for i in range(1000)]


def test_a_scheduler_by_address(folder):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster:
        rc, out, err = cli("batch", str(write_jsonl(folder / "one.jsonl", [dict(OK, name="ok")])),
                           "--executor=dask", f"--scheduler={cluster.scheduler_address}", timeout=300)
    assert (rc, err) == (0, "[PASS] ok (" + err.split("(", 1)[1]) and out.splitlines()[-1] == \
        "1 run: 1 passed, 0 failed, 0 errors"


def test_scheduler_needs_the_dask_executor(folder):
    assert cli("batch", str(manifest(folder)), "--scheduler=tcp://127.0.0.1:1") == \
        (1, "", "error: --scheduler names a Dask scheduler: it needs --executor=dask\n")


def test_an_unreachable_scheduler(folder, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "2s")   # not dask's 30 s
    rc, out, err = cli("batch", str(manifest(folder)), "--executor=dask", "--scheduler=tcp://127.0.0.1:9",
                       timeout=300)
    assert rc == 1 and out.splitlines()[-1] == "0 runs: 0 passed, 0 failed, 0 errors; stopped, 4 not run"
    assert err.startswith("error: cannot reach the Dask scheduler 'tcp://127.0.0.1:9': ")


def test_without_dask_the_executor_says_what_to_install(folder, monkeypatch, capsys):
    from iree_lite.tools.cli import main
    monkeypatch.setitem(sys.modules, "distributed", None)   # as if not installed
    assert main(["batch", str(manifest(folder)), "--executor=dask"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "error: --executor=dask needs dask.distributed: pip install 'iree-lite[dask]'\n"
    assert captured.out.splitlines()[-1] == "0 runs: 0 passed, 0 failed, 0 errors; stopped, 4 not run"
