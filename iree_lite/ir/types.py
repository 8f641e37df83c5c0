"""Types: scalar element types, ranked tensors and function signatures.

Types are immutable and compare by value. `str(t)` is MLIR syntax, which the
module file also uses to record signatures (see iree_lite.vm.format).
"""
from dataclasses import dataclass

from .elements import INT_BITS, SUB_BYTE_INTS
from ..isa.smallfloat import FORMATS

# name -> (bit width, kind); kind is 'int' or 'float'. `index` is a 64-bit int.
ELEMENT_TYPES = {
    "i1": (1, "int"),
    **{name: (INT_BITS[name], "int") for name in SUB_BYTE_INTS},
    "i8": (8, "int"),
    "i16": (16, "int"),
    "i32": (32, "int"),
    "i64": (64, "int"),
    "index": (64, "int"),
    "f16": (16, "float"),
    "bf16": (16, "float"),
    "f32": (32, "float"),
    "f64": (64, "float"),
    **{name: (f.bits, "float") for name, f in FORMATS.items()},
}
# Element types stored a byte per element and computed through another
# (iree_lite.passes.small_types): sub-byte integers and small floats.
STORAGE_ONLY = {*SUB_BYTE_INTS, *FORMATS}


class Type:
    __slots__ = ()


@dataclass(frozen=True)
class ScalarType(Type):
    name: str

    def __post_init__(self):
        if self.name not in ELEMENT_TYPES:
            raise ValueError(f"unknown element type '{self.name}'")

    @property
    def bitwidth(self):
        return ELEMENT_TYPES[self.name][0]

    @property
    def is_float(self):
        return ELEMENT_TYPES[self.name][1] == "float"

    @property
    def is_int(self):
        return ELEMENT_TYPES[self.name][1] == "int"

    @property
    def byte_size(self):
        # i1 is stored one byte per element, as IREE's buffers do; so are
        # the other sub-byte types in iree-lite (not packed, as IREE's are).
        return max(1, self.bitwidth // 8)

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class TensorType(Type):
    """A ranked tensor; a dimension of None is dynamic (`?`)."""
    shape: tuple
    element: ScalarType

    @property
    def rank(self):
        return len(self.shape)

    @property
    def is_static(self):
        return all(d is not None for d in self.shape)

    @property
    def num_elements(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    def __str__(self):
        dims = "".join(("?" if d is None else str(d)) + "x" for d in self.shape)
        return f"tensor<{dims}{self.element}>"


@dataclass(frozen=True)
class VectorType(TensorType):
    """`vector<2xi64>`: only the type of dense attributes (convolution
    strides and dilations, as MLIR's printer writes them), never of a value."""

    def __str__(self):
        dims = "".join(f"{d}x" for d in self.shape)
        return f"vector<{dims}{self.element}>"


@dataclass(frozen=True)
class FunctionType(Type):
    inputs: tuple
    results: tuple

    def __str__(self):
        ins = ", ".join(map(str, self.inputs))
        outs = ", ".join(map(str, self.results))
        if len(self.results) == 1 and not isinstance(self.results[0], FunctionType):
            return f"({ins}) -> {outs}"
        return f"({ins}) -> ({outs})"


def element_type_of(t):
    """The element type of a tensor, or the type itself for a scalar."""
    return t.element if isinstance(t, TensorType) else t
