"""The IR printer and IREE's flags that use it: every test program prints,
reads back and prints the same, and compiles to the same bytecode from its
printed form; each stage prints and reads back; `iree-lite compile
--compile-to=PHASE` writes the stage, `--compile-from` reads it,
`--mlir-print-ir-*` dump around the passes they name (golden FileCheck
tests per pass: tests/lit/print_ir_passes.mlir)."""
import glob
import os

import pytest

import iree_lite
from iree_lite.isa.module import serialize
from iree_lite.compiler import STAGES, compile_module, lower, print_ir
from iree_lite.ir.printer import print_module
from iree_lite.parse import parse_module
from iree_lite.vm.format import deserialize
from test_cli import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
E2E = os.environ.get("IREE_E2E_DIR")


def programs():
    """tests/ and examples/ MLIR files, and IREE's e2e files that pass (IREE_E2E_DIR)."""
    paths = sorted(glob.glob(os.path.join(ROOT, "tests", "**", "*.mlir"), recursive=True)
                   + glob.glob(os.path.join(ROOT, "examples", "**", "*.mlir"), recursive=True))
    paths = [p for p in paths if "/Output/" not in p]
    if E2E:
        with open(os.path.join(ROOT, "tests", "iree_e2e_passing.txt")) as f:
            base = os.path.join(E2E, "tests", "e2e") if os.path.isdir(os.path.join(E2E, "tests", "e2e")) else E2E
            paths += [os.path.join(base, line.strip()) for line in f if line.strip() and not line.startswith("#")]
    return paths


PROGRAMS = programs()


