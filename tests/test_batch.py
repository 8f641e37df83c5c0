"""`iree-lite batch`: manifests, pass/fail/error accounting, reports, shards
and manifest errors."""
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import iree_lite

LIT = os.path.join(os.path.dirname(__file__), "lit")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SOURCE = """\
func.func @abs(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = math.absf %x : tensor<4xf32>
  return %r : tensor<4xf32>
}
func.func @add(%a: i32, %b: i32) -> i32 {
  %r = arith.addi %a, %b : i32
  return %r : i32
}
func.func @div(%a: tensor<2xi32>, %b: tensor<2xi32>) -> tensor<2xi32> {
  %r = arith.divsi %a, %b : tensor<2xi32>
  return %r : tensor<2xi32>
}
"""


def cli(*args, timeout=120):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "iree_lite", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """m.vmfb (abs, add, div) and the seed's three modules, async-external."""
    d = tmp_path_factory.mktemp("batch")
    (d / "m.vmfb").write_bytes(iree_lite.compile_str(SOURCE, "m.mlir"))
    for name in ("module_a", "module_b", "pipeline_async"):
        path = os.path.join(LIT, name + ".mlir")
        (d / f"{name}.vmfb").write_bytes(iree_lite.compile_str(open(path).read(), path, "async-external"))
    return d


def write_jsonl(path, runs, header="# written by test_batch\n"):
    path.write_text(header + "".join(json.dumps(r) + "\n" for r in runs))
    return path


ABS_OK = {"name": "abs-ok", "modules": ["m.vmfb"], "function": "abs", "inputs": ["4xf32=-1 2 -3 4"],
          "expected_outputs": ["4xf32=1 2 3 4"]}
ABS_WRONG = {"name": "abs-wrong", "modules": ["m.vmfb"], "function": "abs", "inputs": ["4xf32=-1 2 -3 4"],
             "expected_outputs": ["4xf32=1 2 3 5"]}
SHAPE_ERROR = {"name": "shape-error", "modules": ["m.vmfb"], "function": "abs", "inputs": ["3xf32=1"],
               "expected_error": "input0 shape dimension 0 mismatch"}
DIV_ZERO = {"name": "div-zero", "modules": ["m.vmfb"], "function": "div", "inputs": ["2xi32=4 6", "2xi32=2 0"],
            "expected_outputs": ["2xi32=2 3"]}
MISSING = {"name": "missing", "modules": ["nope.vmfb"], "function": "add", "inputs": ["1", "2"],
           "expected_outputs": ["3"]}
WRONG_ERROR = {"name": "wrong-error", "modules": ["m.vmfb"], "function": "abs", "inputs": ["3xf32=1"],
               "expected_error": "no such text"}
NO_ERROR = {"name": "no-error", "modules": ["m.vmfb"], "function": "add", "inputs": ["1", "2"],
            "expected_error": "anything"}
PIPELINE = {"name": "pipeline", "modules": ["module_a.vmfb", "module_b.vmfb", "pipeline_async.vmfb"],
            "function": "run", "inputs": ["4096xf32=-2"], "expected_outputs": ["4096xf32=4"],
            "device": "local-sync"}
MIXED = [ABS_OK, ABS_WRONG, SHAPE_ERROR, DIV_ZERO, MISSING, WRONG_ERROR, NO_ERROR, PIPELINE]

ABS_FAILURE = ("[FAILED] result[0]: element at index 3 (4) does not match the expected (5); expected that the "
               "view is equal to contents of a view of 4xf32")
DIV_MESSAGE = ("OUT_OF_RANGE; 'arith.divsi': integer division by zero; invoking function 'div'; "
               "`sync func @div(%input0: tensor<2xi32>, %input1: tensor<2xi32>) -> (%output0: tensor<2xi32>)`")
MISSING_MESSAGE = ("NOT_FOUND; failed to open file '{d}/nope.vmfb'; loading bytecode module at '{d}/nope.vmfb'; "
                   "loading modules and dependencies; creating run context")
