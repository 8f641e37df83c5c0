"""Op definitions: how a dialect op is parsed, verified and classified."""


class OpDef:
    name = ""
    # The ISA tile primitive (`t.<elementwise>`) an element-wise op lowers to.
    elementwise = None

    def parse(self, p, loc, result_names):
        """Parse the custom syntax after the op name into an Operation."""
        raise NotImplementedError(self.name)

    def verify(self, op, fail):
        """Check op; `fail(message)` raises a Diagnostic at the op."""
