"""The in-memory compiled module and its .vmfb writer (iree-lite's own format,
not IREE's FlatBuffer). iree_lite.vm.format reads it back.

Layout (little-endian):
  header   MAGIC (8 bytes) | u32 format version | u32 crc32(payload) | u64 len(payload)
  payload  sections, each: 4-byte tag | u32 length | body, bodies padded to 8 bytes
    NAME  module name, compiler version, source file, instruction set fingerprint
    IMPT  imports: qualified name, ABI model, argument and result types
    FUNC  functions: name, ABI model, types, register counts per bank, code range
    EXPT  exports: name, function ordinal, reflection key/value pairs
    KERN  tile kernels: name, register count, bindings, push count, code range
    GLBL  globals: name, type, bank, initial value constant; initializer functions
    CNST  constants: kind, element type, shape, scalar value or data range
    CODE  all instruction words (u32); functions and kernels index into it
    LOCS  per function/kernel: (word offset, line, col) source locations
    DATA  constant bytes; the section starts 64-byte aligned in the file and
          each constant within it is 64-byte aligned
Types are stored as MLIR type strings. Writing the same module twice gives the
same bytes: nothing depends on time, addresses or dict hashing.
"""
import struct
import zlib
from array import array
from dataclasses import dataclass, field

MAGIC = b"\x89IRL\r\n\x1a\n"
FORMAT_VERSION = 1
HEADER = struct.Struct("<8sIIQ")
DATA_ALIGN = 64

ABI_SYNC = "sync"
ABI_COARSE_FENCES = "coarse-fences"
ABI_MODELS = (ABI_SYNC, ABI_COARSE_FENCES)

# Constant kinds.
CONST_INT, CONST_FLOAT, CONST_LAYOUT, CONST_DATA = range(4)


@dataclass
class Signature:
    inputs: tuple   # MLIR type strings
    results: tuple
    abi: str = ABI_SYNC

    def __str__(self):
        return f"({', '.join(self.inputs)}) -> ({', '.join(self.results)})"


@dataclass
class Function:
    name: str
    signature: Signature
    regs: tuple          # (int, float, ref) register counts
    code: array          # u32 words
    locs: list = field(default_factory=list)  # [(word offset, line, col)]


@dataclass
class Kernel:
    name: str
    regs: int
    bindings: tuple      # ((element code, role: isa.BIND_INPUT, BIND_OUTPUT or BIND_GATHERED), ...)
    push: int            # push constant count
    code: array
    locs: list = field(default_factory=list)


@dataclass
class Import:
    name: str            # qualified: module.function
    signature: Signature


@dataclass
class Export:
    name: str
    function: int        # ordinal into functions
    reflection: tuple = ()  # ((key, value), ...)


@dataclass
class GlobalDef:
    name: str
    type: str            # MLIR type string
    bank: str            # 'i', 'f' or 'r'
    initial: int = -1    # constant ordinal of the initial value, or -1 (zero / null)


@dataclass
class Constant:
    kind: int
    element: int = 0     # element code (ELEMENT_CODES)
    shape: tuple = ()
    value: object = 0    # int or float for scalar constants
    data: bytes = b""    # or a read-only memoryview into a loaded module's bytes

    def __deepcopy__(self, memo):
        # The data is immutable and may be most of the module: shared, not copied.
        return Constant(self.kind, self.element, self.shape, self.value, self.data)


@dataclass
class Module:
    name: str
    compiler_version: str
    source: str = ""
    isa: str = ""        # codegen.isa.fingerprint() of the instruction set it was compiled for
    imports: list = field(default_factory=list)
    functions: list = field(default_factory=list)
    exports: list = field(default_factory=list)
    kernels: list = field(default_factory=list)
    constants: list = field(default_factory=list)
    globals: list = field(default_factory=list)
    initializers: list = field(default_factory=list)   # function ordinals, run in order at load

    def export(self, name):
        for e in self.exports:
            if e.name == name:
                return e
        return None


# --------------------------------------------------------------------------
# Writing

