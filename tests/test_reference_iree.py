"""Differential tests against the real IREE tools: same programs, same
command lines, byte-identical stdout and the same exit status.

Known IREE defects are expected differences, asserted as such: f64 is
demoted to f32 by IREE, and a matching scalar --expected_output fails there.
The lit op files run here too, with tables of the functions IREE rejects or
gets wrong (IREE_REJECTS, IREE_HANGS, IREE_DIFFERS), each with its reason.
"""
import os
import re
import subprocess

import pytest
from tool_runs import LITE, REPO, compile_both, iree_compile, run, run_both

LIT = os.path.join(os.path.dirname(__file__), "lit")

PROGRAMS = {
    "chain": """
func.func @chain(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %half = arith.constant dense<0.5> : tensor<2x3xf32>
  %m = arith.mulf %a, %b : tensor<2x3xf32>
  %s = arith.subf %m, %half : tensor<2x3xf32>
  %d = arith.divf %s, %b : tensor<2x3xf32>
  %x = arith.maximumf %d, %a : tensor<2x3xf32>
  %n = arith.negf %x : tensor<2x3xf32>
  %y = arith.minimumf %n, %s : tensor<2x3xf32>
  return %x, %y : tensor<2x3xf32>, tensor<2x3xf32>
}
""",
    "scalars": """
func.func @scalars(%a: f32, %b: i32, %t: tensor<f32>) -> (f32, i32, tensor<f32>) {
  %c = arith.constant 1.25 : f32
  %x = arith.addf %a, %c : f32
  %y = arith.mulf %x, %x : f32
  %z = math.absf %t : tensor<f32>
  return %y, %b, %z : f32, i32, tensor<f32>
}
""",
    "ints": """
func.func @ints(%a: tensor<3xi8>, %b: tensor<2x2xi32>, %c: tensor<4xi1>, %d: tensor<2xi64>) -> (tensor<3xi8>, tensor<2x2xi32>, tensor<4xi1>, tensor<2xi64>) {
  return %a, %b, %c, %d : tensor<3xi8>, tensor<2x2xi32>, tensor<4xi1>, tensor<2xi64>
}
""",
    "narrow": """
func.func @narrow(%a: i32) -> (i8, i16, i1, i64) {
  %x = arith.trunci %a : i32 to i8
  %y = arith.trunci %a : i32 to i16
  %z = arith.trunci %a : i32 to i1
  %w = arith.extsi %a : i32 to i64
  return %x, %y, %z, %w : i8, i16, i1, i64
}
""",
    "wide": """
func.func @wide(%a: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %r = math.absf %a : tensor<3x4x5xf32>
  return %r : tensor<3x4x5xf32>
}
""",
    # Dynamic sizes everywhere: windows, reshapes, concat and pad sized at run time.
    "dynconv": """
func.func @dynconv(%x: tensor<1x?x?x2xf32>, %w: tensor<?x?x2x3xf32>, %o: tensor<1x?x?x3xf32>) -> tensor<1x?x?x3xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
       ins(%x, %w : tensor<1x?x?x2xf32>, tensor<?x?x2x3xf32>) outs(%o : tensor<1x?x?x3xf32>) -> tensor<1x?x?x3xf32>
  return %r : tensor<1x?x?x3xf32>
}
""",
    "dynpool": """
func.func @dynpool(%x: tensor<?x?x?x?xf32>, %w: tensor<?x?xf32>, %o: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %r = linalg.pooling_nhwc_max ins(%x, %w : tensor<?x?x?x?xf32>, tensor<?x?xf32>) outs(%o : tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}
""",
    "dynshapes": """
func.func @dynshapes(%a: tensor<?x?xf32>, %b: tensor<?x2xf32>, %lo: index) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?x?xf32>) {
  %c = tensor.concat dim(1) %a, %b : (tensor<?x?xf32>, tensor<?x2xf32>) -> tensor<?x?xf32>
  %f = tensor.collapse_shape %c [[0, 1]] : tensor<?x?xf32> into tensor<?xf32>
  %z = arith.constant -1.0 : f32
  %p = tensor.pad %a low[%lo, 1] high[1, %lo] {
  ^bb0(%i: index, %j: index):
    tensor.yield %z : f32
  } : tensor<?x?xf32> to tensor<?x?xf32>
  return %c, %f, %p : tensor<?x?xf32>, tensor<?xf32>, tensor<?x?xf32>
}
""",
}

