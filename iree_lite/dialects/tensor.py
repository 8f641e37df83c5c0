"""tensor: creation, element access, and reshapes (views of the same data)."""
import math

from ..ir.attributes import IntegerAttr
from ..ir.core import Operation
from .arith import CastOp
from ..ir.ops import OpDef, TerminatorOp, ends_in
from ..ir.types import ScalarType, TensorType

INDEX = ScalarType("index")


def parse_indices(p):
    """`[%i, %j]` as operand tokens."""
    p.parse_punct("[")
    toks = p.parse_operand_list()
    p.parse_punct("]")
    return toks


def parse_tensor(p, what):
    tok = p.tok
    t = p.parse_type()
    if not isinstance(t, TensorType):
        raise p.error(f"'{what}' needs a tensor type, got '{t}'", tok)
    return t


def parse_dynamic_sizes(p, optional=False):
    """`(%d0, %d1)`: the sizes of a result's dynamic dimensions, in order."""
    if optional and not p.is_punct("("):
        return []
    p.parse_punct("(")
    toks = p.parse_operand_list()
    p.parse_punct(")")
    return toks


def check_dynamic_sizes(op, sizes, fail):
    t = op.results[0].type
    if len(sizes) != t.shape.count(None):
        fail(f"{len(sizes)} dynamic sizes for '{t}', which has {t.shape.count(None)} dynamic dimensions")


def parse_static_tensor(p, what):
    tok = p.tok
    t = parse_tensor(p, what)
    if not t.is_static:
        raise p.error(f"'{what}' of dynamic shape '{t}' is not supported by iree-lite yet", tok)
    return t


class EmptyOp(OpDef):
    """`tensor.empty(%d) : tensor<?x4xf32>`: storage with unspecified
    contents; the operands size its dynamic dimensions."""
    name = "tensor.empty"

    def parse(self, p, loc, result_names):
        sizes = parse_dynamic_sizes(p)
        p.parse_punct(":")
        t = parse_tensor(p, self.name)
        return Operation(self.name, p.resolve_all(sizes, [INDEX] * len(sizes)), [t], loc=loc)

    def verify(self, op, fail):
        check_dynamic_sizes(op, op.operands, fail)


class ExtractOp(OpDef):
    """`%v = tensor.extract %t[%i, %j] : tensor<4x4xf32>`."""
    name = "tensor.extract"

    def parse(self, p, loc, result_names):
        t_tok = p.parse_operand()
        idx = parse_indices(p)
        p.parse_punct(":")
        t = parse_tensor(p, self.name)
        return Operation(self.name, p.resolve_all([t_tok] + idx, [t] + [INDEX] * len(idx)), [t.element], loc=loc)

    def verify(self, op, fail):
        if len(op.operands) - 1 != op.operands[0].type.rank:
            fail(f"{len(op.operands) - 1} indices for a tensor of rank {op.operands[0].type.rank}")


class InsertOp(OpDef):
    """`%r = tensor.insert %v into %t[%i] : tensor<4xf32>`: a new tensor."""
    name = "tensor.insert"

    def parse(self, p, loc, result_names):
        v_tok = p.parse_operand()
        p.parse_keyword("into")
        t_tok = p.parse_operand()
        idx = parse_indices(p)
        p.parse_punct(":")
        t = parse_tensor(p, self.name)
        operands = p.resolve_all([v_tok, t_tok] + idx, [t.element, t] + [INDEX] * len(idx))
        return Operation(self.name, operands, [t], loc=loc)

    def verify(self, op, fail):
        if len(op.operands) - 2 != op.operands[1].type.rank:
            fail(f"{len(op.operands) - 2} indices for a tensor of rank {op.operands[1].type.rank}")


class SplatOp(OpDef):
    """`%t = tensor.splat %s[%d] : tensor<?x4xf32>` (sizes of the dynamic
    dimensions in brackets)."""
    name = "tensor.splat"

    def parse(self, p, loc, result_names):
        tok = p.parse_operand()
        sizes = parse_indices(p) if p.is_punct("[") else []
        p.parse_punct(":")
        t = parse_tensor(p, self.name)
        return Operation(self.name, p.resolve_all([tok] + sizes, [t.element] + [INDEX] * len(sizes)), [t], loc=loc)

    def verify(self, op, fail):
        element = op.results[0].type.element
        if op.operands[0].type != element:
            fail(f"'tensor.splat' of '{op.results[0].type}' takes a {element} value, not '{op.operands[0].type}'")
        check_dynamic_sizes(op, op.operands[1:], fail)


