// Every arith op, with FileCheck on the printed results. Expected values were
// computed independently (numpy / Python integers), not copied from iree-lite.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// maximumf/minimumf propagate NaN and order -0 below +0.
// CHECK-LABEL: EXEC @float_binary_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xf16=1.75 1 0 -0 INF -INF NAN 4.5
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xf16=1.25 -5 0 0 -NAN -INF NAN 9.5
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xf16=0.375 -6 -0 0 INF -INF NAN -17.5
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 8xf16=6 -0.666504 -NAN -NAN -NAN -INF NAN -2.80078
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 8xf16=1.5 3 0 -0 INF 2 NAN 7
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 8xf16=0.25 -2 -0 -0 INF -INF NAN -2.5
func.func @float_binary_f16() -> (tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>) {
  %a = util.unfoldable_constant dense<[1.5, -2.0, 0.0, -0.0, 0x7C00, 0xFC00, 0x7E00, 7.0]> : tensor<8xf16>
  %b = util.unfoldable_constant dense<[0.25, 3.0, -0.0, -0.0, 0x7C00, 2.0, 1.0, -2.5]> : tensor<8xf16>
  %addf = arith.addf %a, %b : tensor<8xf16>
  %subf = arith.subf %a, %b : tensor<8xf16>
  %mulf = arith.mulf %a, %b : tensor<8xf16>
  %divf = arith.divf %a, %b : tensor<8xf16>
  %maximumf = arith.maximumf %a, %b : tensor<8xf16>
  %minimumf = arith.minimumf %a, %b : tensor<8xf16>
  return %addf, %subf, %mulf, %divf, %maximumf, %minimumf : tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>
}

// maximumf/minimumf propagate NaN and order -0 below +0.
// CHECK-LABEL: EXEC @float_binary_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xf32=1.75 1 0 -0 INF -INF NAN 4.5
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xf32=1.25 -5 0 0 -NAN -INF NAN 9.5
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xf32=0.375 -6 -0 0 INF -INF NAN -17.5
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 8xf32=6 -0.666667 -NAN -NAN -NAN -INF NAN -2.8
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 8xf32=1.5 3 0 -0 INF 2 NAN 7
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 8xf32=0.25 -2 -0 -0 INF -INF NAN -2.5
func.func @float_binary_f32() -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %a = util.unfoldable_constant dense<[1.5, -2.0, 0.0, -0.0, 0x7F800000, 0xFF800000, 0x7FC00000, 7.0]> : tensor<8xf32>
  %b = util.unfoldable_constant dense<[0.25, 3.0, -0.0, -0.0, 0x7F800000, 2.0, 1.0, -2.5]> : tensor<8xf32>
  %addf = arith.addf %a, %b : tensor<8xf32>
  %subf = arith.subf %a, %b : tensor<8xf32>
  %mulf = arith.mulf %a, %b : tensor<8xf32>
  %divf = arith.divf %a, %b : tensor<8xf32>
  %maximumf = arith.maximumf %a, %b : tensor<8xf32>
  %minimumf = arith.minimumf %a, %b : tensor<8xf32>
  return %addf, %subf, %mulf, %divf, %maximumf, %minimumf : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// maximumf/minimumf propagate NaN and order -0 below +0.
// CHECK-LABEL: EXEC @float_binary_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xf64=1.75 1 0 -0 INF -INF NAN 4.5
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xf64=1.25 -5 0 0 -NAN -INF NAN 9.5
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xf64=0.375 -6 -0 0 INF -INF NAN -17.5
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 8xf64=6 -0.666667 -NAN -NAN -NAN -INF NAN -2.8
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 8xf64=1.5 3 0 -0 INF 2 NAN 7
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 8xf64=0.25 -2 -0 -0 INF -INF NAN -2.5
func.func @float_binary_f64() -> (tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>) {
  %a = util.unfoldable_constant dense<[1.5, -2.0, 0.0, -0.0, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 7.0]> : tensor<8xf64>
  %b = util.unfoldable_constant dense<[0.25, 3.0, -0.0, -0.0, 0x7FF0000000000000, 2.0, 1.0, -2.5]> : tensor<8xf64>
  %addf = arith.addf %a, %b : tensor<8xf64>
  %subf = arith.subf %a, %b : tensor<8xf64>
  %mulf = arith.mulf %a, %b : tensor<8xf64>
  %divf = arith.divf %a, %b : tensor<8xf64>
  %maximumf = arith.maximumf %a, %b : tensor<8xf64>
  %minimumf = arith.minimumf %a, %b : tensor<8xf64>
  return %addf, %subf, %mulf, %divf, %maximumf, %minimumf : tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>
}

// CHECK-LABEL: EXEC @remf_negf_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xf16=1.5 -1.5 1.5 -0 5 NAN NAN -0.0010004
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xf16=-7.5 7.5 -7.5 0 -5 -NAN -1 0.0010004
func.func @remf_negf_f16() -> (tensor<8xf16>, tensor<8xf16>) {
  %a = util.unfoldable_constant dense<[7.5, -7.5, 7.5, -0.0, 5.0, 0x7E00, 1.0, -0.001]> : tensor<8xf16>
  %b = util.unfoldable_constant dense<[2.0, 2.0, -2.0, 3.0, 0x7C00, 1.0, 0x7E00, -4.0]> : tensor<8xf16>
  %remf = arith.remf %a, %b : tensor<8xf16>
  %negf = arith.negf %a : tensor<8xf16>
  return %remf, %negf : tensor<8xf16>, tensor<8xf16>
}

// CHECK-LABEL: EXEC @remf_negf_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xf32=1.5 -1.5 1.5 -0 5 NAN NAN -0.001
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xf32=-7.5 7.5 -7.5 0 -5 -NAN -1 0.001
func.func @remf_negf_f32() -> (tensor<8xf32>, tensor<8xf32>) {
  %a = util.unfoldable_constant dense<[7.5, -7.5, 7.5, -0.0, 5.0, 0x7FC00000, 1.0, -0.001]> : tensor<8xf32>
  %b = util.unfoldable_constant dense<[2.0, 2.0, -2.0, 3.0, 0x7F800000, 1.0, 0x7FC00000, -4.0]> : tensor<8xf32>
  %remf = arith.remf %a, %b : tensor<8xf32>
  %negf = arith.negf %a : tensor<8xf32>
  return %remf, %negf : tensor<8xf32>, tensor<8xf32>
}

