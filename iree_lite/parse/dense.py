"""`dense<...>` elements attributes: from text straight to element bytes.

Weights are most of a model's file, so their cost must grow like the file:
a hex payload (`dense<"0x...">`, a `dense_resource` blob) is decoded by
binascii in one call; a long decimal list (`dense<[[0.5, ...], ...]>`) is
checked against the type's shape with string operations and converted in
chunks by struct, so no Python object per element outlives its chunk.
Short lists, and any long one the fast path does not accept, go through the
token-by-token parser, which locates errors. `Parser` (parser.py) mixes this in.
"""
import binascii
import re
import struct

from ..ir.attributes import DenseElementsAttr
from ..ir.elements import STRUCT_CODES, SIZES, pack, unpack
from .attributes import nested, unescape

# Decimal lists shorter than this are parsed token by token.
FAST_LIST_CHARS = 4096
# Characters of a decimal list the fast path reads at a time.
CHUNK_CHARS = 1 << 20
# Numbers as the lexer reads them, possessive (no backtracking: a list is
# checked at regex speed); bytes patterns, as chunks are ASCII bytes.
_FLOAT = rb"-?[0-9]++(?:\.[0-9]*+(?:[eE][+-]?[0-9]++)?)?"
_INTEGER = rb"-?[0-9]++"
# A chunk of comma-separated numbers (the brackets blanked out), per element kind.
_NUMBERS = {kind: re.compile(rb"\s*+" + num + rb"(?:\s*+,\s*+" + num + rb")*+\s*+")
            for kind, num in (("f", _FLOAT), ("i", _INTEGER))}
# What a literal keeps of its text when its numbers and blanks are dropped.
_NOT_SKELETON = b" \t\r\n0123456789.eE+-"
_BLANK_BRACKETS = bytes.maketrans(b"[]", b"  ")
# Element types the fast path converts (all decimal literals of the others are token by token).
_FAST_TYPES = {"f16": ("f", float), "f32": ("f", float), "f64": ("f", float), "i8": ("i", int), "i16": ("i", int),
               "i32": ("i", int), "i64": ("i", int), "index": ("i", int)}


class DenseSyntax:
    def parse_dense(self):
        start = self.parse_keyword("dense")
        self.parse_punct("<")
        if self.tok.kind == "string":
            payload = self.advance()
            self.parse_punct(">")
            self.parse_punct(":")
            return self.dense_from_hex(payload, self.parse_elements_type())
        if self.is_punct("["):
            attr = self.parse_long_dense_list()
            if attr is not None:
                return attr
        literals = []
        nesting = self.parse_dense_elements(literals) if not self.is_punct(">") else None
        self.parse_punct(">")
        self.parse_punct(":")
        t = self.parse_elements_type()
        if nesting is None:
            if t.num_elements != 0:
                raise self.error(f"empty dense literal for '{t}'", start)
            return DenseElementsAttr(t, b"", False)
        if nesting == () and len(literals) == 1:
            return DenseElementsAttr.from_values(t, (self.element_value(literals[0], t.element),), True)
        if nesting != t.shape:
            shape = "x".join(map(str, nesting)) or "scalar"
            raise self.error(f"inferred shape of elements literal ([{shape}]) does not match type '{t}'", start)
        return DenseElementsAttr.from_values(t, [self.element_value(x, t.element) for x in literals], False)

    def parse_long_dense_list(self):
        """The attribute of a long decimal list at the current `[`, or None
        (nothing consumed) when it is short or not in the plain form the fast
        path reads: the token-by-token parser then reads it (and locates any error)."""
        text, begin = self.lexer.text, self.tok.offset
        close = text.find(">", begin, self.lexer.end)
        if close - begin < FAST_LIST_CHARS:
            return None
        self.reset(close)
        self.parse_punct(">")
        self.parse_punct(":")
        t = self.parse_elements_type()
        fast = _FAST_TYPES.get(t.element.name)
        data = None if fast is None else list_bytes(text, begin, close, t.shape, t.element.name, *fast)
        if data is None:
            self.reset(begin)
            return None
        return DenseElementsAttr(t, data, False)

    @nested
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
        data = hex_bytes(self.lexer.text, payload.offset, payload.offset + len(payload.text))
        if data is None:
            raise self.error("expected hex string of element bytes" if not unescape(payload.text).startswith("0x")
                             else "invalid hex string", payload)
        if len(data) == t.element.byte_size:
            return DenseElementsAttr(t, stored(data, t.element.name), True)
        return self.dense_from_bytes(data, t, payload.offset, "hex dense literal")

    def dense_from_bytes(self, data, t, offset, what):
        """The elements of `t` from their little-endian bytes (`what`, written
        at `offset` of the source, names them in errors)."""
        size = t.element.byte_size
        if len(data) != size * t.num_elements:
            raise self.lexer.error(f"{what} has {len(data)} bytes, '{t}' needs {size * t.num_elements}", offset)
        return DenseElementsAttr(t, stored(data, t.element.name), False)


