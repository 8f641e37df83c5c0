"""Small element types across public signatures (ir/boundary.py): values on
the command line, in files and through the Python API, byte for byte as
the real IREE 3.13 reads and writes them; where IREE fails, the
difference is asserted to remain."""
import re
import subprocess

import numpy as np
import pytest

from tool_runs import LITE, compile_both, compile_error, lite_run, run, run_both

NAMED_F8 = ("f8E5M2", "f8E4M3FN", "f8E5M2FNUZ", "f8E4M3FNUZ", "f8E8M0FNU")
SOURCE = """
func.func @ext4(%a: tensor<4xi4>) -> tensor<4xi8> {
  %0 = arith.extsi %a : tensor<4xi4> to tensor<4xi8>
  return %0 : tensor<4xi8>
}
func.func @ext2(%a: tensor<2x4xi2>) -> tensor<2x4xi8> {
  %0 = arith.extsi %a : tensor<2x4xi2> to tensor<2x4xi8>
  return %0 : tensor<2x4xi8>
}
func.func @trunc4(%a: tensor<4xi8>) -> tensor<4xi4> {
  %0 = arith.trunci %a : tensor<4xi8> to tensor<4xi4>
  return %0 : tensor<4xi4>
}
func.func @trunc2(%a: tensor<8xi8>) -> tensor<8xi2> {
  %0 = arith.trunci %a : tensor<8xi8> to tensor<8xi2>
  return %0 : tensor<8xi2>
}
func.func @add4(%a: tensor<4xi4>, %b: tensor<4xi4>) -> tensor<4xi8> {
  %0 = arith.addi %a, %b : tensor<4xi4>
  %1 = arith.extsi %0 : tensor<4xi4> to tensor<4xi8>
  return %1 : tensor<4xi8>
}
""" + "".join(f"""
func.func @id_{t}(%a: tensor<12x{t}>) -> tensor<12x{t}> {{
  return %a : tensor<12x{t}>
}}
func.func @add_{t}(%a: tensor<3x{t}>) -> tensor<3x{t}> {{
  %0 = arith.addf %a, %a : tensor<3x{t}>
  return %0 : tensor<3x{t}>
}}
func.func @ext_{t}(%a: tensor<3x{t}>) -> tensor<3xf32> {{
  %0 = arith.extf %a : tensor<3x{t}> to tensor<3xf32>
  return %0 : tensor<3xf32>
}}""" for t in NAMED_F8)
# Values at the edges of IREE's runtime f32 -> f8 conversion: ties, subnormals, overflow.
F8_VALUES = "0.1,-0.3,1000,-1000,1e-9,240,448,464,57344,61440,0.0009765625,-0"


@pytest.fixture(scope="module")
def modules(reference_iree, tmp_path_factory):
    src = tmp_path_factory.mktemp("small_io") / "m.mlir"
    src.write_text(SOURCE)
    return compile_both(reference_iree, src)


CASES = [
    ["--function=ext4", "--input=4xi4=21,F8"],
    ["--function=ext4", "--input=4xi4=A5"],                      # one byte fills the buffer
    ["--function=ext4", "--input=4xi4=[21 7d]"],
    ["--function=ext4", "--input=4xi4"],                         # zeros
    ["--function=ext2", "--input=2x4xi2=E4,1B"],
    ["--function=add4", "--input=4xi4=77,88", "--input=4xi4=11,99"],
    ["--function=trunc4", "--input=4xi8=1,2,-3,7", "--expected_output=4xi4=21,7D"],
    *[["--function=id_" + t, f"--input=12x{t}={F8_VALUES}"] for t in NAMED_F8],
    *[["--function=add_" + t, f"--input=3x{t}=1.5,-3,0.3"] for t in NAMED_F8[:4]],
    *[["--function=ext_" + t, f"--input=3x{t}=2.5,-0.0625,100"] for t in NAMED_F8],
    *[["--function=add_" + t, f"--input=3x{t}=1.5,-3,0.3", f"--expected_output=3x{t}=3,-6,0.6"]
      for t in NAMED_F8[:4]],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a))
def test_matches_iree(reference_iree, modules, args):
    want, have = run_both(reference_iree, modules, args)
    assert have == want
    assert want[0] == 0


@pytest.mark.parametrize("args", CASES[:7] + CASES[-4:], ids=lambda a: " ".join(a))
def test_reference_interpreter_agrees(modules, args):
    ours = modules[1]
    assert run([*LITE, "run-module", "--trace_execution", f"--module={ours}", *args]) == \
        run([*LITE, "run-module", f"--module={ours}", *args])


