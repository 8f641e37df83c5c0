"""MLIR's IR dump flags on the compiler's pass pipeline: `--mlir-print-ir-before-all`,
`--mlir-print-ir-after-all`, `--mlir-print-ir-before=PASS`, `--mlir-print-ir-after=PASS`
print the module on stderr around the passes they name, each under MLIR's header
line `// -----// IR Dump After LowerLinalg (iree-lite-lower-linalg) //----- //`."""
import difflib
import sys


class IrDumps:
    """compiler.lower's observer: dumps the module before the passes whose
    arg is in `before` and after those in `after` (None: every pass)."""

    def __init__(self, before, after, generic, debuginfo, stream=None):
        self.before_args, self.after_args = before, after
        self.generic, self.debuginfo = generic, debuginfo
        self.stream = stream or sys.stderr

    def before(self, p, module):
        if self.before_args is None or p.arg in self.before_args:
            self.dump("Before", p, module)

    def after(self, p, module):
        if self.after_args is None or p.arg in self.after_args:
            self.dump("After", p, module)

    def dump(self, when, p, module):
        from ..compiler import print_ir
        self.stream.write(f"// -----// IR Dump {when} {p.title} ({p.arg}) //----- //\n")
        self.stream.write(print_ir(module, self.generic, self.debuginfo))
        self.stream.write("\n")
        self.stream.flush()


def unknown_passes(flag, names, known):
    """The error for the first of `names` that is not a pass arg in `known`, or None."""
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (the passes: {', '.join(known)})"
            return f"{flag}: no pass named '{name}'{hint}"
    return None


def ir_dumps(ns, passes):
    """The IrDumps ns's flags ask for, or None; raises ValueError with the
    message for an unknown pass name."""
    known = [p.arg for p in passes]
    for flag, names in (("--mlir-print-ir-before", ns.print_ir_before), ("--mlir-print-ir-after", ns.print_ir_after)):
        error = unknown_passes(flag, names, known)
        if error:
            raise ValueError(error)
    if not (ns.print_ir_before_all or ns.print_ir_after_all or ns.print_ir_before or ns.print_ir_after):
        return None
    return IrDumps(None if ns.print_ir_before_all else set(ns.print_ir_before),
                   None if ns.print_ir_after_all else set(ns.print_ir_after), ns.print_op_generic, ns.print_debuginfo)
