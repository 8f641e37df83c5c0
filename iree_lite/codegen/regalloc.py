"""Register allocation for host functions: linear scan per bank.

Virtual registers are numbered per function; arguments are pinned to the
first registers of their bank, in order, by the calling convention. A
register is free again after its last use, so an instruction may write its
result into a register one of its own operands just freed (the VM reads all
operands before writing results).
"""
from . import isa


class VReg:
    __slots__ = ("bank", "id")

    def __init__(self, bank, id):
        self.bank = bank   # 'i', 'f' or 'r'
        self.id = id

    def __repr__(self):
        return f"v{self.bank}{self.id}"


class RegisterLimitError(Exception):
    pass


def _regs_of(op, operands):
    """(name, kind, [VReg]) for each register operand of an instruction."""
    for name, kind in op.operands:
        if kind in ("ri", "rf", "rr"):
            yield name, [operands[name]]
        elif kind in isa.LIST_KINDS:
            yield name, list(operands[name])


class Label:
    """A branch target; the pseudo-instruction ("label", {"at": Label}) marks its place."""
    __slots__ = ("pc",)


def allocate(insts, args):
    """Map every VReg to a physical register. `insts` is [(name, operands)],
    labels included; `args` are the argument VRegs. Returns
    ({VReg: int}, (ni, nf, nr))."""
    last = {}
    first = {}
    for i, (name, operands) in enumerate(insts):
        if name == "label":
            continue
        for _, regs in _regs_of(isa.BY_NAME[name], operands):
            for r in regs:
                last[r] = i
                first.setdefault(r, i)
    # A value live into a loop stays live until the loop's back edge: the
    # next iteration reads it again. Inner loops first, so outer ones see it.
    where = {operands["at"]: i for i, (name, operands) in enumerate(insts) if name == "label"}
    loops = sorted(((where[operands["target"]], i) for i, (name, operands) in enumerate(insts)
                    if name in ("br", "br.if") and where[operands["target"]] < i), key=lambda l: l[1] - l[0])
    for head, back in loops:
        for r, end in last.items():
            if first[r] < head <= end < back:
                last[r] = back
    assigned = {}
    free = {"i": [], "f": [], "r": []}
    count = {"i": 0, "f": 0, "r": 0}

    def take(v):
        pool = free[v.bank]
        if pool:
            assigned[v] = pool.pop()
        else:
            assigned[v] = count[v.bank]
            count[v.bank] += 1
            if count[v.bank] > isa.HOST_REGS:
                raise RegisterLimitError(f"function needs more than {isa.HOST_REGS} {v.bank} registers")

    for a in args:
        take(a)
    for i, (name, operands) in enumerate(insts):
        if name == "label":
            continue
        groups = list(_regs_of(isa.BY_NAME[name], operands))
        for n, regs in groups:
            if not n.startswith("dst"):
                for r in dict.fromkeys(regs):
                    if last.get(r) == i and r in assigned and r not in args:
                        free[r.bank].append(assigned[r])
        for n, regs in groups:
            if n.startswith("dst"):
                for r in regs:
                    if r not in assigned:
                        take(r)
                        if last.get(r, i) == i:   # written, never read: free it again
                            free[r.bank].append(assigned[r])
        for pool in free.values():
            pool.sort(reverse=True)
    return assigned, (count["i"], count["f"], count["r"])
