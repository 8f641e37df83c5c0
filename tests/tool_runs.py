"""Test support: running iree-lite's CLI and the real IREE tools (the
oracle) as subprocesses, and handing numpy arrays to the reference
interpreter."""
import os
import signal
import subprocess
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LITE = [sys.executable, "-m", "iree_lite"]


def sigint_at_default():
    """Popen's preexec_fn: SIGINT at its default in the child, as a terminal's
    foreground job has it. A shell's background job (`pytest &`) starts with
    SIGINT ignored, which children inherit, and the tools rightly keep an
    ignored SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run(cmd, timeout=300):
    """(exit status, stdout) of cmd, with this checkout's iree_lite first on the path."""
    proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=dict(os.environ, PYTHONPATH=REPO))
    return proc.returncode, proc.stdout.decode()


def beside(cmd, work):
    """(work's result, (exit status, stdout) of cmd as run() runs it), cmd
    running while work() does: a differential test runs iree-lite and the
    real IREE side by side (CI has 2 cores)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=REPO))
    try:
        result = work()
        out, _ = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return result, (proc.returncode, out.decode())


def lite_run(*args, timeout=300):
    """(exit status, stdout + stderr) of `iree-lite ARGS`, run in the checkout."""
    proc = subprocess.run([*LITE, *args], capture_output=True, timeout=timeout, cwd=REPO,
                          env=dict(os.environ, PYTHONPATH=REPO))
    return proc.returncode, (proc.stdout + proc.stderr).decode()


def iree_compile(reference_iree, src, vmfb, *flags):
    """src compiled to vmfb by the real iree-compile for llvm-cpu."""
    subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", *flags, str(src),
                    "-o", str(vmfb)], check=True, capture_output=True, timeout=300)


def iree_outputs_of(reference_iree, tmp_path, src, function, arrays):
    """The single result of `function` of MLIR `src` on `arrays`, as the real
    IREE (llvm-cpu) computes it, through .npy inputs and output."""
    (tmp_path / "iree.mlir").write_text(src)
    inputs = []
    for i, a in enumerate(arrays):
        np.save(tmp_path / f"in{i}.npy", a)
        inputs.append(f"--input=@{tmp_path / f'in{i}.npy'}")
    vmfb = tmp_path / "iree.vmfb"
    iree_compile(reference_iree, tmp_path / "iree.mlir", vmfb)
    subprocess.run([reference_iree["iree-run-module"], f"--module={vmfb}", f"--function={function}", *inputs,
                    f"--output=@{tmp_path / 'out.npy'}"], check=True, capture_output=True, timeout=300)
    return np.load(tmp_path / "out.npy")


def compile_both(reference_iree, src):
    """src compiled by the real iree-compile and by iree-lite (which must
    accept it), side by side: the two .vmfb paths, (theirs, ours), next to src."""
    theirs, ours = src.with_suffix(".iree.vmfb"), src.with_suffix(".lite.vmfb")
    _, (status, _) = beside([*LITE, "compile", str(src), "-o", str(ours)],
                            lambda: iree_compile(reference_iree, src, theirs))
    assert status == 0
    return theirs, ours


def run_both(reference_iree, modules, args):
    """(exit status, stdout) of iree-run-module and of iree-lite run-module
    on the (theirs, ours) modules from compile_both, with the same args, side by side."""
    theirs, ours = modules
    return beside([*LITE, "run-module", f"--module={ours}", *args],
                  lambda: run([reference_iree["iree-run-module"], f"--module={theirs}", *args]))


def as_buffer(array, element=None):
    """A numpy array as the reference interpreter's Buffer (a copy), its
    element type named from the dtype (int32 -> i32) unless given."""
    from iree_lite.vm import interp
    element = element or {"bool": "i1"}.get(array.dtype.name) or \
        array.dtype.name.replace("int", "i").replace("float", "f")
    return interp.Buffer(element, array.shape, bytearray(array.tobytes()))


_REFERENCE_RESULTS = {}


def reference_results(module, function, args):
    """The reference interpreter's results of `function` on `args` (Buffers
    and numbers) in a fresh context, each Buffer a copy. They are remembered
    for this pytest process: a program run on the same input under each
    instruction set, device or worker count is interpreted once (a fresh
    context's results depend on none of those)."""
    from iree_lite.isa.module import serialize
    from iree_lite.vm import interp
    key = (serialize(module), function,
           tuple((a.element, a.shape, bytes(a.data)) if isinstance(a, interp.Buffer) else (type(a), a) for a in args))

    def copies(results):
        return [interp.Buffer(r.element, r.shape, bytearray(r.data)) if isinstance(r, interp.Buffer) else r
                for r in results]
    if key not in _REFERENCE_RESULTS:
        ref = interp.Context()
        ref.load(module)
        _REFERENCE_RESULTS[key] = copies(ref.invoke(function, args))
    return copies(_REFERENCE_RESULTS[key])


def run_mlir_both(reference_iree, src, args):
    """(exit status, stdout) of the real IREE compiling and running src, and
    of iree-lite run-mlir src (side by side), with the same args."""
    vmfb = src.with_suffix(".iree.vmfb")

    def theirs():
        iree_compile(reference_iree, src, vmfb)
        return run([reference_iree["iree-run-module"], f"--module={vmfb}", *args])
    return beside([*LITE, "run-mlir", str(src), *args], theirs)


def host_ops(module):
    """(name, operand values) of each instruction of the module's functions."""
    from iree_lite.isa import decode
    out = []
    for f in module.functions:
        pc = 0
        while pc < len(f.code):
            op, values, _, pc = decode(f.code, pc)
            out.append((op.name, values))
    return out


def op_names(module):
    """The name of each instruction of the module's functions, in order."""
    return [name for name, _ in host_ops(module)]


def on_both_vms(module, arrays, device="local-sync", workers=None):
    """@f's results for `module` (a Module, or its bytes) on the native VM
    (device, workers) as numpy arrays, asserting the reference
    interpreter's are the same bytes."""
    from iree_lite.runtime.context import Context
    from iree_lite.vm import interp
    from iree_lite.vm.format import deserialize
    ctx, ref = Context(device, workers), interp.Context()
    if isinstance(module, bytes):
        ctx.load_bytes(module)
        ref.load(deserialize(module))
    else:
        ctx.load(module)
        ref.load(module)
    return same_on_both(ctx, ref, "f", arrays)


def row_op_result(source_of, op, x, device, workers):
    """(f(x), the decomposition's module) for source_of(shape, dim), a row op
    of f32 rows along `dim`: along x's innermost dimension it must compile
    to one `op` (buffer.softmax, buffer.layernorm) and no buffer.reduce, and
    give the same bytes on both VMs; along dimension 0 of x's rows moved
    there it keeps its decomposition (no `op`), which must give the same
    bytes."""
    import numpy as np
    from iree_lite.compiler import compile_module
    from iree_lite.runtime.context import Context
    module = compile_module(source_of(x.shape, x.ndim - 1), "rows.mlir")
    names = op_names(module)
    assert names.count(op) == 1 and "buffer.reduce" not in names
    (have,) = on_both_vms(module, [x], device, workers)
    moved = np.ascontiguousarray(np.moveaxis(x, -1, 0))   # the rows as columns
    decomposed = compile_module(source_of(moved.shape, 0), "columns.mlir")
    assert op not in op_names(decomposed)
    ctx = Context(device, workers)
    ctx.load(decomposed)
    (columns,) = ctx.invoke("f", [moved])
    assert np.moveaxis(np.asarray(columns), 0, -1).tobytes() == have.tobytes()
    return have, decomposed


def same_on_both(native, ref, function, arrays):
    """function's results on the native VM (as numpy arrays), asserting the
    reference interpreter's are the same bytes."""
    import numpy as np
    have = [np.asarray(r) for r in native.invoke(function, arrays)]
    want = ref.invoke(function, [as_buffer(a) for a in arrays])
    assert [bytes(w.data) for w in want] == [h.tobytes() for h in have]
    return have


def same_on_both_devices(module, function, arrays):
    """function's results on the native VM, local-sync (as numpy arrays),
    asserting that local-task with 2 workers and the reference interpreter
    give the same bytes."""
    from iree_lite.runtime.context import Context
    from iree_lite.vm import interp
    ref = interp.Context()
    ref.load(module)
    results = []
    for device, workers in (("local-sync", None), ("local-task", 2)):
        ctx = Context(device, workers)
        ctx.load(module)
        results.append(same_on_both(ctx, ref, function, arrays))
    return results[0]


def hand_module(instructions, signature, regs, constants=()):
    """The bytes of module 'm' exporting one function @f of `signature`
    ((input types, result types)) and `regs` ((int, float, ref) register
    counts), whose code is `instructions` ((name, operands) each, encoded in
    turn) over `constants`: an instruction the compiler would not emit."""
    from array import array
    from iree_lite import isa
    from iree_lite.isa.module import Export, Function, Module, Signature, serialize
    code = array("I", [w for name, operands in instructions for w in isa.encode(name, operands)])
    m = Module("m", "test", isa=isa.fingerprint(), constants=list(constants),
               functions=[Function("f", Signature(*signature), regs, code)])
    m.exports = [Export("f", 0)]
    return serialize(m)


def error_on_both(blob, arrays):
    """(code name, message) of the VMError @f of module bytes `blob` raises
    on `arrays`, asserting that the reference interpreter raises the same."""
    import pytest
    from iree_lite.runtime.context import Context
    from iree_lite.vm import interp
    from iree_lite.vm.errors import VMError
    from iree_lite.vm.format import deserialize
    ref = interp.Context()
    ref.load(deserialize(blob))
    with pytest.raises(VMError) as want:
        ref.invoke("f", [as_buffer(a) for a in arrays])
    ctx = Context("local-sync")
    ctx.load_bytes(blob)
    with pytest.raises(VMError) as have:
        ctx.invoke("f", list(arrays))
    assert (have.value.code_name, have.value.message) == (want.value.code_name, want.value.message)
    return want.value.code_name, want.value.message


def compile_error(source, filename="t.mlir"):
    """The first line of the located error compiling source raises."""
    import pytest
    from iree_lite.compiler import compile_module
    from iree_lite.ir.core import Diagnostic
    with pytest.raises(Diagnostic) as info:
        compile_module(source, filename)
    return str(info.value).splitlines()[0]