RUNS = [
    ("chain", ["--input=2x3xf32=1 -2 3.5 0 nan -inf", "--input=2x3xf32=[2 0.25 -1][1e-3 4 inf]"]),
    ("chain", ["--input=2x3xf32=1 -2 3.5 0 8 -9", "--input=2x3xf32=3", "--output_max_element_count=4"]),
    ("chain", ["--input=2x3xf32=1", "--input=2x3xf32=2", "--expected_output=2x3xf32=0.75",
               "--expected_output=(ignored)"]),
    ("chain", ["--input=2x3xf32=1", "--input=2x3xf32=2", "--expected_output=2x3xf32=[1 1 1][1 1 9]",
               "--expected_output=2x3xf32=-1"]),
    ("chain", ["--input=2x3xf32=1", "--input=2x3xf32=2", "--expected_output=3xf32=1",
               "--expected_output=(ignored)"]),
    ("scalars", ["--input=2.5", "--input=-12", "--input=f32=-2.25"]),
    ("scalars", ["--input=1e20", "--input=2147483647", "--input=f32=-0"]),
    ("ints", ["--input=3xi8=-128 0 127", "--input=2x2xi32=[1 -2][3 -4]", "--input=4xi1=01 00 01 01",
              "--input=2xi64=-9223372036854775808 9223372036854775807"]),
    ("ints", ["--input=3xi8=1", "--input=2x2xi32=5", "--input=4xi1=00", "--input=2xi64=3",
              "--output=-", "--output=", "--output=-", "--output=-"]),
    ("narrow", ["--input=-42"]),
    ("narrow", ["--input=70001"]),
    ("wide", ["--input=3x4x5xf32=-1.5", "--output_max_element_count=7"]),
    ("wide", ["--input=3x4x5xf32=-1.5", "--output_max_element_count=0"]),
    ("wide", ["--input=3x4x5xf32=-1.5", "--expected_output=3x4x5xf32=1.5"]),
    # Equal elements match whatever the tolerance; under a negative one, unequal ones never do.
    ("wide", ["--input=3x4x5xf32=-1.5", "--expected_output=3x4x5xf32=1.5", "--expected_f32_threshold=-1"]),
    ("wide", ["--input=3x4x5xf32=-1.5", "--expected_output=3x4x5xf32=1.50001", "--expected_f32_threshold=-1"]),
    ("wide", ["--input=3x4x5xf32=1 2"]),
    ("wide", ["--input=2x4x5xf32=1"]),
    ("wide", []),
    ("dynconv", ["--input=1x7x6x2xf32=" + " ".join(str((i * 7) % 19 - 9) for i in range(84)),
                 "--input=2x2x2x3xf32=" + " ".join(str((i * 5) % 7 - 3) for i in range(24)),
                 "--input=1x3x4x3xf32=0.5"]),
    ("dynpool", ["--input=2x5x4x3xf32=" + " ".join(str((i * 11) % 23 - 11) for i in range(120)),
                 "--input=2x3xf32=0", "--input=2x4x2x3xf32=-100"]),
    ("dynshapes", ["--input=3x2xf32=1 2 3 4 5 6", "--input=3x2xf32=7 8 9 10 11 12", "--input=2"]),
    ("dynshapes", ["--input=0x3xf32=", "--input=0x2xf32=", "--input=0"]),
]


@pytest.fixture(scope="module")
def compiled(reference_iree, tmp_path_factory):
    d = tmp_path_factory.mktemp("ref")
    out = {}
    for name, source in PROGRAMS.items():
        src = d / f"{name}.mlir"
        src.write_text(source)
        out[name] = compile_both(reference_iree, src)
    return out


