"""Source locations as MLIR writes them (`--mlir-print-debuginfo`, and
importers such as torch-mlir's): `loc(...)` after an operation, a block or
function argument, a function's or module's closing brace, and `#loc = loc(...)`
alias definitions, which MLIR prints after the module. A location gives an
operation the first `"file":line:col` it names (its diagnostics point
there); one that names none (`unknown`, a bare name) keeps the default."""
from ..ir.core import Location
from .attributes import nested, unescape


class LocationSyntax:
    def parse_optional_location(self, default):
        """`loc(...)` if the next token starts one: its location, else `default`."""
        if not self.is_keyword("loc"):
            return default
        self.advance()
        self.parse_punct("(")
        found = self.parse_location_body()
        self.parse_punct(")")
        return found or default

    @nested
    def parse_location_body(self):
        """One location inside `loc(...)`: its first file:line:col, or None."""
        tok = self.tok
        if self.parse_optional_keyword("unknown"):
            return None
        if tok.kind == "hash":   # an alias: defined before (else, printed after the module, not yet known)
            self.advance()
            return self.location_aliases.get(tok.text)
        if self.parse_optional_keyword("callsite"):   # callsite(callee at caller): the callee's
            self.parse_punct("(")
            callee = self.parse_location_body()
            self.parse_keyword("at")
            caller = self.parse_location_body()
            self.parse_punct(")")
            return callee or caller
        if self.parse_optional_keyword("fused"):   # fused[<metadata>][a, b, ...]: the first that names a place
            if self.parse_optional_punct("<"):
                self.parse_attribute()
                self.parse_punct(">")
            parts = []
            self.parse_punct("[")
            self.parse_comma_list(lambda: parts.append(self.parse_location_body()), "]")
            return next((p for p in parts if p is not None), None)
        name = unescape(self.parse_kind("string", "a location").text)
        if self.parse_optional_punct("("):   # "name"(child)
            child = self.parse_location_body()
            self.parse_punct(")")
            return child
        if not self.parse_optional_punct(":"):   # a bare name
            return None
        line = int(self.parse_kind("integer", "line of a location").text)
        col = int(self.parse_kind("integer", "column of a location").text) if self.parse_optional_punct(":") else 1
        if self.parse_optional_keyword("to"):   # a range's end: `to line[:col]`, or `to :col` on the same line
            same_line = self.parse_optional_punct(":")
            if same_line or self.parse_kind("integer", "end of a location range") and self.parse_optional_punct(":"):
                self.parse_kind("integer", "end column of a location range")
        return Location(name, line, col)

    def parse_module_end(self):
        """After a module's closing brace: its location, then the location
        aliases MLIR prints there."""
        self.parse_optional_location(None)
        while self.parse_optional_alias_definition():
            pass
