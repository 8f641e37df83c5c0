// The bit counts, arith's extended ops, linalg.elementwise, linalg.contract
// and the named contractions, with FileCheck on the printed results. Expected
// values were computed by hand (Python integers), not copied from iree-lite.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// CHECK-LABEL: EXEC @bit_counts
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xi32=32 31 0 23
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4xi32=32 0 0 8
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 4xi32=0 1 32 1
func.func @bit_counts() -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  %x = util.unfoldable_constant dense<[0, 1, -1, 256]> : tensor<4xi32>
  %l = math.ctlz %x : tensor<4xi32>
  %t = math.cttz %x : tensor<4xi32>
  %p = math.ctpop %x : tensor<4xi32>
  return %l, %t, %p : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}

// CHECK-LABEL: EXEC @extended
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2xi8=44 3
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xi1=01 00
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xi8=-2 15
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 2xi8=1 0
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 2xi8=-2 16
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 2xi8=-1 39
func.func @extended() -> (tensor<2xi8>, tensor<2xi1>, tensor<2xi8>, tensor<2xi8>, tensor<2xi8>, tensor<2xi8>) {
  %a = util.unfoldable_constant dense<[-56, 1]> : tensor<2xi8>
  %b = util.unfoldable_constant dense<[100, 2]> : tensor<2xi8>
  %sum, %carry = arith.addui_extended %a, %b : tensor<2xi8>, tensor<2xi1>
  %c = util.unfoldable_constant dense<[-1, 3]> : tensor<2xi8>
  %d = util.unfoldable_constant dense<[2, 5]> : tensor<2xi8>
  %ul, %uh = arith.mului_extended %c, %d : tensor<2xi8>
  %e = util.unfoldable_constant dense<[-1, 100]> : tensor<2xi8>
  %f = util.unfoldable_constant dense<[2, 100]> : tensor<2xi8>
  %sl, %sh = arith.mulsi_extended %e, %f : tensor<2xi8>
  return %sum, %carry, %ul, %uh, %sl, %sh : tensor<2xi8>, tensor<2xi1>, tensor<2xi8>, tensor<2xi8>, tensor<2xi8>, tensor<2xi8>
}

// CHECK-LABEL: EXEC @structured
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2xf32=4 -1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x2xf32=[1 3][2 4]
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 1x2xf32=[1 3]
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 1x1xf32=[23]
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 1x1x1x1xf32=[[[6]]]
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 1x1x1x1x1xf32=[[[[6]]]]
func.func @structured() -> (tensor<2xf32>, tensor<2x2xf32>, tensor<1x2xf32>, tensor<1x1xf32>, tensor<1x1x1x1xf32>, tensor<1x1x1x1x1xf32>) {
  %x = util.unfoldable_constant dense<[5.0, 3.0]> : tensor<2xf32>
  %y = util.unfoldable_constant dense<[1.0, 4.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<2xf32>
  %d = linalg.elementwise <sub> ins(%x, %y : tensor<2xf32>, tensor<2xf32>) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  %a = util.unfoldable_constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %i = util.unfoldable_constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %z = arith.constant dense<0.0> : tensor<2x2xf32>
  %t = linalg.contract indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
       ins(%a, %i : tensor<2x2xf32>, tensor<2x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  %v = util.unfoldable_constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %m = util.unfoldable_constant dense<[[[1.0, 1.0], [0.0, 1.0]]]> : tensor<1x2x2xf32>
  %z2 = arith.constant dense<0.0> : tensor<1x2xf32>
  %bv = linalg.batch_vecmat ins(%v, %m : tensor<1x2xf32>, tensor<1x2x2xf32>) outs(%z2 : tensor<1x2xf32>) -> tensor<1x2xf32>
  %p = util.unfoldable_constant dense<[[[2.0]], [[3.0]]]> : tensor<2x1x1xf32>
  %q = util.unfoldable_constant dense<[[[4.0]], [[5.0]]]> : tensor<2x1x1xf32>
  %z3 = arith.constant dense<0.0> : tensor<1x1xf32>
  %br = linalg.batch_reduce_matmul ins(%p, %q : tensor<2x1x1xf32>, tensor<2x1x1xf32>) outs(%z3 : tensor<1x1xf32>) -> tensor<1x1xf32>
  %two = util.unfoldable_constant dense<2.0> : tensor<1x1x1x1xf32>
  %three = util.unfoldable_constant dense<3.0> : tensor<1x1x1x1xf32>
  %z4 = arith.constant dense<0.0> : tensor<1x1x1x1xf32>
  %mm = linalg.mmt4d ins(%two, %three : tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>) outs(%z4 : tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  %two5 = util.unfoldable_constant dense<2.0> : tensor<1x1x1x1x1xf32>
  %three5 = util.unfoldable_constant dense<3.0> : tensor<1x1x1x1x1xf32>
  %z5 = arith.constant dense<0.0> : tensor<1x1x1x1x1xf32>
  %bm = linalg.batch_mmt4d ins(%two5, %three5 : tensor<1x1x1x1x1xf32>, tensor<1x1x1x1x1xf32>) outs(%z5 : tensor<1x1x1x1x1xf32>) -> tensor<1x1x1x1x1xf32>
  return %d, %t, %bv, %br, %mm, %bm : tensor<2xf32>, tensor<2x2xf32>, tensor<1x2xf32>, tensor<1x1xf32>, tensor<1x1x1x1xf32>, tensor<1x1x1x1x1xf32>
}