WRONG_ERROR_MESSAGE = ("expected an error containing 'no such text' but got: INVALID_ARGUMENT; input0 shape dimension "
                       "0 mismatch; expected 4 but have 3; expected shape `4`, actual shape `3`; invoking function "
                       "'abs'; `sync func @abs(%input0: tensor<4xf32>) -> (%output0: tensor<4xf32>)`")
NO_ERROR_MESSAGE = "expected an error containing 'anything' but the run succeeded"
# name, status, the first line of the message
EXPECTED = [("abs-ok", "pass", ""), ("abs-wrong", "fail", ABS_FAILURE), ("shape-error", "pass", ""),
            ("div-zero", "error", DIV_MESSAGE), ("missing", "error", MISSING_MESSAGE),
            ("wrong-error", "fail", WRONG_ERROR_MESSAGE), ("no-error", "fail", NO_ERROR_MESSAGE),
            ("pipeline", "pass", "")]
TIME = r"\d+\.\d ms"


def test_plain_progress_lines_table_and_exit_status(folder):
    manifest = write_jsonl(folder / "mixed.jsonl", MIXED)
    rc, out, err = cli("batch", str(manifest), "--jobs=1")   # one job: lines in manifest order
    assert rc == 1
    lines = err.splitlines()
    assert len(lines) == len(EXPECTED)
    for line, (name, status, message) in zip(lines, EXPECTED):
        if status == "pass":
            assert re.fullmatch(rf"\[PASS\] {name} \({TIME}\)", line), line
        else:
            assert line == f"[{status.upper()}] {name}: {message.format(d=folder)}"
    table = out.splitlines()
    assert table[0].split() == ["NAME", "STATUS", "TIME", "DETAIL"]
    for row, (name, status, message) in zip(table[1:], EXPECTED):
        assert re.fullmatch(rf"{re.escape(name)} +{status.upper()} +{TIME}( +{re.escape(message.format(d=folder))})?",
                            row), row
    assert table[1 + len(EXPECTED):] == ["8 runs: 3 passed, 3 failed, 2 errors"]


def test_all_passing_exits_zero_and_runs_concurrently(folder):
    # 40 runs over two shared contexts, on 8 threads.
    runs = [dict(ABS_OK, name=f"abs-{i}", inputs=[f"4xf32={-i} {i} 0 1"], expected_outputs=[f"4xf32={i} {i} 0 1"])
            for i in range(20)]
    runs += [dict(PIPELINE, name=f"pipeline-{i}", device="local-task") for i in range(20)]
    rc, out, err = cli("batch", str(write_jsonl(folder / "many.jsonl", runs)), "--jobs=8")
    assert rc == 0, err
    assert out.splitlines()[-1] == "40 runs: 40 passed, 0 failed, 0 errors"
    # Finished in any order: one [PASS] line per run.
    assert sorted(line.split()[1] for line in err.splitlines()) == sorted(r["name"] for r in runs)
    assert all(line.startswith("[PASS] ") for line in err.splitlines())


def test_json_report(folder, tmp_path):
    manifest = write_jsonl(folder / "mixed.jsonl", MIXED)
    report = tmp_path / "r.json"
    rc, _, _ = cli("batch", str(manifest), f"--report={report}")
    assert rc == 1
    doc = json.loads(report.read_text())
    assert doc["manifest"] == str(manifest) and doc["shard"] is None
    assert doc["totals"] == {"pass": 3, "fail": 3, "error": 2}
    runs = doc["runs"]
    assert [(r["name"], r["status"]) for r in runs] == [(n, s) for n, s, _ in EXPECTED]
    assert [r["index"] for r in runs] == list(range(8))
    assert [r["line"] for r in runs] == list(range(2, 10))   # after the comment line
    assert all(isinstance(r["seconds"], float) and r["seconds"] >= 0 for r in runs)
    for r, (_, _, message) in zip(runs, EXPECTED):
        assert r["message"].split("\n")[0] == message.format(d=folder)
    # A mismatch's message is iree-run-module's whole [FAILED] text.
    assert runs[1]["message"] == ABS_FAILURE + "\n  expected:\n4xf32=1 2 3 5\n  actual:\n4xf32=1 2 3 4\n"
    assert [f for f in os.listdir(tmp_path)] == ["r.json"]   # written atomically: no temp file left


