"""`--trace=FILE.json`: the timeline the native VM records, checked through
the JSON file the tools write (Chrome trace-event format)."""
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from iree_lite import _vm

LIT = os.path.join(os.path.dirname(__file__), "lit")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = 1 << 20   # large enough that local-task runs the dispatch on its workers

LARGE = f"""
func.func @scale(%a: tensor<{N}xf32>, %b: tensor<{N}xf32>) -> tensor<{N}xf32> {{
  %0 = arith.addf %a, %b : tensor<{N}xf32>
  %1 = arith.mulf %0, %a : tensor<{N}xf32>
  return %1 : tensor<{N}xf32>
}}
"""


def cli(*args):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "iree_lite", *args], capture_output=True, timeout=120, env=env)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "Traceback" not in err, err
    return proc.returncode, out, err


def compile_file(source_path, out_path, model):
    rc, _, err = cli("compile", f"--iree-execution-model={model}", source_path, f"-o={out_path}")
    assert rc == 0, err
    return str(out_path)


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    d = tmp_path_factory.mktemp("seed")
    return [compile_file(os.path.join(LIT, f"{name}.mlir"), d / f"{name}.vmfb", "async-external")
            for name in ("module_a", "module_b", "pipeline_async")]


@pytest.fixture(scope="module", params=["async-internal", "async-external"])
def large(request, tmp_path_factory):
    d = tmp_path_factory.mktemp("large")
    (d / "scale.mlir").write_text(LARGE)
    return request.param, compile_file(str(d / "scale.mlir"), d / "scale.vmfb", request.param)


# -- reading a trace ------------------------------------------------------------

class Trace:
    """A trace document with its structure checked: the object format,
    every thread named, X spans properly nested per thread, flow
    start/finish pairs that match and lie inside spans."""

    @classmethod
    def load(cls, path):
        with open(path) as f:
            return cls(json.load(f))

    def __init__(self, doc):
        assert set(doc) >= {"traceEvents", "displayTimeUnit", "metadata"} and doc["displayTimeUnit"] == "ns"
        events = doc["traceEvents"]
        assert isinstance(events, list) and events
        self.metadata = doc["metadata"]
        self.names = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
        self.spans = [e for e in events if e["ph"] == "X"]
        self.flows = [e for e in events if e["ph"] in ("s", "f")]
        assert all(e["ph"] in ("M", "X", "s", "f") for e in events)
        for e in self.spans:
            assert e["dur"] >= 0 and e["ts"] >= 0
            assert e["tid"] in self.names, f"thread {e['tid']} has no thread_name"
            # Exact nanoseconds: ts and dur are each a whole number of ns over 1000.
            e["begin"], e["end"] = round(e["ts"] * 1e3), round(e["ts"] * 1e3) + round(e["dur"] * 1e3)
        for tid in self.names:
            self._check_nesting([e for e in self.spans if e["tid"] == tid])
        self._check_flows()

    @staticmethod
    def _check_nesting(spans):
        stack = []
        for e in sorted(spans, key=lambda e: (e["begin"], -e["end"])):
            while stack and stack[-1]["end"] <= e["begin"]:
                stack.pop()
            if stack:
                assert e["end"] <= stack[-1]["end"], f"{e['name']} overlaps {stack[-1]['name']} on its thread"
            stack.append(e)

    def _check_flows(self):
        pairs = {}
        for e in self.flows:
            assert e["bp"] == "e" and e["tid"] in self.names
            pairs.setdefault(e["id"], {}).setdefault(e["ph"], []).append(e)
        for ident, ends in pairs.items():
            assert sorted(ends) == ["f", "s"] and len(ends["s"]) == len(ends["f"]) == 1, ident
            start, finish = ends["s"][0], ends["f"][0]
            assert finish["ts"] >= start["ts"]
            # Each end binds to the span around it: the signal, and the wait it released.
            assert self.enclosing(start, "signal") and self.enclosing(finish, "wait")
        self.pairs = {ident: (ends["s"][0], ends["f"][0]) for ident, ends in pairs.items()}

    def enclosing(self, event, cat):
        at = round(event["ts"] * 1e3)
        return [e for e in self.spans if e["tid"] == event["tid"] and e["cat"] == cat and e["begin"] <= at <= e["end"]]

    def host(self):
        return next(tid for tid, name in self.names.items() if name == "host")

    def of(self, cat, **where):
        return [e for e in self.spans if e["cat"] == cat and all(e.get(k) == v for k, v in where.items())]


