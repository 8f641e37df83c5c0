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

# The ABI models a function's signature stores (ir/abi.py names them for the compiler).
ABI_SYNC = "sync"
ABI_COARSE_FENCES = "coarse-fences"
ABI_MODELS = (ABI_SYNC, ABI_COARSE_FENCES)

MAGIC = b"\x89IRL\r\n\x1a\n"
FORMAT_VERSION = 1
HEADER = struct.Struct("<8sIIQ")
DATA_ALIGN = 64


# Constant kinds.
CONST_INT, CONST_FLOAT, CONST_LAYOUT, CONST_DATA = range(4)


class _Record:
    """A mutable record compared and shown by its fields (its __slots__).
    Not a dataclass: run-module builds these classes at start-up, where the
    dataclasses module (which imports inspect) and the methods it generates
    were a fifth of the process's own import time."""
    __slots__ = ()
    __hash__ = None

    def __eq__(self, other):
        return type(other) is type(self) and all(getattr(self, f) == getattr(other, f) for f in self.__slots__)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{f}={getattr(self, f)!r}' for f in self.__slots__)})"

    def replace(self, **changes):
        """A shallow copy with `changes` (field=value) made."""
        unknown = set(changes) - set(self.__slots__)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        new = object.__new__(type(self))
        for f in self.__slots__:
            setattr(new, f, changes[f] if f in changes else getattr(self, f))
        return new


class Signature(_Record):
    __slots__ = ("inputs", "results", "abi")

    def __init__(self, inputs, results, abi=ABI_SYNC):
        self.inputs = inputs     # MLIR type strings
        self.results = results
        self.abi = abi

    def __str__(self):
        return f"({', '.join(self.inputs)}) -> ({', '.join(self.results)})"


class Function(_Record):
    __slots__ = ("name", "signature", "regs", "code", "locs")

    def __init__(self, name, signature, regs, code, locs=None):
        self.name = name
        self.signature = signature
        self.regs = regs         # (int, float, ref) register counts
        self.code = code         # array of u32 words
        self.locs = [] if locs is None else locs   # [(word offset, line, col)]


class Kernel(_Record):
    __slots__ = ("name", "regs", "bindings", "push", "code", "locs")

    def __init__(self, name, regs, bindings, push, code, locs=None):
        self.name = name
        self.regs = regs
        self.bindings = bindings   # ((element code, role: isa.BIND_INPUT, BIND_OUTPUT or BIND_GATHERED), ...)
        self.push = push           # push constant count
        self.code = code
        self.locs = [] if locs is None else locs


class Import(_Record):
    __slots__ = ("name", "signature")

    def __init__(self, name, signature):
        self.name = name         # qualified: module.function
        self.signature = signature


class Export(_Record):
    __slots__ = ("name", "function", "reflection")

    def __init__(self, name, function, reflection=()):
        self.name = name
        self.function = function       # ordinal into functions
        self.reflection = reflection   # ((key, value), ...)


class GlobalDef(_Record):
    __slots__ = ("name", "type", "bank", "initial")

    def __init__(self, name, type, bank, initial=-1):
        self.name = name
        self.type = type         # MLIR type string
        self.bank = bank         # 'i', 'f' or 'r'
        self.initial = initial   # constant ordinal of the initial value, or -1 (zero / null)


class Constant(_Record):
    __slots__ = ("kind", "element", "shape", "value", "data")

    def __init__(self, kind, element=0, shape=(), value=0, data=b""):
        self.kind = kind
        self.element = element   # element code (ELEMENT_CODES)
        self.shape = shape
        self.value = value       # int or float for scalar constants
        self.data = data         # bytes, or a read-only memoryview into a loaded module's bytes

    def __deepcopy__(self, memo):
        # The data is immutable and may be most of the module: shared, not copied.
        return Constant(self.kind, self.element, self.shape, self.value, self.data)


class Module(_Record):
    __slots__ = ("name", "compiler_version", "source", "isa", "imports", "functions", "exports", "kernels",
                 "constants", "globals", "initializers")

    def __init__(self, name, compiler_version, source="", isa="", imports=None, functions=None, exports=None,
                 kernels=None, constants=None, globals=None, initializers=None):
        self.name = name
        self.compiler_version = compiler_version
        self.source = source
        self.isa = isa           # isa.fingerprint() of the instruction set it was compiled for
        self.imports = imports or []
        self.functions = functions or []
        self.exports = exports or []
        self.kernels = kernels or []
        self.constants = constants or []
        self.globals = globals or []
        self.initializers = initializers or []   # function ordinals, run in order at load

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


