"""Large constants compile from text straight to bytes (issue #13): a hex
`dense<"0x...">`, a long decimal `dense<[...]>` list and a `dense_resource`
blob of the same weights give a module that computes with exactly those
weights; a long list that is malformed is still a located error. Time and
memory are measured by bench/large_constant.py, not asserted here."""
import importlib.util
import io
import os
import struct

import numpy as np
import pytest

from tool_runs import LITE, REPO, compile_error, run

spec = importlib.util.spec_from_file_location("large_constant", os.path.join(REPO, "bench", "large_constant.py"))
large_constant = importlib.util.module_from_spec(spec)
spec.loader.exec_module(large_constant)

ELEMENTS = 50_000   # the decimal list is about 1 MB: the chunked fast path, several chunks


@pytest.mark.parametrize("form", ["hex", "decimal", "resource"])
def test_large_constant_runs_with_its_exact_values(tmp_path, form):
    src, vmfb, out = tmp_path / "w.mlir", tmp_path / "w.vmfb", tmp_path / "y.npy"
    weights = large_constant.write(str(src), ELEMENTS, form, seed=3)
    assert run([*LITE, "compile", str(src), "-o", str(vmfb)])[0] == 0
    x = np.arange(ELEMENTS, dtype=np.float32).reshape(-1, large_constant.ROW)
    np.save(tmp_path / "x.npy", x)
    status, _ = run([*LITE, "run-module", f"--module={vmfb}", f"--input=@{tmp_path / 'x.npy'}",
                     f"--output=@{out}"])
    assert status == 0
    expected = x + np.array(weights, dtype=np.float32).reshape(x.shape)
    assert np.load(out).tobytes() == expected.tobytes()


def test_large_constant_on_both_vms(both_vms):
    n = 2000   # a long list: 2000 i16 values, some at the type's limits
    values = [(k * 7919) % 65536 - 32768 for k in range(n)]
    t = f"tensor<{n // 100}x100xi16>"
    rows = ", ".join("[" + ", ".join(map(str, values[r * 100:(r + 1) * 100])) + "]" for r in range(n // 100))
    source = f"func.func @w() -> {t} {{\n  %w = arith.constant dense<[{rows}]> : {t}\n  return %w : {t}\n}}\n"
    native, ref = both_vms(source)
    (got,) = native.invoke(native.lookup("w"), [])
    assert got.tobytes() == struct.pack(f"<{n}h", *values)
    (want,) = ref.invoke("w", [])
    assert want.tobytes() == got.tobytes()


def long_list(n, bad_index=None, bad="1.5.5"):
    """A 1-D literal of n floats, the bad_index'th written as `bad`."""
    return "[" + ", ".join(bad if k == bad_index else f"{k}.25" for k in range(n)) + "]"


def test_long_list_with_a_bad_element_is_located():
    literal = long_list(3000, 2500)
    source = f"func.func @w() -> tensor<3000xf32> {{\n  %w = arith.constant dense<{literal}> : tensor<3000xf32>\n" \
             "  return %w : tensor<3000xf32>\n}\n"
    col = source.splitlines()[1].index("1.5.5") + 1
    message = compile_error(source)
    assert message == f"t.mlir:2:{col + 3}: error: unexpected character '.'"


def test_long_list_of_the_wrong_shape_is_located():
    t = "tensor<2x1500xf32>"
    source = f"func.func @w() -> {t} {{\n  %w = arith.constant dense<{long_list(3000)}> : {t}\n" \
             f"  return %w : {t}\n}}\n"
    assert compile_error(source) == \
        f"t.mlir:2:23: error: inferred shape of elements literal ([3000]) does not match type '{t}'"


def test_long_integer_list_out_of_range_is_located():
    values = ["1"] * 3000
    values[2999] = "256"   # i8 literals may be written unsigned, up to 255
    source = "func.func @w() -> tensor<3000xi8> {\n  %w = arith.constant dense<[" + ", ".join(values) + \
             "]> : tensor<3000xi8>\n  return %w : tensor<3000xi8>\n}\n"
    col = source.splitlines()[1].index("256") + 1
    assert compile_error(source) == f"t.mlir:2:{col}: error: integer constant out of range for type 'i8'"


def test_source_is_decoded_across_chunk_boundaries():
    """The compiler reads its input a chunk at a time: a character split
    between chunks, and a bad byte, decode as from the whole file."""
    from iree_lite.tools.compile import decode_stream
    data = "// é€𝄞\n".encode() * 5 + b"\xff// end\n"
    for chunk in (1, 2, 3, 7):
        assert decode_stream(io.BytesIO(data), chunk) == data.decode("utf-8", "replace")
