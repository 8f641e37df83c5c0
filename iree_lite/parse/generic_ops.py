"""Generic-form ops onto iree-lite's ops.

MLIR's generic form spells out what each op stores (`static_offsets =
array<i64: ...>`, `operandSegmentSizes`, the body of a named linalg op);
iree-lite's ops keep what their custom syntax reads. `build(g)` makes the
op the custom syntax would have made from the same program.
"""
from ..ir.attributes import ArrayAttr, BoolAttr, IntegerAttr
from ..ir.core import Operation
from ..ir.types import ScalarType

KDYNAMIC = -(1 << 63)   # MLIR's ShapedType::kDynamic in static_* arrays
# Attributes that change nothing iree-lite computes.
IGNORED = ("fastmath", "overflowFlags", "operandSegmentSizes", "nofold")


class GenericOp:
    """One parsed generic op: its name, operand values, result types,
    attributes (properties and the dictionary together) and regions;
    `fail(message)` raises a Diagnostic at its name."""

    def __init__(self, name, operands, result_types, attrs, regions, loc, fail):
        self.name, self.operands, self.result_types = name, operands, result_types
        self.attrs, self.regions, self.loc, self.fail = attrs, regions, loc, fail

    def attr(self, key, kind):
        value = self.attrs.get(key)
        if not isinstance(value, kind):
            self.fail(f"'{self.name}' needs the attribute '{key}'")
        return value

    def ints(self, key):
        """An `array<i64: ...>` or `[1, 2]` attribute as a tuple of ints."""
        values = self.attr(key, ArrayAttr).values
        if not all(isinstance(v, IntegerAttr) for v in values):
            self.fail(f"'{self.name}' attribute '{key}' must be integers")
        return tuple(v.value for v in values)

    def mixed(self, key):
        """A `static_<key>` array with dynamic entries as None (their values are operands)."""
        return tuple(None if v == KDYNAMIC else v for v in self.ints(f"static_{key}"))

    def segments(self, count):
        """The operand group sizes (`operandSegmentSizes`), `count` of them."""
        sizes = self.ints("operandSegmentSizes")
        if len(sizes) != count or sum(sizes) != len(self.operands):
            self.fail(f"'{self.name}' operandSegmentSizes must give {count} groups of its "
                      f"{len(self.operands)} operands")
        return sizes

    def op(self, attrs=None, operands=None, regions=None, name=None):
        kept = {k: v for k, v in self.attrs.items() if k not in IGNORED} if attrs is None else attrs
        return Operation(name or self.name, self.operands if operands is None else operands, self.result_types,
                         kept, self.regions if regions is None else regions, loc=self.loc)


def constant(g):
    value = g.attrs.get("value")
    if isinstance(value, BoolAttr):   # `value = true`: an i1
        value = IntegerAttr(int(value.value), ScalarType("i1"))
    return g.op({"value": value})


def expect_const(g):
    attrs = {k: v for k, v in g.attrs.items() if k != "value"}
    attrs["expected"] = g.attrs.get("value")
    return g.op(attrs)


def concat(g):
    return g.op({"dim": g.attr("dim", IntegerAttr).value})


def slice_op(g):
    tensors = 2 if g.name == "tensor.insert_slice" else 1
    g.segments(tensors + 3)
    attrs = {k: g.mixed(k) for k in ("offsets", "sizes", "strides")}
    slice_type = g.operands[0].type if tensors == 2 else g.result_types[0]
    attrs["slice_rank"] = getattr(slice_type, "rank", 0)
    return g.op(attrs)


def reshape(g):
    groups = g.attr("reassociation", ArrayAttr).values
    if not all(isinstance(group, ArrayAttr) and all(isinstance(d, IntegerAttr) for d in group.values)
               for group in groups):
        g.fail(f"'{g.name}' reassociation must be lists of dimensions")
    attrs = {"reassociation": tuple(tuple(d.value for d in group.values) for group in groups)}
    if g.name == "tensor.expand_shape":
        attrs["output_shape"] = g.mixed("output_shape")
    return g.op(attrs)


def pad(g):
    from ..dialects.tensor import pad_operation
    g.segments(3)
    region = g.regions[0] if len(g.regions) == 1 and g.regions[0].blocks else None
    if region is None or len(region.blocks[0].operations[-1].operands) != 1:
        g.fail("'tensor.pad' needs a region yielding one value")
    attrs = {"low": g.mixed("low"), "high": g.mixed("high")}
    return pad_operation(g.operands[0], g.operands[1:], g.result_types[0], attrs, region, g.loc)


# linalg ops whose operands are not split by operandSegmentSizes: how many are inputs.
LINALG_INPUTS = {"linalg.map": lambda n: n - 1, "linalg.reduce": lambda n: n // 2, "linalg.transpose": lambda n: 1,
                 "linalg.broadcast": lambda n: 1, "linalg.softmax": lambda n: 1}
WITH_BODY = ("linalg.generic", "linalg.map", "linalg.reduce")


def linalg(g):
    if "operandSegmentSizes" in g.attrs:
        num_ins = g.segments(2)[0]
    else:
        num_ins = LINALG_INPUTS.get(g.name, lambda n: n - 1)(len(g.operands))
    attrs = {k: v for k, v in g.attrs.items() if k not in IGNORED}
    from ..dialects.linalg import MATMUL_DIMS
    if g.name not in MATMUL_DIMS and g.name not in WITH_BODY:
        attrs.pop("indexing_maps", None)   # the named op's own maps, as MLIR prints them
    attrs["num_ins"] = IntegerAttr(num_ins, ScalarType("i64"))
    # A named op's body is its definition, which iree-lite knows by name.
    return g.op(attrs, regions=g.regions if g.name in WITH_BODY else [])


BUILDERS = {"arith.constant": constant, "util.unfoldable_constant": constant,
            "check.expect_eq_const": expect_const, "check.expect_almost_eq_const": expect_const,
            "tensor.concat": concat, "tensor.extract_slice": slice_op, "tensor.insert_slice": slice_op,
            "tensor.expand_shape": reshape, "tensor.collapse_shape": reshape, "tensor.pad": pad}


def build(g):
    """The iree-lite Operation for generic op `g`."""
    if g.name in BUILDERS:
        return BUILDERS[g.name](g)
    if g.name.startswith("linalg.") and g.name not in ("linalg.yield", "linalg.index"):
        return linalg(g)
    return g.op()
