// A matmul from +0.0's element-wise consumer runs as its epilogue, as a
// convolution's does (conv_epilogue.mlir): dispatch formation makes the
// dispatch reading the product right after it the matmul's
// (`iree_lite.epilogue = N` on the matmul), and codegen encodes the two as
// one buffer.matmul.fresh.dispatch, in sync and async functions alike. The
// epilogue writes over the product's buffer unless something else reads it,
// and reads the product through reshapes of it (views) as well.
// RUN: iree-compile %s -o %t.vmfb --mlir-print-ir-after=iree-lite-form-dispatch-regions 2>&1 | FileCheck %s --check-prefix=IR
// RUN: iree-compile %s -o %t.vmfb && iree-dump-module %t.vmfb | FileCheck %s --check-prefix=CODE
// RUN: iree-compile %s -o %t.vmfb --iree-execution-model=async-external && iree-dump-module %t.vmfb | FileCheck %s --check-prefix=CODE

// IR-LABEL: func.func @linear_bias_residual(
// IR: "iree_lite.matmul"(%arg0, %arg1) {iree_lite.epilogue = 0 : i64}
// IR-NEXT: "iree_lite.expand"(%arg2) {{.*}} {iree_lite.dispatch = 0 : i64}
// IR-NEXT: "arith.addf"(%3, %4) {iree_lite.dispatch = 0 : i64}
// IR-NEXT: "arith.addf"(%5, %arg3) {iree_lite.dispatch = 0 : i64}
// IR-NEXT: "arith.maximumf"(%6, %0) {iree_lite.dispatch = 0 : i64}
// IR-NEXT: return %7
// IR-LABEL: func.func @batch_scaled_kept(
// IR: %4 = "iree_lite.matmul"(%arg0, %arg1) {iree_lite.epilogue = 0 : i64}
// IR-NEXT: "arith.mulf"(%4, %1) {iree_lite.dispatch = 0 : i64}
// IR-LABEL: func.func @scores_through_views(
// IR: %5 = "iree_lite.matmul"(%arg0, %arg1) {iree_lite.epilogue = 0 : i64}
// IR-NEXT: %6 = "iree_lite.view"(%5)
// IR-NEXT: %7 = "iree_lite.view"(%6)
// IR-NEXT: "arith.mulf"(%7, %1) {iree_lite.dispatch = 0 : i64}

// CODE-LABEL: {{^}}func @linear_bias_residual(
// CODE: buffer.alloc [[ACC:r[0-9]+]], #{{[0-9]+}}(4x5xf32)
// CODE-NOT: : dispatch
// CODE: buffer.matmul.fresh.dispatch [[ACC]], r0, r1, @matmul_epilogue_dispatch_0, {{\[}}[[ACC]], r3, r2, [[ACC]]{{\]}}
// CODE-NOT: : dispatch
// CODE: ret [], [], {{\[}}[[ACC]]{{\]}}
// CODE-LABEL: {{^}}func @batch_scaled_kept(
// CODE: buffer.alloc [[P:r[0-9]+]], #{{[0-9]+}}(2x4x5xf32)
// CODE: buffer.alloc [[S:r[0-9]+]], #{{[0-9]+}}(2x4x5xf32)
// CODE: buffer.matmul.fresh.dispatch [[P]], r0, r1, @matmul_epilogue_dispatch_1, {{\[}}[[P]], [[S]]{{\]}}
// CODE-NOT: : dispatch
// CODE: ret [], [], {{\[}}[[S]], [[P]]{{\]}}
// CODE-LABEL: {{^}}func @scores_through_views(
// CODE: buffer.alloc [[P:r[0-9]+]], #{{[0-9]+}}(4x9x9xf32)
// CODE-NEXT: buffer.view [[V:r[0-9]+]], [[P]], #{{[0-9]+}}(324xf32)
// CODE-NEXT: buffer.view [[V]], [[V]], #{{[0-9]+}}(1x4x9x9xf32)
// CODE-NOT: : dispatch
// CODE: buffer.matmul.fresh.dispatch [[P]], r0, r1, @matmul_epilogue_dispatch_{{[0-9]+}}, {{\[}}[[V]], r{{[0-9]+}}{{\]}}
// CODE-NOT: : dispatch

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @linear_bias_residual(%x: tensor<4x3xf32>, %w: tensor<3x5xf32>, %b: tensor<5xf32>, %r: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x5xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4x5xf32>) -> tensor<4x5xf32>
  %p = linalg.matmul ins(%x, %w : tensor<4x3xf32>, tensor<3x5xf32>) outs(%init : tensor<4x5xf32>) -> tensor<4x5xf32>
  %out = linalg.generic {indexing_maps = [#id, #col, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p, %b, %r : tensor<4x5xf32>, tensor<5xf32>, tensor<4x5xf32>) outs(%e : tensor<4x5xf32>) {
  ^bb0(%a: f32, %c: f32, %s: f32, %o: f32):
    %t = arith.addf %a, %c : f32
    %u = arith.addf %t, %s : f32
    %y = arith.maximumf %u, %zero : f32
    linalg.yield %y : f32
  } -> tensor<4x5xf32>
  return %out : tensor<4x5xf32>
}

// The product is read twice (by the epilogue and by the return): it keeps
// its own buffer, the epilogue's result another.
func.func @batch_scaled_kept(%x: tensor<2x4x3xf32>, %w: tensor<2x3x5xf32>) -> (tensor<2x4x5xf32>, tensor<2x4x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<2x4x5xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x5xf32>) -> tensor<2x4x5xf32>
  %p = linalg.batch_matmul ins(%x, %w : tensor<2x4x3xf32>, tensor<2x3x5xf32>) outs(%init : tensor<2x4x5xf32>) -> tensor<2x4x5xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%p : tensor<2x4x5xf32>) outs(%e : tensor<2x4x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = arith.mulf %a, %half : f32
    linalg.yield %y : f32
  } -> tensor<2x4x5xf32>
  return %s, %p : tensor<2x4x5xf32>, tensor<2x4x5xf32>
}

// Attention's scores: the product collapsed and expanded again (views of
// the same elements) before the scaling, which is its epilogue all the same.
func.func @scores_through_views(%q: tensor<4x9x5xf32>, %k: tensor<4x5x9xf32>) -> tensor<1x4x9x9xf32> {
  %zero = arith.constant 0.0 : f32
  %scale = arith.constant 0.125 : f32
  %e = tensor.empty() : tensor<4x9x9xf32>
  %e4 = tensor.empty() : tensor<1x4x9x9xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4x9x9xf32>) -> tensor<4x9x9xf32>
  %p = linalg.batch_matmul ins(%q, %k : tensor<4x9x5xf32>, tensor<4x5x9xf32>) outs(%init : tensor<4x9x9xf32>) -> tensor<4x9x9xf32>
  %f = tensor.collapse_shape %p [[0, 1, 2]] : tensor<4x9x9xf32> into tensor<324xf32>
  %g = tensor.expand_shape %f [[0, 1, 2, 3]] output_shape [1, 4, 9, 9] : tensor<324xf32> into tensor<1x4x9x9xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g : tensor<1x4x9x9xf32>) outs(%e4 : tensor<1x4x9x9xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.mulf %x, %scale : f32
    linalg.yield %m : f32
  } -> tensor<1x4x9x9xf32>
  return %y : tensor<1x4x9x9xf32>
}
