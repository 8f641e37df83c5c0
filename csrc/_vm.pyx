# cython: language_level=3
# The iree-lite VM extension: one compilation unit so the dispatch loop can
# inline the kernels, fences and worker pool it calls.
include "status.pxi"
include "trace.pxi"
include "sync.pxi"
include "interrupt.pxi"
include "pool.pxi"
include "isa_opcodes.pxi"
include "buffers.pxi"
include "kernels.pxi"
include "contract.pxi"
include "matmul.pxi"
include "matmul_mixed.pxi"
include "half.pxi"
include "conv.pxi"
include "softmax.pxi"
include "loop.pxi"
include "api.pxi"
