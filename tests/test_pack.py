"""linalg.pack and linalg.unpack (data tiling): against a numpy definition on
both VMs, and byte for byte against IREE."""
import os
import subprocess

import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from tool_runs import LITE, REPO, as_buffer, compile_both, iree_compile, run, run_both



def np_pack(x, pos, tiles, perm, pad):
    """MLIR's definition: pad each tiled dimension to whole tiles, cut it in
    (outer, tile), then the outer dimensions permuted, then the tiles."""
    padded = [-(-n // tiles[pos.index(d)]) * tiles[pos.index(d)] if d in pos else n for d, n in enumerate(x.shape)]
    xp = np.full(padded, pad, x.dtype)
    xp[tuple(slice(0, n) for n in x.shape)] = x
    shape, where = [], {}
    for d, n in enumerate(padded):
        where["o", d] = len(shape)
        shape.append(n // tiles[pos.index(d)] if d in pos else n)
        if d in pos:
            where["t", d] = len(shape)
            shape.append(tiles[pos.index(d)])
    return xp.reshape(shape).transpose([where["o", d] for d in perm] + [where["t", d] for d in pos])


def pack_program(shape, pos, tiles, perm, element="f32"):
    packed = np_pack(np.zeros(shape), pos, tiles, perm, 0).shape
    a = "x".join(map(str, shape)) + f"x{element}"
    b = "x".join(map(str, packed)) + f"x{element}"
    attrs = f"outer_dims_perm = {list(perm)} inner_dims_pos = {list(pos)} inner_tiles = {list(tiles)}"
    pad = "-1.5" if element.startswith("f") else "-1"
    return (f"func.func @pack(%x: tensor<{a}>) -> tensor<{b}> {{\n"
            f"  %pad = arith.constant {pad} : {element}\n  %init = tensor.empty() : tensor<{b}>\n"
            f"  %p = linalg.pack %x padding_value(%pad : {element}) {attrs} into %init : tensor<{a}> -> tensor<{b}>\n"
            f"  return %p : tensor<{b}>\n}}\n"
            f"func.func @unpack(%y: tensor<{b}>) -> tensor<{a}> {{\n  %init = tensor.empty() : tensor<{a}>\n"
            f"  %u = linalg.unpack %y {attrs} into %init : tensor<{b}> -> tensor<{a}>\n  return %u : tensor<{a}>\n}}\n")


CASES = [((4, 4), (0, 1), (2, 2), (0, 1)), ((5, 7), (0, 1), (2, 4), (1, 0)), ((5, 7), (1, 0), (4, 2), (1, 0)),
         ((1, 9), (0, 1), (8, 4), (0, 1)), ((3, 5, 6), (2,), (4,), (2, 0, 1)), ((0, 3), (0,), (2,), (0, 1)),
         ((33, 17), (1, 0), (16, 8), (0, 1))]


@pytest.mark.parametrize("shape,pos,tiles,perm", CASES)
def test_pack_and_unpack_match_numpy(shape, pos, tiles, perm, both_vms):
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape) - 3
    want = np_pack(x, pos, tiles, perm, np.float32(-1.5))
    native, ref = both_vms(pack_program(shape, pos, tiles, perm))

    def call(ctx, name, arg):
        if ctx is native:
            return np.asarray(ctx.invoke(name, [arg])[0])
        (r,) = ctx.invoke(name, [as_buffer(arg)])
        return np.frombuffer(bytes(r.data), np.float32).reshape(r.shape)
    for ctx in (native, ref):
        np.testing.assert_array_equal(call(ctx, "pack", x), want)
        np.testing.assert_array_equal(call(ctx, "unpack", np.ascontiguousarray(want)), x)


def test_pack_errors_are_located():
    source = pack_program((5, 7), (0, 1), (2, 4), (0, 1)).replace("inner_tiles = [2, 4]", "inner_tiles = [2]", 1)
    with pytest.raises(Diagnostic, match=r"t.mlir:4:8: error: 'linalg.pack' needs one tile size per distinct "
                                         r"dimension of 'tensor<5x7xf32>' in inner_dims_pos"):
        compile_module(source, "t.mlir")


# Dynamic sizes and tiles, as IREE's e2e tests write them (IREE's llvm-cpu
# cannot compile an unpack with a dynamic tile: an unbounded stack allocation).
DYNAMIC = """
func.func @pack_dyn(%x: tensor<?x?xi32>, %t: index) -> tensor<?x?x?x3xi32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %pad = arith.constant 9 : i32
  %d0 = tensor.dim %x, %c0 : tensor<?x?xi32>
  %d1 = tensor.dim %x, %c1 : tensor<?x?xi32>
  %o0 = arith.ceildivsi %d0, %t : index
  %o1 = arith.ceildivsi %d1, %c3 : index
  %init = tensor.empty(%o0, %o1, %t) : tensor<?x?x?x3xi32>
  %p = linalg.pack %x padding_value(%pad : i32) inner_dims_pos = [0, 1] inner_tiles = [%t, 3] into %init
    : tensor<?x?xi32> -> tensor<?x?x?x3xi32>
  return %p : tensor<?x?x?x3xi32>
}
func.func @unpack_dyn(%x: tensor<?x?x2x3xi32>, %n: index, %m: index) -> tensor<?x?xi32> {
  %init = tensor.empty(%n, %m) : tensor<?x?xi32>
  %u = linalg.unpack %x outer_dims_perm = [1, 0] inner_dims_pos = [0, 1] inner_tiles = [2, 3] into %init
    : tensor<?x?x2x3xi32> -> tensor<?x?xi32>
  return %u : tensor<?x?xi32>
}
"""
RUNS = [("pack_dyn", ["--input=5x7xi32=" + " ".join(map(str, range(35))), "--input=2"]),
        ("pack_dyn", ["--input=0x4xi32=", "--input=3"]),
        ("unpack_dyn", ["--input=3x2x2x3xi32=" + " ".join(map(str, range(36))), "--input=3", "--input=7"]),
        ("unpack_dyn", ["--input=3x2x2x3xi32=1", "--input=4", "--input=9"])]


@pytest.mark.parametrize("case", range(len(CASES) + len(RUNS)))
def test_same_output_as_iree(case, reference_iree, tmp_path):
    if case < len(CASES):
        shape, pos, tiles, perm = CASES[case]
        source = pack_program(shape, pos, tiles, perm, "i32")
        x = " ".join(str(v - 3) for v in range(int(np.prod(shape))))
        runs = [("pack", [f"--input={'x'.join(map(str, shape))}xi32={x}"])]
    else:
        source, runs = DYNAMIC, [RUNS[case - len(CASES)]]
    (tmp_path / "p.mlir").write_text(source)
    modules = compile_both(reference_iree, tmp_path / "p.mlir")
    for name, args in runs:
        theirs, ours = run_both(reference_iree, modules, [f"--function={name}", *args])
        assert ours == theirs and ours[0] == 0


def test_known_defect_unpack_past_the_packed_data(reference_iree, tmp_path):
    """An unpack into a tensor larger than the packed data: IREE reads past it
    and prints whatever it finds; iree-lite fails the call."""
    (tmp_path / "p.mlir").write_text(DYNAMIC)
    iree_compile(reference_iree, tmp_path / "p.mlir", tmp_path / "t.vmfb")
    args = ["--function=unpack_dyn", "--input=3x2x2x3xi32=1", "--input=5", "--input=9"]
    theirs = run([reference_iree["iree-run-module"], f"--module={tmp_path / 't.vmfb'}", *args])
    proc = subprocess.run([*LITE, "run-mlir", str(tmp_path / "p.mlir"), *args],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONPATH=REPO))
    assert theirs[0] == 0
    assert proc.returncode == 1 and proc.stderr.startswith(
        "OUT_OF_RANGE; slice 0 + 5 x 1 is outside dimension 0 of size 4 of a tensor of shape '4x9'; invoking function "
        "'unpack_dyn'")


def test_generic_form_as_iree_prints_it(reference_iree, tmp_path):
    """linalg.pack/unpack as `--mlir-print-op-generic` prints them (operand
    segments, static_inner_tiles with dynamic entries) run as the custom form."""
    (tmp_path / "p.mlir").write_text(DYNAMIC)
    generic = subprocess.run([reference_iree["iree-compile"], "--compile-to=input", "--mlir-print-op-generic",
                              str(tmp_path / "p.mlir")], check=True, capture_output=True, text=True, timeout=300).stdout
    assert '"linalg.pack"' in generic and "static_inner_tiles = array<i64: -9223372036854775808, 3>" in generic
    (tmp_path / "g.mlir").write_text(generic)
    for name, args in RUNS:
        custom, printed = (run([*LITE, "run-mlir", str(tmp_path / f), f"--function={name}", *args])
                           for f in ("p.mlir", "g.mlir"))
        assert printed == custom and custom[0] == 0
