// check-module runs every zero-argument export as a test and fails on a
// failed check.expect_*, naming its location and values.
// RUN: iree-compile %s -o=%t.vmfb
// RUN: not iree-check-module --module=%t.vmfb | FileCheck %s
// RUN: not iree-check-module --device=local-sync --module=%t.vmfb | FileCheck %s

// CHECK: [ RUN      ] check_module.passes
// CHECK-NEXT: [       OK ] check_module.passes
func.func @passes() {
  %a = util.unfoldable_constant dense<[1.0, -2.0, 4.0]> : tensor<3xf32>
  %b = arith.mulf %a, %a : tensor<3xf32>
  check.expect_almost_eq_const(%b, dense<[1.0, 4.0, 16.0]> : tensor<3xf32>) : tensor<3xf32>
  %i = util.unfoldable_constant dense<[7, -7]> : tensor<2xi32>
  %two = arith.constant dense<2> : tensor<2xi32>
  %q = arith.divsi %i, %two : tensor<2xi32>
  check.expect_eq_const(%q, dense<[3, -3]> : tensor<2xi32>) : tensor<2xi32>
  %t = arith.constant 1 : i32
  check.expect_true(%t) : i32
  return
}

// CHECK: [ RUN      ] check_module.wrong_value
// CHECK-NEXT: FAILED_PRECONDITION; {{.*}}check_module.mlir:27:3: element at index 1 (-4) does not match the expected (4)
// CHECK-NEXT: [  FAILED  ] check_module.wrong_value
func.func @wrong_value() {
  %a = util.unfoldable_constant dense<[2, -4]> : tensor<2xi32>
  check.expect_eq_const(%a, dense<[2, 4]> : tensor<2xi32>) : tensor<2xi32>
  return
}

// CHECK: [ RUN      ] check_module.divides_by_zero
// CHECK-NEXT: OUT_OF_RANGE; 'arith.divsi': integer division by zero
// CHECK-NEXT: [  FAILED  ] check_module.divides_by_zero
func.func @divides_by_zero() {
  %a = util.unfoldable_constant dense<[2, 4]> : tensor<2xi32>
  %z = util.unfoldable_constant dense<[1, 0]> : tensor<2xi32>
  %q = arith.divsi %a, %z : tensor<2xi32>
  check.expect_eq(%q, %q) : tensor<2xi32>
  return
}

// CHECK: [==========] 3 tests ran.
// CHECK-NEXT: [  PASSED  ] 1 tests.
// CHECK-NEXT: [  FAILED  ] 2 tests, listed below:
