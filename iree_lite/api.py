"""The Python API as IREE's users write it: `iree.compiler`'s compile_str and
compile_file (target_backends, input_type, extra_args, output_file) and
`iree.runtime`'s load_vm_flatbuffer, whose module's exports are callable
(`m.main(x)`) and return DeviceArrays, plus benchmark_module, which times a
call as `iree-lite benchmark-module` does. A script written against IREE for
compile-load-call runs after changing its imports."""
from __future__ import annotations

import functools
import os
from typing import Any, Iterable, Optional, Sequence, Union

# IREE's target backends and the driver each runs on.
TARGET_BACKEND_TO_DRIVER = {"llvm-cpu": "local-task", "vmvx": "local-task"}
DRIVERS = ("local-task", "local-sync")


class CompilerToolError(ValueError):
    """Bad compiler flags (in extra_args or the keywords), as iree.compiler
    raises them; source errors raise Diagnostic, with their location."""


def _compile_namespace(flags: Sequence[str]):
    from .tools.cli import UsageError, build_parser, normalize
    from .tools.compile import target_errors
    from .tools.iree_flags import check, with_boolean_values
    args = [part for a in normalize(["compile", "-", *flags]) for part in a]
    try:
        ns = build_parser(raising=True, command="compile").parse_args(with_boolean_values(args))
    except UsageError as e:
        raise CompilerToolError(str(e)) from None
    errors = check(ns)[0] + target_errors(ns)
    if errors:
        raise CompilerToolError(errors[0])
    return ns


def compile_str(input_str: Union[str, bytes], filename: str = "<string>", execution_model: Optional[str] = None, *,
                target_backends: Sequence[str] = (), input_type: Optional[str] = None,
                extra_args: Sequence[str] = (), output_file: Optional[str] = None) -> Optional[bytes]:
    """MLIR source to module bytes, or the MLIR text of the phase
    `--compile-to=` in extra_args names (or to output_file, written
    atomically, returning None). Raises Diagnostic for source errors."""
    from .compiler import compile_output
    flags = [*extra_args]
    if target_backends:
        flags.append("--iree-hal-target-backends=" + ",".join(target_backends))
    if input_type is not None:
        flags.append(f"--iree-input-type={input_type}")
    if execution_model is not None:
        flags.append(f"--iree-execution-model={execution_model}")
    ns = _compile_namespace(flags)
    text = input_str.decode("utf-8") if isinstance(input_str, bytes) else input_str
    pieces = compile_output(text, filename, ns.execution_model, ns.compile_to, ns.print_op_generic,
                            ns.print_debuginfo, trace_dispatch_tensors=ns.trace_dispatch_tensors)
    if output_file is None:
        return b"".join(pieces)
    from .fileio import write_atomically
    write_atomically(output_file, pieces)
    return None


def compile_file(input_file: Union[str, os.PathLike], execution_model: Optional[str] = None, **kwargs) -> Optional[bytes]:
    """compile_str of a file's text, its path as the diagnostics' file name."""
    from .fileio import open_input
    with open_input(input_file, encoding="utf-8") as f:
        return compile_str(f.read(), os.fspath(input_file), execution_model, **kwargs)


class DeviceArray:
    """A tensor result: numpy sees it without a copy (`np.asarray(a)`,
    `a.to_host()`), and so does anything taking the array protocol."""

    def __init__(self, view):
        self._view = view

    def to_host(self):
        import numpy as np
        return np.asarray(self._view)

    def __array__(self, dtype=None, copy=None):
        host = self.to_host()
        if copy:
            host = host.copy()
        return host if dtype is None else host.astype(dtype, copy=False)

    @property
    def shape(self) -> tuple:
        return tuple(self._view.shape)

    @property
    def dtype(self):
        return self.to_host().dtype

    @property
    def buffer_view(self):
        """The VM's BufferView (what Context.invoke takes and returns)."""
        return self._view

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"<DeviceArray {self.shape} {self.dtype}: {self.to_host()!r}>"


def _argument(value):
    """A call argument: a DeviceArray's view, else the value (numpy arrays
    of any dtype the VM has are converted by the context)."""
    return value.buffer_view if isinstance(value, DeviceArray) else value


def _result(value):
    return DeviceArray(value) if isinstance(value, _tensor_types()) else value