@pytest.mark.parametrize("name,args", RUNS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(RUNS)])
def test_same_output_as_iree(compiled, reference_iree, name, args):
    want, have = run_both(reference_iree, compiled[name], [f"--function={name}", *args])
    expected_outputs = [a for a in args if a.startswith("--expected_output=")]
    if name == "scalars" or not expected_outputs:
        assert have == want
    else:
        # IREE fails matching scalar expectations ("variant types mismatch");
        # these runs have none, so their output must agree exactly.
        assert have == want


def test_seed_pipeline_same_as_iree(reference_iree, tmp_path):
    outputs = []
    for tool in ([reference_iree["iree-compile"]], [*LITE, "compile"]):
        paths = []
        for name in ("module_a", "module_b", "pipeline_async"):
            path = tmp_path / f"{name}.{len(outputs)}.vmfb"
            subprocess.run([*tool, "--iree-execution-model=async-external", "--iree-hal-target-backends=vmvx",
                            os.path.join(LIT, name + ".mlir"), "-o", str(path)], check=True, capture_output=True,
                           timeout=300, env=dict(os.environ, PYTHONPATH=REPO))
            paths.append(path)
        runner = ([reference_iree["iree-run-module"]] if not outputs else
                  [*LITE, "run-module"])
        outputs.append(run([*runner, "--device=local-task", *(f"--module={p}" for p in paths),
                            "--function=run", "--input=4096xf32=-2.0", "--expected_output=4096xf32=4.0"]))
    assert outputs[0] == outputs[1] == (0, "EXEC @run\n[SUCCESS] all function outputs matched their expected values.\n")


def test_known_defect_scalar_expected_output(compiled, reference_iree):
    """IREE reports a matching scalar as [FAILED]; iree-lite passes it."""
    args = ["--function=scalars", "--input=2", "--input=3", "--input=f32=1", "--expected_output=10.5625",
            "--expected_output=3", "--expected_output=f32=1"]
    want, have = run_both(reference_iree, compiled["scalars"], args)
    assert want[0] == 1 and "variant types mismatch" in want[1]
    assert have == (0, "EXEC @scalars\n[SUCCESS] all function outputs matched their expected values.\n")


def test_known_defect_f64_is_not_demoted(reference_iree, tmp_path):
    src = tmp_path / "d.mlir"
    src.write_text("func.func @d(%a: tensor<2xf64>) -> tensor<2xf64> {\n"
                   "  %r = arith.mulf %a, %a : tensor<2xf64>\n  return %r : tensor<2xf64>\n}\n")
    iree_compile(reference_iree, src, tmp_path / "t.vmfb")
    run([*LITE, "compile", str(src), "-o", str(tmp_path / "o.vmfb")])
    args = ["--function=d", "--input=2xf64=1.0000001 3"]
    theirs = run([reference_iree["iree-run-module"], f"--module={tmp_path / 't.vmfb'}", *args])
    ours = run([*LITE, "run-module", f"--module={tmp_path / 'o.vmfb'}", *args])
    assert ours == (0, "EXEC @d\nresult[0]: hal.buffer_view\n2xf64=1 9\n")
    assert theirs[0] != 0 or "2xf32" in theirs[1]   # IREE demotes the signature to f32


# ---------------------------------------------------------------------------
# The lit op files (tests/lit/ops_*.mlir) against the real IREE, function by
# function: IREE compiles each file once (llvm-cpu) and runs each
# zero-argument export with iree-run-module; iree-lite runs the file once with
# run-mlir, which prints the same `EXEC @name` block per export. IREE runs with
# --iree-input-demote-f64-to-f32=false: its default demotion of f64 to f32 is
# a known defect that would change every f64 signature (and iree-lite never
# demotes), so f64 is compared as f64.
# ops_check.mlir is left out: its functions return nothing, and check-module
# is not among the reference tools installed.

OPS_FILES = sorted(f[:-5] for f in os.listdir(LIT) if f.startswith("ops_") and f.endswith(".mlir")
                   and f != "ops_check.mlir")
