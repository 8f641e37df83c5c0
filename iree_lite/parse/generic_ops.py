"""Generic-form ops onto iree-lite's ops.

MLIR's generic form spells out what each op stores (`static_offsets =
array<i64: ...>`, `operandSegmentSizes`, the body of a named linalg op);
iree-lite's ops keep what their custom syntax reads. `build(g)` makes the
op the custom syntax would have made from the same program.
"""
from ..dialects.cf import branch
from ..ir.attributes import ArrayAttr, BoolAttr, DenseElementsAttr, IntegerAttr, UnitAttr
from ..ir.core import Operation
from ..ir.types import ScalarType, TensorType

KDYNAMIC = -(1 << 63)   # MLIR's ShapedType::kDynamic in static_* arrays
# Attributes that change nothing iree-lite computes.
IGNORED = ("fastmath", "overflowFlags", "operandSegmentSizes", "nofold")


class GenericOp:
    """One parsed generic op: its name, operand values, result types,
    attributes (properties and the dictionary together), regions and
    successor blocks; `fail(message)` raises a Diagnostic at its name."""

    def __init__(self, name, operands, result_types, attrs, regions, loc, fail, successors=()):
        self.name, self.operands, self.result_types = name, operands, result_types
        self.attrs, self.regions, self.loc, self.fail = attrs, regions, loc, fail
        self.successors = list(successors)

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

    def mixed(self, key, dynamic):
        """A `static_<key>` array with dynamic entries as None: `dynamic` of them, whose values are operands."""
        values = tuple(None if v == KDYNAMIC else v for v in self.ints(f"static_{key}"))
        if values.count(None) != dynamic:
            self.fail(f"'{self.name}' static_{key} has {values.count(None)} dynamic entries for {dynamic} operands")
        return values

    def segments(self, count):
        """The operand group sizes (`operandSegmentSizes`), `count` of them."""
        sizes = self.ints("operandSegmentSizes")
        if len(sizes) != count or sum(sizes) != len(self.operands):
            self.fail(f"'{self.name}' operandSegmentSizes must give {count} groups of its "
                      f"{len(self.operands)} operands")
        return sizes

    def op(self, attrs=None, regions=None):
        kept = {k: v for k, v in self.attrs.items() if k not in IGNORED} if attrs is None else attrs
        return Operation(self.name, self.operands, self.result_types, kept,
                         self.regions if regions is None else regions, loc=self.loc)


def constant(g):
    value = g.attrs.get("value")
    if isinstance(value, BoolAttr):   # `value = true`: an i1
        value = IntegerAttr(int(value.value), ScalarType("i1"))
    discardable = {k: v for k, v in g.attrs.items() if "." in k}   # `iree_lite.no_buffer`, a printed note
    return g.op({"value": value, **discardable})


def expect_const(g):
    attrs = {k: v for k, v in g.attrs.items() if k != "value"}
    attrs["expected"] = g.attrs.get("value")
    return g.op(attrs)


def concat(g):
    return g.op({"dim": g.attr("dim", IntegerAttr).value})


def slice_op(g):
    tensors = 2 if g.name == "tensor.insert_slice" else 1
    dynamic = g.segments(tensors + 3)[tensors:]
    attrs = {k: g.mixed(k, n) for k, n in zip(("offsets", "sizes", "strides"), dynamic)}
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
        attrs["output_shape"] = g.mixed("output_shape", len(g.operands) - 1)
    return g.op(attrs)


def pad(g):
    from ..dialects.tensor import pad_operation
    _, low, high = g.segments(3)
    region = g.regions[0]   # one, with a block (check_structure)
    if len(region.blocks[0].operations[-1].operands) != 1:
        g.fail("'tensor.pad' needs a region yielding one value")
    attrs = {"low": g.mixed("low", low), "high": g.mixed("high", high)}
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
    if LINALG_ARITY.get(g.name, num_ins) != num_ins or num_ins >= len(g.operands) or num_ins < 0:
        g.fail(f"'{g.name}' takes {LINALG_ARITY.get(g.name, 'its')} inputs and an output")
    attrs = {k: v for k, v in g.attrs.items() if k not in IGNORED}
    from ..dialects.linalg import MATMUL_DIMS
    from ..dialects.linalg import NAMED_CONTRACTS
    if g.name not in MATMUL_DIMS and g.name not in WITH_BODY and g.name != "linalg.contract" and \
            g.name[len("linalg."):] not in NAMED_CONTRACTS:   # these keep their (fixed) maps
        attrs.pop("indexing_maps", None)   # the named op's own maps, as MLIR prints them
    attrs["num_ins"] = IntegerAttr(num_ins, ScalarType("i64"))
    # A named op's body is its definition, which iree-lite knows by name.
    return g.op(attrs, regions=g.regions if g.name in WITH_BODY else [])


