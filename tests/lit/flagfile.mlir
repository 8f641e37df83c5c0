// --flagfile=FILE on compile and run-module: one flag per line (a line is
// one argument, spaces included), `#` comments and blank lines skipped;
// flags from the file and the command line combine, and a flagfile may name
// another.
// RUN: echo '# compile flags' > %t.compile.flags
// RUN: echo '--iree-execution-model=async-external' >> %t.compile.flags
// RUN: echo '' >> %t.compile.flags
// RUN: echo '-o=%t.vmfb' >> %t.compile.flags
// RUN: iree-compile --flagfile=%t.compile.flags %s
// RUN: iree-dump-module %t.vmfb | FileCheck %s --check-prefix=DUMP
// DUMP: Exports:
// DUMP-NEXT: scale(tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>) [coarse-fences]

// RUN: echo '--module=%t.vmfb' > %t.run.flags
// RUN: echo '--function=scale' >> %t.run.flags
// RUN: echo '--input=4xf32=-1 2 -3 4' >> %t.run.flags
// RUN: echo '  --input=4xf32=2  ' >> %t.run.flags
// RUN: iree-run-module --flagfile=%t.run.flags --expected_output="4xf32=2 4 6 8" | FileCheck %s
// CHECK: EXEC @scale
// CHECK-NEXT: [SUCCESS] all function outputs matched their expected values.

// RUN: echo '--flagfile=%t.run.flags' > %t.outer.flags
// RUN: iree-run-module --flagfile %t.outer.flags | FileCheck %s --check-prefix=NESTED
// NESTED: EXEC @scale
// NESTED-NEXT: result[0]: hal.buffer_view
// NESTED-NEXT: 4xf32=2 4 6 8

// RUN: not iree-run-module --flagfile=%t.missing.flags 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: iree-lite: error: cannot read flagfile '{{.*}}.missing.flags': No such file or directory

module @flags {
  func.func @scale(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
    %a = math.absf %x : tensor<4xf32>
    %r = arith.mulf %a, %y : tensor<4xf32>
    return %r : tensor<4xf32>
  }
}