def run_traced(tmp_path, *args, name="trace.json"):
    path = tmp_path / name
    rc, out, err = cli(*args, f"--trace={path}")
    assert rc == 0, err
    return Trace.load(path), out


def partitions(spans, end):
    """Whether the spans' [begin, end) ranges cover [0, end) exactly once."""
    bounds = sorted((e["args"]["begin"], e["args"]["end"]) for e in spans)
    return bounds[0][0] == 0 and bounds[-1][1] == end and all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))


# -- tests ------------------------------------------------------------------------

@pytest.mark.parametrize("device", ["local-task", "local-sync"])
def test_async_pipeline(seed, tmp_path, device):
    a, b, pipeline = seed
    trace, out = run_traced(tmp_path, "run-module", f"--device={device}", "--task_topology_group_count=2",
                            f"--module={a}", f"--module={b}", f"--module={pipeline}", "--function=run",
                            "--input=4096xf32=-2.0", "--expected_output=4096xf32=4.0")
    assert "[SUCCESS]" in out
    host = trace.host()
    assert trace.names[host] == "host"
    if device == "local-task":
        assert {"worker 0", "worker 1"} <= set(trace.names.values())
    calls = {e["name"]: e for e in trace.of("call", tid=host)}
    assert set(calls) == {"pipeline_async.run", "module_a.abs", "module_b.mul"}
    run = calls["pipeline_async.run"]
    for name in ("module_a.abs", "module_b.mul"):
        assert run["begin"] <= calls[name]["begin"] and calls[name]["end"] <= run["end"]
    # Each dispatch's span lies within its function's call on the host.
    for kernel, caller in (("module_a_dispatch_0", "module_a.abs"), ("module_b_dispatch_0", "module_b.mul")):
        (dispatch,) = trace.of("dispatch", name=kernel)
        assert dispatch["tid"] == host and dispatch["args"]["elements"] == 4096
        assert calls[caller]["begin"] <= dispatch["begin"] and dispatch["end"] <= calls[caller]["end"]
    # The host's wait on the finish fence was released by mul's signal.
    assert trace.pairs
    finishes = [f for _, f in trace.pairs.values() if f["tid"] == host]
    assert any(trace.enclosing(f, "wait") and trace.enclosing(f, "wait")[0]["begin"] >= run["end"] for f in finishes)
    assert trace.metadata["dropped_events"] == 0


def test_tile_batches_partition_a_large_dispatch(large, tmp_path):
    model, module = large
    trace, out = run_traced(tmp_path, "run-module", "--device=local-task", "--task_topology_group_count=2",
                            f"--module={module}", "--function=scale", f"--input={N}xf32=1.5",
                            f"--input={N}xf32=0.5", f"--expected_output={N}xf32=3.0")
    assert "[SUCCESS]" in out
    host = trace.host()
    (call,) = trace.of("call", tid=host)
    (dispatch,) = trace.of("dispatch")
    assert dispatch["tid"] == host and dispatch["args"]["elements"] == N
    assert call["begin"] <= dispatch["begin"] and dispatch["end"] <= call["end"]
    tiles = trace.of("tiles")
    assert all(t["args"]["dispatch"] == dispatch["args"]["dispatch"] for t in tiles)
    # The chunks taken from the counter cover [0, N) exactly once.
    assert partitions(tiles, N) and all(t["args"]["begin"] < t["args"]["end"] for t in tiles)
    threads = {trace.names[t["tid"]] for t in tiles}
    if model == "async-internal":
        # A blocking dispatch: the host takes chunks beside a worker, and its span covers the work.
        assert threads and threads <= {"host", "worker 0", "worker 1"}
        assert all(dispatch["begin"] <= t["begin"] and t["end"] <= dispatch["end"] for t in tiles)
    else:
        assert threads and threads <= {"worker 0", "worker 1"}
        # The last worker to finish signals; the host's wait on the finish fence is its flow's end.
        (start, finish) = next(iter(trace.pairs.values()))
        assert len(trace.pairs) == 1
        assert trace.names[start["tid"]].startswith("worker") and finish["tid"] == host
        assert start["ts"] >= max(t["ts"] for t in tiles)


