// Models as IREE's own ONNX importer lowers them (iree-import-onnx, then
// `iree-compile --compile-to=input`, the ABI wrapper removed and the
// attributes' `vector<Nxi64>` written `tensor<Nxi64>`): Gather (with negative
// indices), MaxPool and AveragePool (pooling_nchw_max/sum), LRN
// (pooling_ndhwc_sum), a grouped Conv (conv_2d_ngchw_gfchw) and a depthwise
// one (depthwise_conv_2d_nchw_chw). Expected values: IREE 3.13's (llvm-cpu).
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir %s --device=local-task | FileCheck %s

// CHECK-LABEL: EXEC @onnx_gather
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3x5xf32=[-6 1 -5 2 -4][-5 2 -4 3 -3][-1 6 0 -6 1]
func.func @onnx_gather() -> tensor<3x5xf32> {
  %0 = util.unfoldable_constant dense<[[-6.0, 1.0, -5.0, 2.0, -4.0], [3.0, -3.0, 4.0, -2.0, 5.0], [-1.0, 6.0, 0.0, -6.0, 1.0], [-5.0, 2.0, -4.0, 3.0, -3.0]]> : tensor<4x5xf32>
  %1 = util.unfoldable_constant dense<[0, 3, 2]> : tensor<3xi64>
  %c4_i64 = arith.constant 4 : i64
  %c0_i64 = arith.constant 0 : i64
  %2 = tensor.empty() : tensor<3xi1>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%1 : tensor<3xi64>) outs(%2 : tensor<3xi1>) {
  ^bb0(%in: i64, %out: i1):
    %11 = arith.cmpi slt, %in, %c0_i64 : i64
    linalg.yield %11 : i1
  } -> tensor<3xi1>
  %4 = tensor.empty() : tensor<3xi64>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%1 : tensor<3xi64>) outs(%4 : tensor<3xi64>) {
  ^bb0(%in: i64, %out: i64):
    %11 = arith.addi %in, %c4_i64 : i64
    linalg.yield %11 : i64
  } -> tensor<3xi64>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%3, %5, %1 : tensor<3xi1>, tensor<3xi64>, tensor<3xi64>) outs(%4 : tensor<3xi64>) {
  ^bb0(%in: i1, %in_0: i64, %in_1: i64, %out: i64):
    %11 = arith.select %in, %in_0, %in_1 : i64
    linalg.yield %11 : i64
  } -> tensor<3xi64>
  %7 = tensor.empty() : tensor<3x5xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%6 : tensor<3xi64>) outs(%7 : tensor<3x5xf32>) {
  ^bb0(%in: i64, %out: f32):
    %11 = arith.index_cast %in : i64 to index
    %12 = linalg.index 1 : index
    %extracted = tensor.extract %0[%11, %12] : tensor<4x5xf32>
    linalg.yield %extracted : f32
  } -> tensor<3x5xf32>
  return %8 : tensor<3x5xf32>
}