def linalg_ext(g):
    """iree_linalg_ext ops: their inputs and outputs as operandSegmentSizes groups them."""
    attrs = {k: v for k, v in g.attrs.items() if k not in IGNORED}
    for key in LINALG_EXT_CLAUSES.intersection(attrs):   # as the custom syntax keeps them: Python values
        value = attrs[key]
        attrs[key] = tuple(v.value for v in value.values) if isinstance(value, ArrayAttr) else \
            getattr(value, "value", True)   # a unit attribute (is_sorted): the keyword alone
    if "operandSegmentSizes" in g.attrs:
        # (inputs, outputs), as iree-lite prints every op, or IREE's own groups
        ins, groups = SEGMENT_GROUPS.get(g.name, (1, 2))
        if len(g.ints("operandSegmentSizes")) == 2:
            ins, groups = 1, 2
        num_ins = sum(g.segments(groups)[:ins])
    else:   # a tensor op of destination style: one result for each output, the outputs last
        num_ins = len(g.operands) - len(g.result_types)
        if num_ins < 0:
            g.fail(f"'{g.name}' has more results than operands")
    attrs["num_ins"] = IntegerAttr(num_ins, ScalarType("i64"))
    return g.op(attrs)


# (input groups, groups) of the ops whose operandSegmentSizes are not (inputs, outputs):
# (values, indices?, output values, output indices?[, index base?]).
SEGMENT_GROUPS = {"iree_linalg_ext.arg_compare": (2, 5), "iree_linalg_ext.topk_v2": (2, 4)}


# iree_linalg_ext clauses the custom syntax reads as ints, bools and int lists.
LINALG_EXT_CLAUSES = {"dimension", "dimension_map", "inclusive", "unique_indices", "is_sorted"}


def packing(g):
    """linalg.pack's operands are (source, dest, padding value?, dynamic tiles...),
    linalg.unpack's (source, dest, dynamic tiles...)."""
    padded = g.name == "linalg.pack" and g.segments(4)[2] == 1
    attrs = {"inner_dims_pos": g.ints("inner_dims_pos"),
             "inner_tiles": g.mixed("inner_tiles", len(g.operands) - 2 - padded), "padded": padded}
    if "outer_dims_perm" in g.attrs:
        attrs["outer_dims_perm"] = g.ints("outer_dims_perm")
    return g.op(attrs)


def index_basis(g):
    """affine.linearize_index's operands are (indices..., dynamic basis...),
    delinearize_index's (index, dynamic basis...)."""
    count = g.segments(2)[0] if g.name == "affine.linearize_index" else 1
    return g.op({"static_basis": g.mixed("basis", len(g.operands) - count), "num_indices": count})


def reinterpret(g):
    """flow.tensor.reshape / bitcast: (source, source sizes..., result sizes...);
    a packed i1 result is marked PACKED_BITS."""
    return g.op({"num_source_sizes": g.segments(3)[1], "packed_bits": g.attrs.get(PACKED_BITS) == UnitAttr()})


# The IR printer's mark of a result of packed i1 bits (the custom form's `#iree_encoding.packed_storage`).
PACKED_BITS = "iree_lite.packed_bits"


def winograd(g):
    """The winograd transforms' clauses are attributes: ints and an array."""
    attrs = {"num_ins": IntegerAttr(1, ScalarType("i64")),
             "output_tile_size": g.attr("output_tile_size", IntegerAttr).value,
             "kernel_size": g.attr("kernel_size", IntegerAttr).value}
    dims = "kernel_dimensions" if g.name.endswith("filter_transform") else "image_dimensions"
    attrs[dims] = g.ints(dims)
    return g.op(attrs)


def one_init(g):
    """Ops whose one output comes last, after their inputs (no operandSegmentSizes)."""
    attrs = {k: v for k, v in g.attrs.items() if k not in IGNORED}
    attrs["num_ins"] = IntegerAttr(len(g.operands) - 1, ScalarType("i64"))
    return g.op(attrs)


def fft(g):
    """fft's operand groups: stage, real_coeff, imag_coeff (the inputs), real, imag."""
    attrs = {k: v for k, v in g.attrs.items() if k not in IGNORED}
    attrs["num_ins"] = IntegerAttr(sum(g.segments(5)[:3]), ScalarType("i64"))
    return g.op(attrs)


# What the custom syntax of these ops guarantees, which their verifiers rely on: (operands, results,
# regions, attributes), a count as an int (exact), a tuple (any of these) or None (any number).
AT_LEAST_ONE, AT_LEAST_TWO, ANY = tuple(range(1, 64)), tuple(range(2, 64)), None
CASTS = ("extf", "truncf", "extsi", "extui", "trunci", "sitofp", "uitofp", "fptosi", "fptoui", "index_cast",
         "index_castui", "bitcast")
