// iree_linalg_ext.custom_op, run untiled as IREE decomposes it: its region
// inlined over the whole operands, iree_linalg_ext.index (the offset of the
// one tile) 0.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s

// CHECK-LABEL: EXEC @matmul_then_scale
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2xf32=[9.5 12][24.5 27]
func.func @matmul_then_scale() -> tensor<2x2xf32> {
  %a = util.unfoldable_constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = util.unfoldable_constant dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %s = util.unfoldable_constant 2.5 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %o = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %r = iree_linalg_ext.custom_op {
      indexing_maps = [affine_map<(d0, d1)[s0] -> (d0, s0)>, affine_map<(d0, d1)[s0] -> (s0, d1)>,
                       affine_map<(d0, d1)[s0] -> ()>, affine_map<(d0, d1)[s0] -> (d0, d1)>],
      iterator_types = [#iree_linalg_ext.iterator_type<parallel>, #iree_linalg_ext.iterator_type<parallel>]}
      ins(%a, %b, %s : tensor<2x3xf32>, tensor<3x2xf32>, f32) outs(%o : tensor<2x2xf32>) {
    ^bb0(%ta: tensor<?x?xf32>, %tb: tensor<?x?xf32>, %ts: f32, %to: tensor<?x?xf32>):
      %m = linalg.matmul ins(%ta, %tb : tensor<?x?xf32>, tensor<?x?xf32>) outs(%to : tensor<?x?xf32>) -> tensor<?x?xf32>
      %i = iree_linalg_ext.index 0 : index
      %g = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
          outs(%m : tensor<?x?xf32>) {
        ^bb1(%x: f32):
          %c = arith.index_cast %i : index to i32
          %f = arith.sitofp %c : i32 to f32
          %y = arith.mulf %x, %ts : f32
          %z = arith.addf %y, %f : f32
          %half = arith.constant 0.5 : f32
          %w = arith.subf %z, %half : f32
          linalg.yield %w : f32
      } -> tensor<?x?xf32>
      iree_linalg_ext.yield %g : tensor<?x?xf32>
  } -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}
