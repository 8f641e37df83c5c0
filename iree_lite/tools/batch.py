"""`iree-lite batch MANIFEST`: many run-module calls from one manifest, run
concurrently in worker processes, with a summary table and JSON / JUnit
reports.

A manifest is JSON lines (one object a line; blank and `#` lines skipped) or,
for a `.toml` file, `[[run]]` tables. Paths in it (modules, `@file` inputs)
are relative to the manifest's folder; module paths are resolved (symlinks,
`..`), so each distinct device and module file list is one group, loaded
once per worker that runs it (batch_pool, batch_worker).
"""
import json
import math
import os
import sys
from dataclasses import dataclass, field

# key: (check, what the error says the value must be)
_NONEMPTY = (lambda v: isinstance(v, str) and v != "", "a non-empty string")
_STRINGS = (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of strings")
_MODULES = (lambda v: _STRINGS[0](v) and len(v) > 0 and all(v), "a non-empty list of module paths")
_SECONDS = (lambda v: type(v) in (int, float) and 0 < v < math.inf, "a positive number of seconds")
_FILES = (lambda v: _STRINGS[0](v) and all(x[:1] in ("@", "+") and len(x) > 1 for x in v),
          "a list of @file / +file outputs (.npy or raw .bin)")
KEYS = {"name": _NONEMPTY, "modules": _MODULES, "function": _NONEMPTY, "inputs": _STRINGS,
        "expected_outputs": _STRINGS, "expected_error": _NONEMPTY, "outputs": _FILES, "device": _NONEMPTY,
        "timeout": _SECONDS}
STATUSES = ("pass", "fail", "error")


class ManifestError(Exception):
    """`MANIFEST:LINE: error: message` (no line when the file is unreadable)."""

    def __init__(self, path, line, message):
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: error: {message}")


@dataclass
class Run:
    index: int          # 0-based position in the manifest (what --shard splits)
    line: int
    name: str
    modules: tuple      # real paths (the manifest's folder, symlinks and `..` resolved)
    device: str = "local-task"
    function: str = None
    inputs: list = field(default_factory=list)
    expected_outputs: list = None
    expected_error: str = None
    outputs: list = None    # where its results are written (`@y.npy`), in order
    timeout: float = None   # seconds; None: --timeout's


@dataclass
class Result:
    run: Run
    status: str         # pass; fail: a wrong result or not the expected error; error: an unexpected one
    seconds: float
    message: str = ""

    @property
    def detail(self):
        return self.message.strip().split("\n", 1)[0]


# -- the manifest -------------------------------------------------------------

def load_manifest(path):
    """The runs of a manifest, in order; ManifestError if it is not valid."""
    try:
        from ..fileio import open_input
        with open_input(path) as f:
            data = f.read()
        text = data.decode("utf-8")
    except OSError as e:
        raise ManifestError(path, None, f"cannot read manifest: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise ManifestError(path, data[:e.start].count(b"\n") + 1, "manifest is not UTF-8 text") from None
    entries = _toml_entries(path, text) if path.endswith(".toml") else _jsonl_entries(path, text)
    if not entries:
        raise ManifestError(path, 1, "the manifest has no runs")
    base = os.path.dirname(os.path.abspath(path))
    from ..runtime.context import DEVICES
    runs, names = [], {}
    for index, (line, entry) in enumerate(entries):
        run = _make_run(path, base, index, line, entry, DEVICES)
        if run.name in names:
            raise ManifestError(path, line, f"duplicate run name '{run.name}' (first at line {names[run.name]})")
        names[run.name] = line
        runs.append(run)
    return runs


def _jsonl_entries(path, text):
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as e:
            raise ManifestError(path, number, f"invalid JSON: {e.msg} (column {e.colno})") from None
        if not isinstance(entry, dict):
            raise ManifestError(path, number, f"a run must be a JSON object, not {type(entry).__name__}")
        entries.append((number, entry))
    return entries


def _toml_entries(path, text):
    import re
    import tomllib
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # tomllib puts the position in its message: "(at line 3, column 5)" or "(at end of document)".
        m = re.search(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$", str(e))
        message = str(e)[:m.start()] if m else str(e)
        line = int(m.group(1)) if m and m.group(1) else max(1, len(text.splitlines())) if m else 1
        raise ManifestError(path, line, f"invalid TOML: {message}") from None
    lines = text.splitlines()
    for key in doc:
        if key != "run":
            line = next((i for i, t in enumerate(lines, 1) if re.match(rf"\s*\[*\s*{re.escape(key)}\b", t)), 1)
            raise ManifestError(path, line, f"unknown table or key '{key}'; a TOML manifest holds [[run]] tables")
    runs = doc.get("run", [])
    if not isinstance(runs, list) or not all(isinstance(r, dict) for r in runs):
        raise ManifestError(path, 1, "'run' must be an array of tables ([[run]])")
    # tomllib keeps no positions: the k-th `[[run]]` header is the k-th run.
    headers = [i for i, t in enumerate(lines, 1) if re.match(r"\s*\[\[\s*run\s*\]\]", t)]
    if len(headers) != len(runs):
        headers = [1] * len(runs)
    return list(zip(headers, runs))


def _make_run(path, base, index, line, entry, devices):
    for key, value in entry.items():
        if key not in KEYS:
            raise ManifestError(path, line, f"unknown key '{key}'; expected {', '.join(KEYS)}")
        check, what = KEYS[key]
        if not check(value):
            raise ManifestError(path, line, f"'{key}' must be {what}, not {json.dumps(value, default=str)}")
    if "modules" not in entry:
        raise ManifestError(path, line, "missing key 'modules'")
    if "expected_outputs" in entry and "expected_error" in entry:
        raise ManifestError(path, line, "a run has at most one of 'expected_outputs' and 'expected_error'")
    device = entry.get("device", "local-task")
    if device not in devices:
        raise ManifestError(path, line, f"unknown device '{device}'; expected {' or '.join(devices)}")
    return Run(index=index, line=line, name=entry.get("name", f"run-{index + 1}"),
               modules=tuple(os.path.realpath(os.path.join(base, m)) for m in entry["modules"]), device=device,
               function=entry.get("function"), inputs=[_relative(base, t) for t in entry.get("inputs", [])],
               expected_outputs=[_relative(base, t) for t in entry["expected_outputs"]]
               if "expected_outputs" in entry else None,
               expected_error=entry.get("expected_error"),
               outputs=[t[0] + os.path.join(base, t[1:]) for t in entry["outputs"]] if "outputs" in entry else None,
               timeout=entry.get("timeout"))


def _relative(base, text):
    """`@file` and `SHAPExTYPE=@file` values name files in the manifest's folder."""
    if text.startswith("@"):
        return "@" + os.path.join(base, text[1:])
    spec, eq, body = text.partition("=")
    if eq and body.startswith("@"):
        return f"{spec}=@{os.path.join(base, body[1:])}"
    return text


def shard(runs, k, n):
    """Shard K of N (1-based K): the runs whose 0-based index i has i % N == K - 1."""
    return [r for r in runs if r.index % n == k - 1]


# -- running ------------------------------------------------------------------

def judge(run, error, failures=()):
    """(status, message) of a run that ended with `error` (None when it
    returned) and `failures` (the [FAILED] texts of its results)."""
    if run.expected_error is not None:
        if error is None:
            return "fail", f"expected an error containing '{run.expected_error}' but the run succeeded"
        if run.expected_error not in error:
            return "fail", f"expected an error containing '{run.expected_error}' but got: {error}"
        return "pass", ""
    if error is not None:
        return "error", error
    if failures:
        return "fail", "".join(failures)
    return "pass", ""


@dataclass
class Stats:
    """What the batch cost: worker processes started (a Dask cluster's when
    the batch began), contexts loaded."""
    workers_started: int = 0
    contexts_loaded: int = 0


@dataclass
class Outcome:
    results: list       # the runs that finished, in manifest order
    not_run: list       # the runs that did not: the batch was stopped
    stats: Stats
    stopped: str = None  # why the batch stopped early: "interrupted" (Ctrl-C) or an error message


def run_all(runs, ns, progress):
    """Run every entry in worker processes (or on a Dask cluster);
    `progress(result)` is called as each finishes."""
    if ns.executor == "dask":
        from .batch_dask import run_on_dask
        return run_on_dask(runs, ns, progress)
    from .batch_pool import Pool
    from .run_module import comparison_options
    topology = {"task_topology_group_count": ns.task_topology_group_count,
                "task_topology_max_group_count": ns.task_topology_max_group_count}
    pool = Pool(runs, ns.jobs, ns.timeout, (comparison_options(ns), topology), progress)
    pool.run()
    return Outcome([pool.results[r.index] for r in runs if r.index in pool.results],
                   [r for r in runs if r.index not in pool.results], pool.stats, pool.stopped)


class Progress:
    """On a terminal, one bar redrawn in place; elsewhere one line per run."""
    WIDTH = 30

    def __init__(self, total, out):
        self.total, self.out = total, out
        self.tty = out.isatty()
        self.counts = dict.fromkeys(STATUSES, 0)

    def __call__(self, result):
        self.counts[result.status] += 1
        if self.tty:
            done = sum(self.counts.values())
            filled = self.WIDTH * done // self.total
            self.out.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{self.total}  "
                           f"{self.counts['pass']} passed, {self.counts['fail']} failed, "
                           f"{_plural(self.counts['error'], 'error')}")
        elif result.status == "pass":
            self.out.write(f"[PASS] {result.run.name} ({_ms(result.seconds)})\n")
        else:
            self.out.write(f"[{result.status.upper()}] {result.run.name}: {result.detail}\n")
        self.out.flush()

    def finish(self):
        if self.tty and self.total:
            self.out.write("\n")
            self.out.flush()


def _ms(seconds):
    return f"{seconds * 1e3:.1f} ms"


# -- reporting ----------------------------------------------------------------

def totals_line(outcome):
    results = outcome.results
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    line = (f"{_plural(len(results), 'run')}: {counts['pass']} passed, {counts['fail']} failed, "
            f"{_plural(counts['error'], 'error')}")
    if not outcome.stopped:
        return line
    return line + f"; {'interrupted' if outcome.stopped == 'interrupted' else 'stopped'}, {len(outcome.not_run)} not run"


def _plural(n, noun):
    return f"{n} {noun}{'' if n == 1 else 's'}"


def summary(outcome):
    rows = [("NAME", "STATUS", "TIME", "DETAIL")]
    rows += [(r.run.name, r.status.upper(), _ms(r.seconds), r.detail) for r in outcome.results]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[3] for row in rows]
    return "\n".join(line.rstrip() for line in lines) + "\n" + totals_line(outcome) + "\n"


def json_report(manifest, shard_arg, outcome):
    results = outcome.results
    return {"manifest": manifest, "shard": None if shard_arg is None else f"{shard_arg[0]}/{shard_arg[1]}",
            "interrupted": outcome.stopped == "interrupted", "stopped": outcome.stopped,
            "totals": {s: sum(r.status == s for r in results) for s in STATUSES},
            "stats": {"workers_started": outcome.stats.workers_started,
                      "contexts_loaded": outcome.stats.contexts_loaded},
            "runs": [{"name": r.run.name, "index": r.run.index, "line": r.run.line, "status": r.status,
                      "seconds": r.seconds, "message": r.message} for r in results],
            "not_run": [{"name": r.name, "index": r.index, "line": r.line} for r in outcome.not_run]}


def junit_report(manifest, outcome):
    import xml.etree.ElementTree as ET
    results = outcome.results
    suite = ET.Element("testsuite", name=manifest, tests=str(len(results) + len(outcome.not_run)),
                       failures=str(sum(r.status == "fail" for r in results)),
                       errors=str(sum(r.status == "error" for r in results)), skipped=str(len(outcome.not_run)),
                       time=f"{sum(r.seconds for r in results):.6f}")
    if outcome.stopped:
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="interrupted", value="true")
    finished = {r.run.index: r for r in results}
    for run in sorted([r.run for r in results] + outcome.not_run, key=lambda run: run.index):
        r = finished.get(run.index)
        case = ET.SubElement(suite, "testcase", name=run.name, classname=manifest,
                             time=f"{r.seconds if r else 0:.6f}")
        if r is None:
            ET.SubElement(case, "skipped", message="not run: the batch was interrupted")
        elif r.status != "pass":
            tag = "failure" if r.status == "fail" else "error"
            ET.SubElement(case, tag, message=r.detail).text = r.message
    ET.indent(suite)
    return ET.tostring(suite, encoding="utf-8", xml_declaration=True) + b"\n"