@pytest.mark.parametrize("function, arg", [("trunc4", "4xi8=1,2,-3,7"), ("trunc2", "8xi8=1,-1,2,-2,1,0,0,1"),
                                           ("add_f8E4M3FN", "3xf8E4M3FN=1.5,-3,300")])
def test_raw_output_file_matches_iree(reference_iree, modules, tmp_path, function, arg):
    theirs, ours = tmp_path / "theirs.bin", tmp_path / "ours.bin"
    assert run([reference_iree["iree-run-module"], f"--module={modules[0]}", f"--function={function}",
                f"--input={arg}", f"--output=@{theirs}"])[0] == 0
    assert run([*LITE, "run-module", f"--module={modules[1]}", f"--function={function}", f"--input={arg}",
                f"--output=@{ours}"])[0] == 0
    assert ours.read_bytes() == theirs.read_bytes()


def test_raw_input_file(reference_iree, modules, tmp_path):
    data = tmp_path / "in.bin"
    data.write_bytes(bytes([0x21, 0x7D]))
    want, have = run_both(reference_iree, modules, ["--function=ext4", f"--input=4xi4=@{data}"])
    assert have == want == (0, "EXEC @ext4\nresult[0]: hal.buffer_view\n4xi8=1 2 -3 7\n")


def _stderr(cmd):
    proc = subprocess.run(cmd, capture_output=True, timeout=300)
    return proc.returncode, re.sub(r"^c/runtime/\S+: ", "", proc.stderr.decode().strip())


@pytest.mark.parametrize("function, arg, error", [
    ("ext4", "4xi4=1,2,3,-4", "INVALID_ARGUMENT; binary hex element count mismatch: buffer length=1 < expected=2"),
    ("ext4", "4xi4=21,7D,00", "OUT_OF_RANGE; output data overflow: element_capacity=2 < dst_i=2"),
    ("ext4", "4xi4=21,7D,0", "OUT_OF_RANGE; output data overflow: element_capacity=2 < dst_i=2"),
    ("add_f8E4M3FN", "3xf8E4M3FN=A5", "INVALID_ARGUMENT"),
    ("add_f8E4M3FN", "3xf8E4M3FN=1,2", "OUT_OF_RANGE; input data string underflow: dst_i=2 < element_capacity=3"),
])
def test_input_errors_match_iree(reference_iree, modules, function, arg, error):
    declaration = {"ext4": "sync func @ext4(%input0: tensor<4xi4>) -> (%output0: tensor<4xi8>)",
                   "add_f8E4M3FN": "sync func @add_f8E4M3FN(%input0: tensor<3xf8E4M3FN>) -> "
                                   "(%output0: tensor<3xf8E4M3FN>)"}[function]
    text = f"{error}; parsing input `{arg}`; parsing function inputs; `{declaration}`"
    args = [f"--function={function}", f"--input={arg}"]
    assert _stderr([reference_iree["iree-run-module"], f"--module={modules[0]}", *args]) == (1, text)
    assert _stderr([*LITE, "run-module", f"--module={modules[1]}", *args]) == (1, text)


def test_element_type_mismatch(modules):
    code, out = lite_run("run-module", f"--module={modules[1]}", "--function=ext4", "--input=4xi8=1,2,3,4")
    assert code == 1
    assert out.splitlines()[-1] == ("INVALID_ARGUMENT; input0 element type mismatch; expected i4 but have i8; "
                                    "invoking function 'ext4'; `sync func @ext4(%input0: tensor<4xi4>) -> "
                                    "(%output0: tensor<4xi8>)`")


# IREE 3.13's defects, which iree-lite does not share: asserted to remain, so the
# differences are revisited when IREE changes.

def test_printing_packed_results(reference_iree, modules):
    """IREE cannot format a packed tensor of more elements than bytes."""
    args = ["--function=trunc4", "--input=4xi8=1,2,-3,7"]
    assert _stderr([reference_iree["iree-run-module"], f"--module={modules[0]}", *args]) == (
        1, "OUT_OF_RANGE; printing results; processing function outputs; `sync func @trunc4(%input0: "
           "tensor<4xi8>) -> (%output0: tensor<4xi4>)`")
    assert lite_run("run-module", f"--module={modules[1]}", *args) == (
        0, "EXEC @trunc4\nresult[0]: hal.buffer_view\n4xi4=21 7D\n")
    code, out = lite_run("run-module", f"--module={modules[1]}", "--function=trunc2", "--input=8xi8=1,-1,2,-2,1,0,0,1")
    assert (code, out) == (0, "EXEC @trunc2\nresult[0]: hal.buffer_view\n8xi2=AD 41\n")


@pytest.mark.parametrize("function, arg, expected, index, shown", [
    ("trunc4", "4xi8=1,2,-3,7", "4xi4=21,7E", 1, ("7D", "7E")),
    ("add_f8E4M3FN", "3xf8E4M3FN=1.5,-3,0.3", "3xf8E4M3FN=3,-6,0.7", 2, ("0.625", "0.6875")),
])
def test_failed_expected_output(reference_iree, modules, function, arg, expected, index, shown):
    """IREE fails formatting the mismatch (OUT_OF_RANGE, exit 250)."""
    args = [f"--function={function}", f"--input={arg}", f"--expected_output={expected}"]
    assert _stderr([reference_iree["iree-run-module"], f"--module={modules[0]}", *args]) == (250, "OUT_OF_RANGE")
    code, out = lite_run("run-module", f"--module={modules[1]}", *args)
    assert code == 1
    assert out.splitlines()[1].startswith(f"[FAILED] result[0]: element at index {index} ({shown[0]}) does not "
                                          f"match the expected ({shown[1]});")


def test_npy_output(reference_iree, modules, tmp_path):
    """IREE writes the packed bytes under an int8 header of 4 elements (a
    truncated file); iree-lite writes the int8 values."""
    theirs, ours = tmp_path / "theirs.npy", tmp_path / "ours.npy"
    args = ["--function=trunc4", "--input=4xi8=1,2,-3,7"]
    run([reference_iree["iree-run-module"], f"--module={modules[0]}", *args, f"--output=@{theirs}"])
    assert run([*LITE, "run-module", f"--module={modules[1]}", *args, f"--output=@{ours}"])[0] == 0
    assert np.load(ours).tolist() == [1, 2, -3, 7] and np.load(ours).dtype == np.int8
    assert len(theirs.read_bytes()) == len(ours.read_bytes()) - 2
    code, out = lite_run("run-module", f"--module={modules[1]}", "--function=add_f8E4M3FN", "--input=3xf8E4M3FN=1",
                         f"--output=@{tmp_path / 'f8.npy'}")
    assert (code, out.splitlines()[-1]) == (1, "UNIMPLEMENTED; f8E4M3FN has no .npy dtype; processing function "
                                               "outputs")


def test_python_api(modules):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    from iree_lite.runtime.context import Context
    from iree_lite.runtime.small_values import SmallTensor
    ctx = Context("local-sync")
    ctx.load_file(str(modules[1]))
    (packed,) = ctx.invoke("trunc4", [np.array([1, 2, -3, 7], np.int8)])
    assert isinstance(packed, SmallTensor) and packed.tobytes() == bytes([0x21, 0x7D])
    assert np.asarray(packed).dtype == ml_dtypes.int4 and np.asarray(packed).tolist() == [1, 2, -3, 7]
    assert np.asarray(ctx.invoke("ext4", [packed])[0]).tolist() == [1, 2, -3, 7]   # a result passed back
    assert np.asarray(ctx.invoke("ext4", [np.array([1, 2, -3, 7], ml_dtypes.int4)])[0]).tolist() == [1, 2, -3, 7]
    assert np.asarray(ctx.invoke("ext4", [np.array([1, 2, 0xFD, 7], np.uint8)])[0]).tolist() == [1, 2, -3, 7]
    (f8,) = ctx.invoke("add_f8E4M3FN", [np.array([1.5, -3, 0.3], ml_dtypes.float8_e4m3fn)])
    assert np.asarray(f8).dtype == ml_dtypes.float8_e4m3fn
    assert np.asarray(f8).astype(np.float32).tolist() == [3.0, -6.0, 0.625]
    from iree_lite.vm.errors import VMError
    with pytest.raises(VMError, match=r"^INVALID_ARGUMENT; input0 expected an array of i4 \(ml_dtypes.int4, or "
                                      r"int8/uint8 a byte an element\) but got int32$"):
        ctx.invoke("ext4", [np.array([1, 2, 3, 4], np.int32)])
    with pytest.raises(VMError, match="input0 shape dimension 0 mismatch; expected 4 but have 3"):
        ctx.invoke("ext4", [np.array([1, 2, 3], np.int8)])


