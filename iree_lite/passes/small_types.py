"""Storage-only element types (sub-byte integers, small floats) -> i8.

After the linalg rewrite every computation is an element-wise op, so the
types that the VM has no kernels for are lowered here, once, for all later
passes: each value of such a type becomes an i8 value (a byte an element),
holding an integer sign-extended, a small float its bit pattern
(iree_lite.isa.smallfloat). Then
- a small float op computes in f32: operands decoded (iree_lite.fdecode),
  the result encoded (iree_lite.fencode), rounded once per op as IREE's
  emulation does; conversions to and from them go through f32;
- an iN op (N < 8) computes in i8, its result sign-extended back from bit
  N - 1; an op reading its operands as unsigned (extui, uitofp, divui, ...)
  reads them with the bits above N cleared;
- constants take their storage bytes; checks compare the stored bytes
  (expect_eq) or the decoded values (expect_almost_eq).
Ops that move data (copies, slices, reshapes, calls) only change type.
"""
from ..dialects import lookup
from ..ir.attributes import DenseElementsAttr, FloatAttr, IntegerAttr
from ..ir.boundary import PUBLIC
from ..ir.core import Diagnostic
from ..ir.elements import wrap_int
from ..isa.smallfloat import FORMATS, decode, encode
from ..ir.types import STORAGE_ONLY, FunctionType, ScalarType, TensorType, element_type_of
from .build import cast, constant, fold
from .rewriter import Rewriter
from .small_matmul import stepwise_matmul

I8, I32, F32 = ScalarType("i8"), ScalarType("i32"), ScalarType("f32")
# Integer ops that read their operands as unsigned.
_UNSIGNED = {"arith.divui", "arith.remui", "arith.ceildivui", "arith.maxui", "arith.minui", "arith.shrui",
             "arith.extui", "arith.uitofp", "arith.index_castui"}
_CMPI_UNSIGNED = {"ult", "ule", "ugt", "uge"}
# Ops that compute on their elements but are not element-wise.
_COMPUTING = ("iree_lite.conv", "iree_lite.matmul")


def with_element(t, element):
    return TensorType(t.shape, element) if isinstance(t, TensorType) else element


def storage(t):
    """The type iree-lite keeps values of type t in."""
    if isinstance(t, FunctionType):
        return FunctionType(tuple(map(storage, t.inputs)), tuple(map(storage, t.results)))
    if isinstance(t, (TensorType, ScalarType)) and element_type_of(t).name in STORAGE_ONLY:
        return with_element(t, I8)
    return t


def lower_small_types(module):
    """Rewrite `module` (after lower_linalg) so no value has a storage-only type."""
    for g in module.globals:
        if storage(g.type) != g.type:
            g.initial = stored_attr(g.initial) if g.initial is not None else None
            g.type = storage(g.type)
    for f in module.functions:
        if f.visibility == "public" and not f.is_declaration and storage(f.type) != f.type:
            _check_public(f, module.source)
            f.public_type = f.type   # the signature callers see (codegen/host.py)
        f.type = storage(f.type)
        for a in f.arguments:
            a.type = storage(a.type)
        rw, original = Rewriter(module.source, {}), {}   # shared by the blocks, as their values are
        for block in f.blocks:
            _lower_block(block, rw, original)


def _check_public(f, source):
    """A public function passes small types only as IREE's runtime can:
    tensors of the types it has buffers for (ir/boundary.py)."""
    for t in (*f.type.inputs, *f.type.results):
        if storage(t) == t:
            continue
        element = element_type_of(t).name
        if not isinstance(t, TensorType):
            raise Diagnostic(f"iree-lite does not pass '{t}' scalars across a public function's signature "
                             "(pass a tensor<" + element + ">)", f.loc, source)
        if element not in PUBLIC:
            raise Diagnostic(f"'{t}' cannot cross a public function's signature: IREE's runtime packs "
                             f"{element} buffers while its compiler keeps them a byte an element (public "
                             "small types: " + ", ".join(PUBLIC) + ")", f.loc, source)