def test_other_tools_share_the_flag(seed, tmp_path):
    from argparse_manpage.manpage import Manpage

    from iree_lite.tools.cli import build_parser
    page = str(Manpage(build_parser(), _data={"project_name": "iree-lite", "prog": "iree-lite"}))
    # One definition, in every tool that creates a context (and so in the man page).
    assert page.count("\\fB\\-\\-trace\\fR") == 4
    rc, out, err = cli("check-module", "--help")
    assert "--trace FILE.json" in out
    source = tmp_path / "t.mlir"
    source.write_text("func.func @ok() {\n %c = arith.constant 1 : i32\n check.expect_true(%c) : i32\n"
                      " return\n}\n")
    module = compile_file(str(source), tmp_path / "t.vmfb", "async-internal")
    trace, out = run_traced(tmp_path, "check-module", f"--module={module}", name="check.json")
    assert "[  PASSED  ] 1 tests." in out and [e["name"] for e in trace.of("call")] == ["t.ok"]
    trace, out = run_traced(tmp_path, "run-mlir", "--device=local-sync", str(source), name="mlir.json")
    assert [e["name"] for e in trace.of("call")] == ["t.ok"]
    assert list(trace.names.values()) == ["host"]
    trace, out = run_traced(tmp_path, "benchmark-module", f"--module={module}", "--benchmark_min_time=3x",
                            name="bench.json")
    assert len(trace.of("call")) == 4    # the warm-up and three timed calls


def test_without_trace_nothing_is_recorded(seed, tmp_path):
    from iree_lite.runtime.context import Context
    a, b, pipeline = seed
    rc, out, err = cli("run-module", f"--module={a}", "--function=abs", "--input=4096xf32=-1")
    assert rc == 0 and os.listdir(tmp_path) == []
    ctx = Context("local-task", 2)
    ctx.load_file(a)
    ctx.invoke("abs", [np.full(4096, -1.0, np.float32)])
    assert not ctx.native.tracing and ctx.native.read_trace() is None and ctx.trace() is None


def test_full_buffer_drops_and_counts(seed):
    from iree_lite.runtime.context import Context
    a, b, pipeline = seed
    ctx = Context("local-task", 2)
    ctx.enable_trace(capacity=3)
    for path in seed:
        ctx.load_file(path)
    ctx.invoke("run", [np.full(4096, -2.0, np.float32)])
    doc = ctx.trace()
    recorded = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert len(recorded) == 3 and doc["metadata"]["capacity"] == 3
    # 3 calls, 2 dispatches, 2 tile batches, 2 signals, 1 wait and 1 flow were offered.
    assert doc["metadata"]["dropped_events"] == 11 - 3


def test_trace_errors(seed, tmp_path):
    a, _, _ = seed
    rc, _, err = cli("run-module", f"--module={a}", "--function=abs", "--input=4096xf32=-1", "--trace_execution",
                     f"--trace={tmp_path / 't.json'}")
    assert rc == 1 and "--trace" in err and not os.path.exists(tmp_path / "t.json")
    rc, out, err = cli("run-module", f"--module={a}", "--function=abs", "--input=4096xf32=-1",
                       f"--trace={tmp_path / 'missing' / 't.json'}")
    assert rc == 1 and "cannot write trace file" in err
    # A failed call still leaves its trace.
    rc, _, err = cli("run-module", f"--module={a}", "--function=abs", "--input=2xf32=-1",
                     f"--trace={tmp_path / 'failed.json'}")
    assert rc == 1 and Trace.load(tmp_path / "failed.json").names


