"""tensor: tensor creation."""
from ..ir.core import Operation
from ..ir.ops import OpDef
from ..ir.types import TensorType


class EmptyOp(OpDef):
    """`tensor.empty() : tensor<...>`: storage with unspecified contents."""
    name = "tensor.empty"

    def parse(self, p, loc, result_names):
        p.parse_punct("(")
        p.parse_punct(")")
        p.parse_punct(":")
        tok = p.tok
        t = p.parse_type()
        if not isinstance(t, TensorType):
            raise p.error(f"'tensor.empty' result must be a tensor, got '{t}'", tok)
        if not t.is_static:
            raise p.error(f"'tensor.empty' of dynamic shape '{t}' needs dynamic sizes, "
                          "which iree-lite does not support yet", tok)
        return Operation(self.name, [], [t], loc=loc)


OPS = {"tensor.empty": EmptyOp()}
