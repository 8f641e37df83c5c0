"""Run by tests/test_alloc_failures.py under LD_PRELOAD=fail_alloc.so: each
workload is called again and again, failing the VM's 1st, 2nd, ...
allocation of the call, until a call makes fewer allocations than that.
Each call must give the right result or raise a clean error that names
memory, and the next call without a failure must work. A crash or a hang
ends the process (the test sees it). Prints a line per workload: its name,
the allocations failed, and how many of those calls still succeeded."""
import ctypes
import os
import sys
import threading

import numpy as np

from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm.errors import VMError

LIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lit")
SHIM = ctypes.CDLL(None)   # the preloaded library's symbols
SHIM.lite_fail_alloc_at.argtypes = [ctypes.c_long]

SEED = [compile_module(open(os.path.join(LIT, f"{name}.mlir")).read(), f"{name}.mlir", "async-external")
        for name in ("module_a", "module_b", "pipeline_async")]
WORK = compile_module("""
func.func @mm(%a: tensor<70x300xf32>, %b: tensor<300x90xf32>) -> tensor<70x90xf32> {
  %z = arith.constant dense<0.0> : tensor<70x90xf32>
  %c = linalg.matmul ins(%a, %b : tensor<70x300xf32>, tensor<300x90xf32>) outs(%z : tensor<70x90xf32>) -> tensor<70x90xf32>
  %e = tensor.empty() : tensor<70x90xf32>
  %s = linalg.softmax dimension(1) ins(%c : tensor<70x90xf32>) outs(%e : tensor<70x90xf32>) -> tensor<70x90xf32>
  return %s : tensor<70x90xf32>
}
func.func @conv(%x: tensor<1x8x20x20xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<1x16x18x18xf32> {
  %z = arith.constant dense<0.0> : tensor<1x16x18x18xf32>
  %r = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x8x20x20xf32>, tensor<16x8x3x3xf32>)
    outs(%z : tensor<1x16x18x18xf32>) -> tensor<1x16x18x18xf32>
  %m = arith.maximumf %r, %z : tensor<1x16x18x18xf32>
  return %m : tensor<1x16x18x18xf32>
}
func.func @chunks(%x: tensor<1x256x7x7xf32>, %w: tensor<136x256x1x1xf32>) -> tensor<1x136x4x4xf32> {
  %z = arith.constant dense<0.0> : tensor<1x136x4x4xf32>
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%x, %w : tensor<1x256x7x7xf32>, tensor<136x256x1x1xf32>)
    outs(%z : tensor<1x136x4x4xf32>) -> tensor<1x136x4x4xf32>
  return %r : tensor<1x136x4x4xf32>
}
func.func @pool(%x: tensor<1x8x20x20xf32>) -> tensor<1x8x18x18xf32> {
  %z = arith.constant dense<0xFF800000> : tensor<1x8x18x18xf32>
  %k = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nchw_max ins(%x, %k : tensor<1x8x20x20xf32>, tensor<3x3xf32>)
    outs(%z : tensor<1x8x18x18xf32>) -> tensor<1x8x18x18xf32>
  return %r : tensor<1x8x18x18xf32>
}
func.func @sum(%x: tensor<300x2000xf32>) -> tensor<2000xf32> {
  %z = arith.constant dense<0.0> : tensor<2000xf32>
  %r = linalg.reduce ins(%x : tensor<300x2000xf32>) outs(%z : tensor<2000xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %acc, %in : f32
      linalg.yield %s : f32
    }
  %e = math.erf %r : tensor<2000xf32>
  return %e : tensor<2000xf32>
}
func.func @mixed(%a: tensor<70x300xi8>, %b: tensor<300x90xi8>, %c: tensor<70x300xf16>, %d: tensor<300x90xf16>)
    -> (tensor<70x90xi32>, tensor<70x90xf32>) {
  %zi = arith.constant dense<0> : tensor<70x90xi32>
  %i = linalg.matmul ins(%a, %b : tensor<70x300xi8>, tensor<300x90xi8>) outs(%zi : tensor<70x90xi32>) -> tensor<70x90xi32>
  %zf = arith.constant dense<0.0> : tensor<70x90xf32>
  %f = linalg.matmul ins(%c, %d : tensor<70x300xf16>, tensor<300x90xf16>) outs(%zf : tensor<70x90xf32>) -> tensor<70x90xf32>
  return %i, %f : tensor<70x90xi32>, tensor<70x90xf32>
}
""", "work.mlir")

