"""`iree-lite benchmark-module`: time calls of exported functions, reported
in Google Benchmark's console or JSON format like iree-benchmark-module.

What is timed: one iteration is one call of the function from the host,
including the wait on its finish fence for async (coarse-fences) functions.
Inputs are parsed and copied into VM buffers once, before timing; results
are released every iteration. One untimed warm-up call comes first.
"""
import json
import os
import statistics
import sys
import time

from .run_module import ToolError, create_context, declaration, parse_inputs, report_errors, select_function


def human(value):
    """Google Benchmark's 6-significant-digit numbers with k/M/G suffixes."""
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.6g}{suffix}"
    return f"{value:.6g}"


def measure(call, min_time):
    """(iterations, real seconds, cpu seconds): iterations grow until one
    batch runs at least `min_time`, as Google Benchmark does."""
    iterations = 1
    while True:
        cpu0, real0 = time.process_time(), time.perf_counter()
        for _ in range(iterations):
            call()
        real, cpu = time.perf_counter() - real0, time.process_time() - cpu0
        if real >= min_time or iterations >= 1_000_000_000:
            return iterations, real, cpu
        iterations = min(iterations * 10, max(iterations + 1, int(iterations * 1.4 * min_time / max(real, 1e-9))))


def parse_min_time(text):
    """`0.5s` (seconds) or `100x` (iterations), as IREE's tool takes it."""
    try:
        if text.endswith("x"):
            return ("iterations", int(text[:-1]))
        return ("seconds", float(text[:-1] if text.endswith("s") else text))
    except ValueError:
        raise ToolError(f"INVALID_ARGUMENT; invalid --benchmark_min_time `{text}`") from None


@report_errors
def run(ns):
    from ..runtime import io
    from ..runtime.context import to_vm_value
    from ..vm.errors import VMError
    ctx = create_context(ns)
    if ns.function is not None:
        functions = [select_function(ctx, ns.function)]
    else:
        functions = [ctx.lookup(e.name) for e in ctx.modules[-1].exports
                     if not ctx.modules[-1].functions[e.function].signature.inputs]
        if not functions:
            raise ToolError("INVALID_ARGUMENT; no --function= given and the module exports no "
                            "zero-argument functions")
    mode, amount = parse_min_time(ns.benchmark_min_time)
    rows = []
    for fn in functions:
        inputs = parse_inputs(ns.inputs if ns.function else [], fn)
        try:
            # Converted once, so iterations time the call and not input copies.
            args = [to_vm_value(io.coerce(v, t), t, i) for i, (v, t) in enumerate(zip(inputs, fn.signature.inputs))]
            if len(args) != len(fn.signature.inputs):
                raise VMError("INVALID_ARGUMENT", f"input list and function mismatch; expected "
                              f"{len(fn.signature.inputs)} arguments but passed {len(args)}")
            ctx.invoke(fn, args)    # warm-up, untimed
            name = f"BM_{fn.name}/process_time/real_time"
            runs = []
            for _ in range(ns.benchmark_repetitions):
                if mode == "iterations":
                    cpu0, real0 = time.process_time(), time.perf_counter()
                    for _ in range(amount):
                        ctx.invoke(fn, args)
                    runs.append((amount, time.perf_counter() - real0, time.process_time() - cpu0))
                else:
                    runs.append(measure(lambda: ctx.invoke(fn, args), amount))
        except (VMError, io.IoError) as e:
            raise ToolError(f"{e}; invoking function '{fn.name}'; {declaration(fn)}") from None
        rows += report_rows(name, runs)
    context = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "executable": sys.argv[0],
               "num_cpus": os.cpu_count(), "device": ns.device, "workers": ctx.workers,
               "library_version": "iree-lite"}
    document = json.dumps({"context": context, "benchmarks": rows}, indent=2) + "\n"
    if ns.benchmark_out:
        from ..fileio import write_atomically
        try:
            write_atomically(ns.benchmark_out, document.encode())
        except OSError as e:
            raise ToolError(f"error: cannot write benchmark report '{ns.benchmark_out}': {e.strerror}") from None
    sys.stdout.write(document if ns.benchmark_format == "json" else console(rows))
    return 0


def report_rows(name, runs):
    """JSON rows: one per repetition, and aggregates when there are several."""
    rows = []
    for i, (iterations, real, cpu) in enumerate(runs):
        rows.append({"name": name, "run_name": name, "run_type": "iteration", "repetitions": len(runs),
                     "repetition_index": i, "threads": 1, "iterations": iterations,
                     "real_time": real / iterations * 1e3, "cpu_time": cpu / iterations * 1e3,
                     "time_unit": "ms", "items_per_second": iterations / real})
    if len(runs) > 1:
        for agg, fn in (("mean", statistics.mean), ("median", statistics.median), ("stddev", statistics.stdev),
                        ("cv", lambda xs: statistics.stdev(xs) / statistics.mean(xs))):
            row = {"name": f"{name}_{agg}", "run_name": name, "run_type": "aggregate",
                   "repetitions": len(runs), "threads": 1, "aggregate_name": agg,
                   "iterations": len(runs), "time_unit": "ms"}
            for key in ("real_time", "cpu_time", "items_per_second"):
                row[key] = fn([r[key] for r in rows[:len(runs)]])
            rows.append(row)
    return rows


def console(rows):
    width = max([len("Benchmark")] + [len(r["name"]) for r in rows])
    header = f"{'Benchmark':<{width}} {'Time':>13} {'CPU':>15} {'Iterations':>12} UserCounters..."
    lines = ["-" * len(header), header, "-" * len(header)]
    for r in rows:
        if r.get("aggregate_name") == "cv":
            lines.append(f"{r['name']:<{width}} {r['real_time'] * 100:10.2f} %    {r['cpu_time'] * 100:10.2f} %    "
                         f"{r['iterations']:10d} items_per_second={r['items_per_second'] * 100:.2f}%")
        else:
            lines.append(f"{r['name']:<{width}} {r['real_time']:10.3f} ms   {r['cpu_time']:10.3f} ms   "
                         f"{r['iterations']:10d} items_per_second={human(r['items_per_second'])}/s")
    return "\n".join(lines) + "\n"