// CHECK-LABEL: EXEC @remf_negf_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xf64=1.5 -1.5 1.5 -0 5 NAN NAN -0.001
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xf64=-7.5 7.5 -7.5 0 -5 -NAN -1 0.001
func.func @remf_negf_f64() -> (tensor<8xf64>, tensor<8xf64>) {
  %a = util.unfoldable_constant dense<[7.5, -7.5, 7.5, -0.0, 5.0, 0x7FF8000000000000, 1.0, -0.001]> : tensor<8xf64>
  %b = util.unfoldable_constant dense<[2.0, 2.0, -2.0, 3.0, 0x7FF0000000000000, 1.0, 0x7FF8000000000000, -4.0]> : tensor<8xf64>
  %remf = arith.remf %a, %b : tensor<8xf64>
  %negf = arith.negf %a : tensor<8xf64>
  return %remf, %negf : tensor<8xf64>, tensor<8xf64>
}

// CHECK-LABEL: EXEC @maxnumf_minnumf_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xf16=7.5 2 1 3 INF 1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xf16=2 -7.5 1 -INF 5 1
func.func @maxnumf_minnumf_f16() -> (tensor<6xf16>, tensor<6xf16>) {
  %a = util.unfoldable_constant dense<[7.5, -7.5, 0x7E00, 0xFC00, 5.0, 1.0]> : tensor<6xf16>
  %b = util.unfoldable_constant dense<[2.0, 2.0, 1.0, 3.0, 0x7C00, 0x7E00]> : tensor<6xf16>
  %maxnumf = arith.maxnumf %a, %b : tensor<6xf16>
  %minnumf = arith.minnumf %a, %b : tensor<6xf16>
  return %maxnumf, %minnumf : tensor<6xf16>, tensor<6xf16>
}

// CHECK-LABEL: EXEC @maxnumf_minnumf_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xf32=7.5 2 1 3 INF 1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xf32=2 -7.5 1 -INF 5 1
func.func @maxnumf_minnumf_f32() -> (tensor<6xf32>, tensor<6xf32>) {
  %a = util.unfoldable_constant dense<[7.5, -7.5, 0x7FC00000, 0xFF800000, 5.0, 1.0]> : tensor<6xf32>
  %b = util.unfoldable_constant dense<[2.0, 2.0, 1.0, 3.0, 0x7F800000, 0x7FC00000]> : tensor<6xf32>
  %maxnumf = arith.maxnumf %a, %b : tensor<6xf32>
  %minnumf = arith.minnumf %a, %b : tensor<6xf32>
  return %maxnumf, %minnumf : tensor<6xf32>, tensor<6xf32>
}

// CHECK-LABEL: EXEC @maxnumf_minnumf_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xf64=7.5 2 1 3 INF 1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xf64=2 -7.5 1 -INF 5 1
func.func @maxnumf_minnumf_f64() -> (tensor<6xf64>, tensor<6xf64>) {
  %a = util.unfoldable_constant dense<[7.5, -7.5, 0x7FF8000000000000, 0xFFF0000000000000, 5.0, 1.0]> : tensor<6xf64>
  %b = util.unfoldable_constant dense<[2.0, 2.0, 1.0, 3.0, 0x7FF0000000000000, 0x7FF8000000000000]> : tensor<6xf64>
  %maxnumf = arith.maxnumf %a, %b : tensor<6xf64>
  %minnumf = arith.minnumf %a, %b : tensor<6xf64>
  return %maxnumf, %minnumf : tensor<6xf64>, tensor<6xf64>
}

// CHECK-LABEL: EXEC @int_binary_i8
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xi8=127 -128 127 127 103 -97 5 -9
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xi8=-127 126 127 -127 97 -103 9 -5
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xi8=-128 127 -128 0 44 -44 -14 14
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 8xi8=-128 1 -128 0 0 0 6 -8
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 8xi8=-1 127 -1 127 103 -97 -1 -1
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 8xi8=127 126 127 127 103 -97 -7 7
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 8xi8=-1 127 -1 127 100 3 7 -2
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 8xi8=-128 1 -128 0 3 -100 -2 -7
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 8xi8=-1 127 -1 127 100 -100 -2 -2
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 8xi8=-128 1 -128 0 3 3 7 -7
func.func @int_binary_i8() -> (tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>) {
  %a = util.unfoldable_constant dense<[-128, 127, -1, 0, 100, -100, 7, -7]> : tensor<8xi8>
  %b = util.unfoldable_constant dense<[-1, 1, -128, 127, 3, 3, -2, -2]> : tensor<8xi8>
  %addi = arith.addi %a, %b : tensor<8xi8>
  %subi = arith.subi %a, %b : tensor<8xi8>
  %muli = arith.muli %a, %b : tensor<8xi8>
  %andi = arith.andi %a, %b : tensor<8xi8>
  %ori = arith.ori %a, %b : tensor<8xi8>
  %xori = arith.xori %a, %b : tensor<8xi8>
  %maxsi = arith.maxsi %a, %b : tensor<8xi8>
  %minsi = arith.minsi %a, %b : tensor<8xi8>
  %maxui = arith.maxui %a, %b : tensor<8xi8>
  %minui = arith.minui %a, %b : tensor<8xi8>
  return %addi, %subi, %muli, %andi, %ori, %xori, %maxsi, %minsi, %maxui, %minui : tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>
}

// CHECK-LABEL: EXEC @int_shifts_i8
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xi8=0 -2 -128 -128 -5 -112 64 96
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xi8=-64 63 -1 0 -5 25 -2 0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xi8=64 63 1 0 -5 25 2 0
func.func @int_shifts_i8() -> (tensor<8xi8>, tensor<8xi8>, tensor<8xi8>) {
  %a = util.unfoldable_constant dense<[-128, 127, -1, 1, -5, 100, -127, 3]> : tensor<8xi8>
  %k = util.unfoldable_constant dense<[1, 1, 7, 7, 0, 2, 6, 5]> : tensor<8xi8>
  %shli = arith.shli %a, %k : tensor<8xi8>
  %shrsi = arith.shrsi %a, %k : tensor<8xi8>
  %shrui = arith.shrui %a, %k : tensor<8xi8>
  return %shli, %shrsi, %shrui : tensor<8xi8>, tensor<8xi8>, tensor<8xi8>
}

