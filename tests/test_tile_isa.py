"""The tile kernels' copies for each instruction set (csrc/tile_isa.pxi) and
the tile interpreter's runs of elements within a tile (csrc/kernels.pxi):
every element-wise op of the ISA table gives the same bytes on SSE2, AVX2
and AVX-512, at sizes around a run and a tile; the fused chain is the
reference interpreter's and the real IREE's, bit for bit."""
import re
import shutil
import subprocess

import numpy as np
import pytest

from iree_lite import _vm
from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm import interp

from tile_op_mlir import tile_op_lines
from tool_runs import iree_compile, run

ISAS = ["avx512", "avx2", "sse2"]
RUN = 1024   # csrc/kernels.pxi RUN_ELEMENTS
SIZES = [0, 1, RUN - 1, RUN + 1, isa.TILE - 1, isa.TILE + 1, 3 * isa.TILE + 5]
DTYPES = {"f32": np.float32, "f64": np.float64, "i8": np.int8, "i16": np.int16, "i32": np.int32,
          "i64": np.int64, "i1": np.bool_}


def values(element, n, seed, divisor=False):
    """n values of `element`: edge values first, then random ones; as a
    divisor, no zeros and no -1 (those are errors, tested elsewhere)."""
    rng = np.random.default_rng(seed)
    if element == "i1":
        return rng.integers(0, 2, n).astype(np.bool_)
    if element in ("f32", "f64"):
        edge = [0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 1e30, -1e30, 0.5, 127.9, -128.9, 300.7, 1e-40]
        v = (rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, n)).astype(DTYPES[element])
    else:
        info = np.iinfo(DTYPES[element])
        edge = [0, 1, -1, info.min, info.max, 2, -2, info.bits - 1, info.bits, 3]
        v = rng.integers(info.min, info.max, n, endpoint=True, dtype=DTYPES[element])
    m = min(n, len(edge))
    v[:m] = np.array(edge[:m], dtype=np.float64 if element in ("f32", "f64") else np.int64).astype(v.dtype)
    if divisor:
        v[(v == 0) | (v == -1)] = 7
    return v


def elementwise_functions(element):
    """(name, MLIR function, operand element types) for every element-wise
    tile op that computes in `element`, on dynamic sizes."""
    t = f"tensor<?x{element}>"
    out = []
    for name, arity, types, _, _ in isa.ELEMENTWISE:
        if element not in {code.lower() for code, *_ in isa.KERNEL_TYPES[types]}:
            continue
        ins = ["i1", element, element] if types == "select" else [element] * arity
        result = "tensor<?xi1>" if types == "float->i1" else t
        args = ", ".join(f"%a{i}: tensor<?x{e}>" for i, e in enumerate(ins))
        operands = [f"%a{i}" for i in range(len(ins))]
        sig = f"tensor<?xi1>, {t}" if types == "select" else t
        out.append((name, f"func.func @{name}({args}) -> {result} {{\n{tile_op_lines(name, operands, sig)}"
                          f"  return %r : {result}\n}}\n", ins))
    predicates = isa.CMPF_PREDICATES if element in ("f32", "f64") else isa.CMPI_PREDICATES
    if element != "i1":
        for p, _ in predicates:
            cmp = "cmpf" if element in ("f32", "f64") else "cmpi"
            out.append((f"{cmp}_{p}", f"func.func @{cmp}_{p}(%a0: {t}, %a1: {t}) -> tensor<?xi1> {{\n"
                                      f"  %r = arith.{cmp} {p}, %a0, %a1 : {t}\n  return %r : tensor<?xi1>\n}}\n",
                        [element, element]))
    return out


CONVERSIONS = [("extf", "f32", "f64"), ("truncf", "f64", "f32"), ("extsi", "i8", "i64"), ("extui", "i16", "i32"),
               ("trunci", "i64", "i8"), ("trunci", "i32", "i1"), ("sitofp", "i64", "f32"), ("uitofp", "i64", "f64"),
               ("uitofp", "i32", "f32"), ("fptosi", "f32", "i32"), ("fptosi", "f64", "i64"), ("fptosi", "f32", "i8"),
               ("fptoui", "f32", "i64"), ("fptoui", "f64", "i32"), ("fptoui", "f32", "i16"), ("bitcast", "f32", "i32")]


def conversion_functions():
    return [(f"{op}_{s}_{d}", f"func.func @{op}_{s}_{d}(%a0: tensor<?x{s}>) -> tensor<?x{d}> {{\n"
                              f"  %r = arith.{op} %a0 : tensor<?x{s}> to tensor<?x{d}>\n  return %r : tensor<?x{d}>\n}}\n",
             [s]) for op, s, d in CONVERSIONS]


def test_the_generated_copies_are_the_vms_instruction_sets_in_order():
    """lite_tile_kernels' rows (copies named from isa.KERNEL_ISAS) are
    indexed by the VM's instruction set number."""
    assert tuple(_vm.KERNEL_ISAS) == isa.KERNEL_ISAS
    assert [_vm.KERNEL_ISAS[name] for name in isa.KERNEL_ISAS] == [0, 1, 2]


