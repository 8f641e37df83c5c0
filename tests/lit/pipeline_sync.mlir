// The synchronous twin of pipeline_async.mlir: host-only execution model,
// the local-sync device, and no fences anywhere.
// RUN: (iree-compile --iree-execution-model=host-only --iree-hal-target-backends=vmvx %p/module_a.mlir -o=%t.module_a.vmfb && \
// RUN:  iree-compile --iree-execution-model=host-only --iree-hal-target-backends=vmvx %p/module_b.mlir -o=%t.module_b.vmfb && \
// RUN:  iree-compile --iree-execution-model=host-only --iree-hal-target-backends=vmvx %s | \
// RUN:  iree-run-module --device=local-sync \
// RUN:    --module=%t.module_a.vmfb \
// RUN:    --module=%t.module_b.vmfb \
// RUN:    --module=- --function=run \
// RUN:    --input=4096xf32=-2.0 \
// RUN:    --expected_output=4096xf32=4.0) | \
// RUN:  FileCheck %s
// CHECK: EXEC @run
// CHECK-NEXT: [SUCCESS] all function outputs matched their expected values.

func.func private @module_a.abs(%input: tensor<4096xf32>) -> tensor<4096xf32>
func.func private @module_b.mul(%lhs: tensor<4096xf32>, %rhs: tensor<4096xf32>, %output: tensor<4096xf32> {iree.abi.output = 0 : index}) -> tensor<4096xf32>

func.func @run(%input: tensor<4096xf32>) -> tensor<4096xf32> {
  %input_abs = call @module_a.abs(%input) : (tensor<4096xf32>) -> tensor<4096xf32>
  %result_storage = tensor.empty() : tensor<4096xf32>
  %result = call @module_b.mul(%input_abs, %input_abs, %result_storage) : (tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>) -> tensor<4096xf32>
  return %result : tensor<4096xf32>
}
