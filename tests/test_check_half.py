"""check.expect_eq / expect_almost_eq on f16 and bf16 values: compared as the
values they hold (IREE's check module widens them), failing alike on both VMs."""
import pytest

from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError

SOURCE = """
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

CASES = {"f16_almost_ok": None, "f16_atol_ok": None, "bf16_eq_ok": None,
         # 2.501 is 2.50195 in f16, a step above 2.5: beyond the default atol 1e-4
         "f16_almost_bad": "FAILED_PRECONDITION; t.mlir:9:3: element at index 1 (2.5) does not match the "
                           "expected (2.50195)",
         "bf16_eq_bad": "FAILED_PRECONDITION; t.mlir:19:3: element at index 1 (1.5) does not match the expected (1)"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_half_checks_alike_in_both_vms(name):
    module = compile_module(SOURCE, "t.mlir", "host-only")
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
            outcomes.append(str(e))
    assert outcomes == [CASES[name]] * 2
