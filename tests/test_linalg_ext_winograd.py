"""iree_linalg_ext.winograd.input_transform / output_transform (F(6x6, 3x3)):
against numpy on both VMs, within float rounding of IREE (whose kernels
order the sums their own way), and their located errors."""
from fractions import Fraction

import numpy as np
import pytest

from iree_lite.passes.linalg_ext_winograd import AT, BT
from test_linalg_ext import _values, tensor
from tool_runs import LITE, compile_error, iree_compile, run, same_on_both


def test_the_matrices_are_the_winograd_ones():
    """F(6, 3): the output transform of the elementwise product of the two
    transforms is the 3-tap correlation (the filter transform G computed
    here from the points), so A and B are right together."""
    points = [Fraction(0), 1, -1, 2, -2, Fraction(1, 2), Fraction(-1, 2)]
    g = []
    for p in points:
        scale = Fraction(1)
        for q in points:
            if q != p:
                scale *= p - q
        g.append([1 / scale * p ** k for k in range(3)])
    g[0] = [1, 0, 0]   # point 0's scale (-1) is in B^T's first row
    g.append([0, 0, 1])
    g = np.array(g, dtype=object)
    rng = np.random.default_rng(1)
    d = np.array([Fraction(int(v)) for v in rng.integers(-9, 9, 8)], dtype=object)
    f = np.array([Fraction(int(v)) for v in rng.integers(-9, 9, 3)], dtype=object)
    y = np.array(AT, dtype=object).dot(g.dot(f) * np.array(BT, dtype=object).dot(d))
    assert list(y) == [sum(d[i + k] * f[k] for k in range(3)) for i in range(6)]


def transform_program(name, image, tiles, dims, forward):
    x, y = (tensor(image, "f32"), tensor(tiles, "f32")) if forward else (tensor(tiles, "f32"), tensor(image, "f32"))
    return (f"func.func @t(%x: {x}) -> {y} {{\n  %e = tensor.empty() : {y}\n"
            f"  %r = iree_linalg_ext.winograd.{name} output_tile_size(6) kernel_size(3)"
            f" image_dimensions({list(dims)})\n"
            f"       ins(%x : {x}) outs(%e : {y}) -> {y}\n  return %r : {y}\n}}\n")


