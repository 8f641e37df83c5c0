"""The `iree-lite` command line: flags, help, man page and every kind of bad input.

Bad input must end in a one-line (or located) error and a non-zero exit:
never a traceback, a signal or a partial output file.
"""
import os
import subprocess
import sys

import pytest

from iree_lite.tools.cli import SUBCOMMANDS, build_parser, normalize

LIT = os.path.join(os.path.dirname(__file__), "lit")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args, stdin=b""):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "iree_lite", *args], input=stdin, capture_output=True,
                          timeout=60, env=env)
    out, err = proc.stdout.decode(errors="replace"), proc.stderr.decode()
    assert "Traceback" not in err, err
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode}"
    return proc.returncode, out, err


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("m")
    for name in ("module_a", "module_b"):
        rc, _, err = cli("compile", "--iree-execution-model=async-external", os.path.join(LIT, name + ".mlir"),
                         f"-o={d / name}.vmfb")
        assert rc == 0, err
    return d


def test_help_for_every_subcommand():
    for args in (["--help"], ["compile", "--help"], ["run-module", "--help"]):
        rc, out, _ = cli(*args)
        assert rc == 0 and "usage: iree-lite" in out
    assert "--iree-execution-model" in cli("compile", "--help")[1]
    assert "--expected_output" in cli("run-module", "--help")[1]


def test_manpage_comes_from_the_real_parser():
    pytest.importorskip("argparse_manpage")
    from iree_lite.tools.manpage import render
    page = render()
    assert "DISTRIBUTION" not in page and "github.com/iree-org" not in page   # it is not IREE's page
    for flag in ("iree\\-execution\\-model", "expected_output", "task_topology_group_count"):
        assert flag in page
    # Every subcommand's section of the page carries its examples.
    sections = page.split(".SH COMMAND")[1:]
    commands = ["compile", "run\\-module", "run\\-mlir", "check\\-module", "dump\\-module",
                "benchmark\\-module", "batch", "import\\-onnx"]
    assert len(sections) == len(commands)
    for command in commands:
        (section,) = [s for s in sections if s.startswith(f" \\fI\\,'iree\\-lite {command}'")]
        assert "example" in section and f"iree\\-lite {command} " in section, command


def test_output_flag_spellings():
    assert normalize(["-o=x.vmfb", "-o", "y"]) == [("-o", "x.vmfb"), ("-o",), ("y",)]
    ns = build_parser().parse_args(["compile", "in.mlir", "--iree-hal-target-backends=vmvx,llvm-cpu",
                                    "--iree-hal-target-backends", "vmvx"])
    assert ns.target_backends == ["vmvx", "llvm-cpu", "vmvx"] and ns.output is None


def test_bad_flags_are_usage_errors():
    rc, _, err = cli("compile", "--no-such-flag", "x.mlir")
    assert rc == 2 and "unrecognized arguments: --no-such-flag" in err
    rc, _, err = cli("compile", "--iree-execution-model=sometimes", "x.mlir")
    assert rc == 2 and "invalid choice" in err


def test_compile_to_stdout_from_stdin():
    source = open(os.path.join(LIT, "module_a.mlir"), "rb").read()
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run([sys.executable, "-m", "iree_lite", "compile", "-"], input=source,
                          capture_output=True, timeout=60, env=env)
    assert proc.returncode == 0 and proc.stdout.startswith(b"\x89IRL\r\n\x1a\n")


def test_compile_is_deterministic(tmp_path):
    src = os.path.join(LIT, "module_b.mlir")
    cli("compile", src, "-o", str(tmp_path / "1.vmfb"))
    cli("compile", src, "-o", str(tmp_path / "2.vmfb"))
    assert (tmp_path / "1.vmfb").read_bytes() == (tmp_path / "2.vmfb").read_bytes()


def test_malformed_mlir_is_located(tmp_path):
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @f(%a: f32) -> f32 {\n  %b = arith.addf %a, %c : f32\n  return %b : f32\n}\n")
    rc, _, err = cli("compile", str(bad), "-o", str(tmp_path / "out.vmfb"))
    assert rc == 1
    assert err == (f"{bad}:2:23: error: use of undeclared SSA value name '%c'\n"
                   "  %b = arith.addf %a, %c : f32\n                      ^\n")
    rc, _, err = cli("compile", "-", stdin=b"func.func @f( {")
    assert rc == 1 and err.startswith("<stdin>:1:15: error:")


