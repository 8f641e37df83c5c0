// Written the way IREE's own e2e tests are: check.expect_* functions over
// linalg, tensor, arith and math ops. Every test must pass.
// RUN: iree-compile %s -o=%t.vmfb
// RUN: iree-check-module --module=%t.vmfb | FileCheck %s
// RUN: iree-check-module --device=local-sync --module=%t.vmfb | FileCheck %s
// RUN: iree-run-mlir %s | FileCheck %s --check-prefix=MLIR

// CHECK: [==========] 5 tests ran.
// CHECK-NEXT: [  PASSED  ] 5 tests.
// MLIR-COUNT-5: EXEC @

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

func.func @bias_relu() {
  %x = util.unfoldable_constant dense<[[-1.0, 2.0, -3.0], [4.0, -5.0, 6.0]]> : tensor<2x3xf32>
  %b = util.unfoldable_constant dense<[0.5, -1.0, 4.0]> : tensor<3xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<2x3xf32>
  %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<2x3xf32>, tensor<3xf32>) outs(%init : tensor<2x3xf32>) {
  ^bb0(%v: f32, %bias: f32, %out: f32):
    %s = arith.addf %v, %bias : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x3xf32>
  check.expect_almost_eq_const(%r, dense<[[0.0, 1.0, 1.0], [4.5, 0.0, 10.0]]> : tensor<2x3xf32>) : tensor<2x3xf32>
  return
}

func.func @transpose_and_reshape() {
  %x = util.unfoldable_constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %e = tensor.empty() : tensor<3x2xi32>
  %t = linalg.transpose ins(%x : tensor<2x3xi32>) outs(%e : tensor<3x2xi32>) permutation = [1, 0]
  %f = tensor.collapse_shape %t [[0, 1]] : tensor<3x2xi32> into tensor<6xi32>
  check.expect_eq_const(%f, dense<[1, 4, 2, 5, 3, 6]> : tensor<6xi32>) : tensor<6xi32>
  return
}

func.func @casts_and_compare() {
  %x = util.unfoldable_constant dense<[-1.5, 2.7, 300.2]> : tensor<3xf32>
  %i = arith.fptosi %x : tensor<3xf32> to tensor<3xi32>
  check.expect_eq_const(%i, dense<[-1, 2, 300]> : tensor<3xi32>) : tensor<3xi32>
  %h = arith.truncf %x : tensor<3xf32> to tensor<3xf16>
  %back = arith.extf %h : tensor<3xf16> to tensor<3xf32>
  check.expect_almost_eq(%back, %x) {atol = 0.2 : f32} : tensor<3xf32>
  return
}

func.func @loop_and_extract() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %v = util.unfoldable_constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> (f32) {
    %e = tensor.extract %v[%i] : tensor<4xf32>
    %n = arith.addf %acc, %e : f32
    scf.yield %n : f32
  }
  %t = tensor.from_elements %sum : tensor<1xf32>
  check.expect_almost_eq_const(%t, dense<10.0> : tensor<1xf32>) : tensor<1xf32>
  return
}

func.func @math_functions() {
  %x = util.unfoldable_constant dense<[0.0, 1.0, 4.0]> : tensor<3xf64>
  %s = math.sqrt %x : tensor<3xf64>
  %e = math.exp %x : tensor<3xf64>
  %l = math.log1p %e : tensor<3xf64>
  check.expect_almost_eq_const(%s, dense<[0.0, 1.0, 2.0]> : tensor<3xf64>) : tensor<3xf64>
  check.expect_almost_eq_const(%l, dense<[0.693147, 1.313262, 4.018150]> : tensor<3xf64>) : tensor<3xf64>
  return
}
