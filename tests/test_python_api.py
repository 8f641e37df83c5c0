"""The Python API as IREE's users write it (iree.compiler's compile_str /
compile_file, iree.runtime's load_vm_flatbuffer with callable exports and
DeviceArray results), its public names and the numpy dtypes it takes."""
import os
import subprocess
import sys

import numpy as np
import pytest

import iree_lite
from iree_lite.api import BoundModule, DeviceArray

SOURCE = """func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = math.absf %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @pair(%x: tensor<2xi8>, %s: i32) -> (tensor<2xi8>, i32) {
  %y = arith.addi %x, %x : tensor<2xi8>
  %t = arith.muli %s, %s : i32
  return %y, %t : tensor<2xi8>, i32
}
func.func @nothing() {
  return
}
func.func @flags(%b: tensor<3xi1>, %h: tensor<2xf16>) -> (tensor<3xi1>, tensor<2xf16>) {
  %n = arith.xori %b, %b : tensor<3xi1>
  %h2 = arith.addf %h, %h : tensor<2xf16>
  return %n, %h2 : tensor<3xi1>, tensor<2xf16>
}
"""
X = np.array([-1.5, 2, -3, 4], np.float32)


@pytest.fixture(scope="module")
def module():
    return iree_lite.load_vm_flatbuffer(iree_lite.compile_str(SOURCE, target_backends=["llvm-cpu"]),
                                        backend="llvm-cpu")


def test_compile_str_takes_irees_keywords(tmp_path):
    blob = iree_lite.compile_str(SOURCE, target_backends=["llvm-cpu"], input_type="auto",
                                 extra_args=["--iree-llvmcpu-target-cpu=host", "--mlir-print-debuginfo"])
    assert blob == iree_lite.compile_str(SOURCE)
    out = tmp_path / "m.vmfb"
    assert iree_lite.compile_str(SOURCE.encode(), output_file=str(out)) is None
    assert out.read_bytes() == blob


def test_compile_file(tmp_path):
    src = tmp_path / "m.mlir"
    src.write_text(SOURCE)
    m = iree_lite.load_vm_flatbuffer(iree_lite.compile_file(src, extra_args=["--iree-execution-model=async-external"]))
    np.testing.assert_array_equal(m.f(X).to_host(), np.abs(X))


@pytest.mark.parametrize("kwargs, error", [
    ({"extra_args": ["--no-such-flag"]}, "unrecognized arguments: --no-such-flag"),
    ({"target_backends": ["cuda"]}, "target backend 'cuda' not registered; registered backends: [vmvx, llvm-cpu]"),
    ({"extra_args": ["--iree-hal-target-device=cuda"]}, "target device 'cuda' not registered; registered devices: [local]"),
    ({"extra_args": ["--compile-to=hal"]},
     "--compile-to=hal: iree-lite has no such phase: its kernels are built with its bytecode (phases it prints: "
     "start, input, abi, preprocessing, global-optimization, dispatch-creation, flow, stream)"),
])
def test_bad_compiler_flags_raise_compiler_tool_error(kwargs, error):
    with pytest.raises(iree_lite.CompilerToolError) as e:
        iree_lite.compile_str(SOURCE, **kwargs)
    assert str(e.value) == error


def test_a_source_error_raises_a_located_diagnostic():
    with pytest.raises(iree_lite.Diagnostic) as e:
        iree_lite.compile_str("func.func @f() {\n  return %x : f32\n}\n", "bad.mlir")
    assert str(e.value).startswith("bad.mlir:2:10: error: use of undeclared SSA value name '%x'")


def test_exports_are_callable_and_results_are_device_arrays(module):
    assert isinstance(module, BoundModule) and module.exports == ["f", "pair", "nothing", "flags"]
    y = module.f(X)
    assert isinstance(y, DeviceArray) and y.shape == (4,) and y.dtype == np.float32
    host = y.to_host()
    np.testing.assert_array_equal(host, np.abs(X))
    assert np.shares_memory(host, np.asarray(y))     # no copy: both views of the VM's buffer
    np.testing.assert_array_equal(np.asarray(module["f"](y)), np.abs(X))   # a result is an argument too
    assert module.nothing() is None
    pair = module.pair(np.array([3, -4], np.int8), 7)
    assert isinstance(pair, tuple) and pair[1] == 49
    np.testing.assert_array_equal(pair[0].to_host(), np.array([6, -8], np.int8))


