"""`iree-lite run-module`: load modules, call a function, print or check
its results, byte for byte as iree-run-module does."""
import sys
import time


class ToolError(Exception):
    """A failure reported as IREE's one-line `CODE; message; context`."""


def read_module(path):
    if path == "-":
        return sys.stdin.buffer.read()
    from ..fileio import open_input
    try:
        with open_input(path) as f:
            return f.read()
    except OSError as e:
        import errno
        what = (f"INVALID_ARGUMENT; '{path}' is {e.strerror}" if e.errno == errno.EFBIG   # fileio.open_input
                else f"NOT_FOUND; failed to open file '{path}'")
        raise ToolError(f"{what}; loading bytecode module at '{path}'; "
                        "loading modules and dependencies; creating run context") from None


def workers_for(ns):
    if ns.device != "local-task":
        return None
    from ..runtime.context import default_workers
    return default_workers(ns.task_topology_group_count, ns.task_topology_max_group_count)


def create_context(ns, allow_empty=False, module_bytes=None):
    """A context with every --module loaded, in order; `module_bytes`
    (path -> bytes) holds modules already read (a batch's remote workers)."""
    from ..runtime.context import DEVICES, Context
    from ..vm.errors import VMError
    from .iree_flags import refusal
    if refusal(ns):
        raise ToolError(f"INVALID_ARGUMENT; {refusal(ns)}; creating run context")
    if ns.device not in DEVICES:
        raise ToolError(f"NOT_FOUND; no driver '{ns.device}' registered; creating driver for device "
                        f"'{ns.device}'; available devices: {', '.join(DEVICES)}; creating run context")
    if not ns.modules and not allow_empty:
        raise ToolError("INVALID_ARGUMENT; no --module= specified; creating run context")
    try:
        if getattr(ns, "trace_execution", False):
            if ns.trace:
                raise ToolError("INVALID_ARGUMENT; --trace records the native VM, --trace_execution runs "
                                "the reference interpreter; use one of them")
            from ..runtime.instruction_trace import TracingContext
            ctx = TracingContext()
        else:
            ctx = Context(ns.device, workers_for(ns))
            if ns.trace:
                ctx.enable_trace()   # before loading: initializers run at load
                ns.traced_context = ctx   # written by report_errors, even after a failure
    except VMError as e:
        raise ToolError(f"{e}; creating run context") from None
    ctx.set_timeout(getattr(ns, "timeout", None))   # initializers run at load (batch sets none)
    from ..vm.format import ModuleFormatError, deserialize
    from ..vm.link import load_order
    modules = []
    for path in ns.modules:
        name = "<stdin>" if path == "-" else path
        start = time.perf_counter()
        try:
            blob = module_bytes[path] if module_bytes and path in module_bytes else read_module(path)
            modules.append((name, deserialize(blob)))
        except ModuleFormatError as e:
            raise ToolError(f"INVALID_ARGUMENT; {e}; loading bytecode module at '{name}'; loading modules and "
                            "dependencies; creating run context") from None
        finally:
            ctx.add_time("load", time.perf_counter() - start)
    try:
        order = load_order([m for _, m in modules])
    except VMError as e:
        raise ToolError(f"{e}; loading modules and dependencies; creating run context") from None
    if order != sorted(order):
        print("iree-lite: loading modules in import order: " + ", ".join(modules[i][1].name for i in order),
              file=sys.stderr)
    ctx.function_module = modules[-1][1].name if modules else None   # --function is looked up there
    for i in order:
        name, module = modules[i]
        try:
            ctx.load(module)
        except VMError as e:
            raise ToolError(f"{e}; loading bytecode module at '{name}'; loading modules and dependencies; "
                            "creating run context") from None
    return ctx


def select_function(ctx, name):
    from ..vm.errors import VMError
    if name is None:
        module = getattr(ctx, "function_module", None)
        exports = next((m for m in ctx.modules if m.name == module), ctx.modules[-1]).exports
        if len(exports) != 1:
            names = ", ".join(e.name for e in exports) or "none"
            raise ToolError(f"INVALID_ARGUMENT; no --function= specified and the module exports "
                            f"{len(exports)} functions ({names})")
        name = exports[0].name
    try:
        # The last --module given, as IREE does; if it lacks the function
        # (the modules were out of order), the last one loaded.
        module = getattr(ctx, "function_module", None)
        if module is not None and ctx.modules[-1].name != module and not any(
                m.name == module and m.export(name) for m in ctx.modules):
            module = None
        return ctx.lookup(name, module)
    except VMError as e:
        raise ToolError(f"{e}; looking up function '{name}'; creating run context") from None


def declaration(fn):
    return f"`{fn.reflection.get('iree.abi.declaration', fn.name)}`"


def parse_inputs(texts, fn):
    """fn's arguments from `--input` texts. An argument that does not fit its
    parameter is not built (only its type and shape are read), and the call
    rejects it."""
    return parse_list(texts, len(fn.signature.inputs), "parsing function inputs", fn, fn.signature.inputs)


def parse_list(texts, count, what, fn, parameters=None):
    from ..runtime import io
    values = []
    for text in texts:
        if len(values) == count:
            raise ToolError(f"INVALID_ARGUMENT; function expected fewer input values; parsing input `{text}`; "
                            f"{what}; {declaration(fn)}")
        try:
            values.append(io.parse_value(text, parameter=None if parameters is None else parameters[len(values)]))
        except io.IoError as e:
            raise ToolError(f"{e}; parsing input `{text}`; {what}; {declaration(fn)}") from None
    return values


