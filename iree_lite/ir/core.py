"""Operations, values, blocks and regions, plus located diagnostics."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    file: str
    line: int  # 1-based
    col: int   # 1-based

    def __str__(self):
        return f"{self.file}:{self.line}:{self.col}"


INITIALIZER = "iree_lite.initializer"   # marks a util.initializer compiled as a function


class Diagnostic(Exception):
    """A user-facing error at a source location.

    `render()` gives `file:line:col: error: message`, the source line and a
    caret, which is what every compiler error looks like on the command line.
    """

    def __init__(self, message, loc=None, source=None):
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.source = source  # full text of loc.file, when known

    def render(self):
        if self.loc is None:
            return f"error: {self.message}"
        out = f"{self.loc}: error: {self.message}"
        if self.source is not None:
            lines = self.source.splitlines() + [""]   # the end of the file is a line too
            if 1 <= self.loc.line <= len(lines):
                text = lines[self.loc.line - 1]
                caret = "".join(c if c == "\t" else " " for c in text[: self.loc.col - 1])
                out += f"\n{text}\n{caret}^"
        return out

    def __str__(self):
        return self.render()


class Value:
    """An SSA value: an operation result or a block argument."""
    __slots__ = ("type", "name", "owner", "index")

    def __init__(self, type, name=None, owner=None, index=0):
        self.type = type
        self.name = name    # source spelling without '%', for diagnostics
        self.owner = owner  # defining Operation, or Block for an argument
        self.index = index

    def __repr__(self):
        return f"%{self.name}: {self.type}"


class Operation:
    __slots__ = ("name", "operands", "results", "attributes", "regions", "loc", "parent", "successors")

    def __init__(self, name, operands=(), result_types=(), attributes=None,
                 regions=(), loc=None, result_names=None):
        self.name = name
        self.operands = list(operands)
        names = result_names or [None] * len(result_types)
        self.results = [Value(t, n, self, i) for i, (t, n) in enumerate(zip(result_types, names))]
        self.attributes = dict(attributes or {})
        self.regions = list(regions)
        self.loc = loc
        self.parent = None  # the Block holding this op
        self.successors = []   # the Blocks a branch (cf.br, ...) may continue at

    def __repr__(self):
        return f"<{self.name} at {self.loc}>"


@dataclass
class Block:
    arguments: list = field(default_factory=list)
    operations: list = field(default_factory=list)

    def add_argument(self, type, name=None, loc=None):
        v = Value(type, name, self, len(self.arguments))
        self.arguments.append(v)
        return v

    def append(self, op):
        op.parent = self
        self.operations.append(op)
        return op


@dataclass
class Region:
    blocks: list = field(default_factory=list)


@dataclass
class Argument:
    """A function argument's declared type and attributes."""
    type: object
    attributes: dict = field(default_factory=dict)
    name: str = None


@dataclass
class Function:
    """A `func.func`: a declaration (import) when `body` is None."""
    name: str
    type: object  # FunctionType
    arguments: list          # [Argument]
    result_attributes: list  # [dict] per result
    attributes: dict
    visibility: str          # 'public' or 'private'
    body: Block = None       # the entry block
    loc: Location = None
    other_blocks: list = field(default_factory=list)   # the body's further blocks (cf branches), in source order
    public_type: object = None   # the signature callers see, when small types are kept otherwise inside
    # What the pipeline's passes decide for codegen (passes/pipeline.py): each block's dispatch items
    # and users by id(block), scf bodies' too, and the buffer plan.
    dispatch: dict = None
    buffers: object = None

    @property
    def is_declaration(self):
        return self.body is None

    @property
    def blocks(self):
        """The body's blocks, the entry block first."""
        return [] if self.body is None else [self.body, *self.other_blocks]


@dataclass
class Global:
    """A `util.global`: a variable of the module, kept by each context."""
    name: str
    type: object
    mutable: bool
    initial: object = None  # an attribute, or None (zero / null)
    loc: Location = None


@dataclass
class Module:
    name: str
    functions: list  # [Function], in source order; initializers have the attribute INITIALIZER
    loc: Location = None
    source: str = None  # text, for rendering diagnostics
    attributes: dict = field(default_factory=dict)
    globals: list = field(default_factory=list)  # [Global]

    def lookup_global(self, name):
        return next((g for g in self.globals if g.name == name), None)

    def lookup(self, name):
        for f in self.functions:
            if f.name == name:
                return f
        return None
