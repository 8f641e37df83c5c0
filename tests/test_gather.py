"""Broadcasts and transposes fused into element-wise kernels as gathers
(t.gather over an index tile): the Cython VM against the reference
interpreter and numpy on sizes around the tile, on every device; the
verifier's rules for gathered bindings; and out-of-range indices."""
from array import array

import numpy as np
import pytest

from iree_lite import isa
from iree_lite.isa.module import CONST_INT
from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.disasm import disassemble
from iree_lite.vm.errors import VMError
from iree_lite.vm.verifier import VerifyError, verify_module
from tool_runs import same_on_both

DEVICES = [("local-sync", None), ("local-task", 1), ("local-task", 2), ("local-task", 7)]

BIAS = """
func.func @f(%a: tensor<{r}x{c}xf32>, %row: tensor<{c}xf32>, %col: tensor<{r}xf32>) -> tensor<{c}x{r}xf32> {{
  %e = tensor.empty() : tensor<{r}x{c}xf32>
  %s = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,
                                         affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
       iterator_types = ["parallel", "parallel"]}}
       ins(%a, %row, %col : tensor<{r}x{c}xf32>, tensor<{c}xf32>, tensor<{r}xf32>) outs(%e : tensor<{r}x{c}xf32>) {{
  ^bb0(%x: f32, %y: f32, %z: f32, %o: f32):
    %t = arith.addf %x, %y : f32
    %u = arith.mulf %t, %z : f32
    linalg.yield %u : f32
  }} -> tensor<{r}x{c}xf32>
  %et = tensor.empty() : tensor<{c}x{r}xf32>
  %t = linalg.transpose ins(%s : tensor<{r}x{c}xf32>) outs(%et : tensor<{c}x{r}xf32>) permutation = [1, 0]
  %half = arith.constant dense<0.5> : tensor<{c}x{r}xf32>
  %h = arith.subf %t, %half : tensor<{c}x{r}xf32>
  return %h : tensor<{c}x{r}xf32>
}}
"""


def run_both(source, arrays, device, workers):
    module = compile_module(source, "g.mlir")
    ctx = Context(device, workers)
    ctx.load(module)
    ref = interp.Context()
    ref.load(module)
    return module, same_on_both(ctx, ref, "f", arrays)


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("r,c", [(1, 1), (3, isa.TILE - 1), (2, isa.TILE + 1), (50, 4099), (0, 5)])
def test_fused_broadcasts_and_transposes(r, c, device, workers):
    rng = np.random.default_rng(r * c)
    a, row, col = (rng.standard_normal(s).astype(np.float32) for s in ((r, c), (c,), (r,)))
    module, (h,) = run_both(BIAS.format(r=r, c=c), [a, row, col], device, workers)
    np.testing.assert_array_equal(h, ((a + row) * col[:, None]).T - np.float32(0.5))
    # Two kernels, no materialised broadcast or transpose.
    (fn,) = module.functions
    text = [t for _, t in disassemble(module, fn.code, fn.locs)]
    assert not [t for t in text if t.startswith("buffer.expand")]
    assert sum(t.startswith("dispatch") for t in text) == 2


def test_three_dimensional_permutation_with_a_broadcast():
    src = ("func.func @f(%a: tensor<2x3x4xf32>, %b: tensor<3xf32>) -> tensor<4x2x3xf32> {\n"
           "  %e = tensor.empty() : tensor<4x2x3xf32>\n"
           "  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2, d0)>,"
           " affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],"
           " iterator_types = [\"parallel\", \"parallel\", \"parallel\"]}"
           " ins(%a, %b : tensor<2x3x4xf32>, tensor<3xf32>) outs(%e : tensor<4x2x3xf32>) {\n"
           "  ^bb0(%x: f32, %y: f32, %o: f32):\n    %s = arith.subf %x, %y : f32\n    linalg.yield %s : f32\n"
           "  } -> tensor<4x2x3xf32>\n  return %r : tensor<4x2x3xf32>\n}\n")
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    b = np.array([100, 200, 300], np.float32)
    _, (h,) = run_both(src, [a, b], "local-task", 2)
    np.testing.assert_array_equal(h, a.transpose(2, 0, 1) - b)