def hex_bytes(text, start, end, skip=0):
    """The bytes of the `"0x..."` string token at text[start:end] (after its
    first `skip` bytes), or None if it is not one. Decoded in chunks from the
    source text itself: payloads are most of a model's file, and a copy of
    their digits would be one more copy of it."""
    if text.find("\\", start, end) >= 0:
        text = '"' + unescape(text[start:end]) + '"'
        start, end = 0, len(text)
    if not text.startswith('"0x', start) or end - start - 4 < 2 * skip:
        return None
    first, last = start + 3 + 2 * skip, end - 1
    if (last - first) % 2:
        return None
    try:
        return b"".join(binascii.a2b_hex(text[i:min(i + CHUNK_CHARS, last)]) for i in range(first, last, CHUNK_CHARS))
    except (binascii.Error, ValueError):
        return None


def _canonical_byte_table(element):
    """bytes.translate table taking any byte to the element's canonical byte."""
    return bytes(pack(element, unpack(element, bytes([b])))[0] for b in range(256))


_BYTE_TABLES = {}


def stored(data, element):
    """Element bytes as a module stores them: a one-byte element narrower
    than its byte (i1, i2..i7, small floats) canonical (an i1 is its byte's
    low bit, sub-byte integers sign-extended); other elements as written."""
    if SIZES[element] != 1 or element == "i8":
        return data
    if element not in _BYTE_TABLES:
        _BYTE_TABLES[element] = _canonical_byte_table(element)
    return data.translate(_BYTE_TABLES[element])


def skeleton(shape):
    """A literal of `shape` reduced to its brackets and commas: [[,],[,]] for 2x2."""
    inner = ""
    for d in reversed(shape):
        inner = "[" + ",".join([inner] * d) + "]"
    return inner


def list_bytes(text, begin, end, shape, element, kind, convert):
    """The element bytes of the decimal list text[begin:end], or None when it
    does not have exactly `shape` or holds anything but plain decimal numbers
    of `kind` ('f' or 'i') that fit `element`. Read in chunks cut at commas,
    so the list's text is never copied whole."""
    if not shape:
        return None
    check, code = _NUMBERS[kind], STRUCT_CODES[element]
    brackets, out, pos = [], [], begin
    while pos < end:
        cut = text.find(",", min(pos + CHUNK_CHARS, end), end)
        cut = end if cut < 0 else cut
        try:
            chunk = text[pos:cut].encode("ascii")
        except UnicodeEncodeError:
            return None
        brackets.append(chunk.translate(None, _NOT_SKELETON))
        numbers = chunk.translate(_BLANK_BRACKETS)
        if not check.fullmatch(numbers):
            return None
        fields = numbers.split(b",")
        try:
            out.append(struct.pack(f"<{len(fields)}{code}", *map(convert, fields)))
        except (OverflowError, struct.error):
            return None
        pos = cut + 1
    if b",".join(brackets) != skeleton(shape).encode():
        return None
    return b"".join(out)