def test_failed_compile_keeps_the_old_output(tmp_path):
    out = tmp_path / "keep.vmfb"
    out.write_bytes(b"previous good module")
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @f() {\n  %x = nope.op : f32\n  return\n}\n")
    assert cli("compile", str(bad), "-o", str(out))[0] == 1
    assert out.read_bytes() == b"previous good module"
    assert sorted(os.listdir(tmp_path)) == ["bad.mlir", "keep.vmfb"]


def test_missing_input_file():
    rc, _, err = cli("compile", "/nonexistent/x.mlir")
    assert rc == 1 and err == ("error opening input file: cannot open input file '/nonexistent/x.mlir': "
                               "No such file or directory\n")


def test_unknown_target_backend():
    rc, _, err = cli("compile", "--iree-hal-target-backends=cuda", os.path.join(LIT, "module_a.mlir"))
    assert rc == 1 and "target backend 'cuda' not registered; registered backends: [vmvx, llvm-cpu]" in err


@pytest.mark.parametrize("content,message", [
    (b"", "file too small"),
    (b"\x00" * 64, "bad magic number"),
    (b"func.func @f() {\n  return\n}\n", "bad magic number"),
])
def test_bad_module_files(tmp_path, content, message):
    path = tmp_path / "bad.vmfb"
    path.write_bytes(content)
    rc, out, err = cli("run-module", f"--module={path}", "--function=f")
    assert rc == 1 and out == "" and message in err and err.startswith("INVALID_ARGUMENT; ")


