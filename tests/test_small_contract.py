"""Contractions and reductions over sub-byte integers and small floats:
linalg's implied extension to an f32/i32 accumulator, and accumulators of
the small type itself (IREE accumulates floats in f32 and rounds once;
integers wrap to their width); differential against the real IREE on both
VMs."""
import pytest

from tool_runs import LITE, compile_both, run, run_both


def reduce_fn(name, t, shape, init, combiner, out_t=None):
    out_t = out_t or t
    rows, n = shape
    ext = "" if out_t == t else f"\n      %w = arith.extf %x : {t} to {out_t}"
    x = "%x" if out_t == t else "%w"
    return f"""
func.func @{name}(%a: tensor<{rows}x{n}x{t}>) -> tensor<{rows}x{out_t}> {{
  %z = arith.constant {init} : {out_t}
  %e = tensor.empty() : tensor<{rows}x{out_t}>
  %f = linalg.fill ins(%z : {out_t}) outs(%e : tensor<{rows}x{out_t}>) -> tensor<{rows}x{out_t}>
  %r = linalg.reduce ins(%a : tensor<{rows}x{n}x{t}>) outs(%f : tensor<{rows}x{out_t}>) dimensions = [1]
    (%x: {t}, %y: {out_t}) {{{ext}
      %s = {combiner} {x}, %y : {out_t}
      linalg.yield %s : {out_t}
    }}
  return %r : tensor<{rows}x{out_t}>
}}"""


def matmul_fn(name, t, acc, zero, batch=False):
    b = "2x" if batch else ""
    op = "batch_matmul" if batch else "matmul"
    return f"""
func.func @{name}(%a: tensor<{b}2x4x{t}>, %b: tensor<{b}4x2x{t}>) -> tensor<{b}2x2x{acc}> {{
  %z = arith.constant {zero} : {acc}
  %e = tensor.empty() : tensor<{b}2x2x{acc}>
  %f = linalg.fill ins(%z : {acc}) outs(%e : tensor<{b}2x2x{acc}>) -> tensor<{b}2x2x{acc}>
  %m = linalg.{op} ins(%a, %b : tensor<{b}2x4x{t}>, tensor<{b}4x2x{t}>) outs(%f : tensor<{b}2x2x{acc}>)
    -> tensor<{b}2x2x{acc}>
  return %m : tensor<{b}2x2x{acc}>
}}"""


SOURCE = "".join([
    matmul_fn("mm_f8_f32", "f8E4M3FN", "f32", "0.0"),
    matmul_fn("mm_f8_f8", "f8E4M3FN", "f8E4M3FN", "0.0"),
    matmul_fn("mm_e5m2_fnuz", "f8E5M2FNUZ", "f8E5M2FNUZ", "0.0"),
    matmul_fn("mm_i4_i32", "i4", "i32", "0"),
    matmul_fn("mm_i4_i4", "i4", "i4", "0"),
    matmul_fn("bmm_f8_f32", "f8E5M2", "f32", "0.0", batch=True),
    matmul_fn("bmm_i2_i2", "i2", "i2", "0", batch=True),
    reduce_fn("sum_f8", "f8E4M3FN", (2, 4), "0.0", "arith.addf"),
    reduce_fn("prod_f8", "f8E5M2", (2, 4), "1.0", "arith.mulf"),
    reduce_fn("max_f8", "f8E4M3FNUZ", (2, 4), "-240.0", "arith.maximumf"),
    reduce_fn("min_f8", "f8E5M2FNUZ", (2, 4), "57344.0", "arith.minimumf"),
    reduce_fn("sum_f8_to_f32", "f8E5M2", (2, 4), "0.0", "arith.addf", "f32"),
    reduce_fn("sum_i4", "i4", (2, 4), "0", "arith.addi"),
    reduce_fn("prod_i4", "i4", (2, 4), "1", "arith.muli"),
    reduce_fn("max_i4", "i4", (2, 4), "-8", "arith.maxsi"),
    reduce_fn("min_i4", "i4", (2, 4), "7", "arith.minsi"),
    reduce_fn("maxu_i4", "i4", (2, 4), "0", "arith.maxui"),
    reduce_fn("and_i2", "i2", (4, 4), "-1", "arith.andi"),
    reduce_fn("xor_i2", "i2", (4, 4), "0", "arith.xori"),
    # Combiners beyond the VM's own, for every integer width.
    reduce_fn("maxu_i8", "i8", (2, 4), "0", "arith.maxui"),
    reduce_fn("minu_i32", "i32", (2, 4), "-1", "arith.minui"),
    reduce_fn("and_i32", "i32", (2, 4), "-1", "arith.andi"),
    reduce_fn("or_i64", "i64", (2, 4), "0", "arith.ori"),
    reduce_fn("xor_i16", "i16", (2, 4), "0", "arith.xori"),
    reduce_fn("or_i1", "i1", (2, 4), "0", "arith.ori"),
    reduce_fn("and_i1", "i1", (2, 4), "1", "arith.andi"),
    reduce_fn("xor_i1", "i1", (2, 4), "0", "arith.xori"),
])

