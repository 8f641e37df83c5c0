"""A direct convolution with its epilogue (buffer.conv2d.dispatch): the
element-wise consumer of a convolution (bias, BatchNorm as the ONNX
importer writes it, ReLU, residual add) runs on each block of output rows
the kernel has just finished, and a convolution from a +0.0 init starts its
sums at +0.0 itself (no fill, no copy of the accumulator). Bit for bit the
reference interpreter (which runs the two one after the other) on both
devices and both packing paths, at sizes around the panel (16 pixels), a
tile's rows, the epilogue's block of panels (16 panels, 256 pixels) and no
work at all; the fallback when the epilogue reads the convolution out of
order; numerically the real IREE."""

import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.ir.elements import unpack
from test_conv_direct import DEVICES, ISAS, conv_source, host_ops, tensor
from tool_runs import iree_outputs_of, same_on_both

MAP4 = "affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>"
CHANNEL = "affine_map<(d0, d1, d2, d3) -> (d1)>"
SWAPPED = "affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>"

# The generic's body after the convolution %a, by epilogue: its extra
# operands (name, shape kind: "channel" or "output") and the lines.
BODIES = {
    "bias_relu": ([("b", "channel")],
                  ["%s = arith.addf %a, %b : f32", "%y = arith.maximumf %s, %zero : f32"]),
    "bias_residual_relu": ([("b", "channel"), ("r", "output")],
                           ["%s = arith.addf %a, %b : f32", "%t = arith.addf %s, %r : f32",
                            "%y = arith.maximumf %t, %zero : f32"]),
    # BatchNormalization as the ONNX importer writes it, then ReLU.
    "batchnorm_relu": ([("scale", "channel"), ("shift", "channel"), ("mean", "channel"), ("var", "channel")],
                       ["%c = arith.subf %a, %mean : f32", "%eps = arith.constant 1.0e-05 : f32",
                        "%v = arith.addf %var, %eps : f32", "%sd = math.sqrt %v : f32",
                        "%q = arith.divf %c, %sd : f32", "%m = arith.mulf %q, %scale : f32",
                        "%n = arith.addf %m, %shift : f32", "%y = arith.maximumf %n, %zero : f32"]),
    # The convolution read transposed as well: not element by element.
    "transposed": ([("b", "channel")], ["%s = arith.addf %a, %b : f32", "%y = arith.addf %s, %at : f32"]),
}


def epilogue_source(body, n, c, h, w, f, k=3, pad=1):
    """@f(x, filter, extras...) -> body(conv(pad(x)) from a zero fill, extras); and the arguments' shapes."""
    oh, ow = h + 2 * pad - k + 1, w + 2 * pad - k + 1
    xs, ws, outs = (n, c, h, w), (f, c, k, k), (n, f, oh, ow)
    extras, lines = BODIES[body]
    shapes = [xs, ws] + [(f,) if kind == "channel" else outs for _, kind in extras]
    args = ", ".join(f"%{name}_in: {tensor(s)}" for name, s in zip(["x", "w"] + [e for e, _ in extras], shapes))
    xp = (n, c, h + 2 * pad, w + 2 * pad)
    ins = [("%conv", outs, MAP4)] + [(f"%{e}_in", s, CHANNEL if kind == "channel" else MAP4)
                                     for (e, kind), s in zip(extras, shapes[2:])]
    block = ["%a: f32"] + [f"%{e}: f32" for e, _ in extras]
    if body == "transposed":
        ins.append(("%conv", outs, SWAPPED))
        block.append("%at: f32")
    src = (f"func.func @f({args}) -> {tensor(outs)} {{\n"
           f"  %zero = arith.constant 0.0 : f32\n"
           f"  %p = tensor.pad %x_in low[0, 0, {pad}, {pad}] high[0, 0, {pad}, {pad}] {{\n"
           f"  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):\n    tensor.yield %zero : f32\n"
           f"  }} : {tensor(xs)} to {tensor(xp)}\n"
           f"  %e = tensor.empty() : {tensor(outs)}\n"
           f"  %init = linalg.fill ins(%zero : f32) outs(%e : {tensor(outs)}) -> {tensor(outs)}\n"
           f"  %conv = linalg.conv_2d_nchw_fchw {{dilations = dense<1> : tensor<2xi64>, "
           f"strides = dense<1> : tensor<2xi64>}} ins(%p, %w_in : {tensor(xp)}, {tensor(ws)}) "
           f"outs(%init : {tensor(outs)}) -> {tensor(outs)}\n"
           f"  %e2 = tensor.empty() : {tensor(outs)}\n"
           f"  %out = linalg.generic {{indexing_maps = [{', '.join(m for _, _, m in ins)}, {MAP4}], "
           f"iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"parallel\"]}} "
           f"ins({', '.join(v for v, _, _ in ins)} : {', '.join(tensor(s) for _, s, _ in ins)}) "
           f"outs(%e2 : {tensor(outs)}) {{\n"
           f"  ^bb0({', '.join(block)}, %o: f32):\n" + "".join(f"    {line}\n" for line in lines) +
           f"    linalg.yield %y : f32\n  }} -> {tensor(outs)}\n"
           f"  return %out : {tensor(outs)}\n}}\n")
    return src, shapes