# f4E2M1FN, f8E4M3 and f8E3M4 have no HAL element type in IREE's compiler, so it
# cannot pass them, nor can it size a computed packed tensor of a fraction of a
# byte (tensor<1xi4>); iree-lite passes them as IREE's runtime holds them (`f4`
# packed, `f8` a byte each, read and printed as hex bytes).
BEYOND_IREE = """
func.func @f4(%a: tensor<4xf32>) -> tensor<4xf4E2M1FN> {
  %0 = arith.truncf %a : tensor<4xf32> to tensor<4xf4E2M1FN>
  return %0 : tensor<4xf4E2M1FN>
}
func.func @ext_f4(%a: tensor<4xf4E2M1FN>) -> tensor<4xf32> {
  %0 = arith.extf %a : tensor<4xf4E2M1FN> to tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @one4(%a: tensor<1xi8>) -> tensor<1xi4> {
  %0 = arith.trunci %a : tensor<1xi8> to tensor<1xi4>
  return %0 : tensor<1xi4>
}
func.func @e4m3(%a: tensor<4xf8E4M3>) -> tensor<4xf32> {
  %0 = arith.extf %a : tensor<4xf8E4M3> to tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""


def test_iree_cannot_pass_f4_or_f8e4m3(reference_iree, tmp_path):
    src = tmp_path / "b.mlir"
    src.write_text(BEYOND_IREE)
    proc = subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(src), "-o",
                           str(tmp_path / "b.vmfb")], capture_output=True, timeout=300)
    assert proc.returncode != 0 and b"'hal.element_type' op unsupported element type" in proc.stderr


@pytest.mark.parametrize("args, out", [
    (["--function=f4", "--input=4xf32=0.5,-6,1.5,100"], "4xf4=F1 73"),
    (["--function=ext_f4", "--input=4xf4E2M1FN=F1,73"], "4xf32=0.5 -6 1.5 6"),
    (["--function=ext_f4", "--input=4xf4=F1,73"], "4xf32=0.5 -6 1.5 6"),
    (["--function=one4", "--input=1xi8=-3"], "1xi4=0D"),
    (["--function=e4m3", "--input=4xf8=38,B8,7F,01"], "4xf32=1 -1 NAN 0.00195312"),
    (["--function=e4m3", "--input=4xf8E4M3=38,B8,78,01"], "4xf32=1 -1 INF 0.00195312"),
])
def test_beyond_iree(tmp_path, args, out):
    src, vmfb = tmp_path / "b.mlir", tmp_path / "b.vmfb"
    src.write_text(BEYOND_IREE)
    assert lite_run("compile", str(src), "-o", str(vmfb))[0] == 0
    for trace in ([], ["--trace_execution"]):
        assert run([*LITE, "run-module", f"--module={vmfb}", *trace, *args]) == (0, f"EXEC @{args[0][11:]}\nresult[0]: "
                                                                    f"hal.buffer_view\n{out}\n")


@pytest.mark.parametrize("source, error", [
    ("func.func @f(%a: tensor<4xf6E2M3FN>) -> tensor<4xf6E2M3FN> {\n  return %a : tensor<4xf6E2M3FN>\n}",
     "t.mlir:1:1: error: 'tensor<4xf6E2M3FN>' cannot cross a public function's signature: IREE's runtime packs "
     "f6E2M3FN buffers while its compiler keeps them a byte an element (public small types: i2, i4, f4E2M1FN, "
     "f8E5M2, f8E4M3, f8E3M4, f8E4M3FN, f8E5M2FNUZ, f8E4M3FNUZ, f8E8M0FNU)"),
])
def test_signature_errors(source, error):
    assert compile_error(source) == error


def test_python_api_module(modules):
    """iree_lite.api: a small-type result is a DeviceArray numpy reads as ml_dtypes, and goes back in."""
    ml_dtypes = pytest.importorskip("ml_dtypes")
    from iree_lite import api
    m = api.load_vm_flatbuffer_file(str(modules[1]))
    packed = m.trunc4(np.array([1, 2, -3, 7], np.int8))
    assert isinstance(packed, api.DeviceArray) and packed.shape == (4,) and packed.dtype == ml_dtypes.int4
    assert packed.to_host().tolist() == [1, 2, -3, 7]
    assert m.ext4(packed).to_host().tolist() == [1, 2, -3, 7]
