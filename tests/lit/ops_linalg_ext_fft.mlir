// iree_linalg_ext.fft: a 4-point FFT of a bit-reversed row, two stages with
// their twiddle factors as coefficients.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s

// CHECK-LABEL: EXEC @four_points
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=10 -2 -2 -2
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4xf32=0 2 0 -2
func.func @four_points() -> (tensor<4xf32>, tensor<4xf32>) {
  // 1, 2, 3, 4 in bit-reversed order
  %re = util.unfoldable_constant dense<[1.0, 3.0, 2.0, 4.0]> : tensor<4xf32>
  %im = util.unfoldable_constant dense<0.0> : tensor<4xf32>
  %s1 = arith.constant 1 : index
  %s2 = arith.constant 2 : index
  %w1r = arith.constant dense<[1.0]> : tensor<1xf32>
  %w1i = arith.constant dense<[0.0]> : tensor<1xf32>
  %w2r = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %w2i = arith.constant dense<[0.0, -1.0]> : tensor<2xf32>
  %a:2 = iree_linalg_ext.fft ins(%s1, %w1r, %w1i : index, tensor<1xf32>, tensor<1xf32>)
    outs(%re, %im : tensor<4xf32>, tensor<4xf32>) : tensor<4xf32>, tensor<4xf32>
  %b:2 = iree_linalg_ext.fft ins(%s2, %w2r, %w2i : index, tensor<2xf32>, tensor<2xf32>)
    outs(%a#0, %a#1 : tensor<4xf32>, tensor<4xf32>) : tensor<4xf32>, tensor<4xf32>
  return %b#0, %b#1 : tensor<4xf32>, tensor<4xf32>
}
