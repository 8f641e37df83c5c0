"""linalg.generic with several outputs: parallel ones, several folds in one
reduction, and value+index reductions (argmax/argmin, as torch-mlir and
IREE's importers lower them) against a sequential loop over the body's
definition, on both VMs; and the bodies iree-lite cannot split."""
import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from tool_runs import same_on_both

ELEMENTS = {"f32": np.float32, "i32": np.int32, "i64": np.int64, "f64": np.float64}


def run_both(both_vms, source, arrays, function="f"):
    """The results of the native VM, which the reference interpreter matches byte for byte."""
    return same_on_both(*both_vms(source), function, arrays)


def test_parallel_generic_with_two_outputs(both_vms):
    src = """
func.func @f(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3x2xf32>) {
  %e = tensor.empty() : tensor<2x3xf32>
  %t = tensor.empty() : tensor<3x2xf32>
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,
                                          affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                         iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<2x3xf32>, tensor<3xf32>) outs(%e, %e : tensor<2x3xf32>, tensor<2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32, %p: f32):
    %s = arith.addf %a, %b : f32
    %m = arith.mulf %a, %b : f32
    linalg.yield %s, %m : f32, f32
  } -> (tensor<2x3xf32>, tensor<2x3xf32>)
  %tr = linalg.transpose ins(%r#1 : tensor<2x3xf32>) outs(%t : tensor<3x2xf32>) permutation = [1, 0]
  return %r#0, %tr : tensor<2x3xf32>, tensor<3x2xf32>
}
"""
    x = np.array([[1, -2, 3], [4, 5, -6]], np.float32)
    y = np.array([0.5, 2, -1], np.float32)
    s, m = run_both(both_vms, src, [x, y])
    np.testing.assert_array_equal(s, x + y)
    np.testing.assert_array_equal(m, (x * y).T)


def test_sum_and_sum_of_squares_in_one_reduction(both_vms):
    src = """
func.func @f(%x: tensor<4x6xf64>, %i: tensor<4xf64>) -> (tensor<4xf64>, tensor<4xf64>) {
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>,
                                          affine_map<(d0, d1) -> (d0)>],
                         iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x6xf64>) outs(%i, %i : tensor<4xf64>, tensor<4xf64>) {
  ^bb0(%a: f64, %s: f64, %q: f64):
    %sq = arith.mulf %a, %a : f64
    %q2 = arith.addf %q, %sq : f64
    %s2 = arith.addf %a, %s : f64
    linalg.yield %s2, %q2 : f64, f64
  } -> (tensor<4xf64>, tensor<4xf64>)
  return %r#0, %r#1 : tensor<4xf64>, tensor<4xf64>
}
"""
    x = np.arange(24, dtype=np.float64).reshape(4, 6) - 7
    init = np.array([1, 0, -2, 0.5])
    s, q = run_both(both_vms, src, [x, init])
    np.testing.assert_array_equal(s, init + x.sum(axis=1))
    np.testing.assert_array_equal(q, init + (x * x).sum(axis=1))


def arg_program(element, index_element, combiner, compare, swapped=False, shape="4x5", reduced=(1,), value="index"):
    """An arg-reduction of x (`shape`, reduced dimensions `reduced`) into
    (value, index) outputs initialised from the arguments; the picked value
    is the linearised reduced coordinate (`index`) or y's element (`y`)."""
    dims = shape.count("x") + 1
    ds = ", ".join(f"d{i}" for i in range(dims))
    kept = [i for i in range(dims) if i not in reduced]
    out_shape = "x".join(shape.split("x")[i] for i in kept)
    out_map = f"affine_map<({ds}) -> ({', '.join(f'd{i}' for i in kept)})>"
    iters = ", ".join('"reduction"' if i in reduced else '"parallel"' for i in range(dims))
    tx, ti = f"tensor<{shape}x{element}>", f"tensor<{out_shape}x{index_element}>"
    tv = f"tensor<{out_shape}x{element}>"
    pred_operands = "%acc, %a" if swapped else "%a, %acc"
    if value == "index":
        lines = []
        for k, d in enumerate(reduced):
            lines.append(f"    %i{k} = linalg.index {d} : index")
        position = "%i0"
        for k, d in enumerate(reduced[1:], 1):
            size = shape.split("x")[d]
            lines.append(f"    %n{k} = arith.constant {size} : index")
            lines.append(f"    %p{k} = arith.muli {position}, %n{k} : index")
            lines.append(f"    %q{k} = arith.addi %p{k}, %i{k} : index")
            position = f"%q{k}"
        lines.append(f"    %pick = arith.index_cast {position} : index to {index_element}")
        ins, in_types, args = "%x", tx, f"%a: {element}"
        in_maps = f"affine_map<({ds}) -> ({ds})>"
    else:
        lines = ["    %pick = arith.addf %b, %b : " + index_element]
        ins, in_types = "%x, %y", f"{tx}, tensor<{shape}x{index_element}>"
        args = f"%a: {element}, %b: {index_element}"
        in_maps = f"affine_map<({ds}) -> ({ds})>, affine_map<({ds}) -> ({ds})>"
    cmp = "arith.cmpf" if element.startswith("f") else "arith.cmpi"
    y_arg = f", %y: tensor<{shape}x{index_element}>" if value == "y" else ""
    return f"""
func.func @f(%x: {tx}{y_arg}, %vi: {tv}, %ii: {ti}) -> ({tv}, {ti}) {{
  %r:2 = linalg.generic {{indexing_maps = [{in_maps}, {out_map}, {out_map}], iterator_types = [{iters}]}}
      ins({ins} : {in_types}) outs(%vi, %ii : {tv}, {ti}) {{
  ^bb0({args}, %acc: {element}, %idx: {index_element}):
{chr(10).join(lines)}
    %m = {combiner} %a, %acc : {element}
    %c = {cmp} {compare}, {pred_operands} : {element}
    %s = arith.select %c, %pick, %idx : {index_element}
    linalg.yield %m, %s : {element}, {index_element}
  }} -> ({tv}, {ti})
  return %r#0, %r#1 : {tv}, {ti}
}}
"""


