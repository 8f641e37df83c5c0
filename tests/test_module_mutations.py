"""Structurally mutated modules (tests/module_mutator.py, run by
tests/mutant_runner.py) must be rejected at load with a clear error, or run
to a result or a clear error: never a signal, an uninterruptible hang or a
traceback.

CI runs a seeded budget of mutants; IREE_LITE_SOAK=1 runs 50,000. Below it,
one crafted module per defect the mutator found, each the smallest module
that reached it.
"""
import copy
import os
import subprocess
import sys
from array import array

import numpy as np
import pytest

import module_mutator
import mutant_runner
from iree_lite import isa
from iree_lite.isa.module import serialize
from iree_lite.compiler import compile_module
from iree_lite.ir.elements import unpack
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError

SOAK = bool(os.environ.get("IREE_LITE_SOAK"))
CI_MUTANTS = 1200


def test_mutants_are_rejected_or_run_cleanly():
    counts, unclean = mutant_runner.campaign(50_000 if SOAK else CI_MUTANTS)
    report = mutant_runner.table(counts) + "".join("\n" + mutant_runner.describe(u) for u in unclean)
    print(report)
    assert not any(u[0] in mutant_runner.FAILURES for u in unclean), report
    # The budget must reach the VM, not only the verifier.
    assert counts["ok"] + counts["error"] > CI_MUTANTS // 20, report


def test_a_mutant_is_reproduced_by_its_seed():
    assert module_mutator.make_mutant("ops_tensor", 7) == module_mutator.make_mutant("ops_tensor", 7)
    assert module_mutator.make_mutant("ops_tensor", 7) != module_mutator.make_mutant("ops_tensor", 8)


def test_repro_tool_names_the_mutations_and_outcome(tmp_path):
    out = tmp_path / "m.vmfb"
    run = subprocess.run([sys.executable, mutant_runner.__file__, "repro", "module_b", "3", "-o", str(out)],
                         capture_output=True, text=True, timeout=120)
    blob, mutations = module_mutator.make_mutant("module_b", 3)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[:len(mutations)] == [f"mutation: {m}" for m in mutations]
    assert run.stdout.splitlines()[-1].startswith("outcome: ")
    assert out.read_bytes() == blob


SCALE = """
func.func @scale(%x: f32) -> f32 {
  %c = arith.constant 3.0 : f32
  %y = arith.mulf %x, %c : f32
  return %y : f32
}
"""


def load(module):
    ctx = Context("local-sync")
    ctx.load_bytes(serialize(module))
    return ctx


def rejected(module):
    with pytest.raises(VMError) as e:
        load(module)
    assert e.value.code_name == "INVALID_ARGUMENT"
    return e.value.message


def test_scalar_constant_with_more_dimensions_than_the_vm_holds():
    """The VM copies every constant's shape, scalars' too, into MAX_RANK
    slots: a scalar constant of rank 100 overflowed the heap."""
    m = copy.deepcopy(compile_module(SCALE, "s.mlir"))
    m.constants[0].shape = (2,) * 100
    assert rejected(m) == ("module verification failed: constant 0: 100 dimensions, more than the VM's limit of 8 "
                           "(MAX_RANK)")


def test_an_async_function_is_not_an_initializer():
    """A coarse-fences function takes a wait and a signal fence even with no
    arguments of its own: as an initializer it was called with none."""
    m = copy.deepcopy(compile_module("func.func @f() {\n  return\n}\n", "a.mlir", "async-external"))
    m.initializers = [0]
    assert rejected(m) == "module verification failed: initializers must be functions of no arguments and no results"


CONVERT = """
func.func @f(%x: tensor<4096xf64>) -> tensor<4096xi8> {
  %y = arith.fptosi %x : tensor<4096xf64> to tensor<4096xi8>
  return %y : tensor<4096xi8>
}
"""


def tile(name, element, **operands):
    return isa.encode(name, operands, isa.ELEMENT_CODES[element])[0]


def with_kernel(source, regs, *words):
    """`source` compiled, its first kernel's code replaced."""
    m = copy.deepcopy(compile_module(source, "k.mlir"))
    m.kernels[0].regs = regs
    m.kernels[0].code = array("I", words)
    return m


def test_load_into_a_register_bound_to_an_output():
    """t.load leaves a t.bind pending in the VM: the f64 write that followed
    went into the i8 output, 8 bytes an element (heap corruption)."""
    m = with_kernel(CONVERT, 2, tile("t.bind", "i8", d=0, b=1), tile("t.load", "i8", d=0, b=1),
                    tile("t.load", "f64", d=1, b=0), tile("t.negf", "f64", d=0, a=1))
    assert rejected(m) == ("module verification failed: kernel 'k_dispatch_0' pc 1 (t.load): loads into t0, "
                           "bound to an output by t.bind")


NEGATE_F16 = """
func.func @f(%x: tensor<4096xf16>) -> tensor<4096xf16> {
  %y = arith.negf %x : tensor<4096xf16>
  return %y : tensor<4096xf16>
}
"""


@pytest.mark.parametrize("unused", [3, 9, 17])
def test_unary_half_op_with_an_unused_field_naming_an_unwritten_register(unused):
    """f16/bf16 ops widen their sources to f32 first; a unary op widened its
    unused b field's register too: an unwritten one is a stray pointer
    (SIGSEGV). The field is not an operand, so any value is valid."""
    m = with_kernel(NEGATE_F16, 29, tile("t.load", "f16", d=1, b=0), tile("t.bind", "f16", d=2, b=1),
                    tile("t.negf", "f16", d=2, a=1) | unused << 22)
    x = np.arange(4096).astype(np.float16)
    assert np.array_equal(np.asarray(load(m).invoke("f", [x])[0]), -x)


ADD_TWO = """
func.func @f(%x: tensor<5xi64>) -> tensor<5xi64> {
  %two = arith.constant dense<2> : tensor<5xi64>
  %r = arith.addi %x, %two : tensor<5xi64>
  return %r : tensor<5xi64>
}
"""


def test_splat_writes_a_bound_register_in_both_vms():
    """t.splat is the next write of a register t.bind bound: both VMs write
    the splat to the output (the reference interpreter kept the bind for a
    later write, so the two disagreed and one of them looped)."""
    m = with_kernel(ADD_TWO, 2, tile("t.bind", "i64", d=1, b=1), tile("t.splat", "i64", d=1, p=0),
                    tile("t.load", "i64", d=0, b=0), tile("t.addi", "i64", d=0, a=0, b=1))
    x = np.arange(5, dtype=np.int64)
    native = load(m).invoke("f", [x])[0]
    ref = interp.Context()
    ref.load(m)
    (want,) = ref.invoke("f", [interp.Buffer("i64", (5,), bytearray(x.tobytes()))])
    assert np.asarray(native).tolist() == unpack("i64", bytes(want.data)) == [2] * 5


@pytest.mark.parametrize("value,shown", [(np.ones(4, np.float32), "ndarray array([1., 1., 1., 1.], dtype=float32)"),
                                         ("x", "str 'x'")])
def test_a_scalar_parameter_given_something_else(value, shown):
    """A mutant's signature turned a tensor parameter into a scalar: the
    array passed for it raised TypeError out of Context.invoke."""
    ctx = load(compile_module(SCALE, "s.mlir"))
    with pytest.raises(VMError) as e:
        ctx.invoke("scale", [value])
    assert (e.value.code_name, e.value.message) == ("INVALID_ARGUMENT", f"input0 expected a f32 scalar but got {shown}")
