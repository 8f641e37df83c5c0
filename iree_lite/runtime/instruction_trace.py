"""`--trace_execution`: run on the reference interpreter (the definition of
every opcode) and print each instruction as it executes, on stderr.

The native loop runs without the GIL and never calls back into Python, so
tracing uses the reference VM; results are the same (the test suite checks
that the two agree).
"""
import sys

from ..vm import interp
from ..vm.disasm import disassemble
from .context import Function, RunContext


def describe(value):
    if isinstance(value, interp.Buffer):
        shown = " ".join(map(str, value.values()[:4])) + (" ..." if value.count > 4 else "")
        return f"{'x'.join(map(str, value.shape))}{'x' if value.shape else ''}{value.element}[{shown}]"
    if isinstance(value, interp.Fence):
        return "fence(" + ("reached" if value.reached else "failed" if value.error else "pending") + ")"
    return "null" if value is None else repr(value)


class Tracer:
    def __init__(self, out=sys.stderr):
        self.out = out
        self.listings = {}

    def __call__(self, module, function, pc, op, values, frame):
        key = id(function)
        if key not in self.listings:
            self.listings[key] = dict(disassemble(module, function.code, function.locs))
        regs = []
        for name, kind in op.operands:
            if kind in ("ri", "rf", "rr"):
                regs.append(f"{kind[1]}{values[name]}={describe(getattr(frame, kind[1])[values[name]])}")
            elif kind in ("ri*", "rf*", "rr*"):
                regs += [f"{kind[1]}{r}={describe(getattr(frame, kind[1])[r])}" for r in values[name]]
        text = self.listings[key][pc]
        self.out.write(f"[trace] {module.name}.{function.name} {pc:4d}: {text}"
                       + (f"  | {', '.join(regs)}" if regs else "") + "\n")


def _print_trace(key, buffers):
    """debug.trace's sink: the buffers printed on stderr, as IREE's tools do."""
    from .io import HostTensor, print_trace
    print_trace(key, [HostTensor(b.shape, b.element, bytes(b.data)) for b in buffers])


class TracingContext(RunContext):
    """The part of runtime.context.Context the tools use (RunContext), on the reference VM."""

    def __init__(self):
        self.ref = interp.Context(trace=Tracer())
        self.ref.debug_sink = _print_trace
        self.modules = self.ref.modules
        self.workers = 0

    def load(self, module):
        from ..vm.errors import VMError
        from ..vm.verifier import VerifyError
        try:
            self.ref.load(module)
        except VerifyError as e:
            raise VMError("INVALID_ARGUMENT", f"module verification failed: {e}") from None

    def lookup(self, name, module=None):
        from ..vm.errors import VMError
        index = len(self.modules) - 1 if module is None else [m.name for m in self.modules].index(module)
        export = self.modules[index].export(name)
        if export is None:
            raise VMError("NOT_FOUND", f"no function '{name}' exported by module")
        return Function(self, index, export)

    def set_timeout(self, seconds):
        """runtime.context.Context.set_timeout, on the reference VM."""
        from ..vm.deadline import Deadline
        self.ref.deadline = None if seconds is None else Deadline(seconds)

    def invoke(self, function, args, timeout=None):
        from ..vm.verifier import parse_tensor_type
        from .context import check_tensor
        from .small_values import is_small, storage_bytes, wrap_results
        values = []
        for i, (a, t) in enumerate(zip(args, function.signature.inputs)):
            element, shape = parse_tensor_type(t)
            if shape is not None and is_small(element):
                values.append(interp.Buffer("i8", *storage_bytes(f"input{i}", a, element, shape, check_tensor)))
            elif shape is not None and hasattr(a, "data"):   # host data, checked as the native VM checks it
                check_tensor(f"input{i}", a.element, a.shape, element, shape)
                values.append(interp.Buffer(a.element, a.shape, bytearray(a.data)))
            else:
                values.append(a.value if hasattr(a, "value") else a)
        results = self.ref.invoke(function.name, values, self.modules[function.module_index].name, timeout or 60)
        return wrap_results(results, function.signature.results)
