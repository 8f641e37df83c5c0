"""cf.br, cf.cond_br and cf.switch between the blocks of a function body
(the programs of tests/lit/cf_branches.mlir): exact run-mlir output under
both execution models, the same output as the real IREE, the same result
bytes on the native VM and the reference interpreter, loops of 0, 1 and
many trips, a loop that never ends stopped by --timeout, and located
errors for malformed control flow, as MLIR words them."""
import os
import textwrap

import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.ir.abi import EXECUTION_MODELS
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.deadline import Deadline
from iree_lite.vm.errors import VMError
from tool_runs import as_buffer, compile_both, lite_run, run_both

CORPUS = os.path.join(os.path.dirname(__file__), "lit", "cf_branches.mlir")
X4F = "4xf32=1 2 3 4"
X4I = "4xi32=1 2 3 4"


def tensor(text):
    return f"result[0]: hal.buffer_view\n{text}\n"


# (function, --input values, the results run-mlir prints after `EXEC @function`)
RUNS = [
    ("sum_below", ["0"], "result[0]: i32=0\n"),
    ("sum_below", ["1"], "result[0]: i32=0\n"),
    ("sum_below", ["100"], "result[0]: i32=4950\n"),
    ("for_and_while", [X4F, "0"], tensor("4xf32=1 2 3 4") + "result[1]: i32=10\n"),
    ("for_and_while", [X4F, "1"], tensor("4xf32=2 4 6 8") + "result[1]: i32=10\n"),
    ("for_and_while", [X4F, "3"], tensor("4xf32=4 8 12 16") + "result[1]: i32=10\n"),
    ("triangle", ["0"], "result[0]: i64=0\n"),
    ("triangle", ["1"], "result[0]: i64=0\n"),
    ("triangle", ["10"], "result[0]: i64=45\n"),
    ("classify", ["0"], "result[0]: i32=100\n"),
    ("classify", ["7"], "result[0]: i32=140\n"),
    ("classify", ["-7"], "result[0]: i32=993\n"),
    ("classify", ["42"], "result[0]: i32=84\n"),
    ("classify", ["5"], "result[0]: i32=1005\n"),
    ("early_exit", [X4F, "-1"], tensor("4xf32=1 2 3 4")),
    ("early_exit", [X4F, "1"], tensor("4xf32=2 4 6 8")),
    ("early_exit", [X4F, "2"], tensor("4xf32=4 16 36 64")),
    ("diamond", [X4I, "1"], tensor("4xi32=2 10 21 36")),
    ("diamond", [X4I, "0"], tensor("4xi32=1 6 15 28")),
    ("loop_invariant", [X4F, "0"], tensor("4xf32=1 2 3 4")),
    ("loop_invariant", [X4F, "1"], tensor("4xf32=1 4 9 16")),
    ("loop_invariant", [X4F, "3"], tensor("4xf32=1 8 21 40")),
    ("swap", ["1", "2", "0"], "result[0]: i32=1\nresult[1]: i32=2\n"),
    ("swap", ["1", "2", "1"], "result[0]: i32=2\nresult[1]: i32=1\n"),
    ("swap", ["1", "2", "6"], "result[0]: i32=1\nresult[1]: i32=2\n"),
    ("spin", ["0"], "result[0]: i32=0\n"),
]
MODELS = {"sync": ["--device=local-sync"],
          "async": ["--Xcompiler,iree-execution-model=async-external", "--device=local-task"]}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("function,inputs,results", RUNS)
def test_run_mlir_prints_exactly(function, inputs, results, model):
    rc, out = lite_run("run-mlir", *MODELS[model], CORPUS, f"--function={function}",
                       *(f"--input={v}" for v in inputs))
    assert (rc, out) == (0, f"EXEC @{function}\n{results}")


@pytest.fixture(scope="module")
def iree_and_lite_modules(reference_iree, tmp_path_factory):
    src = tmp_path_factory.mktemp("cf") / "cf_branches.mlir"
    src.write_text(open(CORPUS).read())
    return compile_both(reference_iree, src)


@pytest.mark.parametrize("function,inputs,results", RUNS)
def test_same_output_as_iree(reference_iree, iree_and_lite_modules, function, inputs, results):
    want, have = run_both(reference_iree, iree_and_lite_modules,
                          [f"--function={function}", *(f"--input={v}" for v in inputs)])
    assert have == want
    assert want == (0, f"EXEC @{function}\n{results}")


def arguments(inputs):
    """run-mlir --input values as numpy arrays (tensors) and Python ints."""
    out = []
    for v in inputs:
        if "=" in v:
            shape_type, values = v.split("=")
            dtype = {"f32": np.float32, "i32": np.int32}[shape_type.split("x")[-1]]
            out.append(np.array(values.split(), dtype))
        else:
            out.append(int(v))
    return out


