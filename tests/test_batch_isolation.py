"""`iree-lite batch` isolates its runs: a crashing run and a never-ending one
cost only themselves, Ctrl-C still yields reports, and one module file
spelled many ways loads once."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

import iree_lite
from test_batch import ABS_OK, ABS_WRONG, REPO, SOURCE, TIME, cli, write_jsonl
from tool_runs import sigint_at_default

# The loop's condition, x >= n, holds forever: it never ends.
SPIN_SOURCE = """\
func.func @spin(%n: i32) -> i32 {
  %c1 = arith.constant 1 : i32
  %r = scf.while (%x = %n) : (i32) -> i32 {
    %more = arith.cmpi sge, %x, %n : i32
    scf.condition(%more) %x : i32
  } do {
  ^bb0(%y: i32):
    %z = arith.muli %y, %c1 : i32
    scf.yield %z : i32
  }
  return %r : i32
}
"""
SPIN = {"name": "spin", "modules": ["spin.vmfb"], "function": "spin", "inputs": ["1"], "expected_outputs": ["1"]}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("isolation")
    (d / "m.vmfb").write_bytes(iree_lite.compile_str(SOURCE, "m.mlir"))
    (d / "spin.vmfb").write_bytes(iree_lite.compile_str(SPIN_SOURCE, "spin.mlir"))
    return d


@pytest.fixture
def start_batch():
    """A factory: the batch started as its own process group, as a shell
    starts a job (Ctrl-C at a terminal signals the whole group); whatever
    the test does, the group is killed at its end."""
    started = []

    def start(*args):
        env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
        started.append(subprocess.Popen([sys.executable, "-m", "iree_lite", "batch", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=env, process_group=0,
                                        preexec_fn=sigint_at_default))
        return started[-1]
    yield start
    for proc in started:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()


def stat(pid):
    """(state, parent pid, CPU ticks) of a process, from /proc; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    return fields[0], int(fields[1]), int(fields[11]) + int(fields[12])