def stored_attr(attr):
    """A constant's attribute in storage form."""
    if isinstance(attr, DenseElementsAttr):
        element = attr.type.element.name
        if element not in STORAGE_ONLY:
            return attr
        # Their element bytes already are the i8 bytes _stored gives each value.
        return DenseElementsAttr(storage(attr.type), attr.data, attr.splat)
    if isinstance(attr, (FloatAttr, IntegerAttr)) and attr.type.name in STORAGE_ONLY:
        return IntegerAttr(_stored(attr.type.name, attr.value), I8)
    return attr


def _stored(element, value):
    if element in FORMATS:
        return wrap_int("i8", encode(element, value))
    return wrap_int(element, int(value))


def _lower_block(block, rw, original):
    """Lower block's ops through Rewriter `rw` (`rw.remap` maps replaced
    values to their lowering); `original` maps retyped values to the types
    they had (a replaced value keeps its type: an op's operands, before
    remapping, have their source types)."""
    for v in block.arguments:
        original[v] = v.type
        v.type = storage(v.type)
    outer, rw.ops = rw.ops, []
    for op in block.operations:
        types = [original.get(v, v.type) for v in op.operands]
        op.operands = [rw.remap.get(v, v) for v in op.operands]
        for region in op.regions:
            for inner in region.blocks:
                _lower_block(inner, rw, original)
        if all(storage(t) == t for t in (*types, *(r.type for r in op.results))):
            rw.ops.append(op)
            continue
        rw.loc = op.loc
        replaced = _lower_op(op, types, rw)
        if replaced is None:   # kept: only its types change
            for k in ("value", "expected"):
                if k in op.attributes:
                    op.attributes[k] = stored_attr(op.attributes[k])
            rw.ops.append(op)
            for r in op.results:
                original[r] = r.type
                r.type = storage(r.type)
        else:
            rw.remap.update(zip(op.results, replaced))
    block.operations = []
    for op in rw.ops:
        block.append(op)
    rw.ops = outer


