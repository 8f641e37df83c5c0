"""The VM's fixed capacities (isa.VM_LIMITS): hand-made modules at each limit
load and run alike in both VMs; one past it, the verifier refuses them at
load, naming the limit. The compiler stays within them or says where it
cannot, and the native VM loads only what the verifier accepted."""
import subprocess
import sys
from array import array

import numpy as np
import pytest

from iree_lite import _vm
from iree_lite import isa
from iree_lite.isa import gen_native
from iree_lite.isa.module import (CONST_INT, CONST_LAYOUT, Constant, Export, Function, Kernel, Module, Signature,
                                      serialize)
from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError
from iree_lite.vm.format import deserialize
from iree_lite.vm.verifier import VerifiedModule, verify_module

F32 = isa.ELEMENT_CODES["f32"]
VEC = "tensor<4xf32>"


def code(*instructions):
    """Host code: (op name, operands) pairs."""
    return array("I", [w for name, operands in instructions for w in isa.encode(name, operands)])


def tile_code(*instructions):
    """Kernel code: (op name, operands) pairs, all in f32."""
    return array("I", [w for name, operands in instructions for w in isa.encode(name, operands, F32)])


def module(functions, kernels=(), constants=(), export="f"):
    m = Module("limits", "test", isa=isa.fingerprint(), functions=list(functions), kernels=list(kernels),
               constants=list(constants))
    m.exports = [Export(export, next(i for i, f in enumerate(m.functions) if f.name == export))]
    return m


def run_both(m, args, native_args=None):
    """Results of export 'f' in the reference interpreter and in the native
    VM, each loading the module from its bytes."""
    blob = serialize(m)
    ref = interp.Context()
    ref.load(deserialize(blob))
    expected = ref.invoke("f", args)
    ctx = Context("local-sync")
    ctx.load_bytes(blob)
    actual = ctx.invoke("f", args if native_args is None else native_args)
    return expected, actual


def rejected(m):
    """The error text a module gets at load from the bytes (native runtime),
    after checking that the reference interpreter refuses it too."""
    blob = serialize(m)
    with pytest.raises(Exception) as ref_error:
        interp.Context().load(deserialize(blob))
    with pytest.raises(VMError) as e:
        Context("local-sync").load_bytes(blob)
    assert e.value.code_name == "INVALID_ARGUMENT"
    assert e.value.message == f"module verification failed: {ref_error.value}"
    return str(ref_error.value)


def limit_error(where, count, what, limit):
    return f"{where}: {count} {what}, more than the VM's limit of {isa.VM_LIMITS[limit]} ({limit})"


# -- results of a call (MAX_CALL_VALUES per register bank) --------------------

def results_module(n):
    """f(x: i64) calls g, which returns x n times, and returns g's results."""
    sig = Signature(("i64",), ("i64",) * n)
    g = Function("g", sig, (1, 0, 0), code(("ret", {"args_i": [0] * n, "args_f": [], "args_r": []})))
    f = Function("f", sig, (1, 0, 0), code(
        ("call", {"callee": 0, "args_i": [0], "args_f": [], "args_r": [], "dst_i": [0] * n, "dst_f": [],
                  "dst_r": []}),
        ("ret", {"args_i": [0] * n, "args_f": [], "args_r": []})))
    return module([g, f])


def test_results_at_the_limit_run_in_both_vms():
    n = isa.MAX_CALL_VALUES
    expected, actual = run_both(results_module(n), [7])
    assert expected == actual == [7] * n


def test_results_past_the_limit_are_refused_at_load():
    n = isa.MAX_CALL_VALUES + 1
    assert rejected(results_module(n)) == limit_error("function 'g'", n, "int results", "MAX_CALL_VALUES")


# -- kernel bindings (MAX_BINDINGS) ---------------------------------------------