class FromElementsOp(OpDef):
    """`%t = tensor.from_elements %a, %b : tensor<2xf32>` (row-major)."""
    name = "tensor.from_elements"

    def parse(self, p, loc, result_names):
        toks = p.parse_operand_list()
        p.parse_punct(":")
        t = parse_static_tensor(p, self.name)
        if len(toks) != t.num_elements:
            raise p.error(f"{len(toks)} elements for '{t}', which holds {t.num_elements}")
        return Operation(self.name, p.resolve_all(toks, [t.element] * len(toks)), [t], loc=loc)


class DimOp(OpDef):
    """`%d = tensor.dim %t, %c : tensor<...>` (the index operand may be constant)."""
    name = "tensor.dim"

    def parse(self, p, loc, result_names):
        t_tok = p.parse_operand()
        p.parse_punct(",")
        i_tok = p.parse_operand()
        p.parse_punct(":")
        t = parse_tensor(p, self.name)
        return Operation(self.name, p.resolve_all([t_tok, i_tok], [t, INDEX]), [INDEX], loc=loc)


class TensorViewOp(OpDef):
    """Reshapes that keep the data: `tensor.cast %t : A to B`,
    `tensor.collapse_shape %t [[0, 1]] : A into B`,
    `tensor.expand_shape %t [[0, 1]] [output_shape [..]] : A into B`,
    `tensor.reshape %t(%shape) : (A, S) -> B`. All but the cast decompose
    into `iree_lite.view`, whose operands size the result's dynamic
    dimensions (none when one dynamic size follows from the element count)."""

    def __init__(self, name):
        self.name = name

    def parse(self, p, loc, result_names):
        src = p.parse_operand()
        if self.name == "tensor.reshape":
            p.parse_punct("(")
            shape_tok = p.parse_operand()
            p.parse_punct(")")
            p.parse_punct(":")
            tok = p.tok
            ft = p.parse_type()
            if not hasattr(ft, "inputs") or len(ft.inputs) != 2 or len(ft.results) != 1:
                raise p.error("expected '(source type, shape type) -> result type'", tok)
            (a, shape_t), (b,) = ft.inputs, ft.results
            return Operation(self.name, p.resolve_all([src, shape_tok], [a, shape_t]), [b], loc=loc)
        attrs, dynamic = {}, []
        if self.name != "tensor.cast":
            attrs["reassociation"] = parse_reassociation(p)
            if p.parse_optional_keyword("output_shape"):
                attrs["output_shape"] = parse_mixed_list(p, "output_shape", dynamic)
        p.parse_punct(":")
        a = parse_tensor(p, self.name)
        p.parse_keyword("to" if self.name == "tensor.cast" else "into")
        b = parse_tensor(p, self.name)
        return Operation(self.name, p.resolve_all([src] + dynamic, [a] + [INDEX] * len(dynamic)), [b], attrs,
                         loc=loc)

    def verify(self, op, fail):
        a, b = op.operands[0].type, op.results[0].type
        if not (isinstance(a, TensorType) and isinstance(b, TensorType)):
            fail(f"'{self.name}' of '{a}' to '{b}' needs tensors")
        if self.name == "tensor.cast":   # dynamic dimensions are checked at run time
            if a.element != b.element or a.rank != b.rank or any(
                    x is not None and y is not None and x != y for x, y in zip(a.shape, b.shape)):
                fail(f"'tensor.cast' cannot turn '{a}' into '{b}'")
            return
        if a.element != b.element or (a.is_static and b.is_static and a.num_elements != b.num_elements):
            fail(f"'{self.name}' cannot turn '{a}' into '{b}': element types and counts must match")
        if self.name == "tensor.reshape":
            shape_t = op.operands[1].type
            if not (isinstance(shape_t, TensorType) and shape_t.shape == (b.rank,) and shape_t.element.is_int):
                fail(f"'tensor.reshape' needs a shape of type 'tensor<{b.rank}xindex>' (or of integers), "
                     f"got '{shape_t}'")
            return
        big, small = (a, b) if self.name == "tensor.collapse_shape" else (b, a)
        groups = op.attributes["reassociation"]
        if not (len(groups) == small.rank and [d for g in groups for d in g] == list(range(big.rank)) or
                not groups and small.rank == 0 and all(n == 1 for n in big.shape)):
            fail(f"reassociation {[list(g) for g in groups]} does not group the {big.rank} dimensions of '{big}' "
                 f"into the {small.rank} of '{small}' in order")
        for g, n in zip(groups, small.shape):
            sizes = [big.shape[d] for d in g]
            if n is not None and None not in sizes and math.prod(sizes) != n:
                fail(f"'{self.name}' group {list(g)} of '{big}' does not hold {n} elements of '{small}'")
        shape = op.attributes.get("output_shape")
        if shape is not None and (len(shape) != b.rank or any(
                y is not None and x != y for x, y in zip(shape, b.shape))):
            fail(f"output_shape does not match '{b}'")
        if self.name == "tensor.expand_shape" and shape is None and b.shape.count(None) > 1:
            fail(f"'{self.name}' to '{b}' needs the sizes of its dynamic dimensions (output_shape)")