class _Writer:
    def __init__(self):
        self.buf = bytearray()

    def u8(self, v):
        self.buf += struct.pack("<B", v)

    def u32(self, v):
        self.buf += struct.pack("<I", v)

    def i64(self, v):
        self.buf += struct.pack("<q", v)

    def f64(self, v):
        self.buf += struct.pack("<d", v)

    def str(self, s):
        b = s.encode()
        self.u32(len(b))
        self.buf += b

    def strs(self, items):
        self.u32(len(items))
        for s in items:
            self.str(s)

    def signature(self, sig):
        self.str(sig.abi)
        self.strs(sig.inputs)
        self.strs(sig.results)


def serialize(m):
    """The module's file bytes."""
    return b"".join(serialize_parts(m))


def serialize_parts(m):
    """The module's file bytes as a list of pieces to write in turn: the
    constants' data are pieces of their own, not copied into one buffer."""
    code = array("I")
    sections = []

    def section(tag, w):
        sections.append((tag, bytes(w.buf)))

    w = _Writer()
    w.str(m.name)
    w.str(m.compiler_version)
    w.str(m.source)
    w.str(m.isa)
    section(b"NAME", w)

    w = _Writer()
    w.u32(len(m.imports))
    for imp in m.imports:
        w.str(imp.name)
        w.signature(imp.signature)
    section(b"IMPT", w)

    locs = _Writer()
    w = _Writer()
    w.u32(len(m.functions))
    for f in m.functions:
        w.str(f.name)
        w.signature(f.signature)
        for n in f.regs:
            w.u32(n)
        w.u32(len(code))
        w.u32(len(f.code))
        code.extend(f.code)
        _write_locs(locs, f.locs)
    section(b"FUNC", w)

    w = _Writer()
    w.u32(len(m.exports))
    for e in m.exports:
        w.str(e.name)
        w.u32(e.function)
        w.u32(len(e.reflection))
        for k, v in e.reflection:
            w.str(k)
            w.str(v)
    section(b"EXPT", w)

    w = _Writer()
    w.u32(len(m.kernels))
    for k in m.kernels:
        w.str(k.name)
        w.u32(k.regs)
        w.u32(len(k.bindings))
        for element, role in k.bindings:
            w.u8(element)
            w.u8(int(role))
        w.u32(k.push)
        w.u32(len(code))
        w.u32(len(k.code))
        code.extend(k.code)
        _write_locs(locs, k.locs)
    section(b"KERN", w)

    w = _Writer()
    w.u32(len(m.globals))
    for g in m.globals:
        w.str(g.name)
        w.str(g.type)
        w.str(g.bank)
        w.i64(g.initial)
    w.u32(len(m.initializers))
    for f in m.initializers:
        w.u32(f)
    section(b"GLBL", w)

    data, data_size = [], 0   # the DATA section's pieces and length
    w = _Writer()
    w.u32(len(m.constants))
    for c in m.constants:
        w.u8(c.kind)
        w.u8(c.element)
        w.u32(len(c.shape))
        for d in c.shape:
            w.i64(d)
        if c.kind == CONST_INT:
            w.i64(c.value)
        elif c.kind == CONST_FLOAT:
            w.f64(c.value)
        elif c.kind == CONST_DATA:
            data.append(bytes(-data_size % DATA_ALIGN))
            data_size += len(data[-1])
            w.i64(data_size)
            w.i64(len(c.data))
            data.append(c.data)
            data_size += len(c.data)
    section(b"CNST", w)

    w = _Writer()
    w.buf += struct.pack(f"<{len(code)}I", *code)
    section(b"CODE", w)
    section(b"LOCS", locs)

    payload = bytearray()
    for tag, body in sections:
        payload += tag + struct.pack("<I", len(body)) + body
        payload += bytes(-len(payload) % 8)
    # A PAD_ section makes the DATA body start 64-byte aligned in the file.
    pad = -(HEADER.size + len(payload) + 16) % DATA_ALIGN
    payload += b"PAD_" + struct.pack("<I", pad) + bytes(pad)
    payload += b"DATA" + struct.pack("<I", data_size)
    crc = zlib.crc32(payload)
    for piece in data:
        crc = zlib.crc32(piece, crc)
    return [HEADER.pack(MAGIC, FORMAT_VERSION, crc, len(payload) + data_size), bytes(payload), *data]


def _write_locs(w, locs):
    w.u32(len(locs))
    for off, line, col in locs:
        w.u32(off)
        w.u32(line)
        w.u32(col)


