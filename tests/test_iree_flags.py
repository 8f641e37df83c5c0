"""IREE's command lines with only the tool's name changed: iree-compile's
flags that have no effect here are accepted (and named by
--warn-unused-flags), the phase flags are honoured where iree-lite has the
phase (test_ir_printing.py: the printed phases), a flag nobody takes is an error that suggests the nearest one,
abbreviations are refused, dump-module takes iree-dump-module's --output and
--function, and IREE's own .vmfb files get an error saying what they are."""
import subprocess

import pytest

from iree_lite.tools.iree_flags import NATIVE_CODE, NOT_APPLICABLE
from test_cli import cli

SOURCE = """func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = math.absf %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
"""


@pytest.fixture(scope="module")
def src(tmp_path_factory):
    path = tmp_path_factory.mktemp("flags") / "abs.mlir"
    path.write_text(SOURCE)
    return path


@pytest.fixture(scope="module")
def plain(src):
    out = src.with_name("plain.vmfb")
    assert cli("compile", str(src), "-o", str(out))[0] == 0
    return out.read_bytes()


def given(flag):
    """A command-line use of a not-applicable flag: a value flag with a
    value, a boolean one bare (LLVM's form)."""
    return f"{flag}=1" if NOT_APPLICABLE[flag][0] else flag


@pytest.mark.parametrize("flag", sorted(NOT_APPLICABLE))
def test_a_flag_with_no_effect_is_accepted_and_changes_nothing(src, plain, tmp_path, flag):
    out = tmp_path / "m.vmfb"
    # The bare boolean form before the input must not take the input as its value.
    assert cli("compile", given(flag), str(src), "-o", str(out)) == (0, "", "")
    assert out.read_bytes().replace(str(src).encode(), b"") == plain.replace(str(src).encode(), b"")


def test_warn_unused_flags_names_each_flag_given_and_why(src, tmp_path):
    rc, out, err = cli("compile", str(src), "-o", str(tmp_path / "m.vmfb"), "--warn-unused-flags",
                       "--iree-llvmcpu-target-cpu", "host", "--mlir-timing", "--Xcompiler,iree-opt-level=O3")
    assert (rc, out) == (0, "")
    assert err.splitlines() == [
        "warning: --iree-llvmcpu-target-cpu=host has no effect in iree-lite: iree-lite's kernels pick their "
        "instructions at run time, on the CPU that runs them",
        "warning: --mlir-timing=true has no effect in iree-lite: MLIR's printing and debugging flag: "
        "iree-lite's compiler is not built on MLIR's",
        "warning: --iree-opt-level=O3 has no effect in iree-lite: iree-lite has one optimisation level"]


def test_run_mlir_takes_the_same_flags(src):
    rc, out, err = cli("run-mlir", str(src), "--iree-input-type=none", "--iree-llvmcpu-target-cpu-features=+avx2",
                       "--Xcompiler,iree-input-demote-f64-to-f32=false", "--input=4xf32=-1 2 -3 4")
    assert (rc, err) == (0, "")
    assert out == "EXEC @f\nresult[0]: hal.buffer_view\n4xf32=1 2 3 4\n"


def test_a_boolean_flag_takes_only_a_boolean(src):
    rc, _, err = cli("compile", str(src), "--mlir-disable-threading=maybe")
    assert rc == 2
    assert err.splitlines()[-1] == \
        "iree-lite compile: error: argument --mlir-disable-threading: 'maybe' is not a boolean (true or false)"


def test_help_lists_the_flags_with_no_effect_under_their_own_heading():
    out = cli("compile", "--help")[1]
    heading = out.index("IREE compiler flags with no effect in iree-lite:")
    assert all(out.index(flag, heading) > heading for flag in NOT_APPLICABLE)


@pytest.mark.parametrize("flags", [["--compile-to=end"], ["--compile-to=vm"], ["--compile-from=input"],
                                   ["--output-format=vm-bytecode"], ["--mlir-print-op-generic"],
                                   ["--mlir-print-debuginfo=true"]])
def test_the_phases_iree_lite_has_are_honoured(src, plain, tmp_path, flags):
    out = tmp_path / "plain.vmfb"
    assert cli("compile", str(src), *flags, "-o", str(out)) == (0, "", "")
    assert out.read_bytes() == plain


@pytest.mark.parametrize("flag, error", [
    ("--compile-to=hal", "error: --compile-to=hal: iree-lite has no such phase: its kernels are built with its "
                         "bytecode (phases it prints: start, input, abi, preprocessing, global-optimization, "
                         "dispatch-creation, flow, stream)"),
    ("--compile-from=flow", "error: --compile-from=flow: iree-lite reads back the phases start, input, abi, "
                            "preprocessing only (later ones hold its internal ops)"),
    ("--output-format=vm-c", "error: --output-format=vm-c: iree-lite writes only its own bytecode (vm-bytecode)"),
])
def test_a_phase_iree_lite_lacks_is_a_clear_error(src, tmp_path, flag, error):
    out = tmp_path / "m.vmfb"
    assert cli("compile", str(src), flag, "-o", str(out)) == (1, "", error + "\n")
    assert not out.exists()


