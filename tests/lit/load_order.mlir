// Modules given out of order load in import order, with one line saying so;
// a missing provider and an import cycle are clear errors.
// RUN: iree-compile --iree-execution-model=host-only %p/module_a.mlir -o=%t.module_a.vmfb
// RUN: iree-compile --iree-execution-model=host-only %p/module_b.mlir -o=%t.module_b.vmfb
// RUN: iree-compile --iree-execution-model=host-only %p/pipeline_sync.mlir -o=%t.pipeline.vmfb
// RUN: iree-run-module --device=local-sync --module=%t.module_b.vmfb --module=%t.pipeline.vmfb \
// RUN:   --module=%t.module_a.vmfb --function=run --input=4096xf32=-2.0 --expected_output=4096xf32=4.0 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ORDER
// ORDER: iree-lite: loading modules in import order: module_b, module_a, pipeline_sync
// ORDER-NEXT: EXEC @run
// ORDER-NEXT: [SUCCESS] all function outputs matched their expected values.

// RUN: not iree-run-module --device=local-sync --module=%t.pipeline.vmfb --module=%t.module_a.vmfb \
// RUN:   --function=run --input=4096xf32=-2.0 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: NOT_FOUND; required module 'module_b' not available in the context; resolving dependencies for 'pipeline_sync'

// RUN: iree-compile %p/Inputs/cycle_a.mlir -o=%t.cycle_a.vmfb
// RUN: iree-compile %p/Inputs/cycle_b.mlir -o=%t.cycle_b.vmfb
// RUN: not iree-run-module --module=%t.cycle_a.vmfb --module=%t.cycle_b.vmfb --function=g --input=i32=1 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CYCLE
// CYCLE: FAILED_PRECONDITION; modules import each other in a cycle: cycle_a, cycle_b