def test_junit_report(folder, tmp_path):
    manifest = write_jsonl(folder / "mixed.jsonl", MIXED)
    junit = tmp_path / "r.xml"
    assert cli("batch", str(manifest), f"--junit={junit}")[0] == 1
    suite = ET.parse(junit).getroot()
    assert suite.tag == "testsuite"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("8", "3", "2")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [n for n, _, _ in EXPECTED]
    for case, (_, status, message) in zip(cases, EXPECTED):
        children = [(child.tag, child.get("message")) for child in case]
        message = message.format(d=folder)
        want = {"pass": [], "fail": [("failure", message)], "error": [("error", message)]}[status]
        assert children == want
    assert case.get("classname") == str(manifest) and float(case.get("time")) >= 0


def test_expected_error_matches_a_substring_of_load_errors_too(folder):
    run = {k: v for k, v in MISSING.items() if k != "expected_outputs"}
    runs = [dict(run, name="missing-expected", expected_error="failed to open file")]
    rc, out, _ = cli("batch", str(write_jsonl(folder / "experr.jsonl", runs)))
    assert rc == 0 and out.splitlines()[-1] == "1 run: 1 passed, 0 failed, 0 errors"


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_shards_partition_the_manifest(folder, tmp_path, n):
    runs = [dict(ABS_OK, name=f"r{i}") for i in range(7)]
    manifest = write_jsonl(folder / "seven.jsonl", runs)
    seen = []
    for k in range(1, n + 1):
        report = tmp_path / f"r{k}.json"
        rc, out, _ = cli("batch", str(manifest), f"--shard={k}/{n}", f"--report={report}")
        doc = json.loads(report.read_text())
        indices = [r["index"] for r in doc["runs"]]
        assert rc == 0 and doc["shard"] == f"{k}/{n}"
        assert indices == [i for i in range(7) if i % n == k - 1]
        assert [r["name"] for r in doc["runs"]] == [f"r{i}" for i in indices]
        assert out.splitlines()[-1].startswith(f"{len(indices)} run")
        seen += indices
    assert sorted(seen) == list(range(7))   # every run in exactly one shard


def test_bad_shard_and_jobs_are_usage_errors(folder):
    manifest = write_jsonl(folder / "one.jsonl", [ABS_OK])
    for flag, message in (("--shard=0/2", "'0/2' is not K/N with 1 <= K <= N"),
                          ("--shard=3/2", "'3/2' is not K/N with 1 <= K <= N"),
                          ("--shard=1", "'1' is not K/N with 1 <= K <= N"),
                          ("--jobs=0", "'0' is not a positive integer"),
                          ("--timeout=0", "'0' is not a positive number of seconds"),
                          ("--timeout=soon", "'soon' is not a positive number of seconds"),
                          ("--timeout=inf", "'inf' is not a positive number of seconds")):
        rc, _, err = cli("batch", str(manifest), flag)
        assert rc == 2 and message in err


def test_default_names_count_entries_not_lines(folder):
    runs = [{k: v for k, v in r.items() if k != "name"} for r in (ABS_OK, ABS_OK)]
    manifest = folder / "unnamed.jsonl"
    manifest.write_text("# two runs\n\n" + json.dumps(runs[0]) + "\n# between\n" + json.dumps(runs[1]) + "\n")
    rc, out, _ = cli("batch", str(manifest), "--jobs=1")
    assert rc == 0 and [row.split()[0] for row in out.splitlines()[1:3]] == ["run-1", "run-2"]