// CHECK-LABEL: EXEC @onnx_gather1
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2x3x5xf32={{\[\[}}[-6 1 -5 2 -4][-5 2 -4 3 -3][-1 6 0 -6 1]]{{\[\[}}3 -3 4 -2 5][-5 2 -4 3 -3][-5 2 -4 3 -3]]]{{\[\[}}[4 -2 5 -1 6][5 -1 6 0 -6][-4 3 -3 4 -2]]{{\[\[}}0 -6 1 -5 2][5 -1 6 0 -6][5 -1 6 0 -6]]]
func.func @onnx_gather1() -> tensor<2x2x3x5xf32> {
  %0 = util.unfoldable_constant dense<[[[-6.0, 1.0, -5.0, 2.0, -4.0], [3.0, -3.0, 4.0, -2.0, 5.0], [-1.0, 6.0, 0.0, -6.0, 1.0], [-5.0, 2.0, -4.0, 3.0, -3.0]], [[4.0, -2.0, 5.0, -1.0, 6.0], [0.0, -6.0, 1.0, -5.0, 2.0], [-4.0, 3.0, -3.0, 4.0, -2.0], [5.0, -1.0, 6.0, 0.0, -6.0]]]> : tensor<2x4x5xf32>
  %1 = util.unfoldable_constant dense<[[0, 3, 2], [1, -1, 3]]> : tensor<2x3xi64>
  %c4_i64 = arith.constant 4 : i64
  %c0_i64 = arith.constant 0 : i64
  %2 = tensor.empty() : tensor<2x3xi1>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%1 : tensor<2x3xi64>) outs(%2 : tensor<2x3xi1>) {
  ^bb0(%in: i64, %out: i1):
    %11 = arith.cmpi slt, %in, %c0_i64 : i64
    linalg.yield %11 : i1
  } -> tensor<2x3xi1>
  %4 = tensor.empty() : tensor<2x3xi64>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%1 : tensor<2x3xi64>) outs(%4 : tensor<2x3xi64>) {
  ^bb0(%in: i64, %out: i64):
    %11 = arith.addi %in, %c4_i64 : i64
    linalg.yield %11 : i64
  } -> tensor<2x3xi64>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%3, %5, %1 : tensor<2x3xi1>, tensor<2x3xi64>, tensor<2x3xi64>) outs(%4 : tensor<2x3xi64>) {
  ^bb0(%in: i1, %in_0: i64, %in_1: i64, %out: i64):
    %11 = arith.select %in, %in_0, %in_1 : i64
    linalg.yield %11 : i64
  } -> tensor<2x3xi64>
  %collapsed = tensor.collapse_shape %6 [[0, 1]] : tensor<2x3xi64> into tensor<6xi64>
  %7 = tensor.empty() : tensor<2x6x5xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%collapsed : tensor<6xi64>) outs(%7 : tensor<2x6x5xf32>) {
  ^bb0(%in: i64, %out: f32):
    %11 = arith.index_cast %in : i64 to index
    %12 = linalg.index 0 : index
    %13 = linalg.index 2 : index
    %extracted = tensor.extract %0[%12, %11, %13] : tensor<2x4x5xf32>
    linalg.yield %extracted : f32
  } -> tensor<2x6x5xf32>
  %expanded = tensor.expand_shape %8 [[0], [1, 2], [3]] output_shape [2, 2, 3, 5] : tensor<2x6x5xf32> into tensor<2x2x3x5xf32>
  return %expanded : tensor<2x2x3x5xf32>
}

// CHECK-LABEL: EXEC @onnx_maxpool
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x2x2x2xf32={{\[\[}}[3 4][5 6]]{{\[\[}}4 5][6 3]]]
func.func @onnx_maxpool() -> tensor<1x2x2x2xf32> {
  %0 = util.unfoldable_constant dense<[[[[-6.0, 1.0, -5.0, 2.0], [-4.0, 3.0, -3.0, 4.0], [-2.0, 5.0, -1.0, 6.0], [0.0, -6.0, 1.0, -5.0]], [[2.0, -4.0, 3.0, -3.0], [4.0, -2.0, 5.0, -1.0], [6.0, 0.0, -6.0, 1.0], [-5.0, 2.0, -4.0, 3.0]]]]> : tensor<1x2x4x4xf32>
  %cst = arith.constant 0xFF800000 : f32
  %1 = tensor.empty() : tensor<1x2x2x2xf32>
  %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %3 = tensor.empty() : tensor<2x2xf32>
  %4 = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%0, %3 : tensor<1x2x4x4xf32>, tensor<2x2xf32>) outs(%2 : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %4 : tensor<1x2x2x2xf32>
}

