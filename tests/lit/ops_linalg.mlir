// Every linalg op, with FileCheck on the printed results. Expected values were
// computed independently (numpy), not copied from iree-lite.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// The named element-wise ops on floats (max/min are maximumf/minimumf: +0 > -0).
// CHECK-LABEL: EXEC @binary_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[2 1 0][6 -0.25 6]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[1 -5 0][2 -0.75 12]
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[0.75 -6 -0][8 -0.125 -27]
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[3 -0.666667 0][2 -2 -3]
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[1.5 3 0][4 0.25 9]
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[0.5 -2 -0][2 -0.5 -3]
func.func @binary_f32() -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %a = util.unfoldable_constant dense<[[1.5, -2.0, 0.0], [4.0, -0.5, 9.0]]> : tensor<2x3xf32>
  %b = util.unfoldable_constant dense<[[0.5, 3.0, -0.0], [2.0, 0.25, -3.0]]> : tensor<2x3xf32>
  %bd = util.unfoldable_constant dense<[[0.5, 3.0, 1.0], [2.0, 0.25, -3.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %add = linalg.add ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %sub = linalg.sub ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %mul = linalg.mul ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %div = linalg.div ins(%a, %bd : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %max = linalg.max ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %min = linalg.min ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %add, %sub, %mul, %div, %max, %min : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// On integers: wrapping add/sub/mul, truncating div, signed max/min, abs.
// CHECK-LABEL: EXEC @binary_i32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x3xi32=[-5 5 -2147483648][-2147483648 107 0]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x3xi32=[-9 9 2147483646][-2147483646 93 -6]
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2x3xi32=[-14 -14 2147483647][2147483647 700 -9]
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 2x3xi32=[-3 -3 2147483647][2147483647 14 -1]
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 2x3xi32=[2 7 2147483647][-1 100 3]
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 2x3xi32=[-7 -2 1][-2147483647 7 -3]
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 2x3xi32=[7 7 2147483647][2147483647 100 3]
func.func @binary_i32() -> (tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>) {
  %x = util.unfoldable_constant dense<[[-7, 7, 2147483647], [-2147483647, 100, -3]]> : tensor<2x3xi32>
  %y = util.unfoldable_constant dense<[[2, -2, 1], [-1, 7, 3]]> : tensor<2x3xi32>
  %e = tensor.empty() : tensor<2x3xi32>
  %add = linalg.add ins(%x, %y : tensor<2x3xi32>, tensor<2x3xi32>) outs(%e : tensor<2x3xi32>) -> tensor<2x3xi32>
  %sub = linalg.sub ins(%x, %y : tensor<2x3xi32>, tensor<2x3xi32>) outs(%e : tensor<2x3xi32>) -> tensor<2x3xi32>
  %mul = linalg.mul ins(%x, %y : tensor<2x3xi32>, tensor<2x3xi32>) outs(%e : tensor<2x3xi32>) -> tensor<2x3xi32>
  %div = linalg.div ins(%x, %y : tensor<2x3xi32>, tensor<2x3xi32>) outs(%e : tensor<2x3xi32>) -> tensor<2x3xi32>
  %max = linalg.max ins(%x, %y : tensor<2x3xi32>, tensor<2x3xi32>) outs(%e : tensor<2x3xi32>) -> tensor<2x3xi32>
  %min = linalg.min ins(%x, %y : tensor<2x3xi32>, tensor<2x3xi32>) outs(%e : tensor<2x3xi32>) -> tensor<2x3xi32>
  %abs = linalg.abs ins(%x : tensor<2x3xi32>) outs(%e : tensor<2x3xi32>) -> tensor<2x3xi32>
  return %add, %sub, %mul, %div, %max, %min, %abs : tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>
}

// The named unary ops.
// CHECK-LABEL: EXEC @unary_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[0.25 1 4][1.5 0 2.5]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[-0.25 -1 -4][1.5 0 -2.5]
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[0 1 4][-2 -0 2]
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[1 1 4][-1 -0 3]
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[1.28403 2.71828 54.5981][0.22313 1 12.1825]
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[0.244919 0.761594 0.999329][-0.905148 -0 0.986614]
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[-1.38629 0 1.38629][4.60517 -INF 0.916291]
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[0.5 1 2][10 0 1.58114]
func.func @unary_f32() -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %u = util.unfoldable_constant dense<[[0.25, 1.0, 4.0], [-1.5, -0.0, 2.5]]> : tensor<2x3xf32>
  %p = util.unfoldable_constant dense<[[0.25, 1.0, 4.0], [100.0, 0.0, 2.5]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %abs = linalg.abs ins(%u : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %negf = linalg.negf ins(%u : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %floor = linalg.floor ins(%u : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %ceil = linalg.ceil ins(%u : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %exp = linalg.exp ins(%u : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %tanh = linalg.tanh ins(%u : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %log = linalg.log ins(%p : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %sqrt = linalg.sqrt ins(%p : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %abs, %negf, %floor, %ceil, %exp, %tanh, %log, %sqrt : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: EXEC @fill_copy
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2xf64=[-0.125 -0.125][-0.125 -0.125]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xi8=1 -128 127
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 3xf16=0.5 0.5 0.5
func.func @fill_copy() -> (tensor<2x2xf64>, tensor<3xi8>, tensor<3xf16>) {
  %e = tensor.empty() : tensor<2x2xf64>
  %v = util.unfoldable_constant -0.125 : f64
  %f = linalg.fill ins(%v : f64) outs(%e : tensor<2x2xf64>) -> tensor<2x2xf64>
  %s = util.unfoldable_constant dense<[1, -128, 127]> : tensor<3xi8>
  %o = tensor.empty() : tensor<3xi8>
  %c = linalg.copy ins(%s : tensor<3xi8>) outs(%o : tensor<3xi8>) -> tensor<3xi8>
  %e16 = tensor.empty() : tensor<3xf16>
  %h = arith.constant 0.5 : f16
  %f16 = linalg.fill ins(%h : f16) outs(%e16 : tensor<3xf16>) -> tensor<3xf16>
  return %f, %c, %f16 : tensor<2x2xf64>, tensor<3xi8>, tensor<3xf16>
}

// CHECK-LABEL: EXEC @transpose_broadcast
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3x2xi64=[-2 1][-1 2][0 3]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[1.5 1.5 1.5][-2.5 -2.5 -2.5]
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2x3xi32=[7 8 9][7 8 9]
func.func @transpose_broadcast() -> (tensor<3x2xi64>, tensor<2x3xf32>, tensor<2x3xi32>) {
  %m = util.unfoldable_constant dense<[[-2, -1, 0], [1, 2, 3]]> : tensor<2x3xi64>
  %e = tensor.empty() : tensor<3x2xi64>
  %t = linalg.transpose ins(%m : tensor<2x3xi64>) outs(%e : tensor<3x2xi64>) permutation = [1, 0]
  %v = util.unfoldable_constant dense<[1.5, -2.5]> : tensor<2xf32>
  %e2 = tensor.empty() : tensor<2x3xf32>
  %b = linalg.broadcast ins(%v : tensor<2xf32>) outs(%e2 : tensor<2x3xf32>) dimensions = [1]
  %w = util.unfoldable_constant dense<[7, 8, 9]> : tensor<3xi32>
  %e3 = tensor.empty() : tensor<2x3xi32>
  %c = linalg.broadcast ins(%w : tensor<3xi32>) outs(%e3 : tensor<2x3xi32>) dimensions = [0]
  return %t, %b, %c : tensor<3x2xi64>, tensor<2x3xf32>, tensor<2x3xi32>
}

// reduce folds dimensions into the outs value (the initial accumulator).
// CHECK-LABEL: EXEC @reduce
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2xf32=2.5 -1.5
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xi32=3 5 4
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xi64=240 -30
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: f32=-6
func.func @reduce() -> (tensor<2xf32>, tensor<3xi32>, tensor<2xi64>, tensor<f32>) {
  %x = util.unfoldable_constant dense<[[1.0, -2.0, 3.5], [4.0, 0.5, -6.0]]> : tensor<2x3xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2xf32>
  %init = linalg.fill ins(%z : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  %sum = linalg.reduce ins(%x : tensor<2x3xf32>) outs(%init : tensor<2xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %i = util.unfoldable_constant dense<[[3, -9, 4], [-1, 5, 2]]> : tensor<2x3xi32>
  %lo = arith.constant -2147483648 : i32
  %e3 = tensor.empty() : tensor<3xi32>
  %init3 = linalg.fill ins(%lo : i32) outs(%e3 : tensor<3xi32>) -> tensor<3xi32>
  %max = linalg.reduce ins(%i : tensor<2x3xi32>) outs(%init3 : tensor<3xi32>) dimensions = [0]
    (%in: i32, %acc: i32) {
      %m = arith.maxsi %acc, %in : i32
      linalg.yield %m : i32
    }
  %l = util.unfoldable_constant dense<[[2, 3, 4], [-1, 5, 6]]> : tensor<2x3xi64>
  %one = util.unfoldable_constant dense<[10, 1]> : tensor<2xi64>
  %prod = linalg.reduce ins(%l : tensor<2x3xi64>) outs(%one : tensor<2xi64>) dimensions = [1]
    (%in: i64, %acc: i64) {
      %p = arith.muli %in, %acc : i64
      linalg.yield %p : i64
    }
  %inf = arith.constant 0x7F800000 : f32
  %e4 = tensor.empty() : tensor<f32>
  %init4 = linalg.fill ins(%inf : f32) outs(%e4 : tensor<f32>) -> tensor<f32>
  %min = linalg.reduce ins(%x : tensor<2x3xf32>) outs(%init4 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %m = arith.minimumf %in, %acc : f32
      linalg.yield %m : f32
    }
  return %sum, %max, %prod, %min : tensor<2xf32>, tensor<3xi32>, tensor<2xi64>, tensor<f32>
}

// matmul accumulates into its outs operand.
// CHECK-LABEL: EXEC @matmul
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2xf32=[12 26][33.5 54]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x2xi32=[58 -48][-83 154]
func.func @matmul() -> (tensor<2x2xf32>, tensor<2x2xi32>) {
  %a = util.unfoldable_constant dense<[[1.0, 2.0, -1.0], [0.0, 3.0, 2.0]]> : tensor<2x3xf32>
  %b = util.unfoldable_constant dense<[[2.0, -1.0], [0.5, 4.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %c = util.unfoldable_constant dense<[[10.0, 20.0], [30.0, 40.0]]> : tensor<2x2xf32>
  %r = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x2xf32>) outs(%c : tensor<2x2xf32>) -> tensor<2x2xf32>
  %ia = util.unfoldable_constant dense<[[1, -2, 3], [4, 5, -6]]> : tensor<2x3xi32>
  %ib = util.unfoldable_constant dense<[[7, 8], [-9, 10], [11, -12]]> : tensor<3x2xi32>
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<2x2xi32>
  %ic = linalg.fill ins(%z : i32) outs(%e : tensor<2x2xi32>) -> tensor<2x2xi32>
  %ir = linalg.matmul ins(%ia, %ib : tensor<2x3xi32>, tensor<3x2xi32>) outs(%ic : tensor<2x2xi32>) -> tensor<2x2xi32>
  return %r, %ir : tensor<2x2xf32>, tensor<2x2xi32>
}

// Each op accumulates into its own outs tensor (IREE races when two share one).
// CHECK-LABEL: EXEC @contractions
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4x2xf32=[-10 -16][-1 -2.5][26 29][62 69.5]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf32=-2.5 0.5
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xf32=5 -4.5
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 2x2xf32=[-2 -2][12 30]
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: f32=7
func.func @contractions() -> (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2x2xf32>, tensor<f32>) {
  %ba = util.unfoldable_constant dense<[[[-5.0, -4.0, -3.0], [-2.0, -1.0, 0.0]], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]> : tensor<2x2x3xf32>
  %bb = util.unfoldable_constant dense<[[[0.0, 0.5], [1.0, 1.5], [2.0, 2.5]], [[3.0, 3.5], [4.0, 4.5], [5.0, 5.5]]]> : tensor<2x3x2xf32>
  %z = arith.constant 0.0 : f32
  %e3 = tensor.empty() : tensor<2x2x2xf32>
  %c3 = linalg.fill ins(%z : f32) outs(%e3 : tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  %bm3 = linalg.batch_matmul ins(%ba, %bb : tensor<2x2x3xf32>, tensor<2x3x2xf32>) outs(%c3 : tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  %bm = tensor.collapse_shape %bm3 [[0, 1], [2]] : tensor<2x2x2xf32> into tensor<4x2xf32>
  %m = util.unfoldable_constant dense<[[1.0, 2.0, -1.0], [0.0, 3.0, 2.0]]> : tensor<2x3xf32>
  %v = util.unfoldable_constant dense<[1.0, -1.0, 2.0]> : tensor<3xf32>
  %c2 = util.unfoldable_constant dense<[0.5, -0.5]> : tensor<2xf32>
  %mv = linalg.matvec ins(%m, %v : tensor<2x3xf32>, tensor<3xf32>) outs(%c2 : tensor<2xf32>) -> tensor<2xf32>
  %mb = util.unfoldable_constant dense<[[2.0, -1.0], [0.5, 4.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %c2b = util.unfoldable_constant dense<[1.5, -1.5]> : tensor<2xf32>
  %vm = linalg.vecmat ins(%v, %mb : tensor<3xf32>, tensor<3x2xf32>) outs(%c2b : tensor<2xf32>) -> tensor<2xf32>
  %bv = util.unfoldable_constant dense<[[1.0, 0.0, -1.0], [2.0, 2.0, 2.0]]> : tensor<2x3xf32>
  %e2 = tensor.empty() : tensor<2x2xf32>
  %c22 = linalg.fill ins(%z : f32) outs(%e2 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %bmv = linalg.batch_matvec ins(%ba, %bv : tensor<2x2x3xf32>, tensor<2x3xf32>) outs(%c22 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %d0 = util.unfoldable_constant dense<1.0> : tensor<f32>
  %dot = linalg.dot ins(%v, %v : tensor<3xf32>, tensor<3xf32>) outs(%d0 : tensor<f32>) -> tensor<f32>
  return %bm, %mv, %vm, %bmv, %dot : tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2x2xf32>, tensor<f32>
}

// softmax subtracts the maximum first, so 1000 does not overflow.
// CHECK-LABEL: EXEC @softmax
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[0.0900306 0.244728 0.665241][0 0 1]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[0.880797 0.880797 0][0.119203 0.119203 1]
func.func @softmax() -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %x = util.unfoldable_constant dense<[[1.0, 2.0, 3.0], [-1.0, 0.0, 1000.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %s1 = linalg.softmax dimension(1) ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %s0 = linalg.softmax dimension(0) ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %s1, %s0 : tensor<2x3xf32>, tensor<2x3xf32>
}

// generic with permuted and broadcast inputs and linalg.index; a reduction; a wrapping i8 body.
// CHECK-LABEL: EXEC @generic
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3x2xf32=[10 -10][12 -5][16 2]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf32=106 215
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xi8=-127 -120
func.func @generic() -> (tensor<3x2xf32>, tensor<2xf32>, tensor<2xi8>) {
  %x = util.unfoldable_constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = util.unfoldable_constant dense<[10.0, -10.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1)>,
                                        affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<2x3xf32>, tensor<2xf32>) outs(%e : tensor<3x2xf32>) {
    ^bb0(%in: f32, %bias: f32, %out: f32):
      %i = linalg.index 0 : index
      %ii = arith.index_cast %i : index to i32
      %fi = arith.sitofp %ii : i32 to f32
      %m = arith.mulf %in, %fi : f32
      %s = arith.addf %m, %bias : f32
      linalg.yield %s : f32
    } -> tensor<3x2xf32>
  %acc = util.unfoldable_constant dense<[100.0, 200.0]> : tensor<2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<2x3xf32>) outs(%acc : tensor<2xf32>) {
    ^bb0(%in: f32, %out: f32):
      %s = arith.addf %in, %out : f32
      linalg.yield %s : f32
    } -> tensor<2xf32>
  %w = util.unfoldable_constant dense<[3, -4]> : tensor<2xi8>
  %e8 = tensor.empty() : tensor<2xi8>
  %n = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%w : tensor<2xi8>) outs(%e8 : tensor<2xi8>) {
    ^bb0(%in: i8, %out: i8):
      %sq = arith.muli %in, %in : i8
      %c = arith.constant 120 : i8
      %s = arith.addi %sq, %c : i8
      linalg.yield %s : i8
    } -> tensor<2xi8>
  return %t, %r, %n : tensor<3x2xf32>, tensor<2xf32>, tensor<2xi8>
}
