"""flow.tensor.bitcast (bytes read as another type; into i1 with
#iree_encoding.packed_storage, a bit an element, the lowest first) and
flow.tensor.reshape, as IREE's attention tests build i1 masks with them:
against numpy on both VMs, byte for byte against IREE, and their located
errors."""
import numpy as np
import pytest

from tool_runs import compile_error, run_mlir_both, same_on_both

def packed_program(src, shape):
    """The bits of a `src` tensor as a `shape` i1 tensor, returned widened to i8."""
    n = "x".join(map(str, shape))
    bits = f"tensor<{n}xi1, #iree_encoding.packed_storage>"
    return (f"func.func @bits(%x: {src}) -> tensor<{n}xi8> {{\n"
            f"  %b = flow.tensor.bitcast %x : {src} -> {bits}\n"
            f"  %e = tensor.empty() : tensor<{n}xi8>\n"
            "  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],\n"
            "                       iterator_types = [\"parallel\", \"parallel\"]}\n"
            f"      ins(%b : {bits}) outs(%e : tensor<{n}xi8>) {{\n"
            "  ^bb0(%v: i1, %o: i8):\n    %w = arith.extui %v : i1 to i8\n    linalg.yield %w : i8\n"
            f"  }} -> tensor<{n}xi8>\n  return %r : tensor<{n}xi8>\n}}\n")


PACKED = packed_program("tensor<3xi8>", (2, 12))
PACKED_WIDE = packed_program("tensor<2xi32>", (4, 16))

SAME_WIDTH = """
func.func @same(%x: tensor<2x3xf32>, %n: index) -> tensor<?x2xi32> {
  %b = flow.tensor.bitcast %x : tensor<2x3xf32> -> tensor<3x2xi32>
  %r = flow.tensor.reshape %b : tensor<3x2xi32> -> tensor<?x2xi32>{%n}
  return %r : tensor<?x2xi32>
}
"""


def test_packed_bits_lowest_first(both_vms):
    x = np.array([165, 1, 254], np.uint8).view(np.int8)
    (got,) = same_on_both(*both_vms(PACKED), "bits", [x])
    np.testing.assert_array_equal(got, np.unpackbits(x.view(np.uint8), bitorder="little").reshape(2, 12))


def test_packed_bits_of_wider_integers(both_vms):
    x = np.array([0x12345678, -2], np.int32)
    (got,) = same_on_both(*both_vms(PACKED_WIDE), "bits", [x])
    np.testing.assert_array_equal(got, np.unpackbits(x.view(np.uint8), bitorder="little").reshape(4, 16))


def test_same_width_bitcast_and_reshape(both_vms):
    x = np.array([[1.5, -2, 0], [1e-3, np.inf, -0.0]], np.float32)
    native, ref = both_vms(SAME_WIDTH)
    got = native.invoke("same", [x, 3])[0]
    np.testing.assert_array_equal(np.asarray(got), x.view(np.int32).reshape(3, 2))


@pytest.mark.parametrize("source,args", [
    (PACKED, ["--function=bits", "--input=3xi8=-91 7 -128"]),
    (PACKED_WIDE, ["--function=bits", "--input=2xi32=305419896 -2"]),
    (SAME_WIDTH, ["--function=same", "--input=2x3xf32=1.5 -2 0 0.001 3 -0", "--input=3"]),
])
def test_same_output_as_iree(source, args, reference_iree, tmp_path):
    (tmp_path / "p.mlir").write_text(source)
    theirs, ours = run_mlir_both(reference_iree, tmp_path / "p.mlir", args)
    assert ours == theirs and ours[0] == 0


ERRORS = [
    (packed_program("tensor<3xi8>", (2, 11)),
     "t.mlir:2:8: error: 'flow.tensor.bitcast' changes the number of bytes: 'tensor<3xi8>' -> 'tensor<2x11xi1>'"),
    (SAME_WIDTH.replace("-> tensor<3x2xi32>", "-> tensor<3x2xi16>").replace("%b : tensor<3x2xi32>",
                                                                               "%b : tensor<3x2xi16>"),
     "t.mlir:3:8: error: 'flow.tensor.bitcast' changes the number of bytes: 'tensor<2x3xf32>' -> "
     "'tensor<3x2xi16>'"),
    (SAME_WIDTH.replace("tensor<?x2xi32>{%n}", "tensor<?x2xi32>"),
     "t.mlir:4:8: error: 'flow.tensor.reshape' needs one index size per dynamic dimension of 'tensor<3x2xi32>' and "
     "of 'tensor<?x2xi32>'"),
    (SAME_WIDTH.replace("-> tensor<?x2xi32>{%n}", "-> tensor<4x2xi32>").replace(
        "-> tensor<?x2xi32> {", "-> tensor<4x2xi32> {").replace("return %r : tensor<?x2xi32>",
                                                                "return %r : tensor<4x2xi32>"),
     "t.mlir:4:8: error: 'flow.tensor.reshape' changes the number of elements: 'tensor<3x2xi32>' -> "
     "'tensor<4x2xi32>'"),
    (PACKED.replace("%x : tensor<3xi8> -> tensor<2x12xi1, #iree_encoding.packed_storage>",
                    "%x : tensor<3xi8> -> tensor<2x12xi1, #iree_encoding.layout<[]>>"),
     "t.mlir:2:65: error: tensor encodings other than #iree_encoding.packed_storage of i1 elements are not supported "
     "by iree-lite"),
    (PACKED.replace("%x: tensor<3xi8>", "%x: tensor<3xf32>").replace("%x : tensor<3xi8>", "%x : tensor<3xf32>"),
     "t.mlir:2:8: error: 'flow.tensor.bitcast' to packed i1 bits reads integer elements of static shapes "
     "(iree-lite), not 'tensor<3xf32>' -> 'tensor<2x12xi1>'"),
    ("func.func @f(%a: f32) -> f32 {\n  %r = \"flow.tensor.reshape\"(%a) {operandSegmentSizes = array<i32: 1, 0, 0>} : "
     "(f32) -> f32\n  return %r : f32\n}\n",
     "t.mlir:2:8: error: 'flow.tensor.reshape' takes a tensor and gives one, not 'f32' -> 'f32'"),
]


@pytest.mark.parametrize("source,message", ERRORS)
def test_errors_are_located(source, message):
    assert compile_error(source) == message
