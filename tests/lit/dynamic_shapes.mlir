// Dynamic shapes, written as IREE's e2e tests write them: values cast to `?`
// shapes, checked with check.expect_*; and a run-time shape mismatch.
// RUN: iree-compile %s -o=%t.vmfb
// RUN: iree-check-module --module=%t.vmfb | FileCheck %s --check-prefix=CHECKS
// RUN: iree-check-module --device=local-sync --module=%t.vmfb | FileCheck %s --check-prefix=CHECKS
// RUN: not iree-run-module --module=%t.vmfb --function=mismatch --input="3xf32=1 2 3" --input="2xf32=4 5" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=MISMATCH
// RUN: not iree-run-module --module=%t.vmfb --function=to_static --input="4x3xi32=0" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CAST

// CHECKS: [ RUN      ] dynamic_shapes.elementwise
// CHECKS: [       OK ] dynamic_shapes.elementwise
// CHECKS: [ RUN      ] dynamic_shapes.structured
// CHECKS: [       OK ] dynamic_shapes.structured
// CHECKS: [ RUN      ] dynamic_shapes.windows
// CHECKS: [       OK ] dynamic_shapes.windows
// CHECKS: [  PASSED  ] 3 tests.
func.func @elementwise() {
  %a = util.unfoldable_constant dense<[1.0, -2.0, 3.0]> : tensor<3xf32>
  %b = util.unfoldable_constant dense<[4.0, 5.0, -6.0]> : tensor<3xf32>
  %da = tensor.cast %a : tensor<3xf32> to tensor<?xf32>
  %db = tensor.cast %b : tensor<3xf32> to tensor<?xf32>
  %m = arith.mulf %da, %db : tensor<?xf32>
  %x = math.absf %m : tensor<?xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %one = arith.constant 1.0 : f32
  %ones = tensor.splat %one[%n] : tensor<?xf32>
  %r = arith.addf %x, %ones : tensor<?xf32>
  %s = tensor.cast %r : tensor<?xf32> to tensor<3xf32>
  check.expect_eq_const(%s, dense<[5.0, 11.0, 19.0]> : tensor<3xf32>) : tensor<3xf32>
  %three = arith.constant 3 : index
  %is3 = arith.cmpi eq, %n, %three : index
  %i1 = arith.extui %is3 : i1 to i32
  check.expect_true(%i1) : i32
  return
}

func.func @structured() {
  %a = util.unfoldable_constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %da = tensor.cast %a : tensor<2x2xf32> to tensor<?x?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %da, %c0 : tensor<?x?xf32>
  %d1 = tensor.dim %da, %c1 : tensor<?x?xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%d0) : tensor<?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.reduce { arith.addf } ins(%da : tensor<?x?xf32>) outs(%z : tensor<?xf32>) dimensions = [1]
  %ss = tensor.cast %sum : tensor<?xf32> to tensor<2xf32>
  check.expect_eq_const(%ss, dense<[3.0, 7.0]> : tensor<2xf32>) : tensor<2xf32>
  %em = tensor.empty(%d0, %d1) : tensor<?x?xf32>
  %mz = linalg.fill ins(%zero : f32) outs(%em : tensor<?x?xf32>) -> tensor<?x?xf32>
  %mm = linalg.matmul ins(%da, %da : tensor<?x?xf32>, tensor<?x?xf32>) outs(%mz : tensor<?x?xf32>) -> tensor<?x?xf32>
  %ms = tensor.cast %mm : tensor<?x?xf32> to tensor<2x2xf32>
  check.expect_eq_const(%ms, dense<[[7.0, 10.0], [15.0, 22.0]]> : tensor<2x2xf32>) : tensor<2x2xf32>
  return
}

// MISMATCH: INVALID_ARGUMENT; 'arith.addf' at {{.*}}dynamic_shapes.mlir:63:8: operand shapes '2' and '3' differ
func.func @mismatch(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %x = math.absf %a : tensor<?xf32>
  %r = arith.addf %x, %b : tensor<?xf32>
  return %r : tensor<?xf32>
}

// CAST: INVALID_ARGUMENT; 'tensor.cast' at {{.*}}dynamic_shapes.mlir:69:8: shape '4x3' does not match '2x3'
func.func @to_static(%a: tensor<?x3xi32>) -> tensor<2x3xi32> {
  %s = tensor.cast %a : tensor<?x3xi32> to tensor<2x3xi32>
  return %s : tensor<2x3xi32>
}

// A convolution whose spatial sizes are all dynamic, and a reshape with two.
func.func @windows() {
  %x = util.unfoldable_constant dense<[[[[1.0], [2.0], [3.0], [4.0]], [[5.0], [6.0], [7.0], [8.0]],
                                        [[9.0], [10.0], [11.0], [12.0]], [[13.0], [14.0], [15.0], [16.0]]]]> : tensor<1x4x4x1xf32>
  %w = util.unfoldable_constant dense<1.0> : tensor<2x2x1x1xf32>
  %o = util.unfoldable_constant dense<0.0> : tensor<1x3x3x1xf32>
  %dx = tensor.cast %x : tensor<1x4x4x1xf32> to tensor<1x?x?x1xf32>
  %dw = tensor.cast %w : tensor<2x2x1x1xf32> to tensor<?x?x1x1xf32>
  %do = tensor.cast %o : tensor<1x3x3x1xf32> to tensor<1x?x?x1xf32>
  %r = linalg.conv_2d_nhwc_hwcf ins(%dx, %dw : tensor<1x?x?x1xf32>, tensor<?x?x1x1xf32>)
       outs(%do : tensor<1x?x?x1xf32>) -> tensor<1x?x?x1xf32>
  %flat = tensor.collapse_shape %r [[0, 1, 2, 3]] : tensor<1x?x?x1xf32> into tensor<?xf32>
  %c3 = arith.constant 3 : index
  %m = tensor.expand_shape %flat [[0, 1]] output_shape [%c3, %c3] : tensor<?xf32> into tensor<?x?xf32>
  %s = tensor.cast %m : tensor<?x?xf32> to tensor<3x3xf32>
  check.expect_eq_const(%s, dense<[[14.0, 18.0, 22.0], [30.0, 34.0, 38.0], [46.0, 50.0, 54.0]]> : tensor<3x3xf32>) : tensor<3x3xf32>
  return
}
