"""buffer.reduce's combiners as the ISA table defines them
(isa.REDUCE_COMBINERS, isa.reduce_elements, isa.ORDER_FREE_COMBINERS; the
native VM's from csrc/isa_reduce.pxi, generated from it): every combiner
with every element type a reduction may have, in both VMs. Where the
combiner folds the element type the results are the same bits, on rows
whole and split into segments; elsewhere both fail the call alike."""
import numpy as np
import pytest

from iree_lite import isa
from iree_lite.compiler import compile_module
from iree_lite.isa.module import CONST_INT, Constant
from iree_lite.runtime.context import Context
from iree_lite.runtime.native import native_vm
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError
from test_contract import reduce_source

SHAPE, OUT = (3, isa.REDUCE_SEGMENT + 7), (3,)   # rows longer than a segment: the order-free folds regroup
NUMPY = {"f16": np.float16, "f32": np.float32, "f64": np.float64, "i32": np.int32, "i64": np.int64,
         "index": np.int64}


def data(element, shape, seed):
    """Random values of `element`, as bytes: floats around 1 (products stay
    finite for a while), integers small and odd (products wrap, not vanish)."""
    rng = np.random.default_rng(seed)
    if element == "bf16":
        f32 = (1 + rng.standard_normal(shape) / 64).astype(np.float32)
        return (f32.view(np.uint32) >> 16).astype(np.uint16).tobytes()
    if element in ("f16", "f32", "f64"):
        return (1 + rng.standard_normal(shape) / 64).astype(NUMPY[element]).tobytes()
    return (rng.integers(-500, 500, shape) | 1).astype(NUMPY[element]).tobytes()


def with_combiner(module, code):
    """`module` with its one buffer.reduce folding with combiner `code`."""
    for f in module.functions:
        pc = 0
        while pc < len(f.code):
            op, v, _, nxt = isa.decode(f.code, pc)
            if op.name == "buffer.reduce":
                word = next(x for x in isa.fields(op) if x.name == "combiner")
                module.constants.append(Constant(CONST_INT, value=code))
                f.code[pc + 1 + word.index] = len(module.constants) - 1
                return module
            pc = nxt
    raise AssertionError("no buffer.reduce")


def run_both(module, element, seed):
    x, init = data(element, SHAPE, seed), data(element, OUT, seed + 1)
    code = isa.ELEMENT_CODES[element]
    results = []
    for device, workers in (("local-sync", None), ("local-task", 3)):
        ctx = Context(device, workers)
        ctx.load(module)
        views = [native_vm().BufferView.from_bytes(code, s, d) for s, d in ((SHAPE, x), (OUT, init))]
        try:
            (r,) = ctx.invoke("f", views)
            results.append(r.tobytes())
        except VMError as e:
            results.append((e.code_name, e.message))
    ref = interp.Context()
    ref.load(module)
    try:
        (r,) = ref.invoke("f", [interp.Buffer(element, SHAPE, bytearray(x)), interp.Buffer(element, OUT, bytearray(init))])
        results.append(bytes(r.data))
    except VMError as e:
        results.append((e.code_name, e.message))
    return results


@pytest.mark.parametrize("element", isa.REDUCE_ELEMENTS)
@pytest.mark.parametrize("combiner", isa.REDUCE_COMBINERS)
def test_every_combiner_on_every_reduction_element_type(combiner, element):
    kind = "addf" if element in isa.TYPE_CLASSES["float"] else "addi"
    module = with_combiner(compile_module(reduce_source(SHAPE, OUT, kind, element), "r.mlir"),
                           isa.REDUCE_COMBINERS.index(combiner))
    native_sync, native_task, reference = run_both(module, element, len(combiner))
    assert native_sync == native_task == reference
    if element in isa.reduce_elements(combiner):
        assert isinstance(reference, bytes)
    else:
        assert reference == isa.REDUCE_ELEMENT_ERROR


def test_every_combiner_is_a_binary_tile_op_folding_some_element_type():
    for name in isa.REDUCE_COMBINERS:
        op = isa.BY_NAME["t." + name]
        assert [kind for _, kind in op.operands] == ["td", "ts", "ts"] and isa.reduce_elements(name)
