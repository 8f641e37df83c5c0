"""scf.for and scf.if: loops and branches in the host bytecode, with
dispatches inside, on both VMs and under both execution models."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.runtime.context import Context
from iree_lite.vm import interp

PROGRAM = """
func.func @sum_and_branch(%n: index, %x: f32) -> (f32, f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x, %s = %z) -> (f32, f32) {
    %y = arith.addf %acc, %x : f32
    %t = arith.addf %s, %y : f32
    scf.yield %y, %t : f32, f32
  }
  %p = arith.cmpf ogt, %r#0, %x : f32
  %q = scf.if %p -> (f32) {
    %u = arith.mulf %r#1, %x : f32
    scf.yield %u : f32
  } else {
    scf.yield %z : f32
  }
  return %r#0, %q : f32, f32
}

func.func @swap(%n: i32, %a: i32, %b: i32) -> (i32, i32) {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%x = %a, %y = %b) -> (i32, i32) : i32 {
    scf.yield %y, %x : i32, i32
  }
  return %r#0, %r#1 : i32, i32
}

func.func @tensor_loop(%v: tensor<5000xf32>, %n: index) -> tensor<5000xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %half = arith.constant dense<0.5> : tensor<5000xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%t = %v) -> (tensor<5000xf32>) {
    %m = arith.mulf %t, %half : tensor<5000xf32>
    %a = math.absf %m : tensor<5000xf32>
    scf.yield %a : tensor<5000xf32>
  }
  return %r : tensor<5000xf32>
}

func.func @nested(%n: index) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %c0) -> (index) {
    %inner = scf.for %j = %c0 to %i step %c1 iter_args(%a = %acc) -> (index) {
      %s = arith.addi %a, %c1 : index
      scf.yield %s : index
    }
    scf.yield %inner : index
  }
  return %r : index
}