// CHECK-LABEL: EXEC @onnx_avgpool
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x2x3x3xf32={{\[\[}}[-1.5 -1 -0.5][0.5 1 1.5][-0.75 -0.25 0.25]]{{\[\[}}0 0.5 1][2 -0.75 -0.25][0.75 -2 -1.5]]]
func.func @onnx_avgpool() -> tensor<1x2x3x3xf32> {
  %0 = util.unfoldable_constant dense<[[[[-6.0, 1.0, -5.0, 2.0], [-4.0, 3.0, -3.0, 4.0], [-2.0, 5.0, -1.0, 6.0], [0.0, -6.0, 1.0, -5.0]], [[2.0, -4.0, 3.0, -3.0], [4.0, -2.0, 5.0, -1.0], [6.0, 0.0, -6.0, 1.0], [-5.0, 2.0, -4.0, 3.0]]]]> : tensor<1x2x4x4xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %cst_0 = arith.constant 4.000000e+00 : f32
  %1 = tensor.empty() : tensor<1x2x3x3xf32>
  %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %3 = tensor.empty() : tensor<2x2xf32>
  %4 = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%0, %3 : tensor<1x2x4x4xf32>, tensor<2x2xf32>) outs(%2 : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%4 : tensor<1x2x3x3xf32>) outs(%1 : tensor<1x2x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %8 = arith.divf %in, %cst_0 : f32
    linalg.yield %8 : f32
  } -> tensor<1x2x3x3xf32>
  return %5 : tensor<1x2x3x3xf32>
}

// CHECK-LABEL: EXEC @onnx_lrn
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x4x3x3xf32={{\[\[}}[-5.99087 0.99995 -4.99239][1.9998 -3.99481 2.99925][-2.99745 3.998 -1.999]]{{\[\[}}4.99127 -0.999725 5.98848][0 -5.98848 0.999725][-4.99127 1.999 -3.99441]]{{\[\[}}2.99738 -2.99738 3.99441][-1.999 4.99127 -0.999725][5.98848 0 -5.98848]]{{\[\[}}0.99975 -4.99575 1.999][-3.998 2.99745 -2.99925][3.99481 -1.9998 4.99239]]]
func.func @onnx_lrn() -> tensor<1x4x3x3xf32> {
  %0 = util.unfoldable_constant dense<[[[[-6.0, 1.0, -5.0], [2.0, -4.0, 3.0], [-3.0, 4.0, -2.0]], [[5.0, -1.0, 6.0], [0.0, -6.0, 1.0], [-5.0, 2.0, -4.0]], [[3.0, -3.0, 4.0], [-2.0, 5.0, -1.0], [6.0, 0.0, -6.0]], [[1.0, -5.0, 2.0], [-4.0, 3.0, -3.0], [4.0, -2.0, 5.0]]]]> : tensor<1x4x3x3xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %cst_0 = arith.constant 3.000000e+00 : f32
  %cst_1 = arith.constant 9.99999974E-5 : f32
  %cst_2 = arith.constant 1.000000e+00 : f32
  %cst_3 = arith.constant 7.500000e-01 : f32
  %1 = tensor.empty() : tensor<1x4x3x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%0, %0 : tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) outs(%1 : tensor<1x4x3x3xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %16 = arith.mulf %in, %in_5 : f32
    linalg.yield %16 : f32
  } -> tensor<1x4x3x3xf32>
  %expanded = tensor.expand_shape %2 [[0], [1, 2], [3], [4]] output_shape [1, 1, 4, 3, 3] : tensor<1x4x3x3xf32> into tensor<1x1x4x3x3xf32>
  %padded = tensor.pad %expanded low[0, 0, 1, 0, 0] high[0, 0, 1, 0, 0] {
  ^bb0(%arg3: index, %arg4: index, %arg5: index, %arg6: index, %arg7: index):
    tensor.yield %cst : f32
  } : tensor<1x1x4x3x3xf32> to tensor<1x1x6x3x3xf32>
  %3 = tensor.empty() : tensor<1x1x4x3x3xf32>
  %4 = tensor.empty() : tensor<3x1x1xf32>
  %5 = tensor.empty() : tensor<1x6x3x3x1xf32>
  %transposed = linalg.transpose ins(%padded : tensor<1x1x6x3x3xf32>) outs(%5 : tensor<1x6x3x3x1xf32>) permutation = [0, 2, 3, 4, 1] 
  %6 = tensor.empty() : tensor<1x4x3x3x1xf32>
  %7 = linalg.fill ins(%cst : f32) outs(%6 : tensor<1x4x3x3x1xf32>) -> tensor<1x4x3x3x1xf32>
  %8 = linalg.pooling_ndhwc_sum {dilations = dense<1> : tensor<3xi64>, strides = dense<1> : tensor<3xi64>} ins(%transposed, %4 : tensor<1x6x3x3x1xf32>, tensor<3x1x1xf32>) outs(%7 : tensor<1x4x3x3x1xf32>) -> tensor<1x4x3x3x1xf32>
  %transposed_4 = linalg.transpose ins(%8 : tensor<1x4x3x3x1xf32>) outs(%3 : tensor<1x1x4x3x3xf32>) permutation = [0, 4, 1, 2, 3] 
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%transposed_4 : tensor<1x1x4x3x3xf32>) outs(%3 : tensor<1x1x4x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %16 = arith.divf %in, %cst_0 : f32
    linalg.yield %16 : f32
  } -> tensor<1x1x4x3x3xf32>
  %collapsed = tensor.collapse_shape %9 [[0, 1], [2], [3], [4]] : tensor<1x1x4x3x3xf32> into tensor<1x4x3x3xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%collapsed : tensor<1x4x3x3xf32>) outs(%1 : tensor<1x4x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %16 = arith.mulf %in, %cst_1 : f32
    linalg.yield %16 : f32
  } -> tensor<1x4x3x3xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%10 : tensor<1x4x3x3xf32>) outs(%1 : tensor<1x4x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %16 = arith.addf %in, %cst_2 : f32
    linalg.yield %16 : f32
  } -> tensor<1x4x3x3xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%11 : tensor<1x4x3x3xf32>) outs(%1 : tensor<1x4x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %16 = math.powf %in, %cst_3 : f32
    linalg.yield %16 : f32
  } -> tensor<1x4x3x3xf32>
  %13 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%0, %12 : tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) outs(%1 : tensor<1x4x3x3xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %16 = arith.divf %in, %in_5 : f32
    linalg.yield %16 : f32
  } -> tensor<1x4x3x3xf32>
  return %13 : tensor<1x4x3x3xf32>
}

