"""The direct pooling (buffer.pool2d, csrc/pooling.pxi): 2-D NCHW f32
poolings by maximumf or addf (linalg.pooling_nchw_max/sum, and the generic
form iree-lite's ONNX importer writes) compile to one buffer.pool2d reading
the unpadded input (a tensor.pad by -inf or +0.0 folded into the window
read); bit for bit the reference interpreter on both devices at sizes
around the kernel's paths (no work, one point, rows around a vector's
width, windows wider than the row, work around the inline threshold, a
large one); bit for bit the general path it replaces on NaNs of different
payloads and signed zeros; numerically the real IREE and onnxruntime; and
the verifier's bounds on the window and combiner constants."""

import os
import subprocess

import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.ir.elements import CONV_WINDOW_LIMIT, pack, unpack
from iree_lite.isa.module import CONST_INT, Constant
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.verifier import VerifyError, verify_module
from tool_runs import as_buffer, host_ops, iree_outputs_of, same_on_both_devices

DEVICES = [("local-sync", None), ("local-task", 2)]
PADDING = {"max": "0xFF800000", "sum": "0.0"}
COMBINE = {"max": "arith.maximumf", "sum": "arith.addf"}


def tensor(shape):
    return f"tensor<{'x'.join(map(str, shape))}xf32>"


def out_size(size, k, s, d, lo, hi):
    return (size + lo + hi - (k - 1) * d - 1) // s + 1


def pool_source(kind, n, c, h, w, k=(3, 3), s=(1, 1), d=(1, 1), low=(0, 0), high=(0, 0), form="named",
                init="fill", pad_value=None, fill_value=None):
    """@f(x) -> a pooling of pad(x) (padding, if any, by the combiner's
    padding or `pad_value`); `form` "named" (linalg.pooling_nchw_KIND) or
    "generic" (as iree-lite's ONNX importer writes it); the init a fill by
    the padding (or `fill_value`) or, with init="arg", a second argument.
    Returns (source, the shapes of the arguments)."""
    hp, wp = h + low[0] + high[0], w + low[1] + high[1]
    outs = (n, c, out_size(h, k[0], s[0], d[0], *[low[0], high[0]]), out_size(w, k[1], s[1], d[1], low[1], high[1]))
    xs, xp = (n, c, h, w), (n, c, hp, wp)
    args = [f"%x: {tensor(xs)}"] + ([f"%i: {tensor(outs)}"] if init == "arg" else [])
    src = f"func.func @f({', '.join(args)}) -> {tensor(outs)} {{\n"
    src += f"  %pv = arith.constant {pad_value or PADDING[kind]} : f32\n"
    src += f"  %fv = arith.constant {fill_value or pad_value or PADDING[kind]} : f32\n"
    operand = "%x"
    if any(low) or any(high):
        src += (f"  %p = tensor.pad %x low[0, 0, {low[0]}, {low[1]}] high[0, 0, {high[0]}, {high[1]}] {{\n"
                f"  ^bb0(%a: index, %b: index, %c: index, %d: index):\n    tensor.yield %pv : f32\n"
                f"  }} : {tensor(xs)} to {tensor(xp)}\n")
        operand = "%p"
    if init == "arg":
        acc = "%i"
    else:
        acc = "%init"
        src += (f"  %e = tensor.empty() : {tensor(outs)}\n"
                f"  %init = linalg.fill ins(%fv : f32) outs(%e : {tensor(outs)}) -> {tensor(outs)}\n")
    src += f"  %win = tensor.empty() : {tensor(k)}\n"
    if form == "named":
        src += (f"  %r = linalg.pooling_nchw_{kind} {{dilations = dense<[{d[0]}, {d[1]}]> : tensor<2xi64>, "
                f"strides = dense<[{s[0]}, {s[1]}]> : tensor<2xi64>}} ins({operand}, %win : {tensor(xp)}, "
                f"{tensor(k)}) outs({acc} : {tensor(outs)}) -> {tensor(outs)}\n")
    else:
        reads = f"d0, d1, d2 * {s[0]} + d4 * {d[0]}, d3 * {s[1]} + d5 * {d[1]}"
        src += (f"  %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> ({reads})>, "
                f"affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>, "
                f"affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = [\"parallel\", "
                f"\"parallel\", \"parallel\", \"parallel\", \"reduction\", \"reduction\"]}} "
                f"ins({operand}, %win : {tensor(xp)}, {tensor(k)}) outs({acc} : {tensor(outs)}) {{\n"
                f"  ^bb0(%v: f32, %t: f32, %o: f32):\n    %m = {COMBINE[kind]} %o, %v : f32\n"
                f"    linalg.yield %m : f32\n  }} -> {tensor(outs)}\n")
    src += f"  return %r : {tensor(outs)}\n}}\n"
    return src, [xs] + ([outs] if init == "arg" else [])


