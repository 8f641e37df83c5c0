// dump-module prints the header, imports with the modules they require,
// exports with ABI and reflection, then one instruction per line with its
// source location.
// RUN: iree-compile --iree-execution-model=async-external %s -o=%t.vmfb
// RUN: iree-dump-module %t.vmfb | FileCheck %s

// CHECK: // module @dump_module
// CHECK-NEXT: // format version 1, compiled by iree-lite
// CHECK-NEXT: // {{[0-9]+}} bytes, checksum {{[0-9a-f]+}} (valid)
// CHECK: Imports:
// CHECK-NEXT:   other.scale(tensor<8xf32>) -> (tensor<8xf32>) [coarse-fences] requires module 'other'
// CHECK: Exports:
// CHECK-NEXT:   f(tensor<8xf32>) -> (tensor<8xf32>) [coarse-fences]
// CHECK-NEXT:     iree.abi.declaration = async func @f(%input0: tensor<8xf32>) -> (%output0: tensor<8xf32>)
// CHECK: func @f(tensor<8xf32>) -> (tensor<8xf32>) [coarse-fences] registers(i=0, f=1, r=
// CHECK: call.import @other.scale, {{.*}}  // [[# @LINE + 9]]:8
// CHECK: dispatch.async {{.*}}  // [[# @LINE + 10]]:8
// CHECK: ret
// CHECK: kernel @dump_module_dispatch_0(in f32, out f32) push=1
// CHECK-NEXT: t.load.f32 t0, b0
// CHECK-NEXT: t.splat.f32 t1, p0

func.func private @other.scale(%x: tensor<8xf32>) -> tensor<8xf32>
func.func @f(%x: tensor<8xf32>) -> tensor<8xf32> {
  %s = call @other.scale(%x) : (tensor<8xf32>) -> tensor<8xf32>
  %one = arith.constant dense<1.0> : tensor<8xf32>
  %r = arith.addf %s, %one : tensor<8xf32>
  return %r : tensor<8xf32>
}
