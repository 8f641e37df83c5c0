// iree_linalg_ext: a gather of rows by index, and a scatter adding rows
// into a matrix (a repeated index adds twice, in order).
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s

// CHECK-LABEL: EXEC @rows
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3x2xi32=[4 5][0 1][4 5]
func.func @rows() -> tensor<3x2xi32> {
  %src = util.unfoldable_constant dense<[[0, 1], [2, 3], [4, 5]]> : tensor<3x2xi32>
  %idx = util.unfoldable_constant dense<[[2], [0], [2]]> : tensor<3x1xi32>
  %init = tensor.empty() : tensor<3x2xi32>
  %r = iree_linalg_ext.gather dimension_map = [0] ins(%src, %idx : tensor<3x2xi32>, tensor<3x1xi32>)
    outs(%init : tensor<3x2xi32>) -> tensor<3x2xi32>
  return %r : tensor<3x2xi32>
}

// CHECK-LABEL: EXEC @accumulate
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3x2xi32=[10 10][0 0][2 4]
func.func @accumulate() -> tensor<3x2xi32> {
  %orig = util.unfoldable_constant dense<0> : tensor<3x2xi32>
  %upd = util.unfoldable_constant dense<[[1, 2], [10, 10], [1, 2]]> : tensor<3x2xi32>
  %idx = util.unfoldable_constant dense<[[2], [0], [2]]> : tensor<3x1xi32>
  %r = iree_linalg_ext.scatter dimension_map = [0] unique_indices(false)
    ins(%upd, %idx : tensor<3x2xi32>, tensor<3x1xi32>) outs(%orig : tensor<3x2xi32>) {
  ^bb0(%u: i32, %o: i32):
    %s = arith.addi %u, %o : i32
    iree_linalg_ext.yield %s : i32
  } -> tensor<3x2xi32>
  return %r : tensor<3x2xi32>
}

// A running sum along rows; the accumulator ends as the last column.
// CHECK-LABEL: EXEC @running_sum
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x3xi32=[1 3 6][4 9 15]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xi32=6 15
func.func @running_sum() -> (tensor<2x3xi32>, tensor<2xi32>) {
  %x = util.unfoldable_constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %acc = util.unfoldable_constant dense<0> : tensor<2xi32>
  %init = tensor.empty() : tensor<2x3xi32>
  %r:2 = iree_linalg_ext.scan dimension(1) inclusive(true) ins(%x : tensor<2x3xi32>)
    outs(%init, %acc : tensor<2x3xi32>, tensor<2xi32>) {
  ^bb0(%p: i32, %q: i32):
    %s = arith.addi %p, %q : i32
    iree_linalg_ext.yield %s : i32
  } -> tensor<2x3xi32>, tensor<2xi32>
  return %r#0, %r#1 : tensor<2x3xi32>, tensor<2xi32>
}

// Keys sorted with their payload; equal keys keep their order under a
// non-strict comparator.
// CHECK-LABEL: EXEC @by_key
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xi32=1 2 2 3 3 5
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xf32=10 11 13 12 15 14
func.func @by_key() -> (tensor<6xi32>, tensor<6xf32>) {
  %k = util.unfoldable_constant dense<[1, 2, 3, 2, 5, 3]> : tensor<6xi32>
  %v = util.unfoldable_constant dense<[10.0, 11.0, 12.0, 13.0, 14.0, 15.0]> : tensor<6xf32>
  %r:2 = iree_linalg_ext.sort dimension(0) outs(%k, %v : tensor<6xi32>, tensor<6xf32>) {
  ^bb0(%a: i32, %b: i32, %c: f32, %d: f32):
    %le = arith.cmpi sle, %a, %b : i32
    iree_linalg_ext.yield %le : i1
  } -> tensor<6xi32>, tensor<6xf32>
  return %r#0, %r#1 : tensor<6xi32>, tensor<6xf32>
}

// The two largest of each row and where they were; equal values by index.
// CHECK-LABEL: EXEC @largest
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2xf32=[7 5][4 4]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x2xi32=[3 1][0 2]
func.func @largest() -> (tensor<2x2xf32>, tensor<2x2xi32>) {
  %x = util.unfoldable_constant dense<[[1.0, 5.0, 2.0, 7.0], [4.0, 0.0, 4.0, 3.0]]> : tensor<2x4xf32>
  %low = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0 : i32
  %ev = tensor.empty() : tensor<2x2xf32>
  %ei = tensor.empty() : tensor<2x2xi32>
  %v0 = linalg.fill ins(%low : f32) outs(%ev : tensor<2x2xf32>) -> tensor<2x2xf32>
  %i0 = linalg.fill ins(%zero : i32) outs(%ei : tensor<2x2xi32>) -> tensor<2x2xi32>
  %r:2 = iree_linalg_ext.topk dimension(1) ins(%x : tensor<2x4xf32>) outs(%v0, %i0 : tensor<2x2xf32>, tensor<2x2xi32>) {
  ^bb0(%a: f32, %b: f32):
    %gt = arith.cmpf ogt, %a, %b : f32
    iree_linalg_ext.yield %gt : i1
  } -> tensor<2x2xf32>, tensor<2x2xi32>
  return %r#0, %r#1 : tensor<2x2xf32>, tensor<2x2xi32>
}