_EXPORT = re.compile(r"^func\.func @(\w+)\(\)[^\n]*\{\n.*?^\}\n", re.M | re.S)

# Functions IREE 3.13's llvm-cpu compiler rejects; each is compiled alone and must still fail.
IREE_REJECTS = {
    ("ops_arith", "remf_negf_f64"): "f64 remf calls fmod, which the embedded linker lacks",
    ("ops_arith", "maxnumf_minnumf_f16"): "f16 maxnumf/minnumf call fmaxf/fminf, which the linker lacks",
    ("ops_math", "log10_erfc_trunc_f32"): "log10f and truncf are not linked; math.erfc is not lowered",
    ("ops_math", "trunc_f16"): "truncf is not linked",
    ("ops_math", "libm_f64"): "f64 cbrt/erf/erfc are not lowered; f64 sin, cos, tanh, ... are not linked",
    ("ops_math", "atan2_f64"): "atan2 is not linked",
    ("ops_linalg_ext", "online_step"): "IREE 3.13 reads online_attention's maps only as <indexing_maps = ..>, "
                                       "not in the {..} form of IREE's e2e tests",
    ("ops_linalg_ext_custom", "matmul_then_scale"): "its llvm-cpu pipeline does not decompose custom_op "
                                                     "(test_linalg_ext_custom runs IREE's own decomposition)",
    ("ops_math", "ipowi"): "math.ipowi on vectors is not lowered",
    ("ops_math", "isinf"): "math.isinf on vectors is not lowered",
    ("ops_tensor", "extract_f16"): "an f16 scalar on the host (arith.extf f16) is not lowered to the VM",
    ("ops_tensor", "from_elements_f16"): "an f16 scalar constant on the host is not lowered to the VM",
    ("ops_tensor", "from_elements_2d"): "a rank-2 from_elements makes an out-of-range stream.async.fill",
    ("ops_tensor", "splat"): "tensor.splat of a run-time scalar is not lowered",
    ("ops_tensor", "generate"): "tensor.generate is not lowered",
    ("ops_linalg", "binary_f32"): "its parser does not know the named element-wise ops (linalg.add, ...)",
    ("ops_linalg", "binary_i32"): "its parser does not know the named element-wise ops (linalg.add, ...)",
    ("ops_linalg", "unary_f32"): "its parser does not know the named element-wise ops (linalg.abs, ...)",
    ("ops_pooling", "max_unread_row"): "dropping the unit output row of a stride-2 pooling whose last input row "
                                       "is never read leaves a linalg.generic its own verifier rejects",
}
# Functions IREE never finishes compiling: not run at all.
IREE_HANGS = {
    ("ops_func", "recursion"): "iree-compile does not terminate on a recursive call",
}
# Functions IREE compiles and runs with a different (wrong) output.
IREE_DIFFERS = {
    ("ops_arith", "float_binary_f16"): "f16 inf-inf and 0/0 give +NaN (x86's default NaN is negative)",
    ("ops_arith", "remf_negf_f16"): "f16 negf of a NaN does not flip its sign",
    ("ops_arith", "float_to_int_saturating"): "out-of-range fptosi/fptoui give INT_MIN or 0 (poison in MLIR); "
                                              "iree-lite saturates and maps NaN to 0, as numpy does",
    ("ops_arith", "index_casts_i8"): "index_castui of an i8 zero-extends its sign-extended i32 register",
    ("ops_math", "negative_zero_f32"): "odd functions (sin, tan, sinh, asinh, atanh, erf, expm1, log1p) of -0 give +0",
    ("ops_math", "negative_zero_f64"): "odd functions of -0 give +0",
    ("ops_math", "negative_zero_f16"): "odd functions of -0 give +0",
    ("ops_math", "large_arguments_f32"): "sin/cos(100) are off in the 6th digit; cbrt(+-inf) is NaN",
    ("ops_math", "nan_f32"): "sqrt(-1) gives +NaN",
    ("ops_math", "nan_f16"): "sqrt(-1) gives +NaN",
    ("ops_math", "binary_f16"): "f16 powf is inexact (2^3 = 8.00781), atan2/copysign round differently",
    ("ops_math", "binary_edges_f32"): "powf(-2, 3) and powf(0, 0) are NaN; atan2(-0, -1) = +pi; atan2(0, 0) is NaN",
    ("ops_math", "fma_f64"): "f64 fma rounds twice",
    ("ops_math", "fpowi_edges"): "fpowi of 0^0 or a negative base is NaN; f16 fpowi is inexact",
    ("ops_tensor", "insert_2d"): "tensor.insert into a rank-2 tensor fills from the index to the end",
}


