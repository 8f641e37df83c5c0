// func.func, func.call and func.return (and the short forms `call` and
// `return`), with FileCheck on the printed results. Expected values were
// computed by hand.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

func.func private @scale(%t: tensor<3xf32>, %k: f32) -> (tensor<3xf32>, f32) {
  %s = tensor.from_elements %k, %k, %k : tensor<3xf32>
  %r = arith.mulf %t, %s : tensor<3xf32>
  %k2 = arith.mulf %k, %k : f32
  func.return %r, %k2 : tensor<3xf32>, f32
}

func.func private @fact(%n: i64) -> i64 {
  %one = arith.constant 1 : i64
  %done = arith.cmpi sle, %n, %one : i64
  %r = scf.if %done -> (i64) {
    scf.yield %one : i64
  } else {
    %m = arith.subi %n, %one : i64
    %f = func.call @fact(%m) : (i64) -> i64
    %p = arith.muli %n, %f : i64
    scf.yield %p : i64
  }
  return %r : i64
}

func.func private @nothing() {
  return
}

// A private function with two results; a call with no results; the short
// forms.
// CHECK-LABEL: EXEC @calls
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xf32=-3 0.5 -0
// CHECK-NEXT: result[1]: f32=6.25
func.func @calls() -> (tensor<3xf32>, f32) {
  %t = util.unfoldable_constant dense<[1.2, -0.2, 0.0]> : tensor<3xf32>
  %k = util.unfoldable_constant -2.5 : f32
  %r:2 = func.call @scale(%t, %k) : (tensor<3xf32>, f32) -> (tensor<3xf32>, f32)
  func.call @nothing() : () -> ()
  func.return %r#0, %r#1 : tensor<3xf32>, f32
}

// Recursion: 20! fits in i64; 0! is 1.
// CHECK-LABEL: EXEC @recursion
// CHECK-NEXT: result[0]: i64=2432902008176640000
// CHECK-NEXT: result[1]: i64=1
func.func @recursion() -> (i64, i64) {
  %n = util.unfoldable_constant 20 : i64
  %f = call @fact(%n) : (i64) -> i64
  %z = util.unfoldable_constant 0 : i64
  %f0 = func.call @fact(%z) : (i64) -> i64
  return %f, %f0 : i64, i64
}

// A public function that takes arguments is not run by iree-run-mlir without
// inputs; a zero-argument export calling it is.
func.func @add(%a: tensor<2xi32>, %b: tensor<2xi32>) -> tensor<2xi32> {
  %s = arith.addi %a, %b : tensor<2xi32>
  return %s : tensor<2xi32>
}

// CHECK-LABEL: EXEC @calls_public
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2xi32=-2147483648 0
// CHECK-NOT: EXEC @add
func.func @calls_public() -> tensor<2xi32> {
  %a = util.unfoldable_constant dense<[2147483647, -5]> : tensor<2xi32>
  %b = util.unfoldable_constant dense<[1, 5]> : tensor<2xi32>
  %s = call @add(%a, %b) : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %s : tensor<2xi32>
}