// CHECK-LABEL: EXEC @onnx_gconv
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x6x3x3xf32={{\[\[}}[23 19 15][7 -49 38][4 -39 48]]{{\[\[}}77 -93 75][73 -32 58][-22 55 -24]]{{\[\[}}1 3 5][9 24 -52][-9 19 -57]]{{\[\[}}-6 -14 -22][40 32 37][34 -52 31]]{{\[\[}}40 35 -22][-6 -11 -55][-52 34 -49]]{{\[\[}}-57 19 -9][-52 24 9][5 3 1]]]
func.func @onnx_gconv() -> tensor<1x6x3x3xf32> {
  %0 = util.unfoldable_constant dense<[[[[-6.0, 1.0, -5.0, 2.0], [-4.0, 3.0, -3.0, 4.0], [-2.0, 5.0, -1.0, 6.0], [0.0, -6.0, 1.0, -5.0]], [[2.0, -4.0, 3.0, -3.0], [4.0, -2.0, 5.0, -1.0], [6.0, 0.0, -6.0, 1.0], [-5.0, 2.0, -4.0, 3.0]], [[-3.0, 4.0, -2.0, 5.0], [-1.0, 6.0, 0.0, -6.0], [1.0, -5.0, 2.0, -4.0], [3.0, -3.0, 4.0, -2.0]], [[5.0, -1.0, 6.0, 0.0], [-6.0, 1.0, -5.0, 2.0], [-4.0, 3.0, -3.0, 4.0], [-2.0, 5.0, -1.0, 6.0]]]]> : tensor<1x4x4x4xf32>
  %1 = util.unfoldable_constant dense<[[[[-6.0, 1.0], [-5.0, 2.0]], [[-4.0, 3.0], [-3.0, 4.0]]], [[[-2.0, 5.0], [-1.0, 6.0]], [[0.0, -6.0], [1.0, -5.0]]], [[[2.0, -4.0], [3.0, -3.0]], [[4.0, -2.0], [5.0, -1.0]]], [[[6.0, 0.0], [-6.0, 1.0]], [[-5.0, 2.0], [-4.0, 3.0]]], [[[-3.0, 4.0], [-2.0, 5.0]], [[-1.0, 6.0], [0.0, -6.0]]], [[[1.0, -5.0], [2.0, -4.0]], [[3.0, -3.0], [4.0, -2.0]]]]> : tensor<6x2x2x2xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %2 = tensor.empty() : tensor<1x6x3x3xf32>
  %expanded = tensor.expand_shape %0 [[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 4, 4] : tensor<1x4x4x4xf32> into tensor<1x2x2x4x4xf32>
  %expanded_0 = tensor.expand_shape %1 [[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 2, 2] : tensor<6x2x2x2xf32> into tensor<2x3x2x2x2xf32>
  %expanded_1 = tensor.expand_shape %2 [[0], [1, 2], [3], [4]] output_shape [1, 2, 3, 3, 3] : tensor<1x6x3x3xf32> into tensor<1x2x3x3x3xf32>
  %3 = linalg.fill ins(%cst : f32) outs(%expanded_1 : tensor<1x2x3x3x3xf32>) -> tensor<1x2x3x3x3xf32>
  %4 = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%expanded, %expanded_0 : tensor<1x2x2x4x4xf32>, tensor<2x3x2x2x2xf32>) outs(%3 : tensor<1x2x3x3x3xf32>) -> tensor<1x2x3x3x3xf32>
  %collapsed = tensor.collapse_shape %4 [[0], [1, 2], [3], [4]] : tensor<1x2x3x3x3xf32> into tensor<1x6x3x3xf32>
  return %collapsed : tensor<1x6x3x3xf32>
}

// CHECK-LABEL: EXEC @onnx_dwconv
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x4x4x4xf32={{\[\[}}[5 -1 -1 7][-4 61 -22 37][16 -11 23 -27][-45 49 -92 34]]{{\[\[}}0 -17 3 -9][-40 43 -88 56][-70 91 -14 46][26 -22 39 -49]]{{\[\[}}-55 22 49 29][44 -3 26 -39][55 -56 12 18][-5 1 -9 0]]{{\[\[}}35 -92 46 -48][-25 27 -18 12][40 -10 49 -7][5 1 -15 -1]]]
func.func @onnx_dwconv() -> tensor<1x4x4x4xf32> {
  %0 = util.unfoldable_constant dense<[[[[-6.0, 1.0, -5.0, 2.0], [-4.0, 3.0, -3.0, 4.0], [-2.0, 5.0, -1.0, 6.0], [0.0, -6.0, 1.0, -5.0]], [[2.0, -4.0, 3.0, -3.0], [4.0, -2.0, 5.0, -1.0], [6.0, 0.0, -6.0, 1.0], [-5.0, 2.0, -4.0, 3.0]], [[-3.0, 4.0, -2.0, 5.0], [-1.0, 6.0, 0.0, -6.0], [1.0, -5.0, 2.0, -4.0], [3.0, -3.0, 4.0, -2.0]], [[5.0, -1.0, 6.0, 0.0], [-6.0, 1.0, -5.0, 2.0], [-4.0, 3.0, -3.0, 4.0], [-2.0, 5.0, -1.0, 6.0]]]]> : tensor<1x4x4x4xf32>
  %1 = util.unfoldable_constant dense<[[[[-6.0, 1.0, -5.0], [2.0, -4.0, 3.0], [-3.0, 4.0, -2.0]]], [[[5.0, -1.0, 6.0], [0.0, -6.0, 1.0], [-5.0, 2.0, -4.0]]], [[[3.0, -3.0, 4.0], [-2.0, 5.0, -1.0], [6.0, 0.0, -6.0]]], [[[1.0, -5.0, 2.0], [-4.0, 3.0, -3.0], [4.0, -2.0, 5.0]]]]> : tensor<4x1x3x3xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %0 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%arg4: index, %arg5: index, %arg6: index, %arg7: index):
    tensor.yield %cst : f32
  } : tensor<1x4x4x4xf32> to tensor<1x4x6x6xf32>
  %2 = tensor.empty() : tensor<1x4x4x4xf32>
  %3 = linalg.fill ins(%cst : f32) outs(%2 : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %collapsed = tensor.collapse_shape %1 [[0, 1], [2], [3]] : tensor<4x1x3x3xf32> into tensor<4x3x3xf32>
  %4 = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%padded, %collapsed : tensor<1x4x6x6xf32>, tensor<4x3x3xf32>) outs(%3 : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %4 : tensor<1x4x4x4xf32>
}
