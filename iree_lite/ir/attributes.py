"""Attribute values. Dictionaries are plain `dict`s of name -> attribute."""
from dataclasses import dataclass


@dataclass(frozen=True)
class IntegerAttr:
    value: int
    type: object  # ScalarType; `index` when written `: index`, i64 when untyped


@dataclass(frozen=True)
class FloatAttr:
    value: float
    type: object


@dataclass(frozen=True)
class BoolAttr:
    value: bool


@dataclass(frozen=True)
class StringAttr:
    value: str


@dataclass(frozen=True)
class UnitAttr:
    pass


@dataclass(frozen=True)
class TypeAttr:
    value: object


@dataclass(frozen=True)
class SymbolRefAttr:
    name: str  # without '@'


@dataclass(frozen=True)
class ArrayAttr:
    values: tuple


@dataclass(frozen=True)
class DenseElementsAttr:
    """`dense<...> : tensor<...>`: `values` is the row-major flat tuple of
    Python numbers, or a 1-tuple when `splat` (one value fills the tensor)."""
    type: object  # TensorType
    values: tuple
    splat: bool

    def flat(self):
        n = self.type.num_elements
        return self.values * n if self.splat else self.values


@dataclass(frozen=True)
class AffineMapAttr:
    """`affine_map<(d0, d1) -> (d1, 0)>`: each result is a dimension index,
    or None for the constant 0 (a broadcast of a size-1 dimension)."""
    num_dims: int
    results: tuple

    @property
    def is_identity(self):
        return self.results == tuple(range(self.num_dims))

    def __str__(self):
        dims = ", ".join(f"d{i}" for i in range(self.num_dims))
        res = ", ".join("0" if r is None else f"d{r}" for r in self.results)
        return f"affine_map<({dims}) -> ({res})>"
