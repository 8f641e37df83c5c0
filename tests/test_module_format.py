"""The .vmfb format and the load-time bytecode verifier."""
import copy
import struct
import zlib
from array import array

import pytest

from iree_lite import isa
from iree_lite.isa.module import HEADER, serialize
from iree_lite.compiler import compile_module
from iree_lite.vm.disasm import disassemble_module
from iree_lite.vm.format import ModuleFormatError, deserialize
from iree_lite.vm.verifier import VerifyError, verify_module

SOURCE = """
func.func @mul(%lhs: tensor<8xf32>, %rhs: tensor<8xf32>, %out: tensor<8xf32> {iree.abi.output = 0 : index}) -> tensor<8xf32> {
  %two = arith.constant dense<2.0> : tensor<8xf32>
  %m = arith.mulf %lhs, %rhs : tensor<8xf32>
  %r = arith.addf %m, %two : tensor<8xf32>
  return %r : tensor<8xf32>
}
func.func @scale(%x: f32) -> f32 {
  %c = arith.constant 3.0 : f32
  %y = arith.mulf %x, %c : f32
  return %y : f32
}
"""


@pytest.fixture(scope="module")
def module():
    return compile_module(SOURCE, "m.mlir", "async-external")


def test_round_trip_and_determinism(module):
    blob = serialize(module)
    assert serialize(compile_module(SOURCE, "m.mlir", "async-external")) == blob
    assert deserialize(blob) == module
    assert blob[:8] == b"\x89IRL\r\n\x1a\n"


def test_constant_data_is_64_byte_aligned():
    src = ("func.func @f() -> tensor<3xf32> {\n"
           "  %c = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>\n"
           "  return %c : tensor<3xf32>\n}\n")
    blob = serialize(compile_module(src, "c.mlir"))
    assert blob.index(struct.pack("<3f", 1.0, 2.0, 3.0)) % 64 == 0


def test_disassembly_golden(module):
    assert disassemble_module(module) == """\
func @mul(tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>) [coarse-fences] regs(i=0, f=1, r=5)
     0: buffer.check r2, #0(8xf32)
     2: const.f f0, #1(2.0)
     4: dispatch.async r3, r4, @m_dispatch_0, [r0, r1, r2], [f0], []  // 5:8
    11: ret [], [], [r2]  // 6:3
func @scale(f32) -> (f32) [coarse-fences] regs(i=0, f=2, r=2)
     0: const.f f1, #2(3.0)
     2: eval @m_dispatch_1, [f0, f1], [], [f1], []  // 10:8
    10: fence.forward r0, r1  // 11:3
    11: ret [], [f1], []  // 11:3
kernel @m_dispatch_0(in f32, in f32, out f32) push=1 tile_regs=3
     0: t.load.f32 t0, b0
     1: t.load.f32 t1, b1
     2: t.splat.f32 t2, p0
     3: t.bind.f32 t2, b2
     4: t.muladdf.f32 t2, t0, t1, t2  // 5:8
kernel @m_dispatch_1(out f32) push=2 tile_regs=2
     0: t.splat.f32 t0, p0
     1: t.splat.f32 t1, p1
     2: t.bind.f32 t1, b0
     3: t.mulf.f32 t1, t0, t1  // 10:8
"""


def rechecksum(blob):
    """Fix up the header so corrupted contents reach the verifier."""
    payload = blob[HEADER.size:]
    return HEADER.pack(b"\x89IRL\r\n\x1a\n", 1, zlib.crc32(payload), len(payload)) + payload


@pytest.mark.parametrize("cut", [0, 7, 23, 24, 100, -1])
def test_truncation_is_rejected(module, cut):
    blob = serialize(module)
    with pytest.raises(ModuleFormatError):
        deserialize(blob[:cut])


def test_bit_flip_fails_checksum(module):
    blob = bytearray(serialize(module))
    blob[len(blob) // 2] ^= 0x10
    with pytest.raises(ModuleFormatError, match="checksum"):
        deserialize(bytes(blob))


def test_bad_magic_and_version(module):
    blob = serialize(module)
    with pytest.raises(ModuleFormatError, match="magic"):
        deserialize(b"X" + blob[1:])
    with pytest.raises(ModuleFormatError, match="version"):
        deserialize(blob[:8] + struct.pack("<I", 99) + blob[12:])


def mutate(module, fn_name, edit):
    m = copy.deepcopy(module)
    target = next(x for x in m.functions + m.kernels if x.name == fn_name)
    words = list(target.code)
    edit(words)
    target.code = array("I", words)
    # Through the file format and a fresh checksum: the verifier must catch it.
    return deserialize(rechecksum(serialize(m)))


@pytest.mark.parametrize("name,edit,message", [
    ("mul", lambda w: w.__setitem__(0, (w[0] & 0xFF) | (200 << 8)), "register r200 out of range"),
    ("mul", lambda w: w.__setitem__(1, 999), "bad constant ordinal"),
    ("mul", lambda w: w.__setitem__(1, 1), "bad constant ordinal"),          # a float where a layout goes
    ("mul", lambda w: w.__setitem__(0, 0xEE), "unknown opcode"),
    ("mul", lambda w: w.__setitem__(5, 77), "bad kernel ordinal"),
    ("mul", lambda w: w.__delitem__(slice(-4, None)), "truncated|does not end in 'ret'"),
    ("mul", lambda w: w.__setitem__(6, 2), "bindings"),                       # list length
    ("scale", lambda w: w.__setitem__(slice(-5, None), [isa.BY_NAME["ret"].code, 0, 0, 0]), "returns"),
    ("m_dispatch_0", lambda w: w.__setitem__(0, w[0] | (31 << 12)), "tile register 31 out of range"),
    ("m_dispatch_0", lambda w: w.__setitem__(3, w[3] & ~(31 << 17) | (1 << 17)), "store to input binding"),
    ("m_dispatch_0", lambda w: w.__setitem__(2, w[2] | (9 << 17)), "push constant 9 out of range"),
    ("m_dispatch_0", lambda w: w.__setitem__(4, (w[4] & ~0xF00) | (3 << 8)), r"element type i32 not accepted \(f32-f64\)"),
    ("m_dispatch_0", lambda w: w.__setitem__(4, (w[4] & ~0xF00) | (9 << 8)), "reads t0 as f64 but it holds f32"),
    ("m_dispatch_0", lambda w: w.__setitem__(0, (w[0] & ~(31 << 12)) | (2 << 12)), "reads t0 as f32 but it holds nothing"),
    ("m_dispatch_0", lambda w: w.__setitem__(3, isa.BY_NAME["ret"].code), "host instruction"),
])
def test_verifier_rejects_bad_bytecode(module, name, edit, message):
    bad = mutate(module, name, edit)
    with pytest.raises(VerifyError, match=message):
        verify_module(bad)


def test_verifier_accepts_compiled_module(module):
    verify_module(module)


@pytest.mark.parametrize("bad", ["tensor<<096xf32>", "tensor<4xq32>", "tensor<4xf32", "f33", "tensor<1x1x1x1x1x1x1x1x1xf32>"])
def test_verifier_rejects_malformed_signature_types(module, bad):
    """A corrupted type string would otherwise reach the runtime's argument
    checks (found by the loader fuzzer's soak)."""
    m = copy.deepcopy(module)
    fn = m.functions[0]
    fn.signature = fn.signature.replace(inputs=(bad,) + fn.signature.inputs[1:])
    with pytest.raises(VerifyError, match="signature type"):
        verify_module(deserialize(rechecksum(serialize(m))))
