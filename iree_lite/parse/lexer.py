"""The MLIR lexer: one master regex of named alternatives.

Tokens carry their offset; the parser may restart the lexer at any offset,
which is how dimension lists such as `4x?xf32` are split at each `x` (the
master regex reads `4` then the identifier `x?`..., as MLIR's lexer would).

A weight's hex payload of tens of megabytes is one string token: one without
escapes is found by str.find, and the pattern for the others is an unrolled
loop (where an alternation per character took seconds and gigabytes of
backtracking state).
"""
import re

from ..ir.core import Diagnostic, Location

TOKEN = re.compile(r"""
    (?P<ws>\s+|//[^\n]*)
  | (?P<string>"[^"\\\n]*(?:\\.[^"\\\n]*)*")
  | (?P<badstring>"[^\n]*)
  | (?P<value>%[A-Za-z0-9_$.\-]+(?:\#\d+)?)
  | (?P<symbol>@(?:[A-Za-z_$.\-][\w$.\-]*|"(?:[^"\\\n]|\\.)*"))
  | (?P<block>\^[\w$.\-]+)
  | (?P<hash>\#[A-Za-z_$.\-][\w$.\-]*)
  | (?P<bang>![A-Za-z_$.\-][\w$.\-]*)
  | (?P<hex>0x[0-9A-Fa-f]+)
  | (?P<float>[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?)
  | (?P<integer>[0-9]+)
  | (?P<ident>[A-Za-z_][\w$.]*)
  | (?P<punct>->|::|[(){}\[\]<>:,=?*+\-])
""", re.VERBOSE)

# Far past any 64-bit value, and short of the 4300 digits Python converts.
MAX_INTEGER_DIGITS = 1000


class Token:
    __slots__ = ("kind", "text", "offset")

    def __init__(self, kind, text, offset):
        self.kind = kind      # a group name above, 'punct' text is the token, or 'eof'
        self.text = text
        self.offset = offset

    def __repr__(self):
        return f"Token({self.kind}, {self.text!r}, {self.offset})"


class Lexer:
    def __init__(self, text, filename):
        self.text = text
        self.filename = filename
        self.pos = 0
        self.end = len(text)   # where the tokens end (before a `{-# ... #-}` trailer)
        self._line_starts = None

    def location(self, offset):
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", self.text)]
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:   # last line start <= offset
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return Location(self.filename, lo + 1, offset - self._line_starts[lo] + 1)

    def error(self, message, offset):
        return Diagnostic(message, self.location(offset), self.text)

    def next(self):
        text = self.text
        while True:
            if self.pos >= self.end:
                return Token("eof", "", self.end)
            if text[self.pos] == '"':
                token = self.plain_string()
                if token is not None:
                    return token
            m = TOKEN.match(text, self.pos, self.end)
            if m is None:
                raise self.error(f"unexpected character '{text[self.pos]}'", self.pos)
            start, self.pos = self.pos, m.end()
            kind = m.lastgroup
            if kind == "ws":
                continue
            if kind == "badstring":
                raise self.error("unterminated string", start)
            if kind in ("integer", "hex") and self.pos - start > MAX_INTEGER_DIGITS:
                raise self.error(f"integer literal of more than {MAX_INTEGER_DIGITS} digits", start)
            return Token(kind, m.group(), start)

    def plain_string(self):
        """The string token at `pos` when it has no escape (so no quote
        inside), or None: found by str.find, as a weight's payload is most
        of a file."""
        text, start = self.text, self.pos
        close = text.find('"', start + 1, self.end)
        if close < 0 or text.find("\\", start + 1, close) >= 0 or text.find("\n", start + 1, close) >= 0:
            return None
        self.pos = close + 1
        return Token("string", text[start:self.pos], start)

    def reset(self, offset):
        self.pos = offset