// Signed divisions truncate, floor or ceil; unsigned ones see negatives as large.
// CHECK-LABEL: EXEC @int_division_i8
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xi8=3 -3 -3 3 -42 -42 0 -1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xi8=1 -1 1 -1 -2 1 0 0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xi8=3 -4 -4 3 -43 -43 0 -1
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 8xi8=4 -3 -3 4 -42 -42 0 -1
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 8xi8=3 124 0 0 42 0 0 -1
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 8xi8=1 1 7 -7 2 127 0 0
func.func @int_division_i8() -> (tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>) {
  %a = util.unfoldable_constant dense<[7, -7, 7, -7, -128, 127, 0, -1]> : tensor<8xi8>
  %b = util.unfoldable_constant dense<[2, 2, -2, -2, 3, -3, 5, 1]> : tensor<8xi8>
  %divsi = arith.divsi %a, %b : tensor<8xi8>
  %remsi = arith.remsi %a, %b : tensor<8xi8>
  %floordivsi = arith.floordivsi %a, %b : tensor<8xi8>
  %ceildivsi = arith.ceildivsi %a, %b : tensor<8xi8>
  %divui = arith.divui %a, %b : tensor<8xi8>
  %remui = arith.remui %a, %b : tensor<8xi8>
  return %divsi, %remsi, %floordivsi, %ceildivsi, %divui, %remui : tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>, tensor<8xi8>
}

// CHECK-LABEL: EXEC @int_binary_i32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xi32=2147483647 -2147483648 2147483647 2147483647 103 -97 5 -9
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xi32=-2147483647 2147483646 2147483647 -2147483647 97 -103 9 -5
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xi32=-2147483648 2147483647 -2147483648 0 300 -300 -14 14
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 8xi32=-2147483648 1 -2147483648 0 0 0 6 -8
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 8xi32=-1 2147483647 -1 2147483647 103 -97 -1 -1
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 8xi32=2147483647 2147483646 2147483647 2147483647 103 -97 -7 7
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 8xi32=-1 2147483647 -1 2147483647 100 3 7 -2
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 8xi32=-2147483648 1 -2147483648 0 3 -100 -2 -7
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 8xi32=-1 2147483647 -1 2147483647 100 -100 -2 -2
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 8xi32=-2147483648 1 -2147483648 0 3 3 7 -7
func.func @int_binary_i32() -> (tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>) {
  %a = util.unfoldable_constant dense<[-2147483648, 2147483647, -1, 0, 100, -100, 7, -7]> : tensor<8xi32>
  %b = util.unfoldable_constant dense<[-1, 1, -2147483648, 2147483647, 3, 3, -2, -2]> : tensor<8xi32>
  %addi = arith.addi %a, %b : tensor<8xi32>
  %subi = arith.subi %a, %b : tensor<8xi32>
  %muli = arith.muli %a, %b : tensor<8xi32>
  %andi = arith.andi %a, %b : tensor<8xi32>
  %ori = arith.ori %a, %b : tensor<8xi32>
  %xori = arith.xori %a, %b : tensor<8xi32>
  %maxsi = arith.maxsi %a, %b : tensor<8xi32>
  %minsi = arith.minsi %a, %b : tensor<8xi32>
  %maxui = arith.maxui %a, %b : tensor<8xi32>
  %minui = arith.minui %a, %b : tensor<8xi32>
  return %addi, %subi, %muli, %andi, %ori, %xori, %maxsi, %minsi, %maxui, %minui : tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>
}

// CHECK-LABEL: EXEC @int_shifts_i32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xi32=0 -2 -2147483648 -2147483648 -5 400 1073741824 96
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xi32=-1073741824 1073741823 -1 0 -5 25 -2 0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xi32=1073741824 1073741823 1 0 -5 25 2 0
func.func @int_shifts_i32() -> (tensor<8xi32>, tensor<8xi32>, tensor<8xi32>) {
  %a = util.unfoldable_constant dense<[-2147483648, 2147483647, -1, 1, -5, 100, -2147483647, 3]> : tensor<8xi32>
  %k = util.unfoldable_constant dense<[1, 1, 31, 31, 0, 2, 30, 5]> : tensor<8xi32>
  %shli = arith.shli %a, %k : tensor<8xi32>
  %shrsi = arith.shrsi %a, %k : tensor<8xi32>
  %shrui = arith.shrui %a, %k : tensor<8xi32>
  return %shli, %shrsi, %shrui : tensor<8xi32>, tensor<8xi32>, tensor<8xi32>
}

// Signed divisions truncate, floor or ceil; unsigned ones see negatives as large.
// CHECK-LABEL: EXEC @int_division_i32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xi32=3 -3 -3 3 -715827882 -715827882 0 -1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xi32=1 -1 1 -1 -2 1 0 0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xi32=3 -4 -4 3 -715827883 -715827883 0 -1
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 8xi32=4 -3 -3 4 -715827882 -715827882 0 -1
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 8xi32=3 2147483644 0 0 715827882 0 0 -1
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 8xi32=1 1 7 -7 2 2147483647 0 0
func.func @int_division_i32() -> (tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>) {
  %a = util.unfoldable_constant dense<[7, -7, 7, -7, -2147483648, 2147483647, 0, -1]> : tensor<8xi32>
  %b = util.unfoldable_constant dense<[2, 2, -2, -2, 3, -3, 5, 1]> : tensor<8xi32>
  %divsi = arith.divsi %a, %b : tensor<8xi32>
  %remsi = arith.remsi %a, %b : tensor<8xi32>
  %floordivsi = arith.floordivsi %a, %b : tensor<8xi32>
  %ceildivsi = arith.ceildivsi %a, %b : tensor<8xi32>
  %divui = arith.divui %a, %b : tensor<8xi32>
  %remui = arith.remui %a, %b : tensor<8xi32>
  return %divsi, %remsi, %floordivsi, %ceildivsi, %divui, %remui : tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>
}

