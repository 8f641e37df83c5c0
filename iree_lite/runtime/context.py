"""Devices, contexts and calls: the runtime's Python API.

    ctx = Context(device="local-task")
    ctx.load_file("module_a.vmfb")
    results = ctx.invoke("abs", [numpy_array])

A context holds modules loaded in order (each resolving its imports against
the ones before it) and a device: `local-sync` runs all work on the calling
thread, `local-task` on a pool of native worker threads.

Calls stop at Ctrl-C (KeyboardInterrupt reaches the caller) and at their
deadline: `invoke(..., timeout=SECONDS)` for one call, `set_timeout(SECONDS)`
for every call from now on (the earlier deadline wins); a call past it raises
VMError DEADLINE_EXCEEDED. A context also works in a forked child: its
workers start again there on first use.
"""
import functools
import threading
import time

from ..isa import ELEMENT_CODES, register_bank, signature_order
from ..isa.module import ABI_COARSE_FENCES
from ..vm.deadline import Deadline
from ..vm.errors import VMError
from ..vm.format import ModuleFormatError, deserialize
from ..vm.link import resolve_imports
from ..vm.verifier import VerifyError, parse_tensor_type, verify_module
from .native import native_vm
from .small_values import is_small, storage_bytes, wrap_results

DEVICES = ("local-sync", "local-task")


def default_workers(group_count=None, max_group_count=None):
    """Worker count for local-task: one per core unless told otherwise."""
    if group_count is not None:
        return group_count
    n = native_vm().default_worker_count()
    return min(n, max_group_count) if max_group_count else n


class Function:
    """An exported function of a loaded module."""

    def __init__(self, context, module_index, export):
        self.context = context
        self.module_index = module_index
        module = context.modules[module_index]
        self.name = export.name
        self.ordinal = export.function
        self.signature = module.functions[export.function].signature
        self.reflection = dict(export.reflection)
        self.is_async = self.signature.abi == ABI_COARSE_FENCES

    def __repr__(self):
        return f"<Function {self.name}{self.signature}>"


def _print_trace(key, views):
    """debug.trace's sink: the buffer views printed on stderr, as IREE's tools do."""
    from .io import HostTensor, print_trace
    print_trace(key, [HostTensor(v.shape, v.element, v.tobytes()) for v in views])


class RunContext:
    """What the tools use of a context that runs modules: Context (the native
    VM) and instruction_trace.TracingContext (the reference interpreter,
    --trace_execution) both have `modules` (in load order), `workers`,
    `load(module)`, `lookup(name, module=None)` -> Function,
    `set_timeout(seconds)` and `invoke(function, args, timeout=None)`, and
    these two, which only Context fills in."""

    def add_time(self, phase, seconds):
        """Count `seconds` spent outside the context toward a
        --print_statistics phase ("load")."""

    def statistics(self):
        """Counters and phase times for --print_statistics, or None where
        they are not collected."""
        return None


