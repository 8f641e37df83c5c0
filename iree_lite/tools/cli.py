"""The `iree-lite` command: IREE's tools as subcommands.

Only argparse is imported up front; each subcommand imports its own
implementation after the command line parsed, so `run-module` never loads
the compiler and `compile` never loads the VM.
"""
import argparse
import errno
import os
import sys

from ..compiler import TARGET_BACKENDS
from ..ir.abi import EXECUTION_MODELS
from . import iree_flags

EPILOG = """\
examples:
  iree-lite compile --iree-execution-model=async-external module_a.mlir -o=module_a.vmfb
  iree-lite run-module --device=local-task --module=module_a.vmfb \\
      --function=abs --input=4096xf32=-2.0 --expected_output=4096xf32=2.0
"""

COMPILE_DETAILS = """\
examples:
  iree-lite compile --iree-hal-target-backends=vmvx model.mlir -o model.vmfb
  cat model.mlir | iree-lite compile - > model.vmfb

Errors are reported as `file:line:col: error: message` with the source line
and a caret, and a non-zero exit. The output file is written atomically.
"""

RUN_EXAMPLES = """\
examples:
  iree-lite run-module --module=m.vmfb --function=f --input=2x2xf32=[1 2][3 4] --input=2.5
  iree-lite run-module --module=m.vmfb --input=@x.npy --output=@y.npy
  iree-lite run-module --module=a.vmfb --module=- --function=run < b.vmfb

"""

VALUE_FORMATS = """\
--input / --expected_output values:
  SHAPExTYPE=v1 v2 ...   tensor, brackets optional: 2x2xi32=[1 2][3 4]
  SHAPExTYPE=v           splat: one value fills the tensor
  SHAPExTYPE             zeros: 2x3xi64
  TYPE=v                 rank-0 tensor (or a scalar, for a scalar parameter)
  v                      scalar, typed by the parameter
  @file.npy              numpy array (recognised by its magic bytes)
  SHAPExTYPE=@file.bin   raw little-endian bytes
  (ignored)              (--expected_output only) skip this result
--output values:  -  print;  @file.npy / +file.npy  write / append npy;
  @file.bin / +file.bin  raw bytes;  empty  ignore.
Exit status: 0 on success, 1 on any error, mismatched expected output or
--timeout; 130 on Ctrl-C (`error: interrupted`).
"""

def _list_arg(value):
    return [v for v in value.split(",") if v]


def add_compile_args(p):
    """Compiler flags, shared by compile and run-mlir."""
    p.add_argument("input", help="input .mlir file, or - for stdin")
    p.add_argument("--iree-execution-model", dest="execution_model", default="async-internal",
                   choices=EXECUTION_MODELS,
                   help="ABI of exported functions: async-external gives every export and import a "
                        "wait/signal fence pair (coarse-fences); the others are synchronous "
                        "(default: async-internal)")
    p.add_argument("--iree-hal-target-backends", dest="target_backends", type=_list_arg, action="extend",
                   default=[], metavar="BACKENDS",
                   help=f"target backends, comma separated or repeated: {', '.join(TARGET_BACKENDS)}; both "
                        "target the iree-lite VM (default: vmvx)")
    p.add_argument("--iree-hal-target-device", dest="target_device", metavar="DEVICE",
                   help="target device: local")
    p.add_argument("--iree-flow-trace-dispatch-tensors", dest="trace_dispatch_tensors", action="store_true",
                   help="when run, print each element-wise dispatch's input and output tensors on stderr "
                        "(`=== f_dispatch_0::f_dispatch_0_elementwise_15_f32 inputs ===`, then one per line)")
    p.add_argument("--iree-hal-local-target-device-backends", dest="local_target_device_backends",
                   type=_list_arg, action="extend", default=[], metavar="BACKENDS",
                   help="backends of the local target device: vmvx, llvm-cpu")
    iree_flags.add_args(p)