@pytest.fixture(scope="module")
def module():
    return compile_module(BIAS.format(r=3, c=4), "g.mlir")


def kernel_edit(module, edit, which=0):
    m = module.replace(kernels=list(module.kernels))
    k = m.kernels[which]
    words = list(k.code)
    edit(words)
    m.kernels[which] = k.replace(code=array("I", words))
    return m


def find(words, name):
    return next(i for i, w in enumerate(words) if w & 0xFF == isa.BY_NAME[name].code)


def test_verifier_rules_for_gathered_bindings(module):
    k = module.kernels[0]
    gathered = [b for b, (_, role) in enumerate(k.bindings) if role == isa.BIND_GATHERED]
    assert len(gathered) == 2 and [role for _, role in k.bindings].count(isa.BIND_INPUT) == 1

    def retarget(name, binding):   # point the first `name` at another binding
        def edit(w):
            i = find(w, name)
            field = 12 + 5 * [n for n, _ in isa.BY_NAME[name].operands].index("b")
            w[i] = w[i] & ~(31 << field) | (binding << field)
        return edit
    with pytest.raises(VerifyError, match="binding 0 is not gathered"):
        verify_module(kernel_edit(module, retarget("t.spread", 0)))
    with pytest.raises(VerifyError, match=f"binding {gathered[0]} is gathered"):
        verify_module(kernel_edit(module, retarget("t.load", gathered[0])))
    transpose = next(i for i, k in enumerate(module.kernels) if any(w & 0xFF == isa.BY_NAME["t.gather"].code
                                                                     for w in k.code))
    with pytest.raises(VerifyError, match="binding 1 is not gathered"):
        verify_module(kernel_edit(module, retarget("t.gather", 1), transpose))

    def index_from_data(w):   # gather with a data register (f32) as the index
        i = find(w, "t.gather")
        w[i] = w[i] & ~(31 << 22) | (0 << 22)
    with pytest.raises(VerifyError, match="reads t0 as index but it holds f32"):
        verify_module(kernel_edit(module, index_from_data, transpose))


@pytest.mark.parametrize("size,message", [
    (8, "OUT_OF_RANGE; 't.spread': index outside the gathered buffer"),
    (0, "INVALID_ARGUMENT; 't.spread': coordinate of a non-positive stride or size"),
])
def test_wrong_index_constants_fail_the_call(module, size, message):
    """Were an index computation's constant wrong (here, a size of 4 made 8
    or 0), the kernel reports it instead of reading past the buffer or
    dividing by zero."""
    constants = list(module.constants)
    (i,) = [i for i, c in enumerate(constants) if c.kind == CONST_INT and c.value == 4]
    constants[i] = constants[i].replace(value=size)
    bad = module.replace(constants=constants)
    verify_module(bad)
    arrays = [np.ones((3, 4), np.float32), np.ones(4, np.float32), np.ones(3, np.float32)]
    for device, workers in (("local-sync", None), ("local-task", 2)):
        ctx = Context(device, workers)
        ctx.load(bad)
        with pytest.raises(VMError, match=message):
            ctx.invoke("f", arrays)
    ref = interp.Context()
    ref.load(bad)
    with pytest.raises(VMError, match=message):
        ref.invoke("f", [interp.Buffer("f32", a.shape, bytearray(a.tobytes())) for a in arrays])


EMBEDDING = """
func.func @f(%table: tensor<{t}xf32>, %ids: tensor<{n}xi32>) -> tensor<{n}x{c}xf32> {{
  %e = tensor.empty({dims}) : tensor<{n}x{c}xf32>
  %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
       iterator_types = ["parallel", "parallel"]}} ins(%ids : tensor<{n}xi32>) outs(%e : tensor<{n}x{c}xf32>) {{
  ^bb0(%id: i32, %o: f32):
    %k = arith.index_cast %id : i32 to index
    %j = linalg.index 1 : index
    %v = tensor.extract %table[%k, %j] : tensor<{t}xf32>
    %w = arith.addf %v, %v : f32
    linalg.yield %w : f32
  }} -> tensor<{n}x{c}xf32>
  return %r : tensor<{n}x{c}xf32>
}}
"""


