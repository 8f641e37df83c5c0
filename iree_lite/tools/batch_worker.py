"""A worker process of `iree-lite batch`: runs manifest entries one at a
time, so that a run that crashes the VM or never ends costs only its worker.

`python -m iree_lite.tools.batch_worker FD`: FD is one end of a socket pair
carrying multiprocessing.connection messages. The batch sends (comparison
options, topology flags) first; the worker answers "ready" once imported,
then answers each Run with (status, seconds, message), after "loaded" when
it loaded the run's context for it. The worker keeps the contexts of the
last CONTEXTS device and module lists it ran, for their next runs.
"""
import sys
import time
from collections import OrderedDict
from types import SimpleNamespace

from .batch import judge
from .cli import out_of_memory
from .run_module import ToolError, call_function, check_outputs, create_context, parse_inputs, select_function

# Contexts a worker keeps: each local-task context has its own threads.
CONTEXTS = 4


def use(recent, group, load):
    """recent[group], made by load() when absent, evicting the least
    recently used group past CONTEXTS; the batch keeps the same account of
    what each worker holds. Whether load() was called."""
    if group in recent:
        recent.move_to_end(group)
        return False
    if len(recent) == CONTEXTS:
        recent.popitem(last=False)   # free its context, and the context's threads, before loading another
    recent[group] = load()
    return True


def group_of(run):
    """The (device, module list) whose context a run uses."""
    return run.device, run.modules


def load_context(run, topology, module_bytes=None):
    """The run's context, or the message of the error that loading it raised."""
    ns = SimpleNamespace(device=run.device, modules=list(run.modules), trace=None, **topology)
    try:
        return create_context(ns, module_bytes=module_bytes)
    except ToolError as e:
        return str(e)
    except MemoryError as e:
        return out_of_memory(e)


def execute(run, ctx, options, timeout=None):
    """Run one manifest entry on its context (or the message of the error
    that loading it raised): (status, seconds, message). `timeout`: the
    VM's own deadline for the call (where no batch can kill the worker)."""
    from ..runtime import io
    start = time.perf_counter()
    failures, error = [], ctx if isinstance(ctx, str) else None
    if error is None:
        try:
            fn = select_function(ctx, run.function)
            inputs = parse_inputs(run.inputs, fn)
            ctx.set_timeout(timeout)
            try:
                outputs = call_function(ctx, fn, inputs)
            finally:
                ctx.set_timeout(None)
            if run.expected_outputs is not None:
                failures = check_outputs(fn, outputs, run.expected_outputs, options)
            for spec, value in zip(run.outputs or (), outputs):
                try:
                    io.write_output(spec, value, 0)
                except io.IoError as e:
                    raise ToolError(f"{e}; processing function outputs") from None
        except ToolError as e:
            error = str(e)
        except MemoryError as e:
            error = out_of_memory(e)
        except Exception as e:   # a bug fails its run, not the batch
            return "error", time.perf_counter() - start, f"internal error: {type(e).__name__}: {e}"
    seconds = time.perf_counter() - start
    status, message = judge(run, error, failures)
    return status, seconds, message


def serve(conn):
    options, topology = conn.recv()
    from ..runtime import context, io   # noqa: F401 -- imported before "ready", outside any run's timeout
    conn.send("ready")
    contexts = OrderedDict()   # (device, modules) -> context, least recently used first
    while True:
        run = conn.recv()
        group = group_of(run)
        if use(contexts, group, lambda: load_context(run, topology)):
            conn.send("loaded")
        conn.send(execute(run, contexts[group], options))


if __name__ == "__main__":
    from multiprocessing.connection import Connection
    try:
        serve(Connection(int(sys.argv[1])))
    except (EOFError, ConnectionError):   # the batch is done with this worker, or gone
        pass