@functools.lru_cache(maxsize=None)
def _tensor_types():
    """What a call returns for a tensor (imported once: _result runs on every call)."""
    from .runtime.native import native_vm
    from .runtime.small_values import SmallTensor
    return native_vm().BufferView, SmallTensor


class BoundFunction:
    """An export of a loaded module: call it with the arguments in order."""

    def __init__(self, context, function):
        self._context, self.function = context, function

    def __call__(self, *args: Any, timeout: Optional[float] = None):
        results = [_result(r) for r in self._context.invoke(self.function, [_argument(a) for a in args],
                                                            timeout=timeout)]
        return None if not results else results[0] if len(results) == 1 else tuple(results)

    def __repr__(self) -> str:
        return f"<BoundFunction {self.function.name}{self.function.signature}>"


class BoundModule:
    """A module loaded in its own context: each export is an attribute
    (`m.main`) and an item (`m["main"]`)."""

    def __init__(self, context, module):
        self.context, self.module = context, module

    @property
    def exports(self) -> list:
        return [e.name for e in self.module.exports]

    def __getitem__(self, name: str) -> BoundFunction:
        if name not in self.exports:
            raise KeyError(f"module '{self.module.name}' has no export '{name}' (its exports: "
                           f"{', '.join(self.exports)})")
        return BoundFunction(self.context, self.context.lookup(name))

    def __getattr__(self, name: str) -> BoundFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(e.args[0]) from None

    def __dir__(self):
        return [*super().__dir__(), *self.exports]

    def __repr__(self) -> str:
        return f"<BoundModule {self.module.name}: {', '.join(self.exports)}>"


def _driver(driver: Optional[str], backend: Optional[str]) -> str:
    if driver is not None and backend is not None:
        raise ValueError("Cannot specify both 'driver' and a 'backend' to infer the driver from.")
    if backend is not None:
        if backend not in TARGET_BACKEND_TO_DRIVER:
            raise ValueError(f"unknown backend '{backend}' (backends: {', '.join(TARGET_BACKEND_TO_DRIVER)})")
        return TARGET_BACKEND_TO_DRIVER[backend]
    driver = driver or "local-task"
    if driver not in DRIVERS:
        raise ValueError(f"unknown driver '{driver}' (drivers: {', '.join(DRIVERS)})")
    return driver


def load_vm_flatbuffer(vm_flatbuffer: Union[bytes, str, os.PathLike], *, driver: Optional[str] = None,
                       backend: Optional[str] = None, workers: Optional[int] = None) -> BoundModule:
    """Module bytes (or a .vmfb path) loaded into a new context on `driver`
    (local-task, the default, or local-sync) or the driver that runs
    `backend`. Raises VMError for a module that does not verify."""
    from .runtime.context import Context
    context = Context(_driver(driver, backend), workers)
    if isinstance(vm_flatbuffer, (bytes, bytearray, memoryview)):
        module = context.load_bytes(bytes(vm_flatbuffer))
    else:
        module = context.load_file(os.fspath(vm_flatbuffer))
    return BoundModule(context, module)


def load_vm_flatbuffer_file(path: Union[str, os.PathLike], *, driver: Optional[str] = None,
                            backend: Optional[str] = None) -> BoundModule:
    return load_vm_flatbuffer(os.fspath(path), driver=driver, backend=backend)


def benchmark_module(module: BoundModule, function: str, inputs: Iterable[Any] = (), *, repetitions: int = 1,
                     min_time: str = "0.5s", time_unit: str = "ms") -> list:
    """Time `function` of a loaded module as `iree-lite benchmark-module`
    does (one untimed warm-up call, iterations grown until a batch lasts
    min_time or `Nx` iterations, one count across repetitions): Google
    Benchmark's rows, one per repetition and the aggregates."""
    from .tools.benchmark_module import benchmark_name, measure_repetitions, parse_min_time
    from .tools.benchmark_report import rows_of
    bound = module[function]
    args = [_argument(a) for a in inputs]
    call = lambda: module.context.invoke(bound.function, args)   # noqa: E731 (the timed call)
    call()
    runs = measure_repetitions(call, *parse_min_time(min_time), repetitions)
    return rows_of(benchmark_name(bound.function), 0, runs, time_unit)
