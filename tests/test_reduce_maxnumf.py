"""arith.maxnumf and minnumf as reduction combiners (NaNs left out, NaN
only where every value and the initial value are), over f32, the 16-bit
floats and the small floats: the same bytes as the real IREE, both VMs
against numpy's fmax/fmin; IREE's defects recorded and asserted to persist
(f16 does not link, f8E8M0FNU gives wrong values, the zeros' sign follows
its vector order, f4/f6 tensors cannot cross its dispatches)."""
import subprocess
import textwrap

import numpy as np
import pytest

from iree_lite.isa.smallfloat import tables
from tool_runs import compile_both, iree_compile, lite_run, run, run_both, same_on_both

IREE_TYPES = ["f32", "bf16", "f8E4M3FN", "f8E5M2", "f8E4M3FNUZ", "f8E5M2FNUZ"]
HAS_INF = {"f32", "f16", "bf16", "f8E5M2"}


def reduce_program(element, combiner, form="reduce", rows=4):
    t, r = f"tensor<{rows}x4x{element}>", f"tensor<{rows}x{element}>"
    if form == "reduce":
        body = (f"  %r = linalg.reduce ins(%a : {t}) outs(%init : {r}) dimensions = [1]\n"
                f"    (%x: {element}, %acc: {element}) {{\n")
    else:
        body = (f"  %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, "
                "affine_map<(d0, d1) -> (d0)>], iterator_types = [\"parallel\", \"reduction\"]}\n"
                f"      ins(%a : {t}) outs(%init : {r}) {{\n    ^bb0(%x: {element}, %acc: {element}):\n")
    return (f"func.func @main(%a: {t}, %init: {r}) -> {r} {{\n{body}"
            f"      %m = arith.{combiner} %x, %acc : {element}\n      linalg.yield %m : {element}\n"
            f"  }}{' -> ' + r if form == 'generic' else ''}\n  return %r : {r}\n}}\n")


def nan_rows(element):
    """Rows with NaNs among numbers, all NaN, and the extreme (-inf, or -7
    where the format has no infinity): with no zeros of both signs."""
    low = "-inf" if element in HAS_INF else "-7"
    return [f"--input=4x4x{element}=nan 1 nan -2 nan nan nan nan {low} nan {low} nan 0.5 -3 nan 4",
            f"--input=4x{element}=0 nan {low} nan"]


@pytest.mark.parametrize("element", IREE_TYPES)
@pytest.mark.parametrize("combiner", ["maxnumf", "minnumf"])
def test_same_bytes_as_iree(element, combiner, reference_iree, tmp_path):
    src = tmp_path / "r.mlir"
    src.write_text(reduce_program(element, combiner))
    want, have = run_both(reference_iree, compile_both(reference_iree, src), ["--function=main", *nan_rows(element)])
    low = "-INF" if element in HAS_INF else "-7"
    assert have == want == (0, f"EXEC @main\nresult[0]: hal.buffer_view\n4x{element}="
                               f"{'1' if combiner == 'maxnumf' else '-2'} NAN {low} "
                               f"{'4' if combiner == 'maxnumf' else '-3'}\n")


def test_generic_reduction_form_same_bytes_as_iree(reference_iree, tmp_path):
    src = tmp_path / "g.mlir"
    src.write_text(reduce_program("f8E5M2", "maxnumf", "generic"))
    want, have = run_both(reference_iree, compile_both(reference_iree, src), ["--function=main", *nan_rows("f8E5M2")])
    assert have == want == (0, "EXEC @main\nresult[0]: hal.buffer_view\n4xf8E5M2=1 NAN -INF 4\n")


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("combiner", ["maxnumf", "minnumf"])
def test_both_vms_agree_with_numpy(dtype, combiner, both_vms):
    rng = np.random.default_rng(5)
    a = rng.standard_normal((37, 4)).astype(dtype)
    a[rng.random(a.shape) < 0.4] = np.nan
    a[3] = np.nan
    init = rng.standard_normal(37).astype(dtype)
    init[[3, 5, 8]] = np.nan
    element = {np.float32: "f32", np.float16: "f16"}[dtype]
    native, ref = both_vms(reduce_program(element, combiner, rows=37))
    (have,) = same_on_both(native, ref, "main", [a, init])
    want = (np.fmax if combiner == "maxnumf" else np.fmin).reduce(np.concatenate([init[:, None], a], 1), axis=1)
    assert have.tobytes() == want.tobytes()


def test_iree_f16_still_does_not_link(reference_iree, tmp_path):
    """IREE 3.13 lowers an f16 maxnumf to a call of fmaxf, which its embedded linker lacks."""
    src = tmp_path / "h.mlir"
    src.write_text(reduce_program("f16", "maxnumf"))
    proc = subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(src), "-o",
                           str(tmp_path / "h.vmfb")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "undefined symbol: fmaxf" in proc.stderr
    assert lite_run("run-mlir", str(src), *nan_rows("f16")) == \
        (0, "EXEC @main\nresult[0]: hal.buffer_view\n4xf16=1 NAN -INF 4\n")