@pytest.mark.parametrize("op", ["matmul", "reduce", "softmax"])
def test_row_chunks_of_reductions_and_matmuls(op):
    from iree_lite.compiler import compile_module
    from iree_lite.runtime.context import Context
    rows = 256   # large enough to run on the workers
    if op == "softmax":
        t = f"tensor<{rows}x1024xf32>"
        source = (f"func.func @f(%x: {t}, %e: {t}) -> {t} {{\n"
                  f"  %r = linalg.softmax dimension(1) ins(%x : {t}) outs(%e : {t}) -> {t}\n  return %r : {t}\n}}\n")
        args = [np.ones((rows, 1024), np.float32)] * 2
    elif op == "matmul":
        t = f"tensor<{rows}x{rows}xf32>"
        source = (f"func.func @f(%a: {t}, %b: {t}, %c: {t}) -> {t} {{\n"
                  f"  %r = linalg.matmul ins(%a, %b : {t}, {t}) outs(%c : {t}) -> {t}\n  return %r : {t}\n}}\n")
        args = [np.ones((rows, rows), np.float32)] * 3
    else:
        t, o = f"tensor<{rows}x4096xf32>", f"tensor<{rows}xf32>"
        source = (f"func.func @f(%x: {t}, %i: {o}) -> {o} {{\n"
                  f"  %r = linalg.reduce ins(%x : {t}) outs(%i : {o}) dimensions = [1]\n"
                  f"    (%in: f32, %acc: f32) {{\n      %s = arith.addf %acc, %in : f32\n"
                  f"      linalg.yield %s : f32\n    }}\n  return %r : {o}\n}}\n")
        args = [np.ones((rows, 4096), np.float32), np.zeros(rows, np.float32)]
    ctx = Context("local-task", 2)
    ctx.enable_trace()
    ctx.load(compile_module(source, "m.mlir"))
    ctx.invoke("f", args)
    trace = Trace(json.loads(json.dumps(ctx.trace())))
    host = trace.host()
    (call,) = trace.of("call", tid=host)
    (span,) = trace.of("op", tid=host, name=op)
    assert span["args"]["rows"] == rows and call["begin"] <= span["begin"] and span["end"] <= call["end"]
    chunks = trace.of("rows")
    # The host takes chunks beside the workers (a blocking loop).
    assert all(c["args"]["op"] == span["args"]["op"] and trace.names[c["tid"]] in ("host", "worker 0", "worker 1")
               and span["begin"] <= c["begin"] and c["end"] <= span["end"] for c in chunks)
    assert len(chunks) > 1 and partitions(chunks, rows)


@pytest.mark.parametrize("op", ["conv", "pool"])
def test_work_items_of_convolutions_and_poolings(op):
    """A convolution's span counts its products (output elements times
    channels times window), a pooling's its points; their chunks of work
    items partition the span's rows."""
    from iree_lite.compiler import compile_module
    from iree_lite.runtime.context import Context
    x, o = "tensor<1x32x40x40xf32>", "tensor<1x32x38x38xf32>"
    if op == "conv":   # with an epilogue: a dispatch span around the op
        body = (f"  %w = arith.constant dense<0.5> : tensor<32x32x3x3xf32>\n"
                f"  %c = linalg.conv_2d_nchw_fchw ins(%x, %w : {x}, tensor<32x32x3x3xf32>) outs(%z : {o}) -> {o}\n"
                f"  %r = arith.maximumf %c, %z : {o}\n")
        count = 1 * 32 * 38 * 38 * 32 * 9
    else:
        body = (f"  %k = tensor.empty() : tensor<3x3xf32>\n"
                f"  %r = linalg.pooling_nchw_max ins(%x, %k : {x}, tensor<3x3xf32>) outs(%z : {o}) -> {o}\n")
        count = 1 * 32 * 38 * 38 * 9
    source = (f"func.func @f(%x: {x}) -> {o} {{\n  %z = arith.constant dense<0.0> : {o}\n{body}"
              f"  return %r : {o}\n}}\n")
    ctx = Context("local-task", 2)
    ctx.enable_trace()
    ctx.load(compile_module(source, "m.mlir"))
    ctx.invoke("f", [np.ones((1, 32, 40, 40), np.float32)])
    trace = Trace(json.loads(json.dumps(ctx.trace())))
    (span,) = trace.of("op", tid=trace.host(), name=op)
    assert span["args"]["products" if op == "conv" else "points"] == count
    if op == "conv":
        (dispatch,) = trace.enclosing(span, "dispatch")
        assert dispatch["args"]["elements"] == 32 * 38 * 38
    chunks = trace.of("rows")
    assert all(c["args"]["op"] == span["args"]["op"] and span["begin"] <= c["begin"] and c["end"] <= span["end"]
               for c in chunks)
    assert len(chunks) > 1 and partitions(chunks, span["args"]["rows"])