def sequential(x, picks, vinit, iinit, reduced, combine, beats):
    """The body's definition: the reduced dimensions walked in order."""
    kept = [d for d in range(x.ndim) if d not in reduced]
    order = kept + list(reduced)
    n = int(np.prod([x.shape[d] for d in reduced]))
    xs = x.transpose(order).reshape(vinit.shape + (n,))
    ps = picks.transpose(order).reshape(vinit.shape + (n,))
    v, i = vinit.copy(), iinit.copy()
    for at in np.ndindex(*vinit.shape):
        for a, p in zip(xs[at], ps[at]):
            if beats(a, v[at]):
                i[at] = p
            v[at] = combine(a, v[at])
    return v, i


@pytest.mark.parametrize("element,combiner,compare,swapped,combine,beats", [
    ("f32", "arith.maximumf", "ogt", False, np.maximum, lambda a, b: a > b),      # torch argmax: first max
    ("f32", "arith.maximumf", "oge", False, np.maximum, lambda a, b: a >= b),     # last max
    ("f32", "arith.minimumf", "olt", False, np.minimum, lambda a, b: a < b),      # argmin
    ("f32", "arith.maximumf", "olt", True, np.maximum, lambda a, b: b < a),       # acc < new
    ("f64", "arith.minimumf", "oge", True, np.minimum, lambda a, b: b >= a),      # last min, written acc >= new
    ("i32", "arith.maxsi", "sgt", False, np.maximum, lambda a, b: a > b),
    ("i32", "arith.minsi", "sle", False, np.minimum, lambda a, b: a <= b),
])
@pytest.mark.parametrize("shape,reduced", [("4x5", (1,)), ("4x5", (0,)), ("2x3x4", (0, 2)), ("3x1029", (1,))])
def test_arg_reductions_match_a_sequential_loop(both_vms, element, combiner, compare, swapped, combine, beats,
                                                shape, reduced):
    dims = tuple(int(n) for n in shape.split("x"))
    dt = ELEMENTS[element]
    rng = np.random.default_rng(len(shape) + len(compare))
    x = rng.integers(-4, 4, dims).astype(dt)   # few values: many ties
    out = tuple(n for d, n in enumerate(dims) if d not in reduced)
    vinit = rng.integers(-3, 5, out).astype(dt)   # some rows are never beaten
    iinit = np.full(out, -7, np.int64)
    src = arg_program(element, "i64", combiner, compare, swapped, shape, reduced)
    got_v, got_i = run_both(both_vms, src, [x, vinit, iinit])
    positions = np.arange(np.prod([dims[d] for d in reduced])).reshape([dims[d] for d in reduced])
    positions = np.expand_dims(positions, [d for d in range(len(dims)) if d not in reduced])
    want_v, want_i = sequential(x, np.broadcast_to(positions, dims), vinit, iinit, reduced, combine, beats)
    np.testing.assert_array_equal(got_v, want_v)
    np.testing.assert_array_equal(got_i, want_i)


def test_arg_reduction_picks_another_inputs_value(both_vms):
    """The picked value need not be an index: here y's element (doubled)
    where x is largest."""
    src = arg_program("f32", "f32", "arith.maximumf", "ogt", value="y")
    rng = np.random.default_rng(3)
    x = rng.integers(-3, 3, (4, 5)).astype(np.float32)
    y = rng.standard_normal((4, 5)).astype(np.float32)
    vinit = np.full(4, -np.inf, np.float32)
    iinit = np.full(4, 99, np.float32)
    got_v, got_i = run_both(both_vms, src, [x, y, vinit, iinit])
    np.testing.assert_array_equal(got_v, x.max(axis=1))
    np.testing.assert_array_equal(got_i, 2 * y[np.arange(4), x.argmax(axis=1)])