class ReshapeOp(TensorViewOp):
    """The reshapes proper: collapse_shape, expand_shape and reshape."""

    def decompose(self, op, new):
        """`iree_lite.view` sized by the output_shape operands, the products of
        collapsed groups, or the shape tensor's elements."""
        src, t = op.operands[0], op.results[0].type
        sizes = []

        def const(v):
            return new("arith.constant", [], [INDEX], {"value": IntegerAttr(v, INDEX)})[0]
        if "output_shape" in op.attributes:
            given = iter(op.operands[1:])
            sizes = [next(given) if x is None else const(x)
                     for x, n in zip(op.attributes["output_shape"], t.shape) if n is None]
        elif t.shape.count(None) > 1:
            for d in (d for d, n in enumerate(t.shape) if n is None):
                if self.name == "tensor.reshape":
                    size = new("tensor.extract", [op.operands[1], const(d)], [op.operands[1].type.element])[0]
                    sizes.append(size if size.type == INDEX else new("arith.index_cast", [size], [INDEX])[0])
                    continue
                size = const(1)
                for k in op.attributes["reassociation"][d]:
                    dim = const(src.type.shape[k]) if src.type.shape[k] is not None else \
                        new("tensor.dim", [src, const(k)], [INDEX])[0]
                    size = new("arith.muli", [size, dim], [INDEX])[0]
                sizes.append(size)
        return new("iree_lite.view", [src, *sizes], [t])


def parse_reassociation(p):
    """`[[0, 1], [2]]`: groups of consecutive dimensions, as tuples of ints."""
    tok = p.tok
    attr = p.parse_attribute()
    values = getattr(attr, "values", None)
    if values is None or not all(hasattr(g, "values") and all(isinstance(getattr(d, "value", None), int)
                                                                for d in g.values) for g in values):
        raise p.error("expected a reassociation such as '[[0, 1], [2]]'", tok)
    return tuple(tuple(d.value for d in g.values) for g in values)


def parse_mixed_list(p, what, dynamic=None):
    """`[%i, 2]`: static entries as ints, dynamic ones as None with their
    operand tokens appended to `dynamic` (without it, `[1, 2]`: only ints)."""
    p.parse_punct("[")

    def item():
        if dynamic is not None and p.tok.kind == "value":
            dynamic.append(p.parse_operand())
            return None
        return int(p.parse_kind("integer", f"{what} entry").text)
    return tuple(p.parse_comma_list(item, "]"))


class SliceOp(OpDef):
    """`tensor.extract_slice %t[offsets] [sizes] [strides] : A to B` and
    `tensor.insert_slice %s into %t[offsets] [sizes] [strides] : B into A`.
    Offsets, sizes and strides may be SSA values (operands after the
    tensors, in that order; None in the attributes). B may drop unit
    dimensions of the (static) sizes."""

    def __init__(self, name):
        self.name = name

    def parse(self, p, loc, result_names):
        src = p.parse_operand()
        dest = None
        if self.name == "tensor.insert_slice":
            p.parse_keyword("into")
            dest = p.parse_operand()
        dynamic = []
        attrs = {k: parse_mixed_list(p, k, dynamic) for k in ("offsets", "sizes", "strides")}
        p.parse_punct(":")   # shapes may be dynamic: bounds are checked at run time
        a = parse_tensor(p, self.name)
        p.parse_keyword("to" if dest is None else "into")
        b = parse_tensor(p, self.name)
        slice_type = b if dest is None else a
        attrs["slice_rank"] = slice_type.rank
        tensors = [src] if dest is None else [src, dest]
        types = [a] if dest is None else [a, b]
        operands = p.resolve_all(tensors + dynamic, types + [INDEX] * len(dynamic))
        return Operation(self.name, operands, [b], attrs, loc=loc)

    def verify(self, op, fail):
        offsets, sizes, steps = (op.attributes[k] for k in ("offsets", "sizes", "strides"))
        full = op.operands[0].type if self.name == "tensor.extract_slice" else op.operands[1].type
        piece = op.results[0].type if self.name == "tensor.extract_slice" else op.operands[0].type
        if not len(offsets) == len(sizes) == len(steps) == full.rank:
            fail(f"offsets, sizes and strides need {full.rank} entries each")
        for o, n, st, dim in zip(offsets, sizes, steps, full.shape):
            if None in (o, n, st, dim):   # checked at run time
                continue
            if o < 0 or st < 1 or n < 0 or (n and o + (n - 1) * st >= dim):
                fail(f"slice [{o} + {n} x {st}] is outside a dimension of size {dim} of '{full}'")
        kept = [n for n in sizes]
        while len(kept) > piece.rank and 1 in kept:
            kept.remove(1)
        if tuple(kept) != piece.shape or piece.element != full.element:
            fail(f"a slice of sizes {list(sizes)} of '{full}' is not '{piece}'")


class ConcatOp(OpDef):
    """`tensor.concat dim(0) %a, %b : (A, B) -> C`."""
    name = "tensor.concat"

    def parse(self, p, loc, result_names):
        p.parse_keyword("dim")
        p.parse_punct("(")
        dim = int(p.parse_kind("integer", "dimension").text)
        p.parse_punct(")")
        toks = p.parse_operand_list()
        p.parse_punct(":")
        tok = p.tok
        ft = p.parse_type()
        if not hasattr(ft, "inputs") or len(ft.inputs) != len(toks) or len(ft.results) != 1:
            raise p.error(f"expected a function type of {len(toks)} inputs and one result", tok)
        return Operation(self.name, p.resolve_all(toks, list(ft.inputs)), list(ft.results), {"dim": dim}, loc=loc)

    def verify(self, op, fail):
        t, dim = op.results[0].type, op.attributes["dim"]
        if not isinstance(t, TensorType) or not 0 <= dim < t.rank:
            fail(f"dimension {dim} out of range for '{t}'")
        total = 0
        for v in op.operands:   # a dynamic size is read at run time
            u = v.type
            if not isinstance(u, TensorType) or u.rank != t.rank or u.element != t.element or any(
                    None not in (a, b) and a != b for d, (a, b) in enumerate(zip(u.shape, t.shape)) if d != dim):
                fail(f"'{u}' cannot be concatenated into '{t}' along dimension {dim}")
            total = None if None in (total, u.shape[dim]) else total + u.shape[dim]
        if None not in (total, t.shape[dim]) and total != t.shape[dim]:
            fail(f"concatenated sizes add up to {total}, but '{t}' has {t.shape[dim]}")


class GenerateOp(OpDef):
    """`tensor.generate %d { ^bb0(%i: index, %j: index): ... tensor.yield %v : T } : tensor<?x4xf32>`
    (the operands size the dynamic dimensions)."""
    name = "tensor.generate"

    def parse(self, p, loc, result_names):
        extents = p.parse_operand_list()

        body = p.parse_region([], ends_in("tensor.yield", "'tensor.generate' region"), "tensor.generate body")
        p.parse_punct(":")
        t = parse_tensor(p, self.name)
        return Operation(self.name, p.resolve_all(extents, [INDEX] * len(extents)), [t], regions=[body], loc=loc)

    def verify(self, op, fail):
        check_dynamic_sizes(op, op.operands, fail)
        block = op.regions[0].blocks[0]
        t = op.results[0].type
        if [str(a.type) for a in block.arguments] != ["index"] * t.rank:
            fail(f"'tensor.generate' of '{t}' takes {t.rank} index block arguments")
        if [v.type for v in block.operations[-1].operands] != [t.element]:
            fail(f"'tensor.generate' must yield one '{t.element}'")


