"""arith: element-wise arithmetic, comparisons, selects, casts and constants."""
from .. import isa
from ..ir.attributes import BoolAttr, DenseElementsAttr, FloatAttr, IntegerAttr
from ..ir.core import Operation
from ..ir.ops import OpDef
from ..ir.types import ScalarType, TensorType, VectorType, element_type_of

I1 = ScalarType("i1")
F32 = ScalarType("f32")


def with_element(t, element):
    """t's shape (a tensor, or a scalar) with another element type."""
    return TensorType(t.shape, element) if isinstance(t, TensorType) else element


def shape_of(t):
    return t.shape if isinstance(t, TensorType) else None


class ElementwiseOp(OpDef):
    """`%r = dialect.op %a[, %b, %c] [fastmath<...>] : T`, all operands of
    type T; the result is T, or T's shape of i1. Its arity, element kind and
    result come from its tile op `t.NAME` in the instruction table."""

    def __init__(self, name):
        self.name = name
        self.elementwise = name.split(".")[1]
        tile = isa.BY_NAME["t." + self.elementwise]
        self.arity = sum(kind == "ts" for _, kind in tile.operands)
        self.element_kind = "float" if tile.types.startswith("float") else "int"   # float, float->i1; the rest int
        self.result_i1 = tile.result == "i1"

    def parse(self, p, loc, result_names):
        operands = p.parse_operand_list()
        if p.parse_optional_keyword("fastmath") or p.parse_optional_keyword("overflow"):   # flags that change no result
            p.skip_angle_body()
        p.parse_punct(":")
        t = p.parse_type()
        result = with_element(t, I1) if self.result_i1 else t
        return Operation(self.name, p.resolve_all(operands, [t] * self.arity), [result], loc=loc)

    def verify(self, op, fail):
        if len(op.operands) != self.arity:
            fail(f"expected {self.arity} operands")
        t = op.operands[0].type
        if any(v.type != t for v in op.operands):
            fail(f"operand types {', '.join(str(v.type) for v in op.operands)} differ")
        want = with_element(t, I1) if self.result_i1 else t
        if op.results[0].type != want:
            fail(f"result type {op.results[0].type} does not match '{want}'")
        if getattr(element_type_of(t), "is_" + self.element_kind) is not True:
            fail(f"operand #0 must be {self.element_kind}-like, but got '{t}'")


class CompareOp(OpDef):
    """`arith.cmpf olt, %a, %b : T` -> T's shape of i1 (predicates as MLIR numbers them)."""

    def __init__(self, name, predicates, element_kind):
        self.name = name
        self.elementwise = name.split(".")[1]
        self.predicates = predicates
        self.element_kind = element_kind

    def parse(self, p, loc, result_names):
        tok = p.tok
        if tok.kind == "string":
            p.advance()
            word = tok.text[1:-1]
        else:
            word = p.parse_kind("ident", "comparison predicate").text
        if word not in self.predicates:
            raise p.error(f"unknown predicate '{word}' for '{self.name}'; expected one of "
                          f"{', '.join(self.predicates)}", tok)
        p.parse_punct(",")
        operands = p.parse_operand_list()
        if self.element_kind == "float" and p.parse_optional_keyword("fastmath"):   # flags that change no result
            p.skip_angle_body()
        p.parse_punct(":")
        t = p.parse_type()
        return Operation(self.name, p.resolve_all(operands, [t, t]), [with_element(t, I1)],
                         {"predicate": IntegerAttr(self.predicates.index(word), ScalarType("i64"))}, loc=loc)

    def verify(self, op, fail):
        a, b = op.operands
        if a.type != b.type or op.results[0].type != with_element(a.type, I1):
            fail(f"operands {a.type}, {b.type} and result {op.results[0].type} do not match")
        if getattr(element_type_of(a.type), "is_" + self.element_kind) is not True:
            fail(f"operand #0 must be {self.element_kind}-like, but got '{a.type}'")
        if not 0 <= op.attributes["predicate"].value < len(self.predicates):
            fail("predicate out of range")

    def tile(self, op):
        name, element, _ = super().tile(op)
        return name, element, {"pred": op.attributes["predicate"].value}


