"""The encoder and THE decoder: where each operand of an instruction lives.

`fields(op)` is the one description of an instruction's layout. `decode`
reads it with every bound checked (the verifier, the reference interpreter,
the disassembler); gen_native.py writes the same layout out as one unchecked
Cython accessor per operand field (csrc/isa_opcodes.pxi), which the native
VM decodes with: one decoder under two policies, as IREE's VM has.
"""
import collections

from .table import (
    BY_CODE, BY_NAME, HOST_REGS, HOST_SLOT_BITS, LONG_KINDS, OPCODE_BITS, OPS, SHORT_KINDS, TILE_FIELD_BITS,
    TILE_FIELD_SHIFT, TILE_REGS, TILE_TYPE_BITS, TILE_TYPE_SHIFT)

# One operand field: `place` is 'slot' (the index-th slot of the host word),
# 'word' (the index-th word after it), 'list' (the index-th register list
# after the long words; each is a count word, then registers four to a word)
# or 'tile' (the index-th field of the tile word). Where a slot or a field
# lies in its word: `bit_range`.
Field = collections.namedtuple("Field", "name kind place index")


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


def bit_range(place, index):
    """(shift, bits) of slot or tile field `index` (Field.place, Field.index)
    in its instruction word; ('opcode', 0) and ('type', 0) for the opcode and
    a tile word's element type code."""
    if place == "slot":
        return OPCODE_BITS + HOST_SLOT_BITS * index, HOST_SLOT_BITS
    if place == "tile":
        return TILE_FIELD_SHIFT + TILE_FIELD_BITS * index, TILE_FIELD_BITS
    return {"opcode": (0, OPCODE_BITS), "type": (TILE_TYPE_SHIFT, TILE_TYPE_BITS)}[place]


def _reader(place, index=0):
    shift, bits = bit_range(place, index)
    return shift, (1 << bits) - 1


# Per op, (name, shift, mask) of each slot or tile field: decode's hot loop.
_SHORT = {op.code: [(f.name, *_reader(f.place, f.index)) for f in _FIELDS[op.code] if f.place in ("slot", "tile")]
          for op in OPS}
_OPCODE_MASK = _reader("opcode")[1]
_TYPE_SHIFT, _TYPE_MASK = _reader("type")


def opcode_of(word):
    """The opcode of the instruction whose first word is `word`."""
    return word & _OPCODE_MASK


def fields(op):
    """The operand fields of `op`, in operand order."""
    return _FIELDS[op.code]


def encode(name, operands, type_code=0):
    """Words for one instruction. `operands` maps operand names to values
    (ints, or lists of ints for list operands); `type_code` is for tile ops."""
    op = BY_NAME[name]
    word, longs, lists = op.code | type_code << TILE_TYPE_SHIFT, [], []
    for f in fields(op):
        v = operands[f.name]
        if f.place in ("tile", "slot"):
            assert 0 <= v < (TILE_REGS if f.place == "tile" else HOST_REGS), (name, f.name, v)
            word |= v << bit_range(f.place, f.index)[0]
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
    op = BY_CODE.get(opcode_of(word))
    if op is None:
        raise DecodeError(f"unknown opcode {opcode_of(word)}")
    values = {name: (word >> shift) & mask for name, shift, mask in _SHORT[op.code]}
    if op.form == "tile":
        return op, values, (word >> _TYPE_SHIFT) & _TYPE_MASK, pc + 1
    nxt = pc + 1
    layout = _FIELDS[op.code]
    for f in layout:
        if f.place == "word":
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
