"""`iree-lite benchmark-module`: time calls of exported functions, reported
in Google Benchmark's console or JSON format like iree-benchmark-module.

What is timed: one iteration is one call of the function from the host,
including the wait on its finish fence for async (coarse-fences) functions.
Inputs are parsed and copied into VM buffers once, before timing; results
are released every iteration. One untimed warm-up call comes first.
"""
import random
import re
import sys
import time

from .benchmark_report import aggregates_only, context, render, rows_of
from .run_module import ToolError, create_context, declaration, parse_inputs, report_errors, select_function


def measure(call, min_time):
    """(iterations, real seconds, cpu seconds): iterations grow until one
    batch runs at least `min_time`, as Google Benchmark does."""
    iterations = 1
    while True:
        run = timed(call, iterations)
        if run[1] >= min_time or iterations >= 1_000_000_000:
            return run
        iterations = min(iterations * 10, max(iterations + 1, int(iterations * 1.4 * min_time / max(run[1], 1e-9))))


def timed(call, iterations):
    """(iterations, real seconds, cpu seconds) of calling `iterations` times."""
    cpu0, real0 = time.process_time(), time.perf_counter()
    for _ in range(iterations):
        call()
    return iterations, time.perf_counter() - real0, time.process_time() - cpu0


def repetition(call, mode, amount, iterations=None):
    """One repetition: `iterations` calls when the count is already fixed
    (by the benchmark's first repetition), else `amount` calls (`Nx`) or as
    many as last `amount` seconds."""
    if iterations is not None:
        return timed(call, iterations)
    return timed(call, amount) if mode == "iterations" else measure(call, amount)


def measure_repetitions(call, mode, amount, repetitions):
    """Every repetition of one benchmark, with one iteration count."""
    runs = [repetition(call, mode, amount)]
    runs += [repetition(call, mode, amount, runs[0][0]) for _ in range(repetitions - 1)]
    return runs


def parse_min_time(text):
    """`0.5s` (seconds) or `100x` (iterations), as IREE's tool takes it."""
    try:
        if text.endswith("x"):
            return ("iterations", int(text[:-1]))
        return ("seconds", float(text[:-1] if text.endswith("s") else text))
    except ValueError:
        raise ToolError(f"INVALID_ARGUMENT; invalid --benchmark_min_time `{text}`") from None


def benchmark_name(fn):
    return f"BM_{fn.name}/process_time/real_time"


def selected(ctx, ns):
    """The functions to time, after --benchmark_filter."""
    if ns.function is not None:
        functions = [select_function(ctx, ns.function)]
    else:
        functions = [ctx.lookup(e.name) for e in ctx.modules[-1].exports
                     if not ctx.modules[-1].functions[e.function].signature.inputs]
        if not functions:
            raise ToolError("INVALID_ARGUMENT; no --function= given and the module exports no "
                            "zero-argument functions")
    try:
        pattern = re.compile(ns.benchmark_filter)
    except re.error as e:
        raise ToolError(f"INVALID_ARGUMENT; invalid --benchmark_filter `{ns.benchmark_filter}`: {e}") from None
    return [fn for fn in functions if pattern.search(benchmark_name(fn))]


@report_errors
def run(ns):
    from ..runtime import io
    from ..runtime.context import to_vm_value
    from ..vm.errors import VMError
    ctx = create_context(ns)
    functions = selected(ctx, ns)
    if not functions:
        print(f"Failed to match any benchmarks against regex: {ns.benchmark_filter}", file=sys.stderr)
        return 0
    if ns.benchmark_list_tests:
        sys.stdout.write("".join(benchmark_name(fn) + "\n" for fn in functions))
        return 0
    mode, amount = parse_min_time(ns.benchmark_min_time)
    calls, iterations = {}, {}
    for fn in functions:
        inputs = parse_inputs(ns.inputs if ns.function else [], fn)
        try:
            # Converted once, so iterations time the call and not input copies.
            args = [to_vm_value(io.coerce(v, t), t, i) for i, (v, t) in enumerate(zip(inputs, fn.signature.inputs))]
            if len(args) != len(fn.signature.inputs):
                raise VMError("INVALID_ARGUMENT", f"input list and function mismatch; expected "
                              f"{len(fn.signature.inputs)} arguments but passed {len(args)}")
            calls[fn.name] = lambda fn=fn, args=args: ctx.invoke(fn, args)
            calls[fn.name]()    # warm-up, untimed
            warmup_end = time.perf_counter() + ns.benchmark_min_warmup_time
            while time.perf_counter() < warmup_end:
                calls[fn.name]()
        except (VMError, io.IoError) as e:
            raise ToolError(f"{e}; invoking function '{fn.name}'; {declaration(fn)}") from None
    # Each repetition of each benchmark, in order or shuffled; the first
    # repetition of a benchmark fixes its iteration count for the others.
    plan = [(fn, rep) for fn in functions for rep in range(ns.benchmark_repetitions)]
    if ns.benchmark_enable_random_interleaving:
        random.shuffle(plan)
    runs = {fn.name: [] for fn in functions}
    for fn, _ in plan:
        try:
            run = repetition(calls[fn.name], mode, amount, iterations.get(fn.name))
        except (VMError, io.IoError) as e:
            raise ToolError(f"{e}; invoking function '{fn.name}'; {declaration(fn)}") from None
        iterations.setdefault(fn.name, run[0])
        runs[fn.name].append(run)
    rows = [row for family, fn in enumerate(functions)
            for row in rows_of(benchmark_name(fn), family, runs[fn.name], ns.benchmark_time_unit)]
    ctx_info = context(ns.device, ctx.workers)
    reported = aggregates_only(rows) if ns.benchmark_report_aggregates_only else rows
    if ns.benchmark_out:
        from ..fileio import write_atomically
        body, header = render(ns.benchmark_out_format, ctx_info, reported)
        try:
            write_atomically(ns.benchmark_out, (header + body).encode())
        except OSError as e:
            raise ToolError(f"error: cannot write benchmark report '{ns.benchmark_out}': {e.strerror}") from None
    shown = aggregates_only(reported) if ns.benchmark_display_aggregates_only else reported
    body, header = render(ns.benchmark_format, ctx_info, shown)
    sys.stderr.write(header)
    sys.stdout.write(body)
    return 0
