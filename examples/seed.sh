#!/bin/sh
# The founding test: compile module_a, module_b and the seed pipeline with
# async-external fences, then run the pipeline across all three modules.
set -e
here=$(dirname "$0")/../tests/lit
out=${TMPDIR:-/tmp}/iree-lite-seed
mkdir -p "$out"
iree-lite compile --iree-execution-model=async-external --iree-hal-target-backends=vmvx "$here/module_a.mlir" -o="$out/module_a.vmfb"
iree-lite compile --iree-execution-model=async-external --iree-hal-target-backends=vmvx "$here/module_b.mlir" -o="$out/module_b.vmfb"
iree-lite compile --iree-execution-model=async-external --iree-hal-target-backends=vmvx "$here/pipeline_async.mlir" |
  iree-lite run-module --device=local-task --module="$out/module_a.vmfb" --module="$out/module_b.vmfb" \
    --module=- --function=run --input=4096xf32=-2.0 --expected_output=4096xf32=4.0
