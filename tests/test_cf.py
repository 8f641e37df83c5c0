"""cf.assert: the call fails (FAILED_PRECONDITION) naming the assertion's
location and message when its condition is false, on both VMs and inside
scf regions; the same run-module output and status as IREE."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError
from tool_runs import as_buffer, compile_both, run_both

CHECKED = """func.func @f(%x: tensor<3xf32>, %n: index) -> f32 {
  %c3 = arith.constant 3 : index
  %ok = arith.cmpi ult, %n, %c3 : index
  cf.assert %ok, "index \\"n\\" out of range"
  %v = tensor.extract %x[%n] : tensor<3xf32>
  return %v : f32
}
"""

IN_LOOP = """func.func @f(%x: tensor<4xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %z = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (i32) {
    %v = tensor.extract %x[%i] : tensor<4xi32>
    %pos = arith.cmpi sge, %v, %z : i32
    cf.assert %pos, "negative element"
    %a = arith.addi %acc, %v : i32
    scf.yield %a : i32
  }
  return %s : i32
}
"""


def test_assertion_passes_or_names_its_location_and_message(both_vms):
    x = np.array([1, 2, 3], np.float32)
    for vm in both_vms(CHECKED, "a.mlir", "local-task", 2):
        args = (lambda n: [x, n]) if not isinstance(vm, interp.Context) else (lambda n: [as_buffer(x), n])
        assert float(np.asarray(vm.invoke("f", args(2))[0])) == 3
        with pytest.raises(VMError, match=r'^FAILED_PRECONDITION; a\.mlir:4:3: index "n" out of range'):
            vm.invoke("f", args(3))


def test_assertion_inside_a_loop(both_vms):
    for vm in both_vms(IN_LOOP, "a.mlir", "local-task", 2):
        def call(values):
            a = np.array(values, np.int32)
            return vm.invoke("f", [as_buffer(a) if isinstance(vm, interp.Context) else a])
        assert int(np.asarray(call([1, 2, 3, 4])[0])) == 10
        with pytest.raises(VMError, match=r"^FAILED_PRECONDITION; a\.mlir:9:5: negative element"):
            call([1, 2, -3, 4])


@pytest.mark.parametrize("line,message", [
    ('cf.assert %n, "m"', "use of value '%n' expects different type than prior uses: 'i1' vs 'index'"),
    ("cf.assert %ok, 3", "expected the assertion's message, a string"),
])
def test_assertion_errors(line, message):
    src = CHECKED.replace('cf.assert %ok, "index \\"n\\" out of range"', line)
    with pytest.raises(Diagnostic, match=message):
        compile_module(src, "bad.mlir")


def test_assertion_same_output_and_status_as_iree(reference_iree, tmp_path):
    src = tmp_path / "a.mlir"
    src.write_text(CHECKED.replace("-> f32", "-> tensor<3xf32>").replace(
        "  %v = tensor.extract %x[%n] : tensor<3xf32>\n  return %v : f32",
        "  %v = arith.addf %x, %x : tensor<3xf32>\n  return %v : tensor<3xf32>"))
    modules = compile_both(reference_iree, src)
    for n in ("1", "3"):
        want, have = run_both(reference_iree, modules, ["--function=f", "--input=3xf32=1 2 3", f"--input={n}"])
        assert have == want
        assert want[0] == (0 if n == "1" else 1)
