"""Function bodies of several blocks: `^bb1(%x: i32):` labels, and the
successor references (`^bb1(%a : i32)`) of the cf branch ops that end them.
A body is one scope, in which a value may be used before its definition in
the text (a later block may dominate an earlier one): the use holds a
placeholder until the definition replaces it, and the verifier checks that
the definition dominates the use.
`Parser` (parser.py) mixes this in.
"""
from ..ir.core import Block, Diagnostic, Value
from .attributes import nested

# Ops that may end a block of a function body.
BLOCK_TERMINATORS = ("func.return", "cf.br", "cf.cond_br", "cf.switch")


class BlockSyntax:
    block_labels = None   # while parsing a function body: label -> [Block, first reference token, defined]
    forward = None   # while parsing a function body: name -> (placeholder Value, first use token)
    replaced = None   # while parsing a function body: placeholder Value -> its definition

    def forward_reference(self, tok, t):
        """The placeholder for a use of `tok`'s name before its definition,
        of type `t` (an op's syntax gives the types of its operands)."""
        if self.forward is None or t is None:
            raise self.error(f"use of undeclared SSA value name '{tok.text}'", tok)
        if tok.text not in self.forward:
            self.forward[tok.text] = (Value(t, tok.text[1:]), tok)
        return self.forward[tok.text][0]

    def resolve_forward_reference(self, tok, value):
        """The definition of a name used before it: its uses take `value`."""
        if not self.forward or tok.text not in self.forward:
            return
        placeholder, _ = self.forward.pop(tok.text)
        if placeholder.type != value.type:
            name = tok.text if "#" in tok.text else f"{tok.text}#0"
            raise self.error(f"definition of SSA value '{name}' has type '{value.type}'", tok)
        self.replaced[placeholder] = value

    @nested
    def parse_function_blocks(self, arguments, loc, lone_terminated=True):
        """`{ ops ^bb1(...): ops ... }`: the blocks of a function body, the
        entry block (whose arguments are `arguments`, [(name token, type)])
        first. `loc` is the function's location (MLIR's for an empty block).
        A lone block's terminator is checked here if `lone_terminated` (the
        generic form checks it at the function's name)."""
        self.parse_punct("{")
        self.scopes.append([])
        entry = Block()
        entry_label = None
        if self.tok.kind == "block":   # `^bb0(%x: f32, ...):` may name the entry block's arguments
            entry_label = self.advance().text
            arguments = list(arguments) + self.parse_block_arguments()
        for tok, t in arguments:
            self.define(tok, entry.add_argument(t, tok.text[1:]))
        saved = self.block_labels, self.forward, self.replaced
        self.block_labels, self.forward, self.replaced = {}, {}, {}
        if entry_label is not None:
            self.block_labels[entry_label] = [entry, None, True]
        blocks = [entry]
        try:
            while not self.is_punct("}"):
                if self.tok.kind == "eof":
                    raise self.error("expected '}' to end the function body")
                if self.tok.kind == "block":
                    self.check_block_end(blocks, loc)
                    blocks.append(self.parse_block_label())
                else:
                    self.parse_operation(blocks[-1])
            if lone_terminated or len(blocks) > 1:
                self.check_block_end(blocks, loc)
            for block, first_use, defined in self.block_labels.values():
                if not defined:
                    raise self.error("reference to an undefined block", first_use)
            for _, first_use in self.forward.values():
                raise self.error(f"use of undeclared SSA value name '{first_use.text}'", first_use)
            if self.replaced:
                replace_placeholders(blocks, self.replaced)
        finally:
            self.block_labels, self.forward, self.replaced = saved
        self.advance()
        for name in self.scopes.pop():
            del self.values[name]
        return blocks

    def parse_block_arguments(self):
        """`(%x: f32, ...):` after a block label: [(name token, type)]."""
        labelled = []
        if self.parse_optional_punct("("):
            def argument():
                tok = self.parse_value_name()
                self.parse_punct(":")
                labelled.append((tok, self.parse_type()))
                self.parse_optional_location(None)
            self.parse_comma_list(argument, ")")
        self.parse_punct(":")
        return labelled

    def parse_block_label(self):
        """A block after the entry block: `^name(%x: T, ...):`."""
        tok = self.advance()
        entry = self.block_labels.get(tok.text)
        if entry is not None and entry[2]:
            raise self.error(f"redefinition of block '{tok.text}'", tok)
        if entry is None:
            entry = self.block_labels[tok.text] = [Block(), tok, False]
        entry[2] = True
        block = entry[0]
        for name, t in self.parse_block_arguments():
            self.define(name, block.add_argument(t, name.text[1:]))
        return block

    def check_block_end(self, blocks, loc):
        """The last block parsed ends in a terminator."""
        block = blocks[-1]
        ops = block.operations
        if ops and ops[-1].name in BLOCK_TERMINATORS:
            return
        if len(blocks) == 1 and not self.tok.kind == "block":
            raise self.error("block with no terminator; expected 'func.return'")
        if not ops:
            raise Diagnostic("empty block: expect at least a terminator", loc, self.lexer.text)
        raise Diagnostic(f"block with no terminator, has '{ops[-1].name}'", ops[-1].loc, self.lexer.text)

    def parse_successor(self):
        """`^name`: the Block a branch continues at (defined later, perhaps)."""
        tok = self.parse_kind("block", "block name")
        if self.block_labels is None:
            raise self.error("iree-lite supports branches only between the blocks of a function body", tok)
        entry = self.block_labels.get(tok.text)
        if entry is None:
            entry = self.block_labels[tok.text] = [Block(), tok, False]
        if entry[1] is None:   # the entry block: labelled, never referenced before
            raise self.error("entry block of region may not have predecessors", tok)
        return entry[0]

    def parse_successor_operands(self):
        """The optional `(%a, %b : T, U)` after a successor: the Values."""
        if not self.parse_optional_punct("("):
            return []
        toks = self.parse_operand_list()
        self.parse_punct(":")
        types = self.parse_type_list()
        self.parse_punct(")")
        return self.resolve_all(toks, types)


def replace_placeholders(blocks, replaced):
    """Each use of a placeholder in `blocks` (nested regions included) made a use of its definition."""
    for block in blocks:
        for op in block.operations:
            op.operands = [replaced.get(v, v) for v in op.operands]
            for region in op.regions:
                replace_placeholders(region.blocks, replaced)
