"""Values used before their definition in the text, as MLIR allows: in a
function of several blocks a later block may dominate an earlier one, so a
use may come first in the text as long as the definition dominates it
(nested regions included). Exact run-mlir output, the same output as the
real IREE, the same bytes on both VMs, and MLIR's errors where the
definition does not dominate the use."""
import textwrap

import numpy as np
import pytest

from tool_runs import compile_both, compile_error, lite_run, run_both, same_on_both

# A loop whose body and exit blocks come before the header that defines
# what they use (the induction variable, the sum, the constant one, %n).
PROGRAM = textwrap.dedent("""\
    func.func @sum_below(%n: i32) -> i32 {
      %zero = arith.constant 0 : i32
      cf.br ^head(%zero, %zero : i32, i32)
    ^body:
      %i1 = arith.addi %i, %one : i32
      %s1 = arith.addi %s, %i : i32
      cf.br ^head(%i1, %s1 : i32, i32)
    ^exit:
      %r = arith.muli %s, %scale : i32
      return %r : i32
    ^head(%i: i32, %s: i32):
      %one = arith.constant 1 : i32
      %scale = arith.constant 3 : i32
      %more = arith.cmpi slt, %i, %n : i32
      cf.cond_br %more, ^body, ^exit
    }

    func.func @shift(%a: tensor<4xi32>) -> tensor<4xi32> {
      cf.br ^make
    ^use:
      %e = tensor.empty() : tensor<4xi32>
      %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                           iterator_types = ["parallel"]}
          ins(%a : tensor<4xi32>) outs(%e : tensor<4xi32>) {
      ^bb0(%x: i32, %o: i32):
        %s = arith.addi %x, %k : i32
        linalg.yield %s : i32
      } -> tensor<4xi32>
      %z = arith.muli %y, %t : tensor<4xi32>
      return %z : tensor<4xi32>
    ^make:
      %k = arith.constant 7 : i32
      %t = arith.addi %a, %a : tensor<4xi32>
      cf.br ^use
    }

    // ^left dominates ^join through ^tail; ^dead is unreachable, where MLIR checks no dominance
    func.func @pick(%a: f32, %c: i1) -> f32 {
      cf.cond_br %c, ^left, ^right
    ^join(%v: f32):
      %r = arith.addf %v, %half : f32
      return %r : f32
    ^left:
      %half = arith.constant 0.5 : f32
      %l = arith.mulf %a, %a : f32
      cf.br ^tail(%l : f32)
    ^right:
      return %a : f32
    ^tail(%w: f32):
      cf.br ^join(%w : f32)
    ^dead:
      %d = arith.subf %l, %a : f32
      cf.br ^join(%d : f32)
    }
    """)

RUNS = [
    ("sum_below", ["0"], "result[0]: i32=0\n"),
    ("sum_below", ["5"], "result[0]: i32=30\n"),
    ("sum_below", ["100"], "result[0]: i32=14850\n"),
    ("shift", ["4xi32=1 2 3 4"], "result[0]: hal.buffer_view\n4xi32=16 36 60 88\n"),
    ("pick", ["3", "1"], "result[0]: f32=9.5\n"),
    ("pick", ["3", "0"], "result[0]: f32=3\n"),
]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("forward") / "forward.mlir"
    path.write_text(PROGRAM)
    return path


@pytest.mark.parametrize("function,inputs,results", RUNS)
def test_run_mlir_prints_exactly(source, function, inputs, results):
    rc, out = lite_run("run-mlir", str(source), f"--function={function}", *(f"--input={v}" for v in inputs))
    assert (rc, out) == (0, f"EXEC @{function}\n{results}")


@pytest.fixture(scope="module")
def modules(reference_iree, source):
    return compile_both(reference_iree, source)


@pytest.mark.parametrize("function,inputs,results", RUNS)
def test_same_output_as_iree(reference_iree, modules, function, inputs, results):
    want, have = run_both(reference_iree, modules, [f"--function={function}", *(f"--input={v}" for v in inputs)])
    assert have == want == (0, f"EXEC @{function}\n{results}")


def test_both_vms_give_the_same_bytes(both_vms):
    native, ref = both_vms(PROGRAM)
    (have,) = same_on_both(native, ref, "shift", [np.array([1, 2, 3, 4], np.int32)])
    assert have.tolist() == [16, 36, 60, 88]


ERRORS = [
    # used before its definition in the same block
    ("""\
     func.func @f(%a: i32) -> i32 {
       %y = arith.addi %a, %x : i32
       %x = arith.muli %a, %a : i32
       return %y : i32
     }""", "t.mlir:2:8: error: operand #1 does not dominate this use"),
    # defined in a block that does not dominate the earlier block using it
    ("""\
     func.func @f(%a: i32, %c: i1) -> i32 {
       cf.cond_br %c, ^bb1, ^bb2
     ^bb1:
       %y = arith.addi %x, %x : i32
       return %y : i32
     ^bb2:
       %x = arith.muli %a, %a : i32
       cf.br ^bb1
     }""", "t.mlir:4:8: error: operand #0 does not dominate this use"),
    # an op's region using the op's own result
    ("""\
     func.func @f(%a: i32, %c: i1) -> i32 {
       %y = scf.if %c -> i32 {
         %z = arith.addi %y, %a : i32
         scf.yield %z : i32
       } else {
         scf.yield %a : i32
       }
       return %y : i32
     }""", "t.mlir:3:10: error: operand #0 does not dominate this use"),
    # a later definition of another type than the earlier use gave it
    ("""\
     func.func @f(%a: i32) -> i32 {
       cf.br ^bb2
     ^bb1:
       %y = arith.addi %x, %x : i32
       return %y : i32
     ^bb2:
       %x = arith.constant 1.0 : f32
       cf.br ^bb1
     }""", "t.mlir:7:3: error: definition of SSA value '%x#0' has type 'f32'"),
    # never defined
    ("""\
     func.func @f(%a: i32) -> i32 {
       cf.br ^bb2
     ^bb1:
       %y = arith.addi %x, %x : i32
       return %y : i32
     ^bb2:
       cf.br ^bb1
     }""", "t.mlir:4:19: error: use of undeclared SSA value name '%x'"),
    # defined only inside a region that ended before the use
    ("""\
     func.func @f(%a: i32, %c: i1) -> i32 {
       %y = scf.if %c -> i32 {
         %z = arith.addi %a, %a : i32
         scf.yield %z : i32
       } else {
         scf.yield %a : i32
       }
       %w = arith.addi %z, %y : i32
       return %w : i32
     }""", "t.mlir:8:19: error: use of undeclared SSA value name '%z'"),
]


@pytest.mark.parametrize("source,error", ERRORS)
def test_a_use_its_definition_does_not_dominate_is_a_located_error(source, error):
    assert compile_error(textwrap.dedent(source)) == error


@pytest.mark.parametrize("source,error", ERRORS)
def test_iree_gives_the_same_first_error(reference_iree, tmp_path, source, error):
    import subprocess
    path = tmp_path / "t.mlir"
    path.write_text(textwrap.dedent(source))
    proc = subprocess.run([reference_iree["iree-compile"], "--compile-to=input", str(path)], capture_output=True,
                          text=True, timeout=120)
    first = proc.stderr.splitlines()[0].replace(str(path), "t.mlir")
    if "undeclared" in error:   # MLIR leaves the name out of this one
        error = error.split(" '%")[0]
    assert (proc.returncode, first) == (1, error)