def test_toml_manifest_and_files_relative_to_it(folder, tmp_path):
    np = pytest.importorskip("numpy")
    np.save(folder / "x.npy", np.array([-1.5, 2, -3, 0], dtype=np.float32))
    (folder / "y.bin").write_bytes(np.array([1.5, 2, 3, 0], dtype=np.float32).tobytes())
    manifest = folder / "runs.toml"
    manifest.write_text('# a TOML manifest\n[[run]]\nname = "npy"\nmodules = ["m.vmfb"]\nfunction = "abs"\n'
                        'inputs = ["@x.npy"]\nexpected_outputs = ["4xf32=@y.bin"]\n\n'
                        '[[run]]\nmodules = ["m.vmfb"]\nfunction = "add"\ninputs = ["2", "3"]\n'
                        'expected_outputs = ["6"]\n')
    report = tmp_path / "r.json"
    rc, out, err = cli("batch", str(manifest), f"--report={report}", "--jobs=1")
    assert rc == 1
    assert err.splitlines()[1] == "[FAIL] run-2: [FAILED] result[0]: value i32=5 does not match the expected i32=6"
    doc = json.loads(report.read_text())
    assert [(r["name"], r["status"], r["line"]) for r in doc["runs"]] == [("npy", "pass", 2), ("run-2", "fail", 9)]


def test_comparison_flags_apply_to_every_run(folder):
    manifest = write_jsonl(folder / "close.jsonl", [dict(ABS_OK, expected_outputs=["4xf32=1 2 3 4.25"])])
    assert cli("batch", str(manifest))[0] == 1
    assert cli("batch", str(manifest), "--expected_f32_threshold=0.5")[0] == 0


def test_flagfile(folder, tmp_path):
    manifest = write_jsonl(folder / "one.jsonl", [ABS_OK])
    flags = tmp_path / "flags"
    flags.write_text(f"# batch flags\n--jobs=1\n--report={tmp_path / 'r.json'}\n")
    rc, out, _ = cli("batch", f"--flagfile={flags}", str(manifest))
    assert rc == 0 and json.loads((tmp_path / "r.json").read_text())["totals"] == {"pass": 1, "fail": 0, "error": 0}


def test_unwritable_report(folder):
    manifest = write_jsonl(folder / "one.jsonl", [ABS_OK])
    rc, out, err = cli("batch", str(manifest), "--report=/nonexistent/dir/r.json")
    assert rc == 1 and out.splitlines()[-1] == "1 run: 1 passed, 0 failed, 0 errors"
    assert err.splitlines()[-1] == "error: cannot write report '/nonexistent/dir/r.json': No such file or directory"


VALID = '{"modules": ["m.vmfb"], "expected_outputs": []}'


