// Every check op, run by check-module: each zero-argument export is a test.
// Each op passes once and fails once; a failure names its location and values.
// RUN: iree-compile %s -o=%t.vmfb
// RUN: not iree-check-module --device=local-sync --module=%t.vmfb | FileCheck %s
// RUN: iree-compile --iree-execution-model=async-external %s -o=%t.async.vmfb
// RUN: not iree-check-module --device=local-task --module=%t.async.vmfb | FileCheck %s

// CHECK: [ RUN      ] ops_check.passes
// CHECK-NEXT: [       OK ] ops_check.passes
func.func @passes() {
  %t = util.unfoldable_constant 7 : i32
  check.expect_true(%t) : i32
  %f = util.unfoldable_constant 0 : i32
  check.expect_false(%f) : i32
  %a = util.unfoldable_constant dense<[-128, 0, 127]> : tensor<3xi8>
  %b = util.unfoldable_constant dense<[-128, 0, 127]> : tensor<3xi8>
  check.expect_eq(%a, %b) : tensor<3xi8>
  %l = util.unfoldable_constant dense<[[9223372036854775807], [-1]]> : tensor<2x1xi64>
  check.expect_eq_const(%l, dense<[[9223372036854775807], [-1]]> : tensor<2x1xi64>) : tensor<2x1xi64>
  %x = util.unfoldable_constant dense<[1.0, 0x7FC00000, -2.0]> : tensor<3xf32>
  %y = util.unfoldable_constant dense<[1.00005, 0x7FC00000, -2.00009]> : tensor<3xf32>
  check.expect_almost_eq(%x, %y) : tensor<3xf32>
  %d = util.unfoldable_constant dense<[0.1, 1.0e10]> : tensor<2xf64>
  check.expect_almost_eq_const(%d, dense<[0.1002, 1.00001e10]> : tensor<2xf64>) {atol = 1.0e-3 : f32, rtol = 1.0e-5 : f32} : tensor<2xf64>
  return
}

// CHECK: [ RUN      ] ops_check.true_fails
// CHECK-NEXT: FAILED_PRECONDITION; {{.*}}ops_check.mlir:33:3: expected true, got 0
// CHECK-NEXT: [  FAILED  ] ops_check.true_fails
func.func @true_fails() {
  %f = util.unfoldable_constant 0 : i32
  check.expect_true(%f) : i32
  return
}

// CHECK: [ RUN      ] ops_check.false_fails
// CHECK-NEXT: FAILED_PRECONDITION; {{.*}}ops_check.mlir:42:3: expected false, got -3
// CHECK-NEXT: [  FAILED  ] ops_check.false_fails
func.func @false_fails() {
  %t = util.unfoldable_constant -3 : i32
  check.expect_false(%t) : i32
  return
}

// CHECK: [ RUN      ] ops_check.eq_fails
// CHECK-NEXT: FAILED_PRECONDITION; {{.*}}ops_check.mlir:52:3: element at index 2 (127) does not match the expected (-128)
// CHECK-NEXT: [  FAILED  ] ops_check.eq_fails
func.func @eq_fails() {
  %a = util.unfoldable_constant dense<[-128, 0, 127]> : tensor<3xi8>
  %b = util.unfoldable_constant dense<[-128, 0, -128]> : tensor<3xi8>
  check.expect_eq(%a, %b) : tensor<3xi8>
  return
}

// CHECK: [ RUN      ] ops_check.eq_const_fails
// CHECK-NEXT: FAILED_PRECONDITION; {{.*}}ops_check.mlir:61:3: element at index 0 (9223372036854775807) does not match the expected (-9223372036854775808)
// CHECK-NEXT: [  FAILED  ] ops_check.eq_const_fails
func.func @eq_const_fails() {
  %l = util.unfoldable_constant dense<[[9223372036854775807], [-1]]> : tensor<2x1xi64>
  check.expect_eq_const(%l, dense<[[-9223372036854775808], [-1]]> : tensor<2x1xi64>) : tensor<2x1xi64>
  return
}

// The default tolerance is atol 1e-4: 2.0002 is too far from 2.
// CHECK: [ RUN      ] ops_check.almost_eq_fails
// CHECK-NEXT: FAILED_PRECONDITION; {{.*}}ops_check.mlir:72:3: element at index 1 (2) does not match the expected (2.0002)
// CHECK-NEXT: [  FAILED  ] ops_check.almost_eq_fails
func.func @almost_eq_fails() {
  %x = util.unfoldable_constant dense<[1.0, 2.0]> : tensor<2xf32>
  %y = util.unfoldable_constant dense<[1.0, 2.0002]> : tensor<2xf32>
  check.expect_almost_eq(%x, %y) : tensor<2xf32>
  return
}

// NaN matches only NaN.
// CHECK: [ RUN      ] ops_check.almost_eq_const_fails
// CHECK-NEXT: FAILED_PRECONDITION; {{.*}}ops_check.mlir:82:3: element at index 0 (nan) does not match the expected (0)
// CHECK-NEXT: [  FAILED  ] ops_check.almost_eq_const_fails
func.func @almost_eq_const_fails() {
  %d = util.unfoldable_constant dense<[0x7FF8000000000000, 1.0]> : tensor<2xf64>
  check.expect_almost_eq_const(%d, dense<[0.0, 1.0]> : tensor<2xf64>) : tensor<2xf64>
  return
}

// CHECK: [==========] 7 tests ran.
// CHECK-NEXT: [  PASSED  ] 1 tests.
// CHECK-NEXT: [  FAILED  ] 6 tests, listed below:
