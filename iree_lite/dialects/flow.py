"""flow: the ops of IREE's flow dialect that its input-level tests use.

`flow.tensor.dynamic_constant dense<...> : tensor<3xf32> -> tensor<?xf32>`
is a constant whose shape the compiler may not assume (a tensor.cast of
the constant), and `flow.tensor.tie_shape %t : tensor<?xf32>{%n}` states
the dynamic sizes of %t (iree-lite reads sizes from the tensor itself, so
it is %t). `flow.tensor.reshape %t : A{%n} -> B{%m}` is the same elements
at another shape, and `flow.tensor.bitcast %t : A -> B` the same bytes read
as another type (an i1 result with #iree_encoding.packed_storage reads
them a bit an element, the lowest bit first)."""
from ..ir.attributes import DenseElementsAttr, IntegerAttr
from ..ir.core import Operation
from ..ir.ops import OpDef
from ..ir.types import ScalarType, TensorType

INDEX = ScalarType("index")
RESIZABLE_BITS = (2, 4, 8, 16, 32, 64)   # element widths a bitcast may change between (sub-byte ones packed)
I1 = ScalarType("i1")


class DynamicConstantOp(OpDef):
    name = "flow.tensor.dynamic_constant"

    def parse(self, p, loc, result_names):
        tok = p.tok
        value = p.parse_attribute()
        if not isinstance(value, DenseElementsAttr):
            raise p.error("expected dense elements", tok)
        p.parse_punct("->")
        return Operation(self.name, [], [p.parse_type()], {"value": value}, loc=loc)

    def verify(self, op, fail):
        value, t = op.attributes.get("value"), op.results[0].type
        if not isinstance(value, DenseElementsAttr) or not isinstance(t, TensorType) or \
                value.type.element != t.element or value.type.rank != t.rank or \
                any(n is not None and n != m for n, m in zip(t.shape, value.type.shape)):
            fail(f"'{self.name}' value must be dense elements of a shape that '{t}' allows")

    def decompose(self, op, new):
        value = op.attributes["value"]
        constant = new("arith.constant", [], [value.type], {"value": value})[0]
        return new("tensor.cast", [constant], [op.results[0].type])


class TieShapeOp(OpDef):
    """`flow.tensor.tie_shape %t : tensor<?x4xf32>{%n}`."""
    name = "flow.tensor.tie_shape"

    def parse(self, p, loc, result_names):
        tensor = p.parse_operand()
        p.parse_punct(":")
        t = p.parse_type()
        sizes = []
        if p.parse_optional_punct("{"):
            sizes = p.parse_operand_list()
            p.parse_punct("}")
        return Operation(self.name, [p.resolve(tensor, t)] + p.resolve_all(sizes, [INDEX] * len(sizes)), [t],
                         loc=loc)

    def verify(self, op, fail):
        t = op.operands[0].type
        if not isinstance(t, TensorType) or op.results[0].type != t:
            fail(f"'{self.name}' takes a tensor and gives the same type, got '{t}'")
        if len(op.operands) - 1 != t.shape.count(None) or any(v.type != INDEX for v in op.operands[1:]):
            fail(f"'{self.name}' needs one index size per dynamic dimension of '{t}'")

    def decompose(self, op, new):
        return [op.operands[0]]


def parse_sized_type(p, encodings=None):
    """`tensor<?x4xf32>{%n}`: the type and the tokens of its dynamic sizes."""
    tok = p.tok
    t = p.parse_tensor_type(encodings=encodings) if p.is_keyword("tensor") else p.parse_type()
    if not isinstance(t, TensorType):
        raise p.error("expected a tensor type", tok)
    sizes = []
    if p.parse_optional_punct("{"):
        sizes = p.parse_operand_list()
        p.parse_punct("}")
    return t, sizes


class ReinterpretOp(OpDef):
    """flow.tensor.reshape and flow.tensor.bitcast: `%t : A{..} -> B{..}`,
    one index size per dynamic dimension of each type (iree-lite needs only
    the result's)."""

    def __init__(self, name):
        self.name = name

    def parse(self, p, loc, result_names):
        src = p.parse_operand()
        p.parse_punct(":")
        t, src_sizes = parse_sized_type(p)
        p.parse_punct("->")
        encodings = []
        rt, sizes = parse_sized_type(p, encodings)
        operands = [p.resolve(src, t)] + p.resolve_all(src_sizes + sizes, [INDEX] * (len(src_sizes) + len(sizes)))
        return Operation(self.name, operands, [rt], {"num_source_sizes": len(src_sizes),
                                                     "packed_bits": bool(encodings)}, loc=loc)

    def verify(self, op, fail):
        t, rt = op.operands[0].type, op.results[0].type
        sizes = op.operands[1:]
        n = op.attributes["num_source_sizes"]
        if not isinstance(t, TensorType) or not isinstance(rt, TensorType):
            fail(f"'{self.name}' takes a tensor and gives one, not '{t}' -> '{rt}'")
        if n != t.shape.count(None) or len(sizes) - n != rt.shape.count(None) or \
                any(v.type != INDEX for v in sizes):
            fail(f"'{self.name}' needs one index size per dynamic dimension of '{t}' and of '{rt}'")
        if self.name == "flow.tensor.reshape":
            if t.element != rt.element:
                fail(f"'{self.name}' keeps the element type: '{t}' -> '{rt}'")
            if t.is_static and rt.is_static and t.num_elements != rt.num_elements:
                fail(f"'{self.name}' changes the number of elements: '{t}' -> '{rt}'")
            return
        if op.attributes["packed_bits"]:
            if not t.element.is_int or t.element == I1 or not (t.is_static and rt.is_static):
                fail(f"'{self.name}' to packed i1 bits reads integer elements of static shapes (iree-lite), not "
                     f"'{t}' -> '{rt}'")
            bits = t.element.bitwidth
        elif t.element.bitwidth == rt.element.bitwidth:
            bits = 1
        elif not all(e.bitwidth in RESIZABLE_BITS for e in (t.element, rt.element)) or \
                not (t.is_static and rt.is_static):
            fail(f"'{self.name}' from '{t}' to '{rt}' (another element size) is not supported by iree-lite: it "
                 "reads static shapes of i2, i4, f4 or 8- to 64-bit elements")
        elif t.num_elements * t.element.bitwidth != rt.num_elements * rt.element.bitwidth:
            fail(f"'{self.name}' changes the number of bytes: '{t}' -> '{rt}'")
        else:
            return
        if t.is_static and rt.is_static and t.num_elements * bits != rt.num_elements:
            fail(f"'{self.name}' changes the number of bytes: '{t}' -> '{rt}'")

    def decompose(self, op, new):
        src, rt = op.operands[0], op.results[0].type
        sizes = op.operands[1 + op.attributes["num_source_sizes"]:]
        if self.name == "flow.tensor.reshape":
            return new("iree_lite.view", [src] + sizes, [rt])
        if not op.attributes["packed_bits"] and src.type.element.bitwidth != rt.element.bitwidth:
            return resize_elements(new, src, rt)
        if not op.attributes["packed_bits"]:
            same = new("iree_lite.view", [src] + sizes, [TensorType(rt.shape, src.type.element)])[0]
            return new("tensor.bitcast", [same], [rt])
        return unpack_bits(new, src, rt)