// CHECK-LABEL: EXEC @int_binary_i64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xi64=9223372036854775807 -9223372036854775808 9223372036854775807 9223372036854775807 103 -97 5 -9
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xi64=-9223372036854775807 9223372036854775806 9223372036854775807 -9223372036854775807 97 -103 9 -5
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xi64=-9223372036854775808 9223372036854775807 -9223372036854775808 0 300 -300 -14 14
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 8xi64=-9223372036854775808 1 -9223372036854775808 0 0 0 6 -8
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 8xi64=-1 9223372036854775807 -1 9223372036854775807 103 -97 -1 -1
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 8xi64=9223372036854775807 9223372036854775806 9223372036854775807 9223372036854775807 103 -97 -7 7
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 8xi64=-1 9223372036854775807 -1 9223372036854775807 100 3 7 -2
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 8xi64=-9223372036854775808 1 -9223372036854775808 0 3 -100 -2 -7
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 8xi64=-1 9223372036854775807 -1 9223372036854775807 100 -100 -2 -2
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 8xi64=-9223372036854775808 1 -9223372036854775808 0 3 3 7 -7
func.func @int_binary_i64() -> (tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>) {
  %a = util.unfoldable_constant dense<[-9223372036854775808, 9223372036854775807, -1, 0, 100, -100, 7, -7]> : tensor<8xi64>
  %b = util.unfoldable_constant dense<[-1, 1, -9223372036854775808, 9223372036854775807, 3, 3, -2, -2]> : tensor<8xi64>
  %addi = arith.addi %a, %b : tensor<8xi64>
  %subi = arith.subi %a, %b : tensor<8xi64>
  %muli = arith.muli %a, %b : tensor<8xi64>
  %andi = arith.andi %a, %b : tensor<8xi64>
  %ori = arith.ori %a, %b : tensor<8xi64>
  %xori = arith.xori %a, %b : tensor<8xi64>
  %maxsi = arith.maxsi %a, %b : tensor<8xi64>
  %minsi = arith.minsi %a, %b : tensor<8xi64>
  %maxui = arith.maxui %a, %b : tensor<8xi64>
  %minui = arith.minui %a, %b : tensor<8xi64>
  return %addi, %subi, %muli, %andi, %ori, %xori, %maxsi, %minsi, %maxui, %minui : tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>
}

// CHECK-LABEL: EXEC @int_shifts_i64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xi64=0 -2 -9223372036854775808 -9223372036854775808 -5 400 4611686018427387904 96
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xi64=-4611686018427387904 4611686018427387903 -1 0 -5 25 -2 0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xi64=4611686018427387904 4611686018427387903 1 0 -5 25 2 0
func.func @int_shifts_i64() -> (tensor<8xi64>, tensor<8xi64>, tensor<8xi64>) {
  %a = util.unfoldable_constant dense<[-9223372036854775808, 9223372036854775807, -1, 1, -5, 100, -9223372036854775807, 3]> : tensor<8xi64>
  %k = util.unfoldable_constant dense<[1, 1, 63, 63, 0, 2, 62, 5]> : tensor<8xi64>
  %shli = arith.shli %a, %k : tensor<8xi64>
  %shrsi = arith.shrsi %a, %k : tensor<8xi64>
  %shrui = arith.shrui %a, %k : tensor<8xi64>
  return %shli, %shrsi, %shrui : tensor<8xi64>, tensor<8xi64>, tensor<8xi64>
}

// Signed divisions truncate, floor or ceil; unsigned ones see negatives as large.
// CHECK-LABEL: EXEC @int_division_i64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 8xi64=3 -3 -3 3 -3074457345618258602 -3074457345618258602 0 -1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 8xi64=1 -1 1 -1 -2 1 0 0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 8xi64=3 -4 -4 3 -3074457345618258603 -3074457345618258603 0 -1
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 8xi64=4 -3 -3 4 -3074457345618258602 -3074457345618258602 0 -1
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 8xi64=3 9223372036854775804 0 0 3074457345618258602 0 0 -1
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 8xi64=1 1 7 -7 2 9223372036854775807 0 0
func.func @int_division_i64() -> (tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>) {
  %a = util.unfoldable_constant dense<[7, -7, 7, -7, -9223372036854775808, 9223372036854775807, 0, -1]> : tensor<8xi64>
  %b = util.unfoldable_constant dense<[2, 2, -2, -2, 3, -3, 5, 1]> : tensor<8xi64>
  %divsi = arith.divsi %a, %b : tensor<8xi64>
  %remsi = arith.remsi %a, %b : tensor<8xi64>
  %floordivsi = arith.floordivsi %a, %b : tensor<8xi64>
  %ceildivsi = arith.ceildivsi %a, %b : tensor<8xi64>
  %divui = arith.divui %a, %b : tensor<8xi64>
  %remui = arith.remui %a, %b : tensor<8xi64>
  return %divsi, %remsi, %floordivsi, %ceildivsi, %divui, %remui : tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>, tensor<8xi64>
}