def test_numpy_dtypes(module):
    # Unsigned arrays for signless integers keep their bits.
    (y, t) = module.pair(np.array([200, 1], np.uint8), 3)
    assert y.to_host().view(np.uint8).tolist() == [144, 2] and t == 9
    b, h = module.flags(np.array([True, False, True]), np.array([1.5, -2.25], np.float16))
    assert b.to_host().tolist() == [False, False, False]
    assert h.to_host().dtype == np.float16 and h.to_host().tolist() == [3.0, -4.5]
    with pytest.raises(iree_lite.VMError) as e:
        module.f(X.astype(np.complex64))
    assert str(e.value) == ("INVALID_ARGUMENT; unsupported array dtype complex64 (complex numbers are not an "
                            "element type iree-lite has)")


def test_bfloat16_via_ml_dtypes():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    m = iree_lite.load_vm_flatbuffer(iree_lite.compile_str(
        "func.func @g(%x: tensor<2xbf16>) -> tensor<2xbf16> {\n"
        "  %y = arith.addf %x, %x : tensor<2xbf16>\n  return %y : tensor<2xbf16>\n}\n"), driver="local-sync")
    y = m.g(np.array([1.5, -3], ml_dtypes.bfloat16))
    assert np.asarray(y).view(np.uint16).tolist() == np.array([3, -6], ml_dtypes.bfloat16).view(np.uint16).tolist()


def test_unknown_export_driver_or_backend(module):
    with pytest.raises(AttributeError, match=r"module '<string>' has no export 'g' \(its exports: f, pair, "):
        module.g
    with pytest.raises(ValueError, match="unknown driver 'cuda'"):
        iree_lite.load_vm_flatbuffer(b"", driver="cuda")
    with pytest.raises(ValueError, match="Cannot specify both"):
        iree_lite.load_vm_flatbuffer(b"", driver="local-task", backend="vmvx")
    with pytest.raises(iree_lite.VMError, match="not an iree-lite module"):
        iree_lite.load_vm_flatbuffer(b"x" * 64)


def test_load_from_a_path(tmp_path):
    path = tmp_path / "m.vmfb"
    iree_lite.compile_str(SOURCE, output_file=str(path))
    for m in (iree_lite.load_vm_flatbuffer(path), iree_lite.load_vm_flatbuffer_file(str(path), driver="local-sync")):
        np.testing.assert_array_equal(np.asarray(m.f(X)), np.abs(X))


def test_public_names_come_from_the_package_root():
    for name in iree_lite.__all__:
        assert getattr(iree_lite, name) is not None
    assert iree_lite.Context.__module__ == "iree_lite.runtime.context"
    assert issubclass(iree_lite.VMError, Exception) and issubclass(iree_lite.Diagnostic, Exception)
    assert os.path.exists(os.path.join(os.path.dirname(iree_lite.__file__), "py.typed"))


def test_benchmark_module_gives_the_clis_rows(module):
    rows = iree_lite.benchmark_module(module, "f", [X], repetitions=3, min_time="4x", time_unit="us")
    assert [r["name"] for r in rows] == ["BM_f/process_time/real_time"] * 3 + [
        f"BM_f/process_time/real_time_{a}" for a in ("mean", "median", "stddev", "cv")]
    assert [r["iterations"] for r in rows[:3]] == [4, 4, 4] and {r["time_unit"] for r in rows} == {"us"}


SCRIPT = """
import numpy as np
{imports}
src = '''{source}'''
blob = ireec.compile_str(src, target_backends=["llvm-cpu"], extra_args=["--iree-llvmcpu-target-cpu=host"])
m = ireert.load_vm_flatbuffer(blob, driver="local-task")
r = m.f(np.array([-1.5, 2, -3, 4], np.float32))
print(type(r).__name__, r.to_host().tolist(), np.asarray(r).dtype)
"""
IREE_IMPORTS = "import iree.compiler as ireec\nimport iree.runtime as ireert"
LITE_IMPORTS = "import iree_lite as ireec\nimport iree_lite as ireert"


def test_an_iree_script_runs_after_changing_its_imports(reference_iree, tmp_path):
    outputs = []
    for imports in (IREE_IMPORTS, LITE_IMPORTS):
        script = tmp_path / "s.py"
        script.write_text(SCRIPT.format(imports=imports, source=SOURCE.split("func.func @pair")[0]))
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, timeout=300, text=True,
                              env=dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(iree_lite.__file__))))
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1] == "DeviceArray [1.5, 2.0, 3.0, 4.0] float32\n"
