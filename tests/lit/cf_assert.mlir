// cf.assert: a true condition passes; a false one fails the call with
// FAILED_PRECONDITION, the op's location and its message (exit status 1).
// RUN: iree-compile %s -o=%t.vmfb
// RUN: iree-run-module --module=%t.vmfb --function=checked_index --input="3xf32=1 2 3" --input=2 | FileCheck %s --check-prefix=PASS
// RUN: not iree-run-module --module=%t.vmfb --function=checked_index --input="3xf32=1 2 3" --input=3 2>&1 | FileCheck %s --check-prefix=FAIL
// RUN: not iree-run-module --device=local-sync --module=%t.vmfb --function=checked_index --input="3xf32=1 2 3" --input=7 2>&1 | FileCheck %s --check-prefix=FAIL

// PASS: EXEC @checked_index
// PASS-NEXT: result[0]: f32=3
// FAIL: FAILED_PRECONDITION; {{.*}}cf_assert.mlir:14:3: index out of range; invoking function 'checked_index'
func.func @checked_index(%x: tensor<3xf32>, %n: index) -> f32 {
  %c3 = arith.constant 3 : index
  %ok = arith.cmpi ult, %n, %c3 : index
  cf.assert %ok, "index out of range"
  %v = tensor.extract %x[%n] : tensor<3xf32>
  return %v : f32
}
