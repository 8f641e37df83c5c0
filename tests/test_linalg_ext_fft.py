"""iree_linalg_ext.fft (IREE's StableHLO input conversion emits one per
Cooley-Tukey stage): a whole 8-point FFT of bit-reversed rows from three
stages with coefficients, the same output as the real IREE and as numpy's
FFT, the same bytes on both VMs; stages without coefficients (twiddle
factors computed) against numpy, where IREE 3.13 crashes (a recorded IREE
defect); IREE's errors for malformed uses."""
import subprocess
import textwrap

import numpy as np
import pytest

from tool_runs import compile_both, compile_error, lite_run, run_both, same_on_both

T = "tensor<2x8xf32>"


def stage(result, n, operands, coefficients=None):
    coeff = f", %c{n}r, %c{n}i : index, tensor<{1 << (n - 1)}xf32>, tensor<{1 << (n - 1)}xf32>" \
        if coefficients else " : index"
    return (f"  {result}:2 = iree_linalg_ext.fft ins(%s{n}{coeff}) outs({operands} : {T}, {T}) : {T}, {T}\n")


STAGES = "".join(f"  %s{n} = arith.constant {n} : index\n" for n in (1, 2, 3))


def twiddles(f, n):
    """The f (cos or sin) parts of stage n's twiddle factors, as f32 values."""
    return [float(np.float32(f(-2 * np.pi * j / (1 << n)))) for j in range(1 << (n - 1))]


COEFFICIENTS = "".join(f"  %c{n}{part} = arith.constant dense<{twiddles(f, n)}> : tensor<{1 << (n - 1)}xf32>\n"
                       for n in (1, 2, 3) for part, f in (("r", np.cos), ("i", np.sin)))


def program(coefficients):
    name = "with_coefficients" if coefficients else "computed"
    return (f"func.func @{name}(%re: {T}, %im: {T}) -> ({T}, {T}) {{\n" + STAGES +
            (COEFFICIENTS if coefficients else "") +
            stage("%a", 1, "%re, %im", coefficients) + stage("%b", 2, "%a#0, %a#1", coefficients) +
            stage("%c", 3, "%b#0, %b#1", coefficients) + f"  return %c#0, %c#1 : {T}, {T}\n}}\n")


RE = np.array([[1, 5, 3, 7, 2, 6, 4, 8], [0, 0, 0, 0, 1, 1, 1, 1]], np.float32)
IM = np.array([[0, 1, 0, 1, 2, 0, 0, 3], [0, 0, 0, 0, 0, 0, 0, 0]], np.float32)
ARGS = ["--input=2x8xf32=" + " ".join(str(int(v)) for v in x.flat) for x in (RE, IM)]
BIT_REVERSED = [0, 4, 2, 6, 1, 5, 3, 7]
EXPECTED = ("result[0]: hal.buffer_view\n2x8xf32=[36 -5.70711 -5 -3.70711 -4 -4.29289 -3 -2.29289][4 0 0 0 -4 0 0 0]\n"
            "result[1]: hal.buffer_view\n2x8xf32=[7 12.1924 4 -2.87868 -3 -6.19239 -4 -7.12132][0 0 0 0 0 0 0 0]\n")


def numpy_fft():
    return np.fft.fft((RE + 1j * IM)[:, np.argsort(BIT_REVERSED)], axis=1)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("fft") / "fft.mlir"
    path.write_text(program(True))
    return path


def test_run_mlir_prints_exactly(source):
    rc, out = lite_run("run-mlir", str(source), "--function=with_coefficients", *ARGS)
    assert (rc, out) == (0, f"EXEC @with_coefficients\n{EXPECTED}")


def test_same_output_as_iree(reference_iree, source):
    modules = compile_both(reference_iree, source)
    want, have = run_both(reference_iree, modules, ["--function=with_coefficients", *ARGS])
    assert have == want == (0, f"EXEC @with_coefficients\n{EXPECTED}")


@pytest.mark.parametrize("coefficients", [True, False])
def test_both_vms_agree_with_numpy(both_vms, coefficients):
    native, ref = both_vms(program(coefficients))
    re, im = same_on_both(native, ref, "with_coefficients" if coefficients else "computed", [RE, IM])
    np.testing.assert_allclose(re + 1j * im, numpy_fft(), rtol=1e-5, atol=1e-5)


def test_iree_still_crashes_without_coefficients(reference_iree, tmp_path):
    """IREE 3.13 crashes compiling an fft stage without coefficients for
    llvm-cpu (a signal, not an error); iree-lite computes the twiddle
    factors as IREE's decomposition would."""
    path = tmp_path / "computed.mlir"
    path.write_text(program(False))
    proc = subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(path), "-o",
                           str(tmp_path / "computed.vmfb")], capture_output=True, text=True, timeout=300)
    assert proc.returncode not in (0, 1) and "error:" not in proc.stderr


def test_a_stage_computed_at_run_time_gives_iree_output(reference_iree, tmp_path):
    """IREE reports "non-constant stage might not work" but compiles the
    program, and it works; so does iree-lite's."""
    path = tmp_path / "dynamic.mlir"
    path.write_text(textwrap.dedent("""\
        func.func @f(%re: tensor<8xf32>, %im: tensor<8xf32>, %n: index) -> (tensor<8xf32>, tensor<8xf32>) {
          %s = arith.addi %n, %n : index
          %r:2 = iree_linalg_ext.fft ins(%s : index) outs(%re, %im : tensor<8xf32>, tensor<8xf32>)
              : tensor<8xf32>, tensor<8xf32>
          return %r#0, %r#1 : tensor<8xf32>, tensor<8xf32>
        }"""))
    modules = compile_both(reference_iree, path)
    want, have = run_both(reference_iree, modules, ["--function=f", "--input=8xf32=1 2 3 4 5 6 7 8",
                                                    "--input=8xf32=0", "--input=1"])
    assert have == want == (0, "EXEC @f\nresult[0]: hal.buffer_view\n8xf32=4 2 -2 2 12 6 -2 6\n"
                            "result[1]: hal.buffer_view\n8xf32=0 -4 0 4 0 -8 0 8\n")


def test_a_length_not_a_power_of_two_is_iree_error(reference_iree, tmp_path):
    t = "tensor<6xf32>"
    src = textwrap.dedent(f"""\
        func.func @f(%re: {t}, %im: {t}) -> ({t}, {t}) {{
          %s = arith.constant 1 : index
          %r:2 = iree_linalg_ext.fft ins(%s : index) outs(%re, %im : {t}, {t}) : {t}, {t}
          return %r#0, %r#1 : {t}, {t}
        }}""")
    message = "'iree_linalg_ext.fft' op only powers of 2 are handled currently"
    assert compile_error(src) == f"t.mlir:3:10: error: {message}"
    path = tmp_path / "t.mlir"
    path.write_text(src)
    proc = subprocess.run([reference_iree["iree-compile"], "--compile-to=input", str(path)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 1 and proc.stderr.startswith(f"{path}:3:10: error: {message}")
