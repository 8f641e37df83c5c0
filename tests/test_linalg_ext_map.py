"""iree_linalg_ext.map_load and map_store, and the affine index ops their
regions use (linalg/delinearize_index): against numpy on both VMs, byte
for byte against IREE, and their located errors."""
import numpy as np
import pytest

from tool_runs import as_buffer, compile_error, run_mlir_both, same_on_both

# out[i, j] = src[j, i] for a 3x5 source into a 6x3 output: rows 5 and past padded.
LOAD_TRANSPOSED = """
func.func @load(%src: tensor<3x5xf32>) -> tensor<6x3xf32> {
  %pad = arith.constant -9.0 : f32
  %e = tensor.empty() : tensor<6x3xf32>
  %r = iree_linalg_ext.map_load %src into %e {
  ^bb0(%i: index, %j: index):
    iree_linalg_ext.yield %j, %i, %pad : index, index, f32
  } : tensor<3x5xf32> into tensor<6x3xf32> -> tensor<6x3xf32>
  return %r : tensor<6x3xf32>
}
"""

# out[i] = src[i - 2] (as 2-D coordinates of a 4x3 source), a padding that varies: -i.
LOAD_SHIFTED = """
func.func @load(%src: tensor<4x3xi32>) -> tensor<16xi32> {
  %e = tensor.empty() : tensor<16xi32>
  %c2 = arith.constant 2 : index
  %r = iree_linalg_ext.map_load %src into %e {
  ^bb0(%i: index):
    %s = arith.subi %i, %c2 : index
    %p:2 = affine.delinearize_index %s into (4, 3) : index, index
    %n = arith.index_cast %i : index to i32
    %z = arith.constant 0 : i32
    %pad = arith.subi %z, %n : i32
    iree_linalg_ext.yield %p#0, %p#1, %pad : index, index, i32
  } : tensor<4x3xi32> into tensor<16xi32> -> tensor<16xi32>
  return %r : tensor<16xi32>
}
"""

# out[j * 4 + i] = x[i, j] where i + j is even; out is the given tensor elsewhere.
STORE_MASKED = """
func.func @store(%x: tensor<4x3xf32>, %out: tensor<12xf32>) -> tensor<12xf32> {
  %c2 = arith.constant 2 : index
  %c0 = arith.constant 0 : index
  %r = iree_linalg_ext.map_store %x into %out {
  ^bb0(%i: index, %j: index):
    %at = affine.linearize_index disjoint [%j, %i] by (3, 4) : index
    %s = arith.addi %i, %j : index
    %m = arith.remui %s, %c2 : index
    %even = arith.cmpi eq, %m, %c0 : index
    iree_linalg_ext.yield %at, %even : index, i1
  } : tensor<4x3xf32> into tensor<12xf32> -> tensor<12xf32>
  return %r : tensor<12xf32>
}
"""

# Later elements win where two map to the same place: out[i mod 3] = x[i].
STORE_OVERLAPPING = """
func.func @store(%x: tensor<7xi32>, %out: tensor<3xi32>) -> tensor<3xi32> {
  %true = arith.constant true
  %r = iree_linalg_ext.map_store %x into %out {
  ^bb0(%i: index):
    %q:2 = affine.delinearize_index %i into (3) : index, index
    iree_linalg_ext.yield %q#1, %true : index, i1
  } : tensor<7xi32> into tensor<3xi32> -> tensor<3xi32>
  return %r : tensor<3xi32>
}
"""


def test_map_load_pads_outside_the_source(both_vms):
    src = np.arange(15, dtype=np.float32).reshape(3, 5) + 0.5
    want = np.full((6, 3), -9.0, np.float32)
    want[:5] = src.T
    (got,) = same_on_both(*both_vms(LOAD_TRANSPOSED), "load", [src])
    np.testing.assert_array_equal(got, want)


def test_map_load_with_a_varying_padding(both_vms):
    src = np.arange(12, dtype=np.int32).reshape(4, 3) * 10
    i = np.arange(16)
    want = np.where((i >= 2) & (i < 14), np.concatenate([[0, 0], src.ravel(), [0, 0]]), -i).astype(np.int32)
    (got,) = same_on_both(*both_vms(LOAD_SHIFTED), "load", [src])
    np.testing.assert_array_equal(got, want)


def test_map_store_writes_where_the_mask_holds(both_vms):
    x = np.arange(12, dtype=np.float32).reshape(4, 3) + 1
    out = np.full(12, -1.0, np.float32)
    want = out.copy()
    for i, j in np.ndindex(4, 3):
        if (i + j) % 2 == 0:
            want[j * 4 + i] = x[i, j]
    (got,) = same_on_both(*both_vms(STORE_MASKED), "store", [x, out])
    np.testing.assert_array_equal(got, want)


def test_map_store_later_elements_win(both_vms):
    (got,) = same_on_both(*both_vms(STORE_OVERLAPPING), "store",
                          [np.arange(7, dtype=np.int32) + 1, np.zeros(3, np.int32)])
    np.testing.assert_array_equal(got, [7, 5, 6])


def test_map_store_outside_the_output_fails_the_call(both_vms):
    from iree_lite.vm.errors import VMError
    native, ref = both_vms(STORE_OVERLAPPING.replace("into (3)", "into (5)"))
    args = [np.arange(7, dtype=np.int32), np.zeros(3, np.int32)]
    with pytest.raises(VMError, match="OUT_OF_RANGE; index -1 out of bounds"):
        native.invoke("store", args)
    with pytest.raises(VMError, match="OUT_OF_RANGE"):
        ref.invoke("store", [as_buffer(a) for a in args])