def test_truncated_and_corrupted_modules(modules, tmp_path):
    blob = (modules / "module_a.vmfb").read_bytes()
    for i, bad in enumerate([blob[:len(blob) // 2], blob[:-1], blob[:100] + bytes([blob[100] ^ 1]) + blob[101:],
                             os.urandom(len(blob))]):
        path = tmp_path / f"bad{i}.vmfb"
        path.write_bytes(bad)
        rc, _, err = cli("run-module", f"--module={path}", "--function=abs", "--input=4096xf32=1")
        assert rc == 1 and err.startswith("INVALID_ARGUMENT; ") and err.count("\n") == 1, err


def test_missing_module_file():
    rc, _, err = cli("run-module", "--module=/nonexistent.vmfb")
    assert rc == 1 and err.startswith("NOT_FOUND; failed to open file '/nonexistent.vmfb'")


def test_unknown_function(modules):
    rc, _, err = cli("run-module", f"--module={modules / 'module_a.vmfb'}", "--function=nope")
    assert rc == 1 and err == ("NOT_FOUND; no function 'nope' exported by module; looking up function 'nope'; "
                               "creating run context\n")


def test_wrong_argument_count(modules):
    a = f"--module={modules / 'module_a.vmfb'}"
    rc, out, err = cli("run-module", a, "--function=abs")
    assert rc == 1 and out == "EXEC @abs\n"
    assert err.startswith("INVALID_ARGUMENT; input list and function mismatch; expected 1 arguments but passed 0")
    rc, out, err = cli("run-module", a, "--function=abs", "--input=4096xf32=1", "--input=1")
    assert rc == 1 and out == "" and "function expected fewer input values; parsing input `1`" in err


def test_wrong_shape_and_type(modules):
    a = f"--module={modules / 'module_a.vmfb'}"
    rc, _, err = cli("run-module", a, "--function=abs", "--input=3xf32=1")
    assert rc == 1 and ("input0 shape dimension 0 mismatch; expected 4096 but have 3; "
                        "expected shape `4096`, actual shape `3`") in err
    rc, _, err = cli("run-module", a, "--function=abs", "--input=4096xi32=1")
    assert rc == 1 and "input0 element type mismatch; expected f32 but have i32" in err


@pytest.mark.parametrize("value,message", [
    ("4096xf32=1 2", "OUT_OF_RANGE; input data string underflow: dst_i=2 < element_capacity=4096"),
    ("4096xf32=abc", "INVALID_ARGUMENT; parsing value `abc` as f32"),
    ("4096xq9=1", "unsupported element type `q9`"),
    ("@/nonexistent.npy", "NOT_FOUND; failed to open file '/nonexistent.npy'"),
])
def test_unparsable_inputs(modules, value, message):
    rc, out, err = cli("run-module", f"--module={modules / 'module_a.vmfb'}", "--function=abs", f"--input={value}")
    assert rc == 1 and out == "" and message in err


def test_unknown_device(modules):
    rc, _, err = cli("run-module", "--device=cuda", f"--module={modules / 'module_a.vmfb'}")
    assert rc == 1 and err.startswith("NOT_FOUND; no driver 'cuda' registered")


def test_imports_not_loaded(modules, tmp_path):
    rc, _, err = cli("compile", "--iree-execution-model=async-external", os.path.join(LIT, "pipeline_async.mlir"),
                     "-o", str(tmp_path / "p.vmfb"))
    assert rc == 0, err
    rc, _, err = cli("run-module", f"--module={tmp_path / 'p.vmfb'}", "--function=run", "--input=4096xf32=1")
    assert rc == 1 and "required module 'module_a' not available" in err
    assert "resolving dependencies for 'pipeline_async'" in err


def test_scalar_expected_output_that_matches_passes(tmp_path):
    src = tmp_path / "s.mlir"
    src.write_text("func.func @f(%a: f32, %b: i32) -> (f32, i32) {\n  %c = arith.mulf %a, %a : f32\n"
                   "  return %c, %b : f32, i32\n}\n")
    assert cli("compile", str(src), "-o", str(tmp_path / "s.vmfb"))[0] == 0
    rc, out, _ = cli("run-module", f"--module={tmp_path / 's.vmfb'}", "--input=1.5", "--input=i32=-12",
                     "--expected_output=2.25", "--expected_output=-12")
    assert rc == 0 and out == "EXEC @f\n[SUCCESS] all function outputs matched their expected values.\n"
    rc, out, _ = cli("run-module", f"--module={tmp_path / 's.vmfb'}", "--input=1.5", "--input=7")
    assert rc == 0 and out == "EXEC @f\nresult[0]: f32=2.25\nresult[1]: i32=7\n"


def test_benchmark_module_console_and_json(modules, tmp_path):
    a = f"--module={modules / 'module_a.vmfb'}"
    rc, out, err = cli("benchmark-module", a, "--function=abs", "--input=4096xf32=-1",
                       "--benchmark_min_time=5x", "--benchmark_repetitions=2")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[1].split() == ["Benchmark", "Time", "CPU", "Iterations", "UserCounters..."]
    assert set(lines[0]) == {"-"} and len(lines[0]) == len(lines[1])
    names = [line.split()[0] for line in lines[3:]]
    assert names == ["BM_abs/process_time/real_time"] * 2 + [
        f"BM_abs/process_time/real_time_{agg}" for agg in ("mean", "median", "stddev", "cv")]
    assert " ms " in lines[3] and lines[3].split()[6].startswith("items_per_second=")
    report = tmp_path / "bench.json"
    rc, out, _ = cli("benchmark-module", a, "--function=abs", "--input=4096xf32=-1", "--benchmark_min_time=3x",
                     "--benchmark_format=json", f"--benchmark_out={report}")
    import json
    doc = json.loads(out)
    assert doc == json.loads(report.read_text())
    (row,) = doc["benchmarks"]
    assert row["iterations"] == 3 and row["time_unit"] == "ms" and row["real_time"] > 0


def test_benchmark_module_runs_zero_argument_exports(tmp_path):
    src = tmp_path / "z.mlir"
    src.write_text("func.func @one() -> f32 {\n  %c = arith.constant 1.0 : f32\n  return %c : f32\n}\n"
                   "func.func @two() -> f32 {\n  %c = arith.constant 2.0 : f32\n  return %c : f32\n}\n"
                   "func.func @arg(%x: f32) -> f32 {\n  return %x : f32\n}\n")
    assert cli("compile", str(src), "-o", str(tmp_path / "z.vmfb"))[0] == 0
    rc, out, _ = cli("benchmark-module", f"--module={tmp_path / 'z.vmfb'}", "--benchmark_min_time=2x")
    assert rc == 0 and [line.split()[0] for line in out.splitlines()[3:]] == [
        "BM_one/process_time/real_time", "BM_two/process_time/real_time"]


def test_run_mlir_runs_zero_argument_exports_and_reports_errors(tmp_path):
    src = tmp_path / "r.mlir"
    src.write_text("func.func @a() -> i32 {\n  %c = arith.constant 3 : i32\n  return %c : i32\n}\n"
                   "func.func @b() -> f32 {\n  %c = arith.constant 0.5 : f32\n  return %c : f32\n}\n"
                   "func.func @c(%x: f32) -> f32 {\n  return %x : f32\n}\n")
    rc, out, _ = cli("run-mlir", str(src))
    assert rc == 0 and out == "EXEC @a\nresult[0]: i32=3\nEXEC @b\nresult[0]: f32=0.5\n"
    rc, out, _ = cli("run-mlir", str(src), "--function=c", "--input=1.25", "--Xcompiler,iree-execution-model=async-external")
    assert rc == 0 and out == "EXEC @c\nresult[0]: f32=1.25\n"
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @f() -> f32 {\n  return %x : f32\n}\n")
    rc, out, err = cli("run-mlir", str(bad))
    assert rc == 1 and out == "" and err.startswith(f"{bad}:2:10: error: use of undeclared SSA value name '%x'")


def test_dump_module_json(modules):
    import json
    rc, out, _ = cli("dump-module", str(modules / "module_b.vmfb"), "--format=json")
    assert rc == 0
    d = json.loads(out)
    assert (d["name"], d["checksum_valid"], d["imports"]) == ("module_b", True, [])
    (export,) = d["exports"]
    assert export["name"] == "mul" and export["abi"] == "coarse-fences"
    assert export["reflection"]["iree.abi.model"] == "coarse-fences"
    texts = [c["text"] for c in d["functions"][0]["code"]]
    assert texts[0].startswith("buffer.check") and texts[-1].startswith("ret")
    assert [c["text"].split()[0] for c in d["kernels"][0]["code"]] == ["t.load.f32", "t.load.f32", "t.bind.f32",
                                                                       "t.mulf.f32"]


def test_flagfile(modules, tmp_path):
    flags = tmp_path / "flags"
    flags.write_text(f"# the abs export\n--module={modules / 'module_a.vmfb'}\n\n--function=abs\n"
                     "--input=4096xf32=-3\n")
    rc, out, _ = cli("run-module", f"--flagfile={flags}", "--expected_output=4096xf32=3")
    assert rc == 0 and out.endswith("[SUCCESS] all function outputs matched their expected values.\n")
    rc, _, err = cli("run-module", "--flagfile=/nonexistent/flags")
    assert rc != 0 and "cannot read flagfile '/nonexistent/flags'" in err


def test_module_from_another_instruction_set_is_rejected(modules, tmp_path):
    from iree_lite.isa.module import serialize
    from iree_lite.vm.format import deserialize
    m = deserialize((modules / "module_a.vmfb").read_bytes())
    m.isa = "0123456789abcdef"
    stale = tmp_path / "stale.vmfb"
    stale.write_bytes(serialize(m))
    rc, _, err = cli("run-module", f"--module={stale}", "--function=abs", "--input=4096xf32=1")
    assert rc == 1 and "was compiled for another instruction set" in err and "recompile it" in err


def test_modules_load_in_import_order(modules, tmp_path):
    rc, _, err = cli("compile", "--iree-execution-model=async-external", os.path.join(LIT, "pipeline_async.mlir"),
                     "-o", str(tmp_path / "p.vmfb"))
    assert rc == 0, err
    rc, out, err = cli("run-module", f"--module={tmp_path / 'p.vmfb'}", f"--module={modules / 'module_b.vmfb'}",
                       f"--module={modules / 'module_a.vmfb'}", "--function=run", "--input=4096xf32=-2",
                       "--expected_output=4096xf32=4")
    assert rc == 0 and out.endswith("[SUCCESS] all function outputs matched their expected values.\n")
    assert err == "iree-lite: loading modules in import order: module_b, module_a, pipeline_async\n"


def new_modules(*args):
    """The modules `iree-lite ARGS` imports beyond the interpreter's start-up
    (-S: without site's, so that what site imports is not hidden)."""
    code = ("import sys; before = set(sys.modules); from iree_lite.tools.cli import main; "
            "status = main(sys.argv[1:]); print(*sorted(set(sys.modules) - before)); sys.exit(status)")
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-S", "-c", code, *args], capture_output=True, text=True, timeout=60,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.splitlines()[-1].split())


def test_subcommands_import_only_what_they_need(modules, tmp_path):
    """Start-up time: run-module loads neither the compiler nor numpy (nor
    OpenSSL, for the instruction set's fingerprint); compile loads no VM."""
    run = new_modules("run-module", f"--module={modules / 'module_a.vmfb'}", "--function=abs",
                      "--input=4096xf32=-2", "--expected_output=4096xf32=2")
    assert {"iree_lite.runtime.context", "iree_lite._vm"} <= run
    assert not run & {"numpy", "typing", "hashlib", "_hashlib", "difflib", "iree_lite.parse", "iree_lite.passes",
                      "iree_lite.codegen", "iree_lite.dialects", "iree_lite.onnx", "iree_lite.api",
                      "iree_lite.vm.interp"}
    compiled = new_modules("compile", os.path.join(LIT, "module_a.mlir"), "-o", str(tmp_path / "a.vmfb"))
    assert "iree_lite.passes" in compiled
    assert not compiled & {"numpy", "iree_lite._vm", "iree_lite.runtime", "iree_lite.vm.interp", "iree_lite.onnx"}


def test_only_the_named_subcommand_gets_a_parser():
    assert list(build_parser().subcommands.choices) == list(SUBCOMMANDS)
    for name in SUBCOMMANDS:
        assert list(build_parser(command=name).subcommands.choices) == [name]


def test_import_cycle_is_an_error(tmp_path):
    for name, other in (("ping", "pong"), ("pong", "ping")):
        src = tmp_path / f"{name}.mlir"
        src.write_text(f"func.func private @{other}.f() -> ()\nfunc.func @f() {{\n  call @{other}.f() : () -> ()\n"
                       "  return\n}\n")
        assert cli("compile", str(src), "-o", str(tmp_path / f"{name}.vmfb"))[0] == 0
    rc, _, err = cli("run-module", f"--module={tmp_path / 'ping.vmfb'}", f"--module={tmp_path / 'pong.vmfb'}",
                     "--function=f")
    assert rc == 1 and err.startswith("FAILED_PRECONDITION; modules import each other in a cycle: ping, pong")


def test_trace_execution(modules):
    args = [f"--module={modules / 'module_a.vmfb'}", "--function=abs", "--input=4096xf32=-1.5"]
    plain = cli("run-module", *args)
    rc, out, err = cli("run-module", "--trace_execution", *args)
    assert rc == 0 and out == plain[1]   # same results, traced on stderr
    lines = err.splitlines()
    assert lines[0].startswith("[trace] module_a.abs    0: buffer.alloc r")
    assert "dispatch.async" in lines[1] and "r0=4096xf32[-1.5 -1.5 -1.5 -1.5 ...]" in lines[1]
    assert lines[-1].startswith("[trace] module_a.abs    8: ret [], [], [r")


def test_print_statistics(modules):
    import re
    rc, out, err = cli("run-module", "--print_statistics", f"--module={modules / 'module_b.vmfb'}", "--function=mul",
                       "--input=4096xf32=2", "--input=4096xf32=3", "--input=4096xf32=0", "--output=")
    assert rc == 0 and out == "EXEC @mul\n"
    lines = err.splitlines()
    assert re.fullmatch(r"\[statistics\] time: load [\d.]+ ms, verify [\d.]+ ms, invoke [\d.]+ ms, wait [\d.]+ ms",
                        lines[0])
    assert lines[1] == "[statistics] dispatches: 1, fence waits: 1"
    # The three inputs are the buffers; mul writes into its storage argument in place.
    assert lines[2] == "[statistics] buffers: 3 allocated, 49152 bytes in total, peak 49152 bytes live"


def test_print_statistics_under_trace_execution(modules):
    """The reference interpreter collects no statistics, and says so after the results."""
    rc, out, err = cli("run-module", "--print_statistics", "--trace_execution",
                       f"--module={modules / 'module_b.vmfb'}", "--function=mul",
                       "--input=4096xf32=2", "--input=4096xf32=3", "--input=4096xf32=0", "--output=")
    assert rc == 0 and out == "EXEC @mul\n"
    assert err.splitlines()[-1] == "[statistics] not collected under --trace_execution"


@pytest.mark.parametrize("vm", [[], ["--trace_execution"]])
@pytest.mark.parametrize("inputs,error", [
    (["--input=4xf32=2", "--input=4096xf32=3", "--input=4096xf32=0"],
     "INVALID_ARGUMENT; input0 shape dimension 0 mismatch; expected 4096 but have 4; "
     "expected shape `4096`, actual shape `4`"),
    (["--input=4096xf32=2", "--input=4096xi32=3", "--input=4096xf32=0"],
     "INVALID_ARGUMENT; input1 element type mismatch; expected f32 but have i32"),
])
def test_mismatched_inputs_on_both_vms(modules, vm, inputs, error):
    """The reference interpreter (--trace_execution) checks inputs as the native VM does."""
    rc, out, err = cli("run-module", *vm, f"--module={modules / 'module_b.vmfb'}", "--function=mul", *inputs)
    assert rc == 1 and out == "EXEC @mul\n"
    assert err.splitlines()[-1] == (f"{error}; invoking function 'mul'; `async func @mul(%input0: tensor<4096xf32>, "
                                    "%input1: tensor<4096xf32>, %input2: tensor<4096xf32>) -> "
                                    "(%output0: tensor<4096xf32>)`")


def test_help_texts_say_only_what_is_there():
    run_mlir = cli("run-mlir", "--help")[1]
    assert "iree-lite run-mlir model.mlir" in run_mlir and "iree-lite run-module --module" not in run_mlir
    assert "--input / --expected_output values:" in run_mlir
    for command in ("check-module", "benchmark-module"):
        assert "see below" not in cli(command, "--help")[1]


def test_package_metadata():
    import tomllib
    with open(os.path.join(REPO, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    assert project["license"] == {"text": "Apache-2.0"}
    assert "License :: OSI Approved :: Apache Software License" in project["classifiers"]
    assert project["urls"] and project["requires-python"] == ">=3.11"
    with open(os.path.join(REPO, "LICENSE")) as f:
        assert f.read(200).split() [:4] == ["Apache", "License", "Version", "2.0,"]


ENDLESS = "/dev/zero"   # a device that never ends: each tool reads at most fileio.DEVICE_READ_LIMIT of it


@pytest.mark.skipif(not os.path.exists(ENDLESS), reason="no /dev/zero")
@pytest.mark.parametrize("args,error", [
    (["compile", ENDLESS, "-o=OUT"],
     f"error opening input file: cannot open input file '{ENDLESS}': a device that gives more than 67108864 bytes"),
    (["run-module", f"--module={ENDLESS}", "--function=f"],
     f"INVALID_ARGUMENT; '{ENDLESS}' is a device that gives more than 67108864 bytes, not a file; loading"),
    (["dump-module", ENDLESS], f"INVALID_ARGUMENT; '{ENDLESS}' is a device that gives more than"),
    (["run-module", f"--flagfile={ENDLESS}"], f"iree-lite: error: cannot read flagfile '{ENDLESS}': a device"),
    (["batch", ENDLESS], f"{ENDLESS}: error: cannot read manifest: a device that gives more than"),
])
def test_an_endless_device_as_input_is_an_error_not_a_hang(tmp_path, args, error):
    rc, _, err = cli(*(a.replace("OUT", str(tmp_path / "o.vmfb")) for a in args))
    assert rc == 1 and err.startswith(error) and len(err.splitlines()) == 1, err


@pytest.mark.skipif(not os.path.exists(ENDLESS), reason="no /dev/zero")
def test_raw_input_from_a_device_or_pipe_takes_the_bytes_it_needs(modules):
    """As iree-run-module reads them: `@/dev/zero` is zeros; a pipe that
    ends early is an error naming the bytes it gave."""
    run = ["run-module", f"--module={modules / 'module_a'}.vmfb", "--function=abs"]
    rc, out, err = cli(*run, f"--input=4096xf32=@{ENDLESS}")
    assert rc == 0 and out == cli(*run, "--input=4096xf32=0")[1] and "4096xf32=0 0 0" in out, err
    rc, _, err = cli(*run, "--input=4096xf32=@/dev/stdin", stdin=b"\0" * 10)
    assert rc == 1 and "file '/dev/stdin' has 10 bytes but 4096xf32 needs 16384" in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("args", [
    ["run-module", "--module=MODULE", "--function=abs", "--input=4096xf32=-1"],
    ["dump-module", "MODULE"],
    ["compile", os.path.join(LIT, "module_a.mlir"), "-o", "-"]])
def test_a_full_stdout_is_a_one_line_error(modules, args):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "iree_lite",
                               *(a.replace("MODULE", f"{modules / 'module_a'}.vmfb") for a in args)],
                              stdout=full, stderr=subprocess.PIPE, timeout=60, env=env)
    assert proc.returncode == 1
    assert proc.stderr.decode() == "error: cannot write standard output: No space left on device\n"