def bytecode(text, path):
    return serialize(compile_module(text, path))


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: os.path.relpath(p, ROOT))
def test_a_program_prints_reads_back_and_compiles_the_same(path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    module = parse_module(source, path)
    try:
        expected = bytecode(source, path)
    except iree_lite.Diagnostic as e:   # files of expected errors: the printed form gets the same one
        expected = e.render().splitlines()[0]
    for generic in (False, True):
        printed = print_module(module, generic, debuginfo=True)
        assert print_module(parse_module(printed, path), generic, debuginfo=True) == printed
        plain = print_module(module, generic)
        assert print_module(parse_module(plain, path), generic) == plain
        try:
            got = bytecode(printed, path)
        except iree_lite.Diagnostic as e:
            got = e.render().splitlines()[0]
        assert got == expected


@pytest.mark.parametrize("stage", [s for s in STAGES if s != "start"])
@pytest.mark.parametrize("path", [p for p in PROGRAMS if os.path.basename(p) in (
    "ops_linalg.mlir", "ops_tensor.mlir", "cf_branches.mlir", "ops_scf.mlir", "small_types.mlir",
    "ops_linalg_ext.mlir", "ops_convolution.mlir", "dynamic_shapes.mlir")], ids=os.path.basename)
def test_every_stage_prints_and_reads_back(path, stage):
    with open(path, encoding="utf-8") as f:
        module = lower(f.read(), path, stop_after=STAGES[stage])
    printed = print_ir(module, debuginfo=True)
    # What the passes decided beyond the IR comes back as attributes, printed the same.
    assert print_module(parse_module(printed, path), debuginfo=True) == printed


SOURCE = """func.func @f(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.addf %a, %b : tensor<4xf32>
  %d = arith.mulf %c, %a : tensor<4xf32>
  return %d : tensor<4xf32>
}
"""
HEAD = "  func.func @f(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>) -> tensor<4xf32>{attrs} {{\n"
# The ops in their custom form, or in the generic form when they carry a note.
CUSTOM = ("    %0 = arith.addf %arg0, %arg1 : tensor<4xf32>\n"
          "    %1 = arith.mulf %0, %arg0 : tensor<4xf32>\n")
NOTED = ('    %0 = "arith.addf"(%arg0, %arg1) {{iree_lite.dispatch = 0 : i64}} : (tensor<4xf32>, tensor<4xf32>) -> '
         'tensor<4xf32>\n'
         '    %1 = "arith.mulf"(%0, %arg0) {{iree_lite.dispatch = 0 : i64}} : (tensor<4xf32>, tensor<4xf32>) -> '
         'tensor<4xf32>\n')
TAIL = "    return %1 : tensor<4xf32>\n  }}\n"
SYNC = ' attributes {iree.abi.model = "sync"}'


def printed(attrs="", noted=False):
    """SOURCE printed: its function's attributes, and the dispatch noted or not."""
    return "module @m {\n" + (HEAD + (NOTED if noted else CUSTOM) + TAIL).format(attrs=attrs) + "}\n"


@pytest.fixture
def src(tmp_path):
    path = tmp_path / "m.mlir"
    path.write_text(SOURCE)
    return path


@pytest.mark.parametrize("stage, attrs, noted", [
    ("start", "", False), ("input", "", False), ("abi", SYNC, False), ("global-optimization", SYNC, False),
    ("flow", SYNC, True), ("stream", SYNC, True),
])
def test_compile_to_writes_the_stage(src, tmp_path, stage, attrs, noted):
    out = tmp_path / "m.txt"
    assert cli("compile", str(src), f"--compile-to={stage}", "-o", str(out)) == (0, "", "")
    assert out.read_text() == printed(attrs, noted)


def test_print_op_generic_and_debuginfo(src):
    rc, out, err = cli("compile", str(src), "--compile-to=input", "--mlir-print-op-generic", "--mlir-print-debuginfo")
    assert (rc, err) == (0, "")
    assert out == (
        '"builtin.module"() <{sym_name = "m"}> ({\n'
        '  "func.func"() <{function_type = (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>, sym_name = "f"}> ({\n'
        "  ^bb0(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>):\n"
        f'    %0 = "arith.addf"(%arg0, %arg1) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> loc("{src}":2:8)\n'
        f'    %1 = "arith.mulf"(%0, %arg0) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> loc("{src}":3:8)\n'
        f'    "func.return"(%1) : (tensor<4xf32>) -> () loc("{src}":4:3)\n'
        "  }) : () -> ()\n"
        "}) : () -> ()\n")
    rc, out, err = cli("compile", str(src), "--compile-to=input", "--mlir-print-debuginfo")
    assert (rc, err) == (0, "")
    assert out == ("module @m {\n" + HEAD.format(attrs="")
                   + f'    %0 = arith.addf %arg0, %arg1 : tensor<4xf32> loc("{src}":2:8)\n'
                   + f'    %1 = arith.mulf %0, %arg0 : tensor<4xf32> loc("{src}":3:8)\n'
                   + f'    return %1 : tensor<4xf32> loc("{src}":4:3)\n  }}\n}}\n')


@pytest.mark.parametrize("stage", ["input", "abi", "preprocessing"])
def test_compile_from_reads_a_printed_stage(src, tmp_path, stage):
    printed, direct, again = tmp_path / "p.mlir", tmp_path / "direct.vmfb", tmp_path / "again.vmfb"
    assert cli("compile", str(src), f"--compile-to={stage}", "--mlir-print-debuginfo", "-o", str(printed))[0] == 0
    assert cli("compile", str(src), "-o", str(direct)) == (0, "", "")
    assert cli("compile", str(printed), f"--compile-from={stage}", "-o", str(again)) == (0, "", "")
    # The same module but for the file name it records.
    ours, theirs = deserialize(again.read_bytes()), deserialize(direct.read_bytes())
    assert (ours.source, theirs.source) == (str(printed), str(src))
    ours.source = theirs.source
    assert ours == theirs


def test_print_ir_after_all_dumps_each_pass_in_order(src):
    rc, out, err = cli("compile", str(src), "-o", "-", "--compile-to=input", "--mlir-print-ir-after-all")
    assert rc == 0
    assert err == "// -----// IR Dump After Verify (iree-lite-verify) //----- //\n" + out + "\n"
    rc, _, err = cli("compile", str(src), "-o", os.devnull, "--mlir-print-ir-after-all", "--mlir-print-ir-before-all")
    headers = [line for line in err.splitlines() if line.startswith("// -----//")]
    passes = [("Verify", "iree-lite-verify"), ("LowerAbi", "iree-lite-abi"), ("LowerLinalg", "iree-lite-lower-linalg"),
              ("LowerSmallTypes", "iree-lite-lower-small-types"),
              ("FormDispatchRegions", "iree-lite-form-dispatch-regions"), ("PlanBuffers", "iree-lite-plan-buffers")]
    assert (rc, headers) == (0, [f"// -----// IR Dump {when} {title} ({arg}) //----- //"
                                 for title, arg in passes for when in ("Before", "After")])


def test_print_ir_before_and_after_named_passes(src):
    rc, out, err = cli("compile", str(src), "-o", os.devnull, "--mlir-print-ir-before=iree-lite-abi",
                       "--mlir-print-ir-after=iree-lite-form-dispatch-regions,iree-lite-verify")
    header = "// -----// IR Dump {} ({}) //----- //\n"
    assert (rc, out) == (0, "")
    assert err == (header.format("After Verify", "iree-lite-verify") + printed() + "\n"
                   + header.format("Before LowerAbi", "iree-lite-abi") + printed() + "\n"
                   + header.format("After FormDispatchRegions", "iree-lite-form-dispatch-regions")
                   + printed(SYNC, noted=True) + "\n")


@pytest.mark.parametrize("args, error", [
    (["--mlir-print-ir-after=iree-lite-lower-linalgs"],
     "error: --mlir-print-ir-after: no pass named 'iree-lite-lower-linalgs'; did you mean 'iree-lite-lower-linalg'?"),
    (["--mlir-print-ir-before=canonicalize"],
     "error: --mlir-print-ir-before: no pass named 'canonicalize' (the passes: iree-lite-verify, iree-lite-abi, "
     "iree-lite-lower-linalg, iree-lite-lower-small-types, iree-lite-form-dispatch-regions, iree-lite-plan-buffers)"),
    (["--compile-from=abi", "--compile-to=input"], "error: --compile-from=abi comes after --compile-to=input"),
])
def test_a_bad_printing_flag_is_a_clear_error(src, tmp_path, args, error):
    out = tmp_path / "m.vmfb"
    assert cli("compile", str(src), *args, "-o", str(out)) == (1, "", error + "\n")
    assert not out.exists()


def test_run_mlir_takes_the_dumps_but_not_a_printed_stage(src):
    rc, out, err = cli("run-mlir", str(src), "--compile-to=flow", "--input=4xf32=1", "--input=4xf32=2")
    assert (rc, out, err) == (1, "", "error: --compile-to=flow: run-mlir runs the bytecode; `iree-lite compile` "
                                     "prints the phases\n")
    rc, out, err = cli("run-mlir", str(src), "--mlir-print-ir-after=iree-lite-abi", "--input=4xf32=1",
                       "--input=4xf32=2")
    assert (rc, out) == (0, "EXEC @f\nresult[0]: hal.buffer_view\n4xf32=3 3 3 3\n")
    assert err.startswith("// -----// IR Dump After LowerAbi (iree-lite-abi) //----- //\nmodule @m {\n")


def test_the_python_api_returns_a_printed_stage():
    text = iree_lite.compile_str(SOURCE, "m.mlir", extra_args=["--compile-to=abi"])
    assert text == printed(SYNC).encode()