// Scalar index arithmetic (a scalar index prints as i64).
// CHECK-LABEL: EXEC @index_scalars
// CHECK-NEXT: result[0]: i64=-5
// CHECK-NEXT: result[1]: i64=-9
// CHECK-NEXT: result[2]: i64=-14
// CHECK-NEXT: result[3]: i64=-3
// CHECK-NEXT: result[4]: i64=-1
// CHECK-NEXT: result[5]: i64=-4
// CHECK-NEXT: result[6]: i64=-3
// CHECK-NEXT: result[7]: i64=2
// CHECK-NEXT: result[8]: i64=2
// CHECK-NEXT: result[9]: i64=-28
// CHECK-NEXT: result[10]: i64=-2
// CHECK-NEXT: result[11]: i64=0
// CHECK-NEXT: result[12]: i64=-5
func.func @index_scalars() -> (index, index, index, index, index, index, index, index, index, index, index, index, index) {
  %a = util.unfoldable_constant -7 : index
  %b = util.unfoldable_constant 2 : index
  %addi = arith.addi %a, %b : index
  %subi = arith.subi %a, %b : index
  %muli = arith.muli %a, %b : index
  %divsi = arith.divsi %a, %b : index
  %remsi = arith.remsi %a, %b : index
  %floordivsi = arith.floordivsi %a, %b : index
  %ceildivsi = arith.ceildivsi %a, %b : index
  %maxsi = arith.maxsi %a, %b : index
  %minui = arith.minui %a, %b : index
  %shli = arith.shli %a, %b : index
  %shrsi = arith.shrsi %a, %b : index
  %andi = arith.andi %a, %b : index
  %xori = arith.xori %a, %b : index
  return %addi, %subi, %muli, %divsi, %remsi, %floordivsi, %ceildivsi, %maxsi, %minui, %shli, %shrsi, %andi, %xori : index, index, index, index, index, index, index, index, index, index, index, index, index
}

// CHECK-LABEL: EXEC @cmpf_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 00 00 00 00 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 00 00 01 00
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 00 01 00 00 00
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 01 00 01 00
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 00 00 00 01
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 01 00 00 01 01
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 01 00 00 01
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 01 01 00 01 01
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 00 01 01 00
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 00 01 01 00 00
// CHECK-NEXT: result[10]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 01 01 01 00
// CHECK-NEXT: result[11]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 00 01 00 01
// CHECK-NEXT: result[12]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 01 00 01 01 01
// CHECK-NEXT: result[13]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 01 01 00 01
// CHECK-NEXT: result[14]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 00 00 01 00 00
// CHECK-NEXT: result[15]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 01 01 01 01 01
func.func @cmpf_f32() -> (tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>) {
  %a = util.unfoldable_constant dense<[1.0, 1.0, 2.0, 0x7FC00000, -0.0, 0xFF800000]> : tensor<6xf32>
  %b = util.unfoldable_constant dense<[1.0, 2.0, 1.0, 1.0, 0.0, 0x7F800000]> : tensor<6xf32>
  %false = arith.cmpf false, %a, %b : tensor<6xf32>
  %oeq = arith.cmpf oeq, %a, %b : tensor<6xf32>
  %ogt = arith.cmpf ogt, %a, %b : tensor<6xf32>
  %oge = arith.cmpf oge, %a, %b : tensor<6xf32>
  %olt = arith.cmpf olt, %a, %b : tensor<6xf32>
  %ole = arith.cmpf ole, %a, %b : tensor<6xf32>
  %one = arith.cmpf one, %a, %b : tensor<6xf32>
  %ord = arith.cmpf ord, %a, %b : tensor<6xf32>
  %ueq = arith.cmpf ueq, %a, %b : tensor<6xf32>
  %ugt = arith.cmpf ugt, %a, %b : tensor<6xf32>
  %uge = arith.cmpf uge, %a, %b : tensor<6xf32>
  %ult = arith.cmpf ult, %a, %b : tensor<6xf32>
  %ule = arith.cmpf ule, %a, %b : tensor<6xf32>
  %une = arith.cmpf une, %a, %b : tensor<6xf32>
  %uno = arith.cmpf uno, %a, %b : tensor<6xf32>
  %true = arith.cmpf true, %a, %b : tensor<6xf32>
  return %false, %oeq, %ogt, %oge, %olt, %ole, %one, %ord, %ueq, %ugt, %uge, %ult, %ule, %une, %uno, %true : tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>
}

// CHECK-LABEL: EXEC @cmpf_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 00 00 01 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 01 01 00 01
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 00 00 00 01
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 01 01 01 00
func.func @cmpf_f16() -> (tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>) {
  %a = util.unfoldable_constant dense<[1.0, 1.0, 2.0, 0x7E00, -0.0, 0xFC00]> : tensor<6xf16>
  %b = util.unfoldable_constant dense<[1.0, 2.0, 1.0, 1.0, 0.0, 0x7C00]> : tensor<6xf16>
  %oeq = arith.cmpf oeq, %a, %b : tensor<6xf16>
  %une = arith.cmpf une, %a, %b : tensor<6xf16>
  %olt = arith.cmpf olt, %a, %b : tensor<6xf16>
  %uge = arith.cmpf uge, %a, %b : tensor<6xf16>
  return %oeq, %une, %olt, %uge : tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>
}

// CHECK-LABEL: EXEC @cmpf_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 00 00 01 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 01 01 00 01
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 00 00 00 01
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 01 01 01 00
func.func @cmpf_f64() -> (tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>) {
  %a = util.unfoldable_constant dense<[1.0, 1.0, 2.0, 0x7FF8000000000000, -0.0, 0xFFF0000000000000]> : tensor<6xf64>
  %b = util.unfoldable_constant dense<[1.0, 2.0, 1.0, 1.0, 0.0, 0x7FF0000000000000]> : tensor<6xf64>
  %oeq = arith.cmpf oeq, %a, %b : tensor<6xf64>
  %une = arith.cmpf une, %a, %b : tensor<6xf64>
  %olt = arith.cmpf olt, %a, %b : tensor<6xf64>
  %uge = arith.cmpf uge, %a, %b : tensor<6xf64>
  return %oeq, %une, %olt, %uge : tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>
}

// CHECK-LABEL: EXEC @cmpi_i8
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 00 00 01 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 01 01 00 01
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 00 01 00 00
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 01 00 01 01 00
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 00 01 00 00 01
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 01 00 01 01
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 00 01 00 00 01
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 01 00 01 01
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 00 01 00 00
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 01 00 01 01 00
func.func @cmpi_i8() -> (tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>) {
  %a = util.unfoldable_constant dense<[-1, 0, 127, -128, 5, 1]> : tensor<6xi8>
  %b = util.unfoldable_constant dense<[1, 0, -128, 127, 5, -1]> : tensor<6xi8>
  %eq = arith.cmpi eq, %a, %b : tensor<6xi8>
  %ne = arith.cmpi ne, %a, %b : tensor<6xi8>
  %slt = arith.cmpi slt, %a, %b : tensor<6xi8>
  %sle = arith.cmpi sle, %a, %b : tensor<6xi8>
  %sgt = arith.cmpi sgt, %a, %b : tensor<6xi8>
  %sge = arith.cmpi sge, %a, %b : tensor<6xi8>
  %ult = arith.cmpi ult, %a, %b : tensor<6xi8>
  %ule = arith.cmpi ule, %a, %b : tensor<6xi8>
  %ugt = arith.cmpi ugt, %a, %b : tensor<6xi8>
  %uge = arith.cmpi uge, %a, %b : tensor<6xi8>
  return %eq, %ne, %slt, %sle, %sgt, %sge, %ult, %ule, %ugt, %uge : tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>
}

