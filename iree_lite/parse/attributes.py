"""Types and attributes: the part of the MLIR parser that reads no SSA
values. `Parser` (parser.py) mixes this in; the methods use its token
helpers (`tok`, `advance`, `parse_punct`, `error`, ...).
"""
import functools

from ..dialects import unsupported_input
from ..ir.attributes import (AffineMapAttr, ArrayAttr, BoolAttr, FloatAttr, IntegerAttr,
                             StringAttr, SymbolRefAttr, TypeAttr, UnitAttr)
from ..ir.elements import size_error, unpack
from ..ir.types import ELEMENT_TYPES, FunctionType, ScalarType, TensorType, VectorType

I64 = ScalarType("i64")
F64 = ScalarType("f64")
# Regions, attributes, literals and types nest at most this deep in all: a
# located error rather than Python's recursion limit, here or in the passes
# that walk the nested IR.
MAX_NESTING = 100
MAX_DIMENSION = (1 << 63) - 1
PACKED_STORAGE = "#iree_encoding.packed_storage"
# Enumerated dialect attributes whose value iree-lite reads; MLIR rejects any other value.
ENUM_ATTRIBUTES = {"#linalg.type_fn": ("::mlir::linalg::TypeFn", ("cast_signed", "cast_unsigned")),
                   "#linalg.iterator_type": ("::mlir::utils::IteratorType", ("parallel", "reduction"))}


def nested(parse):
    """Mark a parse method that recurses (directly or through others): each
    call is one level of nesting."""
    @functools.wraps(parse)
    def guarded(self, *args, **kwargs):
        if self.nesting == MAX_NESTING:
            raise self.error(f"nesting is deeper than {MAX_NESTING} levels")
        self.nesting += 1
        try:
            return parse(self, *args, **kwargs)
        finally:
            self.nesting -= 1
    return guarded


