"""The one register-bank rule (isa.register_bank) and the one reordering of
results by bank (isa.signature_order): the compiler's registers, the
verifier and both VMs' calls take them from iree_lite/isa/."""
import math

import numpy as np
import pytest

from iree_lite import isa
from iree_lite.ir.types import ELEMENT_TYPES, STORAGE_ONLY, ScalarType, TensorType
from iree_lite.passes.small_types import storage

VM_FLOATS = {"f16", "bf16", "f32", "f64"}   # the VM computes these as doubles


@pytest.mark.parametrize("name", sorted(ELEMENT_TYPES))
def test_the_bank_of_every_element_type_is_where_the_vm_keeps_it(name):
    """A tensor is a reference; a scalar of a type the VM computes in floats
    a double; every other scalar an int64, a storage-only type (sub-byte
    integer, small float) included: the VM keeps its i8 byte (its storage
    type), whatever kind of number it is."""
    scalar = ScalarType(name)
    tensor = TensorType((2, None), scalar)
    assert isa.register_bank(tensor) == isa.register_bank(str(tensor)) == "r"
    want = "f" if name in VM_FLOATS else "i"
    assert isa.register_bank(scalar) == isa.register_bank(name) == want
    if name in STORAGE_ONLY:
        assert isa.register_bank(storage(scalar)) == want == "i"


def test_results_are_reordered_from_their_banks_to_the_signature():
    banks = ["f", "r", "i", "f", "i", "r"]
    by_bank = ["i0", "i1", "f0", "f1", "r0", "r1"]
    assert isa.signature_order(by_bank, banks) == ["f0", "r0", "i0", "f1", "i1", "r1"]
    assert isa.signature_order([], []) == []


# Results of every bank, interleaved, scalars of each kind the VM keeps:
# each VM must hand them back in signature order.
MIXED = """
func.func private @swap(%x: f8E4M3FN, %i: i4) -> (i4, f8E4M3FN) {
  return %i, %x : i4, f8E4M3FN
}
func.func @f(%i: i32, %x: f32, %t: tensor<2xf32>, %j: i64, %y: f64, %h: f16, %k: index, %b: i1, %s: tensor<2xf8E4M3FN>)
    -> (f64, tensor<2xf32>, i1, f32, index, i32, f16, tensor<2xf8E4M3FN>, i64, bf16) {
  %i2 = arith.addi %i, %i : i32
  %x2 = arith.mulf %x, %x : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %s0 = tensor.extract %s[%c0] : tensor<2xf8E4M3FN>
  %s1 = tensor.extract %s[%c1] : tensor<2xf8E4M3FN>
  %four = arith.constant 4 : i4
  %n, %s1b = func.call @swap(%s1, %four) : (f8E4M3FN, i4) -> (i4, f8E4M3FN)
  %sw = tensor.from_elements %s1b, %s0 : tensor<2xf8E4M3FN>
  %hb = arith.extf %h : f16 to f32
  %bf = arith.truncf %hb : f32 to bf16
  return %y, %t, %b, %x2, %k, %i2, %h, %sw, %j, %bf
      : f64, tensor<2xf32>, i1, f32, index, i32, f16, tensor<2xf8E4M3FN>, i64, bf16
}
"""


def test_mixed_bank_results_come_back_in_signature_order_from_both_vms(both_vms):
    native, ref = both_vms(MIXED, device="local-task", workers=2)
    t = np.array([1.5, -2.0], np.float32)
    s = np.array([0x38, 0xC0], np.uint8)   # f8E4M3FN 1.0 and -2.0
    args = [21, 1.25, t, -(1 << 40), 2.5, 0.75, 7, 1]
    got = native.invoke("f", args + [s])
    from iree_lite.vm import interp
    want = ref.invoke("f", args[:2] + [interp.Buffer("f32", (2,), bytearray(t.tobytes()))] + args[3:] +
                      [interp.Buffer("i8", (2,), bytearray(s.tobytes()))])
    scalars = [2.5, None, 1, 1.5625, 7, 42, 0.75, None, -(1 << 40), 0.75]
    for k, x in enumerate(scalars):
        if x is not None:
            assert got[k] == want[k] == x and type(got[k]) is type(want[k]) is type(x), k
    assert np.asarray(got[1]).tobytes() == bytes(want[1].data) == t.tobytes()
    assert got[7].tobytes() == bytes(want[7].data) == bytes([0xC0, 0x38])
    assert not math.isnan(got[0])
