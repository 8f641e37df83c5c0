// iree_linalg_ext.winograd.filter_transform: one 3x3 kernel (the centre
// tap) as G k G^T, the 8x8 tile F(6x6, 3x3) convolves with.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s

// CHECK-LABEL: EXEC @centre
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8x8xf32={{\[}}0 0 0 0 0 0 0 0]{{\[}}0 0.0493827 -0.0493827 -0.00493827 0.00493827 -0.0790123 0.0790123 0]{{\[}}0 -0.0493827 0.0493827 0.00493827 -0.00493827 0.0790123 -0.0790123 0]{{\[}}0 -0.00493827 0.00493827 0.000493827 -0.000493827 0.00790123 -0.00790123 0]{{\[}}0 0.00493827 -0.00493827 -0.000493827 0.000493827 -0.00790123 0.00790123 0]{{\[}}0 -0.0790123 0.0790123 0.00790123 -0.00790123 0.12642 -0.12642 0]{{\[}}0 0.0790123 -0.0790123 -0.00790123 0.00790123 -0.12642 0.12642 0]{{\[}}0 0 0 0 0 0 0 0]
func.func @centre() -> tensor<8x8xf32> {
  %k = util.unfoldable_constant dense<[[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]> : tensor<3x3xf32>
  %o = tensor.empty() : tensor<8x8xf32>
  %r = iree_linalg_ext.winograd.filter_transform output_tile_size(6) kernel_size(3) kernel_dimensions([0, 1])
    ins(%k : tensor<3x3xf32>) outs(%o : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}