// CHECK-LABEL: EXEC @cmpi_i32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 00 00 01 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 01 01 00 01
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 00 01 00 00
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 01 00 01 01 00
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 00 01 00 00 01
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 01 00 01 01
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 00 01 00 00 01
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 01 00 01 01
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 00 01 00 00
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 01 00 01 01 00
func.func @cmpi_i32() -> (tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>) {
  %a = util.unfoldable_constant dense<[-1, 0, 2147483647, -2147483648, 5, 1]> : tensor<6xi32>
  %b = util.unfoldable_constant dense<[1, 0, -2147483648, 2147483647, 5, -1]> : tensor<6xi32>
  %eq = arith.cmpi eq, %a, %b : tensor<6xi32>
  %ne = arith.cmpi ne, %a, %b : tensor<6xi32>
  %slt = arith.cmpi slt, %a, %b : tensor<6xi32>
  %sle = arith.cmpi sle, %a, %b : tensor<6xi32>
  %sgt = arith.cmpi sgt, %a, %b : tensor<6xi32>
  %sge = arith.cmpi sge, %a, %b : tensor<6xi32>
  %ult = arith.cmpi ult, %a, %b : tensor<6xi32>
  %ule = arith.cmpi ule, %a, %b : tensor<6xi32>
  %ugt = arith.cmpi ugt, %a, %b : tensor<6xi32>
  %uge = arith.cmpi uge, %a, %b : tensor<6xi32>
  return %eq, %ne, %slt, %sle, %sgt, %sge, %ult, %ule, %ugt, %uge : tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>
}

// CHECK-LABEL: EXEC @cmpi_i64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 00 00 01 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 01 01 00 01
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 00 01 00 00
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 01 00 01 01 00
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 00 01 00 00 01
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 01 00 01 01
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 00 01 00 00 01
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 6xi1=00 01 01 00 01 01
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 00 00 01 00 00
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 6xi1=01 01 00 01 01 00
func.func @cmpi_i64() -> (tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>) {
  %a = util.unfoldable_constant dense<[-1, 0, 9223372036854775807, -9223372036854775808, 5, 1]> : tensor<6xi64>
  %b = util.unfoldable_constant dense<[1, 0, -9223372036854775808, 9223372036854775807, 5, -1]> : tensor<6xi64>
  %eq = arith.cmpi eq, %a, %b : tensor<6xi64>
  %ne = arith.cmpi ne, %a, %b : tensor<6xi64>
  %slt = arith.cmpi slt, %a, %b : tensor<6xi64>
  %sle = arith.cmpi sle, %a, %b : tensor<6xi64>
  %sgt = arith.cmpi sgt, %a, %b : tensor<6xi64>
  %sge = arith.cmpi sge, %a, %b : tensor<6xi64>
  %ult = arith.cmpi ult, %a, %b : tensor<6xi64>
  %ule = arith.cmpi ule, %a, %b : tensor<6xi64>
  %ugt = arith.cmpi ugt, %a, %b : tensor<6xi64>
  %uge = arith.cmpi uge, %a, %b : tensor<6xi64>
  return %eq, %ne, %slt, %sle, %sgt, %sge, %ult, %ule, %ugt, %uge : tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>, tensor<6xi1>
}

// CHECK-LABEL: EXEC @select
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=1 -2 NAN INF
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xi64=5 6
// CHECK-NEXT: result[2]: i32=3
func.func @select() -> (tensor<4xf32>, tensor<2xi64>, i32) {
  %c = util.unfoldable_constant dense<[true, false, true, false]> : tensor<4xi1>
  %a = util.unfoldable_constant dense<[1.0, 2.0, 0x7FC00000, -0.0]> : tensor<4xf32>
  %b = util.unfoldable_constant dense<[-1.0, -2.0, 3.0, 0x7F800000]> : tensor<4xf32>
  %x = util.unfoldable_constant dense<[9223372036854775807, -9223372036854775808]> : tensor<2xi64>
  %y = util.unfoldable_constant dense<[5, 6]> : tensor<2xi64>
  %s = util.unfoldable_constant false
  %sel = arith.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>
  %whole = arith.select %s, %x, %y : tensor<2xi64>
  %i = util.unfoldable_constant 3 : i32
  %j = util.unfoldable_constant -3 : i32
  %t = util.unfoldable_constant true
  %scalar = arith.select %t, %i, %j : i32
  return %sel, %whole, %scalar : tensor<4xf32>, tensor<2xi64>, i32
}

// CHECK-LABEL: EXEC @float_casts
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=0.0999756 -2.5 65504 NAN
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4xf64=0.0999756 -2.5 65504 NAN
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 4xf64=0.1 1E-08 70000 -INF
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 4xf16=0.0999756 0 INF -INF
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 4xf32=0.1 INF -0 1.67772E+07
func.func @float_casts() -> (tensor<4xf32>, tensor<4xf64>, tensor<4xf64>, tensor<4xf16>, tensor<4xf32>) {
  %h = util.unfoldable_constant dense<[0.1, -2.5, 65504.0, 0x7E00]> : tensor<4xf16>
  %f = util.unfoldable_constant dense<[0.1, 1.0e-08, 70000.0, 0xFF800000]> : tensor<4xf32>
  %d = util.unfoldable_constant dense<[0.1, 1.0e+300, -1.0e-50, 16777217.0]> : tensor<4xf64>
  %h32 = arith.extf %h : tensor<4xf16> to tensor<4xf32>
  %h64 = arith.extf %h : tensor<4xf16> to tensor<4xf64>
  %f64 = arith.extf %f : tensor<4xf32> to tensor<4xf64>
  %f16 = arith.truncf %f : tensor<4xf32> to tensor<4xf16>
  %d32 = arith.truncf %d : tensor<4xf64> to tensor<4xf32>
  return %h32, %h64, %f64, %f16, %d32 : tensor<4xf32>, tensor<4xf64>, tensor<4xf64>, tensor<4xf16>, tensor<4xf32>
}

