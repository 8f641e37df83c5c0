"""The native VM's operand accessors (generated into csrc/isa_opcodes.pxi)
read what the encoder writes and what the checked decoder reads: every
operand of every instruction, evaluated here from the generated text."""
import random
import re

import pytest

from iree_lite import isa
from iree_lite.isa import gen_native

ACCESSOR = re.compile(r"cdef inline (?:const )?\w+\*? (\w+)\((?:const uint32_t\* (ip)|uint32_t (w)(?:, int (\w+))?)\) "
                      r"noexcept nogil:\n(?:    #.*\n)?    return (.+)\n")


class Pointer:
    """A `const uint32_t*` into a list of words."""

    def __init__(self, words, offset=0):
        self.words, self.offset = words, offset

    def __getitem__(self, i):
        return self.words[self.offset + i]

    def __add__(self, n):
        return Pointer(self.words, self.offset + n)


def list_end(p):
    return p + 1 + ((p[0] + 3) >> 2)


def list_regs(p):
    return [(p[1 + (i >> 2)] >> ((i & 3) * 8)) & 0xFF for i in range(p[0])]


def accessors():
    """name -> a Python function of the generated accessor's body (C that is
    also Python: shifts, masks, indexing, pointer + n, list_end)."""
    env = {"list_end": list_end}
    for name, ip, w, extra, body in ACCESSOR.findall(gen_native.generate_pxi()):
        body = body.replace("<uint32_t>", "")   # C casts (Python's ~ and & clear the same bits)
        env[name] = eval(f"lambda {', '.join(filter(None, (ip, w, extra)))}: {body}", env)
    return env


ACCESSORS = accessors()


def test_every_operand_of_every_instruction_has_an_accessor():
    for op in isa.OPS:
        prefix = isa.c_name(op)[3:]
        for name, _ in op.operands:
            assert f"{prefix}_{name}" in ACCESSORS, op.name
        if op.form == "host":
            assert f"{prefix}_next" in ACCESSORS, op.name


@pytest.mark.parametrize("op", isa.OPS, ids=lambda op: op.name)
def test_accessors_read_what_the_encoder_writes(op):
    rng = random.Random(op.code)
    prefix = isa.c_name(op)[3:]
    for _ in range(20):
        values = {}
        for f in isa.fields(op):
            if f.place == "list":
                values[f.name] = [rng.randrange(isa.HOST_REGS) for _ in range(rng.randrange(10))]
            elif f.place == "word":
                values[f.name] = rng.randrange(1 << 32)
            else:
                values[f.name] = rng.randrange(isa.TILE_REGS if f.place == "tile" else isa.HOST_REGS)
        words = isa.encode(op.name, values)
        decoded = isa.decode(words, 0)
        assert decoded[1] == values and decoded[3] == len(words)
        ip = Pointer(words)
        for f in isa.fields(op):
            read = ACCESSORS[f"{prefix}_{f.name}"]
            got = read(words[0]) if f.place == "tile" else read(ip)
            assert (list_regs(got) if f.place == "list" else got) == values[f.name], (op.name, f.name)
        if op.form == "host":
            assert ACCESSORS[f"{prefix}_next"](ip).offset == len(words)


@pytest.mark.parametrize("op", isa.OPS, ids=lambda op: op.name)
def test_the_shared_word_fields_read_what_the_encoder_writes(op):
    """opcode_of, and for tile words tile_type, tile_d and tile_source (the
    tile interpreter's generic reads), against the encoder and the decoder;
    an element type setter changes that field alone."""
    rng = random.Random(op.code)
    for _ in range(20):
        values = {f.name: rng.randrange(isa.TILE_REGS if f.place == "tile" else isa.HOST_REGS)
                  for f in isa.fields(op) if f.place in ("tile", "slot")}
        values.update({f.name: [] if f.place == "list" else rng.randrange(1 << 32)
                       for f in isa.fields(op) if f.place in ("list", "word")})
        type_code = rng.randrange(len(isa.ELEMENT_CODES)) if op.form == "tile" else 0
        w = isa.encode(op.name, values, type_code)[0]
        assert ACCESSORS["opcode_of"](w) == isa.opcode_of(w) == op.code
        if op.form == "host":
            continue
        assert ACCESSORS["tile_type"](w) == isa.decode([w], 0)[2] == type_code
        assert ACCESSORS["tile_d"](w) == values["d"]
        sources = [name for name, kind in op.operands if kind == "ts"]
        if sources and op.operands[1][1] == "ts":   # the ops tile_arith runs
            assert [ACCESSORS["tile_source"](w, i) for i in range(len(sources))] == [values[n] for n in sources]
        for f in isa.fields(op):
            if f.kind == "element":
                set_field = ACCESSORS[f"{isa.c_name(op)[3:]}_with_{f.name}"]
                code = rng.randrange(len(isa.ELEMENT_CODES))
                assert isa.decode([set_field(w, code)], 0)[1:3] == ({**values, f.name: code}, type_code)


def test_the_native_vm_decodes_with_the_generated_accessors_alone():
    """No shift or mask of an instruction word is typed in csrc/: the tile
    interpreter and the host loop read fields through the accessors."""
    import pathlib
    csrc = pathlib.Path(gen_native.__file__).resolve().parents[2] / "csrc"
    typed = {}
    for path in csrc.glob("*.pxi"):
        if path.name.startswith("isa_"):
            continue
        for line in path.read_text().splitlines():
            if re.search(r"\b(w|ip\[0\]) *(>>|&)|<< *(8|12|17|22|27)\b", line):
                typed.setdefault(path.name, []).append(line.strip())
    assert typed == {}
