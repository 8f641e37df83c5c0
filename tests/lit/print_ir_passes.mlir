// Each pass of iree-lite's pipeline, seen in the IR it prints after it
// (--mlir-print-ir-after=PASS, on stderr under MLIR's header line).
// RUN: iree-compile %s -o %t.vmfb --mlir-print-ir-after=iree-lite-verify 2>&1 | FileCheck %s --check-prefix=VERIFY
// RUN: iree-compile %s -o %t.vmfb --mlir-print-ir-after=iree-lite-abi 2>&1 | FileCheck %s --check-prefix=ABI
// RUN: iree-compile %s -o %t.vmfb --iree-execution-model=async-external --mlir-print-ir-after=iree-lite-abi 2>&1 | FileCheck %s --check-prefix=ASYNC
// RUN: iree-compile %s -o %t.vmfb --mlir-print-ir-after=iree-lite-lower-linalg 2>&1 | FileCheck %s --check-prefix=LINALG
// RUN: iree-compile %s -o %t.vmfb --mlir-print-ir-after=iree-lite-lower-small-types 2>&1 | FileCheck %s --check-prefix=SMALL
// RUN: iree-compile %s -o %t.vmfb --mlir-print-ir-after=iree-lite-form-dispatch-regions 2>&1 | FileCheck %s --check-prefix=DISPATCH
// RUN: iree-compile %s -o %t.vmfb --mlir-print-ir-after=iree-lite-plan-buffers 2>&1 | FileCheck %s --check-prefix=BUFFERS

#bcast = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// Verification changes nothing: the input as parsed, values renamed as MLIR numbers them,
// ops without a custom form here in the generic form.
// VERIFY: // -----// IR Dump After Verify (iree-lite-verify) //----- //
// VERIFY-NEXT: module @print_ir_passes {
// VERIFY-NEXT:   func.func @bias_relu(%arg0: tensor<2x3xf32>, %arg1: tensor<3xf32>, %arg2: tensor<2x3xf32> {iree.abi.output = 0 : index}) -> tensor<2x3xf32> {
// VERIFY-NEXT:     %0 = "tensor.empty"() : () -> tensor<2x3xf32>
// VERIFY-NEXT:     %1 = "linalg.generic"(%arg0, %arg1, %0) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 2, 1>}> ({
// VERIFY-NEXT:     ^bb0(%arg3: f32, %arg4: f32, %arg5: f32):
// VERIFY-NEXT:       %2 = arith.addf %arg3, %arg4 : f32
// VERIFY-NEXT:       "linalg.yield"(%2) : (f32) -> ()
// VERIFY-NEXT:     }) : (tensor<2x3xf32>, tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// VERIFY-NEXT:     %3 = arith.constant dense<0.0> : tensor<2x3xf32>
// VERIFY-NEXT:     %4 = arith.maximumf %1, %3 : tensor<2x3xf32>
// VERIFY-NEXT:     return %4 : tensor<2x3xf32>
// VERIFY-NEXT:   }

// The ABI pass marks every function with the ABI it is called with: all are
// sync by default; async-external makes the exports coarse-fences, not the
// private functions.
// ABI-LABEL: func.func @bias_relu(
// ABI-SAME: attributes {iree.abi.model = "sync"}
// ABI-LABEL: func.func private @twice(
// ABI-SAME: attributes {iree.abi.model = "sync"}
// ASYNC-LABEL: func.func @bias_relu(
// ASYNC-SAME: attributes {iree.abi.model = "coarse-fences"}
// ASYNC-LABEL: func.func private @twice(
// ASYNC-SAME: attributes {iree.abi.model = "sync"}
// ASYNC-LABEL: func.func @copy_out(
// ASYNC-SAME: attributes {iree.abi.model = "coarse-fences"}

