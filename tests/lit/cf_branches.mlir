// cf.br, cf.cond_br and cf.switch between the blocks of a function: block
// arguments on every edge, loops as back edges (the forms MLIR's
// --convert-scf-to-cf prints), early returns from several blocks, values of
// dominating blocks used later, and tensors carried across blocks. Expected
// values were computed by hand, not copied from iree-lite.
// RUN: iree-run-mlir %s --device=local-sync --function=sum_below --input=100 | FileCheck %s --check-prefix=SUM
// RUN: iree-run-mlir %s --device=local-sync --function=sum_below --input=0 | FileCheck %s --check-prefix=NONE
// RUN: iree-run-mlir %s --device=local-sync --function=classify --input=7 | FileCheck %s --check-prefix=CASE
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task --function=diamond --input="4xi32=1 2 3 4" --input=1 | FileCheck %s --check-prefix=DIAMOND
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task --function=for_and_while --input="4xf32=1 2 3 4" --input=3 | FileCheck %s --check-prefix=LOOPS

// SUM: result[0]: i32=4950
// NONE: result[0]: i32=0
// CASE: result[0]: i32=140
// DIAMOND: 4xi32=2 10 21 36
// LOOPS: 4xf32=4 8 12 16
// LOOPS: result[1]: i32=10

// The sum of 0..n-1: a loop written as a back edge carrying two values.
func.func @sum_below(%n: i32) -> i32 {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  cf.br ^bb1(%c0, %c0 : i32, i32)
^bb1(%i: i32, %acc: i32):  // 2 preds: ^bb0, ^bb2
  %done = arith.cmpi sge, %i, %n : i32
  cf.cond_br %done, ^bb3, ^bb2
^bb2:  // pred: ^bb1
  %a = arith.addi %acc, %i : i32
  %j = arith.addi %i, %c1 : i32
  cf.br ^bb1(%j, %a : i32, i32)
^bb3:  // pred: ^bb1
  return %acc : i32
}

// scf.for over a tensor and scf.while, as --convert-scf-to-cf lowers them:
// %1, an argument of ^bb1, is returned from ^bb6.
func.func @for_and_while(%arg0: tensor<4xf32>, %arg1: index) -> (tensor<4xf32>, i32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  cf.br ^bb1(%c0, %arg0 : index, tensor<4xf32>)
^bb1(%0: index, %1: tensor<4xf32>):  // 2 preds: ^bb0, ^bb2
  %2 = arith.cmpi slt, %0, %arg1 : index
  cf.cond_br %2, ^bb2, ^bb3
^bb2:  // pred: ^bb1
  %3 = arith.addf %1, %arg0 : tensor<4xf32>
  %4 = arith.addi %0, %c1 : index
  cf.br ^bb1(%4, %3 : index, tensor<4xf32>)
^bb3:  // pred: ^bb1
  %c0_i32 = arith.constant 0 : i32
  %c1_i32 = arith.constant 1 : i32
  %c10_i32 = arith.constant 10 : i32
  cf.br ^bb4(%c0_i32 : i32)
^bb4(%5: i32):  // 2 preds: ^bb3, ^bb5
  %6 = arith.cmpi slt, %5, %c10_i32 : i32
  cf.cond_br %6, ^bb5(%5 : i32), ^bb6
^bb5(%7: i32):  // pred: ^bb4
  %8 = arith.addi %7, %c1_i32 : i32
  cf.br ^bb4(%8 : i32)
^bb6:  // pred: ^bb4
  return %1, %5 : tensor<4xf32>, i32
}

// Nested scf.for loops, as --convert-scf-to-cf lowers them: n(n-1)/2.
func.func @triangle(%arg0: index) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  cf.br ^bb1(%c0, %c0 : index, index)
^bb1(%0: index, %1: index):  // 2 preds: ^bb0, ^bb5
  %2 = arith.cmpi slt, %0, %arg0 : index
  cf.cond_br %2, ^bb2, ^bb6
^bb2:  // pred: ^bb1
  cf.br ^bb3(%c0, %1 : index, index)
^bb3(%3: index, %4: index):  // 2 preds: ^bb2, ^bb4
  %5 = arith.cmpi slt, %3, %0 : index
  cf.cond_br %5, ^bb4, ^bb5
^bb4:  // pred: ^bb3
  %6 = arith.addi %4, %c1 : index
  %7 = arith.addi %3, %c1 : index
  cf.br ^bb3(%7, %6 : index, index)
^bb5:  // pred: ^bb3
  %8 = arith.addi %0, %c1 : index
  cf.br ^bb1(%8, %4 : index, index)