def add_compile(sub):
    p = sub.add_parser("compile", help="compile MLIR to a .vmfb module (like iree-compile)",
                       description="Compile an MLIR module to iree-lite register bytecode (.vmfb).\n\n" + COMPILE_DETAILS,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_compile_args(p)
    p.add_argument("-o", "--output-file", dest="output", metavar="FILE",
                   help="output .vmfb file (default: stdout)")
    p.set_defaults(handler="compile")


def add_context_args(p):
    """Flags shared by the subcommands that load and call modules."""
    p.add_argument("--device", default="local-task",
                   help="local-task (native worker threads, default) or local-sync (the calling thread)")
    iree_flags.add_native_code(p, iree_flags.RUNTIME_NATIVE_CODE)
    p.add_argument("--module", dest="modules", action="append", default=[], metavar="FILE",
                   help="a .vmfb module, - for stdin; repeat for several, dependencies first")
    p.add_argument("--input", dest="inputs", action="append", default=[], metavar="VALUE",
                   help="a function argument, in order: SHAPExTYPE=values, TYPE=value, a scalar, @file.npy, "
                        "SHAPExTYPE=@file.bin (every form: iree-lite run-module --help)")
    add_topology_args(p)
    p.add_argument("--timeout", type=_positive_seconds, metavar="SECONDS",
                   help="end the run with DEADLINE_EXCEEDED (exit 1) if it has not finished SECONDS after "
                        "the modules start loading (Ctrl-C ends it at once: `error: interrupted`, exit 130)")
    p.add_argument("--trace", metavar="FILE.json",
                   help="write a timeline of the run to FILE.json (Chrome trace events, for "
                        "ui.perfetto.dev or chrome://tracing): a track per thread (host, each worker) "
                        "with spans for function calls, dispatches, the tile batches each worker ran, "
                        "reductions and matrix products with their row chunks, fence signals and waits, and flow arrows from each signal to the waits it "
                        "released; events past the buffer's capacity are dropped and counted")


def add_topology_args(p):
    """Worker threads of a local-task context."""
    p.add_argument("--task_topology_group_count", type=int, metavar="N",
                   help="local-task: exactly N worker threads (default: one per core)")
    p.add_argument("--task_topology_max_group_count", type=int, metavar="N",
                   help="local-task: at most N worker threads")


def add_result_args(p):
    """How results are printed, checked or written (run-module, run-mlir)."""
    p.add_argument("--function", help="the exported function to run (default: the only export)")
    p.add_argument("--expected_output", dest="expected_outputs", action="append", default=[],
                   metavar="VALUE", help="an expected result, in order; prints [SUCCESS] or [FAILED]")
    p.add_argument("--output", dest="outputs", action="append", default=[], metavar="SPEC",
                   help="where a result goes, in order (see below)")
    p.add_argument("--output_max_element_count", type=int, default=1024, metavar="N",
                   help="print at most N elements of each tensor (default: 1024)")
    add_comparison_args(p)


def add_comparison_args(p):
    """How expected outputs are compared (run-module, run-mlir, batch)."""
    for element, default in (("f16", 1e-3), ("f32", 1e-4), ("f64", 1e-4), ("bf16", 1e-2)):
        p.add_argument(f"--expected_{element}_threshold", type=float, default=default, metavar="ATOL",
                       help=f"absolute tolerance for {element} in approximate mode (default: {default})")
    p.add_argument("--expected_rtol", type=float, default=1e-5, metavar="RTOL",
                   help="relative tolerance shared by float types (default: 1e-05)")
    p.add_argument("--equality_mode", choices=("approximate", "exact"), default="approximate",
                   help="approximate: |actual - expected| <= atol + rtol * |expected|, NaN equals NaN; "
                        "exact: byte equality")


def add_run_module(sub):
    p = sub.add_parser("run-module", help="run a function of compiled modules (like iree-run-module)",
                       description="Load modules in order, call a function and print or check its results.\n\n" + RUN_EXAMPLES
                                   + VALUE_FORMATS,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_context_args(p)
    add_result_args(p)
    p.add_argument("--print_statistics", action="store_true",
                   help="after the results, print on stderr: time to load, verify, invoke and wait; "
                        "dispatches and fence waits; buffers allocated, their bytes and the peak live bytes")
    p.add_argument("--trace_execution", action="store_true",
                   help="print each VM instruction as it executes (function, pc, disassembly, the "
                        "registers it names, after it ran) on stderr; runs on the reference interpreter")
    p.set_defaults(handler="run_module")


RUN_MLIR_DETAILS = """Compiles in memory and runs in one process. Without --function it runs the
only export, or else every zero-argument export, each after `EXEC @name`.
Compiler flags may also be written IREE's way: --Xcompiler,iree-execution-model=host-only.

examples:
  iree-lite run-mlir model.mlir --function=f --input=4xf32=1,2,3,4
  iree-lite run-mlir tests.mlir --device=local-sync
"""


def add_run_mlir(sub):
    p = sub.add_parser("run-mlir", help="compile MLIR in memory and run it (like iree-run-mlir)",
                       description="Compile an MLIR file in memory and run its functions.\n\n" + RUN_MLIR_DETAILS + "\n"
                                   + VALUE_FORMATS,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_compile_args(p)
    add_context_args(p)
    add_result_args(p)
    p.set_defaults(handler="run_mlir")


CHECK_DETAILS = """\
Every zero-argument export of the last --module is a test; a failing
check.expect_* fails its test with the check's location and values.

example:
  iree-lite compile tests.mlir -o tests.vmfb && iree-lite check-module --module=tests.vmfb
"""


def add_check_module(sub):
    p = sub.add_parser("check-module", help="run check.expect_* tests (like iree-check-module)",
                       description="Run each zero-argument export of a module as a test.\n\n" + CHECK_DETAILS,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_context_args(p)
    p.set_defaults(handler="check_module")


def add_dump_module(sub):
    p = sub.add_parser("dump-module", help="print a module's contents (like iree-dump-module)",
                       description="Print a .vmfb's header, imports, exports and disassembly.\n\n"
                                   "example:\n  iree-lite dump-module model.vmfb --format=json",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("module", help="the .vmfb file, or - for stdin")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--output", choices=("all", "metadata", "disassembly"), default="all",
                   help="what to print: all (default), metadata (header, imports and exports) or disassembly "
                        "(the code of the functions and kernels)")
    p.add_argument("--function", metavar="NAME|ORDINAL",
                   help="print the code of this function only (a name, or its ordinal among the functions)")
    p.set_defaults(handler="dump_module")


BENCHMARK_DETAILS = """What is timed: one iteration is one call of the function from the host,
including the wait on its finish fence for async (coarse-fences) functions.
Inputs are parsed and copied into VM buffers once, before timing; results are
released every iteration. One untimed warm-up call comes first. Time is wall
clock (real_time); CPU is process time over all threads.

examples:
  iree-lite benchmark-module --module=m.vmfb --function=f --input=4194304xf32=1.5
  iree-lite benchmark-module --module=m.vmfb --benchmark_repetitions=5 --benchmark_format=json
"""


def add_benchmark_module(sub):
    p = sub.add_parser("benchmark-module", help="time exported functions (like iree-benchmark-module)",
                       description="Time calls of exported functions; Google Benchmark output.\n\n" + BENCHMARK_DETAILS,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_context_args(p)
    p.add_argument("--function", help="the function to time (default: every zero-argument export)")
    p.add_argument("--benchmark_repetitions", type=int, default=1, metavar="N",
                   help="repeat each measurement N times and report mean, median, stddev and cv")
    p.add_argument("--benchmark_min_time", default="0.5s", metavar="TIME",
                   help="run each measurement at least this long (`0.5s`) or this many times (`100x`)")
    p.add_argument("--benchmark_format", choices=("console", "json", "csv"), default="console",
                   help="report format on stdout (console's and csv's context goes to stderr)")
    p.add_argument("--benchmark_out", metavar="FILE", help="also write a report to FILE")
    p.add_argument("--benchmark_out_format", choices=("json", "console", "csv"), default="json",
                   help="format of the --benchmark_out report (default: json)")
    p.add_argument("--benchmark_filter", default=".", metavar="REGEX",
                   help="time only the benchmarks whose name (BM_fn/process_time/real_time) REGEX matches")
    p.add_argument("--benchmark_list_tests", type=iree_flags.boolean, nargs="?", const=True,
                   default=False, metavar="BOOL",
                   help="list the benchmarks' names, one a line, and time nothing")
    p.add_argument("--benchmark_time_unit", choices=("ns", "us", "ms", "s"), default="ms",
                   help="unit of the reported times (default: ms)")
    p.add_argument("--benchmark_min_warmup_time", type=float, default=0.0, metavar="SECONDS",
                   help="call each function for at least SECONDS before timing it (after the one warm-up call)")
    p.add_argument("--benchmark_display_aggregates_only", type=iree_flags.boolean, nargs="?", const=True,
                   default=False,
                   metavar="BOOL", help="with repetitions, show only the aggregates on stdout (the file keeps all)")
    p.add_argument("--benchmark_report_aggregates_only", type=iree_flags.boolean, nargs="?", const=True,
                   default=False,
                   metavar="BOOL", help="with repetitions, report only the aggregates, on stdout and in the file")
    p.add_argument("--benchmark_enable_random_interleaving", type=iree_flags.boolean, nargs="?", const=True,
                   default=False,
                   metavar="BOOL", help="run the repetitions of all benchmarks in a random order, to spread "
                                        "the machine's drift over them")
    p.set_defaults(handler="benchmark_module")


BATCH_DESCRIPTION = """\
Run the calls listed in a manifest, concurrently, and check their results.

A manifest is JSON lines (one object a line; blank lines and # lines skipped)
or, when it ends in .toml, [[run]] tables. Keys of a run:
  modules           list of .vmfb paths, dependencies first (required)
  function          the export to call (default: the only export)
  inputs            list of --input values, e.g. "4xf32=1 2 3 4", "@x.npy"
  expected_outputs  list of --expected_output values     } at most one
  expected_error    a substring of the run's error message } of these two
                    (with neither, a run passes when it runs without error)
  outputs           list of @file / +file (.npy or raw .bin): where the
                    results are written
  name              shown in reports (default: run-N, N its 1-based entry number)
  device            local-task (default) or local-sync
  timeout           seconds the run may take (default: --timeout, else none)
Paths are relative to the manifest's folder. Runs execute in --jobs worker
processes; a worker loads a device and module file list once and keeps the
last four it ran for their next runs. A run that crashes its worker is an
ERROR `crashed (signal N)`, one past its timeout an ERROR DEADLINE_EXCEEDED;
the worker is replaced and the batch goes on. On Ctrl-C the runs so far are
reported (reports marked interrupted) and the exit status is 130.

Progress goes to stderr (a bar on a terminal, else `[PASS] name (1.2 ms)` /
`[FAIL] name: reason` / `[ERROR] name: reason` lines), then a table and a
totals line to stdout. FAIL: a wrong result, or not the expected error; ERROR:
an unexpected error (a missing module, a bad input, a VM error).

examples:
  iree-lite batch runs.jsonl --jobs=8 --report=report.json --junit=report.xml
  iree-lite batch runs.toml --shard=2/4 --report=r2.json    # the second of four machines

  runs.jsonl:
    {"name": "abs", "modules": ["a.vmfb"], "function": "abs", "inputs": ["2xf32=-1 2"], "expected_outputs": ["2xf32=1 2"]}
    {"modules": ["a.vmfb"], "function": "abs", "inputs": ["3xf32=1"], "expected_error": "shape dimension 0 mismatch"}

Exit status: 0 when every run passes; 1 when any fails, or the manifest is
invalid (reported as MANIFEST:LINE: error: message); 130 after Ctrl-C.
"""


def _shard_arg(text):
    """`K/N`, 1 <= K <= N: shard K of N."""
    k, slash, n = text.partition("/")
    if not (slash and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise argparse.ArgumentTypeError(f"'{text}' is not K/N with 1 <= K <= N")
    return int(k), int(n)


def _positive_seconds(text):
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is None or not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive number of seconds")
    return seconds


def _positive_int(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive integer")
    return int(text)


def add_batch(sub):
    p = sub.add_parser("batch", help="run a manifest of module calls concurrently, with reports",
                       description=BATCH_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("manifest", metavar="MANIFEST", help="a .jsonl (JSON lines) or .toml manifest")
    p.add_argument("--jobs", type=_positive_int, default=os.cpu_count() or 1, metavar="N",
                   help="runs at a time, each in its own worker process (default: the number of CPUs)")
    p.add_argument("--timeout", type=_positive_seconds, metavar="SECONDS",
                   help="end a run still going after SECONDS with DEADLINE_EXCEEDED, unless its entry "
                        "sets its own `timeout` (default: no limit)")
    p.add_argument("--shard", type=_shard_arg, metavar="K/N",
                   help="run only shard K of N (1-based K): the entries whose 0-based index i has i %% N == K-1")
    p.add_argument("--report", metavar="FILE.json",
                   help="write a JSON report: per run its name, index and line in the manifest, status "
                        "(pass, fail, error), seconds and message; whether the batch was interrupted and "
                        "the runs it did not run")
    p.add_argument("--junit", metavar="FILE.xml", help="write a JUnit XML report (one testcase per run)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local: worker processes on this machine (default); dask: a Dask cluster "
                        "(pip install 'iree-lite[dask]'), --scheduler's or a LocalCluster of --jobs processes")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="the Dask scheduler to run on (tcp://host:8786); with --executor=dask")
    add_topology_args(p)   # per context: each distinct module list has its own workers
    add_comparison_args(p)
    p.set_defaults(handler="batch")


IMPORT_ONNX_DETAILS = """\
Reads an ONNX model, converts it to --opset-version when given (with onnx's
version converter), infers its shapes and writes MLIR (func, arith, math,
tensor, linalg) that `iree-lite compile` and IREE's `iree-compile` take: one
func.func named after the graph, its ONNX input and output names in the
function's reflection. Needs the onnx package: pip install 'iree-lite[onnx]'.

examples:
  iree-lite import-onnx model.onnx -o model.mlir
  iree-lite compile model.mlir -o model.vmfb
  iree-lite run-module --module=model.vmfb --input=@x.npy --output=@y.npy

Exit status: 0 on success; 1 with one `error: ...` line naming the node
(name, op type, opset) for anything the importer does not support.
"""


def add_import_onnx(sub):
    p = sub.add_parser("import-onnx", help="import an ONNX model as MLIR (like iree-import-onnx)",
                       description="Import an ONNX model as MLIR.\n\n" + IMPORT_ONNX_DETAILS,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", help="the .onnx model")
    p.add_argument("-o", "--output-file", dest="output", metavar="FILE",
                   help="output .mlir file (default: stdout)")
    p.add_argument("--opset-version", dest="opset", type=_positive_int, metavar="N",
                   help="convert the model to opset N first")
    p.add_argument("--data-prop", dest="data_prop", action="store_true",
                   help="propagate constant shape data in shape inference")
    p.add_argument("--weights", choices=("resource", "inline"), default="resource",
                   help="non-splat constants as dense_resource blobs in a trailing dialect_resources "
                        "section (default) or as inline hex dense literals; both exact")
    p.add_argument("--data-dir", dest="data_dir", metavar="DIR",
                   help="folder of the model's external data files (default: the model's folder)")
    p.set_defaults(handler="import_onnx")


class UsageError(ValueError):
    """A command-line error, raised instead of exiting (the Python API)."""


# Each subcommand's name -> the function that adds its parser, in --help's order.
SUBCOMMANDS = {"compile": add_compile, "run-module": add_run_module, "run-mlir": add_run_mlir,
               "check-module": add_check_module, "benchmark-module": add_benchmark_module,
               "dump-module": add_dump_module, "batch": add_batch, "import-onnx": add_import_onnx}


class Parser(argparse.ArgumentParser):
    """No abbreviated flags (IREE's tools take none, and a prefix that means
    one flag today may mean another tomorrow); its subcommands' parsers are
    of this class too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def unrecognized(self, extras):
        """Exit with argparse's error for arguments nobody took, suggesting
        the nearest flag for the first one that is close to a flag."""
        message = f"unrecognized arguments: {' '.join(extras)}"
        for arg in extras:
            flag = arg.partition("=")[0]
            if flag.startswith("-"):
                import difflib   # only for a mistyped flag
                near = difflib.get_close_matches(flag, self._option_string_actions, n=1, cutoff=0.7)
                if near:
                    message += f" (did you mean '{near[0]}'?)"
                    break
        self.error(message)


def parse(args):
    """The namespace of a command line; a flag nobody takes is an error
    from the subcommand that was given it. Only the named subcommand's
    parser is built (each costs start-up time); without a known name
    (`--help`, a typo) all of them are."""
    parser = build_parser(command=args[0] if args and args[0] in SUBCOMMANDS else None)
    ns, extras = parser.parse_known_args(args)
    if extras:
        parser.subcommands.choices[ns.command].unrecognized(extras)
    return ns


class RaisingParser(Parser):
    def error(self, message):
        raise UsageError(message)


def build_parser(raising=False, command=None):
    """The command line's parser; `raising`: errors raise UsageError
    instead of printing the usage and exiting; `command`: the only
    subcommand to add (None: every one)."""
    parser = (RaisingParser if raising else Parser)(
        prog="iree-lite",
        description="IREE's compile-and-run workflow for MLIR programs: a pure-Python compiler "
                    "emitting register bytecode and a native multithreaded VM.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.epilog += ("\nAny subcommand takes --flagfile=FILE: more flags, one per line (# comments).\n")
    sub = parser.subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, add in SUBCOMMANDS.items():
        if command in (None, name):
            add(sub)
    return parser


def _version():
    from ..version import __version__
    return __version__


def normalize(argv):
    """IREE's spellings argparse does not know: `-o=FILE` (argparse would
    read `=FILE`) and `--Xcompiler,flag` (a compiler flag passed through)."""
    out = []
    for a in argv:
        if a.startswith("-o="):
            out.append(("-o", a[3:]))
        elif a.startswith("--Xcompiler,"):
            out.append(("--" + a[len("--Xcompiler,"):].lstrip("-"),))
        else:
            out.append((a,))
    return out


def expand_flagfiles(argv, including=()):
    """`--flagfile=FILE` (any subcommand): FILE's lines are flags, one per
    line; blank lines and lines starting with # are skipped. `including`:
    (real path, path as given) of the flagfiles being expanded, to refuse a
    cycle."""
    out = []
    it = iter(argv)
    for a in it:
        if a == "--flagfile" or a.startswith("--flagfile="):
            path = a.partition("=")[2] or next(it, "")
            real = os.path.realpath(path)
            if any(real == r for r, _ in including):
                chain = " -> ".join([shown for _, shown in including] + [path])
                raise SystemExit(f"iree-lite: error: flagfile '{path}' includes itself: {chain}")
            from ..fileio import open_input
            try:
                with open_input(path, encoding="utf-8") as f:
                    lines = [line.strip() for line in f]
            except OSError as e:
                raise SystemExit(f"iree-lite: error: cannot read flagfile '{path}': {e.strerror}")
            except UnicodeDecodeError as e:
                raise SystemExit(f"iree-lite: error: flagfile '{path}' is not UTF-8 text "
                                 f"(byte {e.start}: {e.object[e.start:e.start + 1]!r})")
            out += expand_flagfiles([line for line in lines if line and not line.startswith("#")],
                                    including + ((real, path),))
        else:
            out.append(a)
    return out


# A write error with no file name is one of stdout's (a full disk, a
# device that refuses the bytes); files the tools write name themselves.
UNWRITABLE_STDOUT = (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = [part for a in normalize(expand_flagfiles(argv)) for part in a]
        ns = parse(iree_flags.with_boolean_values(args))
        import importlib
        handler = importlib.import_module(f"iree_lite.tools.{ns.handler}")
        status = handler.run(ns)
        sys.stdout.flush()   # here, so that a closed stdout is reported below, not at exit
        return status
    except BrokenPipeError:
        return closed_stdout()
    except OSError as e:
        if e.filename is not None or e.errno not in UNWRITABLE_STDOUT:
            return internal_error(e)
        drop_stdout()
        print(f"error: cannot write standard output: {e.strerror}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except MemoryError as e:
        print(f"error: {out_of_memory(e)}", file=sys.stderr)
        return 1
    except Exception as e:
        return internal_error(e)


def out_of_memory(e):
    """A MemoryError's one line: the native VM's name what they could not
    allocate; Python's own say nothing."""
    return str(e) or "out of memory"


def internal_error(e):
    """The last resort: a bug must still read as one line."""
    print(f"error: internal error: {type(e).__name__}: {e}", file=sys.stderr)
    return 1


def closed_stdout():
    """The reader of stdout went away (`| head`): end quietly with SIGPIPE's
    status, as Unix tools do."""
    drop_stdout()
    return 128 + 13   # SIGPIPE


def drop_stdout():
    """Output still buffered is dropped: stdout now points at /dev/null, so
    the flush at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
