"""A tensor.concat whose operands are computed in place (passes/bufferize.py's
BufferPlan.parts): the element-wise groups computing them write straight
into their parts of the concat's buffer (buffer.part views, no copies),
where the parts are contiguous and nothing else reads the operands;
everything else is still copied in. Results are the concat's, bit for bit
on both VMs, at part sizes 0, 1, around a tile (4096) and large; and
buffer.part's bounds and element type are checked alike on both VMs."""

import numpy as np
import pytest

from iree_lite.compiler import compile_module
from iree_lite.isa.module import CONST_INT, Constant
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError
from tool_runs import as_buffer, host_ops, same_on_both_devices

DEVICES = [("local-sync", None), ("local-task", 2)]


def tensor(shape):
    return f"tensor<{'x'.join(map(str, shape))}xf32>"


def concat_source(a, b, dim=1, extra_use=False, lead=1):
    """@f(%a, %b) -> -concat(a*a, b+b) along `dim` of [lead][n] tensors
    (and, with extra_use, b+b returned too)."""
    ta, tb, tc = tensor((lead, a)), tensor((lead, b)), tensor((lead, a + b))
    if dim == 0:
        ta, tb, tc = tensor((a, lead)), tensor((b, lead)), tensor((a + b, lead))
    results = f"{tc}, {tb}" if extra_use else tc
    return (f"func.func @f(%a: {ta}, %b: {tb}) -> ({results}) {{\n"
            f"  %x = arith.mulf %a, %a : {ta}\n  %y = arith.addf %b, %b : {tb}\n"
            f"  %c = tensor.concat dim({dim}) %x, %y : ({ta}, {tb}) -> {tc}\n"
            f"  %d = arith.negf %c : {tc}\n"
            f"  return %d{', %y' if extra_use else ''} : {results}\n}}\n")


def names_of(src):
    return [name for name, _ in host_ops(compile_module(src, "c.mlir"))]


def inputs(a, b, lead=1, dim=1, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(lead, a), (lead, b)] if dim == 1 else [(a, lead), (b, lead)]
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


@pytest.mark.parametrize("a,b", [(0, 3), (1, 1), (4095, 1), (4097, 4096), (3, 0), (64 * 55 * 55, 64 * 55 * 55)])
def test_operands_are_computed_into_their_parts(a, b):
    src = concat_source(a, b)
    module = compile_module(src, "c.mlir")
    names = [name for name, _ in host_ops(module)]
    assert names.count("buffer.part") == 2 and "buffer.scatter" not in names
    x, y = inputs(a, b, seed=a)
    (have,) = same_on_both_devices(module, "f", [x, y])
    np.testing.assert_array_equal(have, -np.concatenate([x * x, y + y], axis=1))


@pytest.mark.parametrize("case", ["extra_use", "leading_dimension", "argument", "twice"])
def test_operands_that_cannot_be_parts_are_copied(case):
    """An operand read elsewhere too, parts that are not contiguous (a
    leading dimension of 2), an argument (no group computes it) and one
    operand twice: copied into the concat as before, with the same results."""
    a, b, lead, dim = 5, 7, 1, 1
    if case == "leading_dimension":
        lead = 2
    src = concat_source(a, b, dim=dim, extra_use=case == "extra_use", lead=lead)
    if case == "argument":
        src = src.replace("%c = tensor.concat dim(1) %x, %y", "%c = tensor.concat dim(1) %x, %b")
    if case == "twice":
        src = concat_source(a, a).replace("%c = tensor.concat dim(1) %x, %y", "%c = tensor.concat dim(1) %x, %x")
        b = a
    names = names_of(src)
    x, y = inputs(a, b, lead=lead, dim=dim)
    have = same_on_both_devices(compile_module(src, "c.mlir"), "f", [x, y])
    second = {"argument": y, "twice": x * x}.get(case, y + y)
    np.testing.assert_array_equal(have[0], -np.concatenate([x * x, second], axis=dim))
    if case == "extra_use":
        np.testing.assert_array_equal(have[1], y + y)
    # The one operand still eligible (a*a, where alone and contiguous) is a part; the others are copied.
    assert names.count("buffer.scatter") == (1 if case in ("extra_use", "argument") else 2)
    assert names.count("buffer.part") == (1 if case in ("extra_use", "argument") else 0)


def test_a_concat_along_the_first_dimension_is_in_place():
    src = concat_source(4, 6, dim=0, lead=3)
    assert names_of(src).count("buffer.part") == 2
    x, y = inputs(4, 6, lead=3, dim=0)
    (have,) = same_on_both_devices(compile_module(src, "c.mlir"), "f", [x, y])
    np.testing.assert_array_equal(have, -np.concatenate([x * x, y + y], axis=0))


@pytest.fixture(scope="module")
def small_concat():
    return compile_module(concat_source(3, 5), "c.mlir")


def with_first_part_at(module, at):
    """module with its first buffer.part's `at` constant replaced."""
    ordinal = next(v["at"] for name, v in host_ops(module) if name == "buffer.part")
    constants = list(module.constants)
    constants[ordinal] = Constant(CONST_INT, value=at)
    return module.replace(constants=constants)


@pytest.mark.parametrize("at,ok", [(0, True), (5, True), (6, False), (-1, False), ((1 << 63) - 1, False)])
def test_a_part_must_lie_inside_its_buffer(small_concat, at, ok):
    """The 3 elements of the first part fit at 0..5 of the 8; past the end,
    before the start or at an offset whose end overflows, the call fails
    alike on both VMs."""
    module = with_first_part_at(small_concat, at)
    arrays = inputs(3, 5)
    message = f"OUT_OF_RANGE; a part of 3 elements at {at} is not inside tensor<1x8xf32>"
    calls = []
    for device, workers in DEVICES:
        ctx = Context(device, workers)
        ctx.load(module)
        calls.append(lambda ctx=ctx: ctx.invoke("f", arrays))
    ref = interp.Context()
    ref.load(module)
    calls.append(lambda: ref.invoke("f", [as_buffer(a) for a in arrays]))
    for call in calls:
        if ok:   # (a part moved off 0 leaves elements of the concat unwritten: only the call is checked)
            call()
        else:
            with pytest.raises(VMError, match=message):
                call()