class SelectOp(OpDef):
    """`arith.select %c, %a, %b : T` (i1 %c) or `: C, T` (%c of T's shape of i1)."""
    name = "arith.select"
    elementwise = "select"

    def parse(self, p, loc, result_names):
        operands = p.parse_operand_list()
        p.parse_punct(":")
        types = p.parse_type_list()
        if len(types) == 1:
            types = [I1] + types
        if len(types) != 2:
            raise p.error("expected the condition type and the value type")
        cond, t = types
        return Operation(self.name, p.resolve_all(operands, [cond, t, t]), [t], loc=loc)

    def verify(self, op, fail):
        cond, a, b = op.operands
        if a.type != b.type or op.results[0].type != a.type:
            fail(f"value types {a.type}, {b.type} and result {op.results[0].type} differ")
        if cond.type != I1 and cond.type != with_element(a.type, I1):
            fail(f"condition must be i1 or '{with_element(a.type, I1)}', got '{cond.type}'")

    def tile(self, op):
        return "select", element_type_of(op.operands[1].type).name, {}


class CastOp(OpDef):
    """`arith.extf %a : f32 to f64`: converts each element, keeping the shape."""

    def __init__(self, name, kind, src, dst, width):
        self.name = name
        self.elementwise = kind          # convs, convu or bitcast
        self.src, self.dst = src, dst    # 'float', 'int' or 'index'
        self.width = width               # 'wider', 'narrower', 'same' or None

    def parse(self, p, loc, result_names):
        operands = p.parse_operand_list()
        p.parse_punct(":")
        src = p.parse_type()
        p.parse_keyword("to")
        dst = p.parse_type()
        return Operation(self.name, p.resolve_all(operands, [src]), [dst], loc=loc)

    def verify(self, op, fail):
        src, dst = op.operands[0].type, op.results[0].type
        if shape_of(src) != shape_of(dst) or isinstance(src, TensorType) != isinstance(dst, TensorType):
            fail(f"'{src}' and '{dst}' must have the same shape")
        s, d = element_type_of(src), element_type_of(dst)
        for kind, e in ((self.src, s), (self.dst, d)):
            ok = e.is_float if kind == "float" else (e.name == "index" if kind == "index" else
                                                     e.is_int and e.name != "index" if kind == "int" else True)
            if not ok:
                fail(f"'{self.name}' does not convert '{src}' to '{dst}'")
        if self.width == "wider" and not d.bitwidth > s.bitwidth or \
                self.width == "narrower" and not d.bitwidth < s.bitwidth or \
                self.width == "same" and d.bitwidth != s.bitwidth:
            fail(f"'{self.name}' needs a {self.width} result type, got '{src}' to '{dst}'")

    def tile(self, op):
        return (self.elementwise, element_type_of(op.results[0].type).name,
                {"src": element_type_of(op.operands[0].type).name})


class ScalingOp(OpDef):
    """`arith.scaling_extf %a, %s : f4E2M1FN, f8E8M0FNU to f32`: a * s
    (extf), or a / s (truncf), computed in f32 and converted to the result
    type, as MLIR expands them."""

    def __init__(self, name, width):
        self.name = name
        self.width = width

    def parse(self, p, loc, result_names):
        operands = p.parse_operand_list()
        p.parse_punct(":")
        src = p.parse_type()
        p.parse_punct(",")
        scale = p.parse_type()
        p.parse_keyword("to")
        dst = p.parse_type()
        return Operation(self.name, p.resolve_all(operands, [src, scale]), [dst], loc=loc)

    def verify(self, op, fail):
        if len(op.operands) != 2 or len(op.results) != 1:
            fail(f"'{self.name}' takes 2 operands and has 1 result")
        (a, s), r = op.operands, op.results[0]
        if not shape_of(a.type) == shape_of(s.type) == shape_of(r.type) or \
                not isinstance(a.type, TensorType) == isinstance(s.type, TensorType) == isinstance(r.type, TensorType):
            fail(f"'{a.type}', '{s.type}' and '{r.type}' must have the same shape")
        src, dst = element_type_of(a.type), element_type_of(r.type)
        if not (src.is_float and element_type_of(s.type).is_float and dst.is_float):
            fail(f"'{self.name}' needs float types, got '{a.type}', '{s.type}' to '{r.type}'")
        if self.width == "wider" and not dst.bitwidth > src.bitwidth or \
                self.width == "narrower" and not dst.bitwidth < src.bitwidth:
            fail(f"'{self.name}' needs a {self.width} result type, got '{a.type}' to '{r.type}'")

    def decompose(self, op, new):
        def convert(v, t):
            have, want = element_type_of(v.type), element_type_of(t)
            if have == want:
                return v
            return new("arith.extf" if want.bitwidth > have.bitwidth else "arith.truncf", [v], [t])[0]
        f32 = with_element(op.results[0].type, F32)
        a, s = (convert(v, f32) for v in op.operands)
        scaled = new("arith.mulf" if self.width == "wider" else "arith.divf", [a, s], [f32])[0]
        return [convert(scaled, op.results[0].type)]