STRUCTURE = {
    **{f"arith.{n}": (1, 1, 0, ()) for n in CASTS},
    "arith.cmpf": (2, 1, 0, ("predicate",)), "arith.cmpi": (2, 1, 0, ("predicate",)), "arith.select": (3, 1, 0, ()),
    "arith.constant": (0, 1, 0, ("value",)), "util.unfoldable_constant": (0, 1, 0, ("value",)),
    "math.fpowi": (2, 1, 0, ()), "func.call": (ANY, ANY, 0, ("callee",)),
    "tensor.cast": (1, 1, 0, ()), "tensor.bitcast": (1, 1, 0, ()), "tensor.reshape": (2, 1, 0, ()),
    "tensor.empty": (ANY, 1, 0, ()), "tensor.from_elements": (ANY, 1, 0, ()), "tensor.splat": (AT_LEAST_ONE, 1, 0, ()),
    "tensor.extract": (AT_LEAST_ONE, 1, 0, ()), "tensor.insert": (AT_LEAST_TWO, 1, 0, ()), "tensor.dim": (2, 1, 0, ()),
    "tensor.generate": (ANY, 1, 1, ()), "tensor.concat": (AT_LEAST_ONE, 1, 0, ("dim",)),
    "tensor.extract_slice": (AT_LEAST_ONE, 1, 0, ()), "tensor.insert_slice": (AT_LEAST_TWO, 1, 0, ()),
    "tensor.expand_shape": (AT_LEAST_ONE, 1, 0, ()), "tensor.collapse_shape": (1, 1, 0, ()),
    "tensor.pad": (AT_LEAST_ONE, 1, 1, ()),
    "check.expect_true": (1, 0, 0, ()), "check.expect_false": (1, 0, 0, ()), "check.expect_eq": (2, 0, 0, ()),
    "check.expect_almost_eq": (2, 0, 0, ()), "check.expect_eq_const": (1, 0, 0, ("value",)),
    "check.expect_almost_eq_const": (1, 0, 0, ("value",)),
    "util.global.load": (0, 1, 0, ("global",)), "util.global.store": (1, 0, 0, ("global",)),
    "scf.for": (tuple(range(3, 64)), ANY, 1, ()), "scf.if": (1, ANY, (1, 2), ()), "scf.while": (ANY, ANY, 2, ()),
    "scf.condition": (AT_LEAST_ONE, 0, 0, ()),
    "linalg.index": (0, 1, 0, ("dim",)), "iree_linalg_ext.index": (0, 1, 0, ("dim",)),
    "iree_linalg_ext.custom_op": (ANY, ANY, 1, ("indexing_maps", "iterator_types")),
    "linalg.reduce": (AT_LEAST_TWO, ANY, 1, ("dimensions",)),
    "linalg.map": (AT_LEAST_ONE, ANY, 1, ()), "linalg.generic": (AT_LEAST_ONE, ANY, 1, ()),
    "linalg.softmax": (2, ANY, 0, ("dimension",)),
    **{f"affine.{n}": (ANY, 1, 0, ("map",)) for n in ("apply", "min", "max")},
    "flow.tensor.dynamic_constant": (0, 1, 0, ("value",)), "flow.tensor.tie_shape": (AT_LEAST_ONE, 1, 0, ()),
    "affine.linearize_index": (AT_LEAST_ONE, 1, 0, ()), "affine.delinearize_index": (AT_LEAST_ONE, AT_LEAST_ONE, 0, ()),
    "flow.tensor.reshape": (AT_LEAST_ONE, 1, 0, ()), "flow.tensor.bitcast": (AT_LEAST_ONE, 1, 0, ()),
    "iree_linalg_ext.map_load": (2, 1, 1, ()), "iree_linalg_ext.map_store": (2, 1, 1, ()),
    **{f"iree_linalg_ext.winograd.{n}_transform": (2, 1, 0, ()) for n in ("input", "output", "filter")},
    **{f"iree_linalg_ext.{n}quantize_affine": ((3, 4), 1, 0, ("indexing_maps",)) for n in ("", "de")},
    "cf.assert": (1, 0, 0, ("msg",)),
    **{f"linalg.{n}": (AT_LEAST_TWO, 1, 0, ("inner_dims_pos", "static_inner_tiles")) for n in ("pack", "unpack")},
}
# Operands (by index) and results that the custom syntax reads as tensor types, or as a scalar (False).
TENSORS = {"tensor.empty": {"result": True}, "tensor.generate": {"result": True}, "tensor.splat": {"result": True},
           "tensor.from_elements": {"result": True}, "tensor.extract": {0: True}, "tensor.insert": {1: True},
           "linalg.fill": {0: False}, "linalg.pack": {0: True, 1: True, "result": True},
           "linalg.unpack": {0: True, 1: True, "result": True}}
