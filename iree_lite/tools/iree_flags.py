"""iree-compile's flags that IREE's own command lines use and that have no
counterpart in iree-lite: accepted, so that those command lines run with only
the tool's name changed, and listed under their own heading in --help;
`--warn-unused-flags` names each one given. Also the compiler phase flags
(--compile-to, --compile-from, --output-format), which iree-lite honours for
the phases it has, and MLIR's IR printing flags, which print iree-lite's
stages and passes (compiler.py's STAGES, tools/ir_dumps.py)."""
import argparse

_NATIVE = "iree-lite's kernels pick their instructions at run time, on the CPU that runs them"
_MLIR = "MLIR's printing and debugging flag: iree-lite's compiler is not built on MLIR's"

# flag -> (takes a value, why it has no effect). Boolean flags take LLVM's
# forms `--flag` and `--flag=true|false`; the others `--flag=V` or `--flag V`.
NOT_APPLICABLE = {
    "--iree-llvmcpu-target-cpu": (True, _NATIVE),
    "--iree-llvmcpu-target-cpu-features": (True, _NATIVE),
    "--iree-llvmcpu-target-triple": (True, _NATIVE),
    "--iree-llvmcpu-link-embedded": (False, "iree-lite's executables are bytecode, not linked native code"),
    "--iree-opt-level": (True, "iree-lite has one optimisation level"),
    "--iree-input-type": (True, "iree-lite reads MLIR at the linalg level whatever the input type "
                                "(front-end dialects get an error of their own)"),
    "--iree-input-demote-f64-to-f32": (False, "f64 is never demoted: iree-lite computes in f64"),
    "--iree-vm-target-index-bits": (True, "index is 64 bits wide in iree-lite's VM"),
    "--iree-stream-resource-index-bits": (True, "index is 64 bits wide in iree-lite's VM"),
    "--iree-vm-bytecode-module-strip-source-map": (False, "iree-lite modules keep their source locations"),
    "--mlir-disable-threading": (False, _MLIR),
    "--mlir-elide-elementsattrs-if-larger": (True, _MLIR),
    "--mlir-elide-resource-strings-if-larger": (True, _MLIR),
    "--mlir-pretty-debuginfo": (False, _MLIR),
    "--mlir-print-local-scope": (False, _MLIR),
    "--mlir-print-ir-after-change": (False, _MLIR),
    "--mlir-print-ir-after-failure": (False, _MLIR),
    "--mlir-print-ir-module-scope": (False, _MLIR),
    "--mlir-print-skip-regions": (False, _MLIR),
    "--mlir-timing": (False, _MLIR),
    "--mlir-pass-statistics": (False, _MLIR),
}

# Flags of IREE's samples that bring native code (plugins, hand-written
# dispatches, rewrites to them): refused with why, as ignoring them would give
# other results than IREE's. flag -> why.
NATIVE_CODE = {
    "--iree-plugin": "iree-lite cannot load IREE compiler plugins",
    "--iree-hal-executable-object-search-path": "iree-lite cannot link hand-written executable objects",
    "--iree-preprocessing-pdl-spec-filename": "iree-lite does not run PDL rewrites (they substitute native kernels)",
    "--iree-codegen-transform-dialect-library": "iree-lite does not run transform dialect libraries: "
                                                "its kernels are not built by MLIR's code generation",
}
RUNTIME_NATIVE_CODE = {"--executable_plugin": "iree-lite's VM cannot load native executable plugins"}


class NativeCode(argparse.Action):
    """Records (flag as given, value) in ns.native_code, refused by refusal()."""

    def __call__(self, parser, ns, value, option_string=None):
        ns.native_code = [*ns.native_code, (option_string, value)]


def add_native_code(p, table):
    group = p.add_argument_group("IREE flags that bring native code", "Refused: iree-lite runs no native code "
                                 "but its own VM's.")
    p.set_defaults(native_code=[])
    for flag, why in table.items():
        group.add_argument(flag, action=NativeCode, metavar="V", help=why, default=argparse.SUPPRESS)


def refusal(ns):
    """The one-line error for the first native-code flag given, or None."""
    for flag, value in getattr(ns, "native_code", ()):
        return f"{flag}={value}: {NATIVE_CODE.get(flag) or RUNTIME_NATIVE_CODE[flag]}"
    return None


# IREE's compiler phases, in order. iree-lite prints those of compiler.STAGES
# and writes its bytecode for `vm` and `end`.
PHASES = ("start", "input", "abi", "preprocessing", "global-optimization", "dispatch-creation", "flow", "stream",
          "executable-sources", "executable-configurations", "executable-targets", "hal", "vm", "end")
OUTPUT_FORMATS = ("vm-bytecode", "vm-asm", "vm-c")

BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def boolean(text):
    """A boolean flag's value as LLVM's and Google Benchmark's flags spell
    it; argparse's error otherwise."""
    value = BOOLEANS.get(text.lower())
    if value is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a boolean (true or false)")
    return value