def bindings_module(n):
    """f(x) = x summed n - 1 times, by a kernel binding x n - 1 times and an output."""
    body = [("t.load", {"d": 0, "b": 0})]
    for b in range(1, n - 1):
        body += [("t.load", {"d": 1, "b": min(b, 31)}), ("t.addf", {"d": 0, "a": 0, "b": 1})]
    body += [("t.store", {"d": 0, "b": min(n - 1, 31)})]
    k = Kernel("k", 2, ((F32, isa.BIND_INPUT),) * (n - 1) + ((F32, isa.BIND_OUTPUT),), 0, tile_code(*body))
    f = Function("f", Signature((VEC,), (VEC,)), (0, 0, 2), code(
        ("buffer.alloc", {"dst": 1, "layout": 0}),
        ("dispatch", {"kernel": 0, "bind_r": [0] * (n - 1) + [1], "push_f": [], "push_i": []}),
        ("ret", {"args_i": [], "args_f": [], "args_r": [1]})))
    return module([f], [k], [Constant(CONST_LAYOUT, F32, (4,))])


def test_bindings_at_the_limit_run_in_both_vms():
    x = np.array([1, 2, 3, 4], np.float32)
    expected, actual = run_both(bindings_module(isa.MAX_BINDINGS), [interp.Buffer("f32", (4,), bytearray(x.tobytes()))], [x])
    assert expected[0].tobytes() == np.asarray(actual[0]).tobytes() == (x * (isa.MAX_BINDINGS - 1)).tobytes()


def test_bindings_past_the_limit_are_refused_at_load():
    n = isa.MAX_BINDINGS + 1
    assert rejected(bindings_module(n)) == limit_error("kernel 'k'", n, "bindings", "MAX_BINDINGS")


# -- push constants (MAX_PUSH) -----------------------------------------------

def push_module(n):
    """f(x: f32) = a 4-vector of x summed n times, each a push constant."""
    body = [("t.splat", {"d": 0, "p": 0})]
    for p in range(1, min(n, 32)):
        body += [("t.splat", {"d": 1, "p": p}), ("t.addf", {"d": 0, "a": 0, "b": 1})]
    body += [("t.store", {"d": 0, "b": 0})]
    k = Kernel("k", 2, ((F32, isa.BIND_OUTPUT),), n, tile_code(*body))
    f = Function("f", Signature(("f32",), (VEC,)), (0, 1, 1), code(
        ("buffer.alloc", {"dst": 0, "layout": 0}),
        ("dispatch", {"kernel": 0, "bind_r": [0], "push_f": [0] * n, "push_i": []}),
        ("ret", {"args_i": [], "args_f": [], "args_r": [0]})))
    return module([f], [k], [Constant(CONST_LAYOUT, F32, (4,))])


def test_push_constants_at_the_limit_run_in_both_vms():
    expected, actual = run_both(push_module(isa.MAX_PUSH), [1.5])
    want = np.full(4, 1.5 * isa.MAX_PUSH, np.float32).tobytes()
    assert expected[0].tobytes() == np.asarray(actual[0]).tobytes() == want


def test_push_constants_past_the_limit_are_refused_at_load():
    n = isa.MAX_PUSH + 1
    assert rejected(push_module(n)) == limit_error("kernel 'k'", n, "push constants", "MAX_PUSH")


# -- eval outputs (its kernel's bindings: MAX_BINDINGS) --------------------------

def eval_module(n):
    """f(x: f32) returns x n times, each an output of one eval."""
    body = [("t.splat", {"d": 0, "p": 0})] + [("t.store", {"d": 0, "b": min(b, 31)}) for b in range(n)]
    k = Kernel("k", 1, ((F32, isa.BIND_OUTPUT),) * n, 1, tile_code(*body))
    f = Function("f", Signature(("f32",), ("f32",) * n), (0, n, 0), code(
        ("eval", {"kernel": 0, "push_f": [0], "push_i": [], "dst_f": list(range(n)), "dst_i": []}),
        ("ret", {"args_i": [], "args_f": list(range(n)), "args_r": []})))
    return module([f], [k])


def test_eval_outputs_at_the_limit_run_in_both_vms():
    expected, actual = run_both(eval_module(isa.MAX_BINDINGS), [2.5])
    assert expected == actual == [2.5] * isa.MAX_BINDINGS


