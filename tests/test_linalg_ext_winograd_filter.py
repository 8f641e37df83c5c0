"""iree_linalg_ext.winograd.filter_transform (F(6x6, 3x3)): HWCF and FCHW
filters and one 3x3 kernel, the same bytes as the real IREE and on both
VMs, G k G^T against exact fractions, with IREE's verifier messages for
malformed uses; the three transforms together give the convolution."""
from fractions import Fraction

import numpy as np
import pytest

from iree_lite.passes.linalg_ext_winograd import AT, BT, G
from tool_runs import LITE, compile_error, iree_compile, run, same_on_both


def program(kernel, dims):
    k = f"tensor<{'x'.join(map(str, kernel))}xf32>"
    o = "tensor<8x8xf32>"
    if len(kernel) == 4:
        c, f = (kernel[2], kernel[3]) if dims == [0, 1] else (kernel[1], kernel[0])
        o = f"tensor<8x8x{c}x{f}xf32>"
    return (f"func.func @t(%k: {k}) -> {o} {{\n  %e = tensor.empty() : {o}\n"
            f"  %r = iree_linalg_ext.winograd.filter_transform output_tile_size(6) kernel_size(3)"
            f" kernel_dimensions({dims})\n    ins(%k : {k}) outs(%e : {o}) -> {o}\n  return %r : {o}\n}}\n")


CASES = [((3, 3, 2, 5), [0, 1]), ((5, 2, 3, 3), [2, 3]), ((3, 3), [0, 1])]


def kernel_values(shape):
    return (np.arange(np.prod(shape)) % 7 - 3).astype(np.float32).reshape(shape) / 4


def exact(k, dims):
    """G k G^T of each 3x3 kernel, in fractions, as (8, 8, C, F)."""
    hwcf = k if k.ndim == 2 else (k if dims == [0, 1] else k.transpose(2, 3, 1, 0))
    g = np.array(G, dtype=object)
    kf = np.vectorize(Fraction)(hwcf.astype(np.float64))
    if kf.ndim == 2:
        return g.dot(kf).dot(g.T)
    return np.einsum("ai,ijcf,bj->abcf", g, kf, g)


@pytest.mark.parametrize("shape,dims", CASES)
def test_both_vms_match_exact_arithmetic(both_vms, shape, dims):
    native, ref = both_vms(program(shape, dims))
    k = kernel_values(shape)
    (have,) = same_on_both(native, ref, "t", [k])
    np.testing.assert_allclose(have, exact(k, dims).astype(np.float64), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape,dims", CASES)
def test_same_bytes_as_iree(reference_iree, tmp_path, shape, dims):
    src = tmp_path / "t.mlir"
    src.write_text(program(shape, dims))
    np.save(tmp_path / "k.npy", kernel_values(shape))
    iree_compile(reference_iree, src, tmp_path / "t.vmfb")
    outputs = []
    for tool, module in ((reference_iree["iree-run-module"], "t.vmfb"), (LITE + ["run-mlir", str(src)], None)):
        cmd = [tool] if isinstance(tool, str) else tool
        if module:
            cmd.append(f"--module={tmp_path / module}")
        out = tmp_path / f"out{len(outputs)}.npy"
        assert run(cmd + ["--function=t", f"--input=@{tmp_path / 'k.npy'}", f"--output=@{out}"])[0] == 0
        outputs.append(np.load(out))
    assert outputs[0].tobytes() == outputs[1].tobytes()


def test_the_three_transforms_give_the_convolution():
    """A^T ((G k G^T) * (B^T d B)) A is the 6x6 correlation of an 8x8 tile d with the kernel k."""
    rng = np.random.default_rng(3)
    d = np.vectorize(Fraction)(rng.integers(-9, 9, (8, 8)))
    k = np.vectorize(Fraction)(rng.integers(-9, 9, (3, 3)))
    g, bt, at = (np.array(m, dtype=object) for m in (G, BT, AT))
    y = at.dot(g.dot(k).dot(g.T) * bt.dot(d).dot(bt.T)).dot(at.T)
    want = np.array([[sum(d[i + a, j + b] * k[a, b] for a in range(3) for b in range(3)) for j in range(6)]
                     for i in range(6)], dtype=object)
    assert (y == want).all()


ERRORS = [
    ((3, 3, 2, 5), "tensor<8x8x5x2xf32>", [0, 1], "op incompatible output shape"),
    ((3, 3, 2, 5), "tensor<8x8x2x5xf16>", [0, 1], "op expected input/output element types to be identical"),
    ((3, 3, 2, 5), "tensor<8x8x2x5xf32>", [1, 2], "op expect kernel dimensions to be either [0, 1] or [2, 3]"),
    ((3, 4), "tensor<8x8xf32>", [0, 1], "op expected input dims to be equal to kernel size if input is of rank 2"),
    ((3, 3, 2, 5), "tensor<8x8x2xf32>", [0, 1], "op expected output rank to be equal to input rank"),
]


@pytest.mark.parametrize("shape,out,dims,message", ERRORS)
def test_malformed_uses_are_iree_errors(reference_iree, tmp_path, shape, out, dims, message):
    k = f"tensor<{'x'.join(map(str, shape))}xf32>"
    src = (f"func.func @t(%k: {k}, %o: {out}) -> {out} {{\n"
           f"  %r = iree_linalg_ext.winograd.filter_transform output_tile_size(6) kernel_size(3)"
           f" kernel_dimensions({dims}) ins(%k : {k}) outs(%o : {out}) -> {out}\n  return %r : {out}\n}}\n")
    want = f"2:8: error: 'iree_linalg_ext.winograd.filter_transform' {message}"
    assert compile_error(src) == f"t.mlir:{want}"
    path = tmp_path / "t.mlir"
    path.write_text(src)
    import subprocess
    proc = subprocess.run([reference_iree["iree-compile"], "--compile-to=input", str(path)], capture_output=True,
                          text=True, timeout=120)
    assert proc.stderr.startswith(f"{path}:{want}")
