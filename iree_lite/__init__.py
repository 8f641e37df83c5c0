"""iree-lite: IREE's compile-and-run workflow for MLIR programs, small and fast.

Importing the package is cheap; the compiler and runtime load on first use.
"""
__version__ = "0.1.0"


def __getattr__(name):
    if name in ("compile_str", "compile_file"):
        from . import compiler
        return getattr(compiler, name)
    raise AttributeError(f"module 'iree_lite' has no attribute '{name}'")
