// Sub-byte integers and small floats, with FileCheck on the printed results.
// Expected values by the formats' definitions: f4E2M1FN holds 0, 0.5, 1, 1.5,
// 2, 3, 4, 6 (saturating; 2.5 is a tie: 2); f8E8M0FNU a power of two (5.0
// truncates to 4); f8E4M3FN rounds to 3 mantissa bits, ties to even.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s

// CHECK-LABEL: EXEC @scaled
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=2 8 -3 1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4xf32=0.5 2 -6 0.5
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 4xi8=1 4 -1 1
func.func @scaled() -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi8>) {
  %x = util.unfoldable_constant dense<[0.5, 2.5, -7.0, 0.3]> : tensor<4xf32>
  %s = util.unfoldable_constant dense<[4.0, 5.0, 0.5, 2.0]> : tensor<4xf8E8M0FNU>
  %f = arith.truncf %x : tensor<4xf32> to tensor<4xf4E2M1FN>
  %e = arith.scaling_extf %f, %s : tensor<4xf4E2M1FN>, tensor<4xf8E8M0FNU> to tensor<4xf32>
  %t = arith.scaling_truncf %e, %s : tensor<4xf32>, tensor<4xf8E8M0FNU> to tensor<4xf4E2M1FN>
  %b = arith.bitcast %t : tensor<4xf4E2M1FN> to tensor<4xi4>
  %r = arith.extsi %b : tensor<4xi4> to tensor<4xi8>
  %d = arith.extf %t : tensor<4xf4E2M1FN> to tensor<4xf32>
  return %e, %d, %r : tensor<4xf32>, tensor<4xf32>, tensor<4xi8>
}

// CHECK-LABEL: EXEC @fp8
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=1.25 2.75 NAN 0.3125
func.func @fp8() -> tensor<4xf32> {
  %c = util.unfoldable_constant dense<[1.0, 2.5, 0x7F, -0.0]> : tensor<4xf8E4M3FN>
  %h = arith.constant dense<0.3> : tensor<4xf8E4M3FN>
  %s = arith.addf %c, %h : tensor<4xf8E4M3FN>
  %r = arith.extf %s : tensor<4xf8E4M3FN> to tensor<4xf32>
  return %r : tensor<4xf32>
}