rng = np.random.default_rng(0)
A, B = rng.standard_normal((70, 300)).astype(np.float32), rng.standard_normal((300, 90)).astype(np.float32)
X, W = rng.standard_normal((1, 8, 20, 20)).astype(np.float32), rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
XC, WC = rng.standard_normal((1, 256, 7, 7)).astype(np.float32), rng.standard_normal((136, 256, 1, 1)).astype(np.float32)
SEED_IN = np.full(4096, -2.0, np.float32)
R = rng.standard_normal((300, 2000)).astype(np.float32)
I8 = [rng.integers(-128, 128, s, dtype=np.int8) for s in ((70, 300), (300, 90))]
F16 = [rng.standard_normal(s).astype(np.float16) for s in ((70, 300), (300, 90))]


def seed_call(device, workers, trace=False):
    def call():
        ctx = Context(device, workers)
        if trace:
            ctx.enable_trace()
        for module in SEED:
            ctx.load(module)
        (result,) = ctx.invoke("run", [SEED_IN])
        if trace:
            ctx.trace()
        return np.asarray(result)
    return call, lambda r: np.array_equal(r, np.full(4096, 4.0, np.float32))


def work_call(device, workers, function, args, new_thread=False):
    def in_context():   # a fresh context: its workers allocate their scratch anew
        ctx = Context(device, workers)
        ctx.load(WORK)
        return [np.asarray(r) for r in ctx.invoke(function, args)]

    def on_a_new_thread():   # the calling thread's storage too (a convolution's shared packing)
        out = {}

        def target():
            try:
                out["result"] = in_context()
            except (VMError, MemoryError) as e:
                out["error"] = e
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if "error" in out:
            raise out["error"]
        return out["result"]
    call = on_a_new_thread if new_thread else in_context
    want = call()
    return call, lambda have: all(np.array_equal(h, w) for h, w in zip(have, want, strict=True))


def sweep(name, call, right):
    succeeded = 0
    k = 0
    while True:
        k += 1
        SHIM.lite_fail_alloc_at(k)
        try:
            result = call()
        except (VMError, MemoryError) as e:
            if not isinstance(e, MemoryError) and "memory" not in str(e):
                raise SystemExit(f"{name}, allocation {k} failed: an error that does not name memory: {e}")
        else:
            if not right(result):
                raise SystemExit(f"{name}, allocation {k} failed: a wrong result")
            succeeded += 1
        fired = SHIM.lite_fail_alloc_fired()
        SHIM.lite_fail_alloc_at(0)
        if not fired:   # the call made fewer than k allocations
            print(name, k - 1, succeeded - 1, flush=True)
            return
        if not right(call()):
            raise SystemExit(f"{name}: a wrong result after allocation {k} failed")


for device, workers in (("local-task", 2), ("local-sync", None)):
    sweep(f"seed-{device}", *seed_call(device, workers))
    sweep(f"traced-seed-{device}", *seed_call(device, workers, trace=True))
    sweep(f"matmul-softmax-{device}", *work_call(device, workers, "mm", [A, B]))
    sweep(f"conv-{device}", *work_call(device, workers, "conv", [X, W]))
    sweep(f"conv-chunks-{device}", *work_call(device, workers, "chunks", [XC, WC], new_thread=True))
    sweep(f"pool-{device}", *work_call(device, workers, "pool", [X]))
    sweep(f"reduce-erf-{device}", *work_call(device, workers, "sum", [R]))
    sweep(f"i8-f16-matmul-{device}", *work_call(device, workers, "mixed", [*I8, *F16]))
sys.stdout.flush()
os._exit(0)
