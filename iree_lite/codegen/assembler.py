"""A host function's instruction list and its assembly into words.

Op lowering appends instructions over virtual registers (regalloc.VReg) and
branch targets (regalloc.Label); `assemble` allocates registers, places the
labels (a first pass sizing every instruction) and encodes the code with
the ISA table. A peephole rewrites instructions already emitted:
`signal_directly`.
"""
from array import array

from .. import isa
from .regalloc import Label, VReg, allocate


class Assembler:
    def __init__(self):
        self.insts = []      # (name, operands, loc); ("label", {"at": Label}, None) marks a place

    def emit(self, name, loc=None, **operands):
        self.insts.append((name, operands, loc))

    def prepend(self, name, **operands):
        """An instruction before all others (a register every path reads)."""
        self.insts.insert(0, (name, operands, None))

    def place(self, at):
        """Mark label `at` here."""
        self.emit("label", at=at)

    def label(self):
        """A new label, placed here."""
        at = Label()
        self.place(at)
        return at

    def signal_directly(self, fence, signal):
        """When `fence` was created only to be signalled by the instruction
        right after its fence.create, let that instruction signal `signal`
        instead; returns whether it did."""
        uses = [i for i, (_, operands, _) in enumerate(self.insts)
                if any(v is fence or (isinstance(v, list) and any(r is fence for r in v))
                       for v in operands.values())]
        if (fence is None or len(uses) != 2 or self.insts[uses[0]][0] != "fence.create"
                or uses[1] != uses[0] + 1):
            return False
        name, operands, loc = self.insts[uses[1]]
        operands = {k: (signal if v is fence else
                        [signal if r is fence else r for r in v] if isinstance(v, list) else v)
                    for k, v in operands.items()}
        self.insts[uses[1]] = (name, operands, loc)
        del self.insts[uses[0]]
        return True

    def assemble(self, args):
        """((ni, nf, nr) register counts, array of code words, [(word offset,
        line, col)]) with `args` pinned to the first registers of their bank;
        raises regalloc.RegisterLimitError."""
        phys, counts = allocate([(n, o) for n, o, _ in self.insts], args)
        # Two passes: the first places labels, the second encodes targets.
        pc = 0
        for name, operands, _ in self.insts:
            if name == "label":
                operands["at"].pc = pc
            else:
                pc += len(isa.encode(name, {k: _physical(v, phys, 0) for k, v in operands.items()}))
        code, locs = [], []
        for name, operands, loc in self.insts:
            if name == "label":
                continue
            if loc is not None:
                locs.append((len(code), loc.line, loc.col))
            code.extend(isa.encode(name, {k: _physical(v, phys) for k, v in operands.items()}))
        return counts, array("I", code), locs


def _physical(v, phys, unplaced=None):
    """An operand's encoding: registers and labels resolved (a label not yet
    placed encodes as `unplaced`, for sizing)."""
    if isinstance(v, VReg):
        return phys[v]
    if isinstance(v, Label):
        return getattr(v, "pc", unplaced) if unplaced is not None else v.pc
    if isinstance(v, list):
        return [phys[r] for r in v]
    return v
