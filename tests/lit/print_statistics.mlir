// --print_statistics prints time per phase, dispatch and fence-wait counts
// and buffer counts on stderr, after the results.
// RUN: iree-compile %s -o %t.sync.vmfb
// RUN: iree-run-module --module=%t.sync.vmfb --function=scale --input="4xf32=-1 2 -3 4" --input=4xf32=2 \
// RUN:   --print_statistics 2>&1 | FileCheck %s --check-prefixes=CHECK,SYNC
// RUN: iree-compile --iree-execution-model=async-external %s -o %t.async.vmfb
// RUN: iree-run-module --device=local-sync --module=%t.async.vmfb --function=scale --input="4xf32=-1 2 -3 4" \
// RUN:   --input=4xf32=2 --print_statistics 2>&1 | FileCheck %s --check-prefixes=CHECK,ASYNC

// CHECK: EXEC @scale
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=2 4 6 8
// CHECK-NEXT: [statistics] time: load {{[0-9]+\.[0-9][0-9][0-9]}} ms, verify {{[0-9]+\.[0-9][0-9][0-9]}} ms, invoke {{[0-9]+\.[0-9][0-9][0-9]}} ms, wait {{[0-9]+\.[0-9][0-9][0-9]}} ms
// One fused dispatch; the host waits on the finish fence of an async call only.
// SYNC-NEXT: [statistics] dispatches: 1, fence waits: 0
// ASYNC-NEXT: [statistics] dispatches: 1, fence waits: 1
// The two inputs and the result, 16 bytes each.
// CHECK-NEXT: [statistics] buffers: 3 allocated, 48 bytes in total, peak 48 bytes live
// CHECK-NOT: {{.}}

module @stats {
  func.func @scale(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
    %a = math.absf %x : tensor<4xf32>
    %r = arith.mulf %a, %y : tensor<4xf32>
    return %r : tensor<4xf32>
  }
}