INDEX_OPS = """
func.func @index(%a: index, %b: index, %n: index) -> (index, index, index, index, index, index) {
  %r = affine.linearize_index disjoint [%a, %b] by (%n, 4) : index
  %s = affine.linearize_index [%a, %b, %n] by (5, 3) : index
  %p:2 = affine.delinearize_index %a into (%n, 4) : index, index
  %q:3 = affine.delinearize_index %b into (2, 3) : index, index, index
  return %r, %s, %p#0, %p#1, %q#0, %q#2 : index, index, index, index, index, index
}
"""


@pytest.mark.parametrize("a,b,n", [(7, 3, 3), (-7, 3, 3), (0, 29, 1), (123, -13, 7)])
def test_index_ops_same_as_iree(a, b, n, reference_iree, tmp_path):
    (tmp_path / "p.mlir").write_text(INDEX_OPS)
    theirs, ours = run_mlir_both(reference_iree, tmp_path / "p.mlir",
                                 ["--function=index", f"--input={a}", f"--input={b}", f"--input={n}"])
    assert ours == theirs and ours[0] == 0


@pytest.mark.parametrize("source,args", [
    (LOAD_TRANSPOSED, ["--input=3x5xf32=" + " ".join(str(v / 4) for v in range(15))]),
    (LOAD_SHIFTED, ["--input=4x3xi32=" + " ".join(map(str, range(12)))]),
    (STORE_MASKED, ["--input=4x3xf32=" + " ".join(map(str, range(12))), "--input=12xf32=-1"]),
])
def test_same_output_as_iree(source, args, reference_iree, tmp_path):
    (tmp_path / "p.mlir").write_text(source)
    name = source.split("@", 1)[1].split("(", 1)[0]
    theirs, ours = run_mlir_both(reference_iree, tmp_path / "p.mlir", [f"--function={name}", *args])
    assert ours == theirs and ours[0] == 0


ERRORS = [
    (LOAD_TRANSPOSED.replace("%j, %i, %pad : index, index, f32", "%j, %pad : index, f32"),
     "t.mlir:5:8: error: 'iree_linalg_ext.map_load' op expected transformation_region to yield a value for each "
     "source dimension and a padding value"),
    (LOAD_TRANSPOSED.replace("^bb0(%i: index, %j: index)", "^bb0(%i: index, %j: index, %k: index)"),
     "t.mlir:5:8: error: 'iree_linalg_ext.map_load' op expected number of block arguments to be equal to the "
     "output rank"),
    (LOAD_TRANSPOSED.replace("-9.0 : f32", "-9.0 : f16").replace("%i, %pad : index, index, f32",
                                                               "%i, %pad : index, index, f16"),
     "t.mlir:5:8: error: 'iree_linalg_ext.map_load' op expected yielded padding value type to match source "
     "element type"),
    (LOAD_TRANSPOSED.replace("^bb0(%i: index, %j: index)", "^bb0(%i: index, %j: i32)").replace(
        "yield %j, %i,", "yield %i, %i,"),
     "t.mlir:5:8: error: 'iree_linalg_ext.map_load' op expected block arguments to be index types"),
    (LOAD_TRANSPOSED.replace("} : tensor<3x5xf32> into tensor<6x3xf32> -> tensor<6x3xf32>",
                             "} : tensor<3x5xf32> into tensor<6x3xf32>"),
     "t.mlir:9:3: error: 'iree_linalg_ext.map_load' of tensors needs its result type (`-> tensor<6x3xf32>`)"),
    (LOAD_TRANSPOSED.replace("-> tensor<6x3xf32>\n  return", "-> tensor<6x3xi32>\n  return"),
     "t.mlir:8:47: error: 'iree_linalg_ext.map_load' result must have the output's type 'tensor<6x3xf32>'"),
    (STORE_MASKED.replace("%at, %even : index, i1", "%at, %at : index, index"),
     "t.mlir:5:8: error: 'iree_linalg_ext.map_store' op expected yielded mask to be i1 type"),
    (STORE_MASKED.replace("%at, %even : index, i1", "%at, %i, %even : index, index, i1"),
     "t.mlir:5:8: error: 'iree_linalg_ext.map_store' op expected transformation_region to yield a value for each "
     "output dimension and a mask"),
    (STORE_MASKED.replace("%out: tensor<12xf32>) -> tensor<12xf32>", "%out: tensor<12xi32>) -> tensor<12xi32>")
     .replace("into tensor<12xf32> -> tensor<12xf32>", "into tensor<12xi32> -> tensor<12xi32>")
     .replace("return %r : tensor<12xf32>", "return %r : tensor<12xi32>"),
     "t.mlir:5:8: error: 'iree_linalg_ext.map_store' op expected input and output element types to match"),
    (INDEX_OPS.replace("by (5, 3)", "by (3)"),
     "t.mlir:4:8: error: 'affine.linearize_index' needs a basis of as many sizes as indices, or one fewer, not 1 "
     "for 3"),
    (INDEX_OPS.replace("into (2, 3)", "into (0, 3)"),
     "t.mlir:6:10: error: 'affine.delinearize_index' basis sizes must be positive"),
    (INDEX_OPS.replace("by (5, 3)", "by (5, 3.0)"),
     "t.mlir:4:51: error: expected a basis size or index value"),
    ("func.func @f(%a: f32, %i: index) -> index {\n  %s = \"affine.linearize_index\"(%a, %i) {operandSegmentSizes = "
     "array<i32: 2, 0>, static_basis = array<i64: 3, 4>} : (f32, index) -> index\n  return %s : index\n}\n",
     "t.mlir:2:8: error: 'affine.linearize_index' takes index values"),
]


@pytest.mark.parametrize("source,message", ERRORS)
def test_errors_are_located(source, message):
    assert compile_error(source) == message