// topk_v2 with no indices output: the three smallest.
// CHECK-LABEL: EXEC @smallest
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xi32=-2 0 1
func.func @smallest() -> tensor<3xi32> {
  %x = util.unfoldable_constant dense<[4, 1, -2, 7, 0, 3]> : tensor<6xi32>
  %high = arith.constant 2147483647 : i32
  %e = tensor.empty() : tensor<3xi32>
  %v0 = linalg.fill ins(%high : i32) outs(%e : tensor<3xi32>) -> tensor<3xi32>
  %r = iree_linalg_ext.topk_v2 dimension(0) is_sorted ins(%x : tensor<6xi32>) outs(%v0 : tensor<3xi32>) {
  ^bb0(%a: i32, %b: i32):
    %lt = arith.cmpi slt, %a, %b : i32
    iree_linalg_ext.yield %lt : i1
  } -> tensor<3xi32>
  return %r : tensor<3xi32>
}

// The position of each row's maximum, counted from 10; the first of equals.
// CHECK-LABEL: EXEC @argmax
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2xf32=7 4
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xi32=13 10
func.func @argmax() -> (tensor<2xf32>, tensor<2xi32>) {
  %x = util.unfoldable_constant dense<[[1.0, 5.0, 2.0, 7.0], [4.0, 0.0, 4.0, 3.0]]> : tensor<2x4xf32>
  %low = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0 : i32
  %base = arith.constant 10 : index
  %ev = tensor.empty() : tensor<2xf32>
  %ei = tensor.empty() : tensor<2xi32>
  %v0 = linalg.fill ins(%low : f32) outs(%ev : tensor<2xf32>) -> tensor<2xf32>
  %i0 = linalg.fill ins(%zero : i32) outs(%ei : tensor<2xi32>) -> tensor<2xi32>
  %r:2 = iree_linalg_ext.arg_compare dimension(1) ins(%x : tensor<2x4xf32>)
    outs(%v0, %i0 : tensor<2xf32>, tensor<2xi32>) index_base(%base : index) {
  ^bb0(%a: f32, %b: f32):
    %gt = arith.cmpf ogt, %a, %b : f32
    iree_linalg_ext.yield %gt : i1
  } -> tensor<2xf32>, tensor<2xi32>
  return %r#0, %r#1 : tensor<2xf32>, tensor<2xi32>
}

// Attention of one query over two keys whose scores tie: the mean of the values.
// CHECK-LABEL: EXEC @attend
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x1x2xf32={{\[\[}}2 3]]
func.func @attend() -> tensor<1x1x2xf32> {
  %q = util.unfoldable_constant dense<[[[1.0, 0.0]]]> : tensor<1x1x2xf32>
  %k = util.unfoldable_constant dense<[[[0.0, 1.0], [0.0, 2.0]]]> : tensor<1x2x2xf32>
  %v = util.unfoldable_constant dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>
  %scale = arith.constant 0.5 : f32
  %init = tensor.empty() : tensor<1x1x2xf32>
  %a = iree_linalg_ext.attention <indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>,
      affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>,
      affine_map<(d0, d1, d2, d3, d4) -> ()>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>]>
    ins(%q, %k, %v, %scale : tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>, f32)
    outs(%init : tensor<1x1x2xf32>) {
  ^bb0(%s: f32):
    iree_linalg_ext.yield %s : f32
  } -> tensor<1x1x2xf32>
  return %a : tensor<1x1x2xf32>
}

// One online step from an empty state over two tied keys: the values
// summed with weight 1 each, the base-2 max score (0.5 * log2(e)), sum 2.
// CHECK-LABEL: EXEC @online_step
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x1x2xf32={{\[\[}}4 6]]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 1x1xf32={{\[}}0.721348]
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 1x1xf32={{\[}}2]
func.func @online_step() -> (tensor<1x1x2xf32>, tensor<1x1xf32>, tensor<1x1xf32>) {
  %q = util.unfoldable_constant dense<[[[1.0, 1.0]]]> : tensor<1x1x2xf32>
  %k = util.unfoldable_constant dense<[[[0.5, 0.5], [1.0, 0.0]]]> : tensor<1x2x2xf32>
  %v = util.unfoldable_constant dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>
  %scale = arith.constant 0.5 : f32
  %zero = arith.constant 0.0 : f32
  %low = arith.constant 0xFF800000 : f32
  %e3 = tensor.empty() : tensor<1x1x2xf32>
  %e2 = tensor.empty() : tensor<1x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e3 : tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  %max = linalg.fill ins(%low : f32) outs(%e2 : tensor<1x1xf32>) -> tensor<1x1xf32>
  %sum = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x1xf32>) -> tensor<1x1xf32>
  %r:3 = iree_linalg_ext.online_attention {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>,
      affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>,
      affine_map<(d0, d1, d2, d3, d4) -> ()>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>,
      affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>]}
    ins(%q, %k, %v, %scale : tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>, f32)
    outs(%acc, %max, %sum : tensor<1x1x2xf32>, tensor<1x1xf32>, tensor<1x1xf32>) {
  ^bb0(%s: f32):
    iree_linalg_ext.yield %s : f32
  } -> tensor<1x1x2xf32>, tensor<1x1xf32>, tensor<1x1xf32>
  return %r#0, %r#1, %r#2 : tensor<1x1x2xf32>, tensor<1x1xf32>, tensor<1x1xf32>
}