// The linalg rewrite applies the generic's body element-wise: the broadcast
// input is expanded to the iteration shape, then added to the other.
// LINALG-LABEL: func.func @bias_relu(
// LINALG-NEXT: %0 = "tensor.empty"() : () -> tensor<2x3xf32>
// LINALG-NEXT: %1 = "iree_lite.expand"(%arg1) <{map = affine_map<(d0, d1) -> (d1)>}> : (tensor<3xf32>) -> tensor<2x3xf32>
// LINALG-NEXT: %2 = arith.addf %arg0, %1 : tensor<2x3xf32>
// LINALG-NEXT: %3 = arith.constant dense<0.0> : tensor<2x3xf32>
// LINALG-NEXT: %4 = arith.maximumf %2, %3 : tensor<2x3xf32>
// LINALG-NEXT: return %4 : tensor<2x3xf32>
// LINALG-NOT: linalg.generic

// Small types: i4 values live in i8, and an i4 addition wraps as i4 does
// (shifted up and back, sign-extending bit 3).
// SMALL-LABEL: func.func private @twice(%arg0: tensor<4xi8>) -> tensor<4xi8>
// SMALL-NEXT: %0 = arith.addi %arg0, %arg0 : tensor<4xi8>
// SMALL-NEXT: %1 = arith.constant 4 : i8
// SMALL-NEXT: %2 = "arith.shli"(%0, %1) : (tensor<4xi8>, i8) -> tensor<4xi8>
// SMALL-NEXT: %3 = "arith.shrsi"(%2, %1) : (tensor<4xi8>, i8) -> tensor<4xi8>
// SMALL-NEXT: return %3 : tensor<4xi8>

// Dispatch formation fuses the expand, the add and the max into one
// dispatch; the zero splat is folded into it and the generic's unused init
// is dropped (no buffer for either).
// DISPATCH-LABEL: func.func @bias_relu(
// DISPATCH-NEXT: %0 = "tensor.empty"() {iree_lite.no_buffer}
// DISPATCH-NEXT: %1 = "iree_lite.expand"(%arg1) <{map = affine_map<(d0, d1) -> (d1)>}> {iree_lite.dispatch = 0 : i64}
// DISPATCH-NEXT: %2 = "arith.addf"(%arg0, %1) {iree_lite.dispatch = 0 : i64}
// DISPATCH-NEXT: %3 = "arith.constant"() <{value = dense<0.0> : tensor<2x3xf32>}> {iree_lite.no_buffer}
// DISPATCH-NEXT: %4 = "arith.maximumf"(%2, %3) {iree_lite.dispatch = 0 : i64}
// DISPATCH-NEXT: return %4 : tensor<2x3xf32>
// DISPATCH-NOT: iree_lite.in_place

// Buffer planning computes the dispatch's result straight into the output
// argument %arg2; @copy_out returns an input, which is copied there.
// BUFFERS-LABEL: func.func @bias_relu(
// BUFFERS: %4 = "arith.maximumf"(%2, %3) {iree_lite.dispatch = 0 : i64, iree_lite.in_place = 2 : i64}
// BUFFERS-LABEL: func.func @copy_out(
// BUFFERS-NEXT: "func.return"(%arg0) {iree_lite.copies = array<i64: 0>} : (tensor<4xf32>) -> ()
func.func @bias_relu(%x: tensor<2x3xf32>, %b: tensor<3xf32>, %out: tensor<2x3xf32> {iree.abi.output = 0 : index}) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %y = linalg.generic {indexing_maps = [#id, #bcast, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<2x3xf32>, tensor<3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  %zero = arith.constant dense<0.0> : tensor<2x3xf32>
  %r = arith.maximumf %y, %zero : tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

func.func private @twice(%v: tensor<4xi4>) -> tensor<4xi4> {
  %w = arith.addi %v, %v : tensor<4xi4>
  return %w : tensor<4xi4>
}

func.func @copy_out(%x: tensor<4xf32>, %o: tensor<4xf32> {iree.abi.output = 0 : index}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