def workers_of(pid):
    """The batch worker processes that `pid` started."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat(entry) or (None, None))[1] == pid:
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if b"iree_lite.tools.batch_worker" in f.read():
                        found.append(int(entry))
            except FileNotFoundError:
                pass
    return found


def gone(pid):
    state = stat(pid)
    return state is None or state[0] in "ZX"


def wait_for(condition, what, seconds=60):
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.02)


def spinning_worker(proc):
    """Once the first run has passed (so its one worker is past starting),
    the worker that then burns CPU time is on the never-ending run: an idle
    worker waits without using any."""
    assert re.fullmatch(rf"\[PASS\] abs-ok \({TIME}\)\n", proc.stderr.readline())
    [worker] = workers_of(proc.pid)
    ticks = stat(worker)[2]
    wait_for(lambda: stat(worker)[2] >= ticks + 20, "the worker to run the never-ending run")
    return worker


def test_a_crashing_run_costs_only_its_worker(folder, tmp_path, start_batch):
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    manifest = write_jsonl(folder / "crash.jsonl", [ABS_OK, SPIN, ABS_WRONG])
    proc = start_batch(str(manifest), "--jobs=1", f"--report={report}", f"--junit={junit}")
    worker = spinning_worker(proc)
    os.kill(worker, signal.SIGSEGV)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.splitlines() == ["[ERROR] spin: crashed (signal 11)",
                                "[FAIL] abs-wrong: [FAILED] result[0]: element at index 3 (4) does not match the "
                                "expected (5); expected that the view is equal to contents of a view of 4xf32"]
    assert out.splitlines()[-1] == "3 runs: 1 passed, 1 failed, 1 error"
    assert re.fullmatch(rf"spin +ERROR +{TIME} +crashed \(signal 11\)", out.splitlines()[2])
    doc = json.loads(report.read_text())
    assert doc["interrupted"] is False and doc["not_run"] == []
    assert [(r["name"], r["status"]) for r in doc["runs"]] == [("abs-ok", "pass"), ("spin", "error"),
                                                                ("abs-wrong", "fail")]
    assert doc["runs"][1]["message"] == "crashed (signal 11)"
    # The crashed worker was replaced: two started, m.vmfb loaded again by the second.
    assert doc["stats"] == {"workers_started": 2, "contexts_loaded": 3}
    [case] = [c for c in ET.parse(junit).getroot() if c.get("name") == "spin"]
    assert [(e.tag, e.get("message")) for e in case] == [("error", "crashed (signal 11)")]


@pytest.mark.parametrize("timeouts,flags,limit", [
    ({"spin": 2}, [], "2"),                        # the entry's key
    ({}, ["--timeout=2"], "2"),                    # the default for every entry
    ({"spin": 1.5}, ["--timeout=30"], "1.5"),      # the key wins over the flag
])
def test_a_run_past_its_timeout_ends_with_deadline_exceeded(folder, tmp_path, timeouts, flags, limit):
    runs = [dict(r, **({"timeout": timeouts[r["name"]]} if r["name"] in timeouts else {}))
            for r in (ABS_OK, SPIN, ABS_WRONG)]
    report = tmp_path / "r.json"
    rc, out, err = cli("batch", str(write_jsonl(folder / "timeout.jsonl", runs)), "--jobs=2", f"--report={report}",
                       *flags)
    assert rc == 1
    assert f"[ERROR] spin: DEADLINE_EXCEEDED; run exceeded its timeout of {limit} s" in err.splitlines()
    assert out.splitlines()[-1] == "3 runs: 1 passed, 1 failed, 1 error"
    runs = json.loads(report.read_text())["runs"]
    assert [(r["name"], r["status"]) for r in runs] == [("abs-ok", "pass"), ("spin", "error"), ("abs-wrong", "fail")]
    assert runs[1]["seconds"] >= float(limit)


def test_a_timeout_can_be_the_expected_error(folder):
    runs = [dict(SPIN, name="spin-expected", timeout=0.5, expected_error="DEADLINE_EXCEEDED")]
    del runs[0]["expected_outputs"]
    rc, out, err = cli("batch", str(write_jsonl(folder / "expected.jsonl", runs)))
    assert rc == 0 and out.splitlines()[-1] == "1 run: 1 passed, 0 failed, 0 errors"


def test_ctrl_c_writes_reports_marked_interrupted(folder, tmp_path, start_batch):
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    manifest = write_jsonl(folder / "interrupt.jsonl", [ABS_OK, SPIN, ABS_WRONG])
    proc = start_batch(str(manifest), "--jobs=1", f"--report={report}", f"--junit={junit}")
    worker = spinning_worker(proc)
    with open(f"/proc/{worker}/status") as f:   # Ctrl-C at a terminal signals the worker too: it ignores it
        ignored = int(next(line for line in f if line.startswith("SigIgn:")).split()[1], 16)
    assert ignored & 1 << (signal.SIGINT - 1)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err == "error: interrupted\n"
    assert out.splitlines()[-1] == "1 run: 1 passed, 0 failed, 0 errors; interrupted, 2 not run"
    assert gone(worker)
    doc = json.loads(report.read_text())
    assert doc["interrupted"] is True and doc["totals"] == {"pass": 1, "fail": 0, "error": 0}
    assert [r["name"] for r in doc["runs"]] == ["abs-ok"]
    assert doc["not_run"] == [{"name": "spin", "index": 1, "line": 3}, {"name": "abs-wrong", "index": 2, "line": 4}]
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("skipped")) == ("3", "2")
    assert [(p.get("name"), p.get("value")) for p in suite.find("properties")] == [("interrupted", "true")]
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["abs-ok", "spin", "abs-wrong"]
    assert [[(e.tag, e.get("message")) for e in c] for c in cases] == [
        [], [("skipped", "not run: the batch was interrupted")], [("skipped", "not run: the batch was interrupted")]]


def test_workers_die_with_the_batch(folder, start_batch):
    manifest = write_jsonl(folder / "killed.jsonl", [ABS_OK, SPIN])
    proc = start_batch(str(manifest), "--jobs=1")
    worker = spinning_worker(proc)
    proc.kill()
    proc.wait(timeout=60)
    wait_for(lambda: gone(worker), "the worker to end", seconds=10)


def test_one_module_file_spelled_3000_ways_loads_once(folder, tmp_path):
    (folder / "sub").mkdir(exist_ok=True)
    for link, target in (("link.vmfb", "m.vmfb"), ("linkdir", ".")):
        if not (folder / link).exists():
            os.symlink(target, folder / link)
    # Run i = 10k + 5a + b: k times "./", relative (a = 0) or absolute (a = 1), the b-th spelling.
    spellings = ["m.vmfb", "sub/../m.vmfb", "link.vmfb", "linkdir/m.vmfb", "linkdir/sub/../link.vmfb"]
    runs = [dict(ABS_OK, name=f"abs-{i}", modules=[(f"{folder}/" if i // 5 % 2 else "") + "./" * (i // 10)
                                                   + spellings[i % 5]]) for i in range(3000)]
    assert len({r["modules"][0] for r in runs}) == 3000
    report = tmp_path / "r.json"
    rc, out, _ = cli("batch", str(write_jsonl(folder / "spellings.jsonl", runs)), "--jobs=1", f"--report={report}")
    assert rc == 0 and out.splitlines()[-1] == "3000 runs: 3000 passed, 0 failed, 0 errors"
    assert json.loads(report.read_text())["stats"] == {"workers_started": 1, "contexts_loaded": 1}


def test_a_worker_that_cannot_start_stops_the_batch_with_reports(folder, tmp_path, monkeypatch, capsys):
    from iree_lite.tools.cli import main
    monkeypatch.setattr(sys, "executable", "/bin/false")   # a Python that cannot run the worker
    report = tmp_path / "r.json"
    assert main(["batch", str(write_jsonl(folder / "nostart.jsonl", [ABS_OK])), f"--report={report}"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "error: a batch worker exited with status 1 before it was ready\n"
    assert captured.out.splitlines()[-1] == "0 runs: 0 passed, 0 failed, 0 errors; stopped, 1 not run"
    doc = json.loads(report.read_text())
    assert (doc["interrupted"], doc["stopped"]) == (False, "a batch worker exited with status 1 before it was ready")
    assert doc["not_run"] == [{"name": "abs-ok", "index": 0, "line": 2}]


def test_a_worker_that_cannot_be_started(folder, monkeypatch, capsys):
    from iree_lite.tools.cli import main
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    assert main(["batch", str(write_jsonl(folder / "noexec.jsonl", [ABS_OK]))]) == 1
    captured = capsys.readouterr()
    assert captured.err == "error: cannot start a batch worker: /nonexistent/python: No such file or directory\n"
    assert captured.out.splitlines()[-1] == "0 runs: 0 passed, 0 failed, 0 errors; stopped, 1 not run"