def resize_elements(new, src, rt):
    """The bytes of src read as rt's elements of another width, as IREE's
    buffers hold them (ir/boundary.py: sub-byte elements packed, the lowest
    bits first; wider ones little-endian). Result element k is a slice of
    source element k // r (narrower: r of them a source element) or r source
    elements side by side, the first lowest (wider)."""
    ws, wr = src.type.element.bitwidth, rt.element.bitwidth
    n = rt.num_elements
    flat_t = TensorType((n,), INDEX)

    def index(v):
        return new("arith.constant", [], [INDEX], {"value": IntegerAttr(v, INDEX)})[0]

    def splat(v, t):
        return new("tensor.splat", [v], [t])[0]

    def op(name, operands, element):
        return new(name, operands, [TensorType((n,), element)])[0]

    def const(v, element):
        return splat(new("arith.constant", [], [element], {"value": IntegerAttr(v, element)})[0],
                     TensorType((n,), element))
    source_int, result_int = ScalarType(f"i{ws}"), ScalarType(f"i{wr}")
    words = src if src.type.element.is_int else \
        new("arith.bitcast", [src], [TensorType(src.type.shape, source_int)])[0]
    position = new("iree_lite.linear_index", [index(1), index(n)], [flat_t])[0]
    if ws > wr:
        r = splat(index(ws // wr), flat_t)
        word = op("iree_lite.gather", [words, op("arith.divui", [position, r], INDEX)], source_int)
        shift = op("arith.muli", [op("arith.remui", [position, r], INDEX), splat(index(wr), flat_t)], INDEX)
        bits = op("arith.trunci", [op("arith.shrui", [word, op("arith.index_cast", [shift], source_int)],
                                      source_int)], result_int)
    else:
        first = op("arith.muli", [position, splat(index(wr // ws), flat_t)], INDEX)
        bits = None
        for j in range(wr // ws):
            at = op("arith.addi", [first, splat(index(j), flat_t)], INDEX) if j else first
            part = op("arith.extui", [op("iree_lite.gather", [words, at], source_int)], result_int)
            if j:
                part = op("arith.shli", [part, const(j * ws, result_int)], result_int)
            bits = part if bits is None else op("arith.ori", [bits, part], result_int)
    if not rt.element.is_int:
        bits = op("arith.bitcast", [bits], rt.element)
    return new("iree_lite.view", [bits], [rt])


def unpack_bits(new, src, rt):
    """i1 element k of the (static) result: bit k % w of element k // w of
    src (row-major, of w bits each)."""
    element = src.type.element
    width = element.bitwidth
    flat_t = TensorType((rt.num_elements,), INDEX)

    def index(v):
        return new("arith.constant", [], [INDEX], {"value": IntegerAttr(v, INDEX)})[0]

    def splat(v, t):
        return new("tensor.splat", [v], [t])[0]
    position = new("iree_lite.linear_index", [index(1), index(rt.num_elements)], [flat_t])[0]
    w = splat(index(width), flat_t)
    word = new("iree_lite.gather", [src, new("arith.divui", [position, w], [flat_t])[0]],
               [TensorType(flat_t.shape, element)])[0]
    bit = new("arith.index_cast", [new("arith.remui", [position, w], [flat_t])[0]], [word.type])[0]
    one = new("arith.constant", [], [element], {"value": IntegerAttr(1, element)})[0]
    low = new("arith.andi", [new("arith.shrui", [word, bit], [word.type])[0], splat(one, word.type)], [word.type])[0]
    bits = new("arith.trunci", [low], [TensorType(flat_t.shape, I1)])[0]
    return new("iree_lite.view", [bits], [rt])


OPS = {op.name: op for op in (DynamicConstantOp(), TieShapeOp(), ReinterpretOp("flow.tensor.reshape"),
                              ReinterpretOp("flow.tensor.bitcast"))}
