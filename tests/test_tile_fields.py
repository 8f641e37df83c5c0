"""The native tile interpreter reads every field of every tile instruction
where the encoder wrote it (csrc/kernels.pxi decodes through the accessors
gen_native.py writes from the ISA table): kernels whose tile registers are
renamed to the top of their range compute the same bytes as the compiler's,
in both VMs, for every tile op."""
import copy

import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from test_tile_isa import conversion_functions, elementwise_functions, values

N = 1500   # more than one run of the tile interpreter (RUN_ELEMENTS), less than a tile

# Functions reaching the tile ops the element-wise ones do not: f16 operands
# (widened through the VM's temporaries), gathers, spreads, lane indices and
# small floats; (name, source, input element types).
OTHERS = [
    ("halves", """func.func @halves(%a: tensor<?xf16>, %b: tensor<?xf16>, %c: tensor<?xf16>) -> (tensor<?xf16>, tensor<?xf32>, tensor<?xi32>, tensor<?xf16>) {
  %f = math.fma %a, %b, %c : tensor<?xf16>
  %lt = arith.cmpf olt, %a, %b : tensor<?xf16>
  %s = arith.select %lt, %f, %c : tensor<?xi1>, tensor<?xf16>
  %e = arith.extf %s : tensor<?xf16> to tensor<?xf32>
  %i = arith.fptosi %b : tensor<?xf16> to tensor<?xi32>
  %t = arith.truncf %e : tensor<?xf32> to tensor<?xf16>
  return %s, %e, %i, %t : tensor<?xf16>, tensor<?xf32>, tensor<?xi32>, tensor<?xf16>
}
""", ["f16", "f16", "f16"]),
    ("moves", """func.func @moves(%a: tensor<30x50xf32>, %row: tensor<50xf32>, %col: tensor<30xf32>) -> (tensor<50x30xf32>, tensor<30x50xindex>) {
  %e = tensor.empty() : tensor<30x50xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,
                                        affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
       iterator_types = ["parallel", "parallel"]}
       ins(%a, %row, %col : tensor<30x50xf32>, tensor<50xf32>, tensor<30xf32>) outs(%e : tensor<30x50xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32, %o: f32):
    %t = arith.addf %x, %y : f32
    %u = arith.mulf %t, %z : f32
    linalg.yield %u : f32
  } -> tensor<30x50xf32>
  %et = tensor.empty() : tensor<50x30xf32>
  %t = linalg.transpose ins(%s : tensor<30x50xf32>) outs(%et : tensor<50x30xf32>) permutation = [1, 0]
  %half = arith.constant dense<0.5> : tensor<50x30xf32>
  %h = arith.subf %t, %half : tensor<50x30xf32>
  %e3 = tensor.empty() : tensor<30x50xindex>
  %x = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      outs(%e3 : tensor<30x50xindex>) {
    ^bb0(%o: index):
      %i = linalg.index 0 : index
      %j = linalg.index 1 : index
      %s2 = arith.addi %i, %j : index
      linalg.yield %s2 : index
  } -> tensor<30x50xindex>
  return %h, %x : tensor<50x30xf32>, tensor<30x50xindex>
}
""", [("f32", (30, 50)), ("f32", (50,)), ("f32", (30,))]),
    ("small", """func.func @small(%a: tensor<?xf32>) -> tensor<?xf32> {
  %e = arith.truncf %a : tensor<?xf32> to tensor<?xf8E4M3FN>
  %s = arith.addf %e, %e : tensor<?xf8E4M3FN>
  %r = arith.extf %s : tensor<?xf8E4M3FN> to tensor<?xf32>
  return %r : tensor<?xf32>
}
""", ["f32"]),
]


def renamed(module):
    """A copy of `module` whose kernels' tile registers r are renamed
    KERNEL_TILE_REGS - 1 - r: every register field far from where the
    compiler put it, so a field read from the wrong bits names another."""
    m = copy.deepcopy(module)
    top = isa.KERNEL_TILE_REGS - 1
    for k in m.kernels:
        code = []
        for pc in range(len(k.code)):
            op, v, type_code, _ = isa.decode(k.code, pc)
            code += isa.encode(op.name, {n: top - v[n] if kind in ("td", "ts") else v[n] for n, kind in op.operands},
                               type_code)
        k.code = code
        k.regs = isa.KERNEL_TILE_REGS
    return m


def tile_ops(module):
    return {isa.decode(k.code, pc)[0].name for k in module.kernels for pc in range(len(k.code))}


def inputs_of(ins, seed):
    out = []
    for i, spec in enumerate(ins):
        element, shape = spec if isinstance(spec, tuple) else (spec, (N,))
        if element == "f16":
            a = np.random.default_rng(seed + i).standard_normal(shape).astype(np.float16)
        else:
            a = values(element, int(np.prod(shape)), seed + i).reshape(shape)
        out.append((element, a))
    return out


def functions(group):
    """(name, source, input element types, divides) of a group of functions."""
    if group == "conversions":
        return [(name, src, ins, False) for name, src, ins in conversion_functions()]
    if group == "others":
        return [(name, src, ins, False) for name, src, ins in OTHERS]
    divide = ("div", "rem", "ceildiv", "floordiv")
    return [(name, src, ins, name.startswith(divide)) for name, src, ins in elementwise_functions(group)]


# The element types the tile ops take are many; the fields they read are the same in each.
GROUPS = ["f32", "i32", "i1", "conversions", "others"]


def test_the_functions_reach_every_tile_op():
    ops = set()
    for group in GROUPS:
        ops |= tile_ops(compile_module("".join(src for _, src, _, _ in functions(group)), f"{group}.mlir"))
    assert ops == {op.name for op in isa.ops_of_form("tile")}


@pytest.mark.parametrize("group", GROUPS)
def test_renamed_tile_registers_compute_the_same_bytes(group):
    module = compile_module("".join(src for _, src, _, _ in functions(group)), f"{group}.mlir")
    moved = renamed(module)
    assert all(a.code != b.code for a, b in zip(module.kernels, moved.kernels))
    contexts = []
    for m in (module, moved):
        ctx = Context("local-task", 2)
        ctx.load(m)
        contexts.append(ctx)
    ref = interp.Context()
    ref.load(moved)
    for name, _, ins, divide in functions(group):
        inputs = inputs_of(ins, len(name))
        if divide:   # no division by zero or INT_MIN / -1: those are errors, tested elsewhere
            inputs[1] = (inputs[1][0], values(ins[1], N, 1, divisor=True))
        results = [[np.asarray(r) for r in ctx.invoke(name, [a for _, a in inputs])] for ctx in contexts]
        assert [r.tobytes() for r in results[0]] == [r.tobytes() for r in results[1]], name
        want = ref.invoke(name, [interp.Buffer(e, a.shape, bytearray(a.tobytes())) for e, a in inputs])
        assert [canonical(r) for r in results[1]] == [canonical(np.frombuffer(bytes(w.data), r.dtype)) for w, r in
                                                      zip(want, results[1])], name


def canonical(array):
    """The bytes of `array` with every NaN the same NaN: the VMs agree on
    NaN payloads but for remf's sign (fmod(inf, inf): -NaN natively, +NaN
    in the reference), which is not what this test is about."""
    a = np.array(array).reshape(-1)
    if a.dtype.kind == "f":
        a[np.isnan(a)] = np.nan
    return a.tobytes()