@pytest.fixture
def watch_ns():
    """Sets how long idle workers watch for work (_vm.worker_watch_ns) for
    one test; the default again after it."""
    default = _vm.worker_watch_ns()
    yield _vm.worker_watch_ns
    _vm.worker_watch_ns(default)


def traced_tiles(source, function, elements, watched=False):
    """The tiles spans of one call of `function` on 2 workers, once a worker
    watches for work if `watched`, and the threads that ran them."""
    from iree_lite.compiler import compile_module
    from iree_lite.runtime.context import Context
    module = compile_module(source, "m.mlir")
    ctx = Context("local-task", 2)
    ctx.enable_trace()
    ctx.load(module)
    if watched:   # the workers watch from their start until the watch time ends
        deadline = time.monotonic() + 1.0
        while not ctx.native.watched and time.monotonic() < deadline:
            time.sleep(0.001)
        assert ctx.native.watched
    ctx.invoke(function, [np.ones(elements, np.float32)])
    trace = Trace(json.loads(json.dumps(ctx.trace())))
    tiles = trace.of("tiles")
    return tiles, {trace.names[t["tid"]] for t in tiles}


def test_dispatches_costlier_per_element_share_out_at_fewer_elements(watch_ns):
    """The inline threshold weighs a kernel's work per element (a libm
    function as many simple ops): 2^17 elements of an erf run on the
    workers (in chunks, the submitting thread taking some beside them), of an
    add on the submitting thread (in one batch). No worker watches, which
    would lower the threshold (the next test)."""
    watch_ns(0)
    t = "tensor<131072xf32>"
    source = (f"func.func @erf(%a: {t}) -> {t} {{\n  %r = math.erf %a : {t}\n  return %r : {t}\n}}\n"
              f"func.func @add(%a: {t}) -> {t} {{\n  %r = arith.addf %a, %a : {t}\n  return %r : {t}\n}}\n")
    for function, shared in (("erf", True), ("add", False)):
        tiles, threads = traced_tiles(source, function, 131072)
        assert threads <= ({"host", "worker 0", "worker 1"} if shared else {"host"})
        assert (len(tiles) > 1) == shared and partitions(tiles, 131072)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a worker watches only beside a CPU left to the host")
@pytest.mark.parametrize("elements,shared", [(16384, False), (16385, True), (131072, True)])
def test_a_watching_worker_lowers_the_inline_threshold(watch_ns, elements, shared):
    """While a worker watches for work it takes a task at once, so a
    dispatch shares out above 16384 elements of a simple kernel
    (WATCHED_INLINE_ELEMENTS) instead of above ctx.inline_elements."""
    watch_ns(2_000_000_000)
    t = f"tensor<{elements}xf32>"
    source = f"func.func @add(%a: {t}) -> {t} {{\n  %r = arith.addf %a, %a : {t}\n  return %r : {t}\n}}\n"
    tiles, threads = traced_tiles(source, "add", elements, watched=True)
    assert threads <= ({"host", "worker 0", "worker 1"} if shared else {"host"})
    assert (len(tiles) > 1) == shared and partitions(tiles, elements)


def test_concurrent_callers_get_their_own_tracks(large):
    """Per-call trace state lives in jobs: two host threads calling at once
    get separate, well-nested tracks and separately partitioned dispatches."""
    import threading

    from iree_lite.runtime.context import Context
    model, module = large
    ctx = Context("local-task", 2)
    ctx.enable_trace()
    ctx.load_file(module)
    x = np.full(N, 1.5, np.float32)
    callers = [threading.Thread(target=ctx.invoke, args=("scale", [x, x])) for _ in range(2)]
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    trace = Trace(json.loads(json.dumps(ctx.trace())))
    calls = trace.of("call")
    assert len(calls) == 2 and len({c["tid"] for c in calls}) == 2
    assert {trace.names[c["tid"]] for c in calls} == {f"thread {c['tid']}" for c in calls}
    dispatches = trace.of("dispatch")
    assert len({d["args"]["dispatch"] for d in dispatches}) == 2
    for d in dispatches:
        assert partitions([t for t in trace.of("tiles") if t["args"]["dispatch"] == d["args"]["dispatch"]], N)
