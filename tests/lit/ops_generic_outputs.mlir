// linalg.generic with several outputs: parallel, two folds, and value+index
// reductions (argmax as torch-mlir lowers aten.max.dim, argmin, the last
// index of a max, over two reduced dimensions), with FileCheck on the printed
// results. Expected values were worked out by hand (ties: a strict comparison
// keeps the first index reaching the max, a non-strict one the last; a row
// whose max does not beat the initial value keeps the initial index).
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir %s --device=local-task | FileCheck %s

// CHECK-LABEL: EXEC @parallel_two_outputs
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[1.5 0 2][4.5 7 -7]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[0.5 -4 -3][2 10 6]
func.func @parallel_two_outputs() -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %x = util.unfoldable_constant dense<[[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]> : tensor<2x3xf32>
  %y = util.unfoldable_constant dense<[0.5, 2.0, -1.0]> : tensor<3xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<2x3xf32>, tensor<3xf32>) outs(%e, %e : tensor<2x3xf32>, tensor<2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32, %p: f32):
    %s = arith.addf %a, %b : f32
    %m = arith.mulf %a, %b : f32
    linalg.yield %s, %m : f32, f32
  } -> (tensor<2x3xf32>, tensor<2x3xf32>)
  return %r#0, %r#1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: EXEC @sum_and_squares
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2xf32=6 -1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf32=14 21
func.func @sum_and_squares() -> (tensor<2xf32>, tensor<2xf32>) {
  %x = util.unfoldable_constant dense<[[1.0, 2.0, 3.0], [-4.0, 1.0, 2.0]]> : tensor<2x3xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<2x3xf32>) outs(%z, %z : tensor<2xf32>, tensor<2xf32>) {
  ^bb0(%a: f32, %s: f32, %q: f32):
    %sq = arith.mulf %a, %a : f32
    %q2 = arith.addf %q, %sq : f32
    %s2 = arith.addf %a, %s : f32
    linalg.yield %s2, %q2 : f32, f32
  } -> (tensor<2xf32>, tensor<2xf32>)
  return %r#0, %r#1 : tensor<2xf32>, tensor<2xf32>
}

// CHECK-LABEL: EXEC @argmax_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xf32=7 -6 0
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xi64=1 0 0
func.func @argmax_f32() -> (tensor<3xf32>, tensor<3xi64>) {
  %x = util.unfoldable_constant dense<[[1.0, 7.0, 3.0, 7.0, 5.0], [-6.0, -7.0, -8.0, -9.0, -10.0], [0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<3x5xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %c0 = arith.constant 0 : i64
  %e0 = tensor.empty() : tensor<3xf32>
  %f0 = linalg.fill ins(%ninf : f32) outs(%e0 : tensor<3xf32>) -> tensor<3xf32>
  %e1 = tensor.empty() : tensor<3xi64>
  %f1 = linalg.fill ins(%c0 : i64) outs(%e1 : tensor<3xi64>) -> tensor<3xi64>
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x5xf32>) outs(%f0, %f1 : tensor<3xf32>, tensor<3xi64>) {
  ^bb0(%in: f32, %out: f32, %out_1: i64):
    %i = linalg.index 1 : index
    %ii = arith.index_cast %i : index to i64
    %m = arith.maximumf %in, %out : f32
    %c = arith.cmpf ogt, %in, %out : f32
    %s = arith.select %c, %ii, %out_1 : i64
    linalg.yield %m, %s : f32, i64
  } -> (tensor<3xf32>, tensor<3xi64>)
  return %r#0, %r#1 : tensor<3xf32>, tensor<3xi64>
}

// The last index of the max (oge), with initial values that two rows never beat.
// CHECK-LABEL: EXEC @last_argmax_i32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xi32=7 5 3
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xi32=3 -1 4
func.func @last_argmax_i32() -> (tensor<3xi32>, tensor<3xi32>) {
  %x = util.unfoldable_constant dense<[[1, 7, 3, 7, 5], [-6, -7, -8, -9, -10], [0, 1, 2, 0, 3]]> : tensor<3x5xi32>
  %v = util.unfoldable_constant dense<[0, 5, 3]> : tensor<3xi32>
  %i = util.unfoldable_constant dense<[-1, -1, -1]> : tensor<3xi32>
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x5xi32>) outs(%v, %i : tensor<3xi32>, tensor<3xi32>) {
  ^bb0(%in: i32, %out: i32, %out_1: i32):
    %k = linalg.index 1 : index
    %kk = arith.index_cast %k : index to i32
    %m = arith.maxsi %in, %out : i32
    %c = arith.cmpi sge, %in, %out : i32
    %s = arith.select %c, %kk, %out_1 : i32
    linalg.yield %m, %s : i32, i32
  } -> (tensor<3xi32>, tensor<3xi32>)
  return %r#0, %r#1 : tensor<3xi32>, tensor<3xi32>
}