def test_every_kernel_has_a_copy_per_instruction_set_with_its_loop_inlined():
    """A kernel gcc leaves out of line is compiled once, for the baseline:
    the AVX2 and AVX-512 copies would call SSE2 code (t.fma: a libm fmaf
    call per element, 5x slower). Each copy is flattened (isa_kernels.pxi),
    so the extension has a function per kernel and instruction set, and
    none for a kernel alone."""
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("nm is not installed")
    symbols = subprocess.run([nm, _vm.__file__], capture_output=True, text=True, check=True).stdout
    names = [line.split()[-1] for line in symbols.splitlines() if "_3_vm_k_" in line]
    if not names:
        pytest.skip("the extension's symbols are stripped")
    copies = {}
    for name in names:
        m = re.fullmatch(r"__pyx_f_9iree_lite_3_vm_k_(\w+)_(sse2|avx2|avx512)(\.\w+)*", name)
        assert m, f"{name}: a kernel out of line, compiled for the baseline only"
        copies.setdefault(m.group(2), set()).add(m.group(1))
    assert set(copies) == set(isa.KERNEL_ISAS)
    assert copies["sse2"] == copies["avx2"] == copies["avx512"]
    assert {"muladdf_f32", "absf_f64", "cmpi_i8", "convs_f32_i64", "bitcast_i32_f32"} <= copies["avx512"]


def run_native(ctx, name, inputs):
    views = [_vm.BufferView.from_bytes(isa.ELEMENT_CODES[e], a.shape, a) for e, a in inputs]
    return [np.asarray(r).tobytes() for r in ctx.invoke(name, views)]


@pytest.mark.parametrize("group", ["f32", "f64", "i8", "i16", "i32", "i64", "i1", "conversions"])
def test_every_elementwise_op_is_the_same_bytes_on_each_instruction_set(group):
    functions = conversion_functions() if group == "conversions" else elementwise_functions(group)
    module = compile_module("".join(src for _, src, _ in functions), f"{group}.mlir")
    ctx = Context("local-task", 2)
    ctx.load(module)
    try:
        for name, _, ins in functions:
            divide = name.startswith(("div", "rem", "ceildiv", "floordiv"))
            for n in SIZES:
                inputs = [(e, values(e, n, i, divisor=divide and i == 1)) for i, e in enumerate(ins)]
                results = {}
                for kernel_isa in ISAS:
                    if _vm.kernel_isa(kernel_isa) != kernel_isa:
                        continue
                    results[kernel_isa] = run_native(ctx, name, inputs)
                assert "sse2" in results
                for kernel_isa, got in results.items():
                    assert got == results["sse2"], (name, n, kernel_isa)
    finally:
        _vm.kernel_isa("avx512")


CHAIN = """func.func @chain(%a: tensor<?xf32>, %b: tensor<?xf32>, %c: tensor<?xf32>) -> tensor<?xf32> {
  %m = arith.mulf %a, %b : tensor<?xf32>
  %s = arith.addf %m, %c : tensor<?xf32>
  %x = math.absf %s : tensor<?xf32>
  %y = arith.maximumf %x, %a : tensor<?xf32>
  return %y : tensor<?xf32>
}
"""


@pytest.mark.parametrize("kernel_isa", ISAS, indirect=True)
@pytest.mark.parametrize("device", ["local-sync", "local-task"])
def test_the_fused_chain_is_the_reference_interpreter_bit_for_bit(kernel_isa, device):
    module = compile_module(CHAIN, "chain.mlir")
    ctx = Context(device, 2)
    ctx.load(module)
    ref = interp.Context()
    ref.load(module)
    for n in SIZES:
        inputs = [("f32", values("f32", n, seed)) for seed in range(3)]
        want = ref.invoke("chain", [interp.Buffer("f32", (n,), bytearray(a.tobytes())) for _, a in inputs])
        assert run_native(ctx, "chain", inputs) == [bytes(w.data) for w in want], n


def test_the_fused_chain_is_the_real_iree_bit_for_bit(reference_iree, tmp_path):
    """IREE llvm-cpu runs the chain as one vectorized loop; the interpreter's
    passes over runs of a tile give the same bytes (NaNs and -0 included).
    For a CPU with FMA IREE contracts a*b + c into one rounding, and its
    workers flush subnormals: so the generic target, and normal inputs."""
    src = tmp_path / "chain.mlir"
    src.write_text(CHAIN)
    vmfb = tmp_path / "chain.vmfb"
    iree_compile(reference_iree, src, vmfb, "--iree-llvmcpu-target-cpu=generic")
    ctx = Context("local-task", 2)
    ctx.load(compile_module(CHAIN, "chain.mlir"))
    for n in SIZES:
        inputs = [values("f32", n, seed) for seed in range(3)]
        for a in inputs:
            a[np.abs(a) < np.finfo(np.float32).tiny] = 0.0
        paths = []
        for i, a in enumerate(inputs):
            paths.append(tmp_path / f"in{n}_{i}.npy")
            np.save(paths[-1], a)
        out = tmp_path / f"out{n}.npy"
        status, _ = run([reference_iree["iree-run-module"], f"--module={vmfb}", "--function=chain",
                         *(f"--input=@{p}" for p in paths), f"--output=@{out}"])
        assert status == 0
        assert run_native(ctx, "chain", [("f32", a) for a in inputs]) == [np.load(out).tobytes()], n
