"""`--trace=FILE.json`: a context's timeline as a Chrome trace-event
document, loadable in ui.perfetto.dev and chrome://tracing.

Native threads record fixed-size events without the GIL into the context's
one preallocated buffer (csrc/trace.pxi); this reads it once, after the run,
and writes one track per thread ("host", "worker N"; any other thread that
ran VM work is "thread TID"), with:

- complete spans ("X"): each function call (module.function), dispatch
  (its kernel's name), tile batch ("tiles": elements [begin, end) of one
  chunk a thread took from the dispatch's counter), reduction or matrix
  product, softmax, convolution, pooling or layer norm ("reduce", "matmul",
  "softmax", "conv", "pool", "layernorm") with its chunks of rows or work
  items ("rows"), signal and blocking wait;
- flows ("s" then "f", one id per pair) from a fence signal to each traced
  wait it released, bound to the enclosing signal and wait spans.

Times are microseconds since tracing began. Events that found the buffer
full are dropped and counted in metadata.dropped_events.
"""
import json
import os

DEFAULT_CAPACITY = 1 << 20   # events; the buffer's pages are touched only as they fill


def trace_document(ctx):
    """The document for a runtime.context.Context, or None if it does not trace."""
    from .native import native_vm
    raw = ctx.native.read_trace()
    if raw is None:
        return None
    kinds = {code: name for name, code in native_vm().TRACE_KINDS.items()}
    modules = {address: module for address, (_, module) in ctx.module_at.items()}
    pid = os.getpid()
    origin = raw["origin"]

    def us(ns):
        return (ns - origin) / 1e3

    names = {ctx.host_thread: ("host", 0)}
    names.update({tid: (f"worker {i}", i + 1) for i, tid in enumerate(raw["workers"]) if tid})
    spans, flows, seen = [], [], set()
    for kind, thread, t_begin, t_end, a0, a1, a2, ident in raw["events"]:
        kind = kinds[kind]
        seen.add(thread)
        if kind == "flow":
            seen.add(a0)
            common = {"name": "signal", "cat": "fence", "id": ident, "pid": pid, "bp": "e"}
            flows.append({"ph": "s", "tid": a0, "ts": us(t_begin), **common})
            flows.append({"ph": "f", "tid": thread, "ts": us(t_end), **common})
            continue
        args = {}
        if kind == "call":
            module = modules[a0]
            name = f"{module.name}.{module.functions[a1].name}"
        elif kind == "dispatch":
            name = modules[a0].kernels[a1].name or f"dispatch {a1}"
            args = {"dispatch": ident, "elements": a2}
        elif kind == "tiles":
            name = "tiles"
            args = {"dispatch": ident, "begin": a0, "end": a1}
        elif kind == "op":
            name = ("reduce", "matmul", "softmax", "conv", "pool", "layernorm")[a0]
            args = {"op": ident, "rows": a1, **({"products": a2} if a0 == 3 else {"points": a2} if a0 == 4 else {})}
        elif kind == "rows":
            name = "rows"
            args = {"op": ident, "begin": a0, "end": a1}
        else:
            name = kind
        spans.append({"ph": "X", "name": name, "cat": kind, "pid": pid, "tid": thread,
                      "ts": us(t_begin), "dur": (t_end - t_begin) / 1e3, "args": args})
    # Outer spans first where two begin together, so viewers nest them.
    spans.sort(key=lambda e: (e["ts"], -e["dur"]))
    meta = [{"ph": "M", "name": "process_name", "pid": pid, "args": {"name": "iree-lite"}}]
    for tid in sorted(seen | set(names), key=lambda t: (names.get(t, ("", 1 << 30))[1], t)):
        name, order = names.get(tid, (f"thread {tid}", 1 << 30))
        meta.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": name}})
        meta.append({"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": tid, "args": {"sort_index": order}})
    return {"traceEvents": meta + spans + flows, "displayTimeUnit": "ns",
            "metadata": {"device": ctx.device, "workers": ctx.workers, "capacity": raw["capacity"],
                         "dropped_events": raw["dropped"], "clock": "CLOCK_MONOTONIC"}}


def write_trace(ctx, path):
    """Write ctx's trace document to path atomically."""
    from ..fileio import write_atomically
    write_atomically(path, json.dumps(trace_document(ctx)).encode())
