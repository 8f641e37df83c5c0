"""Ops as MLIR's generic form spells them, for the IR printer: the inverse
of parse/generic_ops.py's builders. iree-lite's ops keep what their custom
syntax reads (`offsets` with None for a dynamic entry, `num_ins`,
`successor_sizes`); MLIR's generic form stores `static_offsets` with
kDynamic, `operandSegmentSizes` and the like. `spelled(op)` gives the
operands, attributes and regions to print."""

from .attributes import UnitAttr

KDYNAMIC = -(1 << 63)   # MLIR's ShapedType::kDynamic in static_* arrays


class Raw:
    """Attribute text printed as it is."""

    def __init__(self, text):
        self.text = text


class YieldRegion:
    """The region of a tensor.pad whose padding value comes from outside:
    a block of `rank` index arguments yielding `value`."""

    def __init__(self, value, rank):
        self.value, self.rank = value, rank


def segments(*sizes):
    return Raw(f"array<i32: {', '.join(map(str, sizes))}>")


def static(values):
    """An offsets/sizes tuple (None for dynamic) as a `static_*` array."""
    return tuple(KDYNAMIC if v is None else v for v in values)


def dynamic_count(values):
    return sum(v is None for v in values)


def slice_op(op, attrs):
    tensors = 2 if op.name == "tensor.insert_slice" else 1
    keys = ("offsets", "sizes", "strides")
    counts = [dynamic_count(attrs[k]) for k in keys]
    for k in keys:
        attrs[f"static_{k}"] = static(attrs.pop(k))
    attrs.pop("slice_rank", None)
    attrs["operandSegmentSizes"] = segments(*([1] * tensors), *counts)
    return op.operands, attrs, op.regions


def reshape(op, attrs):
    groups = attrs.pop("reassociation")
    attrs["reassociation"] = Raw("[" + ", ".join("[" + ", ".join(map(str, g)) + "]" for g in groups) + "]")
    if "output_shape" in attrs:
        attrs["static_output_shape"] = static(attrs.pop("output_shape"))
    return op.operands, attrs, op.regions


def pad(op, attrs):
    low, high = attrs.pop("low"), attrs.pop("high")
    attrs["static_low"], attrs["static_high"] = static(low), static(high)
    attrs["operandSegmentSizes"] = segments(1, dynamic_count(low), dynamic_count(high))
    if op.regions:
        return op.operands, attrs, op.regions
    source, value, *sizes = op.operands
    return [source, *sizes], attrs, [YieldRegion(value, len(low))]


def packing(op, attrs):
    padded = attrs.pop("padded")
    attrs["static_inner_tiles"] = static(attrs.pop("inner_tiles"))
    if op.name == "linalg.pack":
        attrs["operandSegmentSizes"] = segments(1, 1, int(padded), len(op.operands) - 2 - padded)
    return op.operands, attrs, op.regions


def index_basis(op, attrs):
    count = attrs.pop("num_indices")
    basis = attrs.pop("static_basis")
    attrs["static_basis"] = static(basis)
    if op.name == "affine.linearize_index":
        attrs["operandSegmentSizes"] = segments(count, dynamic_count(basis))
    return op.operands, attrs, op.regions


def reinterpret(op, attrs):
    n = attrs.pop("num_source_sizes")
    if attrs.pop("packed_bits"):   # parse/generic_ops.py's PACKED_BITS
        attrs["iree_lite.packed_bits"] = UnitAttr()
    attrs["operandSegmentSizes"] = segments(1, n, len(op.operands) - 1 - n)
    return op.operands, attrs, op.regions


def branch(op, attrs):
    sizes = attrs.pop("successor_sizes")
    own = len(op.operands) - sum(sizes)
    if op.name == "cf.cond_br":
        attrs["operandSegmentSizes"] = segments(own, *sizes)
    elif op.name == "cf.switch":
        attrs["operandSegmentSizes"] = segments(own, sizes[0], sum(sizes[1:]))
        cases = attrs.pop("case_values")
        if cases:
            attrs["case_values"] = Raw(f"dense<[{', '.join(map(str, cases))}]> : "
                                       f"vector<{len(cases)}x{op.operands[0].type}>")
            attrs["case_operand_segments"] = Raw(f"array<i32: {', '.join(map(str, sizes[1:]))}>")
    return op.operands, attrs, op.regions


def expect_const(op, attrs):
    attrs["value"] = attrs.pop("expected")
    return op.operands, attrs, op.regions


def structured(op, attrs):
    """linalg and iree_linalg_ext ops: inputs and outputs by operandSegmentSizes."""
    num_ins = attrs.pop("num_ins", None)
    if num_ins is not None:
        num_ins = getattr(num_ins, "value", num_ins)
        attrs["operandSegmentSizes"] = segments(num_ins, len(op.operands) - num_ins)
    return op.operands, attrs, op.regions


def fft(op, attrs):
    """iree_linalg_ext.fft: five operand groups (stage, real and imaginary
    coefficients, which go together or not at all, real, imag)."""
    coefficients = getattr(attrs.pop("num_ins"), "value", None) - 1
    attrs["operandSegmentSizes"] = segments(1, coefficients // 2, coefficients // 2, 1, 1)
    return op.operands, attrs, op.regions


SPELLINGS = {"tensor.extract_slice": slice_op, "tensor.insert_slice": slice_op,
             "tensor.expand_shape": reshape, "tensor.collapse_shape": reshape, "tensor.pad": pad,
             "linalg.pack": packing, "linalg.unpack": packing, "affine.linearize_index": index_basis,
             "affine.delinearize_index": index_basis, "flow.tensor.reshape": reinterpret,
             "flow.tensor.bitcast": reinterpret, "cf.br": branch, "cf.cond_br": branch, "cf.switch": branch,
             "check.expect_eq_const": expect_const, "check.expect_almost_eq_const": expect_const,
             "iree_linalg_ext.fft": fft}


def spelled(op):
    """(operands, attributes, regions) of `op` as MLIR's generic form has them."""
    attrs = dict(op.attributes)
    spell = SPELLINGS.get(op.name)
    if spell is None and op.name.split(".")[0] in ("linalg", "iree_linalg_ext"):
        spell = structured
    return spell(op, attrs) if spell else (op.operands, attrs, op.regions)