@pytest.fixture(scope="module", params=EXECUTION_MODELS)
def both_vms_every_model(request):
    module = compile_module(open(CORPUS).read(), CORPUS, request.param)
    native = Context("local-task", 2)
    native.load(module)
    ref = interp.Context()
    ref.load(module)
    return native, ref


@pytest.mark.parametrize("function,inputs,results", RUNS)
def test_both_vms_give_the_same_bytes(both_vms_every_model, function, inputs, results):
    native, ref = both_vms_every_model
    args = arguments(inputs)
    have = [np.asarray(r) for r in native.invoke(function, args)]
    want = ref.invoke(function, [as_buffer(a) if isinstance(a, np.ndarray) else a for a in args])
    assert len(have) == len(want) == results.count("result[")
    for h, w in zip(have, want):
        if isinstance(w, interp.Buffer):
            assert bytes(w.data) == h.tobytes()
        else:
            assert int(h) == w
    assert [h.tolist() for h in have] == expected_values(results)


def expected_values(results):
    """The values of run-mlir's printed results: numbers, and lists for tensors."""
    values = []
    for line in results.splitlines():
        text = line.split("=", 1)[1] if "=" in line else None
        if text is None:
            continue
        numbers = [float(v) if "." in v or "f" in line.split("=")[0] else int(v) for v in text.split()]
        values.append(numbers if line[0].isdigit() else numbers[0])
    return values


def test_a_loop_that_never_ends_is_stopped_by_the_timeout():
    rc, out = lite_run("run-mlir", CORPUS, "--function=spin", "--input=1", "--timeout=0.5")
    assert rc == 1
    assert out == ("EXEC @spin\nDEADLINE_EXCEEDED; the call did not finish within its timeout of 0.5 s; invoking "
                   "function 'spin'; `sync func @spin(%input0: i32) -> (%output0: i32)`\n")


def test_the_reference_interpreter_stops_the_endless_loop_too():
    ref = interp.Context()
    ref.load(compile_module(open(CORPUS).read(), CORPUS))
    ref.deadline = Deadline(0.2)
    with pytest.raises(VMError) as e:
        ref.invoke("spin", [1])
    assert str(e.value) == "DEADLINE_EXCEEDED; the call did not finish within its timeout of 0.2 s"