@pytest.mark.parametrize("args, error", [
    (["compile", "--iree-hal-target-bac=vmvx"],
     "iree-lite compile: error: unrecognized arguments: --iree-hal-target-bac=vmvx "
     "(did you mean '--iree-hal-target-backends'?)"),
    (["compile", "--iree-hal-target-backend=llvm-cpu"],
     "iree-lite compile: error: unrecognized arguments: --iree-hal-target-backend=llvm-cpu "
     "(did you mean '--iree-hal-target-backends'?)"),
    (["run-module", "--modul=m.vmfb"],
     "iree-lite run-module: error: unrecognized arguments: --modul=m.vmfb (did you mean '--module'?)"),
    (["run-module", "--expected_outputs=4xf32=1"],
     "iree-lite run-module: error: unrecognized arguments: --expected_outputs=4xf32=1 "
     "(did you mean '--expected_output'?)"),
    (["compile", "--no-such-flag"], "iree-lite compile: error: unrecognized arguments: --no-such-flag"),
])
def test_an_unknown_or_abbreviated_flag_is_an_error_with_a_suggestion(src, args, error):
    rc, out, err = cli(*args, *([str(src)] if args[0] == "compile" else []))
    assert (rc, out) == (2, "")
    assert err.splitlines()[-1] == error


# -- dump-module ---------------------------------------------------------------

@pytest.fixture(scope="module")
def module(src, plain):
    return src.with_name("plain.vmfb")


def test_dump_module_output_metadata_and_disassembly_split_the_whole(module):
    whole = cli("dump-module", str(module))[1]
    rc, metadata, _ = cli("dump-module", "--output=metadata", str(module))
    rc2, code, _ = cli("dump-module", "--output=disassembly", str(module))
    assert rc == rc2 == 0
    assert metadata + "\n" + code == whole
    assert metadata.startswith("// module @abs") and "Exports:\n  f(tensor<4xf32>)" in metadata
    assert "\nfunc @" not in metadata and "\nkernel @" not in metadata
    assert code.startswith("func @f(tensor<4xf32>) -> (tensor<4xf32>) [sync]") and "kernel @" in code


def test_dump_module_function_by_name_or_ordinal(module):
    by_name = cli("dump-module", "--output=disassembly", "--function=f", str(module))
    by_ordinal = cli("dump-module", "--output=disassembly", "--function=0", str(module))
    assert by_name == by_ordinal
    assert by_name[0] == 0 and by_name[1].startswith("func @f(") and "kernel @" not in by_name[1]


@pytest.mark.parametrize("function", ["nope", "1"])
def test_dump_module_unknown_function(module, function):
    assert cli("dump-module", f"--function={function}", str(module)) == \
        (1, "", f"NOT_FOUND; no function '{function}' in the module (its functions: f)\n")


# -- IREE's own modules --------------------------------------------------------

IREE_MODULE = ("INVALID_ARGUMENT; an IREE FlatBuffer module (made by IREE's iree-compile), not an iree-lite module: "
               "iree-lite runs only its own bytecode (its compiled executables are native code for IREE's HAL); "
               "compile the source with `iree-lite compile`")


def flatbuffer(size_prefixed):
    """The start of a FlatBuffer with IREE's file identifier."""
    return (b"\x10\x00\x00\x00" if size_prefixed else b"") + b"\x0c\x00\x00\x00IREE" + bytes(40)


def zipped(payload):
    """payload as the first entry, module.fb, of a zip archive (a local file
    header with a 4-byte extra field), as iree-compile writes .vmfb files."""
    name = b"module.fb"
    return b"PK\x03\x04" + bytes(22) + len(name).to_bytes(2, "little") + (4).to_bytes(2, "little") + name + \
        bytes(4) + payload


@pytest.mark.parametrize("blob", [zipped(flatbuffer(True)), flatbuffer(False), flatbuffer(True)],
                         ids=["zip", "bare", "size-prefixed"])
def test_an_iree_module_is_named_for_what_it_is(tmp_path, blob):
    path = tmp_path / "iree.vmfb"
    path.write_bytes(blob)
    rc, out, err = cli("run-module", f"--module={path}", "--input=4xf32=1")
    assert (rc, out) == (1, "")
    assert err == f"{IREE_MODULE}; loading bytecode module at '{path}'; loading modules and dependencies; " \
                  "creating run context\n"
    assert cli("dump-module", str(path)) == (1, "", IREE_MODULE + "\n")


def test_other_bytes_are_still_not_a_module(tmp_path):
    path = tmp_path / "x.vmfb"
    path.write_bytes(zipped(b"\x0c\x00\x00\x00NOPE" + bytes(40)).replace(b"module.fb", b"other.txt"))
    assert cli("dump-module", str(path)) == (1, "", "INVALID_ARGUMENT; not an iree-lite module (bad magic number)\n")


def test_a_real_iree_module(reference_iree, src, tmp_path):
    path = tmp_path / "iree.vmfb"
    subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(src), "-o", str(path)],
                   check=True, capture_output=True, timeout=300)
    assert cli("dump-module", str(path)) == (1, "", IREE_MODULE + "\n")


@pytest.mark.parametrize("flag", sorted(NATIVE_CODE))
def test_a_compile_flag_that_brings_native_code_is_refused_with_why(src, tmp_path, flag):
    out = tmp_path / "m.vmfb"
    assert cli("compile", str(src), f"{flag}=lib.so", "-o", str(out)) == \
        (1, "", f"error: {flag}=lib.so: {NATIVE_CODE[flag]}\n")
    assert not out.exists()


def test_an_executable_plugin_is_refused_with_why(plain, tmp_path):
    module = tmp_path / "m.vmfb"
    module.write_bytes(plain)
    rc, out, err = cli("run-module", f"--module={module}", "--function=f", "--input=4xf32=1",
                       "--executable_plugin=plugin.so")
    assert (rc, out, err) == (1, "", "INVALID_ARGUMENT; --executable_plugin=plugin.so: iree-lite's VM cannot load "
                                     "native executable plugins; creating run context\n")
