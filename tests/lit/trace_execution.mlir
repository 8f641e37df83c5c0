// --trace_execution prints each VM instruction as it runs, on stderr: the
// function, pc, disassembly with its source location, and the registers it
// names after it ran. The results on stdout are unchanged.
// RUN: iree-compile %s -o %t.vmfb
// RUN: iree-run-module --module=%t.vmfb --function=poly --input=3 --input=4 --trace_execution 2>&1 | \
// RUN:   FileCheck %s --check-prefix=SCALAR
// RUN: iree-compile --iree-execution-model=async-external %s -o %t.async.vmfb
// RUN: iree-run-module --module=%t.async.vmfb --function=scale --input="4xf32=-1 2 -3 4" --input=4xf32=2 \
// RUN:   --trace_execution 2>&1 | FileCheck %s --check-prefix=TENSOR

// SCALAR: EXEC @poly
// SCALAR-NEXT: [trace] trace.poly    0: eval @trace_dispatch_1, [], [i0, i1], [], [i2]  // 32:10  | i0=3, i1=4, i2=21
// SCALAR-NEXT: [trace] trace.poly    8: ret [i2], [], []  // 33:5  | i2=21
// SCALAR-NEXT: result[0]: i32=21

// Locations are line:column in this file. Tensors show their type and first four elements; the async call's fences their state.
// TENSOR: EXEC @scale
// TENSOR-NEXT: [trace] trace.scale    0: buffer.alloc r4, #0(4xf32)  // 27:10  | r4=4xf32[0.0 0.0 0.0 0.0]
// TENSOR-NEXT: [trace] trace.scale    2: dispatch.async r2, r3, @trace_dispatch_0, [r0, r1, r4], [], []  // 27:10  | r2=null, r3=fence(reached), r0=4xf32[-1.0 2.0 -3.0 4.0], r1=4xf32[2.0 2.0 2.0 2.0], r4=4xf32[2.0 4.0 6.0 8.0]
// TENSOR-NEXT: [trace] trace.scale    8: ret [], [], [r4]  // 28:5  | r4=4xf32[2.0 4.0 6.0 8.0]
// TENSOR-NEXT: result[0]: hal.buffer_view
// TENSOR-NEXT: 4xf32=2 4 6 8

module @trace {
  func.func @scale(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
    %a = math.absf %x : tensor<4xf32>
    %r = arith.mulf %a, %y : tensor<4xf32>
    return %r : tensor<4xf32>
  }
  func.func @poly(%a: i32, %b: i32) -> i32 {
    %s = arith.addi %a, %b : i32
    %r = arith.muli %s, %a : i32
    return %r : i32
  }
}
