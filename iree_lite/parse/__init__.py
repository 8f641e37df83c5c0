"""MLIR text -> iree_lite.ir."""
from .parser import parse_module

__all__ = ["parse_module"]