def test_eval_outputs_past_the_limit_are_refused_at_load():
    n = isa.MAX_BINDINGS + 1
    assert rejected(eval_module(n)) == limit_error("kernel 'k'", n, "bindings", "MAX_BINDINGS")


# -- rank (MAX_RANK) -------------------------------------------------------------

def rank_type(rank):
    return "tensor<" + "1x" * (rank - 1) + "2xf32>"


def identity_module(rank):
    t = rank_type(rank)
    return module([Function("f", Signature((t,), (t,)), (0, 0, 1), code(
        ("ret", {"args_i": [], "args_f": [], "args_r": [0]})))])


def test_rank_at_the_limit_runs_in_both_vms():
    shape = (1,) * (isa.MAX_RANK - 1) + (2,)
    x = np.array([3, 4], np.float32).reshape(shape)
    expected, actual = run_both(identity_module(isa.MAX_RANK), [interp.Buffer("f32", shape, bytearray(x.tobytes()))], [x])
    assert expected[0].tobytes() == np.asarray(actual[0]).tobytes() == x.tobytes()
    assert np.asarray(actual[0]).shape == shape


def test_rank_past_the_limit_is_refused_at_load():
    n = isa.MAX_RANK + 1
    assert rejected(identity_module(n)) == limit_error(f"signature type '{rank_type(n)}'", n, "dimensions",
                                                       "MAX_RANK")


def test_layouts_and_index_lists_past_the_rank_limit_are_refused_at_load():
    n = isa.MAX_RANK + 1
    layout = module([Function("f", Signature((), (VEC,)), (0, 0, 1), code(
        ("buffer.alloc", {"dst": 0, "layout": 0}), ("ret", {"args_i": [], "args_f": [], "args_r": [0]})))],
        constants=[Constant(CONST_LAYOUT, F32, (1,) * n)])
    assert rejected(layout) == limit_error("constant 0", n, "dimensions", "MAX_RANK")
    load = module([Function("f", Signature((VEC,), ("f32",)), (1, 1, 1), code(
        ("const.i", {"dst": 0, "value": 0}),
        ("buffer.load.f", {"dst": 0, "src": 0, "index_i": [0] * n}),
        ("ret", {"args_i": [], "args_f": [0], "args_r": []})))], constants=[Constant(CONST_INT, value=0)])
    assert rejected(load) == limit_error("function 'f' pc 2 (buffer.load.f)", n, "indices", "MAX_RANK")


# -- call depth (MAX_CALL_DEPTH, at run time) -----------------------------------

def chain_module(depth):
    """f calls c1, which calls c2, ... down to c<depth>, which returns 7."""
    names = ["f"] + [f"c{k}" for k in range(1, depth + 1)]
    sig = Signature((), ("i64",))
    functions = [Function(name, sig, (1, 0, 0), code(
        ("call", {"callee": k + 1, "args_i": [], "args_f": [], "args_r": [], "dst_i": [0], "dst_f": [],
                  "dst_r": []}),
        ("ret", {"args_i": [0], "args_f": [], "args_r": []}))) for k, name in enumerate(names[:-1])]
    functions.append(Function(names[-1], sig, (1, 0, 0), code(
        ("const.i", {"dst": 0, "value": 0}), ("ret", {"args_i": [0], "args_f": [], "args_r": []}))))
    return module(functions, constants=[Constant(CONST_INT, value=7)])


def test_calls_nested_to_the_depth_limit_run_in_both_vms():
    expected, actual = run_both(chain_module(isa.MAX_CALL_DEPTH), [])
    assert expected == actual == [7]


def test_a_call_past_the_depth_limit_fails_in_both_vms():
    blob = serialize(chain_module(isa.MAX_CALL_DEPTH + 1))
    ref = interp.Context()
    ref.load(deserialize(blob))
    ctx = Context("local-sync")
    ctx.load_bytes(blob)
    for call in (lambda: ref.invoke("f", []), lambda: ctx.invoke("f", [])):
        with pytest.raises(VMError) as e:
            call()
        assert str(e.value) == f"RESOURCE_EXHAUSTED; call depth exceeds {isa.MAX_CALL_DEPTH}"


