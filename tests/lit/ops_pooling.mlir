// NCHW poolings (the direct buffer.pool2d, a +0.0 tensor.pad folded into
// the sum's window read) and a concat whose operands are computed into
// their parts of its buffer (buffer.part); expected values in the comments.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// x = [[0 1 2 3] [4 5 6 7] [8 9 10 11]]: 2x2 maxima at stride 2 are 5 and 7;
// 3x3 sums over x padded by a zero border (e.g. 0+1+4+5 = 10 at the corner,
// 0+1+2+4+5+6+8+9+10 = 45 at [1][1]); the concat of 2x and -x along channels.
// CHECK-LABEL: EXEC @max_unread_row
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x1x1x2xf32={{\[\[\[5 7\]\]\]}}
func.func @max_unread_row() -> tensor<1x1x1x2xf32> {
  %x = util.unfoldable_constant dense<[[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]]]> : tensor<1x1x3x4xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %win2 = tensor.empty() : tensor<2x2xf32>
  %e2 = tensor.empty() : tensor<1x1x1x2xf32>
  %low = linalg.fill ins(%ninf : f32) outs(%e2 : tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %max = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%x, %win2 : tensor<1x1x3x4xf32>, tensor<2x2xf32>) outs(%low : tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  return %max : tensor<1x1x1x2xf32>
}

// CHECK-LABEL: EXEC @pools
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x1x3x4xf32={{\[\[\[10 18 24 18\]\[27 45 54 39\]\[26 42 48 34\]\]\]}}
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 1x2x3x4xf32={{\[\[\[0 2 4 6\]\[8 10 12 14\]\[16 18 20 22\]\]\[\[-0 -1 -2 -3\]\[-4 -5 -6 -7\]\[-8 -9 -10 -11\]\]\]}}
func.func @pools() -> (tensor<1x1x3x4xf32>, tensor<1x2x3x4xf32>) {
  %x = util.unfoldable_constant dense<[[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]]]> : tensor<1x1x3x4xf32>
  %zero = arith.constant 0.0 : f32
  %win3 = tensor.empty() : tensor<3x3xf32>
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x1x3x4xf32> to tensor<1x1x5x6xf32>
  %e3 = tensor.empty() : tensor<1x1x3x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e3 : tensor<1x1x3x4xf32>) -> tensor<1x1x3x4xf32>
  %sum = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%p, %win3 : tensor<1x1x5x6xf32>, tensor<3x3xf32>) outs(%z : tensor<1x1x3x4xf32>) -> tensor<1x1x3x4xf32>
  %twice = arith.addf %x, %x : tensor<1x1x3x4xf32>
  %neg = arith.negf %x : tensor<1x1x3x4xf32>
  %both = tensor.concat dim(1) %twice, %neg : (tensor<1x1x3x4xf32>, tensor<1x1x3x4xf32>) -> tensor<1x2x3x4xf32>
  return %sum, %both : tensor<1x1x3x4xf32>, tensor<1x2x3x4xf32>
}