def write_reports(ns, outcome):
    """Write --report and --junit; False (after saying why) if one cannot be written."""
    from ..fileio import write_atomically
    reports = []
    if ns.report:
        reports.append((ns.report, json.dumps(json_report(ns.manifest, ns.shard, outcome), indent=2).encode() + b"\n"))
    if ns.junit:
        reports.append((ns.junit, junit_report(ns.manifest, outcome)))
    for path, data in reports:
        try:
            write_atomically(path, data)
        except OSError as e:
            print(f"error: cannot write report '{path}': {e.strerror}", file=sys.stderr)
            return False
    return True


def run(ns):
    if ns.scheduler is not None and ns.executor != "dask":
        print("error: --scheduler names a Dask scheduler: it needs --executor=dask", file=sys.stderr)
        return 1
    try:
        runs = load_manifest(ns.manifest)
    except ManifestError as e:
        print(e, file=sys.stderr)
        return 1
    if ns.shard is not None:
        runs = shard(runs, *ns.shard)
    progress = Progress(len(runs), sys.stderr)
    outcome = run_all(runs, ns, progress)
    progress.finish()
    sys.stdout.write(summary(outcome))
    sys.stdout.flush()
    written = write_reports(ns, outcome)
    if outcome.stopped is not None:
        print(f"error: {outcome.stopped}", file=sys.stderr)
        return 130 if outcome.stopped == "interrupted" else 1
    return 0 if written and all(r.status == "pass" for r in outcome.results) else 1
