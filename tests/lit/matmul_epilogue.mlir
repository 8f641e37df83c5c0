// A matmul from +0.0's element-wise consumer runs as its epilogue, as a
// convolution's does (conv_epilogue.mlir): dispatch formation makes the
// dispatch reading the product right after it the matmul's
// (`iree_lite.epilogue = N` on the matmul), and codegen encodes the two as
// one buffer.matmul.fresh.dispatch, in sync and async functions alike. The
// epilogue writes over the product's buffer unless something else reads it.
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