// CHECK-LABEL: EXEC @int_casts
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xi32=-128 -1 0 127
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4xi32=128 255 0 127
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 4xi64=300 -129 2147483647 -2147483648
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 4xi64=300 4294967167 2147483647 2147483648
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 4xi32=-1 0 -1 -1
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 4xi32=1 0 1 1
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 4xi8=44 127 -1 0
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 4xi32=5 -1 0 0
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 4xi1=00 01 01 00
func.func @int_casts() -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi64>, tensor<4xi64>, tensor<4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<4xi32>, tensor<4xi1>) {
  %b = util.unfoldable_constant dense<[-128, -1, 0, 127]> : tensor<4xi8>
  %w = util.unfoldable_constant dense<[300, -129, 2147483647, -2147483648]> : tensor<4xi32>
  %l = util.unfoldable_constant dense<[4294967301, -1, 1099511627776, -9223372036854775808]> : tensor<4xi64>
  %c = util.unfoldable_constant dense<[true, false, true, true]> : tensor<4xi1>
  %b32 = arith.extsi %b : tensor<4xi8> to tensor<4xi32>
  %bu32 = arith.extui %b : tensor<4xi8> to tensor<4xi32>
  %w64 = arith.extsi %w : tensor<4xi32> to tensor<4xi64>
  %wu64 = arith.extui %w : tensor<4xi32> to tensor<4xi64>
  %c32 = arith.extsi %c : tensor<4xi1> to tensor<4xi32>
  %cu32 = arith.extui %c : tensor<4xi1> to tensor<4xi32>
  %w8 = arith.trunci %w : tensor<4xi32> to tensor<4xi8>
  %l32 = arith.trunci %l : tensor<4xi64> to tensor<4xi32>
  %w1 = arith.trunci %w : tensor<4xi32> to tensor<4xi1>
  return %b32, %bu32, %w64, %wu64, %c32, %cu32, %w8, %l32, %w1 : tensor<4xi32>, tensor<4xi32>, tensor<4xi64>, tensor<4xi64>, tensor<4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<4xi32>, tensor<4xi1>
}

// CHECK-LABEL: EXEC @int_to_float
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=1.67772E+07 -1 -2.14748E+09 7
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4xf32=1.67772E+07 4.29497E+09 2.14748E+09 7
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 4xf64=1.67772E+07 4.29497E+09 2.14748E+09 7
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 4xf64=9.0072E+15 -1 9.22337E+18 -3
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 4xf32=9.0072E+15 1.84467E+19 9.22337E+18 1.84467E+19
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 4xf16=-128 -1 127 0
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 4xf16=128 255 127 0
func.func @int_to_float() -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf64>, tensor<4xf64>, tensor<4xf32>, tensor<4xf16>, tensor<4xf16>) {
  %w = util.unfoldable_constant dense<[16777217, -1, -2147483648, 7]> : tensor<4xi32>
  %l = util.unfoldable_constant dense<[9007199254740993, -1, 9223372036854775807, -3]> : tensor<4xi64>
  %b = util.unfoldable_constant dense<[-128, -1, 127, 0]> : tensor<4xi8>
  %ws = arith.sitofp %w : tensor<4xi32> to tensor<4xf32>
  %wu = arith.uitofp %w : tensor<4xi32> to tensor<4xf32>
  %wd = arith.uitofp %w : tensor<4xi32> to tensor<4xf64>
  %ls = arith.sitofp %l : tensor<4xi64> to tensor<4xf64>
  %lu = arith.uitofp %l : tensor<4xi64> to tensor<4xf32>
  %bh = arith.sitofp %b : tensor<4xi8> to tensor<4xf16>
  %bu = arith.uitofp %b : tensor<4xi8> to tensor<4xf16>
  return %ws, %wu, %wd, %ls, %lu, %bh, %bu : tensor<4xf32>, tensor<4xf32>, tensor<4xf64>, tensor<4xf64>, tensor<4xf32>, tensor<4xf16>, tensor<4xf16>
}

// fptosi/fptoui truncate toward zero; fptoui's 4294967040 prints as i32 -256.
// CHECK-LABEL: EXEC @float_to_int
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xi32=-1 300 0 2147483520
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4xi64=-2900000000000000 9 0 1000000000000000000
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 4xi8=-128 127 -3 0
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 4xi32=1 -256 255 0
func.func @float_to_int() -> (tensor<4xi32>, tensor<4xi64>, tensor<4xi8>, tensor<4xi32>) {
  %f = util.unfoldable_constant dense<[-1.5, 300.7, -0.0, 2147483520.0]> : tensor<4xf32>
  %d = util.unfoldable_constant dense<[-2900000000000000.0, 9.99, -0.5, 1.0e+18]> : tensor<4xf64>
  %h = util.unfoldable_constant dense<[-128.0, 127.9, -3.5, 0.75]> : tensor<4xf16>
  %p = util.unfoldable_constant dense<[1.5, 4294967040.0, 255.9, 0.0]> : tensor<4xf32>
  %fi = arith.fptosi %f : tensor<4xf32> to tensor<4xi32>
  %di = arith.fptosi %d : tensor<4xf64> to tensor<4xi64>
  %hi = arith.fptosi %h : tensor<4xf16> to tensor<4xi8>
  %pu = arith.fptoui %p : tensor<4xf32> to tensor<4xi32>
  return %fi, %di, %hi, %pu : tensor<4xi32>, tensor<4xi64>, tensor<4xi8>, tensor<4xi32>
}

