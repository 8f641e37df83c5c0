"""The generic op form, as `--mlir-print-op-generic` prints every op:
`%r = "arith.addf"(%a, %b) <{fastmath = #arith.fastmath<none>}> : (f32, f32) -> f32`,
regions as `({ ^bb0(%x: f32): ... })`, and the module, its functions and
globals as `"builtin.module"() ({ ... })`, `"util.func"() <{function_type =
..., sym_name = "f"}> ({ ... })`, `"util.global"() <{sym_name = "g", type = i32}>`.
`Parser` (parser.py) mixes this in.
"""
from ..dialects import canonical_name, lookup
from ..ir.attributes import ArrayAttr, StringAttr, TypeAttr
from ..ir.core import Argument, Function, Region
from ..ir.types import FunctionType
from .attributes import unescape
from .blocks import BLOCK_TERMINATORS
from .generic_ops import GenericOp, build

FUNCTION_PROPERTIES = ("function_type", "sym_name", "sym_visibility", "arg_attrs", "res_attrs")


class GenericSyntax:
    def parse_generic_parts(self, parse_region=None):
        """(name, name token, operand tokens, attributes, regions, function type, successors) of
        `"name"(%a, ...)[^bb1, ...] <{properties}> ({regions}) {attributes} : (T, ...) -> (U, ...)`;
        properties and attributes come as one dict, empty regions are left out.
        Regions are read by `parse_region` (default: parse_generic_region)."""
        name_tok = self.parse_kind("string", "operation name")
        name = canonical_name(unescape(name_tok.text))
        self.parse_punct("(")
        operands = self.parse_operand_list()
        self.parse_punct(")")
        successors = self.parse_comma_list(self.parse_successor, "]") if self.parse_optional_punct("[") else []
        attrs = self.parse_optional_properties()
        regions = []
        if self.parse_optional_punct("("):
            regions = [r for r in self.parse_comma_list(parse_region or self.parse_generic_region, ")") if r.blocks]
        attrs.update(self.parse_optional_attr_dict())
        self.parse_punct(":")
        tok = self.tok
        ft = self.parse_type()
        if not isinstance(ft, FunctionType):
            raise self.error("expected a function type", tok)
        return name, name_tok, operands, attrs, regions, ft, successors

    def parse_optional_properties(self):
        """`<{key = value, ...}>`, the op's properties, or {} without them."""
        if not self.parse_optional_punct("<"):
            return {}
        attrs = self.parse_attr_dict()
        self.parse_punct(">")
        return attrs

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

    def parse_generic_body(self):
        """A function's or initializer's region: `{}`, or its blocks, with
        branches between them."""
        start = self.tok
        self.parse_punct("{")
        if self.parse_optional_punct("}"):
            return Region([])
        self.reset(start.offset)
        return Region(self.parse_function_blocks([], self.loc(start), lone_terminated=False))

    def parse_generic_operation(self, loc):
        name, name_tok, operands, attrs, regions, ft, successors = self.parse_generic_parts()
        if lookup(name) is None:
            raise self.unknown_operation(name, name_tok)
        values = self.resolve_all(operands, list(ft.inputs))
        return build(self.generic_op(name, name_tok, values, list(ft.results), attrs, regions, loc, successors))

    def generic_op(self, name, name_tok, operands, result_types, attrs, regions, loc, successors=()):
        """A GenericOp whose errors point at its name."""
        def fail(message):
            raise self.error(message, name_tok)
        return GenericOp(name, operands, result_types, attrs, regions, loc, fail, list(successors))

    def parse_generic_module_item(self, functions, globals_):
        """A function, global or initializer in generic form, added to its list."""
        loc = self.loc()
        name, name_tok, operands, attrs, regions, ft, successors = self.parse_generic_parts(self.parse_generic_body)
        if operands or successors or ft.inputs or ft.results:
            raise self.error(f"'{name}' takes no operands and has no results", name_tok)
        loc = self.parse_optional_location(loc)
        item = self.generic_op(name, name_tok, [], [], attrs, regions, loc)
        body, *other_blocks = regions[0].blocks if regions else [None]
        if name == "func.func":
            functions.append(self.generic_function(item, body))
            functions[-1].other_blocks = other_blocks
        elif name == "util.global":
            sym, t = item.attr("sym_name", StringAttr), item.attr("type", TypeAttr)
            globals_.append(self.make_global(sym.value, t.value, "is_mutable" in attrs, attrs.get("initial_value"),
                                             name_tok, loc))
        elif name == "util.initializer":
            if body is None or not other_blocks and (not body.operations or body.operations[-1].name != "func.return"):
                raise self.error("'util.initializer' needs a body ending in 'util.return'", name_tok)
            functions.append(self.initializer(len(functions), body, loc))
            functions[-1].other_blocks = other_blocks
        else:
            raise self.error(f"expected 'func.func', 'util.global' or 'util.initializer' at module level, "
                             f"found '{name}'", name_tok)

    def generic_function(self, item, body):
        ft = item.attr("function_type", TypeAttr).value
        name = item.attr("sym_name", StringAttr).value
        if not isinstance(ft, FunctionType):
            item.fail("'function_type' must be a function type")
        attrs = item.attrs
        visibility = attrs.get("sym_visibility", StringAttr("public"))

        def per_item(key, count):
            value = attrs.get(key, ArrayAttr(({},) * count))
            if not isinstance(value, ArrayAttr) or len(value.values) != count or \
                    not all(isinstance(d, dict) for d in value.values):
                item.fail(f"'{key}' must be {count} dictionaries")
            return list(value.values)
        arg_attrs, res_attrs = per_item("arg_attrs", len(ft.inputs)), per_item("res_attrs", len(ft.results))
        names = [None] * len(ft.inputs)
        if body is not None:
            if tuple(a.type for a in body.arguments) != ft.inputs:
                item.fail(f"the body's arguments must have the function's input types "
                          f"({', '.join(map(str, ft.inputs))})")
            if not body.operations or body.operations[-1].name not in BLOCK_TERMINATORS:
                item.fail("block with no terminator; expected 'func.return'")
            names = [a.name for a in body.arguments]
        args = [Argument(t, a, n) for t, a, n in zip(ft.inputs, arg_attrs, names)]
        others = {k: v for k, v in attrs.items() if k not in FUNCTION_PROPERTIES}
        return Function(name, ft, args, res_attrs, others, getattr(visibility, "value", "public"), body, item.loc)

    def parse_generic_module(self, default_name):
        """`"builtin.module"() [<{sym_name = "m"}>] ({ items }) [{attributes}] : () -> ()`:
        (name, attributes, functions, globals)."""
        name_tok = self.parse_kind("string", "operation name")
        self.parse_punct("(")
        self.parse_punct(")")
        attrs = self.parse_optional_properties()
        self.parse_punct("(")
        self.parse_punct("{")
        functions, globals_ = self.parse_module_body("}")
        self.parse_punct(")")
        attrs.update(self.parse_optional_attr_dict())
        self.parse_punct(":")
        tok = self.tok
        if self.parse_function_type() != FunctionType((), ()):
            raise self.error("expected '() -> ()' for 'builtin.module'", tok)
        self.parse_module_end()
        name = attrs.pop("sym_name", StringAttr(default_name))
        if not isinstance(name, StringAttr):
            raise self.error("'sym_name' must be a string", name_tok)
        return name.value, attrs, functions, globals_
