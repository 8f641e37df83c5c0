"""Recursive-descent parser for the MLIR subset iree-lite compiles.

Conventions: `parse_x()` raises a located Diagnostic when x is not there;
`parse_optional_x()` returns None and consumes nothing. Ops in custom syntax
are parsed by their dialect's OpDef (iree_lite.dialects), which calls back
into this parser; the generic form `"dialect.op"(...) : (...) -> ...` works
for every registered op.
"""
import os

from ..dialects import canonical_name, lookup, unsupported_input
from ..ir.attributes import BoolAttr, DenseElementsAttr, FloatAttr, IntegerAttr, StringAttr, UnitAttr
from ..ir.core import INITIALIZER, Diagnostic, Argument, Block, Function, Global, Module, Operation
from ..ir.types import FunctionType, VectorType
from .attributes import TypeAttributeSyntax, nested, symbol_name
from .blocks import BlockSyntax
from .dense import DenseSyntax
from .generic import GenericSyntax
from .lexer import Lexer
from .locations import LocationSyntax
from .resources import ResourceSyntax


class Parser(TypeAttributeSyntax, DenseSyntax, GenericSyntax, ResourceSyntax, BlockSyntax, LocationSyntax):
    def __init__(self, text, filename):
        self.lexer = Lexer(text, filename)
        self.tok = self.lexer.next()
        self.values = {}   # SSA name (with %) -> Value
        self.scopes = [[]]  # names defined in each enclosing region, innermost last
        self.aliases = {}   # `#name = attr` and `!name = type` definitions, by their spelling
        self.location_aliases = {}   # `#name = loc(...)`: the Location (or None) each stands for
        self.nesting = 0    # levels of @nested parse methods now running
        self.affine_nodes = 0   # operator nodes of the affine expression being parsed
        self.parse_resource_trailer()

    # -- tokens ------------------------------------------------------------

    def advance(self):
        tok = self.tok
        self.tok = self.lexer.next()
        return tok

    def lexer_peek(self):
        """The token after the current one, without consuming either."""
        tok, pos = self.tok, self.lexer.pos
        self.advance()
        following = self.tok
        self.tok, self.lexer.pos = tok, pos
        return following

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
        if text == ":" and self.is_punct("{"):
            # MLIR's custom forms put an op's attr-dict just before its `:`
            # types, where nothing else opens a brace. What it holds there
            # is discardable (iree-lite's ops take theirs in their own
            # syntax), so it is read and dropped, as passes may drop it.
            self.parse_attr_dict()
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

    # -- values --------------------------------------------------------------

    def parse_symbol_name(self, what):
        """`@name` or `@"name"`, returned without the `@`."""
        return symbol_name(self.parse_kind("symbol", what).text)

    def parse_value_name(self):
        return self.parse_kind("value", "SSA value")

    def resolve(self, tok, t=None):
        """The Value a `%name` token refers to, checking its type if given."""
        v = self.values.get(tok.text)
        if v is None:
            v = self.forward_reference(tok, t)
        if t is not None and v.type != t:
            raise self.error(f"use of value '{tok.text}' expects different type than prior uses: "
                             f"'{t}' vs '{v.type}'", tok)
        return v

    def define(self, tok, value):
        if tok.text in self.values:
            raise self.error(f"redefinition of SSA value '{tok.text}'", tok)
        self.resolve_forward_reference(tok, value)
        self.values[tok.text] = value
        self.scopes[-1].append(tok.text)

    @nested
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
            arguments = list(arguments) + self.parse_block_arguments()
        for tok, t in arguments:
            self.define(tok, block.add_argument(t, tok.text[1:]))
        saved, self.block_labels = self.block_labels, None   # no branches to the function's blocks from here
        try:
            while not self.is_punct("}"):
                if self.tok.kind == "eof":
                    raise self.error(f"expected '}}' to end the {what}")
                self.parse_operation(block)
        finally:
            self.block_labels = saved
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
                raise self.unknown_operation(name_tok.text, name_tok)
            self.advance()
            op = opdef.parse(self, loc, [r.text[1:] for r in results])
        elif name_tok.kind == "block":
            raise self.error("iree-lite supports one block per region (no unstructured control flow)")
        else:
            raise self.error("expected operation name")
        op.loc = self.parse_optional_location(op.loc)
        if len(op.results) != len(results) and results:   # results may go unnamed (and unused)
            raise self.lexer.error(f"operation defines {len(op.results)} results but was provided "
                                   f"{len(results)} to bind", name_tok.offset)
        for tok, v in zip(results, op.results):
            v.name = tok.text[1:]
            self.define(tok, v)
        block.append(op)
        return op

    def unknown_operation(self, name, tok):
        return self.error(unsupported_input(name) or f"unknown operation '{name}'", tok)

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
            self.parse_optional_location(None)
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
            self.values = {}
            fn.body, *fn.other_blocks = self.parse_function_blocks(
                [(tok, a.type) for tok, a in zip(arg_toks, args)], loc)
        fn.loc = self.parse_optional_location(fn.loc)
        return fn

    def parse_optional_value_def(self):
        return self.advance() if self.tok.kind == "value" else None

    def parse_module_body(self, close):
        """(functions, globals) up to `close` (or the end of the file)."""
        functions, globals_ = [], []
        while not (self.parse_optional_punct(close) if close else self.tok.kind == "eof"):
            if self.tok.kind == "eof":
                raise self.error("expected '}' to end the module")
            name = canonical_name(self.tok.text) if self.tok.kind == "ident" else None
            if self.parse_optional_alias_definition():
                continue
            if self.tok.kind == "string":
                self.parse_generic_module_item(functions, globals_)
            elif name == "func.func":
                functions.append(self.parse_function())
            elif name == "util.global":
                globals_.append(self.parse_global())
            elif name == "util.initializer":
                functions.append(self.parse_initializer(len(functions)))
            else:
                raise self.error("expected 'func.func', 'util.global' or 'util.initializer' at module level"
                                 + (f", found '{self.tok.text}'" if self.tok.text else ""))
        return functions, globals_

    def parse_optional_alias_definition(self):
        """`#map = affine_map<...>` or `!t = tensor<...>`, which later uses
        of the name stand for; False if the next token starts neither."""
        if self.tok.kind not in ("hash", "bang"):
            return False
        alias = self.advance()
        if alias.text in self.aliases or alias.text in self.location_aliases:
            raise self.error(f"redefinition of alias '{alias.text}'", alias)
        self.parse_punct("=")
        if alias.kind == "hash" and self.is_keyword("loc"):
            self.location_aliases[alias.text] = self.parse_optional_location(None)
        else:
            self.aliases[alias.text] = self.parse_attribute() if alias.kind == "hash" else self.parse_type()
        return True

    def parse_global(self):
        """`util.global [private|public] [mutable] @name [= attr] [: type]`."""
        loc = self.loc()
        self.advance()
        for v in ("private", "public", "nested"):
            self.parse_optional_keyword(v)
        mutable = self.parse_optional_keyword("mutable") is not None
        name = self.parse_symbol_name("global name")
        initial = t = None
        tok = self.tok
        if self.parse_optional_punct("="):
            tok = self.tok
            initial = self.parse_attribute()
        if self.parse_optional_punct(":"):
            t = self.parse_type()
        return self.make_global(name, t, mutable, initial, tok, loc)

    def make_global(self, name, t, mutable, initial, tok, loc):
        """The Global `name` of type `t` (None: the initial value's), checking
        the initial value (an error at `tok`)."""
        if isinstance(initial, StringAttr) and initial.value == "#util.uninitialized":
            initial = None   # its contents are undefined until stored: as a global without initial value
        if initial is not None:
            if isinstance(initial, StringAttr) and initial.value.startswith("#flow.parameter"):
                raise self.error(f"global '@{name}' is a parameter ({initial.value}), which iree-lite does not "
                                 f"load; give it a dense<...> initial value", tok)
            if not isinstance(initial, (IntegerAttr, FloatAttr, BoolAttr, DenseElementsAttr)) or \
                    isinstance(initial.type if hasattr(initial, "type") else None, VectorType):
                raise self.error(f"global '@{name}' needs a number or dense<...> tensor initial value", tok)
            if t is not None and getattr(initial, "type", t) != t:
                raise self.error(f"initial value of type '{initial.type}' for a global of type '{t}'", tok)
        t = t or getattr(initial, "type", None)
        if t is None:
            raise self.error(f"global '@{name}' needs a type", tok)
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
        return self.initializer(index, self.parse_region([], returns, "initializer").blocks[0], loc)

    @staticmethod
    def initializer(index, body, loc):
        return Function(f"__initializer_{index}", FunctionType((), ()), [], [], {INITIALIZER: UnitAttr()},
                        "private", body, loc)

    def parse_module(self, default_name):
        while self.parse_optional_alias_definition():   # aliases may precede `module {`
            pass
        loc = self.loc()
        if self.is_keyword("module") or self.is_keyword("builtin.module"):
            self.advance()
            name = default_name
            if self.tok.kind == "symbol":
                name = symbol_name(self.advance().text)
            attrs = self.parse_attr_dict() if self.parse_optional_keyword("attributes") else {}
            self.parse_punct("{")
            functions, globals_ = self.parse_module_body("}")
            self.parse_module_end()
        elif self.tok.kind == "string" and self.tok.text == '"builtin.module"':
            name, attrs, functions, globals_ = self.parse_generic_module(default_name)
        else:
            attrs = {}
            name = default_name
            functions, globals_ = self.parse_module_body(None)
        if self.tok.kind != "eof":
            raise self.error("expected end of file after the module")
        return Module(name, functions, loc, self.lexer.text, attrs, globals_)


def module_name_for(filename):
    if filename in ("-", "<stdin>"):
        return "module"
    return os.path.splitext(os.path.basename(filename))[0]


def parse_module(text, filename):
    """Parse MLIR text into an ir.core.Module; raises Diagnostic."""
    # MLIR bytecode starts with the bytes `ML\xefR` (\xef decodes as U+FFFD).
    if text[:2] == "ML" and text[2:3] in ("\xef", "\ufffd") and text[3:4] == "R":
        raise Diagnostic(f"{filename} is MLIR bytecode (.mlirbc), which iree-lite does not read; convert it to "
                         f"MLIR text first (for example with iree-compile --compile-to=input FILE -o FILE.mlir)")
    return Parser(text, filename).parse_module(module_name_for(filename))
