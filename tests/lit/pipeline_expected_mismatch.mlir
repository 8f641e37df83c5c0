// A wrong --expected_output fails with IREE's [FAILED] report and exit 1.
// RUN: iree-compile --iree-execution-model=async-external %p/module_a.mlir -o=%t.module_a.vmfb
// RUN: iree-compile --iree-execution-model=async-external %p/module_b.mlir -o=%t.module_b.vmfb
// RUN: iree-compile --iree-execution-model=async-external %s -o=%t.vmfb
// RUN: not iree-run-module --module=%t.module_a.vmfb --module=%t.module_b.vmfb --module=%t.vmfb \
// RUN:   --function=run --input=4096xf32=-2.0 --expected_output=4096xf32=5.0 | FileCheck %s
// CHECK: EXEC @run
// CHECK-NEXT: [FAILED] result[0]: element at index 0 (4) does not match the expected (5); expected that the view is equal to contents of a view of 4096xf32
// CHECK-NEXT:   expected:
// CHECK-NEXT: 4096xf32=5 5 5
// CHECK:   actual:
// CHECK-NEXT: 4096xf32=4 4 4

func.func private @module_a.abs(%input: tensor<4096xf32>) -> tensor<4096xf32> attributes {iree.abi.model = "coarse-fences"}
func.func private @module_b.mul(%lhs: tensor<4096xf32>, %rhs: tensor<4096xf32>, %output: tensor<4096xf32> {iree.abi.output = 0 : index}) -> tensor<4096xf32> attributes {iree.abi.model = "coarse-fences"}

func.func @run(%input: tensor<4096xf32>) -> tensor<4096xf32> {
  %input_abs = call @module_a.abs(%input) : (tensor<4096xf32>) -> tensor<4096xf32>
  %result_storage = tensor.empty() : tensor<4096xf32>
  %result = call @module_b.mul(%input_abs, %input_abs, %result_storage) : (tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>) -> tensor<4096xf32>
  return %result : tensor<4096xf32>
}