def embedding(rows, cols, n, dynamic):
    """An embedding lookup: tensor.extract at per-element indices in a
    generic's body (a gather), static or with every size dynamic."""
    if not dynamic:
        return EMBEDDING.format(t=f"{rows}x{cols}", n=n, c=cols, dims="")
    src = EMBEDDING.format(t="?x?", n="?", c="?", dims="%n, %c")
    return src.replace("  %e = ", "  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n"
                       "  %n = tensor.dim %ids, %c0 : tensor<?xi32>\n  %c = tensor.dim %table, %c1 : tensor<?x?xf32>\n"
                       "  %e = ")


@pytest.mark.parametrize("device,workers", DEVICES)
@pytest.mark.parametrize("dynamic", [False, True])
@pytest.mark.parametrize("n,cols", [(0, 3), (1, 1), (5, isa.TILE + 1), (300, 7)])
def test_extract_at_varying_indices_is_a_gather(n, cols, dynamic, device, workers):
    rng = np.random.default_rng(n + cols)
    table = rng.standard_normal((10, cols)).astype(np.float32)
    ids = rng.integers(0, 10, n).astype(np.int32)
    _, (h,) = run_both(embedding(10, cols, n, dynamic), [table, ids], device, workers)
    np.testing.assert_array_equal(h, table[ids] * 2)


@pytest.mark.parametrize("bad", [-1, 10])
@pytest.mark.parametrize("dynamic", [False, True])
def test_extract_at_an_index_outside_its_dimension_fails_the_call(bad, dynamic):
    """Each index is checked against its own dimension: -1 (which would be
    the previous row's last element) or 10 fail in both VMs."""
    module = compile_module(embedding(10, 4, 3, dynamic), "e.mlir")
    table, ids = np.zeros((10, 4), np.float32), np.array([0, bad, 2], np.int32)
    ctx = Context("local-task", 2)
    ctx.load(module)
    ref = interp.Context()
    ref.load(module)
    for run in (lambda: ctx.invoke("f", [table, ids]),
                lambda: ref.invoke("f", [interp.Buffer("f32", table.shape, bytearray(table.tobytes())),
                                         interp.Buffer("i32", ids.shape, bytearray(ids.tobytes()))])):
        with pytest.raises(VMError, match="OUT_OF_RANGE.*index outside the gathered buffer"):
            run()


def test_ops_on_varying_values_that_are_not_element_wise_are_located_errors():
    src = ("func.func @f(%a: tensor<4xindex>, %t: tensor<4x4xf32>) -> tensor<4xindex> {\n"
           "  %e = tensor.empty() : tensor<4xindex>\n"
           "  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],"
           " iterator_types = [\"parallel\"]} ins(%a : tensor<4xindex>) outs(%e : tensor<4xindex>) {\n"
           "  ^bb0(%x: index, %o: index):\n"
           "    %d = tensor.dim %t, %x : tensor<4x4xf32>\n"
           "    linalg.yield %d : index\n  } -> tensor<4xindex>\n  return %r : tensor<4xindex>\n}\n")
    with pytest.raises(Diagnostic, match="'tensor.dim' of values that vary inside a structured op body") as e:
        compile_module(src, "v.mlir")
    assert e.value.render().startswith("v.mlir:5:10: error:")


def test_widening_conversions_do_not_overwrite_their_source():
    """i32 ids widened to index in a tile register: the widened value gets
    its own register (front-to-back in place would overwrite lanes not yet
    read), and the verifier rejects bytecode that widens in place."""
    module = compile_module(embedding(10, 3, 4, False), "e.mlir")
    which = next(i for i, k in enumerate(module.kernels) if any(w & 0xFF == isa.BY_NAME["t.convs"].code
                                                                 for w in k.code))
    pc = find(module.kernels[which].code, "t.convs")
    _, values, _, _ = isa.decode(module.kernels[which].code, pc)
    assert values["d"] != values["a"]
    in_place = kernel_edit(module, lambda w: w.__setitem__(pc, w[pc] & ~(31 << 12) | (values["a"] << 12)), which)
    with pytest.raises(VerifyError, match=f"writes t{values['a']} as index, wider than the i32 it reads from it"):
        verify_module(in_place)