def np_input_transform(x, nchw):
    if nchw:
        x = x.transpose(0, 2, 3, 1)
    n, h, w, c = x.shape
    th, tw = -(-(h - 2) // 6), -(-(w - 2) // 6)
    padded = np.zeros((n, 6 * th + 2, 6 * tw + 2, c))
    padded[:, :h, :w] = x
    bt = np.array(BT, dtype=np.float64)
    out = np.zeros((8, 8, n, th, tw, c))
    for b, i, j, k in np.ndindex(n, th, tw, c):
        out[:, :, b, i, j, k] = bt @ padded[b, 6 * i:6 * i + 8, 6 * j:6 * j + 8, k] @ bt.T
    return out


def np_output_transform(t, nchw):
    _, _, n, th, tw, c = t.shape
    at = np.array(AT, dtype=np.float64)
    out = np.zeros((n, 6 * th, 6 * tw, c))
    for b, i, j, k in np.ndindex(n, th, tw, c):
        out[b, 6 * i:6 * i + 6, 6 * j:6 * j + 6, k] = at @ t[:, :, b, i, j, k] @ at.T
    return out.transpose(0, 3, 1, 2) if nchw else out


# (image shape, tiles shape, image dimensions)
INPUTS = [((1, 6, 6, 1), (8, 8, 1, 1, 1, 1), (1, 2)), ((2, 14, 9, 3), (8, 8, 2, 2, 2, 3), (1, 2)),
          ((2, 3, 10, 15), (8, 8, 2, 2, 3, 3), (2, 3)), ((5, 7), (8, 8), (1, 2))]
OUTPUTS = [((1, 6, 6, 1), (8, 8, 1, 1, 1, 1), (1, 2)), ((2, 12, 18, 3), (8, 8, 2, 2, 3, 3), (1, 2)),
           ((1, 2, 6, 12), (8, 8, 1, 1, 2, 2), (2, 3)), ((6, 6), (8, 8), (1, 2))]


@pytest.mark.parametrize("image,tiles,dims", INPUTS)
def test_input_transform_matches_numpy(image, tiles, dims, both_vms):
    x = np.random.default_rng(2).standard_normal(image).astype(np.float32)
    (got,) = same_on_both(*both_vms(transform_program("input_transform", image, tiles, dims, True)), "t", [x])
    if len(image) == 2:
        want = np_input_transform(x.reshape(1, *image, 1), False).reshape(8, 8)
    else:
        want = np_input_transform(x.astype(np.float64), dims == (2, 3))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("image,tiles,dims", OUTPUTS)
def test_output_transform_matches_numpy(image, tiles, dims, both_vms):
    t = np.random.default_rng(3).standard_normal(tiles).astype(np.float32)
    (got,) = same_on_both(*both_vms(transform_program("output_transform", image, tiles, dims, False)), "t", [t])
    if len(image) == 2:
        want = np_output_transform(t.reshape(8, 8, 1, 1, 1, 1), False).reshape(6, 6)
    else:
        want = np_output_transform(t.astype(np.float64), dims == (2, 3))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("name,case", [("input_transform", INPUTS[2]), ("output_transform", OUTPUTS[1])])
def test_close_to_iree(name, case, reference_iree, tmp_path):
    image, tiles, dims = case
    forward = name == "input_transform"
    (tmp_path / "p.mlir").write_text(transform_program(name, image, tiles, dims, forward))
    iree_compile(reference_iree, tmp_path / "p.mlir", tmp_path / "t.vmfb")
    x = np.random.default_rng(4).standard_normal(image if forward else tiles).round(3)
    args = ["--function=t", _values(x.shape, x.ravel().tolist()).format("f32")]
    outputs = []
    for cmd in ([reference_iree["iree-run-module"], f"--module={tmp_path / 't.vmfb'}"],
                [*LITE, "run-mlir", str(tmp_path / "p.mlir")]):
        code, _ = run(cmd + args + ["--output=@" + str(tmp_path / f"{len(outputs)}.npy")])
        assert code == 0
        outputs.append(np.load(tmp_path / f"{len(outputs)}.npy"))
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-5, atol=1e-4)


ERRORS = [
    (transform_program("input_transform", (1, 6, 6, 1), (8, 8, 1, 2, 1, 1), (1, 2), True),
     "t.mlir:3:8: error: 'iree_linalg_ext.winograd.input_transform' op incompatible output shape"),
    (transform_program("input_transform", (1, 6, 6, 1), (8, 8, 1, 1, 1, 1), (1, 3), True),
     "t.mlir:3:8: error: 'iree_linalg_ext.winograd.input_transform' op expect image dimensions to be either [1, 2] "
     "or [2, 3]"),
    (transform_program("output_transform", (1, 6, 6, 1), (8, 8, 1, 1, 1, 1), (1, 2), False).replace(
        "output_tile_size(6) kernel_size(3)", "output_tile_size(4) kernel_size(5)"),
     "t.mlir:3:8: error: 'iree_linalg_ext.winograd.output_transform' with output_tile_size(4) kernel_size(5) is not "
     "supported by iree-lite yet (only 6 and 3)"),
    (transform_program("output_transform", (1, 6, 6), (8, 8, 1, 1, 1, 1), (1, 2), False),
     "t.mlir:3:8: error: 'iree_linalg_ext.winograd.output_transform' op expects an image of rank 4 and tiles of "
     "rank 6, or both of rank 2"),
    (transform_program("input_transform", (1, 6, 6, 1), (8, 8, 1, 1, 1, 1), (1, 2), True).replace(
        " kernel_size(3)", ""),
     "t.mlir:3:8: error: 'iree_linalg_ext.winograd.input_transform' needs output_tile_size(..), kernel_size(..) and "
     "image_dimensions(..)"),
    (transform_program("input_transform", (9, 6), (8, 8), (1, 2), True),
     "t.mlir:3:8: error: 'iree_linalg_ext.winograd.input_transform' op expected a 8x8 tile and a tile-sized image if "
     "of rank 2"),
]


@pytest.mark.parametrize("source,message", ERRORS)
def test_errors_are_located(source, message):
    assert compile_error(source) == message
