"""Host register banks (table.BANK_NAMES): which bank holds a value of a
type, and the calling convention's order by bank. The compiler's register
allocation, the verifier and both VMs' calls take them from here."""
from .types import TYPE_CLASSES

BANKS = "ifr"   # the order `ret`, `call` and the call lists give the banks


def register_bank(t):
    """The bank of a value of type `t` (an IR type, or its MLIR text): 'r'
    for a tensor; 'f' (a double) for the float types the VM computes in;
    'i' (an int64) for the rest: integers, index, and the storage-only types
    (sub-byte integers, small floats), which the VM keeps as their i8 byte."""
    text = str(t)
    if text.startswith("tensor<"):
        return "r"
    return "f" if text in TYPE_CLASSES["float"] else "i"


def signature_order(results, banks):
    """Results `ret` lists by bank (its int, then float, then ref list, one
    after another) in signature order; `banks` is each result's bank, in
    that order."""
    start, at = {}, 0
    for b in BANKS:
        start[b] = at
        at += banks.count(b)
    out = []
    for b in banks:
        out.append(results[start[b]])
        start[b] += 1
    return out
