"""The encoder and THE decoder: where each operand of an instruction lives.

`fields(op)` is the one description of an instruction's layout. `decode`
reads it with every bound checked (the verifier, the reference interpreter,
the disassembler); gen_native.py writes the same layout out as one unchecked
Cython accessor per operand field (csrc/isa_opcodes.pxi), which the native
VM decodes with: one decoder under two policies, as IREE's VM has.
"""
import collections

from .table import BY_CODE, BY_NAME, HOST_REGS, LONG_KINDS, OPS, SHORT_KINDS, TILE_REGS

# One operand field: `place` is 'slot' (bits 8 + 8 * index of the host word),
# 'word' (the index-th word after it), 'list' (the index-th register list
# after the long words; each is a count word, then registers four to a word)
# or 'tile' (bits 12 + 5 * index of the tile word).
Field = collections.namedtuple("Field", "name kind place index")
TILE_FIELD_SHIFT, TILE_FIELD_BITS = 12, 5


class DecodeError(ValueError):
    pass


def _layout(op):
    if op.form == "tile":
        return tuple(Field(n, kind, "tile", i) for i, (n, kind) in enumerate(op.operands))
    counters = {"slot": 0, "word": 0, "list": 0}
    out = []
    for n, kind in op.operands:
        place = "slot" if kind in SHORT_KINDS else "word" if kind in LONG_KINDS else "list"
        out.append(Field(n, kind, place, counters[place]))
        counters[place] += 1
    return tuple(out)


_FIELDS = {op.code: _layout(op) for op in OPS}


def fields(op):
    """The operand fields of `op`, in operand order."""
    return _FIELDS[op.code]


def encode(name, operands, type_code=0):
    """Words for one instruction. `operands` maps operand names to values
    (ints, or lists of ints for list operands); `type_code` is for tile ops."""
    op = BY_NAME[name]
    word, longs, lists = op.code | type_code << 8, [], []
    for f in fields(op):
        v = operands[f.name]
        if f.place == "tile":
            assert 0 <= v < TILE_REGS, (name, f.name, v)
            word |= v << (TILE_FIELD_SHIFT + TILE_FIELD_BITS * f.index)
        elif f.place == "slot":
            assert 0 <= v < HOST_REGS, (name, f.name, v)
            word |= v << (8 + 8 * f.index)
        elif f.place == "word":
            longs.append(v)
        else:
            lists.append(len(v))
            for i in range(0, len(v), 4):
                chunk = list(v[i:i + 4])
                assert all(0 <= r < HOST_REGS for r in chunk), (name, f.name, v)
                lists.append(sum(r << (8 * j) for j, r in enumerate(chunk)))
    return [word] + longs + lists


def decode(code, pc):
    """(op, {operand name: value}, type code, next pc) for the instruction at
    `pc`. Raises DecodeError for an unknown opcode or a truncated instruction."""
    word = code[pc]
    op = BY_CODE.get(word & 0xFF)
    if op is None:
        raise DecodeError(f"unknown opcode {word & 0xFF}")
    values = {}
    if op.form == "tile":
        for f in _FIELDS[op.code]:
            values[f.name] = (word >> (TILE_FIELD_SHIFT + TILE_FIELD_BITS * f.index)) & (TILE_REGS - 1)
        return op, values, (word >> 8) & 15, pc + 1
    nxt = pc + 1
    layout = _FIELDS[op.code]
    for f in layout:
        if f.place == "slot":
            values[f.name] = (word >> (8 + 8 * f.index)) & 0xFF
        elif f.place == "word":
            if nxt >= len(code):
                raise DecodeError(f"truncated '{op.name}' instruction")
            values[f.name] = code[nxt]
            nxt += 1
    for f in layout:
        if f.place == "list":
            if nxt >= len(code):
                raise DecodeError(f"truncated '{op.name}' instruction")
            count = code[nxt]
            nwords = (count + 3) // 4
            if nxt + 1 + nwords > len(code):
                raise DecodeError(f"truncated '{op.name}' instruction")
            values[f.name] = [(code[nxt + 1 + i // 4] >> (8 * (i % 4))) & 0xFF for i in range(count)]
            nxt += 1 + nwords
    return op, values, 0, nxt
