"""Reading .vmfb module files (layout: iree_lite.isa.module)."""
import struct
import zlib
from array import array

from ..isa.module import (
    ABI_MODELS, CONST_DATA, CONST_FLOAT, CONST_INT, CONST_LAYOUT, FORMAT_VERSION, HEADER, MAGIC,
    Constant, Export, Function, GlobalDef, Import, Kernel, Module, Signature)


class ModuleFormatError(Exception):
    """A module file that is not a well-formed iree-lite module."""


class _Reader:
    def __init__(self, buf, what):
        self.buf = buf
        self.pos = 0
        self.what = what

    def take(self, n):
        if n < 0 or self.pos + n > len(self.buf):
            raise ModuleFormatError(f"truncated {self.what} section")
        b = self.buf[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def i64(self):
        return struct.unpack("<q", self.take(8))[0]

    def f64(self):
        return struct.unpack("<d", self.take(8))[0]

    def count(self, item_size):
        """A u32 item count, checked against what the section can hold."""
        n = self.u32()
        if n * item_size > len(self.buf) - self.pos:
            raise ModuleFormatError(f"{self.what} section count {n} exceeds its size")
        return n

    def str(self):
        n = self.u32()
        try:
            return bytes(self.take(n)).decode()
        except UnicodeDecodeError:
            raise ModuleFormatError(f"invalid string in {self.what} section") from None

    def strs(self):
        return tuple(self.str() for _ in range(self.count(4)))

    def signature(self):
        abi = self.str()
        if abi not in ABI_MODELS:
            raise ModuleFormatError(f"unknown ABI model '{abi}' in {self.what} section")
        return Signature(self.strs(), self.strs(), abi)


def is_iree_flatbuffer(blob):
    """IREE's .vmfb: a FlatBuffer with file identifier `IREE` (at offset 4,
    or 8 when size-prefixed), bare or as the first entry, `module.fb`, of
    the zip archive iree-compile writes."""
    blob = bytes(blob[:128])
    if blob.startswith(b"PK\x03\x04") and len(blob) >= 30:
        name_length, extra_length = int.from_bytes(blob[26:28], "little"), int.from_bytes(blob[28:30], "little")
        if blob[30:30 + name_length] != b"module.fb":
            return False
        blob = blob[30 + name_length + extra_length:]
    return b"IREE" in (blob[4:8], blob[8:12])


def deserialize(blob):
    """Parse module bytes, checking magic, version and checksum first."""
    blob = memoryview(blob).toreadonly()
    if len(blob) < HEADER.size:
        raise ModuleFormatError("file too small to be an iree-lite module")
    magic, version, crc, length = HEADER.unpack_from(blob)
    if magic != MAGIC:
        if is_iree_flatbuffer(blob):
            raise ModuleFormatError("an IREE FlatBuffer module (made by IREE's iree-compile), not an iree-lite "
                                    "module: iree-lite runs only its own bytecode (its compiled executables are "
                                    "native code for IREE's HAL); compile the source with `iree-lite compile`")
        raise ModuleFormatError("not an iree-lite module (bad magic number)")
    if version != FORMAT_VERSION:
        raise ModuleFormatError(f"unsupported module format version {version} (expected {FORMAT_VERSION})")
    payload = blob[HEADER.size:]
    if len(payload) != length:
        raise ModuleFormatError(f"module is {len(payload)} bytes after the header but declares {length}")
    if zlib.crc32(payload) != crc:
        raise ModuleFormatError("module checksum mismatch (file is corrupt)")

    sections = {}
    pos = 0
    while pos < len(payload):
        if pos + 8 > len(payload):
            raise ModuleFormatError("truncated section header")
        tag = bytes(payload[pos:pos + 4])
        (n,) = struct.unpack_from("<I", payload, pos + 4)
        body = payload[pos + 8:pos + 8 + n]
        if len(body) != n:
            raise ModuleFormatError(f"truncated {tag!r} section")
        sections[tag] = body
        pos += 8 + n
        pos += -pos % 8
    for tag in (b"NAME", b"IMPT", b"FUNC", b"EXPT", b"KERN", b"GLBL", b"CNST", b"CODE", b"LOCS", b"DATA"):
        if tag not in sections:
            raise ModuleFormatError(f"missing {tag.decode()} section")

    r = _Reader(sections[b"NAME"], "NAME")
    m = Module(name=r.str(), compiler_version=r.str(), source=r.str(), isa=r.str())

    code_bytes = sections[b"CODE"]
    if len(code_bytes) % 4:
        raise ModuleFormatError("CODE section is not a whole number of words")
    code = array("I")
    code.frombytes(bytes(code_bytes))

    def code_range(r):
        start, n = r.u32(), r.u32()
        if start + n > len(code):
            raise ModuleFormatError(f"{r.what} code range {start}+{n} outside CODE ({len(code)} words)")
        return code[start:start + n]

    locs = _Reader(sections[b"LOCS"], "LOCS")

    def read_locs():
        return [(locs.u32(), locs.u32(), locs.u32()) for _ in range(locs.count(12))]

    r = _Reader(sections[b"IMPT"], "IMPT")
    m.imports = [Import(r.str(), r.signature()) for _ in range(r.count(12))]

    r = _Reader(sections[b"FUNC"], "FUNC")
    for _ in range(r.count(28)):
        name, sig = r.str(), r.signature()
        regs = (r.u32(), r.u32(), r.u32())
        m.functions.append(Function(name, sig, regs, code_range(r), read_locs()))

    r = _Reader(sections[b"EXPT"], "EXPT")
    for _ in range(r.count(12)):
        name, fn = r.str(), r.u32()
        refl = tuple((r.str(), r.str()) for _ in range(r.count(8)))
        if fn >= len(m.functions):
            raise ModuleFormatError(f"export '{name}' names function {fn} of {len(m.functions)}")
        m.exports.append(Export(name, fn, refl))

    r = _Reader(sections[b"KERN"], "KERN")
    for _ in range(r.count(24)):
        name, regs = r.str(), r.u32()
        bindings = tuple((r.u8(), r.u8()) for _ in range(r.count(2)))   # (element, role)
        push = r.u32()
        m.kernels.append(Kernel(name, regs, bindings, push, code_range(r), read_locs()))

    r = _Reader(sections[b"GLBL"], "GLBL")
    for _ in range(r.count(20)):
        g = GlobalDef(r.str(), r.str(), r.str(), r.i64())
        if g.bank not in ("i", "f", "r"):
            raise ModuleFormatError(f"global '{g.name}' has an unknown register bank")
        m.globals.append(g)
    m.initializers = [r.u32() for _ in range(r.count(4))]

    data = sections[b"DATA"]
    r = _Reader(sections[b"CNST"], "CNST")
    for _ in range(r.count(6)):
        kind, element = r.u8(), r.u8()
        shape = tuple(r.i64() for _ in range(r.count(8)))
        c = Constant(kind, element, shape)
        if kind == CONST_INT:
            c.value = r.i64()
        elif kind == CONST_FLOAT:
            c.value = r.f64()
        elif kind == CONST_DATA:
            off, n = r.i64(), r.i64()
            if off < 0 or n < 0 or off + n > len(data):
                raise ModuleFormatError("constant data outside the DATA section")
            c.data = data[off:off + n]   # a view of the module's bytes: weights are not copied again
        elif kind != CONST_LAYOUT:
            raise ModuleFormatError(f"unknown constant kind {kind}")
        m.constants.append(c)
    return m
