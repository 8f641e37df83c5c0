// iree-lite batch: runs from a JSON-lines manifest; progress lines on
// stderr (not a terminal here), a table and totals on stdout, exit 1 when a
// run fails. Module paths may be absolute (else relative to the manifest).
// RUN: iree-compile %s -o %t.vmfb
// RUN: echo '# three runs of one module' > %t.jsonl
// RUN: echo '{"name": "abs-ok", "modules": ["%t.vmfb"], "function": "scale", "inputs": ["4xf32=-1 2 -3 4", "4xf32=2"], "expected_outputs": ["4xf32=2 4 6 8"]}' >> %t.jsonl
// RUN: echo '{"name": "abs-wrong", "modules": ["%t.vmfb"], "function": "scale", "inputs": ["4xf32=-1 2 -3 4", "4xf32=2"], "expected_outputs": ["4xf32=2 4 6 9"]}' >> %t.jsonl
// RUN: echo '{"modules": ["%t.vmfb"], "function": "scale", "inputs": ["3xf32=1", "4xf32=2"], "expected_error": "input0 shape dimension 0 mismatch", "device": "local-sync"}' >> %t.jsonl
// RUN: not iree-batch %t.jsonl --jobs=1 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=PROGRESS < %t.err

// The TIME column is as wide as its widest entry.
// CHECK: NAME       STATUS  TIME {{ +}}DETAIL
// CHECK-NEXT: abs-ok     PASS    {{[0-9]+\.[0-9]}} ms
// CHECK-NEXT: abs-wrong  FAIL    {{[0-9]+\.[0-9]}} ms {{ +}}[FAILED] result[0]: element at index 3 (8) does not match the expected (9); expected that the view is equal to contents of a view of 4xf32
// CHECK-NEXT: run-3      PASS    {{[0-9]+\.[0-9]}} ms
// CHECK-NEXT: 3 runs: 2 passed, 1 failed, 0 errors

// PROGRESS: [PASS] abs-ok ({{[0-9]+\.[0-9]}} ms)
// PROGRESS-NEXT: [FAIL] abs-wrong: [FAILED] result[0]: element at index 3 (8) does not match the expected (9)
// PROGRESS-NEXT: [PASS] run-3 ({{[0-9]+\.[0-9]}} ms)

// Shard 2 of 3 holds the entry with 0-based index 1 only.
// RUN: not iree-batch %t.jsonl --shard=2/3 --junit=%t.xml 2>/dev/null | FileCheck %s --check-prefix=SHARD
// RUN: FileCheck %s --check-prefix=JUNIT < %t.xml
// SHARD: NAME
// SHARD-NEXT: abs-wrong  FAIL
// SHARD-NEXT: 1 run: 0 passed, 1 failed, 0 errors
// JUNIT: <testsuite name="{{.*}}.jsonl" tests="1" failures="1" errors="0"
// JUNIT-NEXT: <testcase name="abs-wrong"
// JUNIT-NEXT: <failure message="[FAILED] result[0]: element at index 3 (8)

// RUN: iree-batch %t.jsonl --shard=1/3 2>/dev/null | FileCheck %s --check-prefix=PASSING
// PASSING: abs-ok  PASS
// PASSING-NEXT: 1 run: 1 passed, 0 failed, 0 errors

module @batch {
  func.func @scale(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
    %a = math.absf %x : tensor<4xf32>
    %r = arith.mulf %a, %y : tensor<4xf32>
    return %r : tensor<4xf32>
  }
}
