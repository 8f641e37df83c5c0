// linalg's quantized named ops: out += (a - a_zp) * (b - b_zp), every value cast
// (signed) to the output's element type. Expected values were computed
// independently (numpy loops over each op's definition), not copied from
// iree-lite; tests/test_reference_iree.py runs this file against IREE too.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir %s --device=local-task | FileCheck %s

// CHECK-LABEL: EXEC @quantized_matmul
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x4xi32=[7842 8455 22233 5955][654 -6907 7552 -11897]
func.func @quantized_matmul() -> tensor<2x4xi32> {
  %x = util.unfoldable_constant dense<[[  43,   78, -123], [  78,   -8,    3]]> : tensor<2x3xi8>
  %w = util.unfoldable_constant dense<[[  33,  -55,  122, -115], [ -57,  -30,   18,  -24], [ -95, -117, -128, -116]]> : tensor<3x4xi8>
  %xz = arith.constant -5 : i32
  %wz = arith.constant 17 : i32
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<2x4xi32>
  %o = linalg.fill ins(%zero : i32) outs(%e : tensor<2x4xi32>) -> tensor<2x4xi32>
  %r = linalg.quantized_matmul ins(%x, %w, %xz, %wz : tensor<2x3xi8>, tensor<3x4xi8>, i32, i32) outs(%o : tensor<2x4xi32>) -> tensor<2x4xi32>
  return %r : tensor<2x4xi32>
}

// CHECK-LABEL: EXEC @quantized_batch_matmul
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2x2xi32={{\[\[}}-66777 -61020][-40368 -37944]]{{\[\[}}-85738 -51605][-27112 1030]]
func.func @quantized_batch_matmul() -> tensor<2x2x2xi32> {
  %x = util.unfoldable_constant dense<[[[-90, 127, -80],  [ 39,  64, -68]], [[-56, -17, -61],  [121, -83, 101]]]> : tensor<2x2x3xi8>
  %w = util.unfoldable_constant dense<[[[  76,   88],  [ -99,  -28],  [  32,   -2]], [[  42,   45],  [  41, -113],  [ 117,   14]]]> : tensor<2x3x2xi8>
  %xz = arith.constant 100 : i32
  %wz = arith.constant -128 : i32
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<2x2x2xi32>
  %o = linalg.fill ins(%zero : i32) outs(%e : tensor<2x2x2xi32>) -> tensor<2x2x2xi32>
  %r = linalg.quantized_batch_matmul ins(%x, %w, %xz, %wz : tensor<2x2x3xi8>, tensor<2x3x2xi8>, i32, i32) outs(%o : tensor<2x2x2xi32>) -> tensor<2x2x2xi32>
  return %r : tensor<2x2x2xi32>
}