# linalg named ops of a fixed number of inputs (the rest check theirs).
LINALG_ARITY = {"linalg.fill": 1, "linalg.copy": 1, "linalg.matmul": 2, "linalg.batch_matmul": 2,
                "linalg.matvec": 2, "linalg.vecmat": 2, "linalg.batch_matvec": 2, "linalg.dot": 2}


def check_structure(g):
    """Fail unless `g` has the operands, results, regions and attributes its op takes."""
    *numbers, attrs = STRUCTURE.get(g.name, (ANY, ANY, ANY, ()))
    for what, want, have in zip(("operands", "results", "regions"), numbers,
                                (len(g.operands), len(g.result_types), len(g.regions))):
        if want is not None and have not in (want if isinstance(want, tuple) else (want,)):
            text = want if isinstance(want, int) else f"{want[0]} or {'more' if len(want) > 2 else want[1]}"
            g.fail(f"'{g.name}' takes {text} {what if text != 1 else what[:-1]}, not {have}")
    for key in attrs:
        if key not in g.attrs:
            g.fail(f"'{g.name}' needs the attribute '{key}'")
    for where, tensor in TENSORS.get(g.name, {}).items():   # a missing one: the op's own checks say so
        types = g.result_types if where == "result" else [v.type for v in g.operands[where:where + 1]]
        if types and isinstance(types[0], TensorType) != tensor:
            g.fail(f"'{g.name}' {where if where == 'result' else f'operand #{where}'} must be a "
                   f"{'tensor' if tensor else 'scalar'}, not '{types[0]}'")


def branch_op(g):
    """cf.br, cf.cond_br, cf.switch: their operands split by successor
    (`operandSegmentSizes`; a switch's cases by `case_operand_segments`)."""
    attrs = {}
    if g.name == "cf.br":
        own, groups = 0, [len(g.operands)]
    else:
        _, first, rest = g.segments(3)
        groups = [first, rest]
        if g.name == "cf.switch":
            cases = g.ints("case_operand_segments") if "case_operand_segments" in g.attrs else ()
            values = g.attrs.get("case_values")
            values = tuple(values.flat()) if isinstance(values, DenseElementsAttr) else ()
            if len(values) != len(cases) or sum(cases) != rest:
                g.fail(f"'{g.name}' needs as many case_values as case_operand_segments, which share its "
                       f"{rest} case operands")
            groups = [first, *cases]
            attrs["case_values"] = values
        own = 1
    if len(groups) != len(g.successors):
        g.fail(f"'{g.name}' takes {len(groups)} successors, not {len(g.successors)}")
    edges, at = [], own
    for block, size in zip(g.successors, groups):
        edges.append((block, g.operands[at:at + size]))
        at += size
    return branch(g.name, g.operands[:own], edges, g.loc, attrs)


BUILDERS = {"cf.br": branch_op, "cf.cond_br": branch_op, "cf.switch": branch_op,
            "arith.constant": constant, "util.unfoldable_constant": constant,
            "check.expect_eq_const": expect_const, "check.expect_almost_eq_const": expect_const,
            "tensor.concat": concat, "tensor.extract_slice": slice_op, "tensor.insert_slice": slice_op,
            "tensor.expand_shape": reshape, "tensor.collapse_shape": reshape, "tensor.pad": pad,
            "linalg.pack": packing, "linalg.unpack": packing, "affine.linearize_index": index_basis,
            "affine.delinearize_index": index_basis, "flow.tensor.reshape": reinterpret,
            "flow.tensor.bitcast": reinterpret, "iree_linalg_ext.map_load": lambda g: g.op(),
            "iree_linalg_ext.map_store": lambda g: g.op(),
            **{f"iree_linalg_ext.winograd.{n}_transform": winograd for n in ("input", "output", "filter")},
            **{f"iree_linalg_ext.{n}quantize_affine": one_init for n in ("", "de")}, "iree_linalg_ext.fft": fft}


def build(g):
    """The iree-lite Operation for generic op `g`."""
    check_structure(g)
    if g.successors and g.name not in ("cf.br", "cf.cond_br", "cf.switch"):
        g.fail(f"'{g.name}' op requires zero successors")
    if g.name in BUILDERS:
        return BUILDERS[g.name](g)
    if g.name.startswith("linalg.") and g.name not in ("linalg.yield", "linalg.index"):
        return linalg(g)
    if g.name.startswith("iree_linalg_ext.") and g.name not in ("iree_linalg_ext.yield", "iree_linalg_ext.index"):
        from ..dialects.iree_linalg_ext import NotCompiledOp, OPS
        if isinstance(OPS.get(g.name), NotCompiledOp):
            OPS[g.name].verify(g, g.fail)
        return linalg_ext(g)
    return g.op()
