"""`dense_resource<name> : tensor<...>` and the file's trailer that holds the
data, which is how importers store weights:

    {-#
      dialect_resources: { builtin: { name: "0x04000000<element bytes>" } }
    #-}

A blob is hex: a 4-byte alignment word, then the elements' little-endian
bytes. Other dialects' resources and `external_resources` are skipped.
`Parser` (parser.py) mixes this in.
"""
from .dense import hex_bytes

TRAILER_START, TRAILER_END = "{-#", "#-}"


class ResourceSyntax:
    def parse_resource_trailer(self):
        """Read the file's `{-# ... #-}` trailer, if any, into `self.resources`
        ({name: (start, end) of its hex string token}) and end the tokens before it."""
        self.resources = {}
        text = self.lexer.text
        start = text.rfind(TRAILER_START)
        if start < 0 or text.find(TRAILER_END, start) < 0:
            return
        end = text.find(TRAILER_END, start)
        rest = text[end + len(TRAILER_END):]
        if rest.strip():
            raise self.lexer.error(f"expected end of file after the '{TRAILER_END}' of the resource trailer",
                                   len(text) - len(rest.lstrip()))
        self.lexer.end = end
        self.reset(start + len(TRAILER_START))

        def section():
            key = self.parse_kind("ident", "resource section name")
            self.parse_punct(":")
            if key.text != "dialect_resources":
                return self.skip_resource_value()
            self.parse_punct("{")
            self.parse_comma_list(dialect, "}")

        def dialect():
            name = self.parse_kind("ident", "dialect name")
            self.parse_punct(":")
            if name.text != "builtin":
                return self.skip_resource_value()
            self.parse_punct("{")
            self.parse_comma_list(blob, "}")

        def blob():
            name = self.parse_resource_name()
            self.parse_punct(":")
            tok = self.parse_kind("string", "a hex string of resource data")
            # The blob's span in the source: its text is decoded from there when
            # used, so the file's weights are not held twice.
            self.resources[name] = tok.offset, tok.offset + len(tok.text)
        section()
        while self.parse_optional_punct(","):
            section()
        if self.tok.kind != "eof":
            raise self.error(f"expected '{TRAILER_END}'")
        self.lexer.end = start
        self.reset(0)

    def parse_resource_name(self):
        tok = self.tok
        if tok.kind not in ("ident", "string"):
            raise self.error("expected resource name")
        self.advance()
        return tok.text.strip('"')

    def skip_resource_value(self):
        """A resource entry iree-lite does not use: a string, number or `{...}`."""
        if self.parse_optional_punct("{"):
            def entry():
                self.parse_resource_name()
                self.parse_punct(":")
                self.skip_resource_value()
            self.parse_comma_list(entry, "}")
        elif self.tok.kind in ("string", "ident", "integer", "hex"):
            self.advance()
        else:
            raise self.error("expected a resource value")

    def parse_dense_resource(self):
        """`dense_resource<name> : tensor<...>`: the elements from the trailer's blob."""
        self.advance()
        self.parse_punct("<")
        tok = self.tok
        name = self.parse_resource_name()
        self.parse_punct(">")
        self.parse_punct(":")
        t = self.parse_elements_type()
        span = self.resources.get(name)
        if span is None:
            raise self.error(f"no data for resource '{name}' (the file's {TRAILER_START} dialect_resources "
                             f"{TRAILER_END} trailer has none by that name)", tok)
        data = hex_bytes(self.lexer.text, *span, skip=4)   # past the alignment word
        if data is None:
            raise self.lexer.error(f"resource '{name}' must be a hex string: a 4-byte alignment, then the data",
                                   span[0])
        return self.dense_from_bytes(data, t, span[0], f"resource '{name}'")