class TypeAttributeSyntax:
    # -- types -------------------------------------------------------------

    def parse_optional_type(self):
        tok = self.tok
        if tok.kind == "ident":
            if tok.text in ELEMENT_TYPES:
                self.advance()
                return ScalarType(tok.text)
            if tok.text == "tensor":
                return self.parse_tensor_type()
            return None
        if self.is_punct("("):
            return self.parse_function_type()
        if tok.kind == "bang":
            if tok.text in self.aliases:
                self.advance()
                return self.aliases[tok.text]
            unsupported = unsupported_input(tok.text)
            if unsupported:
                raise self.error(unsupported)
            if "." not in tok.text and not self.lexer.text.startswith("<", self.lexer.pos):
                raise self.error(f"undefined type alias '{tok.text}'")
        return None

    def parse_type(self):
        t = self.parse_optional_type()
        if t is None:
            raise self.error("expected type")
        return t

    def parse_tensor_type(self, keyword="tensor", shaped=TensorType, encodings=None):
        """`tensor<4x?xf32>`, or with keyword "vector" a VectorType. The one
        encoding known, `tensor<8xi1, #iree_encoding.packed_storage>` (i1
        elements stored as bits), changes only how a flow.tensor.bitcast reads
        bytes: its name is appended to `encodings` when given, else dropped."""
        start = self.tok
        self.parse_keyword(keyword)
        if not self.is_punct("<"):
            raise self.error(f"expected '<' in {keyword} type")
        shape = []
        pos = self.tok.offset + 1
        text = self.lexer.text
        # Dimension list: (integer | ?) 'x' repeated, then the element type.
        while True:
            while pos < len(text) and text[pos] in " \t":
                pos += 1
            j = pos
            while j < len(text) and text[j].isdigit():
                j += 1
            if j > pos and j < len(text) and text[j] == "x":
                digits = text[pos:j].lstrip("0") or "0"
                if len(digits) > len(str(MAX_DIMENSION)) or int(digits) > MAX_DIMENSION:
                    raise self.lexer.error("invalid dimension", pos)
                shape.append(int(digits))
                pos = j + 1
            elif text.startswith("?x", pos):
                shape.append(None)
                pos += 2
            else:
                break
        self.reset(pos)
        element = self.tok
        if element.kind != "ident" or element.text not in ELEMENT_TYPES:
            raise self.error(f"expected element type in {keyword} type")
        self.advance()
        if keyword == "tensor" and self.parse_optional_punct(","):
            tok = self.tok
            if tok.kind != "hash" or tok.text != PACKED_STORAGE or element.text != "i1":
                raise self.error(f"tensor encodings other than {PACKED_STORAGE} of i1 elements are not supported "
                                 "by iree-lite", tok)
            self.advance()
            if encodings is not None:
                encodings.append(tok.text)
        self.parse_punct(">")
        error = size_error(element.text, [1 if d is None else d for d in shape],   # `?` counted as 1
                           [-1 if d is None else d for d in shape])
        if error is not None:
            raise self.error(error[1], start)
        return shaped(tuple(shape), ScalarType(element.text))

    def parse_elements_type(self):
        """The type after `dense<...> :`: a static tensor or vector type."""
        tok = self.tok
        if self.is_keyword("vector"):
            t = self.parse_tensor_type("vector", VectorType)
        else:
            t = self.parse_type()
        if not isinstance(t, TensorType) or not t.is_static:
            raise self.error("dense elements need a static tensor or vector type", tok)
        return t

    @nested
    def parse_function_type(self):
        self.parse_punct("(")
        inputs = self.parse_comma_list(self.parse_type, ")")
        self.parse_punct("->")
        return FunctionType(tuple(inputs), tuple(self.parse_result_types()))

    def parse_result_types(self):
        if self.parse_optional_punct("("):
            return self.parse_comma_list(self.parse_type, ")")
        return [self.parse_type()]

    # -- attributes --------------------------------------------------------

    def parse_optional_number(self):
        """(value, kind, token) for [-]integer, [-]float or hex, else None;
        kind is the token kind: 'integer', 'float' or 'hex'."""
        start = self.tok
        negative = self.is_punct("-")
        if negative:
            self.advance()
        tok = self.tok
        if tok.kind == "integer":
            value, kind = int(tok.text), "integer"
        elif tok.kind == "hex":
            value, kind = int(tok.text, 16), "hex"
        elif tok.kind == "float" or tok.kind == "ident" and tok.text in ("inf", "nan"):
            value, kind = float(tok.text), "float"
        else:
            if negative:
                raise self.error("expected number")
            return None
        self.advance()
        return (-value if negative else value), kind, start

    def parse_attribute(self):
        attr = self.parse_optional_attribute()
        if attr is None:
            raise self.error("expected attribute value")
        return attr

    @nested
    def parse_optional_attribute(self):
        tok = self.tok
        number = self.parse_optional_number()
        if number is not None:
            return self.typed_number(number)
        if tok.kind == "ident":
            if tok.text in ("true", "false"):
                self.advance()
                return BoolAttr(tok.text == "true")
            if tok.text == "dense":
                return self.parse_dense()
            if tok.text == "dense_resource":
                return self.parse_dense_resource()
            if tok.text == "affine_map":
                return self.parse_affine_map()
            if tok.text == "array":
                return self.parse_dense_array()
            if tok.text == "unit":
                self.advance()
                return UnitAttr()
            t = self.parse_optional_type()
            if t is not None:
                return TypeAttr(t)
            return None
        if tok.kind == "string":
            self.advance()
            return StringAttr(unescape(tok.text))
        if tok.kind == "symbol":
            self.advance()
            return SymbolRefAttr(symbol_name(tok.text))
        if self.parse_optional_punct("["):
            return ArrayAttr(tuple(self.parse_comma_list(self.parse_attribute, "]")))
        if self.is_punct("("):   # `function_type = (i32) -> f32`
            return TypeAttr(self.parse_function_type())
        if self.is_punct("{"):
            return self.parse_attr_dict()
        if tok.kind == "hash":
            self.advance()
            if tok.text in self.aliases:
                return self.aliases[tok.text]
            if "." not in tok.text and not self.is_punct("<"):
                raise self.error(f"undefined attribute alias '{tok.text}'", tok)
            return self.parse_opaque_attribute(tok)
        return None

    def parse_dense_array(self):
        """`array<i64: 1, 2>` (MLIR's dense array, as its generic form prints
        `static_sizes` and the like): an ArrayAttr of typed numbers."""
        self.advance()
        self.parse_punct("<")
        tok = self.tok
        t = self.parse_type()
        if not isinstance(t, ScalarType):
            raise self.error(f"expected an element type in 'array', got '{t}'", tok)
        values = []
        if self.parse_optional_punct(":"):
            def element():
                number = self.parse_optional_number()
                if number is None:
                    raise self.error("expected number")
                value = self.float_value(number, t) if t.is_float else self.int_value(number, t)
                return (FloatAttr if t.is_float else IntegerAttr)(value, t)
            values = self.parse_comma_list(element, ">")
        else:
            self.parse_punct(">")
        return ArrayAttr(tuple(values))

    def parse_affine_map(self):
        """`affine_map<(d0, d1)[s0] -> (d1, d0 * 4 + s0, 0)>`."""
        self.advance()
        self.parse_punct("<")
        self.parse_punct("(")
        names = {}
        for t in self.parse_comma_list(lambda: self.parse_kind("ident", "dimension name"), ")"):
            names[t.text] = ("d", len(names))
        num_dims = len(names)
        if self.parse_optional_punct("["):
            for t in self.parse_comma_list(lambda: self.parse_kind("ident", "symbol name"), "]"):
                names[t.text] = ("s", len(names) - num_dims)
        self.parse_punct("->")
        self.parse_punct("(")
        exprs = tuple(self.parse_comma_list(lambda: self.parse_affine_expression(names), ")"))
        self.parse_punct(">")
        num_symbols = len(names) - num_dims
        dims = [e[1] for e in exprs if e[0] == "d"]
        if not num_symbols and len(set(dims)) == len(dims) and \
                all(e[0] == "d" or e == ("c", 0) for e in exprs):   # a projected permutation
            return AffineMapAttr(num_dims, tuple(e[1] if e[0] == "d" else None for e in exprs))
        return AffineMapAttr(num_dims, None, num_symbols, exprs)

    def parse_affine_expression(self, names):
        self.affine_nodes = 0
        return self.parse_affine_sum(names)

    def count_affine_nodes(self, tok, count=1):
        """Count operator nodes of the affine expression being parsed: its
        tree is at most that deep, so they are limited as nesting is."""
        self.affine_nodes += count
        if self.affine_nodes > MAX_NESTING:
            raise self.error(f"affine expression of more than {MAX_NESTING} operations", tok)

    def parse_affine_sum(self, names):
        expr = self.parse_affine_product(names)
        while self.is_punct("+") or self.is_punct("-"):
            negate = self.tok.text == "-"
            self.count_affine_nodes(self.advance(), 2 if negate else 1)
            rhs = self.parse_affine_product(names)
            expr = ("+", expr, ("*", rhs, ("c", -1)) if negate else rhs)
        return expr

    def parse_affine_product(self, names):
        expr = self.parse_affine_atom(names)
        while True:
            tok = self.tok
            if self.parse_optional_punct("*"):
                op = "*"
            else:
                op = next((k for k in ("floordiv", "ceildiv", "mod") if self.parse_optional_keyword(k)), None)
                if op is None:
                    return expr
            self.count_affine_nodes(tok)
            rhs = self.parse_affine_atom(names)
            if op != "*" and (rhs[0] != "c" or rhs[1] <= 0):
                raise self.error(f"the right side of '{op}' must be a positive constant")
            expr = (op, expr, rhs)

    @nested
    def parse_affine_atom(self, names):
        tok = self.tok
        if self.parse_optional_punct("("):
            expr = self.parse_affine_sum(names)
            self.parse_punct(")")
            return expr
        if self.parse_optional_punct("-"):
            self.count_affine_nodes(tok)
            return ("*", self.parse_affine_atom(names), ("c", -1))
        if tok.kind == "integer":
            self.advance()
            return ("c", int(tok.text))
        if tok.kind == "ident" and tok.text in names:
            self.advance()
            return names[tok.text]
        raise self.error("expected a dimension, symbol or integer in an affine expression", tok)

    def parse_opaque_attribute(self, tok):
        """A dialect attribute iree-lite does not interpret (`#arith.fastmath<none>`),
        kept as its source text; an enumerated one's value is checked first."""
        if tok.text in ENUM_ATTRIBUTES and self.is_punct("<"):
            enum, values = ENUM_ATTRIBUTES[tok.text]
            value = self.lexer_peek()
            if value.text not in values:
                raise self.error(f"expected {enum} to be one of: {', '.join(values)}", value)
        close = self.skip_angle_body() or tok
        colon, resume = self.tok, self.lexer.pos
        if self.parse_optional_punct(":"):   # typed by a dialect type: `#hal.device.target<...> : !hal.device`
            if self.tok.kind != "bang":
                self.tok, self.lexer.pos = colon, resume
            else:
                close = self.advance()
                close = self.skip_angle_body() or close
        return StringAttr(self.lexer.text[tok.offset:close.offset + len(close.text)])

    def skip_angle_body(self):
        """Skip an optional balanced `<...>` (opaque attribute payloads);
        returns its closing `>` token, or None when there is none."""
        if not self.is_punct("<"):
            return None
        depth = 0
        while True:
            tok = self.advance()
            if tok.kind == "eof":
                raise self.error("unbalanced '<'", tok)
            if tok.kind == "punct" and tok.text == "<":
                depth += 1
            elif tok.kind == "punct" and tok.text == ">":
                depth -= 1
                if depth == 0:
                    return tok

    def typed_number(self, number):
        value, kind, tok = number
        t = None
        if self.parse_optional_punct(":"):
            t = self.parse_type()
            if not isinstance(t, ScalarType):
                raise self.error(f"expected a scalar type for a number, got '{t}'", tok)
        if t is None:
            return FloatAttr(value, F64) if kind == "float" else IntegerAttr(value, I64)
        if t.is_float:
            return FloatAttr(self.float_value(number, t), t)
        return IntegerAttr(self.int_value(number, t), t)

    def float_value(self, number, t):
        value, kind, tok = number
        if kind != "hex":
            return float(value)
        # A hex literal for a float type is its bit pattern.
        size = t.byte_size
        if value < 0 or value >= 1 << t.bitwidth:
            raise self.error(f"hexadecimal float literal does not fit {t}", tok)
        return unpack(t.name, value.to_bytes(size, "little"))[0]

    def int_value(self, number, t):
        value, kind, tok = number
        if kind == "float":
            raise self.error(f"expected integer value for type '{t}'", tok)
        if t.name == "i1":
            if value not in (0, 1, -1):
                raise self.error(f"integer constant out of range for type '{t}'", tok)
            return value & 1
        bits = t.bitwidth
        if not -(1 << (bits - 1)) <= value < (1 << bits):
            raise self.error(f"integer constant out of range for type '{t}'", tok)
        return value

    def parse_attr_dict(self):
        self.parse_punct("{")
        attrs = {}

        def entry():
            tok = self.tok
            if tok.kind not in ("ident", "string"):
                raise self.error("expected attribute name")
            self.advance()
            name = unescape(tok.text) if tok.kind == "string" else tok.text
            attrs[name] = self.parse_attribute() if self.parse_optional_punct("=") else UnitAttr()
        self.parse_comma_list(entry, "}")
        return attrs

    def parse_optional_attr_dict(self):
        return self.parse_attr_dict() if self.is_punct("{") else {}


def unescape(text):
    body = text[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "\"\\":
                out.append(nxt)
                i += 2
                continue
            if nxt == "n":
                out.append("\n")
                i += 2
                continue
            try:
                out.append(chr(int(body[i + 1:i + 3], 16)))
                i += 3
                continue
            except ValueError:
                pass
        out.append(c)
        i += 1
    return "".join(out)


def symbol_name(text):
    return unescape(text[1:]) if text.startswith('@"') else text[1:]