class Context(RunContext):
    def __init__(self, device="local-task", workers=None):
        if device not in DEVICES:
            raise VMError("NOT_FOUND", f"unknown device '{device}'; available devices: {', '.join(DEVICES)}")
        if device == "local-task":
            workers = default_workers() if workers is None else workers
            if workers < 1:
                raise VMError("INVALID_ARGUMENT", f"local-task needs at least one worker, got {workers}")
        else:
            workers = 0
        self.device = device
        self.native = native_vm().NativeContext(workers)
        self.native.set_debug_sink(_print_trace)
        self.modules = []   # isa.module.Module, in load order
        self._loaded = []   # their native structures
        # Every module given to the native VM, by the address trace events name
        # it by; kept alive so that no address is reused (one whose
        # initializer failed never joins `modules`, but may have run).
        self.module_at = {}
        # Seconds spent per phase, and host waits on finish fences (--print_statistics).
        self.timings = {"load": 0.0, "verify": 0.0, "invoke": 0.0, "wait": 0.0}
        self.host_waits = 0
        self.host_thread = None   # the OS thread id named "host" in a trace
        self.deadline = None      # set_timeout's vm.deadline.Deadline

    def set_timeout(self, seconds):
        """From now on, every call of this context (module initializers at
        load, invoke, call_async) fails with DEADLINE_EXCEEDED once `seconds`
        have passed; None: no limit."""
        self.deadline = None if seconds is None else Deadline(seconds)

    def _deadline(self, timeout=None):
        """The Deadline of a call starting now (or None): the context's, or
        `timeout` seconds from now if that is earlier."""
        if timeout is None:
            return self.deadline
        own = Deadline(timeout)
        return own if self.deadline is None or own.at_ns < self.deadline.at_ns else self.deadline

    def _native_call(self, loaded, ordinal, ints, floats, refs, nres, deadline):
        try:
            return self.native.call(loaded, ordinal, ints, floats, refs, nres, -1 if deadline is None else deadline.at_ns)
        except VMError as e:
            raise _past_deadline(e, deadline) from None

    def enable_trace(self, capacity=None):
        """Record a timeline (--trace) from now on; see runtime.chrome_trace.
        Call before loading modules: initializers run at load."""
        from .chrome_trace import DEFAULT_CAPACITY
        self.native.enable_trace(DEFAULT_CAPACITY if capacity is None else capacity)
        self.host_thread = threading.get_native_id()

    def trace(self):
        """The Chrome trace-event document recorded so far, or None when
        tracing was not enabled."""
        from .chrome_trace import trace_document
        return trace_document(self)

    @property
    def workers(self):
        return self.native.workers

    def load_bytes(self, blob):
        start = time.perf_counter()
        try:
            module = deserialize(blob)
        except ModuleFormatError as e:
            raise VMError("INVALID_ARGUMENT", str(e)) from None
        finally:
            self.timings["load"] += time.perf_counter() - start
        return self.load(module)

    def load_file(self, path):
        from ..fileio import open_input
        with open_input(path) as f:
            return self.load_bytes(f.read())

    def load(self, module):
        """Verify a module, resolve its imports and add it to the context."""
        start = time.perf_counter()
        try:
            verified = verify_module(module)
        except VerifyError as e:
            raise VMError("INVALID_ARGUMENT", f"module verification failed: {e}") from None
        finally:
            self.timings["verify"] += time.perf_counter() - start
        links = resolve_imports(module, self.modules)
        loaded = native_vm().load_module(verified, links, self._loaded)
        self.module_at[loaded.address] = (loaded, module)
        for f in module.initializers:   # util.initializer bodies, in order
            self._native_call(loaded, f, [], [], [], (0, 0, 0), self.deadline)
        self._loaded.append(loaded)
        self.modules.append(module)
        return module

    def lookup(self, name, module=None):
        """An exported function, of the last loaded module unless named."""
        if not self.modules:
            raise VMError("FAILED_PRECONDITION", "no modules loaded")
        index = len(self.modules) - 1
        if module is not None:
            names = [m.name for m in self.modules]
            if module not in names:
                raise VMError("NOT_FOUND", f"no module '{module}' in the context")
            index = names.index(module)
        export = self.modules[index].export(name)
        if export is None:
            raise VMError("NOT_FOUND", f"no function '{name}' exported by module")
        return Function(self, index, export)

    def call_async(self, function, args, wait, signal, timeout=None):
        """Start a coarse-fences function: returns its results at once; they
        may be read once `signal` is reached. `wait` may be None. Work it
        leaves queued stops at Ctrl-C and at the deadline too (failing
        `signal`)."""
        return self._call_async(function, args, wait, signal, self._deadline(timeout))

    def _call_async(self, function, args, wait, signal, deadline):
        return self._call(function, list(args) + [wait, signal], function.signature.inputs + ("!fence",) * 2,
                          deadline)

    def invoke(self, function, args, timeout=None):
        """Call a function and wait for its results, whatever its ABI model;
        all within `timeout` seconds (and the context's set_timeout), or
        VMError DEADLINE_EXCEEDED."""
        if isinstance(function, str):
            function = self.lookup(function)
        deadline = self._deadline(timeout)
        start = time.perf_counter()
        if not function.is_async:
            try:
                return self._call(function, args, function.signature.inputs, deadline)
            finally:
                self.timings["invoke"] += time.perf_counter() - start
        signal = native_vm().Fence()
        results = self._call_async(function, args, None, signal, deadline)
        waited = time.perf_counter()
        self.timings["invoke"] += waited - start
        self.host_waits += 1
        try:
            reached = self.native.wait(signal, None if deadline is None else deadline.left())
        except VMError as e:
            e = _past_deadline(e, deadline)
            raise VMError(e.code_name, f"{e.message}; waiting on finish fence") from None
        finally:
            self.timings["wait"] += time.perf_counter() - waited
        if not reached:
            raise VMError("DEADLINE_EXCEEDED", f"{deadline.error().message}; waiting on finish fence")
        return results

    def add_time(self, phase, seconds):
        self.timings[phase] += seconds

    def statistics(self):
        """Counters and phase times for --print_statistics."""
        vm = self.native.statistics()
        return {**native_vm().buffer_statistics(), "dispatches": vm["dispatches"],
                "fence_waits": vm["fence_waits"] + self.host_waits, **{k: v for k, v in self.timings.items()}}

    def _call(self, function, args, types, deadline):
        if len(args) != len(types):
            n = len(function.signature.inputs)
            raise VMError("INVALID_ARGUMENT", "input list and function mismatch; "
                          f"expected {n} arguments but passed {len(args) - (len(types) - n)}")
        plan, order, nres = _call_plan(tuple(types), tuple(function.signature.results))
        banks = {"i": [], "f": [], "r": []}
        for i, (value, t, (bank, parsed)) in enumerate(zip(args, types, plan)):
            banks[bank].append(value if parsed is None else to_vm_value(value, t, i, parsed))
        ints, floats, refs = self._native_call(self._loaded[function.module_index], function.ordinal,
                                               banks["i"], banks["f"], banks["r"], nres, deadline)
        by_bank = [*ints, *floats, *refs]
        return wrap_results([by_bank[i] for i in order], function.signature.results)


