// Every util op, with FileCheck on the printed results: globals (with an
// initializer), util.func/call/return, optimization_barrier and
// unfoldable_constant. Expected values were computed by hand.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

util.global private mutable @counter = 5 : i32
util.global private @table = dense<[1.5, -2.5]> : tensor<2xf32>
util.global private mutable @doubled : tensor<2xf32>
util.global private mutable @wide = -9223372036854775808 : i64

// The initializer runs when the module loads: @doubled = @table + @table.
util.initializer {
  %t = util.global.load @table : tensor<2xf32>
  %d = arith.addf %t, %t : tensor<2xf32>
  util.global.store %d, @doubled : tensor<2xf32>
  util.return
}

util.func private @twice(%x: i32) -> i32 {
  %r = arith.addi %x, %x : i32
  util.return %r : i32
}

// Each function reads and writes the globals once, so the results do not
// depend on which functions ran before it.
// CHECK-LABEL: EXEC @globals
// CHECK-NEXT: result[0]: i32=5
// CHECK-NEXT: result[1]: i32=12
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xf32=3 -5
// CHECK-NEXT: result[3]: i64=9223372036854775807
func.func @globals() -> (i32, i32, tensor<2xf32>, i64) {
  %c = util.global.load @counter : i32
  %one = arith.constant 1 : i32
  %n = arith.addi %c, %one : i32
  %t = util.call @twice(%n) : (i32) -> i32
  util.global.store %t, @counter : i32
  %after = util.global.load @counter : i32
  %d = util.global.load @doubled : tensor<2xf32>
  %w = util.global.load @wide : i64
  %m1 = arith.constant -1 : i64
  %w2 = arith.addi %w, %m1 : i64
  util.global.store %w2, @wide : i64
  %wr = util.global.load @wide : i64
  return %c, %after, %d, %wr : i32, i32, tensor<2xf32>, i64
}

// optimization_barrier passes its operands through unchanged.
// CHECK-LABEL: EXEC @barrier
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xf32=-0 NAN 2
// CHECK-NEXT: result[1]: i64=-3
func.func @barrier() -> (tensor<3xf32>, index) {
  %a = util.unfoldable_constant dense<[-0.0, 0x7FC00000, 1.0]> : tensor<3xf32>
  %b = util.optimization_barrier %a : tensor<3xf32>
  %one = arith.constant dense<[-0.0, 0.0, 1.0]> : tensor<3xf32>
  %c = arith.addf %b, %one : tensor<3xf32>
  %i = arith.constant -3 : index
  %j = util.optimization_barrier %i : index
  return %c, %j : tensor<3xf32>, index
}

// unfoldable_constant: scalars and tensors of several types.
// CHECK-LABEL: EXEC @unfoldable
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2xi8=[-128 127][0 -1]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xf16=0.0999756 -INF 65504
// CHECK-NEXT: result[2]: f64=-1e+300
// CHECK-NEXT: result[3]: i32=1
func.func @unfoldable() -> (tensor<2x2xi8>, tensor<3xf16>, f64, i1) {
  %a = util.unfoldable_constant dense<[[-128, 127], [0, -1]]> : tensor<2x2xi8>
  %b = util.unfoldable_constant dense<[0.1, 0xFC00, 65504.0]> : tensor<3xf16>
  %c = util.unfoldable_constant -1.0e+300 : f64
  %d = util.unfoldable_constant true
  return %a, %b, %c, %d : tensor<2x2xi8>, tensor<3xf16>, f64, i1
}