^bb6:  // pred: ^bb1
  return %1 : index
}

// cf.switch: a default and cases, with and without block operands.
func.func @classify(%x: i32) -> i32 {
  %c70 = arith.constant 70 : i32
  cf.switch %x : i32, [
    default: ^bb3(%x : i32),
    0: ^bb1,
    7: ^bb2(%c70 : i32),
    42: ^bb2(%x : i32)
  ]
^bb1:
  %c100 = arith.constant 100 : i32
  return %c100 : i32
^bb2(%v: i32):
  %two = arith.constant 2 : i32
  %d = arith.muli %v, %two : i32
  return %d : i32
^bb3(%other: i32):
  %c1000 = arith.constant 1000 : i32
  %s = arith.addi %other, %c1000 : i32
  return %s : i32
}

// Returns from three blocks: the argument, a block argument, a new tensor.
func.func @early_exit(%x: tensor<4xf32>, %k: i32) -> tensor<4xf32> {
  %zero = arith.constant 0 : i32
  %neg = arith.cmpi slt, %k, %zero : i32
  cf.cond_br %neg, ^bb1, ^bb2
^bb1:
  return %x : tensor<4xf32>
^bb2:
  %d = arith.addf %x, %x : tensor<4xf32>
  %one = arith.constant 1 : i32
  %is_one = arith.cmpi eq, %k, %one : i32
  cf.cond_br %is_one, ^bb3(%d : tensor<4xf32>), ^bb4
^bb3(%r: tensor<4xf32>):
  return %r : tensor<4xf32>
^bb4:
  %m = arith.mulf %d, %d : tensor<4xf32>
  return %m : tensor<4xf32>
}

// %base, computed in the entry block, is read on both sides of the diamond
// and after it: no block may take its buffer for a result (^bb1 reads it
// last in its own block, after positions where the other blocks read it).
func.func @diamond(%x: tensor<4xi32>, %c: i1) -> tensor<4xi32> {
  %base = arith.muli %x, %x : tensor<4xi32>
  cf.cond_br %c, ^bb1, ^bb2
^bb1:
  %k0 = arith.constant 0 : index
  %e = tensor.extract %x[%k0] : tensor<4xi32>
  %a = arith.addi %base, %x : tensor<4xi32>
  %a0 = tensor.insert %e into %a[%k0] : tensor<4xi32>
  cf.br ^bb3(%a0 : tensor<4xi32>)
^bb2:
  %b = arith.subi %base, %x : tensor<4xi32>
  cf.br ^bb3(%b : tensor<4xi32>)
^bb3(%m: tensor<4xi32>):
  %r = arith.addi %m, %base : tensor<4xi32>
  return %r : tensor<4xi32>
}

// %y, computed before the loop, is read again on every trip around the back
// edge; inside the body, %s is read once, so %u may take its buffer.
func.func @loop_invariant(%x: tensor<4xf32>, %n: i32) -> tensor<4xf32> {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %k1 = arith.constant 1 : index
  %y = arith.mulf %x, %x : tensor<4xf32>
  cf.br ^bb1(%c0, %x : i32, tensor<4xf32>)
^bb1(%i: i32, %t: tensor<4xf32>):
  %done = arith.cmpi sge, %i, %n : i32
  cf.cond_br %done, ^bb3, ^bb2
^bb2:
  %s = arith.addf %t, %y : tensor<4xf32>
  %e = tensor.extract %s[%k1] : tensor<4xf32>
  %u = arith.subf %s, %x : tensor<4xf32>
  %i1 = arith.addi %i, %c1 : i32
  cf.br ^bb1(%i1, %u : i32, tensor<4xf32>)
^bb3:
  return %t : tensor<4xf32>
}

// Block arguments swapped on the back edge: all of an edge's values move at once.
func.func @swap(%a: i32, %b: i32, %n: i32) -> (i32, i32) {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  cf.br ^bb1(%c0, %a, %b : i32, i32, i32)
^bb1(%i: i32, %x: i32, %y: i32):
  %more = arith.cmpi slt, %i, %n : i32
  %i1 = arith.addi %i, %c1 : i32
  cf.cond_br %more, ^bb1(%i1, %y, %x : i32, i32, i32), ^bb2
^bb2:
  return %x, %y : i32, i32
}

// Never returns unless %n is 0: for the --timeout test.
func.func @spin(%n: i32) -> i32 {
  %c0 = arith.constant 0 : i32
  %stop = arith.cmpi eq, %n, %c0 : i32
  cf.cond_br %stop, ^bb2, ^bb1
^bb1:
  cf.br ^bb1
^bb2:
  return %n : i32
}