def _past_deadline(error, deadline):
    """The native VM's DEADLINE_EXCEEDED (its work stopped at `deadline`),
    told with the timeout it came from; other errors as they are."""
    if error.code_name == "DEADLINE_EXCEEDED" and error.message == "deadline exceeded" and deadline is not None:
        return deadline.error()
    return error


@functools.lru_cache(maxsize=None)
def _call_plan(types, results):
    """What a call with these parameter and result types does with its
    values, worked out once (Python run between calls is slow, see
    BufferView.from_array): per parameter its bank and parsed type (None
    for a fence); where each result is in the native call's results, in
    signature order; the results per bank."""
    plan = tuple(("r", None) if t == "!fence" else (register_bank(t), parse_tensor_type(t)) for t in types)
    result_banks = tuple(register_bank(t) for t in results)
    order = tuple(signature_order(range(len(results)), result_banks))
    return plan, order, tuple(result_banks.count(b) for b in "ifr")


def to_vm_value(value, type_str, index=0, parsed=None):
    """A call argument for a parameter of MLIR type `type_str` (`parsed`:
    its parse_tensor_type, if known): a BufferView for tensors (from a
    BufferView, a HostTensor-like object with shape, element and data, or
    anything numpy accepts), an int or float otherwise."""
    element, shape = parsed or parse_tensor_type(type_str)
    if shape is None:
        if hasattr(value, "value"):      # a parsed scalar
            value = value.value
        try:
            return float(value) if register_bank(type_str) == "f" else int(value)
        except (TypeError, ValueError, OverflowError):   # an array, a NaN for an integer, ...
            raise VMError("INVALID_ARGUMENT", f"input{index} expected a {type_str} scalar but got "
                          f"{type(value).__name__} {value!r:.40}") from None
    vm = native_vm()
    if is_small(element):
        shape, data = storage_bytes(f"input{index}", value, element, shape, check_tensor)
        return vm.BufferView.from_bytes(ELEMENT_CODES["i8"], shape, data)
    if hasattr(value, "element") and hasattr(value, "data"):   # host data: checked before it is copied
        check_tensor(f"input{index}", value.element, value.shape, element, shape)
        return vm.BufferView.from_bytes(ELEMENT_CODES[value.element], value.shape, value.data)
    if not isinstance(value, vm.BufferView):
        value = _from_array(value, element)
    check_tensor(f"input{index}", value.element, value.shape, element, shape)
    return value


def check_tensor(what, element, shape, want_element, want_shape):
    """IREE's wording for a tensor argument that does not fit its parameter."""
    if element != want_element:
        raise VMError("INVALID_ARGUMENT", f"{what} element type mismatch; expected {want_element} but have {element}")
    if len(shape) != len(want_shape):
        raise VMError("INVALID_ARGUMENT", f"{what} shape rank mismatch; expected {len(want_shape)} but have {len(shape)}")
    for i, (want, have) in enumerate(zip(want_shape, shape)):
        if want is not None and want != have:
            raise VMError("INVALID_ARGUMENT",
                          f"{what} shape dimension {i} mismatch; expected {want} but have {have}; "
                          f"expected shape `{_dims(want_shape)}`, actual shape `{_dims(shape)}`")


def _dims(shape):
    return "x".join("?" if d is None else str(d) for d in shape)


_NUMPY_DTYPES = {"i1": "bool", "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64",
                 "index": "int64", "f16": "float16", "bf16": "bfloat16", "f32": "float32", "f64": "float64"}


def _from_array(value, element):
    import numpy as np
    arr = np.asarray(value)
    if not arr.flags.c_contiguous:   # (np.ascontiguousarray would make a 0-d array 1-d)
        arr = arr.copy(order="C")
    if arr.dtype.kind == "u" and element.startswith("i") and arr.dtype.itemsize * 8 == int(element[1:] or 0):
        arr = arr.view(f"int{arr.dtype.itemsize * 8}")   # MLIR's integers are signless: the same bits
    dtype = _element_of(arr.dtype)
    if dtype is None:
        kind = "complex numbers are not an element type iree-lite has" if arr.dtype.kind == "c" else \
            f"the parameter is {element}"
        raise VMError("INVALID_ARGUMENT", f"unsupported array dtype {arr.dtype} ({kind})")
    if dtype == "i64" and element == "index":
        dtype = "index"
    return native_vm().BufferView.from_array(ELEMENT_CODES[dtype], arr)


@functools.lru_cache(maxsize=None)
def _element_of(dtype):
    """The element type of numpy arrays of `dtype`, or None: worked out once
    per dtype, as `dtype.name` runs Python code in numpy on every call."""
    return {v: k for k, v in _NUMPY_DTYPES.items() if k != "index"}.get(dtype.name)