def _exports(stem):
    return [m.group(1) for m in _EXPORT.finditer(open(os.path.join(LIT, stem + ".mlir")).read())]


def _without(text, keep):
    """The module text with only the exports in `keep` (globals and private functions stay)."""
    for m in list(_EXPORT.finditer(text)):
        if m.group(1) not in keep:
            text = text.replace(m.group(0), "")
    return text


def _split_exec(stdout):
    """run-mlir's output as {function: its `EXEC @f` block}."""
    blocks = re.split(r"^(?=EXEC @)", stdout, flags=re.M)
    return {b.split("\n", 1)[0][len("EXEC @"):]: b for b in blocks if b}


CASES = [(stem, name) for stem in OPS_FILES for name in _exports(stem)]


@pytest.fixture(scope="module")
def ops_runs(reference_iree, tmp_path_factory):
    """Compile every ops file with IREE (and each rejected function alone)
    and run iree-lite once per file, two processes at a time."""
    from concurrent.futures import ThreadPoolExecutor
    d = tmp_path_factory.mktemp("ops")

    def iree_compile(tag, text):
        src, out = d / f"{tag}.mlir", d / f"{tag}.vmfb"
        src.write_text(text)
        proc = subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu",
                               "--iree-input-demote-f64-to-f32=false", str(src), "-o", str(out)],
                              capture_output=True, text=True, timeout=300)
        return tag, (proc.returncode, out, proc.stderr)

    jobs = []
    for stem in OPS_FILES:
        text = open(os.path.join(LIT, stem + ".mlir")).read()
        names = _exports(stem)
        jobs.append((stem, _without(text, [n for n in names if (stem, n) not in IREE_REJECTS | IREE_HANGS.keys()])))
        jobs += [(f"{stem}.{n}", _without(text, [n])) for n in names if (stem, n) in IREE_REJECTS]

    def lite_run(stem):
        return stem, _split_exec(run([*LITE, "run-mlir", "--device=local-task", os.path.join(LIT, stem + ".mlir")])[1])

    with ThreadPoolExecutor(2) as pool:
        lite = pool.map(lite_run, OPS_FILES)
        compiled = dict(pool.map(lambda job: iree_compile(*job), jobs))
        return compiled, dict(lite)


@pytest.mark.parametrize("stem,name", CASES, ids=[f"{s}-{n}" for s, n in CASES])
def test_ops_same_as_iree(ops_runs, reference_iree, stem, name):
    compiled, lite = ops_runs
    if (stem, name) in IREE_HANGS:
        pytest.skip(IREE_HANGS[stem, name])
    if (stem, name) in IREE_REJECTS:
        rc, _, stderr = compiled[f"{stem}.{name}"]
        assert rc != 0, f"IREE now compiles @{name}: drop it from IREE_REJECTS"
        return
    rc, vmfb, stderr = compiled[stem]
    assert rc == 0, stderr
    theirs = run([reference_iree["iree-run-module"], "--device=local-task", f"--module={vmfb}", f"--function={name}"])
    ours = lite[stem][name]
    if (stem, name) in IREE_DIFFERS:
        assert theirs[0] == 0 and theirs[1] != ours, f"IREE now agrees on @{name}: drop it from IREE_DIFFERS"
    else:
        assert theirs == (0, ours)