NESTED_ON_A_SMALL_STACK = """
import sys, threading
from iree_lite.runtime.context import Context
ctx = Context("local-sync")
ctx.load_bytes(open(sys.argv[1], "rb").read())
threading.stack_size(160 * 1024)
out = []
t = threading.Thread(target=lambda: out.append(ctx.invoke("f", [])))
t.start()
t.join()
print(out)
"""


def test_nested_calls_take_no_c_stack_per_level(tmp_path):
    """Calls nested to the limit run on a thread with a 160 KiB stack: the
    native VM keeps its frames on an explicit stack, not the C stack (a
    C frame with per-call argument arrays per level overflowed it)."""
    path = tmp_path / "chain.vmfb"
    path.write_bytes(serialize(chain_module(isa.MAX_CALL_DEPTH)))
    run = subprocess.run([sys.executable, "-c", NESTED_ON_A_SMALL_STACK, str(path)], capture_output=True,
                         text=True, timeout=120)
    assert (run.returncode, run.stdout, run.stderr) == (0, "[[7]]\n", "")


# -- only verified modules reach the native VM ---------------------------------

def test_native_load_refuses_modules_the_verifier_did_not_issue():
    m = results_module(isa.MAX_CALL_VALUES + 1)
    with pytest.raises(TypeError) as e:
        _vm.load_module(m, [], [])
    assert str(e.value) == ("load_module takes what verify_module returns, not Module; "
                            "the VM runs only verified modules")
    with pytest.raises(TypeError) as e:
        VerifiedModule(m, object())
    assert str(e.value) == "only verify_module issues a VerifiedModule"


def test_a_verified_module_is_what_was_checked():
    """Changing a module after verifying it changes nothing the VM loads."""
    m = results_module(3)
    verified = verify_module(m)
    m.functions[0].code[:] = results_module(isa.MAX_CALL_VALUES + 1).functions[0].code
    m.functions[0].signature = Signature(("i64",), ("i64",) * (isa.MAX_CALL_VALUES + 1))
    loaded = _vm.load_module(verified, [], [])
    native = _vm.NativeContext(0)
    assert native.call(loaded, 1, [5], [], [], (3, 0, 0)) == ([5, 5, 5], [], [])
    with pytest.raises(ValueError) as e:   # counts other than the function's own
        native.call(loaded, 1, [5], [], [], (isa.MAX_CALL_VALUES + 1, 0, 0))
    assert str(e.value) == ("function 1 takes (1, 0, 0) arguments and returns (3, 0, 0) results by bank, "
                            "not (1, 0, 0) and (257, 0, 0)")


# -- the compiler ------------------------------------------------------------------

def returning(n):
    types = ", ".join(["i32"] * n)
    return f"func.func @f(%a: i32) -> ({types}) {{\n  return {', '.join(['%a'] * n)} : {types}\n}}\n"


def test_a_function_returning_2000_values_is_a_located_compile_error():
    with pytest.raises(Diagnostic) as e:
        compile_module(returning(2000), "r.mlir")
    assert e.value.render().splitlines()[0] == (
        "r.mlir:1:1: error: function 'f' has 2000 int results, more than the VM passes in a call "
        "(256 of each register bank)")