def pad_operation(source, sizes, result_type, attrs, region, loc):
    """The tensor.pad of `source` (dynamic low and high `sizes`) whose `region`
    yields one value: a value from outside the region becomes an operand."""
    block = region.blocks[0]
    value = block.operations[-1].operands[0]
    if value.owner is block or getattr(value.owner, "parent", None) is block:   # computed in the region
        return Operation("tensor.pad", [source] + sizes, [result_type], attrs, regions=[region], loc=loc)
    return Operation("tensor.pad", [source, value] + sizes, [result_type], attrs, loc=loc)


class PadOp(OpDef):
    """`tensor.pad %t low[1, %n] high[2, 3] { ^bb0(%i: index, %j: index):
    tensor.yield %v : f32 } : A to B`. A value defined outside the region
    becomes an operand (constant padding); a region computing its value
    stays, to be applied at every coordinate (passes/linalg.py). Dynamic
    low and high sizes (None in the attributes) are the last operands."""
    name = "tensor.pad"

    def parse(self, p, loc, result_names):
        start = p.tok
        src = p.parse_operand()
        p.parse_optional_keyword("nofold")   # keeps a pad from folding away; changes no value
        attrs, dynamic = {}, []
        for key in ("low", "high"):
            p.parse_keyword(key)
            attrs[key] = parse_mixed_list(p, f"{key} padding", dynamic)

        region = p.parse_region([], ends_in("tensor.yield", "'tensor.pad' region"), "pad region")
        p.parse_punct(":")
        a = parse_tensor(p, self.name)
        p.parse_keyword("to")
        b = parse_tensor(p, self.name)
        if len(region.blocks[0].operations[-1].operands) != 1:
            raise p.error("the 'tensor.pad' region must yield one value", start)
        return pad_operation(p.resolve(src, a), p.resolve_all(dynamic, [INDEX] * len(dynamic)), b, attrs, region, loc)

    def verify(self, op, fail):
        a, b = op.operands[0].type, op.results[0].type
        if op.regions:
            block = op.regions[0].blocks[0]
            if [str(x.type) for x in block.arguments] != ["index"] * b.rank:
                fail(f"the 'tensor.pad' region takes {b.rank} index coordinates")
            value = block.operations[-1].operands[0]
        else:
            value = op.operands[1]
        low, high = op.attributes["low"], op.attributes["high"]
        if len(low) != a.rank or len(high) != a.rank or any(x is not None and x < 0 for x in low + high):
            fail(f"'tensor.pad' needs {a.rank} non-negative low and high sizes")
        text = ["[" + ", ".join("?" if x is None else str(x) for x in sizes) + "]" for sizes in (low, high)]
        if any(None not in (n, m, lo, hi) and n + lo + hi != m for n, m, lo, hi in zip(a.shape, b.shape, low, high)) \
                or [None in (n, lo, hi) for n, lo, hi in zip(a.shape, low, high)] != [m is None for m in b.shape] \
                or a.element != b.element:
            fail(f"padding '{a}' by low {text[0]} and high {text[1]} does not give '{b}'")
        if value.type != a.element:
            fail(f"the padding value must be '{a.element}', got '{value.type}'")


class BitcastOp(CastOp):
    """`tensor.bitcast %t : tensor<4xi32> to tensor<4xf32>`: arith.bitcast
    over a whole tensor."""

    def __init__(self):
        super().__init__("tensor.bitcast", "bitcast", "any", "any", "same")

    def verify(self, op, fail):
        if not isinstance(op.operands[0].type, TensorType) or not isinstance(op.results[0].type, TensorType):
            fail("'tensor.bitcast' converts tensors")
        super().verify(op, fail)


OPS = {op.name: op for op in (
    SliceOp("tensor.extract_slice"), SliceOp("tensor.insert_slice"), ConcatOp(), PadOp(), GenerateOp(), BitcastOp(),
    TerminatorOp("tensor.yield"),
    EmptyOp(), ExtractOp(), InsertOp(), SplatOp(), FromElementsOp(), DimOp(),
    TensorViewOp("tensor.cast"),
    *(ReshapeOp(n) for n in ("tensor.collapse_shape", "tensor.expand_shape", "tensor.reshape")),
)}
