"""iree-lite: IREE's compile-and-run workflow for MLIR programs, small and fast.

Importing the package is cheap; the compiler and runtime load on first use.
The API follows IREE's: compile_str / compile_file (iree.compiler) and
load_vm_flatbuffer (iree.runtime), whose module's exports are callable.
"""
from .version import __version__

# Not typing.TYPE_CHECKING: importing typing costs every command milliseconds
# (type checkers take any TYPE_CHECKING name as true).
TYPE_CHECKING = False

# name -> the module that defines it, imported when the name is first used.
_PUBLIC = {
    "compile_str": "api", "compile_file": "api", "load_vm_flatbuffer": "api", "load_vm_flatbuffer_file": "api",
    "benchmark_module": "api", "BoundModule": "api", "BoundFunction": "api", "DeviceArray": "api",
    "CompilerToolError": "api", "Context": "runtime.context", "Function": "runtime.context",
    "Diagnostic": "ir.core", "VMError": "vm.errors",
}
__all__ = ["__version__", *_PUBLIC]

if TYPE_CHECKING:   # what editors and type checkers see; at run time, __getattr__
    from .api import (BoundFunction, BoundModule, CompilerToolError, DeviceArray, benchmark_module, compile_file,
                      compile_str, load_vm_flatbuffer, load_vm_flatbuffer_file)
    from .ir.core import Diagnostic
    from .runtime.context import Context, Function
    from .vm.errors import VMError


def __getattr__(name):
    if name in _PUBLIC:
        import importlib
        return getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(f"module 'iree_lite' has no attribute '{name}'")


def __dir__():
    return __all__