def test_the_cli_reports_the_2000_results_at_the_function(tmp_path):
    src = tmp_path / "r.mlir"
    src.write_text(returning(2000))
    p = subprocess.run([sys.executable, "-m", "iree_lite", "compile", str(src), "-o", str(tmp_path / "r.vmfb")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    assert p.stderr.splitlines()[0] == (
        f"{src}:1:1: error: function 'f' has 2000 int results, more than the VM passes in a call "
        "(256 of each register bank)")
    assert not (tmp_path / "r.vmfb").exists()


def test_256_results_compile_and_run():
    m = compile_module(returning(isa.MAX_CALL_VALUES), "r.mlir")
    ctx = Context("local-sync")
    ctx.load(m)
    assert ctx.invoke("f", [3]) == [3] * isa.MAX_CALL_VALUES


def test_a_tensor_of_rank_past_the_limit_is_a_located_compile_error():
    t = rank_type(isa.MAX_RANK + 1)
    src = (f"func.func @f(%a: tensor<2xf32>) -> {t} {{\n"
           f"  %0 = tensor.expand_shape %a [[0, 1, 2, 3, 4, 5, 6, 7, 8]] output_shape [1, 1, 1, 1, 1, 1, 1, 1, 2]"
           f" : tensor<2xf32> into {t}\n  return %0 : {t}\n}}\n")
    with pytest.raises(Diagnostic) as e:
        compile_module(src, "r.mlir")
    assert e.value.render().splitlines()[0] == (
        f"r.mlir:1:1: error: '{t}' has {isa.MAX_RANK + 1} dimensions, more than the VM's limit of {isa.MAX_RANK}")


def chain(op, operands, n=16):
    """A chain of n ops whose every result is returned, each reading fresh
    inputs: as one kernel of 16, it would bind more than MAX_BINDINGS buffers."""
    fresh = operands - 1
    args = [f"%a{i}: {VEC}" for i in range(1 + fresh * n)]
    body = []
    for i in range(n):
        ins = ["%a0" if i == 0 else f"%x{i - 1}"] + [f"%a{1 + fresh * i + j}" for j in range(fresh)]
        body.append(f"  %x{i} = {op} {', '.join(ins)} : {VEC}")
    types = ", ".join([VEC] * n)
    return (f"func.func @f({', '.join(args)}) -> ({types}) {{\n" + "\n".join(body) +
            f"\n  return {', '.join(f'%x{i}' for i in range(n))} : {types}\n}}\n"), len(args)


def test_a_kernel_past_the_limits_is_a_located_compile_error(monkeypatch):
    """Were dispatch formation not to keep groups small, the kernel builder
    refuses at the group's first op rather than emit what the verifier rejects."""
    from iree_lite.codegen import limits   # the bound compiler.pipeline gives dispatch formation
    monkeypatch.setattr(limits, "KERNEL_VALUES", 1000)
    with pytest.raises(Diagnostic) as e:
        compile_module(chain("arith.addf", 2)[0], "chain.mlir")
    assert e.value.render().splitlines()[0] == (
        f"chain.mlir:2:9: error: element-wise region binds 33 buffers, more than a kernel takes ({isa.MAX_BINDINGS})")


@pytest.mark.parametrize("op, operands", [("arith.addf", 2), ("math.fma", 3)])
def test_element_wise_chains_are_split_into_kernels_within_the_limits(op, operands):
    n = 16
    fresh = operands - 1
    src, nargs = chain(op, operands, n)
    m = compile_module(src, "chain.mlir")
    assert all(len(k.bindings) <= isa.MAX_BINDINGS and k.push <= isa.MAX_PUSH for k in m.kernels)
    xs = [np.full(4, 1.0 + i % 3, np.float32) for i in range(nargs)]
    ctx = Context("local-sync")
    ctx.load(m)
    ref = interp.Context()
    ref.load(m)
    actual = ctx.invoke("f", xs)
    expected = ref.invoke("f", [interp.Buffer("f32", (4,), bytearray(x.tobytes())) for x in xs])
    want, acc = [], xs[0]
    for i in range(n):
        ins = xs[1 + fresh * i:1 + fresh * (i + 1)]
        acc = acc + ins[0] if operands == 2 else np.float32(acc * ins[0]) + ins[1]
        want.append(acc.astype(np.float32).tobytes())
    assert [np.asarray(a).tobytes() for a in actual] == [e.tobytes() for e in expected] == want


def test_the_limits_are_generated_into_the_native_vm_and_its_fingerprint():
    pxi = gen_native.generate_pxi()
    for name, value in isa.VM_LIMITS.items():
        assert f"\n    {name} = {value}\n" in pxi
    assert _vm.ISA_FINGERPRINT == isa.fingerprint()
    saved = dict(isa.VM_LIMITS)
    try:
        isa.fingerprint.cache_clear()
        isa.VM_LIMITS["MAX_PUSH"] += 1
        assert isa.fingerprint() != _vm.ISA_FINGERPRINT
    finally:
        isa.VM_LIMITS.update(saved)
        isa.fingerprint.cache_clear()