// CHECK-LABEL: EXEC @conv_2d_nhwc_hwcf_q
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x2x2x2xi32={{\[\[}}[10217 19023][20466 -37941]]{{\[\[}}29220 3407][-22486 32406]]]
func.func @conv_2d_nhwc_hwcf_q() -> tensor<1x2x2x2xi32> {
  %x = util.unfoldable_constant dense<[[[[ 103,  -59],   [ -36,   97],   [ -81, -112],   [ -33,   45]],  [[ -97,   94],   [ -41,  -70],   [  11,  101],   [  98,   95]],  [[ -50, -124],   [  71,   53],   [  69, -128],   [-119,    0]],  [[ -43,  -17],   [ 110,  -76],   [   7,  -45],   [ -53,   78]]]]> : tensor<1x4x4x2xi8>
  %w = util.unfoldable_constant dense<[[[[ -89,  -47],   [ -98,  -90]],  [[ -57,   50],   [  20,  -14]],  [[ -85,   76],   [  76,  -68]]], [[[-113,  -47],   [ -91,   76]],  [[   5,    1],   [ -54,    1]],  [[ 119,  -68],   [  68, -125]]], [[[ -48,  110],   [  95, -107]],  [[  87,   88],   [ -12,  -34]],  [[ 122,  115],   [  45,  -26]]]]> : tensor<3x3x2x2xi8>
  %xz = arith.constant 3 : i32
  %wz = arith.constant -7 : i32
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x2xi32>
  %o = linalg.fill ins(%zero : i32) outs(%e : tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
  %r = linalg.conv_2d_nhwc_hwcf_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %xz, %wz : tensor<1x4x4x2xi8>, tensor<3x3x2x2xi8>, i32, i32) outs(%o : tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
  return %r : tensor<1x2x2x2xi32>
}

// CHECK-LABEL: EXEC @conv_2d_nchw_fchw_q
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x2x2x2xi32={{\[\[}}[37506 -17942][8583 22554]]{{\[\[}}20412 7671][11440 -4641]]]
func.func @conv_2d_nchw_fchw_q() -> tensor<1x2x2x2xi32> {
  %x = util.unfoldable_constant dense<[[[[ -75,  111,  -60,   14],   [  44,  -67,  -48,   61],   [ -78,   44,  113,   47],   [  37,  -10,  119,  -72]],  [[ -37,   36,   39, -101],   [ -87,   49,   87,   34],   [ 110,  -32,  -44,   76],   [-118,  -79,  -79,  -29]]]]> : tensor<1x2x4x4xi8>
  %w = util.unfoldable_constant dense<[[[[ -88,   76],   [  88,  -31]],  [[-121,   54],   [-101,   28]]], [[[ -85,  112],   [  45,  125]],  [[  29,   57],   [ -32,   79]]]]> : tensor<2x2x2x2xi8>
  %xz = arith.constant -1 : i32
  %wz = arith.constant 2 : i32
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x2xi32>
  %o = linalg.fill ins(%zero : i32) outs(%e : tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
  %r = linalg.conv_2d_nchw_fchw_q {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w, %xz, %wz : tensor<1x2x4x4xi8>, tensor<2x2x2x2xi8>, i32, i32) outs(%o : tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
  return %r : tensor<1x2x2x2xi32>
}

// CHECK-LABEL: EXEC @conv_2d_nhwc_fhwc_q
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x2x2x2xi32={{\[\[}}[13384 -24771][-5835 3453]]{{\[\[}}-12110 15856][-3909 -5025]]]
func.func @conv_2d_nhwc_fhwc_q() -> tensor<1x2x2x2xi32> {
  %x = util.unfoldable_constant dense<[[[[-100,  -89],   [ -36,   54],   [  -4,   88]],  [[ 113,  -26],   [ -20,   13],   [  37,   -6]],  [[  26,  117],   [  59,  -47],   [ -20,  -26]]]]> : tensor<1x3x3x2xi8>
  %w = util.unfoldable_constant dense<[[[[ -90, -128],   [  74,  -21]],  [[ -38,   33],   [  16,  111]]], [[[  29,  108],   [  20,  -45]],  [[ -46,  125],   [  22,  -80]]]]> : tensor<2x2x2x2xi8>
  %xz = arith.constant 0 : i32
  %wz = arith.constant 9 : i32
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x2xi32>
  %o = linalg.fill ins(%zero : i32) outs(%e : tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
  %r = linalg.conv_2d_nhwc_fhwc_q ins(%x, %w, %xz, %wz : tensor<1x3x3x2xi8>, tensor<2x2x2x2xi8>, i32, i32) outs(%o : tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
  return %r : tensor<1x2x2x2xi32>
}

// CHECK-LABEL: EXEC @conv_3d_ndhwc_dhwcf_q
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x2x2x2x2xi32={{\[\[}}{{\[\[}}-18411 -1721][-29334 8036]]{{\[\[}}38843 -14495][36974 -8753]]]{{\[\[}}[10687 -13559][7059 -6712]]{{\[\[}}5043 3158][17339 10289]]]]
func.func @conv_3d_ndhwc_dhwcf_q() -> tensor<1x2x2x2x2xi32> {
  %x = util.unfoldable_constant dense<[[[[[  84],    [  82],    [-126]],   [[ -88],    [  49],    [ -25]],   [[ -41],    [-110],    [ -80]]],  [[[  91],    [  85],    [  84]],   [[  18],    [ -93],    [ -46]],   [[   6],    [ 126],    [ -62]]],  [[[  12],    [  -3],    [   0]],   [[  13],    [  52],    [-101]],   [[ 123],    [  93],    [  68]]]]]> : tensor<1x3x3x3x1xi8>
  %w = util.unfoldable_constant dense<[[[[[ -57,  -16]],   [[ -14,  -49]]],  [[[-114,   62]],   [[-128,   67]]]], [[[[ -79,   36]],   [[ -41,  -68]]],  [[[ 109,   -7]],   [[  99,  -80]]]]]> : tensor<2x2x2x1x2xi8>
  %xz = arith.constant 4 : i32
  %wz = arith.constant -4 : i32
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x2x2xi32>
  %o = linalg.fill ins(%zero : i32) outs(%e : tensor<1x2x2x2x2xi32>) -> tensor<1x2x2x2x2xi32>
  %r = linalg.conv_3d_ndhwc_dhwcf_q ins(%x, %w, %xz, %wz : tensor<1x3x3x3x1xi8>, tensor<2x2x2x1x2xi8>, i32, i32) outs(%o : tensor<1x2x2x2x2xi32>) -> tensor<1x2x2x2x2xi32>
  return %r : tensor<1x2x2x2x2xi32>
}

// CHECK-LABEL: EXEC @depthwise_conv_2d_nhwc_hwc_q
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x2x2x2xi32={{\[\[}}[-63492 -26948][-86346 -16038]]{{\[\[}}-81069 -63181][-86415 -56335]]]
func.func @depthwise_conv_2d_nhwc_hwc_q() -> tensor<1x2x2x2xi32> {
  %x = util.unfoldable_constant dense<[[[[  -5,  -40],   [ -12, -125],   [  42,  -40]],  [[  91,  -74],   [ -42, -117],   [  75,    8]],  [[ -26,  106],   [  24,  118],   [  60,   21]]]]> : tensor<1x3x3x2xi8>
  %w = util.unfoldable_constant dense<[[[   0,  -77],  [  48,   74]], [[  50,  -23],  [-127,   60]]]> : tensor<2x2x2xi8>
  %xz = arith.constant -128 : i32
  %wz = arith.constant 127 : i32
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x2xi32>
  %o = linalg.fill ins(%zero : i32) outs(%e : tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
  %r = linalg.depthwise_conv_2d_nhwc_hwc_q ins(%x, %w, %xz, %wz : tensor<1x3x3x2xi8>, tensor<2x2x2xi8>, i32, i32) outs(%o : tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
  return %r : tensor<1x2x2x2xi32>
}

// CHECK-LABEL: EXEC @depthwise_conv_2d_nhwc_hwcm_q
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1x2x2x2x2xi32={{\[\[}}{{\[\[}}-10707 27805][-8733 -23866]]{{\[\[}}-13806 24792][1895 25694]]]{{\[\[}}[4764 -3074][10616 -15423]]{{\[\[}}9987 2960][-10067 5335]]]]
func.func @depthwise_conv_2d_nhwc_hwcm_q() -> tensor<1x2x2x2x2xi32> {
  %x = util.unfoldable_constant dense<[[[[-118,   77],   [ -90,  -50],   [ -74,   10]],  [[ -76,  -62],   [-116,  123],   [ -73,  -79]],  [[  25,  -92],   [  98,   72],   [ -39,  -26]]]]> : tensor<1x3x3x2xi8>
  %w = util.unfoldable_constant dense<[[[[ -35,   60],   [ -22,  -55]],  [[  46,  -93],   [  73,  -19]]], [[[ 112,  -62],   [ -32,   95]],  [[  52, -118],   [ -41, -124]]]]> : tensor<2x2x2x2xi8>
  %xz = arith.constant 11 : i32
  %wz = arith.constant 13 : i32
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x2x2xi32>
  %o = linalg.fill ins(%zero : i32) outs(%e : tensor<1x2x2x2x2xi32>) -> tensor<1x2x2x2x2xi32>
  %r = linalg.depthwise_conv_2d_nhwc_hwcm_q ins(%x, %w, %xz, %wz : tensor<1x3x3x2xi8>, tensor<2x2x2x2xi8>, i32, i32) outs(%o : tensor<1x2x2x2x2xi32>) -> tensor<1x2x2x2x2xi32>
  return %r : tensor<1x2x2x2x2xi32>
}
