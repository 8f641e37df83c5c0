"""Forms of MLIR that IREE's own compiler tests write and iree-compile
accepts: an op whose results go unnamed (`util.optimization_barrier %x : T`,
a dead `arith.addf`), an attribute dictionary before a named linalg op's
ins(..) (`linalg.matmul {cast = #linalg.type_fn<cast_unsigned>} ins(..)`),
`fastmath<..>` on arith.cmpf, and a global `= #util.uninitialized`. Exact
run-mlir output and the same output as the real IREE."""
import textwrap

import pytest

from tool_runs import compile_error, lite_run, run_mlir_both

PROGRAM = textwrap.dedent("""\
    util.global private mutable @sum = #util.uninitialized : tensor<2x2xf32>
    func.func @main(%a: tensor<2x2xf32>, %b: tensor<2x2xi8>) -> (tensor<2x2xf32>, tensor<2x2xi32>, tensor<2x2xi1>) {
      %z = arith.constant dense<0.0> : tensor<2x2xf32>
      arith.addf %a, %a : tensor<2x2xf32>
      %0 = linalg.matmul {"iree.opt.data_tiling"} ins(%a, %a : tensor<2x2xf32>, tensor<2x2xf32>)
          outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
      util.optimization_barrier %0 : tensor<2x2xf32>
      util.global.store %0, @sum : tensor<2x2xf32>
      %zi = arith.constant dense<0> : tensor<2x2xi32>
      %1 = linalg.matmul {cast = #linalg.type_fn<cast_unsigned>} ins(%b, %b : tensor<2x2xi8>, tensor<2x2xi8>)
          outs(%zi : tensor<2x2xi32>) -> tensor<2x2xi32>
      %e = tensor.empty() : tensor<2x2xi1>
      %c = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                           iterator_types = ["parallel", "parallel"]}
          ins(%a : tensor<2x2xf32>) outs(%e : tensor<2x2xi1>) {
      ^bb0(%in: f32, %out: i1):
        %two = arith.constant 2.0 : f32
        %gt = arith.cmpf ogt, %in, %two fastmath<nnan> : f32
        linalg.yield %gt : i1
      } -> tensor<2x2xi1>
      %s = util.global.load @sum : tensor<2x2xf32>
      return %s, %1, %c : tensor<2x2xf32>, tensor<2x2xi32>, tensor<2x2xi1>
    }
    """)
ARGS = ["--function=main", "--input=2x2xf32=1 2 3 4", "--input=2x2xi8=1 -1 2 3"]
EXPECTED = ("EXEC @main\nresult[0]: hal.buffer_view\n2x2xf32=[7 10][15 22]\nresult[1]: hal.buffer_view\n"
            "2x2xi32=[511 1020][8 519]\nresult[2]: hal.buffer_view\n2x2xi1=[00 00][01 01]\n")


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "forms.mlir"
    path.write_text(PROGRAM)
    return path


def test_run_mlir_prints_exactly(source):
    assert lite_run("run-mlir", str(source), *ARGS) == (0, EXPECTED)


def test_same_output_as_iree(reference_iree, source):
    want, have = run_mlir_both(reference_iree, source, ARGS)
    assert have == want == (0, EXPECTED)


def test_more_names_than_results_is_still_an_error():
    src = "func.func @f(%a: i32) -> i32 {\n  %x, %y = arith.addi %a, %a : i32\n  return %x : i32\n}\n"
    assert compile_error(src) == "t.mlir:2:12: error: operation defines 1 results but was provided 2 to bind"


def test_fastmath_on_cmpi_is_an_error():
    src = "func.func @f(%a: i32) -> i1 {\n  %x = arith.cmpi slt, %a, %a fastmath<nnan> : i32\n  return %x : i1\n}\n"
    assert compile_error(src) == "t.mlir:2:31: error: expected ':'"
