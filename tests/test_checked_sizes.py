"""Checked sizes: hostile sizes (from inputs, registers, static types, module
constants and the Python API) end in a clear error naming the op and the
shape, the same on both VMs, before anything is allocated or touched."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from iree_lite import _vm
from iree_lite import isa
from iree_lite.isa.module import CONST_LAYOUT
from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.ir.elements import MAX_BUFFER_BYTES, unpack
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError
from iree_lite.vm.verifier import VerifyError, verify_module
from tool_runs import as_buffer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIG = 1 << 62
LIMIT = f"the {MAX_BUFFER_BYTES} bytes a buffer may hold"

SPLAT = """func.func @f(%d: index) -> tensor<?xf32> {
  %c = arith.constant 1.0 : f32
  %s = tensor.splat %c[%d] : tensor<?xf32>
  return %s : tensor<?xf32>
}
"""
EMPTY_INSERT = """func.func @f(%d: index, %i: index) -> f32 {
  %e = tensor.empty(%d) : tensor<?xf32>
  %c = arith.constant 1.0 : f32
  %t = tensor.insert %c into %e[%i] : tensor<?xf32>
  %x = tensor.extract %t[%i] : tensor<?xf32>
  return %x : f32
}
"""
EXTRACT_SLICE = """func.func @f(%a: tensor<8xf32>, %o: index, %s: index) -> tensor<2xf32> {
  %r = tensor.extract_slice %a[%o] [2] [%s] : tensor<8xf32> to tensor<2xf32>
  return %r : tensor<2xf32>
}
"""
INSERT_SLICE = """func.func @f(%a: tensor<8xf32>, %b: tensor<2xf32>, %o: index, %s: index) -> tensor<8xf32> {
  %r = tensor.insert_slice %b into %a[%o] [2] [%s] : tensor<2xf32> into tensor<8xf32>
  return %r : tensor<8xf32>
}
"""
RESHAPE = """func.func @f(%a: tensor<4xf32>, %shape: tensor<2xi64>) -> tensor<?x?xf32> {
  %r = tensor.reshape %a(%shape) : (tensor<4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
"""
PAD = """func.func @f(%a: tensor<4xf32>, %l: index, %h: index) -> tensor<?xf32> {
  %c = arith.constant 0.0 : f32
  %p = tensor.pad %a low[%l] high[%h] {
  ^bb0(%i: index):
    tensor.yield %c : f32
  } : tensor<4xf32> to tensor<?xf32>
  return %p : tensor<?xf32>
}
"""
# A stride of 2**63 - 1 from offset 1: offset + (size - 1) * stride wraps
# negative in int64, which once passed the bounds check.
WRAPPING_STRIDE = 2**63 - 1
SLICE_ERROR = f"slice 1 + 2 x {WRAPPING_STRIDE} is outside dimension 0 of size 8 of a tensor of shape '8'"

# (source, CLI inputs, Python arguments, status, message)
CASES = {
    "splat": (SPLAT, [str(BIG)], [BIG], "RESOURCE_EXHAUSTED",
              f"buffer.alloc.dyn: tensor<{BIG}xf32> is larger than {LIMIT}"),
    "splat-negative": (SPLAT, ["-5"], [-5], "INVALID_ARGUMENT",
                       "buffer.alloc.dyn: size -5 of dimension 0 of tensor<-5xf32> is negative"),
    "empty-insert": (EMPTY_INSERT, [str(BIG), "1000000"], [BIG, 1000000], "RESOURCE_EXHAUSTED",
                     f"buffer.alloc.dyn: tensor<{BIG}xf32> is larger than {LIMIT}"),
    "extract-slice": (EXTRACT_SLICE, ["8xf32=1", "1", str(WRAPPING_STRIDE)],
                      [np.ones(8, np.float32), 1, WRAPPING_STRIDE], "OUT_OF_RANGE", SLICE_ERROR),
    "insert-slice": (INSERT_SLICE, ["8xf32=1", "2xf32=5", "1", str(WRAPPING_STRIDE)],
                     [np.ones(8, np.float32), np.full(2, 5, np.float32), 1, WRAPPING_STRIDE],
                     "OUT_OF_RANGE", SLICE_ERROR),
    # 4 + 2 * (2**63 - 1) wraps to a size of 2, which the padded input is then inserted past.
    "pad": (PAD, ["4xf32=1", str(WRAPPING_STRIDE), str(WRAPPING_STRIDE)],
            [np.ones(4, np.float32), WRAPPING_STRIDE, WRAPPING_STRIDE], "OUT_OF_RANGE",
            f"slice {WRAPPING_STRIDE} + 4 x 1 is outside dimension 0 of size 2 of a tensor of shape '2'"),
    # (2**62 + 1) * 4 elements wrap to 4: the view once matched the 16 bytes.
    "reshape": (RESHAPE, ["4xf32=1", f"2xi64={BIG + 1} 4"], [np.ones(4, np.float32), np.array([BIG + 1, 4])],
                "RESOURCE_EXHAUSTED", f"buffer.view: tensor<{BIG + 1}x4xf32> is larger than {LIMIT}"),
}


def _reference_args(args):
    return [as_buffer(a) if isinstance(a, np.ndarray) else a for a in args]


def run_cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "iree_lite", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": ROOT})


@pytest.mark.parametrize("case", CASES)
def test_hostile_inputs_fail_the_call_on_the_command_line(case, tmp_path):
    source, inputs, _, status, message = CASES[case]
    path = tmp_path / "h.mlir"
    path.write_text(source)
    r = run_cli("run-mlir", str(path), "--function=f", *(f"--input={x}" for x in inputs))
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith(f"{status}; {message}; invoking function 'f'"), r.stderr


@pytest.mark.parametrize("case", CASES)
def test_hostile_inputs_fail_alike_on_both_vms(case, both_vms):
    source, _, args, status, message = CASES[case]
    ctx, ref = both_vms(source)
    for run in (lambda: ctx.invoke("f", args), lambda: ref.invoke("f", _reference_args(args))):
        with pytest.raises(VMError) as e:
            run()
        assert (e.value.code_name, e.value.message) == (status, message)


@pytest.mark.parametrize("size,status,message", [
    (MAX_BUFFER_BYTES // 4, "INVALID_ARGUMENT", "reshape of '4' to '274877906944x1' changes the number of elements"),
    (MAX_BUFFER_BYTES // 4 + 1, "RESOURCE_EXHAUSTED",
     f"buffer.view: tensor<{MAX_BUFFER_BYTES // 4 + 1}x1xf32> is larger than {LIMIT}"),
])
def test_the_byte_limit_at_and_one_past_it(size, status, message, both_vms):
    """A shape of exactly MAX_BUFFER_BYTES bytes passes the size check (and
    then fails the reshape's own); one element more is RESOURCE_EXHAUSTED."""
    ctx, ref = both_vms(RESHAPE)
    a, shape = np.ones(4, np.float32), np.array([size, 1])
    for run in (lambda: ctx.invoke("f", [a, shape]), lambda: ref.invoke("f", _reference_args([a, shape]))):
        with pytest.raises(VMError) as e:
            run()
        assert (e.value.code_name, e.value.message) == (status, message)


def test_a_static_type_over_the_limit_is_a_located_error(tmp_path):
    src = ("func.func @f() -> tensor<4611686018427387904xf32> {\n  %c = arith.constant 1.0 : f32\n"
           "  %e = tensor.empty() : tensor<4611686018427387904xf32>\n"
           "  %z = linalg.fill ins(%c : f32) outs(%e : tensor<4611686018427387904xf32>) "
           "-> tensor<4611686018427387904xf32>\n  return %z : tensor<4611686018427387904xf32>\n}\n")
    path = tmp_path / "s.mlir"
    path.write_text(src)
    r = run_cli("run-mlir", str(path), "--function=f")
    assert r.returncode == 1
    assert r.stderr.splitlines()[0] == (f"{path}:1:19: error: tensor<4611686018427387904xf32> is larger than "
                                        f"{LIMIT}")


@pytest.mark.parametrize("dims,col,message", [
    (str(MAX_BUFFER_BYTES), None, None),
    (f"?x{MAX_BUFFER_BYTES // 2}", None, None),
    (str(MAX_BUFFER_BYTES + 1), 18, f"tensor<{MAX_BUFFER_BYTES + 1}xi8> is larger than {LIMIT}"),
    (f"0x{MAX_BUFFER_BYTES + 1}", 18, f"tensor<0x{MAX_BUFFER_BYTES + 1}xi8> is larger than {LIMIT}"),
    (f"?x{MAX_BUFFER_BYTES}x2", 18, f"tensor<?x{MAX_BUFFER_BYTES}x2xi8> is larger than {LIMIT}"),
    ("99999999999999999999", 25, "invalid dimension"),   # past int64: MLIR's words, at the literal
    ("1e23", 25, "expected element type in tensor type"),
])
def test_static_dimensions_are_checked_against_the_limit(dims, col, message):
    src = f"func.func @f(%a: tensor<{dims}xi8>) {{\n  return\n}}\n"
    if message is None:
        compile_module(src, "t.mlir")
        return
    with pytest.raises(Diagnostic) as e:
        compile_module(src, "t.mlir")
    assert e.value.render().splitlines()[0] == f"t.mlir:1:{col}: error: {message}"


def _with_layout(module, shape):
    """The module with its first layout constant given `shape`."""
    constants = list(module.constants)
    i = next(k for k, c in enumerate(constants) if c.kind == CONST_LAYOUT)
    constants[i] = constants[i].replace(shape=tuple(shape))
    return module.replace(constants=constants), i


@pytest.mark.parametrize("shape,ok", [((-1, MAX_BUFFER_BYTES // 4), True), ((-1, MAX_BUFFER_BYTES // 4 + 1), False),
                                      ((-1, 0, MAX_BUFFER_BYTES // 4), True), ((-1, 2**62, 4), False)])
def test_the_verifier_refuses_a_layout_over_the_limit(shape, ok):
    """The layout of SPLAT's buffer.alloc.dyn (one dynamic dimension)."""
    module, i = _with_layout(compile_module(SPLAT, "t.mlir"), shape)
    if ok:
        verify_module(module)
        return
    shown = "x".join("?" if d == -1 else str(d) for d in shape)
    with pytest.raises(VerifyError) as e:
        verify_module(module)
    assert str(e.value) == f"constant {i}: tensor<{shown}xf32> is larger than {LIMIT}"


F32 = isa.ELEMENT_CODES["f32"]


@pytest.mark.parametrize("shape,data,message", [
    ((BIG, 4), b"", f"tensor<{BIG}x4xf32> is larger than {LIMIT}"),
    ((0, BIG), b"", f"tensor<0x{BIG}xf32> is larger than {LIMIT}"),
    ((2**70,), b"", f"tensor<{2**70}xf32> is larger than {LIMIT}"),
    ((3, -2), b"", "size -2 of dimension 1 of tensor<3x-2xf32> is negative"),
    ((MAX_BUFFER_BYTES // 4,), b"", f"data is 0 bytes, tensor<{MAX_BUFFER_BYTES // 4}xf32> needs {MAX_BUFFER_BYTES}"),
    ((MAX_BUFFER_BYTES // 4 + 1,), b"", f"tensor<{MAX_BUFFER_BYTES // 4 + 1}xf32> is larger than {LIMIT}"),
    ((2,), b"1234", "data is 4 bytes, tensor<2xf32> needs 8"),
    ((1,) * 9, b"1234", "rank 9 is more than 8"),
    ((2.5,), b"1234", "shape (2.5,) is not a sequence of integers"),
])
def test_buffer_view_from_bytes_checks_the_shape_before_reading(shape, data, message):
    with pytest.raises(ValueError) as e:
        _vm.BufferView.from_bytes(F32, shape, data)
    assert str(e.value) == f"BufferView.from_bytes: {message}"


def test_buffer_view_from_bytes_accepts_what_fits():
    v = _vm.BufferView.from_bytes(F32, (0, MAX_BUFFER_BYTES // 4), b"")
    assert v.shape == (0, MAX_BUFFER_BYTES // 4) and v.nbytes == 0
    v = _vm.BufferView.from_bytes(F32, (2,), np.array([1, 2], np.float32).tobytes())
    np.testing.assert_array_equal(np.asarray(v), [1, 2])


@pytest.mark.parametrize("array,code,message", [
    (np.empty((0, 1 << 39), np.float32), F32, f"tensor<0x{1 << 39}xf32> is larger than {LIMIT}"),
    (np.zeros(3, np.float64), F32, "items of 8 bytes are not f32 elements"),
    (np.zeros((1,) * 9, np.float32), F32, "rank 9 is more than 8"),
    (np.zeros(2, np.float32), 10, "unknown element type code 10"),
])
def test_buffer_view_from_array_checks_the_shape_before_reading(array, code, message):
    with pytest.raises(ValueError) as e:
        _vm.BufferView.from_array(code, array)
    assert str(e.value) == f"BufferView.from_array: {message}"


def test_buffer_view_from_array_copies_what_from_bytes_would():
    import ml_dtypes
    for array, element in ((np.arange(6, dtype=np.float32).reshape(2, 3), "f32"), (np.array(2.5), "f64"),
                           (np.array([True, False]), "i1"), (np.zeros((0, 4), np.int8), "i8"),
                           (np.arange(1, 5).astype(ml_dtypes.bfloat16), "bf16")):
        code = isa.ELEMENT_CODES[element]
        want = _vm.BufferView.from_bytes(code, array.shape, array.tobytes())
        view = _vm.BufferView.from_array(code, array)
        array[...] = 0   # a copy: what the caller does to its array afterwards changes nothing
        assert (view.shape, view.element, view.tobytes()) == (want.shape, want.element, want.tobytes())
    with pytest.raises(ValueError, match="not C-contiguous"):   # numpy's words
        _vm.BufferView.from_array(F32, np.zeros((2, 2), np.float32).T)


def test_reference_buffers_check_alike():
    with pytest.raises(ValueError, match=rf"^Buffer: tensor<{BIG}x4xf32> is larger than {LIMIT}$"):
        interp.Buffer("f32", (BIG, 4))
    with pytest.raises(ValueError, match=r"^Buffer: size -1 of dimension 0 of tensor<\?xf32> is negative$"):
        interp.Buffer("f32", (-1,))


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
@pytest.mark.parametrize("case", ["empty-insert", "reshape"])
def test_hostile_inputs_touch_nothing_outside_buffers(case, tmp_path):
    """Under valgrind: these once wrote through a wrapped allocation size
    (store_float), or printed bytes past a view's storage."""
    source, inputs, _, status, message = CASES[case]
    path = tmp_path / "h.mlir"
    path.write_text(source)
    # Only invalid accesses matter here (Python itself uses uninitialised values under valgrind),
    # so valgrind does not track definedness.
    r = subprocess.run(["valgrind", "-q", "--undef-value-errors=no", sys.executable, "-m", "iree_lite", "run-mlir",
                        str(path), "--function=f", *(f"--input={x}" for x in inputs)], cwd=ROOT, capture_output=True,
                       text=True, timeout=600, env={**os.environ, "PYTHONPATH": ROOT, "PYTHONMALLOC": "malloc"})
    assert r.returncode == 1, r.stderr[-3000:]
    assert "Invalid read" not in r.stderr and "Invalid write" not in r.stderr, r.stderr[-3000:]
    assert f"{status}; {message}; invoking function 'f'" in r.stderr


CONCAT = """func.func @f(%a: tensor<3xf32>, %b: tensor<2xf32>) -> tensor<5xf32> {
  %r = tensor.concat dim(0) %a, %b : (tensor<3xf32>, tensor<2xf32>) -> tensor<5xf32>
  return %r : tensor<5xf32>
}
"""


@pytest.mark.parametrize("spec", [(3, 1), (4, 2), (3, 2**62), (3, 2**63 - 1), (2**63 - 1, 1)])
def test_scatters_stay_inside_their_buffer(spec):
    """A module whose second buffer.scatter (the concat's [base, stride],
    (3, 1) as compiled) is changed: an offset past the end or overflowing
    fails the call on both VMs (the verifier refuses negative ones)."""
    from iree_lite.runtime.context import Context
    module = compile_module(CONCAT, "t.mlir")
    constants = list(module.constants)
    i = [k for k, c in enumerate(constants) if c.kind != CONST_LAYOUT and len(c.data) == 16][-1]
    constants[i] = constants[i].replace(data=np.array(spec, np.int64).tobytes())
    module = module.replace(constants=constants)
    ctx = Context("local-sync")
    ctx.load(module)
    ref = interp.Context()
    ref.load(module)
    a, b = np.arange(3, dtype=np.float32), np.array([7, 8], np.float32)
    runs = (lambda: np.asarray(ctx.invoke("f", [a, b])[0]).tolist(),
            lambda: unpack("f32", ref.invoke("f", _reference_args([a, b]))[0].tobytes()))
    for run in runs:
        if spec == (3, 1):
            assert run() == [0, 1, 2, 7, 8]
            continue
        with pytest.raises(VMError) as e:
            run()
        assert (e.value.code_name, e.value.message) == ("OUT_OF_RANGE", "strided copy outside its buffer")


def test_run_module_refuses_a_module_whose_layout_is_over_the_limit(tmp_path):
    from iree_lite.isa.module import serialize
    module, i = _with_layout(compile_module(SPLAT, "t.mlir"), (-1, BIG, 4))
    path = tmp_path / "big.vmfb"
    path.write_bytes(serialize(module))
    r = run_cli("run-module", f"--module={path}", "--function=f", "--input=1")
    assert r.returncode == 1
    assert r.stderr.startswith(f"INVALID_ARGUMENT; module verification failed: constant {i}: "
                               f"tensor<?x{BIG}x4xf32> is larger than {LIMIT}"), r.stderr