class NotApplicable(argparse.Action):
    """Records (flag as given, value) in ns.not_applicable."""

    def __call__(self, parser, ns, value, option_string=None):
        takes_value, _ = NOT_APPLICABLE[option_string]
        if not takes_value:
            try:
                boolean(value)
            except argparse.ArgumentTypeError as e:
                parser.error(f"argument {option_string}: {e}")
        ns.not_applicable = [*ns.not_applicable, (option_string, value)]


# MLIR's IR printing flags that iree-lite honours: boolean flag -> (ns attribute, help).
PRINTING = {
    "--mlir-print-op-generic": ("print_op_generic", "print every op in MLIR's generic form (`\"arith.addf\"(...)`), "
                                                    "the module and functions too"),
    "--mlir-print-debuginfo": ("print_debuginfo", "print each op's source location after it (`loc(\"f.mlir\":3:8)`)"),
    "--mlir-print-ir-before-all": ("print_ir_before_all", "print the module on stderr before every pass"),
    "--mlir-print-ir-after-all": ("print_ir_after_all", "print the module on stderr after every pass"),
}


def with_boolean_values(argv):
    """A bare boolean flag of the tables as `--flag=true`, so that argparse
    never takes the next argument as its value."""
    return [a + "=true" if a in PRINTING or a in NOT_APPLICABLE and not NOT_APPLICABLE[a][0] else a for a in argv]


def _pass_list(value):
    return [v for v in value.split(",") if v]


def add_args(p):
    p.add_argument("--compile-to", dest="compile_to", choices=PHASES, default="end", metavar="PHASE",
                   help="the phase to stop after: `end` (the default) and `vm` write the bytecode; "
                        "start, input, abi, preprocessing, global-optimization, dispatch-creation, flow and "
                        "stream write the module as MLIR after the last of iree-lite's passes in that phase")
    p.add_argument("--compile-from", dest="compile_from", choices=PHASES, default="start", metavar="PHASE",
                   help="the phase the input is at: start (default), input, abi or preprocessing (what "
                        "--compile-to wrote for them)")
    for flag, (dest, why) in PRINTING.items():
        p.add_argument(flag, dest=dest, type=boolean, default=False, metavar="BOOL", help=why)
    for when in ("before", "after"):
        p.add_argument(f"--mlir-print-ir-{when}", dest=f"print_ir_{when}", type=_pass_list, action="extend",
                       default=[], metavar="PASSES",
                       help=f"print the module on stderr {when} these passes (comma separated or repeated: "
                            "iree-lite-verify, iree-lite-abi, iree-lite-lower-linalg, iree-lite-lower-small-types, "
                            "iree-lite-form-dispatch-regions, iree-lite-plan-buffers)")
    p.add_argument("--output-format", dest="output_format", choices=OUTPUT_FORMATS, default="vm-bytecode",
                   help="vm-bytecode (the default; iree-lite's own bytecode, not IREE's FlatBuffer)")
    p.add_argument("--warn-unused-flags", dest="warn_unused_flags", action="store_true",
                   help="print a warning for each flag given that has no effect in iree-lite (the list below)")
    group = p.add_argument_group(
        "IREE compiler flags with no effect in iree-lite",
        "Accepted so that IREE's command lines run unchanged; --warn-unused-flags names those given.")
    p.set_defaults(not_applicable=[])
    for flag, (takes_value, why) in NOT_APPLICABLE.items():
        group.add_argument(flag, action=NotApplicable, metavar="V" if takes_value else "BOOL", help=why,
                           default=argparse.SUPPRESS)
    add_native_code(p, NATIVE_CODE)


def check(ns):
    """(errors, warnings) about ns's phase and not-applicable flags, as
    one-line messages."""
    from ..compiler import READ_BACK, STAGES
    errors = [refusal(ns)] if refusal(ns) else []
    if ns.compile_to not in (*STAGES, "vm", "end"):
        errors.append(f"--compile-to={ns.compile_to}: iree-lite has no such phase: its kernels are built with its "
                      f"bytecode (phases it prints: {', '.join(STAGES)})")
    elif ns.compile_to in STAGES and ns.handler != "compile":
        errors.append(f"--compile-to={ns.compile_to}: {ns.handler.replace('_', '-')} runs the bytecode; "
                      "`iree-lite compile` prints the phases")
    if ns.compile_from not in READ_BACK:
        errors.append(f"--compile-from={ns.compile_from}: iree-lite reads back the phases "
                      f"{', '.join(READ_BACK)} only (later ones hold its internal ops)")
    elif PHASES.index(ns.compile_from) > PHASES.index(ns.compile_to):
        errors.append(f"--compile-from={ns.compile_from} comes after --compile-to={ns.compile_to}")
    if ns.output_format != "vm-bytecode":
        errors.append(f"--output-format={ns.output_format}: iree-lite writes only its own bytecode (vm-bytecode)")
    warnings = [f"{flag}={value} has no effect in iree-lite: {NOT_APPLICABLE[flag][1]}"
                for flag, value in ns.not_applicable] if ns.warn_unused_flags else []
    return errors, warnings
