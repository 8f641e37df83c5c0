// An attention head's transposes read and written through the products'
// strides (buffer.matmul.strided, its scale as an epilogue) around a
// softmax row op, and a layer norm found in its decomposition
// (buffer.layernorm); expected values in the comments.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// q, k, v as (seq 2, heads 2, d 2); head 0's scores are 0.5 * q0 . k0 over
// seq: q = k = v, so each row's largest score is its own position.
// CHECK-LABEL: EXEC @attention
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2x2xf32={{\[\[0\.622459 0\.377541\]\[0\.238406 1\.76159\]\]\[\[0\.377541 0\.622459\]\[1\.76159 0\.238406\]\]}}
func.func @attention() -> tensor<2x2x2xf32> {
  %q = util.unfoldable_constant dense<[[[1.0, 0.0], [0.0, 2.0]], [[0.0, 1.0], [2.0, 0.0]]]> : tensor<2x2x2xf32>
  %qe = tensor.empty() : tensor<2x2x2xf32>
  %qh = linalg.transpose ins(%q : tensor<2x2x2xf32>) outs(%qe : tensor<2x2x2xf32>) permutation = [1, 0, 2]
  %ke = tensor.empty() : tensor<2x2x2xf32>
  %kt = linalg.transpose ins(%q : tensor<2x2x2xf32>) outs(%ke : tensor<2x2x2xf32>) permutation = [1, 2, 0]
  %z = arith.constant 0.0 : f32
  %se = tensor.empty() : tensor<2x2x2xf32>
  %s0 = linalg.fill ins(%z : f32) outs(%se : tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  %s = linalg.batch_matmul ins(%qh, %kt : tensor<2x2x2xf32>, tensor<2x2x2xf32>) outs(%s0 : tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  %he = tensor.empty() : tensor<2x2x2xf32>
  %half = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
      iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<2x2x2xf32>) outs(%he : tensor<2x2x2xf32>) {
  ^bb0(%x: f32, %o: f32):
    %c = arith.constant 0.5 : f32
    %y = arith.mulf %x, %c : f32
    linalg.yield %y : f32
  } -> tensor<2x2x2xf32>
  %pe = tensor.empty() : tensor<2x2x2xf32>
  %p = linalg.softmax dimension(2) ins(%half : tensor<2x2x2xf32>) outs(%pe : tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  %ce = tensor.empty() : tensor<2x2x2xf32>
  %c0 = linalg.fill ins(%z : f32) outs(%ce : tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  %ctx = linalg.batch_matmul ins(%p, %qh : tensor<2x2x2xf32>, tensor<2x2x2xf32>) outs(%c0 : tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  %oe = tensor.empty() : tensor<2x2x2xf32>
  %out = linalg.transpose ins(%ctx : tensor<2x2x2xf32>) outs(%oe : tensor<2x2x2xf32>) permutation = [1, 0, 2]
  return %out : tensor<2x2x2xf32>
}

// x = 0, 1, ..., 31: mean 15.5, variance 85.25, so x - 15.5 times 1 / sqrt(85.25 + 1e-5).
// CHECK-LABEL: EXEC @layer_norm
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x32xf32={{\[-1\.67874 -1\.57044 -1\.46213 -1\.35383 -1\.24552 -1\.13721 -1\.02891 -0\.920602 -0\.812295 -0\.703989 -0\.595683 -0\.487377 -0\.379071 -0\.270765 -0\.162459 -0\.054153 0\.054153 0\.162459 0\.270765 0\.379071 0\.487377 0\.595683 0\.703989 0\.812295 0\.920602 1\.02891 1\.13721 1\.24552 1\.35383 1\.46213 1\.57044 1\.67874\]}}
func.func @layer_norm() -> tensor<1x32xf32> {
  %x = util.unfoldable_constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0]]> : tensor<1x32xf32>
  %z = arith.constant 0.0 : f32
  %n = arith.constant 32.0 : f32
  %eps = arith.constant 1.0e-05 : f32
  %se = tensor.empty() : tensor<1xf32>
  %s0 = linalg.fill ins(%z : f32) outs(%se : tensor<1xf32>) -> tensor<1xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
      iterator_types = ["parallel", "reduction"]} ins(%x : tensor<1x32xf32>) outs(%s0 : tensor<1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %a, %acc : f32
    linalg.yield %t : f32
  } -> tensor<1xf32>
  %me = tensor.empty() : tensor<1xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%sum : tensor<1xf32>) outs(%me : tensor<1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.divf %a, %n : f32
    linalg.yield %t : f32
  } -> tensor<1xf32>
  %d_e = tensor.empty() : tensor<1x32xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
      iterator_types = ["parallel", "parallel"]} ins(%x, %mean : tensor<1x32xf32>, tensor<1xf32>) outs(%d_e : tensor<1x32xf32>) {
  ^bb0(%i0: f32, %i1: f32, %o: f32):
    %t = arith.subf %i0, %i1 : f32
    linalg.yield %t : f32
  } -> tensor<1x32xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
      iterator_types = ["parallel", "reduction"]} ins(%d : tensor<1x32xf32>) outs(%s0 : tensor<1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.mulf %a, %a : f32
    %u = arith.addf %t, %acc : f32
    linalg.yield %u : f32
  } -> tensor<1xf32>
  %re = tensor.empty() : tensor<1xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%sq : tensor<1xf32>) outs(%re : tensor<1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.divf %a, %n : f32
    %u = arith.addf %t, %eps : f32
    %w = math.rsqrt %u : f32
    linalg.yield %w : f32
  } -> tensor<1xf32>
  %y_e = tensor.empty() : tensor<1x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
      iterator_types = ["parallel", "parallel"]} ins(%d, %r : tensor<1x32xf32>, tensor<1xf32>) outs(%y_e : tensor<1x32xf32>) {
  ^bb0(%i0: f32, %i1: f32, %o: f32):
    %t = arith.mulf %i0, %i1 : f32
    linalg.yield %t : f32
  } -> tensor<1x32xf32>
  return %y : tensor<1x32xf32>
}
