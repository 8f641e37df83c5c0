"""Differential tests against the real IREE tools: same programs, same
command lines, byte-identical stdout and the same exit status.

Known IREE defects are expected differences, asserted as such: f64 is
demoted to f32 by IREE, and a matching scalar --expected_output fails there.
"""
import os
import subprocess
import sys

import pytest

LIT = os.path.join(os.path.dirname(__file__), "lit")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

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
    "wide": """
func.func @wide(%a: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %r = math.absf %a : tensor<3x4x5xf32>
  return %r : tensor<3x4x5xf32>
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
    ("wide", ["--input=3x4x5xf32=-1.5", "--output_max_element_count=7"]),
    ("wide", ["--input=3x4x5xf32=-1.5", "--output_max_element_count=0"]),
    ("wide", ["--input=3x4x5xf32=-1.5", "--expected_output=3x4x5xf32=1.5"]),
    ("wide", ["--input=3x4x5xf32=1 2"]),
    ("wide", ["--input=2x4x5xf32=1"]),
    ("wide", []),
]


def run(cmd):
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run(cmd, capture_output=True, timeout=120, env=env)
    return proc.returncode, proc.stdout.decode()


@pytest.fixture(scope="module")
def compiled(reference_iree, tmp_path_factory):
    d = tmp_path_factory.mktemp("ref")
    out = {}
    for name, source in PROGRAMS.items():
        src = d / f"{name}.mlir"
        src.write_text(source)
        theirs, ours = d / f"{name}.iree.vmfb", d / f"{name}.lite.vmfb"
        subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(src),
                        "-o", str(theirs)], check=True, capture_output=True, timeout=300)
        rc, _ = run([sys.executable, "-m", "iree_lite", "compile", str(src), "-o", str(ours)])
        assert rc == 0
        out[name] = (theirs, ours)
    return out


@pytest.mark.parametrize("name,args", RUNS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(RUNS)])
def test_same_output_as_iree(compiled, reference_iree, name, args):
    theirs, ours = compiled[name]
    want = run([reference_iree["iree-run-module"], f"--module={theirs}", f"--function={name}", *args])
    have = run([sys.executable, "-m", "iree_lite", "run-module", f"--module={ours}", f"--function={name}", *args])
    expected_outputs = [a for a in args if a.startswith("--expected_output=")]
    if name == "scalars" or not expected_outputs:
        assert have == want
    else:
        # IREE fails matching scalar expectations ("variant types mismatch");
        # these runs have none, so their output must agree exactly.
        assert have == want


def test_seed_pipeline_same_as_iree(reference_iree, tmp_path):
    outputs = []
    for tool in ([reference_iree["iree-compile"]], [sys.executable, "-m", "iree_lite", "compile"]):
        paths = []
        for name in ("module_a", "module_b", "pipeline_async"):
            path = tmp_path / f"{name}.{len(outputs)}.vmfb"
            subprocess.run([*tool, "--iree-execution-model=async-external", "--iree-hal-target-backends=vmvx",
                            os.path.join(LIT, name + ".mlir"), "-o", str(path)], check=True, capture_output=True,
                           timeout=300, env=dict(os.environ, PYTHONPATH=REPO))
            paths.append(path)
        runner = ([reference_iree["iree-run-module"]] if not outputs else
                  [sys.executable, "-m", "iree_lite", "run-module"])
        outputs.append(run([*runner, "--device=local-task", *(f"--module={p}" for p in paths),
                            "--function=run", "--input=4096xf32=-2.0", "--expected_output=4096xf32=4.0"]))
    assert outputs[0] == outputs[1] == (0, "EXEC @run\n[SUCCESS] all function outputs matched their expected values.\n")


def test_known_defect_scalar_expected_output(compiled, reference_iree):
    """IREE reports a matching scalar as [FAILED]; iree-lite passes it."""
    theirs, ours = compiled["scalars"]
    args = ["--function=scalars", "--input=2", "--input=3", "--input=f32=1", "--expected_output=10.5625",
            "--expected_output=3", "--expected_output=f32=1"]
    want = run([reference_iree["iree-run-module"], f"--module={theirs}", *args])
    have = run([sys.executable, "-m", "iree_lite", "run-module", f"--module={ours}", *args])
    assert want[0] == 1 and "variant types mismatch" in want[1]
    assert have == (0, "EXEC @scalars\n[SUCCESS] all function outputs matched their expected values.\n")


def test_known_defect_f64_is_not_demoted(reference_iree, tmp_path):
    src = tmp_path / "d.mlir"
    src.write_text("func.func @d(%a: tensor<2xf64>) -> tensor<2xf64> {\n"
                   "  %r = arith.mulf %a, %a : tensor<2xf64>\n  return %r : tensor<2xf64>\n}\n")
    subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(src), "-o",
                    str(tmp_path / "t.vmfb")], check=True, capture_output=True, timeout=300)
    run([sys.executable, "-m", "iree_lite", "compile", str(src), "-o", str(tmp_path / "o.vmfb")])
    args = ["--function=d", "--input=2xf64=1.0000001 3"]
    theirs = run([reference_iree["iree-run-module"], f"--module={tmp_path / 't.vmfb'}", *args])
    ours = run([sys.executable, "-m", "iree_lite", "run-module", f"--module={tmp_path / 'o.vmfb'}", *args])
    assert ours == (0, "EXEC @d\nresult[0]: hal.buffer_view\n2xf64=1 9\n")
    assert theirs[0] != 0 or "2xf32" in theirs[1]   # IREE demotes the signature to f32
