// run-mlir compiles in memory and runs every zero-argument export; the
// printed results cover integer, float, comparison, select and cast ops.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s | FileCheck %s

// CHECK-LABEL: EXEC @ints
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xi32=3 -3 -4 3 -1 1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xi8=-128 126
func.func @ints() -> (tensor<6xi32>, tensor<2xi8>) {
  %a = arith.constant dense<[7, -7, -7, 7, -7, 7]> : tensor<6xi32>
  %b = arith.constant dense<[2, 2, 2, 2, 2, -2]> : tensor<6xi32>
  %q = arith.divsi %a, %b : tensor<6xi32>
  %f = arith.floordivsi %a, %b : tensor<6xi32>
  %r = arith.remsi %a, %b : tensor<6xi32>
  %pick = arith.constant dense<[0, 0, 1, 1, 2, 2]> : tensor<6xi32>
  %zero = arith.constant dense<0> : tensor<6xi32>
  %one = arith.constant dense<1> : tensor<6xi32>
  %is0 = arith.cmpi eq, %pick, %zero : tensor<6xi32>
  %is1 = arith.cmpi eq, %pick, %one : tensor<6xi32>
  %x = arith.select %is1, %f, %r : tensor<6xi1>, tensor<6xi32>
  %y = arith.select %is0, %q, %x : tensor<6xi1>, tensor<6xi32>
  %w = arith.constant dense<[127, 126]> : tensor<2xi8>
  %c = arith.constant dense<[1, 1]> : tensor<2xi8>
  %s = arith.addi %w, %c : tensor<2xi8>
  %m = arith.minsi %s, %w : tensor<2xi8>
  return %y, %m : tensor<6xi32>, tensor<2xi8>
}

// fptosi truncates toward zero (IREE's vmvx rounds: -2 and 301).
// CHECK-LABEL: EXEC @casts
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xi32=-1 300 0 2147483647
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf64=0.1 1.67772E+07
func.func @casts() -> (tensor<4xi32>, tensor<2xf64>) {
  %f = arith.constant dense<[-1.5, 300.7, 0x7FC00000, 1.0e20]> : tensor<4xf32>
  %i = arith.fptosi %f : tensor<4xf32> to tensor<4xi32>
  %d = arith.constant dense<[0.1, 16777217.0]> : tensor<2xf64>
  %n = arith.negf %d : tensor<2xf64>
  %p = math.absf %n : tensor<2xf64>
  return %i, %p : tensor<4xi32>, tensor<2xf64>
}

// CHECK-LABEL: EXEC @math
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 2 -0 3 -NAN
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xi1=01 00 00
func.func @math() -> (tensor<5xf32>, tensor<3xi1>) {
  %a = arith.constant dense<[1.0, 4.0, -0.0, 9.0, -1.0]> : tensor<5xf32>
  %r = math.sqrt %a : tensor<5xf32>
  %x = arith.constant dense<[0x7FC00000, 0x7F800000, 1.0]> : tensor<3xf32>
  %n = math.isnan %x : tensor<3xf32>
  return %r, %n : tensor<5xf32>, tensor<3xi1>
}

// CHECK-LABEL: EXEC @scalars
// CHECK-NEXT: result[0]: i32=1
// CHECK-NEXT: result[1]: f32=2.5
func.func @scalars() -> (i1, f32) {
  %a = arith.constant 2.0 : f32
  %b = arith.constant 0.5 : f32
  %c = arith.addf %a, %b : f32
  %t = arith.cmpf ogt, %c, %a : f32
  return %t, %c : i1, f32
}

// CHECK-LABEL: EXEC @loop
// CHECK-NEXT: result[0]: i64=55
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xf32=0.125 0.25 -0.5
func.func @loop() -> (index, tensor<3xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c11 = arith.constant 11 : index
  %sum = scf.for %i = %c0 to %c11 step %c1 iter_args(%acc = %c0) -> (index) {
    %next = arith.addi %acc, %i : index
    scf.yield %next : index
  }
  %v = arith.constant dense<[1.0, 2.0, -4.0]> : tensor<3xf32>
  %half = arith.constant dense<0.5> : tensor<3xf32>
  %c3 = arith.constant 3 : index
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%t = %v) -> (tensor<3xf32>) {
    %m = arith.mulf %t, %half : tensor<3xf32>
    scf.yield %m : tensor<3xf32>
  }
  return %sum, %r : index, tensor<3xf32>
}