F8 = "1 2 3 0.5 0.25 -1 448 0.0625"
CASES = [
    ["--function=mm_f8_f32", f"--input=2x4xf8E4M3FN={F8}", "--input=4x2xf8E4M3FN=1 2 3 4 5 6.5 -7 0.125"],
    ["--function=mm_f8_f8", f"--input=2x4xf8E4M3FN={F8}", "--input=4x2xf8E4M3FN=1 2 3 4 5 6.5 -7 0.125"],
    ["--function=mm_e5m2_fnuz", "--input=2x4xf8E5M2FNUZ=1 2 3 4 5 6 7 8",
     "--input=4x2xf8E5M2FNUZ=0.5 1 -1 3 2 2 2 2"],
    ["--function=mm_i4_i32", "--input=2x4xi4=21,43,F7,8E", "--input=4x2xi4=11,22,F3,9C"],
    ["--function=mm_i4_i4", "--input=2x4xi4=21,43,F7,8E", "--input=4x2xi4=11,22,F3,9C"],
    ["--function=bmm_f8_f32", "--input=2x2x4xf8E5M2=1 2 3 4 5 6 7 8 -1 -2 -3 0.5 0.25 0.125 16 3",
     "--input=2x4x2xf8E5M2=0.5 1 -1 3 2 2 2 2 1 1 1 1 2 2 2 2"],
    ["--function=bmm_i2_i2", "--input=2x2x4xi2=1B,E4,93,27", "--input=2x4x2xi2=5A,C3,0F,F0"],
    ["--function=sum_f8", "--input=2x4xf8E4M3FN=1 0.0625 0.0625 0.0625 16 1 1 1"],
    ["--function=prod_f8", "--input=2x4xf8E5M2=1.25 1.25 1.25 1.25 -2 3 0.5 1000"],
    ["--function=max_f8", "--input=2x4xf8E4M3FNUZ=1 -3 0.5 2 -1 -2 -3 -4"],
    ["--function=min_f8", "--input=2x4xf8E5M2FNUZ=1 -3 0.5 2 100 200 300 50000"],
    ["--function=sum_f8_to_f32", "--input=2x4xf8E5M2=1 0.0625 0.0625 0.0625 16 1 1 1"],
    *[[f"--function={f}", "--input=2x4xi4=7F,80,12,34"] for f in ("sum_i4", "prod_i4", "max_i4", "min_i4",
                                                                  "maxu_i4")],
    ["--function=and_i2", "--input=4x4xi2=FF,E4,7B,AD"],
    ["--function=xor_i2", "--input=4x4xi2=1B,E4,00,3F"],
    ["--function=maxu_i8", "--input=2x4xi8=1 -1 127 -128 3 4 5 -6"],
    ["--function=minu_i32", "--input=2x4xi32=1 -1 2147483647 -2147483648 -3 -4 -5 -6"],
    ["--function=and_i32", "--input=2x4xi32=-1 -2 -4 7 255 511 -256 1023"],
    ["--function=or_i64", "--input=2x4xi64=1 2 4 -9223372036854775808 0 0 1099511627776 3"],
    ["--function=xor_i16", "--input=2x4xi16=1 3 7 -1 4660 -32768 21845 0"],
    *[[f"--function={f}_i1", "--input=2x4xi1=01 00 00 00 01 01 01 01"] for f in ("or", "and", "xor")],
]


@pytest.fixture(scope="module")
def modules(reference_iree, tmp_path_factory):
    src = tmp_path_factory.mktemp("small_contract") / "c.mlir"
    src.write_text(SOURCE)
    return compile_both(reference_iree, src)


def _results(tool, module, args, out):
    """(exit status, stdout, result bytes) of a run writing its result to `out`."""
    status, _ = run([*tool, f"--module={module}", *args, f"--output=@{out}"])
    data = out.read_bytes() if out.exists() else None
    if out.exists():
        out.unlink()
    return status, data


@pytest.mark.parametrize("args", CASES, ids=lambda a: a[0][11:])
def test_matches_iree(reference_iree, modules, args, tmp_path):
    """The same result bytes (IREE cannot print a packed result of more
    elements than bytes, so they are compared written out), and the same
    printed results where IREE prints them, on both VMs."""
    out = tmp_path / "r.bin"
    theirs = _results([reference_iree["iree-run-module"]], modules[0], args, out)
    assert theirs[0] == 0
    assert _results([*LITE, "run-module"], modules[1], args, out) == theirs
    assert _results([*LITE, "run-module", "--trace_execution"], modules[1], args, out) == theirs
    want, have = run_both(reference_iree, modules, args)
    if want[0] == 0:
        assert have == want