def test_zeros_of_both_signs_still_differ_from_iree(reference_iree, tmp_path):
    """maxnumf of -0 and +0 may give either (LLVM's maxnum); IREE's result
    follows its vector reduction order, iree-lite's orders -0 below +0, as
    maximumf does."""
    src = tmp_path / "z.mlir"
    src.write_text(reduce_program("f32", "maxnumf", rows=1))
    args = ["--function=main", "--input=1x4xf32=-0 0 -0 0", "--input=1xf32=nan"]
    want, have = run_both(reference_iree, compile_both(reference_iree, src), args)
    assert want == (0, "EXEC @main\nresult[0]: hal.buffer_view\n1xf32=-0\n")
    assert have == (0, "EXEC @main\nresult[0]: hal.buffer_view\n1xf32=0\n")


def through(element, combiner):
    """The reduction over `element`, from f32 inputs and back (IREE cannot
    take these types as arguments)."""
    convert = textwrap.dedent("""\
          %{out} = linalg.generic {{indexing_maps = [{maps}], iterator_types = [{its}]}}
              ins(%{src} : tensor<{shape}x{a}>) outs(%{out}e : tensor<{shape}x{b}>) {{
            ^bb0(%x: {a}, %o: {b}):
              %y = arith.{op} %x : {a} to {b}
              linalg.yield %y : {b}
          }} -> tensor<{shape}x{b}>
        """)
    two = dict(maps="affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>",
               its='"parallel", "parallel"', shape="3x4")
    one = dict(maps="affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>", its='"parallel"', shape="3")
    return (f"func.func @main(%a: tensor<3x4xf32>, %i: tensor<3xf32>) -> tensor<3xf32> {{\n"
            f"  %ne = tensor.empty() : tensor<3x4x{element}>\n  %nie = tensor.empty() : tensor<3x{element}>\n"
            f"  %oe = tensor.empty() : tensor<3xf32>\n"
            + convert.format(out="n", src="a", a="f32", b=element, op="truncf", **two)
            + convert.format(out="ni", src="i", a="f32", b=element, op="truncf", **one)
            + f"  %r = linalg.reduce ins(%n : tensor<3x4x{element}>) outs(%ni : tensor<3x{element}>) dimensions = [1]\n"
              f"    (%x: {element}, %acc: {element}) {{\n      %m = arith.{combiner} %x, %acc : {element}\n"
              f"      linalg.yield %m : {element}\n    }}\n"
            + convert.format(out="o", src="r", a=element, b="f32", op="extf", **one)
            + "  return %o : tensor<3xf32>\n}\n")


THROUGH_ARGS = ["--function=main", "--input=3x4xf32=1 -2 3 0.5 nan 2 nan 4 0.25 nan 6 1.5", "--input=3xf32=0 nan 0.5"]


def expected_through(element, combiner):
    """numpy's fmax/fmin of the values each f32 rounds to in `element` (by
    the format's table; a NaN stays NaN where the format has one)."""
    values = np.array([v for v in tables(element).values], np.float64)

    def rounded(x):
        if np.isnan(x):
            return np.nan if np.isnan(values).any() else 0.0
        finite = values[np.isfinite(values)]
        return finite[np.argmin(np.abs(finite - x))]
    a = np.array([[1, -2, 3, 0.5], [np.nan, 2, np.nan, 4], [0.25, np.nan, 6, 1.5]])
    rows = np.concatenate([np.array([0, np.nan, 0.5])[:, None], a], 1)
    rows = np.vectorize(rounded)(rows)
    return (np.fmax if combiner == "maxnumf" else np.fmin).reduce(rows, axis=1).astype(np.float32)


@pytest.mark.parametrize("element", ["f4E2M1FN", "f6E2M3FN"])
@pytest.mark.parametrize("combiner", ["maxnumf", "minnumf"])
def test_formats_iree_cannot_pass_between_dispatches(element, combiner, reference_iree, tmp_path):
    """A NaN becomes 0 in these formats (they have none)."""
    src = tmp_path / "f.mlir"
    src.write_text(through(element, combiner))
    proc = subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(src), "-o",
                           str(tmp_path / "f.vmfb")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Unsupported tensor type unable to pack to bytes" in proc.stderr
    code, out = lite_run("run-mlir", str(src), *THROUGH_ARGS, f"--output=@{tmp_path / 'o.npy'}")
    assert code == 0
    assert np.load(tmp_path / "o.npy").tobytes() == expected_through(element, combiner).tobytes()


@pytest.mark.parametrize("combiner", ["maxnumf", "minnumf"])
def test_f8e8m0fnu_still_wrong_in_iree(combiner, reference_iree, tmp_path):
    """IREE 3.13 gets f8E8M0FNU extremes wrong (the max of NaN, 2, NaN, 4 is 0 there)."""
    src = tmp_path / "e.mlir"
    src.write_text(through("f8E8M0FNU", combiner))
    iree_compile(reference_iree, src, tmp_path / "e.vmfb")
    theirs = run([reference_iree["iree-run-module"], f"--module={tmp_path / 'e.vmfb'}", *THROUGH_ARGS,
                  f"--output=@{tmp_path / 'theirs.npy'}"])
    assert theirs[0] == 0
    code, out = lite_run("run-mlir", str(src), *THROUGH_ARGS, f"--output=@{tmp_path / 'ours.npy'}")
    assert code == 0
    ours, want = np.load(tmp_path / "ours.npy"), expected_through("f8E8M0FNU", combiner)
    assert ours.tobytes() == want.tobytes()
    assert np.load(tmp_path / "theirs.npy").tobytes() != want.tobytes()