def arguments(shapes, seed):
    """Random arguments; BatchNorm's variance (the last channel vector of four) positive."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    if len(shapes) == 6:
        arrays[-1] = np.abs(arrays[-1]) + np.float32(0.5)
    return arrays


def names_of(src):
    return [name for name, _ in host_ops(compile_module(src, "c.mlir"))]


def check_both_vms(src, shapes, seed=0, execution_model="async-internal"):
    """Native bit for bit the reference on each device; the number of
    epilogues each ran on the rows as they were done."""
    module = compile_module(src, "c.mlir", execution_model)
    arrays = arguments(shapes, seed)
    ref = interp.Context()
    ref.load(module)
    in_cache = []
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        same_on_both(ctx, ref, "f", arrays)
        in_cache.append(ctx.native.statistics()["epilogues_in_cache"])
    return in_cache


@pytest.mark.parametrize("body", ["bias_relu", "bias_residual_relu", "batchnorm_relu"])
def test_the_epilogue_is_one_instruction_with_the_convolution_from_zero(body):
    names = names_of(epilogue_source(body, 1, 3, 6, 5, 4)[0])
    assert names.count("buffer.conv2d.dispatch") == 1
    # No accumulator filled with zeros and copied, no separate pass over the output.
    assert "buffer.clone" not in names and "dispatch" not in names and "buffer.conv2d" not in names


# (n, c, h, w, f): output pixels around a panel (1, 15, 16, 17), around the
# epilogue's block of 16 panels (255, 256, 257 pixels), enough panels that
# the epilogue runs on the rows as they are done (on one worker from 64
# panels, on two from 128; the last one partial, ranges across two images;
# groups of up to 64 panels where k is small, the last partial), filters
# around a tile's rows (3..9, 33), no image.
SIZES = [(1, 2, 1, 1, 8), (1, 3, 3, 5, 7), (1, 3, 4, 4, 9), (1, 2, 1, 17, 8), (2, 2, 3, 11, 5),
         (1, 3, 15, 17, 9), (1, 2, 16, 16, 8), (1, 2, 1, 257, 3), (1, 4, 23, 19, 33), (0, 3, 4, 4, 8),
         (1, 2, 33, 33, 9), (1, 2, 47, 49, 5), (2, 2, 33, 35, 9), (1, 1, 67, 61, 4)]


@pytest.mark.parametrize("n,c,h,w,f", SIZES)
@pytest.mark.parametrize("body", ["bias_residual_relu", "batchnorm_relu"])
@ISAS
def test_sizes_around_the_panels_match_the_reference(kernel_isa, body, n, c, h, w, f):
    in_cache = check_both_vms(*epilogue_source(body, n, c, h, w, f, k=3 if h > 1 else 1, pad=1 if h > 1 else 0),
                              seed=c + f)
    # In cache where each worker takes at least 8 panels at once 8 times over.
    assert in_cache == ([1, 1] if n * h * w > 1024 else [0, 0])


def test_an_async_function_runs_the_epilogue_with_its_convolution():
    """A coarse-fences function queues its dispatches; a convolution's
    epilogue runs with the convolution all the same."""
    src, shapes = epilogue_source("bias_residual_relu", 1, 2, 33, 33, 9)
    names = [name for name, _ in host_ops(compile_module(src, "c.mlir", "async-external"))]
    assert "buffer.conv2d.dispatch" in names and "dispatch.async" not in names
    assert check_both_vms(src, shapes, seed=1, execution_model="async-external") == [1, 1]


def test_no_channels_gives_the_epilogue_of_zero_sums():
    check_both_vms(*epilogue_source("bias_residual_relu", 1, 0, 4, 4, 8, k=1, pad=0))


def test_an_epilogue_reading_the_convolution_transposed_runs_after_it():
    """The kernel reads the output transposed too (a gathered binding): the
    VM cannot run it on rows as they are done, and runs it after."""
    src, shapes = epilogue_source("transposed", 1, 5, 18, 18, 12)
    assert "buffer.conv2d.dispatch" in names_of(src)
    assert check_both_vms(src, shapes, seed=5) == [0, 0]


def test_filters_split_across_workers_with_an_epilogue():
    """One panel, 136 filters: chunks of filters, each with its own epilogue rows."""
    check_both_vms(*epilogue_source("bias_residual_relu", 1, 256, 4, 4, 136, k=1, pad=0), seed=9)


@pytest.mark.parametrize("body", ["bias_residual_relu", "batchnorm_relu"])
def test_agrees_with_iree(reference_iree, tmp_path, body):
    src, shapes = epilogue_source(body, 1, 16, 21, 19, 24)
    arrays = arguments(shapes, seed=3)
    theirs = iree_outputs_of(reference_iree, tmp_path, src, "f", arrays)
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(compile_module(src, "c.mlir"))
        (ours,) = ctx.invoke("f", arrays)
        # IREE fuses multiply-adds and sums in its own order.
        np.testing.assert_allclose(np.asarray(ours), theirs, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("init", ["1.5", "-0.0"])
@pytest.mark.parametrize("n,c,h,w,f", [(1, 3, 4, 4, 9), (1, 2, 1, 17, 8), (1, 0, 4, 4, 8)])
def test_other_inits_are_filled_and_accumulated_onto(init, n, c, h, w, f):
    """Only a +0.0 init is the kernel's own start: -0.0 + -0.0 is -0.0. The
    fill only the convolution reads is accumulated onto in place (no copy)."""
    src, xs, ws = conv_source("conv_2d_nchw_fchw", n, c, h, w, f, k=1)
    src = src.replace("dense<0.0>", f"dense<{init}>")
    module = compile_module(src, "c.mlir")
    windows = [unpack("i64", module.constants[v["window"]].data) for name, v in host_ops(module)
               if name == "buffer.conv2d"]
    names = names_of(src)
    assert [window[-1] for window in windows] == [0] and "dispatch" in names and "buffer.clone" not in names
    check_both_vms(src, [xs, ws])


def fire_source(n, c, h, w, f1, f3):
    """@f(x, w1, w3, b1, b3) -> concat(relu(conv1x1(x) + b1), relu(conv3x3(pad(x)) + b3))
    along the channels, as SqueezeNet's expand layers; and the arguments' shapes."""
    def conv_relu(k, f, wname, bname, pad):
        outs, xin = (n, f, h, w), "%p" if pad else "%x"
        return (f"  %i{k} = linalg.fill ins(%zero : f32) outs(%e{k} : {tensor(outs)}) -> {tensor(outs)}\n"
                f"  %c{k} = linalg.conv_2d_nchw_fchw {{dilations = dense<1> : tensor<2xi64>, "
                f"strides = dense<1> : tensor<2xi64>}} ins({xin}, %{wname} : "
                f"{tensor((n, c, h + 2 * pad, w + 2 * pad))}, {tensor((f, c, k, k))}) "
                f"outs(%i{k} : {tensor(outs)}) -> {tensor(outs)}\n"
                f"  %r{k} = linalg.generic {{indexing_maps = [{MAP4}, {CHANNEL}, {MAP4}], iterator_types = "
                f"[\"parallel\", \"parallel\", \"parallel\", \"parallel\"]}} ins(%c{k}, %{bname} : {tensor(outs)}, "
                f"{tensor((f,))}) outs(%e{k} : {tensor(outs)}) {{\n"
                f"  ^bb0(%a: f32, %b: f32, %o: f32):\n    %s = arith.addf %a, %b : f32\n"
                f"    %y = arith.maximumf %s, %zero : f32\n    linalg.yield %y : f32\n  }} -> {tensor(outs)}\n")
    shapes = [(n, c, h, w), (f1, c, 1, 1), (f3, c, 3, 3), (f1,), (f3,)]
    names = ["x", "w1", "w3", "b1", "b3"]
    cat = (n, f1 + f3, h, w)
    src = (f"func.func @f({', '.join(f'%{v}: {tensor(s)}' for v, s in zip(names, shapes))}) -> {tensor(cat)} {{\n"
           f"  %zero = arith.constant 0.0 : f32\n"
           f"  %e1 = tensor.empty() : {tensor((n, f1, h, w))}\n  %e3 = tensor.empty() : {tensor((n, f3, h, w))}\n"
           f"  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {{\n"
           f"  ^bb0(%i0: index, %j1: index, %j2: index, %j3: index):\n    tensor.yield %zero : f32\n"
           f"  }} : {tensor(shapes[0])} to {tensor((n, c, h + 2, w + 2))}\n"
           + conv_relu(1, f1, "w1", "b1", 0) + conv_relu(3, f3, "w3", "b3", 1) +
           f"  %cat = tensor.concat dim(1) %r1, %r3 : ({tensor((n, f1, h, w))}, {tensor((n, f3, h, w))}) "
           f"-> {tensor(cat)}\n  return %cat : {tensor(cat)}\n}}\n")
    return src, shapes


# (n, c, h, w, f1, f3): pixels around a panel (6, 16, 17) and the epilogue's
# block (255..257), enough for rows in cache (33x33), filters around a tile's
# rows; no image (no parts: the concat is copied).
FIRE_SIZES = [(1, 2, 2, 3, 3, 2), (1, 3, 4, 4, 8, 9), (1, 2, 1, 17, 7, 1), (1, 3, 15, 17, 4, 4),
              (1, 2, 1, 257, 2, 3), (1, 4, 33, 33, 8, 16), (0, 3, 4, 4, 2, 2)]


@pytest.mark.parametrize("n,c,h,w,f1,f3", FIRE_SIZES)
def test_convolutions_write_their_epilogues_into_the_parts_of_a_concat(n, c, h, w, f1, f3):
    src, shapes = fire_source(n, c, h, w, f1, f3)
    names = names_of(src)
    assert names.count("buffer.conv2d.dispatch") == 2 and "buffer.conv2d" not in names and "dispatch" not in names
    assert names.count("buffer.part") == (2 if n == 1 else 0) and names.count("buffer.scatter") == (0 if n == 1 else 2)
    in_cache = check_both_vms(src, shapes, seed=h + w)
    # In cache on one worker; on two, where each takes enough panels (the kernels' split decides).
    assert in_cache[0] == (2 if n * h * w > 1024 else 0) and in_cache[1] <= in_cache[0]
