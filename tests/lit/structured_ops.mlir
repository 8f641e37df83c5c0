// Convolutions, poolings, linalg.map and reductions that map before
// combining; the expected values are worked out in the comments.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// x = [[0 1 2 3] [4 5 6 7] [8 9 10 11]], 2x2 windows at stride 1:
// sums 10 14 18 / 26 30 34, maxima 5 6 7 / 9 10 11; the 2x2 filter
// [[1 0] [0 -1]] gives x[i][j] - x[i+1][j+1] = -5 everywhere.
// CHECK-LABEL: EXEC @windows
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x2x3x1xf32={{\[\[\[10\]\[14\]\[18\]\]\[\[26\]\[30\]\[34\]\]\]}}
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 1x2x3x1xf32={{\[\[\[5\]\[6\]\[7\]\]\[\[9\]\[10\]\[11\]\]\]}}
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 1x2x3x1xf32={{\[\[\[-5\]\[-5\]\[-5\]\]\[\[-5\]\[-5\]\[-5\]\]\]}}
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 1x1x2x3xf32={{\[\[\[-5 -5 -5\]\[-5 -5 -5\]\]\]}}
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 1x2x3x1xf32={{\[\[\[-5\]\[-5\]\[-5\]\]\[\[-5\]\[-5\]\[-5\]\]\]}}
func.func @windows() -> (tensor<1x2x3x1xf32>, tensor<1x2x3x1xf32>, tensor<1x2x3x1xf32>, tensor<1x1x2x3xf32>, tensor<1x2x3x1xf32>) {
  %x = util.unfoldable_constant dense<[[[[0.0], [1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0], [7.0]], [[8.0], [9.0], [10.0], [11.0]]]]> : tensor<1x3x4x1xf32>
  %win = tensor.empty() : tensor<2x2xf32>
  %zero = arith.constant dense<0.0> : tensor<1x2x3x1xf32>
  %low = arith.constant dense<0xFF800000> : tensor<1x2x3x1xf32>
  %sum = linalg.pooling_nhwc_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %win : tensor<1x3x4x1xf32>, tensor<2x2xf32>) outs(%zero : tensor<1x2x3x1xf32>) -> tensor<1x2x3x1xf32>
  %max = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %win : tensor<1x3x4x1xf32>, tensor<2x2xf32>) outs(%low : tensor<1x2x3x1xf32>) -> tensor<1x2x3x1xf32>
  %f = arith.constant dense<[[[[1.0]], [[0.0]]], [[[0.0]], [[-1.0]]]]> : tensor<2x2x1x1xf32>
  %conv = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %f : tensor<1x3x4x1xf32>, tensor<2x2x1x1xf32>) outs(%zero : tensor<1x2x3x1xf32>) -> tensor<1x2x3x1xf32>
  %xc = tensor.collapse_shape %x [[0], [1], [2, 3]] : tensor<1x3x4x1xf32> into tensor<1x3x4xf32>
  %xn = tensor.expand_shape %xc [[0, 1], [2], [3]] output_shape [1, 1, 3, 4] : tensor<1x3x4xf32> into tensor<1x1x3x4xf32>
  %fn = arith.constant dense<[[[[1.0, 0.0], [0.0, -1.0]]]]> : tensor<1x1x2x2xf32>
  %zn = arith.constant dense<0.0> : tensor<1x1x2x3xf32>
  %nchw = linalg.conv_2d_nchw_fchw ins(%xn, %fn : tensor<1x1x3x4xf32>, tensor<1x1x2x2xf32>) outs(%zn : tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32>
  %fd = arith.constant dense<[[[1.0], [0.0]], [[0.0], [-1.0]]]> : tensor<2x2x1xf32>
  %dw = linalg.depthwise_conv_2d_nhwc_hwc ins(%x, %fd : tensor<1x3x4x1xf32>, tensor<2x2x1xf32>) outs(%zero : tensor<1x2x3x1xf32>) -> tensor<1x2x3x1xf32>
  return %sum, %max, %conv, %nchw, %dw : tensor<1x2x3x1xf32>, tensor<1x2x3x1xf32>, tensor<1x2x3x1xf32>, tensor<1x1x2x3xf32>, tensor<1x2x3x1xf32>
}

// map: |a * b| = 2 0 3 8; the sum of squares of each row of [[1 2] [3 4]]
// is 5 and 25; reduce's short form: 1 * 3 = 3 and 2 * 4 = 8.
// CHECK-LABEL: EXEC @maps_and_reductions
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=2 0 3 8
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf32=5 25
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xf32=3 8
func.func @maps_and_reductions() -> (tensor<4xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = util.unfoldable_constant dense<[1.0, 0.0, -1.0, 2.0]> : tensor<4xf32>
  %b = util.unfoldable_constant dense<[2.0, 5.0, 3.0, 4.0]> : tensor<4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %m = linalg.map ins(%a, %b : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>)
    (%x: f32, %y: f32, %o: f32) {
      %p = arith.mulf %x, %y : f32
      %q = math.absf %p : f32
      linalg.yield %q : f32
    }
  %t = util.unfoldable_constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  %ss = linalg.reduce ins(%t : tensor<2x2xf32>) outs(%z : tensor<2xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %sq = arith.mulf %in, %in : f32
      %s = arith.addf %sq, %acc : f32
      linalg.yield %s : f32
    }
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %pr = linalg.reduce { arith.mulf } ins(%t : tensor<2x2xf32>) outs(%one : tensor<2xf32>) dimensions = [0]
  return %m, %ss, %pr : tensor<4xf32>, tensor<2xf32>, tensor<2xf32>
}