class ExtendedOp(OpDef):
    """`%sum, %carry = arith.addui_extended %a, %b : T, C` (C: T's shape of
    i1) and `%low, %high = arith.mulsi_extended %a, %b : T` (mului too): the
    result and its carry, or both halves of the double-width product.
    passes/extended.py lowers them to ops of one width."""

    def __init__(self, name):
        self.name = name

    def parse(self, p, loc, result_names):
        operands = p.parse_operand_list()
        p.parse_punct(":")
        types = p.parse_type_list()
        t = types[0]
        results = types if self.name == "arith.addui_extended" else [t, t]
        return Operation(self.name, p.resolve_all(operands, [t, t]), results, loc=loc)

    def verify(self, op, fail):
        if len(op.operands) != 2 or len(op.results) != 2:
            fail(f"'{self.name}' takes two operands and gives two results")
        t = op.operands[0].type
        e = element_type_of(t)
        if op.operands[1].type != t or not e.is_int or e.name == "index":
            fail(f"'{self.name}' takes two operands of one fixed-width integer type, got "
                 f"'{t}' and '{op.operands[1].type}'")
        second = with_element(t, I1) if self.name == "arith.addui_extended" else t
        if [r.type for r in op.results] != [t, second]:
            fail(f"'{self.name}' results must be '{t}' and '{second}', got "
                 f"{', '.join(repr(str(r.type)) for r in op.results)}")


class ConstantOp(OpDef):
    name = "arith.constant"

    def parse(self, p, loc, result_names):
        p.parse_optional_attr_dict()   # `attr-dict $value`: discardable (see Parser.parse_punct)
        tok = p.tok
        attr = p.parse_attribute()
        if isinstance(attr, BoolAttr):
            attr = IntegerAttr(int(attr.value), I1)
        if not isinstance(attr, (IntegerAttr, FloatAttr, DenseElementsAttr)):
            raise p.error("expected a number or dense elements for 'arith.constant'", tok)
        if isinstance(attr.type, VectorType):
            raise p.error(f"'{attr.type}' values are not supported: iree-lite computes on tensors "
                          f"(vector types only type attributes)", tok)
        return Operation(self.name, [], [attr.type], {"value": attr}, loc=loc)

    def verify(self, op, fail):
        attr = op.attributes.get("value")
        if attr is None or attr.type != op.results[0].type:
            fail("'value' attribute type does not match the result type")


CMPF = tuple(name for name, _ in isa.CMPF_PREDICATES)
CMPI = tuple(name for name, _ in isa.CMPI_PREDICATES)

OPS = {op.name: op for op in (
    *(ElementwiseOp(f"arith.{n}") for n in (
        "addf", "subf", "mulf", "divf", "remf", "maximumf", "minimumf", "maxnumf", "minnumf", "negf",
        "addi", "subi", "muli", "andi", "ori", "xori", "maxsi", "minsi", "maxui", "minui", "shli", "shrsi",
        "shrui", "divsi", "remsi", "ceildivsi", "floordivsi", "divui", "remui", "ceildivui")),
    CompareOp("arith.cmpf", CMPF, "float"),
    CompareOp("arith.cmpi", CMPI, "int"),
    SelectOp(),
    CastOp("arith.extf", "convs", "float", "float", "wider"),
    CastOp("arith.truncf", "convs", "float", "float", "narrower"),
    CastOp("arith.extsi", "convs", "int", "int", "wider"),
    CastOp("arith.extui", "convu", "int", "int", "wider"),
    CastOp("arith.trunci", "convs", "int", "int", "narrower"),
    CastOp("arith.sitofp", "convs", "int", "float", None),
    CastOp("arith.uitofp", "convu", "int", "float", None),
    CastOp("arith.fptosi", "convs", "float", "int", None),
    CastOp("arith.fptoui", "convu", "float", "int", None),
    CastOp("arith.index_cast", "convs", "any", "any", None),
    CastOp("arith.index_castui", "convu", "any", "any", None),
    CastOp("arith.bitcast", "bitcast", "any", "any", "same"),
    ScalingOp("arith.scaling_extf", "wider"),
    ScalingOp("arith.scaling_truncf", "narrower"),
    *(ExtendedOp(f"arith.{n}") for n in ("addui_extended", "mulsi_extended", "mului_extended")),
    ConstantOp(),
)}
