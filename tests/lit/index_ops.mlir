// Index computations: affine maps, linalg.index, tensor.generate; and
// math.fpowi and tensor.bitcast.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// CHECK-LABEL: EXEC @affine
// CHECK-NEXT: result[0]: i64=-20
// CHECK-NEXT: result[1]: i64=-20
// CHECK-NEXT: result[2]: i64=3
#m = affine_map<(d0, d1)[s0] -> (d0 * 4 + d1 - s0, d0 floordiv 3, d1 mod 5, d0 ceildiv 4, -d1)>
func.func @affine() -> (index, index, index) {
  %a = util.unfoldable_constant -7 : index
  %b = util.unfoldable_constant 13 : index
  %s = util.unfoldable_constant 5 : index
  %r = affine.apply affine_map<(d0, d1)[s0] -> (d0 * 4 + d1 - s0)>(%a, %b)[%s]
  %lo = affine.min #m(%a, %b)[%s]
  %hi = affine.max affine_map<(d0)[s0] -> (d0 mod 7, s0 ceildiv 2, (d0 - 3) floordiv 2)>(%a)[%s]
  return %r, %lo, %hi : index, index, index
}

// CHECK-LABEL: EXEC @coordinates
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x3xi32=[0 1 2][10 11 12]
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2x2xf32=[0 0][0 1]
func.func @coordinates() -> (tensor<2x3xi32>, tensor<2x2xf32>) {
  %e = tensor.empty() : tensor<2x3xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]} outs(%e : tensor<2x3xi32>) {
  ^bb0(%o: i32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %t = affine.apply affine_map<(d0, d1) -> (d0 * 10 + d1)>(%i, %j)
    %c = arith.index_cast %t : index to i32
    linalg.yield %c : i32
  } -> tensor<2x3xi32>
  %g = tensor.generate {
  ^bb0(%p: index, %q: index):
    %pq = arith.muli %p, %q : index
    %i64 = arith.index_cast %pq : index to i64
    %f = arith.sitofp %i64 : i64 to f32
    tensor.yield %f : f32
  } : tensor<2x2xf32>
  return %r, %g : tensor<2x3xi32>, tensor<2x2xf32>
}

// CHECK-LABEL: EXEC @powers_and_bits
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=8 0.25 1 INF
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xi32=1065353216 -1073741824 0
func.func @powers_and_bits() -> (tensor<4xf32>, tensor<3xi32>) {
  %x = util.unfoldable_constant dense<[2.0, 2.0, 0.0, 0.0]> : tensor<4xf32>
  %n = util.unfoldable_constant dense<[3, -2, 0, -1]> : tensor<4xi32>
  %p = math.fpowi %x, %n : tensor<4xf32>, tensor<4xi32>
  %f = util.unfoldable_constant dense<[1.0, -2.0, 0.0]> : tensor<3xf32>
  %b = tensor.bitcast %f : tensor<3xf32> to tensor<3xi32>
  return %p, %b : tensor<4xf32>, tensor<3xi32>
}
