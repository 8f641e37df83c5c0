"""--iree-flow-trace-dispatch-tensors: each element-wise dispatch's input and
output tensors printed on stderr when it runs, as IREE's tools print them
(`=== f_dispatch_0::f_dispatch_0_elementwise_15_f32 inputs ===`, each
tensor collapsed to one dimension on its own line, then a blank line)."""
import subprocess

import numpy as np
import pytest

from iree_lite.compiler import compile_module
from tool_runs import LITE, REPO, as_buffer, iree_compile

TWO_DISPATCHES = """
func.func @two_dispatch() -> (tensor<15xf32>) {
  %0 = util.unfoldable_constant dense<1.0> : tensor<15xf32>
  %1 = arith.addf %0, %0 : tensor<15xf32>
  %barrier = util.optimization_barrier %1 : tensor<15xf32>
  %cst = arith.constant dense<1.0> : tensor<15xf32>
  %2 = arith.addf %barrier, %cst : tensor<15xf32>
  return %2 : tensor<15xf32>
}
"""

SHAPES = """
func.func @two_d(%a: tensor<2x3xi32>, %b: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %0 = arith.muli %a, %b : tensor<2x3xi32>
  %1 = arith.addi %0, %a : tensor<2x3xi32>
  return %1 : tensor<2x3xi32>
}
func.func @dyn(%a: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = arith.addf %a, %a : tensor<?x4xf32>
  %1 = math.exp %0 : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
"""

TWO_DISPATCHES_TRACE = (
    "=== two_dispatch_dispatch_0::two_dispatch_dispatch_0_elementwise_15_f32 inputs ===\n"
    "15xf32=1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n\n"
    "=== two_dispatch_dispatch_0::two_dispatch_dispatch_0_elementwise_15_f32 outputs ===\n"
    "15xf32=2 2 2 2 2 2 2 2 2 2 2 2 2 2 2\n\n"
    "=== two_dispatch_dispatch_1::two_dispatch_dispatch_1_elementwise_15_f32 inputs ===\n"
    "15xf32=2 2 2 2 2 2 2 2 2 2 2 2 2 2 2\n\n"
    "=== two_dispatch_dispatch_1::two_dispatch_dispatch_1_elementwise_15_f32 outputs ===\n"
    "15xf32=3 3 3 3 3 3 3 3 3 3 3 3 3 3 3\n\n")


def run(*args):
    proc = subprocess.run([*LITE, *args], capture_output=True, text=True, cwd=REPO, timeout=300,
                          env={"PYTHONPATH": REPO, "PATH": "/usr/bin:/bin"})
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("model", ["async-internal", "async-external", "host-only"])
def test_run_mlir_prints_each_dispatch_exactly(tmp_path, model):
    src = tmp_path / "t.mlir"
    src.write_text(TWO_DISPATCHES)
    status, out, err = run("run-mlir", "--Xcompiler,iree-flow-trace-dispatch-tensors",
                           f"--iree-execution-model={model}", str(src))
    assert (status, out, err) == (0, "EXEC @two_dispatch\nresult[0]: hal.buffer_view\n"
                                     "15xf32=3 3 3 3 3 3 3 3 3 3 3 3 3 3 3\n", TWO_DISPATCHES_TRACE)


def test_without_the_flag_nothing_is_traced(tmp_path):
    src = tmp_path / "t.mlir"
    src.write_text(TWO_DISPATCHES)
    assert run("run-mlir", str(src))[2] == ""


def test_compiled_module_traces_under_run_module_and_trace_execution(tmp_path):
    src, vmfb = tmp_path / "t.mlir", tmp_path / "t.vmfb"
    src.write_text(TWO_DISPATCHES)
    assert run("compile", "--iree-flow-trace-dispatch-tensors", str(src), "-o", str(vmfb))[0] == 0
    assert run("run-module", f"--module={vmfb}")[2] == TWO_DISPATCHES_TRACE
    # The reference interpreter prints the same tensors among its instruction trace.
    err = run("run-module", f"--module={vmfb}", "--trace_execution")[2]
    assert [line for line in err.splitlines() if line.startswith(("===", "15xf32"))] == \
        [line for line in TWO_DISPATCHES_TRACE.splitlines() if line]


@pytest.mark.parametrize("function, inputs", [
    ("two_dispatch", []),
    ("two_d", ["--input=2x3xi32=[1 2 3][4 5 6]", "--input=2x3xi32=2"]),
    ("dyn", ["--input=2x4xf32=0.5"]),
])
def test_trace_matches_iree(reference_iree, tmp_path, function, inputs):
    src = tmp_path / "t.mlir"
    src.write_text(TWO_DISPATCHES + SHAPES)
    theirs, ours = tmp_path / "t.iree.vmfb", tmp_path / "t.lite.vmfb"
    iree_compile(reference_iree, src, theirs, "--iree-flow-trace-dispatch-tensors")
    assert run("compile", "--iree-flow-trace-dispatch-tensors", str(src), "-o", str(ours))[0] == 0
    want = subprocess.run([reference_iree["iree-run-module"], f"--module={theirs}", f"--function={function}",
                           *inputs], capture_output=True, text=True, timeout=300)
    have = run("run-module", f"--module={ours}", f"--function={function}", *inputs)
    assert want.returncode == 0
    assert have == (0, want.stdout, want.stderr)


def test_both_vms_hand_the_sink_the_same_tensors(both_vms):
    from iree_lite.runtime.context import Context
    from iree_lite.vm import interp
    module = compile_module(SHAPES, "t.mlir", "host-only", trace_dispatch_tensors=True)
    native, ref = Context("local-sync"), interp.Context()
    native.load(module)
    ref.load(module)
    seen = {"native": [], "ref": []}
    native.native.set_debug_sink(lambda key, views: seen["native"].append(
        (key, [(v.shape, v.element, v.tobytes()) for v in views])))
    ref.debug_sink = lambda key, bufs: seen["ref"].append((key, [(b.shape, b.element, bytes(b.data)) for b in bufs]))
    a = np.arange(8, dtype=np.float32).reshape(2, 4)
    native.invoke("dyn", [a])
    ref.invoke("dyn", [as_buffer(a)])
    assert seen["native"] == seen["ref"]
    assert [key for key, _ in seen["ref"]] == ["dyn_dispatch_0::dyn_dispatch_0_elementwise_D_f32 inputs",
                                               "dyn_dispatch_0::dyn_dispatch_0_elementwise_D_f32 outputs"]
    assert seen["ref"][0][1] == [((8,), "f32", a.tobytes())]


def test_a_failing_sink_fails_the_call():
    from iree_lite.runtime.context import Context
    from iree_lite.vm.errors import VMError
    ctx = Context("local-sync")
    ctx.load(compile_module(TWO_DISPATCHES, "t.mlir", trace_dispatch_tensors=True))

    def sink(key, views):
        raise OSError("disk full")
    ctx.native.set_debug_sink(sink)
    with pytest.raises(VMError) as e:
        ctx.invoke("two_dispatch", [])
    assert str(e.value).startswith("INTERNAL; debug sink failed: OSError: disk full")