func.func @side_effect_if(%c: i1, %x: tensor<4xi32>) -> tensor<4xi32> {
  %r = scf.if %c -> (tensor<4xi32>) {
    %d = arith.addi %x, %x : tensor<4xi32>
    scf.yield %d : tensor<4xi32>
  } else {
    scf.yield %x : tensor<4xi32>
  }
  return %r : tensor<4xi32>
}
"""

CASES = [
    ("sum_and_branch", [0, 2.0], [2.0, 0.0]),
    ("sum_and_branch", [1, 2.0], [4.0, 8.0]),
    ("sum_and_branch", [4, 1.5], [7.5, 31.5]),
    ("swap", [3, 1, 2], [2, 1]),
    ("swap", [4, 1, 2], [1, 2]),
    ("nested", [5], [10]),
    ("nested", [0], [0]),
]


@pytest.fixture(scope="module", params=["host-only", "async-external"])
def module(request):
    return compile_module(PROGRAM, "scf.mlir", request.param)


@pytest.mark.parametrize("device,workers", [("local-sync", None), ("local-task", 2)])
@pytest.mark.parametrize("name,args,want", CASES)
def test_scalar_loops_and_branches(module, device, workers, name, args, want):
    ref = interp.Context()
    ref.load(module)
    ctx = Context(device, workers)
    ctx.load(module)
    assert ref.invoke(name, list(args)) == want
    assert ctx.invoke(name, list(args)) == want


@pytest.mark.parametrize("n", [0, 1, 3])
def test_dispatches_inside_a_loop(module, n):
    v = np.linspace(-8, 8, 5000, dtype=np.float32)
    ctx = Context("local-task", 2)
    ctx.load(module)
    (r,) = ctx.invoke("tensor_loop", [v, n])
    np.testing.assert_array_equal(np.asarray(r), np.abs(v) * np.float32(0.5) ** n if n else v)
    ref = interp.Context()
    ref.load(module)
    (want,) = ref.invoke("tensor_loop", [interp.Buffer("f32", (5000,), bytearray(v.tobytes())), n])
    assert bytes(want.data) == np.asarray(r).tobytes()


def test_if_with_tensor_results(module):
    ctx = Context("local-sync")
    ctx.load(module)
    x = np.array([1, -2, 3, 4], np.int32)
    assert np.asarray(ctx.invoke("side_effect_if", [1, x])[0]).tolist() == [2, -4, 6, 8]
    assert np.asarray(ctx.invoke("side_effect_if", [0, x])[0]).tolist() == [1, -2, 3, 4]


@pytest.mark.parametrize("source,message", [
    ("func.func @f(%n: index) -> f32 {\n  %c = arith.constant 0 : index\n"
     "  %r = scf.for %i = %c to %n step %c iter_args(%a = %c) -> (f32) {\n    scf.yield %a : index\n  }\n"
     "  return %r : f32\n}", "use of value '%c' expects different type than prior uses: 'f32' vs 'index'"),
    ("func.func @f(%c: i1) -> f32 {\n  %r = scf.if %c -> (f32) {\n    %z = arith.constant 1.0 : f32\n"
     "    scf.yield %z : f32\n  }\n  return %r : f32\n}", "'scf.if' with results needs an else region"),
    ("func.func @f(%n: index) {\n  scf.for %i = %n to %n step %n {\n    %x = arith.constant 1.0 : f32\n  }\n"
     "  %y = arith.addf %x, %x : f32\n  return\n}", "use of undeclared SSA value name '%x'"),
])
def test_region_errors(source, message):
    with pytest.raises(Diagnostic, match=message):
        compile_module(source, "bad.mlir")


WHILE = """
func.func @collatz(%n: i64) -> (i64, i64) {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %c2 = arith.constant 2 : i64
  %c3 = arith.constant 3 : i64
  %r:2 = scf.while (%x = %n, %steps = %c0) : (i64, i64) -> (i64, i64) {
    %more = arith.cmpi sgt, %x, %c1 : i64
    scf.condition(%more) %x, %steps : i64, i64
  } do {
  ^bb0(%y: i64, %s: i64):
    %rem = arith.remsi %y, %c2 : i64
    %odd = arith.cmpi eq, %rem, %c1 : i64
    %next = scf.if %odd -> (i64) {
      %t = arith.muli %y, %c3 : i64
      %u = arith.addi %t, %c1 : i64
      scf.yield %u : i64
    } else {
      %h = arith.divsi %y, %c2 : i64
      scf.yield %h : i64
    }
    %s1 = arith.addi %s, %c1 : i64
    scf.yield %next, %s1 : i64, i64
  }
  return %r#0, %r#1 : i64, i64
}
"""


@pytest.mark.parametrize("n,steps", [(1, 0), (2, 1), (6, 8), (27, 111)])
@pytest.mark.parametrize("model", ["host-only", "async-external"])
def test_while_loop(n, steps, model):
    module = compile_module(WHILE, "w.mlir", model)
    ref = interp.Context()
    ref.load(module)
    ctx = Context("local-sync")
    ctx.load(module)
    assert ref.invoke("collatz", [n]) == ctx.invoke("collatz", [n]) == [1 if n > 0 else n, steps]


@pytest.mark.parametrize("body,message", [
    ("  %b = arith.addf %a, %a : f32\n  scf.yield\n  return %b : f32",
     "3:3: error: 'scf.yield' must be the last operation of its block"),
    ("  %b = arith.addf %a, %a : f32\n  return %b : f32\n  %c = arith.addf %b, %b : f32\n  return %c : f32",
     "3:3: error: 'func.return' must be the last operation of its block"),
    ("  %t = arith.constant true\n  %r = scf.if %t -> (f32) {\n    return %a : f32\n  } else {\n"
     "    scf.yield %a : f32\n  }\n  return %r : f32", "4:5: error: region must end in 'scf.yield' of the results"),
])
def test_terminators_out_of_place_are_located_errors(body, message):
    """Found by the compiler fuzzer's soak: a stray scf.yield in a function
    body made bytecode that ran off its end."""
    with pytest.raises(Diagnostic) as e:
        compile_module(f"func.func @f(%a: f32) -> f32 {{\n{body}\n}}\n", "t.mlir")
    assert e.value.render().startswith("t.mlir:" + message)