def test_a_loop_of_many_trips():
    module = compile_module(open(CORPUS).read(), CORPUS)
    native = Context("local-sync")
    native.load(module)
    wrapped = (sum(range(200000)) + 2 ** 31) % 2 ** 32 - 2 ** 31   # i32 arithmetic
    assert [int(r) for r in native.invoke("sum_below", [200000])] == [wrapped]
    assert [int(r) for r in native.invoke("triangle", [300])] == [300 * 299 // 2]


# (source, the error as iree-lite renders it: MLIR's words and location)
ERRORS = [
    ("""\
     func.func @f(%a: i32) -> i32 {
       cf.br ^bb9(%a : i32)
     ^bb1(%x: i32):
       return %x : i32
     }""", "2:9: error: reference to an undefined block", "  cf.br ^bb9(%a : i32)", 8),
    ("""\
     func.func @f(%a: i32) -> i32 {
       cf.br ^bb1(%a, %a : i32, i32)
     ^bb1(%x: i32):
       return %x : i32
     }""", "2:3: error: branch has 2 operands for successor #0, but target block has 1",
     "  cf.br ^bb1(%a, %a : i32, i32)", 2),
    ("""\
     func.func @f(%a: i32, %c: i1) -> i32 {
       cf.cond_br %c, ^bb1(%a : i32), ^bb1
     ^bb1(%x: i32):
       return %x : i32
     }""", "2:3: error: branch has 0 operands for successor #1, but target block has 1",
     "  cf.cond_br %c, ^bb1(%a : i32), ^bb1", 2),
    ("""\
     func.func @f(%a: i32) -> i32 {
       cf.switch %a : i32, [
         default: ^bb1(%a : i32),
         5: ^bb1
       ]
     ^bb1(%x: i32):
       return %x : i32
     }""", "2:3: error: branch has 0 operands for successor #1, but target block has 1",
     "  cf.switch %a : i32, [", 2),
    ("""\
     func.func @f(%a: i32) -> i32 {
       %b = arith.index_cast %a : i32 to index
       cf.br ^bb1(%b : index)
     ^bb1(%x: i32):
       return %x : i32
     }""", "3:3: error: type mismatch for bb argument #0 of successor #0", "  cf.br ^bb1(%b : index)", 2),
    ("""\
     func.func @f(%a: i32) -> i32 {
       cf.br ^bb1
     ^bb1:
       %c = arith.addi %a, %a : i32
     ^bb2:
       return %a : i32
     }""", "4:8: error: block with no terminator, has 'arith.addi'", "  %c = arith.addi %a, %a : i32", 7),
    ("""\
     func.func @f(%a: i32) -> i32 {
       cf.br ^bb1
     ^bb1:
     ^bb2:
       return %a : i32
     }""", "1:1: error: empty block: expect at least a terminator", "func.func @f(%a: i32) -> i32 {", 0),
    ("""\
     func.func @f(%a: i32, %c: i1) -> i32 {
       cf.cond_br %c, ^bb1, ^bb2
     ^bb1:
       %x = arith.addi %a, %a : i32
       cf.br ^bb2
     ^bb2:
       return %x : i32
     }""", "7:3: error: operand #0 does not dominate this use", "  return %x : i32", 2),
    ("""\
     func.func @f(%a: tensor<2xi32>, %c: i1) -> tensor<2xi32> {
       cf.cond_br %c, ^bb1, ^bb2
     ^bb1:
       %x = arith.addi %a, %a : tensor<2xi32>
       cf.br ^bb2
     ^bb2:
       %y = scf.if %c -> tensor<2xi32> {
         %z = arith.muli %x, %a : tensor<2xi32>
         scf.yield %z : tensor<2xi32>
       } else {
         scf.yield %a : tensor<2xi32>
       }
       return %y : tensor<2xi32>
     }""", "8:10: error: operand #0 does not dominate this use", "    %z = arith.muli %x, %a : tensor<2xi32>", 9),
    ("""\
     func.func @f(%a: i32) -> i32 {
       cf.br ^bb1
     ^bb1:
       return %a : i32
     ^bb1:
       return %a : i32
     }""", "5:1: error: redefinition of block '^bb1'", "^bb1:", 0),
    ("""\
     func.func @f(%a: i32) -> i32 {
       cf.cond_br %a, ^bb1, ^bb1
     ^bb1:
       return %a : i32
     }""", "2:14: error: use of value '%a' expects different type than prior uses: 'i1' vs 'i32'",
     "  cf.cond_br %a, ^bb1, ^bb1", 13),
    ("""\
     func.func @f(%a: i32) -> i32 {
       cf.br ^bb1
     ^bb1:
       return %a : i32
       cf.br ^bb1
     }""", "4:3: error: 'func.return' must be the last operation of its block", "  return %a : i32", 2),
    ("""\
     func.func @f(%a: i32, %c: i1) -> i32 {
       %r = scf.if %c -> i32 {
         cf.br ^bb1
       } else {
         scf.yield %a : i32
       }
     ^bb1:
       return %a : i32
     }""", "3:11: error: iree-lite supports branches only between the blocks of a function body",
     "    cf.br ^bb1", 10),
    ("""\
     func.func @f(%a: i32, %c: i1) -> i32 {
       %r = scf.if %c -> i32 {
         scf.yield %a : i32
       ^bb1:
         scf.yield %a : i32
       } else {
         scf.yield %a : i32
       }
       return %r : i32
     }""", "4:3: error: iree-lite supports one block per region (no unstructured control flow)", "  ^bb1:", 2),
    ("""\
     func.func @f(%a: f32) -> f32 {
       cf.switch %a : f32, [
         default: ^bb1
       ]
     ^bb1:
       return %a : f32
     }""", "2:18: error: 'cf.switch' takes an integer flag, got 'f32'", "  cf.switch %a : f32, [", 17),
    ("""\
     func.func @f(%a: i32) -> i32 {
     ^bb0:
       cf.br ^bb0
     }""", "3:9: error: entry block of region may not have predecessors", "  cf.br ^bb0", 8),
    ("""\
     func.func @f(%a: i32, %c: i1) -> i32 {
       "cf.cond_br"(%c)[^bb1] <{operandSegmentSizes = array<i32: 1, 0, 0>}> : (i1) -> ()
     ^bb1:
       return %a : i32
     }""", "2:3: error: 'cf.cond_br' takes 2 successors, not 1",
     '  "cf.cond_br"(%c)[^bb1] <{operandSegmentSizes = array<i32: 1, 0, 0>}> : (i1) -> ()', 2),
    ("""\
     func.func @f(%a: i32) -> i32 {
       "cf.switch"(%a, %a)[^bb1, ^bb1] <{case_operand_segments = array<i32: 0>, case_values = dense<[4]> : vector<1xi32>, operandSegmentSizes = array<i32: 1, 0, 1>}> : (i32, i32) -> ()
     ^bb1:
       return %a : i32
     }""", "2:3: error: 'cf.switch' needs as many case_values as case_operand_segments, which share its 1 case "
          "operands", '  "cf.switch"(%a, %a)[^bb1, ^bb1] <{case_operand_segments = array<i32: 0>, case_values = '
          'dense<[4]> : vector<1xi32>, operandSegmentSizes = array<i32: 1, 0, 1>}> : (i32, i32) -> ()', 2),
]


@pytest.mark.parametrize("source,error,line,column", ERRORS)
def test_malformed_control_flow_is_a_located_error(source, error, line, column):
    with pytest.raises(Diagnostic) as e:
        compile_module(textwrap.dedent(source), "bad.mlir")
    assert e.value.render() == f"bad.mlir:{error}\n{line}\n{' ' * column}^"


def test_located_error_on_the_command_line(tmp_path):
    src = tmp_path / "bad.mlir"
    src.write_text("func.func @f(%a: i32) -> i32 {\n  cf.br ^bb9\n^bb1:\n  return %a : i32\n}\n")
    rc, out = lite_run("compile", str(src), "-o", str(tmp_path / "bad.vmfb"))
    assert (rc, out) == (1, f"{src}:2:9: error: reference to an undefined block\n  cf.br ^bb9\n        ^\n")


# Negative and 64-bit case values (the real IREE's VM takes neither today:
# it rejects negative cases, and truncates an i64 flag to 32 bits).
WIDE_CASES = """func.func @pick(%x: i64) -> i32 {
  %c0 = arith.constant 0 : i32
  %c3 = arith.constant 3 : i32
  cf.switch %x : i64, [
    default: ^bb1(%c0 : i32),
    -1: ^bb2,
    -9223372036854775808: ^bb1(%c3 : i32),
    4294967301: ^bb3
  ]
^bb1(%r: i32):
  return %r : i32
^bb2:
  %c1 = arith.constant 1 : i32
  return %c1 : i32
^bb3:
  %c2 = arith.constant 2 : i32
  return %c2 : i32
}
"""


@pytest.mark.parametrize("flag,want", [(-1, 1), (-2 ** 63, 3), (2 ** 32 + 5, 2), (5, 0), (0, 0)])
def test_switch_on_negative_and_wide_cases(both_vms, flag, want):
    native, ref = both_vms(WIDE_CASES)
    assert [int(r) for r in native.invoke("pick", [flag])] == [want]
    assert ref.invoke("pick", [flag]) == [want]


# A result bound to output storage (iree.abi.output), returned from two blocks.
OUTPUT_STORAGE = """func.func @f(%x: tensor<4xf32>, %c: i1, %out: tensor<4xf32> {iree.abi.output = 0 : index}) -> tensor<4xf32> {
  cf.cond_br %c, ^bb1, ^bb2
^bb1:
  %a = arith.addf %x, %x : tensor<4xf32>
  return %a : tensor<4xf32>
^bb2:
  %m = arith.mulf %x, %x : tensor<4xf32>
  cf.br ^bb3(%m : tensor<4xf32>)
^bb3(%r: tensor<4xf32>):
  return %r : tensor<4xf32>
}
"""


@pytest.mark.parametrize("c,want", [(1, [2, 4, 6, 8]), (0, [1, 4, 9, 16])])
def test_every_return_writes_the_output_storage(c, want):
    from iree_lite import _vm
    ctx = Context("local-sync")
    ctx.load(compile_module(OUTPUT_STORAGE, "o.mlir"))
    out = _vm.BufferView.from_bytes(8, (4,), np.zeros(4, np.float32))
    (r,) = ctx.invoke("f", [np.array([1, 2, 3, 4], np.float32), c, out])
    assert np.asarray(r).ctypes.data == np.asarray(out).ctypes.data
    assert np.asarray(out).tolist() == want


@pytest.fixture(scope="module", params=["custom", "generic"])
def printed_by_iree(request, reference_iree, tmp_path_factory):
    """The corpus as the real IREE prints it (`--compile-to=input`), in the
    custom or the generic op form, loaded on the native VM."""
    import subprocess
    out = tmp_path_factory.mktemp("printed") / f"{request.param}.mlir"
    subprocess.run([reference_iree["iree-compile"], "--compile-to=input", CORPUS, "-o", str(out),
                    *(["--mlir-print-op-generic"] if request.param == "generic" else [])],
                   check=True, capture_output=True, timeout=300)
    native = Context("local-sync")
    native.load(compile_module(out.read_text(), str(out)))
    return native


@pytest.mark.parametrize("function,inputs,results", RUNS)
def test_the_program_as_iree_prints_it_gives_the_same_results(printed_by_iree, function, inputs, results):
    have = [np.asarray(r).tolist() for r in printed_by_iree.invoke(function, arguments(inputs))]
    assert have == expected_values(results)
