"""Recursive-descent parser for the MLIR subset iree-lite compiles.

Conventions: `parse_x()` raises a located Diagnostic when x is not there;
`parse_optional_x()` returns None and consumes nothing. Ops in custom syntax
are parsed by their dialect's OpDef (iree_lite.dialects), which calls back
into this parser; the generic form `"dialect.op"(...) : (...) -> ...` works
for every registered op.
"""
import os

from ..dialects import canonical_name, lookup
from ..ir.attributes import (AffineMapAttr, ArrayAttr, BoolAttr, DenseElementsAttr, FloatAttr, IntegerAttr,
                             StringAttr, SymbolRefAttr, TypeAttr, UnitAttr)
from ..ir.core import INITIALIZER, Argument, Block, Function, Global, Module, Operation
from ..ir.elements import unpack
from ..ir.types import ELEMENT_TYPES, FunctionType, ScalarType, TensorType
from .lexer import Lexer
from .resources import split_resources

I64 = ScalarType("i64")
F64 = ScalarType("f64")


class Parser:
    def __init__(self, text, filename, resources=None):
        self.lexer = Lexer(text, filename)
        self.resources = resources or {}   # dense_resource blobs by name
        self.tok = self.lexer.next()
        self.values = {}   # SSA name (with %) -> Value
        self.scopes = [[]]  # names defined in each enclosing region, innermost last
        self.aliases = {}   # `#name = attr` definitions

    # -- tokens ------------------------------------------------------------

    def advance(self):
        tok = self.tok
        self.tok = self.lexer.next()
        return tok

    def reset(self, offset):
        self.lexer.reset(offset)
        self.tok = self.lexer.next()

    def error(self, message, tok=None):
        return self.lexer.error(message, (tok or self.tok).offset)

    def loc(self, tok=None):
        return self.lexer.location((tok or self.tok).offset)

    def is_punct(self, text):
        return self.tok.kind == "punct" and self.tok.text == text

    def is_keyword(self, text):
        return self.tok.kind == "ident" and self.tok.text == text

    def parse_optional_punct(self, text):
        return self.advance() if self.is_punct(text) else None

    def parse_optional_keyword(self, text):
        return self.advance() if self.is_keyword(text) else None

    def parse_punct(self, text):
        if not self.is_punct(text):
            raise self.error(f"expected '{text}'")
        return self.advance()

    def parse_keyword(self, text):
        if not self.is_keyword(text):
            raise self.error(f"expected '{text}'")
        return self.advance()

    def parse_kind(self, kind, what):
        if self.tok.kind != kind:
            raise self.error(f"expected {what}")
        return self.advance()

    def parse_comma_list(self, parse_item, close):
        """Items separated by commas up to the `close` punctuation (consumed)."""
        items = []
        if not self.parse_optional_punct(close):
            items.append(parse_item())
            while self.parse_optional_punct(","):
                items.append(parse_item())
            self.parse_punct(close)
        return items

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
        return None

    def parse_type(self):
        t = self.parse_optional_type()
        if t is None:
            raise self.error("expected type")
        return t

    def parse_tensor_type(self):
        self.parse_keyword("tensor")
        if not self.is_punct("<"):
            raise self.error("expected '<' in tensor type")
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
                shape.append(int(text[pos:j]))
                pos = j + 1
            elif text.startswith("?x", pos):
                shape.append(None)
                pos += 2
            else:
                break
        self.reset(pos)
        element = self.tok
        if element.kind != "ident" or element.text not in ELEMENT_TYPES:
            raise self.error("expected element type in tensor type")
        self.advance()
        self.parse_punct(">")
        return TensorType(tuple(shape), ScalarType(element.text))

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
            if tok.text == "unit":
                self.advance()
                return UnitAttr()
            t = self.parse_optional_type()
            if t is not None:
                return TypeAttr(t)
            return None
        if tok.kind == "string":
            self.advance()
            return StringAttr(_unescape(tok.text))
        if tok.kind == "symbol":
            self.advance()
            return SymbolRefAttr(_symbol_name(tok.text))
        if self.parse_optional_punct("["):
            return ArrayAttr(tuple(self.parse_comma_list(self.parse_attribute, "]")))
        if self.is_punct("{"):
            return self.parse_attr_dict()
        if tok.kind == "hash":
            self.advance()
            if tok.text in self.aliases:
                return self.aliases[tok.text]
            self.skip_angle_body()
            return StringAttr(tok.text)
        return None

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
        exprs = tuple(self.parse_comma_list(lambda: self.parse_affine_sum(names), ")"))
        self.parse_punct(">")
        num_symbols = len(names) - num_dims
        dims = [e[1] for e in exprs if e[0] == "d"]
        if not num_symbols and len(set(dims)) == len(dims) and \
                all(e[0] == "d" or e == ("c", 0) for e in exprs):   # a projected permutation
            return AffineMapAttr(num_dims, tuple(e[1] if e[0] == "d" else None for e in exprs))
        return AffineMapAttr(num_dims, None, num_symbols, exprs)

    def parse_affine_sum(self, names):
        expr = self.parse_affine_product(names)
        while self.is_punct("+") or self.is_punct("-"):
            negate = self.advance().text == "-"
            rhs = self.parse_affine_product(names)
            expr = ("+", expr, ("*", rhs, ("c", -1)) if negate else rhs)
        return expr

    def parse_affine_product(self, names):
        expr = self.parse_affine_atom(names)
        while True:
            if self.parse_optional_punct("*"):
                op = "*"
            else:
                op = next((k for k in ("floordiv", "ceildiv", "mod") if self.parse_optional_keyword(k)), None)
                if op is None:
                    return expr
            rhs = self.parse_affine_atom(names)
            if op != "*" and (rhs[0] != "c" or rhs[1] <= 0):
                raise self.error(f"the right side of '{op}' must be a positive constant")
            expr = (op, expr, rhs)

    def parse_affine_atom(self, names):
        tok = self.tok
        if self.parse_optional_punct("("):
            expr = self.parse_affine_sum(names)
            self.parse_punct(")")
            return expr
        if self.parse_optional_punct("-"):
            return ("*", self.parse_affine_atom(names), ("c", -1))
        if tok.kind == "integer":
            self.advance()
            return ("c", int(tok.text))
        if tok.kind == "ident" and tok.text in names:
            self.advance()
            return names[tok.text]
        raise self.error("expected a dimension, symbol or integer in an affine expression", tok)

    def skip_angle_body(self):
        """Skip an optional balanced `<...>` (opaque attribute payloads)."""
        if not self.is_punct("<"):
            return
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
                    return

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
        size = {"f16": 2, "bf16": 2, "f32": 4, "f64": 8}[t.name]
        if value < 0 or value >= 1 << (8 * size):
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
            name = _unescape(tok.text) if tok.kind == "string" else tok.text
            attrs[name] = self.parse_attribute() if self.parse_optional_punct("=") else UnitAttr()
        self.parse_comma_list(entry, "}")
        return attrs

    def parse_optional_attr_dict(self):
        return self.parse_attr_dict() if self.is_punct("{") else {}

    def parse_dense(self):
        start = self.parse_keyword("dense")
        self.parse_punct("<")
        if self.tok.kind == "string":
            payload = self.advance()
            self.parse_punct(">")
            self.parse_punct(":")
            t = self.parse_type()
            return self.dense_from_hex(payload, t)
        literals = []
        nesting = self.parse_dense_elements(literals) if not self.is_punct(">") else None
        self.parse_punct(">")
        self.parse_punct(":")
        t_tok = self.tok
        t = self.parse_type()
        if not isinstance(t, TensorType) or not t.is_static:
            raise self.error("dense elements need a static tensor type", t_tok)
        if nesting is None:
            if t.num_elements != 0:
                raise self.error(f"empty dense literal for '{t}'", start)
            return DenseElementsAttr(t, (), False)
        if nesting == () and len(literals) == 1:
            return DenseElementsAttr(t, (self.element_value(literals[0], t.element),), True)
        if nesting != t.shape:
            shape = "x".join(map(str, nesting)) or "scalar"
            raise self.error(f"inferred shape of elements literal ([{shape}]) does not match type '{t}'", start)
        return DenseElementsAttr(t, tuple(self.element_value(x, t.element) for x in literals), False)

    def parse_dense_resource(self):
        """`dense_resource<NAME> : tensor<...>`: NAME's blob from the resource section."""
        self.parse_keyword("dense_resource")
        self.parse_punct("<")
        name_tok = self.tok
        if name_tok.kind not in ("ident", "string"):
            raise self.error("expected resource name")
        self.advance()
        name = _unescape(name_tok.text) if name_tok.kind == "string" else name_tok.text
        self.parse_punct(">")
        self.parse_punct(":")
        t_tok = self.tok
        t = self.parse_type()
        if not isinstance(t, TensorType) or not t.is_static:
            raise self.error("dense elements need a static tensor type", t_tok)
        data = self.resources.get(name)
        if data is None:
            raise self.error(f"unknown resource '{name}' (no such entry in the file's dialect_resources)", name_tok)
        size = t.element.byte_size
        if len(data) != size * t.num_elements:
            raise self.error(f"resource '{name}' has {len(data)} bytes, '{t}' needs {size * t.num_elements}", name_tok)
        return DenseElementsAttr(t, values_from_bytes(data, t.element), False)

    def parse_dense_elements(self, out):
        """Flatten a (nested) literal into `out`; returns its shape tuple."""
        if self.parse_optional_punct("["):
            shapes = self.parse_comma_list(lambda: self.parse_dense_elements(out), "]")
            if any(s != shapes[0] for s in shapes):
                raise self.error("tensor literal is invalid; ranks are not consistent between elements")
            return (len(shapes),) + (shapes[0] if shapes else ())
        tok = self.tok
        if tok.kind == "ident" and tok.text in ("true", "false"):
            self.advance()
            out.append((int(tok.text == "true"), "integer", tok))
            return ()
        number = self.parse_optional_number()
        if number is None:
            raise self.error("expected element literal")
        out.append(number)
        return ()

    def element_value(self, number, element):
        if element.is_float:
            return self.float_value(number, element)
        return self.int_value(number, element)

    def dense_from_hex(self, payload, t):
        text = _unescape(payload.text)
        if not (isinstance(t, TensorType) and t.is_static):
            raise self.error("dense elements need a static tensor type", payload)
        if not text.startswith("0x"):
            raise self.error("expected hex string of element bytes", payload)
        try:
            data = bytes.fromhex(text[2:])
        except ValueError:
            raise self.error("invalid hex string", payload) from None
        size = t.element.byte_size
        if len(data) == size:
            return DenseElementsAttr(t, values_from_bytes(data, t.element), True)
        if len(data) != size * t.num_elements:
            raise self.error(f"hex dense literal has {len(data)} bytes, '{t}' needs {size * t.num_elements}", payload)
        return DenseElementsAttr(t, values_from_bytes(data, t.element), False)

    # -- values --------------------------------------------------------------

    def parse_symbol_name(self, what):
        """`@name` or `@"name"`, returned without the `@`."""
        return _symbol_name(self.parse_kind("symbol", what).text)

    def parse_value_name(self):
        return self.parse_kind("value", "SSA value")

    def resolve(self, tok, t=None):
        """The Value a `%name` token refers to, checking its type if given."""
        v = self.values.get(tok.text)
        if v is None:
            raise self.error(f"use of undeclared SSA value name '{tok.text}'", tok)
        if t is not None and v.type != t:
            raise self.error(f"use of value '{tok.text}' expects different type than prior uses: "
                             f"'{t}' vs '{v.type}'", tok)
        return v

    def define(self, tok, value):
        if tok.text in self.values:
            raise self.error(f"redefinition of SSA value '{tok.text}'", tok)
        self.values[tok.text] = value
        self.scopes[-1].append(tok.text)

    def parse_region(self, arguments, terminator, what="region"):
        """`{ ops }` as a one-block Region whose arguments are `arguments`
        [(name token, type)]. Names defined inside go out of scope at `}`.
        `terminator(block, parser)` checks or supplies the block's last op."""
        from ..ir.core import Region
        self.parse_punct("{")
        self.scopes.append([])
        block = Block()
        if self.tok.kind == "block":   # `^bb0(%x: f32, ...):` names the block's arguments
            self.advance()
            labelled = []
            if self.parse_optional_punct("("):
                def argument():
                    tok = self.parse_value_name()
                    self.parse_punct(":")
                    labelled.append((tok, self.parse_type()))
                self.parse_comma_list(argument, ")")
            self.parse_punct(":")
            arguments = list(arguments) + labelled
        for tok, t in arguments:
            self.define(tok, block.add_argument(t, tok.text[1:]))
        while not self.is_punct("}"):
            if self.tok.kind == "eof":
                raise self.error(f"expected '}}' to end the {what}")
            self.parse_operation(block)
        terminator(block, self)
        self.advance()
        for name in self.scopes.pop():
            del self.values[name]
        return Region([block])

    def parse_operand(self):
        """An SSA use; returns its name token (resolved once types are known)."""
        return self.parse_value_name()

    def parse_operand_list(self):
        toks = [self.parse_operand()] if self.tok.kind == "value" else []
        while toks and self.parse_optional_punct(","):
            toks.append(self.parse_operand())
        return toks

    def resolve_all(self, toks, types):
        if len(toks) != len(types):
            raise self.error(f"{len(toks)} operands present, but expected {len(types)}", toks[0] if toks else None)
        return [self.resolve(t, ty) for t, ty in zip(toks, types)]

    def parse_type_list(self):
        types = [self.parse_type()]
        while self.parse_optional_punct(","):
            types.append(self.parse_type())
        return types

    # -- operations ----------------------------------------------------------

    def parse_result_group(self):
        """`%r` or `%r:N`, as the names it binds (`%r#0`... for a group)."""
        from .lexer import Token
        tok = self.parse_value_name()
        if not self.parse_optional_punct(":"):
            return [tok]
        count = self.parse_kind("integer", "result count")
        return [Token("value", f"{tok.text}#{i}", tok.offset) for i in range(int(count.text))]

    def parse_operation(self, block):
        results = []
        if self.tok.kind == "value":
            results += self.parse_result_group()
            while self.parse_optional_punct(","):
                results += self.parse_result_group()
            self.parse_punct("=")
        name_tok = self.tok
        loc = self.loc()
        if name_tok.kind == "string":
            op = self.parse_generic_operation(loc)
        elif name_tok.kind == "ident":
            opdef = lookup(name_tok.text)
            if opdef is None:
                raise self.error(f"unknown operation '{name_tok.text}'")
            self.advance()
            op = opdef.parse(self, loc, [r.text[1:] for r in results])
        else:
            raise self.error("expected operation name")
        if len(op.results) != len(results):
            raise self.lexer.error(f"operation defines {len(op.results)} results but was provided "
                                   f"{len(results)} to bind", name_tok.offset)
        for tok, v in zip(results, op.results):
            v.name = tok.text[1:]
            self.define(tok, v)
        block.append(op)
        return op

    def parse_generic_operation(self, loc):
        name_tok = self.advance()
        name = canonical_name(_unescape(name_tok.text))
        if lookup(name) is None:
            raise self.error(f"unknown operation '{name}'", name_tok)
        self.parse_punct("(")
        operands = self.parse_operand_list()
        self.parse_punct(")")
        attrs = self.parse_optional_attr_dict()
        self.parse_punct(":")
        ft = self.parse_function_type()
        return Operation(name, self.resolve_all(operands, list(ft.inputs)), ft.results, attrs, loc=loc)

    # -- functions and modules -------------------------------------------

    def parse_function(self):
        loc = self.loc()
        self.advance()   # func.func
        visibility = "public"
        for v in ("public", "private", "nested"):
            if self.parse_optional_keyword(v):
                visibility = v
        name = self.parse_symbol_name("function name")
        self.parse_punct("(")
        args, arg_toks = [], []

        def argument():
            tok = self.parse_optional_value_def()
            if tok is None:
                ty = self.parse_type()
                args.append(Argument(ty, self.parse_optional_attr_dict()))
                return
            self.parse_punct(":")
            ty = self.parse_type()
            args.append(Argument(ty, self.parse_optional_attr_dict(), tok.text[1:]))
            arg_toks.append(tok)
        self.parse_comma_list(argument, ")")
        results, result_attrs = [], []
        if self.parse_optional_punct("->"):
            def result():
                results.append(self.parse_type())
                result_attrs.append(self.parse_optional_attr_dict())
            # Result attributes only exist inside parentheses: `-> T {` opens the body.
            if self.parse_optional_punct("("):
                self.parse_comma_list(result, ")")
            else:
                results.append(self.parse_type())
                result_attrs.append({})
        attrs = {}
        if self.parse_optional_keyword("attributes"):
            attrs = self.parse_attr_dict()
        fn = Function(name, FunctionType(tuple(a.type for a in args), tuple(results)), args, result_attrs,
                      attrs, visibility, None, loc)
        if self.is_punct("{"):
            if len(arg_toks) != len(args):
                raise self.error("function with a body needs named arguments")
            fn.body = self.parse_body(arg_toks, args)
        return fn

    def parse_optional_value_def(self):
        return self.advance() if self.tok.kind == "value" else None

    def parse_body(self, arg_toks, args):
        self.values = {}

        def returns(block, p):
            if not block.operations or block.operations[-1].name != "func.return":
                raise self.error("block with no terminator; expected 'func.return'")
        return self.parse_region([(tok, a.type) for tok, a in zip(arg_toks, args)], returns,
                                 "function body").blocks[0]

    def parse_module_body(self, close):
        """(functions, globals) up to `close` (or the end of the file)."""
        functions, globals_ = [], []
        while not (self.parse_optional_punct(close) if close else self.tok.kind == "eof"):
            if self.tok.kind == "eof":
                raise self.error("expected '}' to end the module")
            name = canonical_name(self.tok.text) if self.tok.kind == "ident" else None
            if self.tok.kind == "hash":   # `#map = affine_map<...>`
                alias = self.advance()
                self.parse_punct("=")
                self.aliases[alias.text] = self.parse_attribute()
                continue
            if name == "func.func":
                functions.append(self.parse_function())
            elif name == "util.global":
                globals_.append(self.parse_global())
            elif name == "util.initializer":
                functions.append(self.parse_initializer(len(functions)))
            else:
                raise self.error("expected 'func.func', 'util.global' or 'util.initializer' at module level"
                                 + (f", found '{self.tok.text}'" if self.tok.text else ""))
        return functions, globals_

    def parse_global(self):
        """`util.global [private|public] [mutable] @name [= attr] [: type]`."""
        loc = self.loc()
        self.advance()
        for v in ("private", "public", "nested"):
            self.parse_optional_keyword(v)
        mutable = self.parse_optional_keyword("mutable") is not None
        name = self.parse_symbol_name("global name")
        initial = t = None
        if self.parse_optional_punct("="):
            initial = self.parse_attribute()
            t = getattr(initial, "type", None)
        if self.parse_optional_punct(":"):
            tok = self.tok
            t = self.parse_type()
            if initial is not None and getattr(initial, "type", t) != t:
                raise self.error(f"initial value of type '{initial.type}' for a global of type '{t}'", tok)
        if t is None:
            raise self.error(f"global '@{name}' needs a type")
        return Global(name, t, mutable, initial, loc)

    def parse_initializer(self, index):
        """`util.initializer { ... util.return }`, run when a context loads the module."""
        loc = self.loc()
        self.advance()
        self.values = {}

        def returns(block, p):
            if block.operations and block.operations[-1].name == "func.return":   # `util.return`
                return
            block.append(Operation("func.return", [], [], loc=p.loc()))
        body = self.parse_region([], returns, "initializer").blocks[0]
        return Function(f"__initializer_{index}", FunctionType((), ()), [], [], {INITIALIZER: UnitAttr()},
                        "private", body, loc)

    def parse_module(self, default_name):
        while self.tok.kind == "hash":   # aliases may precede `module {`
            alias = self.advance()
            self.parse_punct("=")
            self.aliases[alias.text] = self.parse_attribute()
        loc = self.loc()
        if self.is_keyword("module") or self.is_keyword("builtin.module"):
            self.advance()
            name = default_name
            if self.tok.kind == "symbol":
                name = _symbol_name(self.advance().text)
            attrs = self.parse_attr_dict() if self.parse_optional_keyword("attributes") else {}
            self.parse_punct("{")
            functions, globals_ = self.parse_module_body("}")
            if self.tok.kind != "eof":
                raise self.error("expected end of file after the module")
        else:
            attrs = {}
            name = default_name
            functions, globals_ = self.parse_module_body(None)
        return Module(name, functions, loc, self.lexer.text, attrs, globals_)


def _unescape(text):
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


def _symbol_name(text):
    return _unescape(text[1:]) if text.startswith('@"') else text[1:]


def module_name_for(filename):
    if filename in ("-", "<stdin>"):
        return "module"
    return os.path.splitext(os.path.basename(filename))[0]


def values_from_bytes(data, element):
    """Little-endian element bytes as a tuple of Python numbers (i1: a byte each)."""
    if element.name == "i1":
        return tuple(b & 1 for b in data)
    return tuple(unpack(element.name, data))


def parse_module(text, filename):
    """Parse MLIR text into an ir.core.Module; raises Diagnostic."""
    body, resources, problems = split_resources(text)
    if problems:
        message, offset = problems[0]
        raise Lexer(text, filename).error(message, offset)
    return Parser(body, filename, resources).parse_module(module_name_for(filename))
