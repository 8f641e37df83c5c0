// iree_linalg_ext.quantize_affine and dequantize_affine: per-channel
// quantization (round half to even, clamped to the range) and back.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s

// CHECK-LABEL: EXEC @round_trip
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x3xi8=[2 1 -3][-128 100 -1]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[0.5 1 -4][-64.5 100 0]
#id = affine_map<(d0, d1) -> (d0, d1)>
#ch = affine_map<(d0, d1) -> (d1)>
func.func @round_trip() -> (tensor<2x3xi8>, tensor<2x3xf32>) {
  %x = util.unfoldable_constant dense<[[0.5, 1.25, -3.0], [-100.0, 100.0, 0.0]]> : tensor<2x3xf32>
  %s = util.unfoldable_constant dense<[0.5, 1.0, 2.0]> : tensor<3xf32>
  %z = util.unfoldable_constant dense<[1, 0, -1]> : tensor<3xi8>
  %q0 = tensor.empty() : tensor<2x3xi8>
  %q = iree_linalg_ext.quantize_affine <indexing_maps = [#id, #ch, #ch, #id], quant_min = -128, quant_max = 127>
    ins(%x, %s, %z : tensor<2x3xf32>, tensor<3xf32>, tensor<3xi8>) outs(%q0 : tensor<2x3xi8>) -> tensor<2x3xi8>
  %d0 = tensor.empty() : tensor<2x3xf32>
  %d = iree_linalg_ext.dequantize_affine <indexing_maps = [#id, #ch, #ch, #id]>
    ins(%q, %s, %z : tensor<2x3xi8>, tensor<3xf32>, tensor<3xi8>) outs(%d0 : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %q, %d : tensor<2x3xi8>, tensor<2x3xf32>
}