@pytest.mark.parametrize("name,content,message", [
    ("bad.jsonl", f'{VALID}\n\n{{"modules": ["m.vmfb"], }}\n',
     "3: error: invalid JSON: Expecting property name enclosed in double quotes (column 25)"),
    ("list.jsonl", "# c\n[1, 2]\n", "2: error: a run must be a JSON object, not list"),
    ("unknown.jsonl", f'{VALID}\n{{"modules": ["m.vmfb"], "expected_outputs": [], "colour": 1}}\n',
     "2: error: unknown key 'colour'; expected name, modules, function, inputs, expected_outputs, "
     "expected_error, outputs, device, timeout"),
    ("nomodules.jsonl", '{"expected_outputs": []}\n', "1: error: missing key 'modules'"),
    ("emptymodules.jsonl", '{"modules": [], "expected_outputs": []}\n',
     "1: error: 'modules' must be a non-empty list of module paths, not []"),
    ("type.jsonl", '{"modules": "m.vmfb", "expected_outputs": []}\n',
     "1: error: 'modules' must be a non-empty list of module paths, not \"m.vmfb\""),
    ("inputs.jsonl", '{"modules": ["m.vmfb"], "inputs": [1], "expected_outputs": []}\n',
     "1: error: 'inputs' must be a list of strings, not [1]"),
    ("both.jsonl", '{"modules": ["m.vmfb"], "expected_outputs": [], "expected_error": "x"}\n',
     "1: error: a run has at most one of 'expected_outputs' and 'expected_error'"),
    ("outputs.jsonl", '{"modules": ["m.vmfb"], "outputs": ["y.npy"]}\n',
     "1: error: 'outputs' must be a list of @file / +file outputs (.npy or raw .bin), not [\"y.npy\"]"),
    ("timeout.jsonl", '{"modules": ["m.vmfb"], "expected_outputs": [], "timeout": 0}\n',
     "1: error: 'timeout' must be a positive number of seconds, not 0"),
    ("timeout-text.jsonl", '{"modules": ["m.vmfb"], "expected_outputs": [], "timeout": "5"}\n',
     "1: error: 'timeout' must be a positive number of seconds, not \"5\""),
    ("timeout-bool.jsonl", '{"modules": ["m.vmfb"], "expected_outputs": [], "timeout": true}\n',
     "1: error: 'timeout' must be a positive number of seconds, not true"),
    ("device.jsonl", '{"modules": ["m.vmfb"], "expected_outputs": [], "device": "cuda"}\n',
     "1: error: unknown device 'cuda'; expected local-sync or local-task"),
    ("dup.jsonl", '{"name": "x", "modules": ["m.vmfb"], "expected_outputs": []}\n'
                  '{"name": "x", "modules": ["m.vmfb"], "expected_outputs": []}\n',
     "2: error: duplicate run name 'x' (first at line 1)"),
    ("empty.jsonl", "# nothing here\n", "1: error: the manifest has no runs"),
    ("bad.toml", '[[run]]\nmodules = ["m.vmfb"]\nexpected_outputs = [\n', "3: error: invalid TOML: Invalid value"),
    ("dupkey.toml", '[[run]]\nmodules = ["m.vmfb"]\nmodules = 3\n', "3: error: invalid TOML: Cannot overwrite a value"),
    ("type.toml", '[[run]]\nmodules = ["m.vmfb"]\nexpected_outputs = []\n\n[[run]]\nmodules = ["m.vmfb"]\n'
                  'expected_outputs = "4xf32=1"\n', "5: error: 'expected_outputs' must be a list of strings, not "
                                                     "\"4xf32=1\""),
    ("top.toml", 'title = "x"\n[[run]]\nmodules = ["m.vmfb"]\n',
     "1: error: unknown table or key 'title'; a TOML manifest holds [[run]] tables"),
])
def test_bad_manifests(folder, name, content, message):
    path = folder / name
    path.write_text(content)
    rc, out, err = cli("batch", str(path))
    assert (rc, out, err) == (1, "", f"{path}:{message}\n")


def test_unreadable_manifest(tmp_path):
    rc, out, err = cli("batch", str(tmp_path / "none.jsonl"))
    assert (rc, out, err) == (1, "", f"{tmp_path / 'none.jsonl'}: error: cannot read manifest: No such file or "
                                     "directory\n")
    (tmp_path / "bin.jsonl").write_bytes(b'{"modules": []}\n\xff\n')
    rc, _, err = cli("batch", str(tmp_path / "bin.jsonl"))
    assert (rc, err) == (1, f"{tmp_path / 'bin.jsonl'}:2: error: manifest is not UTF-8 text\n")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_terminal(folder, monkeypatch, capsys):
    from iree_lite.tools.cli import main
    manifest = write_jsonl(folder / "three.jsonl", [ABS_OK, ABS_WRONG, PIPELINE])
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["batch", str(manifest), "--jobs=1"]) == 1
    # One bar, redrawn in place after each run, and a newline at the end.
    assert terminal.getvalue() == ("\r[##########....................] 1/3  1 passed, 0 failed, 0 errors"
                                   "\r[####################..........] 2/3  1 passed, 1 failed, 0 errors"
                                   "\r[##############################] 3/3  2 passed, 1 failed, 0 errors\n")
    assert capsys.readouterr().out.splitlines()[-1] == "3 runs: 2 passed, 1 failed, 0 errors"


def test_topology_flags_reach_every_local_task_context(folder):
    # Zero workers is refused when a local-task context is created; local-sync has none.
    manifest = write_jsonl(folder / "topology.jsonl", [ABS_OK, PIPELINE])
    rc, out, err = cli("batch", str(manifest), "--jobs=1", "--task_topology_group_count=0")
    assert rc == 1 and out.splitlines()[-1] == "2 runs: 1 passed, 0 failed, 1 error"
    assert err.splitlines()[0] == ("[ERROR] abs-ok: INVALID_ARGUMENT; local-task needs at least one worker, got 0; "
                                   "creating run context")
    assert cli("batch", str(manifest), "--task_topology_group_count=1")[0] == 0
