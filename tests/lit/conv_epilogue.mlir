// A convolution's element-wise consumer runs as its epilogue: dispatch
// formation makes the dispatch reading a convolution right after it the
// convolution's (`iree_lite.epilogue = N` on the convolution), and codegen
// encodes the two as one buffer.conv2d.dispatch, in sync and async
// functions alike. The epilogue writes over the convolution's buffer, and
// a convolution whose epilogue's result is part of a concat writes
// straight into that part (buffer.part): no copy, no separate pass.
// RUN: iree-compile %s -o %t.vmfb --mlir-print-ir-after=iree-lite-form-dispatch-regions 2>&1 | FileCheck %s --check-prefix=IR
// RUN: iree-compile %s -o %t.vmfb && iree-dump-module %t.vmfb | FileCheck %s --check-prefix=CODE
// RUN: iree-compile %s -o %t.vmfb --iree-execution-model=async-external && iree-dump-module %t.vmfb | FileCheck %s --check-prefix=CODE

// IR-LABEL: func.func @conv_bias_relu(
// IR: "iree_lite.conv2d"(%arg0, %arg1) {{.*}} {iree_lite.epilogue = 0 : i64}
// IR-NEXT: "iree_lite.expand"(%arg2) {{.*}} {iree_lite.dispatch = 0 : i64}
// IR-NEXT: "arith.addf"(%3, %4) {iree_lite.dispatch = 0 : i64}
// IR-NEXT: "arith.maximumf"(%5, %0) {iree_lite.dispatch = 0 : i64}
// IR-NEXT: return %6
// IR-LABEL: func.func @expand_concat(
// IR: %3 = "iree_lite.conv2d"(%arg0, %arg1) {{.*}} {iree_lite.epilogue = 0 : i64}
// IR: %10 = "iree_lite.conv2d"(%arg0, %arg2) {{.*}} {iree_lite.epilogue = 1 : i64}
// IR: "tensor.concat"(%6, %13)

// CODE-LABEL: {{^}}func @conv_bias_relu(
// CODE: buffer.alloc [[ACC:r[0-9]+]], #{{[0-9]+}}(1x2x2x2xf32)
// CODE-NOT: : dispatch
// CODE: buffer.conv2d.dispatch [[ACC]], r0, r1, #{{[0-9]+}}(data 8xi64), @conv_epilogue_dispatch_0, {{\[}}[[ACC]], r2, [[ACC]]{{\]}}
// CODE-NOT: : dispatch
// CODE: ret [], [], {{\[}}[[ACC]]{{\]}}
// CODE-LABEL: {{^}}func @expand_concat(
// CODE: buffer.alloc [[CAT:r[0-9]+]], #{{[0-9]+}}(1x5x3x3xf32)
// CODE-NEXT: buffer.part [[P1:r[0-9]+]], [[CAT]], #{{[0-9]+}}(1x2x3x3xf32), #{{[0-9]+}}(0)
// CODE-NOT: : dispatch
// CODE: buffer.conv2d.dispatch [[P1]], r0, r1, {{.*}}, {{\[}}[[P1]], r3, [[P1]]{{\]}}
// CODE-NEXT: buffer.part [[P3:r[0-9]+]], [[CAT]], #{{[0-9]+}}(1x3x3x3xf32), #{{[0-9]+}}(18)
// CODE-NOT: : dispatch
// CODE: buffer.conv2d.dispatch [[P3]], r0, r2, {{.*}}, {{\[}}[[P3]], r4, [[P3]]{{\]}}
// CODE-NOT: buffer.scatter
// CODE: ret [], [], {{\[}}[[CAT]]{{\]}}

#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#channel = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @conv_bias_relu(%x: tensor<1x1x3x3xf32>, %w: tensor<2x1x2x2xf32>, %b: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>) outs(%init : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %out = linalg.generic {indexing_maps = [#map, #channel, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv, %b : tensor<1x2x2x2xf32>, tensor<2xf32>) outs(%e : tensor<1x2x2x2xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %y = arith.maximumf %s, %zero : f32
    linalg.yield %y : f32
  } -> tensor<1x2x2x2xf32>
  return %out : tensor<1x2x2x2xf32>
}

func.func @expand_concat(%x: tensor<1x2x3x3xf32>, %w1: tensor<2x2x1x1xf32>, %w3: tensor<3x2x3x3xf32>,
                         %b1: tensor<2xf32>, %b3: tensor<3xf32>) -> tensor<1x5x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x3x3xf32>
  %i2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w1 : tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) outs(%i2 : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %r1 = linalg.generic {indexing_maps = [#map, #channel, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c1, %b1 : tensor<1x2x3x3xf32>, tensor<2xf32>) outs(%e2 : tensor<1x2x3x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %y = arith.maximumf %s, %zero : f32
    linalg.yield %y : f32
  } -> tensor<1x2x3x3xf32>
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%j0: index, %j1: index, %j2: index, %j3: index):
    tensor.yield %zero : f32
  } : tensor<1x2x3x3xf32> to tensor<1x2x5x5xf32>
  %e3 = tensor.empty() : tensor<1x3x3x3xf32>
  %i3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %c3 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w3 : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) outs(%i3 : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %r3 = linalg.generic {indexing_maps = [#map, #channel, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c3, %b3 : tensor<1x3x3x3xf32>, tensor<3xf32>) outs(%e3 : tensor<1x3x3x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %y = arith.maximumf %s, %zero : f32
    linalg.yield %y : f32
  } -> tensor<1x3x3x3xf32>
  %cat = tensor.concat dim(1) %r1, %r3 : (tensor<1x2x3x3xf32>, tensor<1x3x3x3xf32>) -> tensor<1x5x3x3xf32>
  return %cat : tensor<1x5x3x3xf32>
}