def _lower_op(op, types, rw):
    """New values for op's results (its lowering, built through `rw`), or
    None when op is kept as it is with storage types."""
    name = op.name

    def new(opname, operands, result_type, attributes=None):
        return rw.new(opname, operands, [result_type], attributes)[0]

    def to_f32(v, t):
        """v (of original type t) as f32."""
        e = element_type_of(t)
        if e.name in FORMATS:
            return new("iree_lite.fdecode", [v], with_element(t, F32), {"format": e.name})
        if e == F32:
            return v
        return new("arith.extf" if e.bitwidth < 32 else "arith.truncf", [v], with_element(t, F32))

    def from_f32(v, t):
        """f32 value v converted to type t (stored)."""
        e = element_type_of(t)
        if e.name in FORMATS:
            return new("iree_lite.fencode", [v], with_element(t, I8), {"format": e.name})
        if e == F32:
            return v
        return new("arith.extf" if e.bitwidth > 32 else "arith.truncf", [v], t)

    def int_op(opname, operands, t, attributes=None):
        """An i8 op, for result type t."""
        return new(opname, operands, with_element(t, I8), attributes)

    def wrap(v, t):
        """i8 value v sign-extended from the width of t's element."""
        bits = element_type_of(t).bitwidth
        if bits >= 8:
            return v
        shift = constant(rw, 8 - bits, I8)
        return int_op("arith.shrsi", [int_op("arith.shli", [v, shift], t), shift], t)

    def unsigned(v, t):
        """Stored iN value v with the bits above N cleared."""
        bits = element_type_of(t).bitwidth
        if bits >= 8:
            return v
        return int_op("arith.andi", [v, constant(rw, (1 << bits) - 1, I8)], t)

    result = op.results[0] if op.results else None
    rt = result.type if result is not None else None
    src = element_type_of(types[0]) if types else None
    dst = element_type_of(rt) if rt is not None else None
    definition = lookup(name)
    if name.startswith("check.expect_almost_eq"):
        if src.name not in FORMATS:
            return None
        decoded = [to_f32(v, t) for v, t in zip(op.operands, types)]
        attributes = dict(op.attributes)
        if "expected" in attributes:
            expected = attributes["expected"]
            values = tuple(decode(src.name, encode(src.name, v)) for v in expected.values)
            attributes["expected"] = DenseElementsAttr.from_values(with_element(expected.type, F32), values, expected.splat)
        rw.new(name, decoded, [], attributes)
        return []
    if name in ("arith.extf", "arith.truncf", "arith.sitofp", "arith.uitofp", "arith.fptosi", "arith.fptoui"):
        v = op.operands[0]
        if src.is_int:   # through i8, then as for an i8 source
            v = new(name, [unsigned(v, types[0]) if name == "arith.uitofp" else v], with_element(rt, F32))
        else:
            v = to_f32(v, types[0])
        if dst.is_int:
            return [new(name, [v], rt) if storage(rt) == rt else wrap(int_op(name, [v], rt), rt)]
        return [from_f32(v, rt)]
    if name in ("arith.bitcast", "tensor.bitcast"):
        if src.bitwidth >= 8:   # the same byte
            return [op.operands[0]]
        return [wrap(op.operands[0], rt) if dst.is_int else unsigned(op.operands[0], types[0])]
    if name in ("arith.extsi", "arith.extui", "arith.trunci", "arith.index_cast", "arith.index_castui"):
        v = unsigned(op.operands[0], types[0]) if name in _UNSIGNED else op.operands[0]
        if storage(rt) == rt:
            return [new(name, [v], rt) if v.type != rt else v]
        if v.type != with_element(rt, I8):
            v = int_op("arith.trunci" if element_type_of(v.type).bitwidth > 8 else name, [v], rt)
        return [wrap(v, rt)]
    moves = name in ("arith.select", "arith.constant") or definition is None or definition.elementwise == "gather"
    if not moves and definition.elementwise:
        if src.name in FORMATS:
            decoded = [to_f32(v, t) for v, t in zip(op.operands, types)]
            if dst.is_float:
                return [from_f32(new(name, decoded, with_element(rt, F32), op.attributes), rt)]
            return [new(name, decoded, rt, op.attributes)]
        if src.is_int and src.name in STORAGE_ONLY:
            unsigned_read = name in _UNSIGNED or (name == "arith.cmpi" and lookup(name).predicates[
                op.attributes["predicate"].value] in _CMPI_UNSIGNED)
            operands = [unsigned(v, t) if unsigned_read else v for v, t in zip(op.operands, types)]
            if dst.name == "i1":
                return [new(name, operands, rt, op.attributes)]
            return [wrap(int_op(name, operands, rt, op.attributes), rt)]
    if name in ("iree_lite.reduce", "iree_lite.matmul") and dst.name in STORAGE_ONLY:
        # Integers in i32 (wrapping sums and products agree modulo 2^N; sign
        # extension keeps the order); floats in f32, as IREE's emulation has
        # them: a reduction rounded once at the end, a matmul at each step.
        wide = [cast(rw, v, I32, False) if dst.is_int else to_f32(v, t) for v, t in zip(op.operands, types)]
        if name == "iree_lite.reduce":
            result = fold(rw, *wide, op.attributes["combiner"])
        elif dst.is_float:
            result = stepwise_matmul(rw, *wide, lambda v: to_f32(from_f32(v, rt), rt))
        else:
            result = rw.new(name, wide, [wide[0].type])[0]
        return [wrap(cast(rw, result, I8, False), rt) if dst.is_int else from_f32(result, rt)]
    if name.startswith(_COMPUTING):
        t = next(t for t in (*types, rt) if t is not None and element_type_of(t).name in STORAGE_ONLY)
        raise rw.error(f"'{name}' on '{t}' values is not supported by iree-lite yet")
    return None