// argmin over the first and last of three dimensions (the middle one kept),
// the index linearised as d0 * 2 + d2.
// CHECK-LABEL: EXEC @argmin_two_dims
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xf32=-5 -3 1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xi64=2 1 0
func.func @argmin_two_dims() -> (tensor<3xf32>, tensor<3xi64>) {
  %x = util.unfoldable_constant dense<[[[4.0, 2.0], [6.0, -3.0], [1.0, 1.0]], [[-5.0, 0.0], [-3.0, 2.0], [8.0, 9.0]]]> : tensor<2x3x2xf32>
  %v = util.unfoldable_constant dense<[100.0, 100.0, 100.0]> : tensor<3xf32>
  %i = util.unfoldable_constant dense<[-1, -1, -1]> : tensor<3xi64>
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d1)>], iterator_types = ["reduction", "parallel", "reduction"]} ins(%x : tensor<2x3x2xf32>) outs(%v, %i : tensor<3xf32>, tensor<3xi64>) {
  ^bb0(%in: f32, %out: f32, %out_1: i64):
    %a = linalg.index 0 : index
    %b = linalg.index 2 : index
    %two = arith.constant 2 : index
    %a2 = arith.muli %a, %two : index
    %p = arith.addi %a2, %b : index
    %pp = arith.index_cast %p : index to i64
    %m = arith.minimumf %in, %out : f32
    %c = arith.cmpf olt, %in, %out : f32
    %s = arith.select %c, %pp, %out_1 : i64
    linalg.yield %m, %s : f32, i64
  } -> (tensor<3xf32>, tensor<3xi64>)
  return %r#0, %r#1 : tensor<3xf32>, tensor<3xi64>
}

// ONNX Softmax as iree-import-onnx and `iree-compile --compile-to=input` lower
// it: a max with its argmax (unused), then sums into a 2x1 output indexed
// (d0, 0). Expected values: IREE's.
// CHECK-LABEL: EXEC @onnx_softmax
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x5xf32=[0.0116562 0.0316849 0.0861285 0.234122 0.636409][0.0674508 0.18335 0.498398 0.18335 0.0674508]
func.func @onnx_softmax() -> tensor<2x5xf32> {
  %0 = util.unfoldable_constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0], [-1.0, 0.0, 1.0, 0.0, -1.0]]> : tensor<2x5xf32>
  %c0_i64 = arith.constant 0 : i64
  %cst = arith.constant 0xFF800000 : f32
  %cst_0 = arith.constant 0.000000e+00 : f32
  %1 = tensor.empty() : tensor<2xi64>
  %2 = linalg.fill ins(%c0_i64 : i64) outs(%1 : tensor<2xi64>) -> tensor<2xi64>
  %3 = tensor.empty() : tensor<2xf32>
  %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<2xf32>) -> tensor<2xf32>
  %5:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%0 : tensor<2x5xf32>) outs(%4, %2 : tensor<2xf32>, tensor<2xi64>) {
  ^bb0(%in: f32, %out: f32, %out_1: i64):
    %15 = linalg.index 1 : index
    %16 = arith.index_cast %15 : index to i64
    %17 = arith.maximumf %in, %out : f32
    %18 = arith.cmpf ogt, %in, %out : f32
    %19 = arith.select %18, %16, %out_1 : i64
    linalg.yield %17, %19 : f32, i64
  } -> (tensor<2xf32>, tensor<2xi64>)
  %expanded = tensor.expand_shape %5#0 [[0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
  %6 = tensor.empty() : tensor<2x5xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%0, %expanded : tensor<2x5xf32>, tensor<2x1xf32>) outs(%6 : tensor<2x5xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %15 = arith.subf %in, %in_1 : f32
    linalg.yield %15 : f32
  } -> tensor<2x5xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%7 : tensor<2x5xf32>) outs(%6 : tensor<2x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %15 = math.exp %in : f32
    linalg.yield %15 : f32
  } -> tensor<2x5xf32>
  %9 = tensor.empty() : tensor<2x1xf32>
  %10 = linalg.fill ins(%cst_0 : f32) outs(%9 : tensor<2x1xf32>) -> tensor<2x1xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]} ins(%8 : tensor<2x5xf32>) outs(%10 : tensor<2x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %15 = arith.addf %in, %out : f32
    linalg.yield %15 : f32
  } -> tensor<2x1xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%8, %11 : tensor<2x5xf32>, tensor<2x1xf32>) outs(%6 : tensor<2x5xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %15 = arith.divf %in, %in_1 : f32
    linalg.yield %15 : f32
  } -> tensor<2x5xf32>
  return %12 : tensor<2x5xf32>
}
