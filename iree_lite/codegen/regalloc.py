"""Register allocation for host functions: linear scan per bank.

Virtual registers are numbered per function; arguments are pinned to the
first registers of their bank, in order, by the calling convention. Each
other register holds its physical register over the instructions where its
value may still be read on some path through the branches (liveness), so
values live around a loop's back edge stay put. A register is free again
after its last read, so an instruction may write its result into a
register one of its own operands just freed (the VM reads all operands
before writing results).
"""
from .. import isa


class VReg:
    __slots__ = ("bank", "id")

    def __init__(self, bank, id):
        self.bank = bank   # 'i', 'f' or 'r'
        self.id = id

    def __repr__(self):
        return f"v{self.bank}{self.id}"


def by_bank(regs, prefix):
    """A call's or return's register list operands, one per bank."""
    return {f"{prefix}_{b}": [r for r in regs if r.bank == b] for b in "ifr"}


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
    code = [(name, list(_regs_of(isa.BY_NAME[name], operands))) for name, operands in insts if name != "label"]
    start, end, kept = live_ranges(insts, code)
    taken_at, freed_before, freed_after = {}, {}, {}
    for r, i in sorted(start.items(), key=lambda item: item[0].id):   # deterministic: by number
        taken_at.setdefault(i, []).append(r)
    for r, i in end.items():
        (freed_after if r in kept else freed_before).setdefault(i, []).append(r)
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

    def release(regs):
        for r in regs:
            if r not in args:
                free[r.bank].append(assigned[r])
        for pool in free.values():
            pool.sort(reverse=True)

    for a in args:
        take(a)
    for i, (name, groups) in enumerate(code):
        # Live into this instruction before it writes anything: held from here.
        for r in taken_at.get(i, ()):
            if r not in assigned and not _writes(groups, r):
                take(r)
        # Registers read here for the last time free before the results take theirs.
        release(freed_before.get(i, ()))
        for n, regs in groups:
            if n.startswith("dst"):
                for r in regs:
                    if r not in assigned:
                        take(r)
        release(freed_after.get(i, ()))
    return assigned, (count["i"], count["f"], count["r"])


def _writes(groups, r):
    return any(n.startswith("dst") and any(x is r for x in regs) for n, regs in groups)


def live_ranges(insts, code):
    """Each register's range over the instructions of `code` (labels left
    out): (start, end, kept) where start[r] and end[r] are the first and
    last instruction at which r holds a value that may still be read, on
    any path through the branches, and `kept` the registers still live after
    their last instruction (a backward branch reads them again) or never read
    there, which free only after it."""
    index, at = {}, 0   # label -> the instruction it precedes
    for name, operands in insts:
        if name == "label":
            index[operands["at"]] = at
        else:
            at += 1
    n = len(code)
    succ = []
    for i, ((name, _), (_, operands)) in enumerate(zip(code, (x for x in insts if x[0] != "label"))):
        s = [] if name in ("ret", "br") else [i + 1] if i + 1 < n else []
        if name in ("br", "br.if"):
            s.append(index[operands["target"]])
        succ.append(s)
    uses, defs = [], []
    for _, groups in code:
        uses.append({r for g, regs in groups if not g.startswith("dst") for r in regs})
        defs.append({r for g, regs in groups if g.startswith("dst") for r in regs})
    # Backward dataflow to a fixed point (instructions in reverse order converge fast).
    live_in = [set() for _ in range(n)]
    live_out = [set() for _ in range(n)]
    changed = True
    while changed:
        changed = False
        for i in range(n - 1, -1, -1):
            out = set().union(*(live_in[j] for j in succ[i])) if succ[i] else set()
            new_in = uses[i] | (out - defs[i])
            if new_in != live_in[i] or out != live_out[i]:
                live_in[i], live_out[i], changed = new_in, out, True
    start, end = {}, {}
    for i in range(n):
        for r in live_in[i] | defs[i]:
            start.setdefault(r, i)
            end[r] = i
    kept = {r for r, i in end.items() if r in live_out[i] or r in defs[i]}
    return start, end, kept