// Out-of-range conversions saturate and NaN becomes 0 (numpy's rule; poison in MLIR).
// CHECK-LABEL: EXEC @float_to_int_saturating
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xi32=0 2147483647 -2147483648 2147483647
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4xi8=0 -1 0 -1
func.func @float_to_int_saturating() -> (tensor<4xi32>, tensor<4xi8>) {
  %f = util.unfoldable_constant dense<[0x7FC00000, 1.0e+20, -1.0e+20, 0x7F800000]> : tensor<4xf32>
  %g = util.unfoldable_constant dense<[-1.0, 10000000000.0, 0x7FC00000, 300.0]> : tensor<4xf32>
  %fi = arith.fptosi %f : tensor<4xf32> to tensor<4xi32>
  %gu = arith.fptoui %g : tensor<4xf32> to tensor<4xi8>
  return %fi, %gu : tensor<4xi32>, tensor<4xi8>
}

// CHECK-LABEL: EXEC @index_casts
// CHECK-NEXT: result[0]: i64=-1
// CHECK-NEXT: result[1]: i64=4294967295
// CHECK-NEXT: result[2]: i64=4294967298
// CHECK-NEXT: result[3]: i32=-3
// CHECK-NEXT: result[4]: i64=-3
// CHECK-NEXT: result[5]: i32=2
func.func @index_casts() -> (index, index, index, i32, i64, i32) {
  %w = util.unfoldable_constant -1 : i32
  %l = util.unfoldable_constant 4294967298 : i64
  %i = util.unfoldable_constant -3 : index
  %wi = arith.index_cast %w : i32 to index
  %wui = arith.index_castui %w : i32 to index
  %li = arith.index_cast %l : i64 to index
  %iw = arith.index_cast %i : index to i32
  %il = arith.index_castui %i : index to i64
  %lw_idx = arith.index_cast %li : index to i32
  return %wi, %wui, %li, %iw, %il, %lw_idx : index, index, index, i32, i64, i32
}

// An i8 -56 is 200 unsigned.
// CHECK-LABEL: EXEC @index_casts_i8
// CHECK-NEXT: result[0]: i64=200
// CHECK-NEXT: result[1]: i64=-56
func.func @index_casts_i8() -> (index, index) {
  %b = util.unfoldable_constant -56 : i8
  %bi = arith.index_castui %b : i8 to index
  %bs = arith.index_cast %b : i8 to index
  return %bi, %bs : index, index
}

// CHECK-LABEL: EXEC @bitcasts
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xi32=1065353216 -1073741824 -2147483648 2143289344
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4xf32=1 -NAN 0 INF
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 4xi16=15360 -32768 31743 31744
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 2xf64=1 -1
// CHECK-NEXT: result[4]: i32=1069547520
func.func @bitcasts() -> (tensor<4xi32>, tensor<4xf32>, tensor<4xi16>, tensor<2xf64>, i32) {
  %f = util.unfoldable_constant dense<[1.0, -2.0, -0.0, 0x7FC00000]> : tensor<4xf32>
  %w = util.unfoldable_constant dense<[1065353216, -1, 0, 2139095040]> : tensor<4xi32>
  %h = util.unfoldable_constant dense<[1.0, -0.0, 65504.0, 0x7C00]> : tensor<4xf16>
  %l = util.unfoldable_constant dense<[4607182418800017408, -4616189618054758400]> : tensor<2xi64>
  %fw = arith.bitcast %f : tensor<4xf32> to tensor<4xi32>
  %wf = arith.bitcast %w : tensor<4xi32> to tensor<4xf32>
  %hs = arith.bitcast %h : tensor<4xf16> to tensor<4xi16>
  %ld = arith.bitcast %l : tensor<2xi64> to tensor<2xf64>
  %x = util.unfoldable_constant 1.5 : f32
  %xs = arith.bitcast %x : f32 to i32
  return %fw, %wf, %hs, %ld, %xs : tensor<4xi32>, tensor<4xf32>, tensor<4xi16>, tensor<2xf64>, i32
}

// CHECK-LABEL: EXEC @constants
// CHECK-NEXT: result[0]: i32=42
// CHECK-NEXT: result[1]: i64=-9223372036854775808
// CHECK-NEXT: result[2]: f64=0.5
// CHECK-NEXT: result[3]: i32=1
// CHECK-NEXT: result[4]: i64=7
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 2x2xf32=[1.5 -0][INF 3]
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 3xi16=-3 -3 -3
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 2xi1=01 00
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 2xf16=0.0999756 0.0999756
func.func @constants() -> (i32, i64, f64, i1, index, tensor<2x2xf32>, tensor<3xi16>, tensor<2xi1>, tensor<2xf16>) {
  %a = arith.constant 42 : i32
  %b = arith.constant -9223372036854775808 : i64
  %c = arith.constant 0.5 : f64
  %d = arith.constant true
  %e = arith.constant 7 : index
  %f = arith.constant dense<[[1.5, -0.0], [0x7F800000, 3.0]]> : tensor<2x2xf32>
  %g = arith.constant dense<-3> : tensor<3xi16>
  %h = arith.constant dense<[true, false]> : tensor<2xi1>
  %k = arith.constant dense<0.1> : tensor<2xf16>
  return %a, %b, %c, %d, %e, %f, %g, %h, %k : i32, i64, f64, i1, index, tensor<2x2xf32>, tensor<3xi16>, tensor<2xi1>, tensor<2xf16>
}

// ceildivui reads both operands as unsigned: -7 is 249 and -1 is 255 in i8.
// CHECK-LABEL: EXEC @ceildivui
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xi8=4 125 0 1 2
// CHECK-NEXT: result[1]: i64=3
func.func @ceildivui() -> (tensor<5xi8>, index) {
  %a = util.unfoldable_constant dense<[7, -7, 0, -1, 6]> : tensor<5xi8>
  %b = util.unfoldable_constant dense<[2, 2, 3, -1, 3]> : tensor<5xi8>
  %r = arith.ceildivui %a, %b : tensor<5xi8>
  %n = util.unfoldable_constant 9 : index
  %c4 = arith.constant 4 : index
  %s = arith.ceildivui %n, %c4 : index
  return %r, %s : tensor<5xi8>, index
}