def test_arg_reduction_of_dynamic_shapes(both_vms):
    src = arg_program("f32", "i64", "arith.maximumf", "ogt").replace("tensor<4x5x", "tensor<?x?x").replace(
        "tensor<4x", "tensor<?x")
    for rows, cols in ((3, 7), (2, 0), (0, 4)):
        x = (np.arange(rows * cols) * 7 % 11).astype(np.float32).reshape(rows, cols)
        vinit = np.full(rows, -1, np.float32)
        iinit = np.full(rows, -1, np.int64)
        got_v, got_i = run_both(both_vms, src, [x, vinit, iinit])
        want_v, want_i = sequential(x, np.broadcast_to(np.arange(cols), x.shape), vinit, iinit, (1,), np.maximum,
                                    lambda a, b: a > b)
        np.testing.assert_array_equal(got_v, want_v)
        np.testing.assert_array_equal(got_i, want_i)


@pytest.mark.parametrize("old,new,message", [
    # the pick compared with the wrong direction for a max
    ("arith.cmpf ogt, %a, %acc", "arith.cmpf olt, %a, %acc",
     "picks the first index reaching a max with the comparison ogt or sgt of the new value with the accumulator, "
     "or the last with oge or sge; not 'olt'"),
    # a select that does not keep its own accumulator
    ("arith.select %c, %pick, %idx", "arith.select %c, %idx, %pick", "reduction bodies that end by combining"),
    # the comparison is of a sum, not of a max or min
    ("arith.maximumf %a, %acc", "arith.addf %a, %acc", "reduction bodies that end by combining"),
    # the picked value read from an accumulator
    ("%s = arith.select %c, %pick, %idx", "%z = arith.addi %idx, %pick : i64\n    %s = arith.select %c, %z, %idx",
     "reduction bodies that end by combining"),
])
def test_reduction_bodies_iree_lite_cannot_split(old, new, message):
    src = arg_program("f32", "i64", "arith.maximumf", "ogt")
    assert old in src
    with pytest.raises(Diagnostic, match=message) as e:
        compile_module(src.replace(old, new), "arg.mlir")
    assert e.value.render().startswith("arg.mlir:3:10: error:")


def test_reduction_into_an_output_that_keeps_a_unit_dimension(both_vms):
    """`(d0, d1) -> (d0, 0)` on a 2x1 output (keepdims), as ONNX softmax
    lowers its sum; and a max with its argmax beside it."""
    src = """
func.func @f(%x: tensor<2x5xf32>, %s: tensor<2x1xf32>, %m: tensor<1x2xf32>, %i: tensor<1x2xi64>)
    -> (tensor<2x1xf32>, tensor<1x2xf32>, tensor<1x2xi64>) {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>],
                       iterator_types = ["parallel", "reduction"]} ins(%x : tensor<2x5xf32>) outs(%s : tensor<2x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %out : f32
    linalg.yield %a : f32
  } -> tensor<2x1xf32>
  %q:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d0)>,
                                          affine_map<(d0, d1) -> (0, d0)>],
                         iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<2x5xf32>) outs(%m, %i : tensor<1x2xf32>, tensor<1x2xi64>) {
  ^bb0(%in: f32, %out: f32, %idx: i64):
    %k = linalg.index 1 : index
    %kk = arith.index_cast %k : index to i64
    %mx = arith.maximumf %in, %out : f32
    %c = arith.cmpf ogt, %in, %out : f32
    %sel = arith.select %c, %kk, %idx : i64
    linalg.yield %mx, %sel : f32, i64
  } -> (tensor<1x2xf32>, tensor<1x2xi64>)
  return %r, %q#0, %q#1 : tensor<2x1xf32>, tensor<1x2xf32>, tensor<1x2xi64>
}
"""
    x = np.array([[1, 5, 3, 5, 2], [-1, -2, -3, 0, -4]], np.float32)
    s, m, i = run_both(both_vms, src, [x, np.full((2, 1), 0.5, np.float32), np.full((1, 2), -np.inf, np.float32),
                                       np.zeros((1, 2), np.int64)])
    np.testing.assert_array_equal(s, 0.5 + x.sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(m, x.max(axis=1)[None])
    np.testing.assert_array_equal(i, x.argmax(axis=1)[None])


def test_a_zero_result_on_a_dimension_longer_than_one_is_an_error():
    src = arg_program("f32", "i64", "arith.maximumf", "ogt").replace(
        "affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>",
        "affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, 0)>").replace(
        "tensor<4xi64>", "tensor<4x2xi64>")
    with pytest.raises(Diagnostic, match=r"into outputs indexed by the parallel dimensions in order \(and 0 on "
                                         r"dimensions of size 1\)"):
        compile_module(src, "k.mlir")
