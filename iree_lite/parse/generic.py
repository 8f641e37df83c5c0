"""The generic op form, as `--mlir-print-op-generic` prints every op:
`%r = "arith.addf"(%a, %b) <{fastmath = #arith.fastmath<none>}> : (f32, f32) -> f32`,
regions as `({ ^bb0(%x: f32): ... })`, and the module, its functions and
globals as `"builtin.module"() ({ ... })`, `"util.func"() <{function_type =
..., sym_name = "f"}> ({ ... })`, `"util.global"() <{sym_name = "g", type = i32}>`.
`Parser` (parser.py) mixes this in.
"""
from ..dialects import canonical_name, lookup
from ..ir.attributes import ArrayAttr, StringAttr, TypeAttr
from ..ir.core import Argument, Function
from ..ir.types import FunctionType
from .attributes import unescape
from .generic_ops import GenericOp, build

FUNCTION_PROPERTIES = ("function_type", "sym_name", "sym_visibility", "arg_attrs", "res_attrs")


class GenericSyntax:
    def parse_generic_parts(self):
        """(name, name token, operand tokens, attributes, regions, function type) of
        `"name"(%a, ...) <{properties}> ({regions}) {attributes} : (T, ...) -> (U, ...)`;
        properties and attributes come as one dict, empty regions are left out."""
        name_tok = self.parse_kind("string", "operation name")
        name = canonical_name(unescape(name_tok.text))
        self.parse_punct("(")
        operands = self.parse_operand_list()
        self.parse_punct(")")
        if self.is_punct("["):
            raise self.error("successor blocks (unstructured control flow) are not supported by iree-lite")
        attrs = {}
        if self.parse_optional_punct("<"):
            attrs.update(self.parse_attr_dict())
            self.parse_punct(">")
        regions = []
        if self.parse_optional_punct("("):
            regions = [r for r in self.parse_comma_list(self.parse_generic_region, ")") if r.blocks]
        attrs.update(self.parse_optional_attr_dict())
        self.parse_punct(":")
        tok = self.tok
        ft = self.parse_type()
        if not isinstance(ft, FunctionType):
            raise self.error("expected a function type", tok)
        return name, name_tok, operands, attrs, regions, ft

    def parse_generic_region(self):
        """`{ [^bb0(%a: T, ...):] ops }`, all ops spelled out (terminators too);
        `{}` is a Region without blocks."""
        start = self.tok

        def whole(block, p):
            if not block.operations and block.arguments:
                raise self.error("block with no terminator", start)
        region = self.parse_region([], whole)
        block = region.blocks[0]
        if not block.operations and not block.arguments:
            region.blocks = []
        return region

    def parse_generic_operation(self, loc):
        name, name_tok, operands, attrs, regions, ft = self.parse_generic_parts()
        if lookup(name) is None:
            raise self.unknown_operation(name, name_tok)

        def fail(message):
            raise self.error(message, name_tok)
        values = self.resolve_all(operands, list(ft.inputs))
        return build(GenericOp(name, values, list(ft.results), attrs, regions, loc, fail))

    def parse_generic_module_item(self, functions, globals_):
        """A function, global or initializer in generic form, added to its list."""
        loc = self.loc()
        name, name_tok, operands, attrs, regions, ft = self.parse_generic_parts()
        if operands or ft.inputs or ft.results:
            raise self.error(f"'{name}' takes no operands and has no results", name_tok)
        body = regions[0].blocks[0] if regions else None
        if name == "func.func":
            functions.append(self.generic_function(name_tok, attrs, body, loc))
        elif name == "util.global":
            sym, t = self.generic_attr(name_tok, attrs, "sym_name", StringAttr), self.generic_attr(
                name_tok, attrs, "type", TypeAttr)
            globals_.append(self.make_global(sym.value, t.value, "is_mutable" in attrs, attrs.get("initial_value"),
                                             name_tok, loc))
        elif name == "util.initializer":
            if body is None or body.operations[-1].name != "func.return":
                raise self.error("'util.initializer' needs a body ending in 'util.return'", name_tok)
            functions.append(self.initializer(len(functions), body, loc))
        else:
            raise self.error(f"expected 'func.func', 'util.global' or 'util.initializer' at module level, "
                             f"found '{name}'", name_tok)

    def generic_attr(self, tok, attrs, key, kind):
        value = attrs.get(key)
        if not isinstance(value, kind):
            raise self.error(f"'{canonical_name(unescape(tok.text))}' needs the attribute '{key}'", tok)
        return value

    def generic_function(self, tok, attrs, body, loc):
        ft = self.generic_attr(tok, attrs, "function_type", TypeAttr).value
        name = self.generic_attr(tok, attrs, "sym_name", StringAttr).value
        if not isinstance(ft, FunctionType):
            raise self.error("'function_type' must be a function type", tok)
        visibility = attrs.get("sym_visibility", StringAttr("public"))

        def per_item(key, count):
            value = attrs.get(key, ArrayAttr(({},) * count))
            if not isinstance(value, ArrayAttr) or len(value.values) != count or \
                    not all(isinstance(d, dict) for d in value.values):
                raise self.error(f"'{key}' must be {count} dictionaries", tok)
            return list(value.values)
        arg_attrs, res_attrs = per_item("arg_attrs", len(ft.inputs)), per_item("res_attrs", len(ft.results))
        names = [None] * len(ft.inputs)
        if body is not None:
            if tuple(a.type for a in body.arguments) != ft.inputs:
                raise self.error(f"the body's arguments must have the function's input types "
                                 f"({', '.join(map(str, ft.inputs))})", tok)
            if not body.operations or body.operations[-1].name != "func.return":
                raise self.error("block with no terminator; expected 'func.return'", tok)
            names = [a.name for a in body.arguments]
        args = [Argument(t, a, n) for t, a, n in zip(ft.inputs, arg_attrs, names)]
        others = {k: v for k, v in attrs.items() if k not in FUNCTION_PROPERTIES}
        return Function(name, ft, args, res_attrs, others, getattr(visibility, "value", "public"), body, loc)

    def parse_generic_module(self, default_name):
        """`"builtin.module"() [<{sym_name = "m"}>] ({ items }) [{attributes}] : () -> ()`:
        (name, attributes, functions, globals)."""
        name_tok = self.parse_kind("string", "operation name")
        self.parse_punct("(")
        self.parse_punct(")")
        attrs = {}
        if self.parse_optional_punct("<"):
            attrs.update(self.parse_attr_dict())
            self.parse_punct(">")
        self.parse_punct("(")
        self.parse_punct("{")
        functions, globals_ = self.parse_module_body("}")
        self.parse_punct(")")
        attrs.update(self.parse_optional_attr_dict())
        self.parse_punct(":")
        tok = self.tok
        if self.parse_function_type() != FunctionType((), ()):
            raise self.error("expected '() -> ()' for 'builtin.module'", tok)
        name = attrs.pop("sym_name", StringAttr(default_name))
        if not isinstance(name, StringAttr):
            raise self.error("'sym_name' must be a string", name_tok)
        return name.value, attrs, functions, globals_
