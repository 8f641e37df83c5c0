"""The iree_linalg_ext inventory: every op IREE 3.13 registers in the
dialect, and what iree-lite does with it. Each op it compiles is compiled
here from the lit corpus (tests/lit/ops_linalg_ext*.mlir, run against
expected output by test_lit); each op it does not ends in a located error
saying why, in the custom and the generic form. The table is checked
against the installed IREE's registered ops, so a new op in IREE cannot be
silently unsupported."""
import mmap
import os
import re
import textwrap

import pytest

from iree_lite.dialects import iree_linalg_ext, lookup
from iree_lite.parse import parse_module
from tool_runs import compile_error

LIT = os.path.join(os.path.dirname(__file__), "lit")
PIPELINE_ONLY = ("is formed inside IREE's own compilation pipeline, not by its input conversions, and iree-lite "
                 "does not compile it; write the computation in linalg")

# op -> None where iree-lite compiles it, else the error it gives.
INVENTORY = {
    "iree_linalg_ext.arg_compare": None,
    "iree_linalg_ext.attention": None,
    "iree_linalg_ext.custom_op": None,
    "iree_linalg_ext.dequantize_affine": None,
    "iree_linalg_ext.fft": None,
    "iree_linalg_ext.gather": None,
    "iree_linalg_ext.index": None,
    "iree_linalg_ext.map_load": None,
    "iree_linalg_ext.map_store": None,
    "iree_linalg_ext.online_attention": None,
    "iree_linalg_ext.quantize_affine": None,
    "iree_linalg_ext.scan": None,
    "iree_linalg_ext.scatter": None,
    "iree_linalg_ext.sort": None,
    "iree_linalg_ext.topk": None,
    "iree_linalg_ext.topk_v2": None,
    "iree_linalg_ext.winograd.filter_transform": None,
    "iree_linalg_ext.winograd.input_transform": None,
    "iree_linalg_ext.winograd.output_transform": None,
    "iree_linalg_ext.yield": None,
    "iree_linalg_ext.im2col": PIPELINE_ONLY,
    "iree_linalg_ext.exp_reduction": PIPELINE_ONLY,
}


def test_the_table_is_iree_lites_dialect():
    assert sorted(iree_linalg_ext.OPS) == sorted(INVENTORY)
    assert all(lookup(name) is not None for name in INVENTORY)


def ops_in(blocks):
    for block in blocks:
        for op in block.operations:
            yield op.name
            for region in op.regions:
                yield from ops_in(region.blocks)


def test_each_compiled_op_compiles_from_the_lit_corpus(tmp_path):
    from iree_lite.compiler import compile_module
    seen = set()
    for name in sorted(os.listdir(LIT)):
        if name.startswith("ops_linalg_ext") and name != "ops_linalg_ext_not_compiled.mlir":
            text = open(os.path.join(LIT, name)).read()
            compile_module(text, name)
            seen.update(op for f in parse_module(text, name).functions for op in ops_in(f.blocks))
    compiled = {op for op, error in INVENTORY.items() if error is None}
    assert compiled - seen == set()


@pytest.mark.parametrize("op", [op for op, error in INVENTORY.items() if error is not None])
def test_each_op_not_compiled_is_a_located_error_saying_why(op):
    custom = textwrap.dedent(f"""\
        func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {{
          %r = {op} ins(%x : tensor<4xf32>) outs(%x : tensor<4xf32>) -> tensor<4xf32>
          return %r : tensor<4xf32>
        }}""")
    generic = textwrap.dedent(f"""\
        func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {{
          %r = "{op}"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
          return %r : tensor<4xf32>
        }}""")
    want = f"t.mlir:2:8: error: '{op}' {INVENTORY[op]}"
    assert compile_error(custom) == compile_error(generic) == want


def registered_ops():
    """The iree_linalg_ext op names the installed IREE compiler registers:
    the names its library holds, kept where its context knows the op."""
    compiler = pytest.importorskip("iree.compiler")
    from iree.compiler import ir
    libs = os.path.join(os.path.dirname(compiler.__file__), "_mlir_libs")
    path = next((os.path.join(libs, f) for f in os.listdir(libs) if f.startswith("libIREECompiler.so")), None)
    if path is None:
        pytest.skip("the IREE compiler library is not installed")
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        names = {m.group(1).decode() for m in re.finditer(rb"(iree_linalg_ext\.[a-z0-9_.]+)(?![a-z0-9_.])", data)}
    context = ir.Context()
    return {name for name in names if context.is_registered_operation(name)}


def test_the_table_is_every_op_iree_registers(reference_iree):
    registered = registered_ops()
    assert len(registered) > 15 and "iree_linalg_ext.sort" in registered
    assert sorted(registered) == sorted(INVENTORY)
