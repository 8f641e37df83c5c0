// Every scf op, with FileCheck on the printed results. Expected values were
// computed independently (by hand or Python), not copied from iree-lite.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// for with index bounds and step, zero trips, nesting, tensor and multiple iter_args.
// CHECK-LABEL: EXEC @for_loops
// CHECK-NEXT: result[0]: i64=10
// CHECK-NEXT: result[1]: i64=0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xf64=512 -256
// CHECK-NEXT: result[3]: f32=656.841
// CHECK-NEXT: result[4]: i64=4
func.func @for_loops() -> (i64, i64, tensor<2xf64>, f32, i64) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %lb = util.unfoldable_constant -4 : index
  %ub = util.unfoldable_constant 10 : index
  %z = arith.constant 0 : i64
  %sum = scf.for %i = %lb to %ub step %c3 iter_args(%acc = %z) -> (i64) {
    %ii = arith.index_cast %i : index to i64
    %n = arith.addi %acc, %ii : i64
    scf.yield %n : i64
  }
  %empty = scf.for %i = %ub to %lb step %c1 iter_args(%acc = %z) -> (i64) {
    %one = arith.constant 1 : i64
    %n = arith.addi %acc, %one : i64
    scf.yield %n : i64
  }
  %v = util.unfoldable_constant dense<[1.0, -0.5]> : tensor<2xf64>
  %two = arith.constant dense<2.0> : tensor<2xf64>
  %nest = scf.for %i = %c0 to %c3 step %c1 iter_args(%t = %v) -> (tensor<2xf64>) {
    %inner = scf.for %j = %c0 to %c3 step %c1 iter_args(%u = %t) -> (tensor<2xf64>) {
      %m = arith.mulf %u, %two : tensor<2xf64>
      scf.yield %m : tensor<2xf64>
    }
    scf.yield %inner : tensor<2xf64>
  }
  %f = util.unfoldable_constant 1.5 : f32
  %c4 = arith.constant 4 : index
  %prod:2 = scf.for %i = %c0 to %c4 step %c1 iter_args(%p = %f, %k = %z) -> (f32, i64) {
    %q = arith.mulf %p, %p : f32
    %k1 = arith.constant 1 : i64
    %k2 = arith.addi %k, %k1 : i64
    scf.yield %q, %k2 : f32, i64
  }
  return %sum, %empty, %nest, %prod#0, %prod#1 : i64, i64, tensor<2xf64>, f32, i64
}

// if with results, nested if, an else-less if without results.
// CHECK-LABEL: EXEC @if_else
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2xi32=-2 2
// CHECK-NEXT: result[1]: f32=2.5
// CHECK-NEXT: result[2]: i64=-1
func.func @if_else() -> (tensor<2xi32>, f32, i64) {
  %t = util.unfoldable_constant true
  %f = util.unfoldable_constant false
  %a = util.unfoldable_constant dense<[1, -2]> : tensor<2xi32>
  %b = util.unfoldable_constant dense<[-3, 4]> : tensor<2xi32>
  %r = scf.if %t -> (tensor<2xi32>) {
    %s = arith.addi %a, %b : tensor<2xi32>
    scf.yield %s : tensor<2xi32>
  } else {
    scf.yield %a : tensor<2xi32>
  }
  %x = util.unfoldable_constant -2.5 : f32
  %y:2 = scf.if %f -> (f32, i64) {
    %c = arith.constant 1 : i64
    scf.yield %x, %c : f32, i64
  } else {
    %n = arith.negf %x : f32
    %c = arith.constant -1 : i64
    %inner = scf.if %t -> (i64) {
      scf.yield %c : i64
    } else {
      %d = arith.constant 99 : i64
      scf.yield %d : i64
    }
    scf.yield %n, %inner : f32, i64
  }
  scf.if %f {
    %u = arith.addi %a, %a : tensor<2xi32>
  }
  return %r, %y#0, %y#1 : tensor<2xi32>, f32, i64
}

// while: Collatz steps of 27; a float loop. The condition's values are the results.
// CHECK-LABEL: EXEC @while_loop
// CHECK-NEXT: result[0]: i64=1
// CHECK-NEXT: result[1]: i64=111
// CHECK-NEXT: result[2]: f32=0.390625
func.func @while_loop() -> (i64, i64, f32) {
  %n0 = util.unfoldable_constant 27 : i64
  %c0 = arith.constant 0 : i64
  %r:2 = scf.while (%n = %n0, %steps = %c0) : (i64, i64) -> (i64, i64) {
    %one = arith.constant 1 : i64
    %go = arith.cmpi ne, %n, %one : i64
    scf.condition(%go) %n, %steps : i64, i64
  } do {
  ^bb0(%m: i64, %s: i64):
    %one = arith.constant 1 : i64
    %two = arith.constant 2 : i64
    %three = arith.constant 3 : i64
    %bit = arith.andi %m, %one : i64
    %odd = arith.cmpi eq, %bit, %one : i64
    %half = arith.divsi %m, %two : i64
    %m3 = arith.muli %m, %three : i64
    %up = arith.addi %m3, %one : i64
    %next = arith.select %odd, %up, %half : i64
    %s1 = arith.addi %s, %one : i64
    scf.yield %next, %s1 : i64, i64
  }
  %x = util.unfoldable_constant 100.0 : f32
  %w = scf.while (%v = %x) : (f32) -> f32 {
    %lim = arith.constant 1.0 : f32
    %go = arith.cmpf ogt, %v, %lim : f32
    scf.condition(%go) %v : f32
  } do {
  ^bb0(%v: f32):
    %h = arith.constant 0.25 : f32
    %m = arith.mulf %v, %h : f32
    scf.yield %m : f32
  }
  return %r#0, %r#1, %w : i64, i64, f32
}