def arrays_for(shapes, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def check_both_vms(src, shapes, seed=0, arrays=None):
    """Native on each device bit for bit the reference interpreter; the results."""
    arrays = arrays_for(shapes, seed) if arrays is None else arrays
    module = compile_module(src, "p.mlir")
    assert [name for name, _ in host_ops(module)].count("buffer.pool2d") == 1
    return same_on_both_devices(module, "f", arrays)


@pytest.mark.parametrize("form", ["named", "generic"])
@pytest.mark.parametrize("kind", ["max", "sum"])
def test_poolings_are_one_direct_pooling_of_the_unpadded_input(kind, form):
    src, _ = pool_source(kind, 1, 3, 7, 8, low=(1, 1), high=(1, 1), form=form)
    names = [name for name, _ in host_ops(compile_module(src, "p.mlir"))]
    assert names.count("buffer.pool2d") == 1
    assert not {"buffer.expand", "buffer.scatter", "buffer.reduce"} & set(names)


def pooling_window(module):
    ((_, values),) = [(name, v) for name, v in host_ops(module) if name == "buffer.pool2d"]
    return list(unpack("i64", module.constants[values["window"]].data))


# The init: a fill of the combiner's padding (-inf for max, +0.0 for sum), of
# the other zero or of another value, an argument, or a fill of the padding
# the function returns as well.
@pytest.mark.parametrize("kind,init,fill_value,fresh,fills,clones", [
    ("max", "fill", None, 1, 0, 0), ("sum", "fill", None, 1, 0, 0), ("sum", "fill", "-0.0", 0, 1, 0),
    ("max", "fill", "1.5", 0, 1, 0), ("max", "arg", None, 0, 0, 1), ("max", "fill read again", None, 1, 1, 0)])
def test_a_pooling_from_a_fill_of_its_padding_starts_from_it(kind, init, fill_value, fresh, fills, clones):
    """From a fill of its padding the pooling starts each output from the
    padding itself (window entry 8, fresh): no fill to run and no copy of
    it. Another fill is a new buffer only the pooling reads: no copy of it
    to fold into (BufferPlan.folds_into_init); an argument is copied
    first. A fill returned as well keeps its value."""
    src, shapes = pool_source(kind, 1, 3, 7, 8, init="arg" if init == "arg" else "fill", fill_value=fill_value)
    if init == "fill read again":
        t = tensor((1, 3, 5, 6))
        src = src.replace(f"return %r : {t}", f"return %r, %init : {t}, {t}").replace(f"-> {t} {{", f"-> ({t}, {t}) {{")
    module = compile_module(src, "p.mlir")
    names = [name for name, _ in host_ops(module)]
    assert (pooling_window(module)[8], names.count("dispatch"), names.count("buffer.clone")) == (fresh, fills, clones)
    results = same_on_both_devices(module, "f", arrays_for(shapes, seed=4))
    if init == "fill read again":   # the fill itself, untouched by the pooling
        assert np.all(np.asarray(results[1]) == -np.inf)


@pytest.mark.parametrize("change", [("%m = arith.maximumf %o, %v", "%m = arith.maximumf %v, %o"),
                                    ("d2 * 1 + d4 * 1, d3 * 1 + d5 * 1", "d2 * 1 + d4 * 1, d3 * 1 + d5 * 1 + 1"),
                                    ("d2 * 1 + d4 * 1, d3 * 1 + d5 * 1", "d2 * 1 + d4 * 1, d3 * 1 + d4 * 1")])
def test_generics_that_are_not_such_poolings_keep_the_general_path(change):
    """The input as the combiner's first operand (its NaN would win), a read
    off by a constant, a column read at the window's row: the general path,
    with the same results on both VMs."""
    src, shapes = pool_source("max", 1, 2, 6, 7, form="generic")
    src = src.replace(*change)
    if "+ 1" in change[1]:   # one column fewer fits
        src = src.replace("tensor<1x2x4x5xf32>", "tensor<1x2x4x4xf32>")
    module = compile_module(src, "p.mlir")
    assert "buffer.pool2d" not in [name for name, _ in host_ops(module)]
    same_on_both_devices(module, "f", arrays_for(shapes, 0))


@pytest.mark.parametrize("kind,pad_value", [("max", "0.0"), ("sum", "-0.0"), ("sum", "1.0")])
def test_padding_by_other_values_is_not_folded(kind, pad_value):
    """Only the combiner's own padding reads as the kernel's: other padding stays a copy."""
    src, shapes = pool_source(kind, 1, 2, 5, 6, low=(1, 1), high=(1, 1), pad_value=pad_value)
    names = [name for name, _ in host_ops(compile_module(src, "p.mlir"))]
    assert "buffer.scatter" in names and "buffer.pool2d" in names
    check_both_vms(src, shapes)


# (n, c, h, w, k, s): no work (no image, no channel), one point, rows of 7..17
# outputs (around a vector's width), windows wider than the row (a global
# pooling), work just under and over the inline threshold (196608 points).
SIZES = [(0, 3, 5, 5, (3, 3), (1, 1)), (1, 0, 5, 5, (3, 3), (1, 1)), (1, 1, 1, 1, (1, 1), (1, 1)),
         (1, 2, 9, 9, (3, 3), (1, 1)), (1, 2, 10, 17, (2, 2), (1, 1)), (2, 3, 9, 35, (3, 3), (2, 2)),
         (1, 5, 13, 13, (13, 13), (1, 1)), (1, 3, 6, 11, (4, 11), (2, 1)),
         (1, 2, 129, 96, (3, 3), (1, 1)), (1, 2, 130, 96, (3, 3), (1, 1))]


@pytest.mark.parametrize("n,c,h,w,k,s", SIZES)
@pytest.mark.parametrize("kind", ["max", "sum"])
@pytest.mark.parametrize("init", ["fill", "arg"])
def test_sizes_match_the_reference(kind, init, n, c, h, w, k, s):
    """From the padding (a fill of it) and from an accumulator (an argument)."""
    check_both_vms(*pool_source(kind, n, c, h, w, k=k, s=s, form="generic", init=init), seed=h + w)


@pytest.mark.parametrize("low,high,s,d", [((1, 1), (1, 1), (1, 1), (1, 1)), ((2, 1), (0, 3), (2, 1), (1, 2)),
                                          ((1, 2), (2, 0), (2, 2), (2, 1)), ((0, 0), (0, 0), (3, 2), (1, 1))])
@pytest.mark.parametrize("kind", ["max", "sum"])
def test_padded_strided_dilated_windows_match_the_reference(kind, low, high, s, d):
    check_both_vms(*pool_source(kind, 1, 3, 9, 11, low=low, high=high, s=s, d=d), seed=s[0])


def test_a_large_pooling_matches_the_reference():
    """SqueezeNet's first max pooling, at a quarter of its channels."""
    check_both_vms(*pool_source("max", 1, 16, 111, 111, s=(2, 2), form="generic"), seed=3)


def special_values(shape, seed, nans):
    """NaNs (the bit patterns `nans`), -0.0, +0.0 and infinities among normal values."""
    rng = np.random.default_rng(seed)
    bits = rng.standard_normal(shape).astype(np.float32).view(np.uint32)
    specials = np.array(nans + [0x80000000, 0x00000000, 0xFF800000, 0x7F800000], np.uint32)
    pick = rng.integers(0, 4 * len(specials), size=shape)
    bits = np.where(pick < len(specials), specials[np.minimum(pick, len(specials) - 1)], bits)
    return bits.view(np.float32)


# maximumf picks its NaN by a rule; which of two NaNs an addition returns is the
# compiler's choice (its operands commute), in C as in CPython: sums see one NaN,
# x86's default one (what inf + -inf gives).
NANS = {"max": [0x7FC00001, 0xFFC00002, 0x7FC00003], "sum": [0xFFC00000]}


@pytest.mark.parametrize("form", ["named", "generic"])
@pytest.mark.parametrize("kind", ["max", "sum"])
def test_nans_and_signed_zeros_keep_the_bits_of_the_general_path(kind, form, monkeypatch):
    """The same program without the direct pooling (the window copy and
    buffer.reduce, or the unrolled element-wise fold, it replaces) gives the same bytes on the reference
    interpreter, the definition, whichever NaN or zero wins; the init (an
    argument) holds specials too, and -0 plus the padding gives +0."""
    src, shapes = pool_source(kind, 1, 4, 9, 10, low=(1, 0), high=(0, 1), s=(2, 1), init="arg", form=form)
    arrays = [special_values(shape, seed, NANS[kind]) for seed, shape in enumerate(shapes)]
    direct = check_both_vms(src, shapes, arrays=arrays)
    import iree_lite.passes.convolution as convolution
    import iree_lite.passes.linalg as linalg
    monkeypatch.setattr(convolution, "direct_pool", lambda *args: None)
    monkeypatch.setattr(linalg, "pooling_generic", lambda *args: None)
    general = compile_module(src, "p.mlir")
    assert "buffer.pool2d" not in [name for name, _ in host_ops(general)]
    ref = interp.Context()
    ref.load(general)
    (want,) = ref.invoke("f", [as_buffer(a) for a in arrays])
    assert [d.tobytes() for d in direct] == [bytes(want.data)]


# Output rows of 1 to 70 outputs around the kernels' vectors (4, 8 or 16 lanes:
# tails, masked tails, runs with no interior when the padding covers the
# row), unit, 2 and 3 column strides (3: one output at a time), 3x3 and 2x2
# windows, padding 0 and 1, a global pooling; the inputs and the init full
# of NaNs, signed zeros and infinities. Each instruction set's kernels in
# turn; no output row is a multiple of a vector past the input's last row.
def some_rows_with_nans(shapes, seed, nans):
    """special_values for each shape, NaNs only in every third row of every
    other plane (a window with one is refolded one output at a time, so the
    others keep vectors of signed zeros and infinities)."""
    arrays = []
    for at, shape in enumerate(shapes):
        with_nans, without = special_values(shape, seed + at, nans), special_values(shape, seed + at, [])
        rows = (np.arange(shape[1])[:, None, None] % 2 == 0) & (np.arange(shape[2])[:, None] % 3 == 0)
        arrays.append(np.where(rows, with_nans, without))
    return arrays


ROW_WINDOWS = [((3, 3), s, pad) for s in (1, 2, 3) for pad in (0, 1)] + [((2, 2), s, 0) for s in (1, 2, 3)] + [
    ((2, 2), 2, 1)]


@pytest.mark.parametrize("kernel_isa", ["avx512", "avx2", "sse2"], indirect=True)
@pytest.mark.parametrize("ow", [1, 15, 16, 17, 33, 70])
@pytest.mark.parametrize("kind", ["max", "sum"])
def test_row_widths_strides_and_specials_match_the_reference(kernel_isa, kind, ow):
    for k, s, pad in ROW_WINDOWS:
        w = max(1, (ow - 1) * s + k[1] - 2 * pad)
        src, shapes = pool_source(kind, 1, 2, 5, w, k=k, s=(2, s), low=(pad, pad), high=(pad, pad), init="arg")
        check_both_vms(src, shapes, arrays=some_rows_with_nans(shapes, ow + s, NANS[kind]))


@pytest.mark.parametrize("kernel_isa", ["avx512", "avx2", "sse2"], indirect=True)
@pytest.mark.parametrize("hw,pad", [((7, 7), 0), ((13, 17), 0), ((5, 6), 1)])
@pytest.mark.parametrize("kind", ["max", "sum"])
def test_global_poolings_match_the_reference(kernel_isa, kind, hw, pad):
    """A window as large as the padded input: one output per plane."""
    h, w = hw
    src, shapes = pool_source(kind, 2, 3, h, w, k=(h + 2 * pad, w + 2 * pad), low=(pad, pad), high=(pad, pad),
                              init="arg")
    check_both_vms(src, shapes, arrays=some_rows_with_nans(shapes, h, NANS[kind]))


def test_the_row_kernels_read_only_the_input_and_fold_in_order(tmp_path):
    """tests/native/pool_guard.c, built as the extension's C is: each
    instruction set's row kernel (csrc/lite_pool.h) on random windows bit for
    bit an in-order fold, with the input's end against an unreadable page
    (a read past it faults: the native VM's buffers round their storage up,
    so only there can a test see such a read)."""
    from native_build import build_native
    run = subprocess.run([build_native("pool_guard", tmp_path)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    runs, bad = map(int, run.stdout.split())
    assert bad == 0 and runs >= 3000


@pytest.mark.parametrize("kind,k,low,s,d", [
    ("max", (3, 3), (1, 1), (2, 2), (1, 1)), ("max", (2, 3), (0, 2), (1, 2), (2, 1)),
    ("sum", (3, 3), (1, 1), (1, 1), (1, 1)), ("sum", (13, 13), (0, 0), (1, 1), (1, 1)),
    ("sum", (3, 2), (2, 1), (2, 3), (1, 2))])
def test_agrees_with_iree(reference_iree, tmp_path, kind, k, low, s, d):
    src, shapes = pool_source(kind, 1, 5, 13, 13, k=k, low=low, high=low, s=s, d=d)
    (x,) = arrays_for(shapes, seed=k[0])
    theirs = iree_outputs_of(reference_iree, tmp_path, src, "f", [x])
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(compile_module(src, "p.mlir"))
        (ours,) = ctx.invoke("f", [x])
        if kind == "max":
            np.testing.assert_array_equal(np.asarray(ours), theirs)
        else:   # IREE sums in its own order
            np.testing.assert_allclose(np.asarray(ours), theirs, rtol=1e-5, atol=1e-5)


ONNX_POOLS = [
    ("MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2])),
    ("MaxPool", dict(kernel_shape=[3, 2], strides=[1, 2], pads=[1, 0, 1, 1], dilations=[2, 1])),
    ("MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)),
    ("AveragePool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])),
    ("AveragePool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)),
    ("AveragePool", dict(kernel_shape=[2, 3], strides=[1, 1], pads=[0, 2, 1, 0])),
    ("GlobalAveragePool", {}),
]


@pytest.mark.parametrize("op,attrs", ONNX_POOLS)
def test_onnx_pools_agree_with_onnxruntime(op, attrs):
    """MaxPool and AveragePool (whose pooling is the direct one) and GlobalAveragePool through import-onnx."""
    pytest.importorskip("onnxruntime")
    from onnx_op_models import check, model_of, node
    from iree_lite.onnx import import_model
    x = arrays_for([(1, 6, 15, 14)], seed=len(attrs))[0]
    nodes = [node(op, ["x"], **attrs)]
    if op != "GlobalAveragePool":
        names = [name for name, _ in host_ops(compile_module(import_model(model_of(nodes, {"x": x}, ["y"])), "m.mlir"))]
        assert "buffer.pool2d" in names
    check(nodes, {"x": x})


@pytest.fixture(scope="module")
def small_pool():
    src, _ = pool_source("max", 1, 2, 5, 5, low=(1, 1), high=(1, 1))
    return compile_module(src, "p.mlir")


def with_constants(module, window=None, combiner=None):
    """module with its buffer.pool2d's window (i64 data) or combiner (int) constant replaced."""
    ((_, values),) = [(name, v) for name, v in host_ops(module) if name == "buffer.pool2d"]
    constants = list(module.constants)
    if window is not None:
        at = values["window"]
        constants[at] = constants[at].replace(shape=(len(window),), data=pack("i64", window))
    if combiner is not None:
        constants[values["combiner"]] = Constant(CONST_INT, value=combiner)
    return module.replace(constants=constants)


WINDOW_ERROR = (f"a pooling window must be i64 sizes, strides and dilations in 1..{CONV_WINDOW_LIMIT}, pads in "
                f"0..{CONV_WINDOW_LIMIT} and fresh 0 or 1, its combiner one of maximumf, addf")


@pytest.mark.parametrize("at", range(8))
def test_the_verifier_bounds_the_window_at_its_limit(small_pool, at):
    window = [1] * 8 + [0]
    window[at] = CONV_WINDOW_LIMIT
    verify_module(with_constants(small_pool, window))
    window[at] = CONV_WINDOW_LIMIT + 1
    with pytest.raises(VerifyError, match=WINDOW_ERROR):
        verify_module(with_constants(small_pool, window))
    window[at] = 0 if at >= 6 else 1
    verify_module(with_constants(small_pool, window))
    window[at] = -1 if at >= 6 else 0
    with pytest.raises(VerifyError, match=WINDOW_ERROR):
        verify_module(with_constants(small_pool, window))


def test_the_verifier_holds_fresh_to_0_or_1(small_pool):
    for fresh in (0, 1):
        verify_module(with_constants(small_pool, [1] * 8 + [fresh]))
    for fresh in (-1, 2):
        with pytest.raises(VerifyError, match=WINDOW_ERROR):
            verify_module(with_constants(small_pool, [1] * 8 + [fresh]))


def test_the_verifier_wants_nine_entries_and_a_pooling_combiner(small_pool):
    for window in ([1] * 8, [1] * 10):
        with pytest.raises(VerifyError, match=WINDOW_ERROR):
            verify_module(with_constants(small_pool, window))
    # Nine entries' worth of bytes in another element type is no window (it used to pass unread).
    module = with_constants(small_pool, [1] * 9)
    ((_, values),) = [(name, v) for name, v in host_ops(module) if name == "buffer.pool2d"]
    constants = list(module.constants)
    constants[values["window"]] = constants[values["window"]].replace(element=isa.ELEMENT_CODES["f64"],
                                                                      data=pack("f64", [1.0] * 9))
    with pytest.raises(VerifyError, match=WINDOW_ERROR):
        verify_module(module.replace(constants=constants))
    for code, name in enumerate(isa.REDUCE_COMBINERS):
        module = with_constants(small_pool, combiner=code)
        if name in isa.POOL_PADDING:
            verify_module(module)
        else:
            with pytest.raises(VerifyError, match=WINDOW_ERROR):
                verify_module(module)
    for code in (-1, len(isa.REDUCE_COMBINERS)):
        with pytest.raises(VerifyError, match=WINDOW_ERROR):
            verify_module(with_constants(small_pool, combiner=code))
