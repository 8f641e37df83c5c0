"""Disassembler: one line per instruction, from the ISA table.

Host registers print as i3, f0, r2 by bank; tile registers as t5; lists in
brackets. A source location, when recorded, ends the line as `// line:col`.
"""
from .. import isa
from ..isa.module import CONST_DATA, CONST_FLOAT, CONST_INT

ROLE_NAMES = {isa.BIND_INPUT: "in", isa.BIND_OUTPUT: "out", isa.BIND_GATHERED: "gather"}

_PREFIX = {"ri": "i", "rf": "f", "rr": "r", "td": "t", "ts": "t", "bind": "b", "push": "p"}


def _constant(m, ordinal):
    c = m.constants[ordinal]
    if c.kind in (CONST_INT, CONST_FLOAT):
        return f"#{ordinal}({c.value!r})"
    dims = "".join(f"{d}x" for d in c.shape)
    kind = "data " if c.kind == CONST_DATA else ""
    return f"#{ordinal}({kind}{dims}{isa.ELEMENT_NAMES[c.element]})"


def format_operand(m, kind, value):
    if kind in _PREFIX:
        return f"{_PREFIX[kind]}{value}"
    if kind == "cmpf":
        return isa.CMPF_PREDICATES[value][0] if value < len(isa.CMPF_PREDICATES) else f"?{value}"
    if kind == "cmpi":
        return isa.CMPI_PREDICATES[value][0] if value < len(isa.CMPI_PREDICATES) else f"?{value}"
    if kind == "element":
        return isa.ELEMENT_NAMES.get(value, f"?{value}")
    if kind in isa.LIST_KINDS:
        return "[" + ", ".join(f"{kind[1]}{r}" for r in value) + "]"
    if kind == "const":
        return _constant(m, value)
    if kind == "func":
        return f"@{m.functions[value].name}"
    if kind == "import":
        return f"@{m.imports[value].name}"
    if kind == "kernel":
        return f"@{m.kernels[value].name}"
    return str(value)


def disassemble(m, code, locs=()):
    """[(pc, text)] for a function's or kernel's code."""
    where = dict((pc, (line, col)) for pc, line, col in locs)
    lines = []
    pc = 0
    while pc < len(code):
        op, values, type_code, nxt = isa.decode(code, pc)
        text = op.name
        if op.form == "tile":
            text += "." + isa.ELEMENT_NAMES.get(type_code, f"?{type_code}")
        operands = [format_operand(m, kind, values[name]) for name, kind in op.operands]
        if operands:
            text += " " + ", ".join(operands)
        if pc in where:
            text += "  // %d:%d" % where[pc]
        lines.append((pc, text))
        pc = nxt
    return lines


def disassemble_module(m):
    """Text listing of every function and kernel of a module."""
    out = []
    for f in m.functions:
        ni, nf, nr = f.regs
        out.append(f"func @{f.name}{f.signature} [{f.signature.abi}] regs(i={ni}, f={nf}, r={nr})")
        out += [f"  {pc:4d}: {text}" for pc, text in disassemble(m, f.code, f.locs)]
    for k in m.kernels:
        binds = ", ".join(ROLE_NAMES[role] + " " + isa.ELEMENT_NAMES[e] for e, role in k.bindings)
        out.append(f"kernel @{k.name}({binds}) push={k.push} tile_regs={k.regs}")
        out += [f"  {pc:4d}: {text}" for pc, text in disassemble(m, k.code, k.locs)]
    return "\n".join(out) + "\n"
