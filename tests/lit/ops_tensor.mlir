// Every tensor op, with FileCheck on the printed results. Expected values were
// computed independently (numpy), not copied from iree-lite.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// extract reads one element (also of a rank-0 tensor).
// CHECK-LABEL: EXEC @extract
// CHECK-NEXT: result[0]: i32=-6
// CHECK-NEXT: result[1]: f64=-0
// CHECK-NEXT: result[2]: f32=2.25
func.func @extract() -> (i32, f64, f32) {
  %t = util.unfoldable_constant dense<[[1, -2, 3], [-4, 5, -6]]> : tensor<2x3xi32>
  %i = util.unfoldable_constant 1 : index
  %j = util.unfoldable_constant 2 : index
  %e = tensor.extract %t[%i, %j] : tensor<2x3xi32>
  %d = util.unfoldable_constant dense<[0.5, -0.0, 0x7FF8000000000000]> : tensor<3xf64>
  %de = tensor.extract %d[%i] : tensor<3xf64>
  %r = util.unfoldable_constant dense<2.25> : tensor<f32>
  %re = tensor.extract %r[] : tensor<f32>
  return %e, %de, %re : i32, f64, f32
}

// insert returns a new tensor.
// CHECK-LABEL: EXEC @insert
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xi8=1 2 -128 4
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xf32=1.5 2.5 -1E+30
func.func @insert() -> (tensor<4xi8>, tensor<3xf32>) {
  %j = util.unfoldable_constant 2 : index
  %b = util.unfoldable_constant dense<[1, 2, 3, 4]> : tensor<4xi8>
  %bv = util.unfoldable_constant -128 : i8
  %bn = tensor.insert %bv into %b[%j] : tensor<4xi8>
  %f = util.unfoldable_constant dense<[1.5, 2.5, 3.5]> : tensor<3xf32>
  %fv = util.unfoldable_constant -1.0e+30 : f32
  %fn = tensor.insert %fv into %f[%j] : tensor<3xf32>
  return %bn, %fn : tensor<4xi8>, tensor<3xf32>
}

// CHECK-LABEL: EXEC @insert_2d
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x3xi32=[1 -2 -2147483648][-4 5 -6]
func.func @insert_2d() -> (tensor<2x3xi32>) {
  %t = util.unfoldable_constant dense<[[1, -2, 3], [-4, 5, -6]]> : tensor<2x3xi32>
  %j = util.unfoldable_constant 2 : index
  %c0 = arith.constant 0 : index
  %v = util.unfoldable_constant -2147483648 : i32
  %n = tensor.insert %v into %t[%c0, %j] : tensor<2x3xi32>
  return %n : tensor<2x3xi32>
}

// CHECK-LABEL: EXEC @extract_f16
// CHECK-NEXT: result[0]: f32=inf
func.func @extract_f16() -> (f32) {
  %h = util.unfoldable_constant dense<[[1.5, 2.5], [-3.0, 0x7C00]]> : tensor<2x2xf16>
  %i = util.unfoldable_constant 1 : index
  %he = tensor.extract %h[%i, %i] : tensor<2x2xf16>
  %hf = arith.extf %he : f16 to f32
  return %hf : f32
}

// CHECK-LABEL: EXEC @from_elements
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xi1=01 00 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xi64=9223372036854775807 -1
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: f32=-2.5
func.func @from_elements() -> (tensor<3xi1>, tensor<2xi64>, tensor<f32>) {
  %s = util.unfoldable_constant -2.5 : f32
  %a = util.unfoldable_constant 9223372036854775807 : i64
  %b = util.unfoldable_constant -1 : i64
  %t = util.unfoldable_constant true
  %f = util.unfoldable_constant false
  %fb = tensor.from_elements %t, %f, %f : tensor<3xi1>
  %fl = tensor.from_elements %a, %b : tensor<2xi64>
  %r0 = tensor.from_elements %s : tensor<f32>
  return %fb, %fl, %r0 : tensor<3xi1>, tensor<2xi64>, tensor<f32>
}

// CHECK-LABEL: EXEC @from_elements_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xf16=0.0999756 -65504 0.0999756
func.func @from_elements_f16() -> (tensor<3xf16>) {
  %x = util.unfoldable_constant 0.1 : f16
  %y = util.unfoldable_constant -65504.0 : f16
  %fh = tensor.from_elements %x, %y, %x : tensor<3xf16>
  return %fh : tensor<3xf16>
}

// from_elements is row-major.
// CHECK-LABEL: EXEC @from_elements_2d
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2xi64=[9223372036854775807 -1][-1 9223372036854775807]
func.func @from_elements_2d() -> (tensor<2x2xi64>) {
  %a = util.unfoldable_constant 9223372036854775807 : i64
  %b = util.unfoldable_constant -1 : i64
  %fe = tensor.from_elements %a, %b, %b, %a : tensor<2x2xi64>
  return %fe : tensor<2x2xi64>
}

// splat fills a shape with one scalar.
// CHECK-LABEL: EXEC @splat
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[-2.5 -2.5 -2.5][-2.5 -2.5 -2.5]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4xi8=7 7 7 7
func.func @splat() -> (tensor<2x3xf32>, tensor<4xi8>) {
  %s = util.unfoldable_constant -2.5 : f32
  %sp = tensor.splat %s : tensor<2x3xf32>
  %k = util.unfoldable_constant 7 : i8
  %kb = tensor.splat %k : tensor<4xi8>
  return %sp, %kb : tensor<2x3xf32>, tensor<4xi8>
}

// dim reads a static size; cast between equal shapes is the identity; empty is storage that fill writes.
// CHECK-LABEL: EXEC @dim_cast_empty
// CHECK-NEXT: result[0]: i64=5
// CHECK-NEXT: result[1]: i64=2
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xi64=3 -3
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 2x2xi32=[7 7][7 7]
func.func @dim_cast_empty() -> (index, index, tensor<2xi64>, tensor<2x2xi32>) {
  %t = util.unfoldable_constant dense<[[0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<2x5xf32>
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %d1 = tensor.dim %t, %c1 : tensor<2x5xf32>
  %d0 = tensor.dim %t, %c0 : tensor<2x5xf32>
  %i = util.unfoldable_constant dense<[3, -3]> : tensor<2xi64>
  %c = tensor.cast %i : tensor<2xi64> to tensor<2xi64>
  %e = tensor.empty() : tensor<2x2xi32>
  %seven = arith.constant 7 : i32
  %f = linalg.fill ins(%seven : i32) outs(%e : tensor<2x2xi32>) -> tensor<2x2xi32>
  return %d1, %d0, %c, %f : index, index, tensor<2xi64>, tensor<2x2xi32>
}

// Reshapes keep the row-major data.
// CHECK-LABEL: EXEC @reshapes
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xf32=-2.5 -1.5 -0.5 0.5 1.5 2.5
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3x2xf32=[-2.5 -1.5][-0.5 0.5][1.5 2.5]
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 1x6xf32=[-2.5 -1.5 -0.5 0.5 1.5 2.5]
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 6x4xi8=[0 1 2 3][4 5 6 7][8 9 10 11][12 13 14 15][16 17 18 19][20 21 22 23]
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 12x2xi8=[0 1][2 3][4 5][6 7][8 9][10 11][12 13][14 15][16 17][18 19][20 21][22 23]
func.func @reshapes() -> (tensor<6xf32>, tensor<3x2xf32>, tensor<1x6xf32>, tensor<6x4xi8>, tensor<12x2xi8>) {
  %m = util.unfoldable_constant dense<[[-2.5, -1.5, -0.5], [0.5, 1.5, 2.5]]> : tensor<2x3xf32>
  %flat = tensor.collapse_shape %m [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  %e = tensor.expand_shape %flat [[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
  %shape = arith.constant dense<[1, 6]> : tensor<2xi64>
  %r = tensor.reshape %e(%shape) : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<1x6xf32>
  %b = util.unfoldable_constant dense<[[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]]> : tensor<2x3x4xi8>
  %bc = tensor.collapse_shape %b [[0, 1], [2]] : tensor<2x3x4xi8> into tensor<6x4xi8>
  %be = tensor.expand_shape %bc [[0], [1, 2]] output_shape [6, 2, 2] : tensor<6x4xi8> into tensor<6x2x2xi8>
  %bt = tensor.collapse_shape %be [[0, 1], [2]] : tensor<6x2x2xi8> into tensor<12x2xi8>
  return %flat, %e, %r, %bc, %bt : tensor<6xf32>, tensor<3x2xf32>, tensor<1x6xf32>, tensor<6x4xi8>, tensor<12x2xi8>
}

// Static slices with offsets, sizes and strides; the rank-reducing form drops unit dimensions.
// CHECK-LABEL: EXEC @extract_slice
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2xf32=[-2.5 -1][3.5 5]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x2xf32=[-4 0.5][8 12.5]
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 4xf32=8 9.5 11 12.5
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 3xi64=-3 0 3
func.func @extract_slice() -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<4xf32>, tensor<3xi64>) {
  %a = util.unfoldable_constant dense<[[-4.0, -2.5, -1.0, 0.5], [2.0, 3.5, 5.0, 6.5], [8.0, 9.5, 11.0, 12.5]]> : tensor<3x4xf32>
  %x = tensor.extract_slice %a[0, 1] [2, 2] [1, 1] : tensor<3x4xf32> to tensor<2x2xf32>
  %y = tensor.extract_slice %a[0, 0] [2, 2] [2, 3] : tensor<3x4xf32> to tensor<2x2xf32>
  %z = tensor.extract_slice %a[2, 0] [1, 4] [1, 1] : tensor<3x4xf32> to tensor<4xf32>
  %i = util.unfoldable_constant dense<[-4, -3, -2, -1, 0, 1, 2, 3]> : tensor<8xi64>
  %is = tensor.extract_slice %i[1] [3] [3] : tensor<8xi64> to tensor<3xi64>
  return %x, %y, %z, %is : tensor<2x2xf32>, tensor<2x2xf32>, tensor<4xf32>, tensor<3xi64>
}

// CHECK-LABEL: EXEC @insert_slice
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3x4xf32=[-4 -2.5 -1 0.5][2 -1 -2 6.5][8 -3 -4 12.5]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3x4xf32=[9 97.5 8 100.5][102 103.5 105 106.5][108 109.5 111 112.5]
func.func @insert_slice() -> (tensor<3x4xf32>, tensor<3x4xf32>) {
  %a = util.unfoldable_constant dense<[[-4.0, -2.5, -1.0, 0.5], [2.0, 3.5, 5.0, 6.5], [8.0, 9.5, 11.0, 12.5]]> : tensor<3x4xf32>
  %s = util.unfoldable_constant dense<[[-1.0, -2.0], [-3.0, -4.0]]> : tensor<2x2xf32>
  %w = tensor.insert_slice %s into %a[1, 1] [2, 2] [1, 1] : tensor<2x2xf32> into tensor<3x4xf32>
  %b = util.unfoldable_constant dense<[[96.0, 97.5, 99.0, 100.5], [102.0, 103.5, 105.0, 106.5], [108.0, 109.5, 111.0, 112.5]]> : tensor<3x4xf32>
  %r = util.unfoldable_constant dense<[9.0, 8.0]> : tensor<2xf32>
  %v = tensor.insert_slice %r into %b[0, 0] [1, 2] [1, 2] : tensor<2xf32> into tensor<3x4xf32>
  return %w, %v : tensor<3x4xf32>, tensor<3x4xf32>
}

// Slicing a tensor and inserting into it: the slice sees the original values.
// CHECK-LABEL: EXEC @extract_and_insert_slice
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2xf32=[-2.5 -1][3.5 5]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3x4xf32=[9 -2.5 8 0.5][2 3.5 5 6.5][8 9.5 11 12.5]
func.func @extract_and_insert_slice() -> (tensor<2x2xf32>, tensor<3x4xf32>) {
  %a = util.unfoldable_constant dense<[[-4.0, -2.5, -1.0, 0.5], [2.0, 3.5, 5.0, 6.5], [8.0, 9.5, 11.0, 12.5]]> : tensor<3x4xf32>
  %r = util.unfoldable_constant dense<[9.0, 8.0]> : tensor<2xf32>
  %x = tensor.extract_slice %a[0, 1] [2, 2] [1, 1] : tensor<3x4xf32> to tensor<2x2xf32>
  %v = tensor.insert_slice %r into %a[0, 0] [1, 2] [1, 2] : tensor<2xf32> into tensor<3x4xf32>
  return %x, %v : tensor<2x2xf32>, tensor<3x4xf32>
}

// CHECK-LABEL: EXEC @concat
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x3xi8=[1 2 5][3 4 6]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5x2xi8=[1 2][3 4][7 8][1 2][3 4]
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 3xf16=INF 0.5 -0
func.func @concat() -> (tensor<2x3xi8>, tensor<5x2xi8>, tensor<3xf16>) {
  %p = util.unfoldable_constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %q = util.unfoldable_constant dense<[[5], [6]]> : tensor<2x1xi8>
  %u = util.unfoldable_constant dense<[[7, 8]]> : tensor<1x2xi8>
  %c1 = tensor.concat dim(1) %p, %q : (tensor<2x2xi8>, tensor<2x1xi8>) -> tensor<2x3xi8>
  %c0 = tensor.concat dim(0) %p, %u, %p : (tensor<2x2xi8>, tensor<1x2xi8>, tensor<2x2xi8>) -> tensor<5x2xi8>
  %h = util.unfoldable_constant dense<[0.5, -0.0]> : tensor<2xf16>
  %k = util.unfoldable_constant dense<[0x7C00]> : tensor<1xf16>
  %ch = tensor.concat dim(0) %k, %h : (tensor<1xf16>, tensor<2xf16>) -> tensor<3xf16>
  return %c1, %c0, %ch : tensor<2x3xi8>, tensor<5x2xi8>, tensor<3xf16>
}

// pad fills with the yielded value and places the source at the low offsets.
// CHECK-LABEL: EXEC @pad
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3x4xf32=[-1 -1 -1 -1][1.5 2.5 -1 -1][3.5 4.5 -1 -1]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xi32=0 0 5 6 0
func.func @pad() -> (tensor<3x4xf32>, tensor<5xi32>) {
  %x = util.unfoldable_constant dense<[[1.5, 2.5], [3.5, 4.5]]> : tensor<2x2xf32>
  %v = util.unfoldable_constant -1.0 : f32
  %p = tensor.pad %x low[1, 0] high[0, 2] {
    ^bb0(%i: index, %j: index):
      tensor.yield %v : f32
    } : tensor<2x2xf32> to tensor<3x4xf32>
  %n = util.unfoldable_constant dense<[5, 6]> : tensor<2xi32>
  %z = arith.constant 0 : i32
  %q = tensor.pad %n low[2] high[1] {
    ^bb0(%i: index):
      tensor.yield %z : i32
    } : tensor<2xi32> to tensor<5xi32>
  return %p, %q : tensor<3x4xf32>, tensor<5xi32>
}

// generate's body computes each element from its coordinates and yields it.
// CHECK-LABEL: EXEC @generate
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3x2xi64=[0 1][10 11][20 21]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4xf32=0 1 1.41421 1.73205
func.func @generate() -> (tensor<3x2xi64>, tensor<4xf32>) {
  %s = util.unfoldable_constant 10 : index
  %g = tensor.generate {
  ^bb0(%i: index, %j: index):
    %a = arith.muli %i, %s : index
    %b = arith.addi %a, %j : index
    %c = arith.index_cast %b : index to i64
    tensor.yield %c : i64
  } : tensor<3x2xi64>
  %h = tensor.generate {
  ^bb0(%i: index):
    %c = arith.index_cast %i : index to i32
    %f = arith.sitofp %c : i32 to f32
    %r = math.sqrt %f : f32
    tensor.yield %r : f32
  } : tensor<4xf32>
  return %g, %h : tensor<3x2xi64>, tensor<4xf32>
}

// CHECK-LABEL: EXEC @bitcast
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xf32=1 -1 NAN
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xi16=15360 -32768 31743
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 1x2xi64=[4607182418800017408 -4611686018427387904]
func.func @bitcast() -> (tensor<3xf32>, tensor<3xi16>, tensor<1x2xi64>) {
  %w = util.unfoldable_constant dense<[1065353216, -1082130432, 2143289344]> : tensor<3xi32>
  %f = tensor.bitcast %w : tensor<3xi32> to tensor<3xf32>
  %h = util.unfoldable_constant dense<[1.0, -0.0, 65504.0]> : tensor<3xf16>
  %hi = tensor.bitcast %h : tensor<3xf16> to tensor<3xi16>
  %d = util.unfoldable_constant dense<[[1.0, -2.0]]> : tensor<1x2xf64>
  %di = tensor.bitcast %d : tensor<1x2xf64> to tensor<1x2xi64>
  return %f, %hi, %di : tensor<3xf32>, tensor<3xi16>, tensor<1x2xi64>
}