def host_value(value, type_str):
    """A VM result as the io layer's HostTensor or HostScalar."""
    from ..runtime import io
    if type_str.startswith("tensor<"):   # (a SmallTensor gives its element as IREE names it)
        return io.HostTensor(value.shape, getattr(value, "hal_element", value.element), bytearray(value.tobytes()))
    return io.HostScalar(type_str, value)


def report_errors(fn):
    """Run a tool body, printing a ToolError as IREE's one line (exit 1),
    then write the --trace file of the context it created, if any."""
    def run(ns):
        try:
            status = fn(ns)
        except ToolError as e:
            sys.stdout.flush()
            print(e, file=sys.stderr)
            status = 1
        ctx = getattr(ns, "traced_context", None)
        if ctx is not None:
            from ..runtime.chrome_trace import write_trace
            try:
                write_trace(ctx, ns.trace)
            except OSError as e:
                print(f"error: cannot write trace file '{ns.trace}': {e.strerror}", file=sys.stderr)
                status = 1
        return status
    return run


@report_errors
def run(ns):
    ctx = create_context(ns)
    status = run_function(ctx, select_function(ctx, ns.function), ns)
    if ns.print_statistics:
        print_statistics(ctx)
    return status


def print_statistics(ctx):
    """--print_statistics: counters and time per phase, on stderr."""
    sys.stdout.flush()   # after the results, also when both streams go to one pipe
    s = ctx.statistics()
    if s is None:
        print("[statistics] not collected under --trace_execution", file=sys.stderr)
        return
    print(f"[statistics] time: load {s['load'] * 1e3:.3f} ms, verify {s['verify'] * 1e3:.3f} ms, "
          f"invoke {s['invoke'] * 1e3:.3f} ms, wait {s['wait'] * 1e3:.3f} ms", file=sys.stderr)
    print(f"[statistics] dispatches: {s['dispatches']}, fence waits: {s['fence_waits']}", file=sys.stderr)
    print(f"[statistics] buffers: {s['buffers']} allocated, {s['bytes']} bytes in total, "
          f"peak {s['peak_bytes']} bytes live", file=sys.stderr)


def run_function(ctx, fn, ns):
    """Call `fn` with ns.inputs and print, check or write its results, as
    iree-run-module does; returns the exit status."""
    from ..runtime import io
    inputs = parse_inputs(ns.inputs, fn)
    print(f"EXEC @{fn.name}", flush=True)
    outputs = call_function(ctx, fn, inputs)

    if ns.expected_outputs:
        failures = check_outputs(fn, outputs, ns.expected_outputs, comparison_options(ns))
        for f in failures:
            sys.stdout.write(f)
        if not failures:
            print(io.SUCCESS_LINE)
        return 1 if failures else 0

    if ns.outputs:
        if len(ns.outputs) > len(outputs):
            raise ToolError(f"OUT_OF_RANGE; {len(ns.outputs)} outputs specified but the provided variant list "
                            f"only has {len(outputs)} elements; outputting results; processing function outputs; "
                            f"{declaration(fn)}")
        for spec, value in zip(ns.outputs, outputs):
            try:
                text = io.write_output(spec, value, ns.output_max_element_count)
            except io.IoError as e:
                raise ToolError(f"{e}; processing function outputs") from None
            if text:
                sys.stdout.write(text)
        return 0
    for i, value in enumerate(outputs):
        sys.stdout.write(io.format_result(i, value, ns.output_max_element_count))
    return 0


def call_function(ctx, fn, inputs):
    """Invoke `fn` on parsed inputs; its results as HostTensor/HostScalar."""
    from ..runtime import io
    from ..vm.errors import VMError
    params, results = fn.signature.inputs, fn.signature.results
    invoking = f"invoking function '{fn.name}'; {declaration(fn)}"
    if len(inputs) != len(params):
        raise ToolError(f"INVALID_ARGUMENT; input list and function mismatch; expected {len(params)} "
                        f"arguments but passed {len(inputs)}; {invoking}")
    try:
        args = [io.coerce(v, t) for v, t in zip(inputs, params)]
        values = ctx.invoke(fn, args)
    except (VMError, io.IoError) as e:
        raise ToolError(f"{e}; {invoking}") from None
    return [host_value(v, t) for v, t in zip(values, results)]


def comparison_options(ns):
    """io.compare's keyword arguments from the --expected_* / --equality_mode flags."""
    return {"thresholds": {"f16": ns.expected_f16_threshold, "f32": ns.expected_f32_threshold,
                           "f64": ns.expected_f64_threshold, "bf16": ns.expected_bf16_threshold},
            "rtol": ns.expected_rtol, "equality_mode": ns.equality_mode}


def check_outputs(fn, outputs, texts, options):
    """IREE's [FAILED] text for each result that does not match its
    `--expected_output` text; empty when all match."""
    from ..runtime import io
    expected = parse_list(texts, len(outputs), "parsing expected function outputs; processing function outputs", fn)
    if len(expected) != len(outputs):
        raise ToolError(f"INVALID_ARGUMENT; expected {len(expected)} outputs but the function returned "
                        f"{len(outputs)}; processing function outputs; {declaration(fn)}")
    failures = [io.compare(i, e, a, **options) for i, (e, a) in enumerate(zip(expected, outputs))]
    return [f for f in failures if f is not None]
