"""check.expect_*: the Cython VM and the reference interpreter fail the
same checks with the same message (location and values)."""
import pytest

from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError

SOURCE = """
func.func @eq_ok() {
  %a = util.unfoldable_constant dense<[1, 2]> : tensor<2xi64>
  check.expect_eq_const(%a, dense<[1, 2]> : tensor<2xi64>) : tensor<2xi64>
  return
}
func.func @eq_bad() {
  %a = util.unfoldable_constant dense<[1.5, 2.0]> : tensor<2xf64>
  %b = util.unfoldable_constant dense<[1.5, 2.5]> : tensor<2xf64>
  check.expect_eq(%a, %b) : tensor<2xf64>
  return
}
func.func @almost_ok() {
  %a = util.unfoldable_constant dense<[1.0, 0x7FC00000, 0x7F800000]> : tensor<3xf32>
  check.expect_almost_eq_const(%a, dense<[1.00001, 0x7FC00000, 0x7F800000]> : tensor<3xf32>) : tensor<3xf32>
  return
}
func.func @almost_bad() {
  %a = util.unfoldable_constant dense<[1.0, 2.0]> : tensor<2xf32>
  check.expect_almost_eq_const(%a, dense<[1.0, 2.1]> : tensor<2xf32>) {atol = 0.01 : f32} : tensor<2xf32>
  return
}
func.func @shape_bad() {
  %a = util.unfoldable_constant dense<1> : tensor<2xi8>
  %b = util.unfoldable_constant dense<1> : tensor<2xi8>
  %c = arith.addi %a, %b : tensor<2xi8>
  check.expect_eq_const(%c, dense<[2, 3]> : tensor<2xi8>) : tensor<2xi8>
  return
}
func.func @false_bad() {
  %t = arith.constant 1 : i32
  check.expect_false(%t) : i32
  return
}
func.func @half_almost_ok() {
  %a = util.unfoldable_constant dense<[1.0, 2.0, 0x7E00]> : tensor<3xf16>
  check.expect_almost_eq_const(%a, dense<[1.0004, 2.001, 0x7E00]> : tensor<3xf16>) {atol = 0.002 : f32} : tensor<3xf16>
  return
}
func.func @half_almost_bad() {
  %a = util.unfoldable_constant dense<[1.0, 2.0]> : tensor<2xbf16>
  check.expect_almost_eq_const(%a, dense<[1.0, 2.015625]> : tensor<2xbf16>) : tensor<2xbf16>
  return
}
func.func @half_eq_bad() {
  %a = util.unfoldable_constant dense<[0.5, 3.0]> : tensor<2xf16>
  check.expect_eq_const(%a, dense<[0.5, 3.002]> : tensor<2xf16>) : tensor<2xf16>
  return
}
func.func @f16_almost_ok() {
  %a = util.unfoldable_constant dense<[1.0, 2.5, 0x7E00]> : tensor<3xf16>
  check.expect_almost_eq_const(%a, dense<[1.0, 2.5, 0x7E00]> : tensor<3xf16>) : tensor<3xf16>
  return
}
func.func @f16_almost_bad() {
  %a = util.unfoldable_constant dense<[1.0, 2.5]> : tensor<2xf16>
  check.expect_almost_eq_const(%a, dense<[1.0, 2.501]> : tensor<2xf16>) : tensor<2xf16>
  return
}
func.func @f16_atol_ok() {
  %a = util.unfoldable_constant dense<[4.0]> : tensor<1xf16>
  check.expect_almost_eq_const(%a, dense<[4.004]> : tensor<1xf16>, atol 1.0e-2) : tensor<1xf16>
  return
}
func.func @bf16_eq_bad() {
  %a = util.unfoldable_constant dense<[3.0, 1.5]> : tensor<2xbf16>
  check.expect_eq_const(%a, dense<[3.0, 1.0]> : tensor<2xbf16>) : tensor<2xbf16>
  return
}
func.func @bf16_eq_ok() {
  %a = util.unfoldable_constant dense<[3.0, -0.5]> : tensor<2xbf16>
  check.expect_eq_const(%a, dense<[3.0, -0.5]> : tensor<2xbf16>) : tensor<2xbf16>
  return
}
"""

CASES = {"eq_ok": None, "almost_ok": None,
         "eq_bad": "FAILED_PRECONDITION; t.mlir:10:3: element at index 1 (2) does not match the expected (2.5)",
         "almost_bad": "FAILED_PRECONDITION; t.mlir:20:3: element at index 1 (2) does not match the expected (2.1)",
         "shape_bad": "FAILED_PRECONDITION; t.mlir:27:3: element at index 1 (2) does not match the expected (3)",
         "false_bad": "FAILED_PRECONDITION; t.mlir:32:3: expected false, got 1", "half_almost_ok": None,
         "half_almost_bad": "FAILED_PRECONDITION; t.mlir:42:3: element at index 1 (2) does not match the expected "
                            "(2.01562)",
         "half_eq_bad": "FAILED_PRECONDITION; t.mlir:47:3: element at index 1 (3) does not match the expected "
                        "(3.00195)",
         "f16_almost_ok": None, "f16_atol_ok": None, "bf16_eq_ok": None,
         # 2.501 is 2.50195 in f16, a step above 2.5: beyond the default atol 1e-4
         "f16_almost_bad": "FAILED_PRECONDITION; t.mlir:57:3: element at index 1 (2.5) does not "
                           "match the expected (2.50195)",
         "bf16_eq_bad": "FAILED_PRECONDITION; t.mlir:67:3: element at index 1 (1.5) does not match "
                        "the expected (1)"}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("model", ["host-only", "async-external"])
def test_checks_fail_alike_in_both_vms(name, model):
    module = compile_module(SOURCE, "t.mlir", model)
    ref = interp.Context()
    ref.load(module)
    ctx = Context("local-task", 2)
    ctx.load(module)
    outcomes = []
    for vm in (ref, ctx):
        try:
            vm.invoke(name, [])
            outcomes.append(None)
        except VMError as e:
            outcomes.append(str(e).replace("; waiting on finish fence", ""))
    assert outcomes == [CASES[name]] * 2
