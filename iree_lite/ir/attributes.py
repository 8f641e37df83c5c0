"""Attribute values. Dictionaries are plain `dict`s of name -> attribute."""
from dataclasses import dataclass

from .elements import pack, unpack


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
    """`dense<...> : tensor<...>`: `data` holds the row-major elements'
    little-endian bytes as a module stores them (ir/elements.py `pack`), one
    element's when `splat` (one value fills the tensor). Weights stay bytes
    from the source text to the module; `values` decodes them for the few
    uses that need numbers (small attributes, a splat's value)."""
    type: object  # TensorType
    data: bytes
    splat: bool

    @classmethod
    def from_values(cls, type, values, splat):
        return cls(type, pack(type.element.name, values), splat)

    @property
    def values(self):
        """The elements as Python numbers (one for a splat): only for small
        constants, as this makes an object per element."""
        return tuple(unpack(self.type.element.name, self.data))

    def flat(self):
        n = self.type.num_elements
        return self.values * n if self.splat else self.values

    def flat_data(self):
        """Every element's bytes (a splat's repeated)."""
        return self.data * self.type.num_elements if self.splat else self.data


@dataclass(frozen=True)
class AffineMapAttr:
    """`affine_map<(d0, d1)[s0] -> (d1, d0 * 4 + s0)>`.

    `results`: for a projected permutation (what linalg indexing maps are),
    each result's dimension index, or None for the constant 0 (a broadcast
    of a size-1 dimension); None for any other map. `exprs` holds the
    general results as trees: ("d", i), ("s", i), ("c", value) and
    (op, lhs, rhs) for op in +, *, floordiv, ceildiv, mod."""
    num_dims: int
    results: tuple = None
    num_symbols: int = 0
    exprs: tuple = ()

    @property
    def is_identity(self):
        return self.results == tuple(range(self.num_dims))

    def expressions(self):
        if self.exprs or self.results is None:
            return self.exprs
        return tuple(("c", 0) if r is None else ("d", r) for r in self.results)

    def linear(self):
        """Each result as (coefficients of d0.., constant) when the map is
        linear in its dimensions (no symbols, floordiv, ceildiv or mod), else None."""
        def form(e):
            if e[0] == "d":
                return [int(i == e[1]) for i in range(self.num_dims)], 0
            if e[0] == "c":
                return [0] * self.num_dims, e[1]
            if e[0] not in ("+", "*"):
                return None
            a, b = form(e[1]), form(e[2])
            if a is None or b is None:
                return None
            if e[0] == "+":
                return [x + y for x, y in zip(a[0], b[0])], a[1] + b[1]
            if any(b[0]) and any(a[0]):
                return None
            (coeffs, c), k = (a, b[1]) if not any(b[0]) else (b, a[1])
            return [x * k for x in coeffs], c * k
        forms = [form(e) for e in self.expressions()]
        return None if self.num_symbols or None in forms else forms

    def __str__(self):
        dims = ", ".join(f"d{i}" for i in range(self.num_dims))
        syms = f"[{', '.join(f's{i}' for i in range(self.num_symbols))}]" if self.num_symbols else ""
        return f"affine_map<({dims}){syms} -> ({', '.join(map(affine_text, self.expressions()))})>"


def affine_text(e):
    if e[0] in ("d", "s"):
        return f"{e[0]}{e[1]}"
    if e[0] == "c":
        return str(e[1])
    if e[0] == "*" and e[2] == ("c", -1):   # how the parser reads `-x`
        return f"-{affine_text(e[1])}"
    if e[0] == "+" and e[2][0] == "*" and e[2][2] == ("c", -1):   # how the parser reads `a - b`
        return f"({affine_text(e[1])} - {affine_text(e[2][1])})"
    return f"({affine_text(e[1])} {e[0]} {affine_text(e[2])})"
