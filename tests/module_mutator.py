"""Structured module mutator (test support, not product code).

Decodes a compiled seed module into its records, applies 1-3 random
structured mutations from a seeded RNG (instruction fields, instruction
order, kernel tiles and bindings, constants, register counts, signatures,
ordinals, raw section lengths and counts), and re-encodes it with a fresh
checksum. Each mutant is named by (program, seed), which regenerates it
exactly. tests/mutant_runner.py loads and runs them.
"""
import copy
import functools
import os
import random
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from iree_lite import isa  # noqa: E402
from iree_lite.isa.module import (  # noqa: E402
    CONST_DATA, CONST_FLOAT, CONST_INT, CONST_LAYOUT, HEADER, MAGIC, serialize)

LIT = os.path.join(ROOT, "tests", "lit")
# Seed programs: name -> (source, execution model, seeds it imports, loaded first).
SEEDS = {
    "module_a": ("module_a.mlir", "async-external", ()),
    "module_b": ("module_b.mlir", "async-external", ()),
    "pipeline_async": ("pipeline_async.mlir", "async-external", ("module_a", "module_b")),
    "pipeline_sync": ("pipeline_sync.mlir", "host-only", ("module_a_sync", "module_b_sync")),
    "module_a_sync": ("module_a.mlir", "host-only", ()),
    "module_b_sync": ("module_b.mlir", "host-only", ()),
    "dynamic_shapes": ("dynamic_shapes.mlir", "host-only", ()),
    "e2e_style": ("e2e_style.mlir", "async-external", ()),
    "ops_scf": ("ops_scf.mlir", "host-only", ()),
    "ops_tensor": ("ops_tensor.mlir", "host-only", ()),
    "ops_util": ("ops_util.mlir", "async-external", ()),
    "ops_func": ("ops_func.mlir", "host-only", ()),
    "structured_ops": ("structured_ops.mlir", "host-only", ()),
    "ops_pooling": ("ops_pooling.mlir", "host-only", ()),
    "row_products": ("row_products.mlir", "host-only", ()),
    "index_ops": ("index_ops.mlir", "async-external", ()),
    "check_module": ("check_module.mlir", "host-only", ()),
}
PROGRAMS = sorted(SEEDS)

U32 = 0xFFFFFFFF
BIG_DIMS = (2**62, 2**62 - 1, 2**62 + 1, 2**63 - 1, 2**40, 2**32, 2**31, -1, -2, -2**63, 0)
I64_SPECIALS = (0, 1, -1, -2, 2, 7, 8, 255, 256, 2**31, 2**32, 2**62, 2**63 - 1, -2**63)
TYPES = ("tensor<4xf32>", "tensor<?xf32>", "tensor<4096xf32>", "tensor<2x3xi32>", "tensor<?x?xf32>",
         "tensor<4xi64>", "tensor<4xindex>", "tensor<4xi1>", "tensor<1x1x1x1x1x1x1x1x1xf32>", "tensor<f32>",
         "f32", "f64", "i1", "i32", "i64", "index", "tensor<4xf32", "!fence", "tensor<0xf16>")


COMPILED_SEEDS = {}   # seed name -> module bytes (a child gets them from its parent)


def seed_blob(name):
    if name not in COMPILED_SEEDS:
        from iree_lite.compiler import compile_module
        source, model, _ = SEEDS[name]
        path = os.path.join(LIT, source)
        with open(path) as f:
            COMPILED_SEEDS[name] = serialize(compile_module(f.read(), path, model))
    return COMPILED_SEEDS[name]


@functools.lru_cache(maxsize=None)
def seed_module(name):
    from iree_lite.vm.format import deserialize
    return deserialize(seed_blob(name))


# --------------------------------------------------------------------------
# Mutations: each takes (module, rng) and returns a description, or None when
# the module has nothing of its kind.

def _instructions(code):
    """[(pc, op, long word positions, [(count position, n)])] of a host code
    array, stopping at the first word that does not decode."""
    out, pc = [], 0
    while pc < len(code):
        try:
            op, _, _, nxt = isa.decode(code, pc)
        except isa.DecodeError:
            break
        longs = [pc + 1 + i for i in range(sum(k in isa.LONG_KINDS for _, k in op.operands))]
        lists, at = [], pc + 1 + len(longs)
        for _, kind in op.operands:
            if kind in isa.LIST_KINDS:
                lists.append((at, code[at]))
                at += 1 + (code[at] + 3) // 4
        out.append((pc, op, longs, lists))
        pc = nxt
    return out


def _pick_int(rng, v, n=0):
    """A new 8-bit field for old value v of a range of n: in range half the time."""
    if n and rng.random() < 0.5:
        return rng.randrange(min(n, 256))
    return rng.choice([v + 1, max(v - 1, 0), 0, n, n + 1, max(n - 1, 0), rng.randrange(256), 255]) % 256


def _pick_u32(rng, v, n=0):
    """A new 32-bit field for old value v (which an earlier mutation may have made U32)."""
    return rng.choice([v + 1, max(v - 1, 0), 0, n, n + 1, max(n - 1, 0), U32, 2**31, 2**16,
                       rng.randrange(max(n, 1) + 8)]) & U32


def _with_code(items, rng):
    """A random one of the functions or kernels that have code (None if none has)."""
    items = [x for x in items if len(x.code)]
    return rng.choice(items) if items else None


def mutate_host_word(m, rng):
    f = _with_code(m.functions, rng)
    if f is None:
        return None
    instrs = _instructions(f.code)
    if not instrs:
        return None
    pc, op, longs, lists = rng.choice(instrs)
    # The slots of the instruction's first word: an earlier opcode mutation
    # may have made it a tile op with more short operands than that word holds.
    shorts = [k for _, k in op.operands if k in isa.SHORT_KINDS][:3]
    fields = ["opcode"] + [f"slot{i}" for i in range(len(shorts))] + [f"long{i}" for i in range(len(longs))]
    fields += [f"count{i}" for i in range(len(lists))] + [f"listreg{i}" for i, (_, n) in enumerate(lists) if n]
    field = rng.choice(fields)
    code = f.code
    if field == "opcode":
        new = rng.choice([rng.choice(isa.ops_of_form("host")).code, rng.randrange(256)])
        code[pc] = code[pc] & ~0xFF | new
        new = isa.BY_CODE[new].name if new in isa.BY_CODE else new
    elif field.startswith("slot"):
        i = int(field[4:])
        old = code[pc] >> (8 + 8 * i) & 0xFF
        nregs = max(f.regs)
        new = _pick_int(rng, old, nregs)
        code[pc] = code[pc] & ~(0xFF << (8 + 8 * i)) | new << (8 + 8 * i)
    elif field.startswith("long"):
        at = longs[int(field[4:])]
        kind = [k for _, k in op.operands if k in isa.LONG_KINDS][int(field[4:])]
        if kind == "target":
            new = rng.choice([rng.randrange(len(code) + 1), pc, len(code), U32])
        else:
            n = {"const": len(m.constants), "func": len(m.functions), "global": len(m.globals),
                 "import": len(m.imports), "kernel": len(m.kernels)}[kind]
            new = rng.choice([_pick_u32(rng, code[at], n), rng.randrange(max(n, 1))])
        code[at] = new
    elif field.startswith("count"):
        at, n = lists[int(field[5:])]
        new = code[at] = rng.choice([n + 1, n + 4, max(n - 1, 0), 0, 255, 256, 257, 1000, U32, 2**30])
    else:
        at, n = lists[int(field[7:])]
        i = rng.randrange(n)
        word = at + 1 + i // 4
        shift = 8 * (i % 4)
        new = _pick_int(rng, code[word] >> shift & 0xFF, max(f.regs))
        code[word] = code[word] & ~(0xFF << shift) | new << shift
        return f"function '{f.name}' pc {pc} ({op.name}) list {field[7:]} register {i} := {new}"
    return f"function '{f.name}' pc {pc} ({op.name}) {field} := {new}"


def mutate_code_length(m, rng):
    """Insert, delete or duplicate a word: everything after it shifts."""
    f = _with_code(m.functions, rng)
    if f is None:
        return None
    i = rng.randrange(len(f.code))
    action = rng.choice(["insert", "delete", "duplicate"])
    if action == "insert":
        f.code.insert(i, rng.choice([0, U32, rng.randrange(2**32), rng.choice(isa.ops_of_form("host")).code]))
    elif action == "delete":
        del f.code[i]
    else:
        f.code.insert(i, f.code[i])
    return f"function '{f.name}' word {i}: {action}"


def mutate_tile_word(m, rng):
    k = _with_code(m.kernels, rng)
    if k is None:
        return None
    pc = rng.randrange(len(k.code))
    field = rng.choice(["opcode", "type", "d", "a", "b", "c", "word"])
    w = k.code[pc]
    was = isa.BY_CODE.get(w & 0xFF)
    if field == "opcode":
        w = w & ~0xFF | rng.choice([rng.choice(isa.ops_of_form("tile")).code, rng.randrange(256)])
    elif field == "type":
        w = w & ~0xF00 | rng.randrange(16) << 8
    elif field == "word":
        w = rng.randrange(2**32)
    else:
        shift = 12 + 5 * "dabc".index(field)
        w = w & ~(31 << shift) | rng.choice([rng.randrange(32), k.regs, k.regs - 1, 0, 31, len(k.bindings),
                                             k.push]) % 32 << shift
    k.code[pc] = w
    now = isa.BY_CODE.get(w & 0xFF)
    return f"kernel '{k.name}' pc {pc} ({was and was.name}) {field}: word {w:#x} ({now and now.name})"


def mutate_tile_sequence(m, rng):
    """Duplicate, move, swap or drop a kernel instruction, or copy one from
    another kernel: orders the compiler never emits (t.bind, in-place ops)."""
    k = _with_code(m.kernels, rng)
    if k is None:
        return None
    code = list(k.code)
    i, j = rng.randrange(len(code)), rng.randrange(len(code) + 1)
    action = rng.choice(["duplicate", "move", "swap", "drop", "borrow"])
    if action == "duplicate":
        code.insert(j, code[i])
    elif action == "move":
        code.insert(j, code.pop(i))
    elif action == "swap":
        j = min(j, len(code) - 1)
        code[i], code[j] = code[j], code[i]
    elif action == "drop":
        del code[i]
    else:
        donor = _with_code(m.kernels, rng)
        code.insert(j, donor.code[rng.randrange(len(donor.code))])
    k.code = type(k.code)("I", code)
    return f"kernel '{k.name}' {action} {i} {j}"


def mutate_host_sequence(m, rng):
    """Duplicate, move or drop a whole host instruction."""
    f = _with_code(m.functions, rng)
    if f is None:
        return None
    starts = [pc for pc, *_ in _instructions(f.code)] + [len(f.code)]
    if len(starts) < 2:
        return None
    n = rng.randrange(len(starts) - 1)
    words = list(f.code[starts[n]:starts[n + 1]])
    code = list(f.code)
    action = rng.choice(["duplicate", "move", "drop"])
    if action != "duplicate":
        del code[starts[n]:starts[n + 1]]
    at = rng.choice(starts[:-1])
    if action != "drop":
        code[at:at] = words
    f.code = type(f.code)("I", code)
    return f"function '{f.name}' {action} instruction at {starts[n]} (to {at})"


def mutate_kernel(m, rng):
    if not m.kernels:
        return None
    k = rng.choice(m.kernels)
    field = rng.choice(["regs", "push", "binding element", "binding role", "add binding", "drop binding"])
    b = list(k.bindings)
    if field == "regs":
        k.regs = rng.choice([0, 1, k.regs - 1, k.regs + 1, isa.KERNEL_TILE_REGS, isa.TILE_REGS, 255, U32]) % 2**32
    elif field == "push":
        k.push = _pick_u32(rng, k.push, 33)
    elif not b and field != "add binding":
        return None
    elif field == "binding element":
        i = rng.randrange(len(b))
        b[i] = (rng.choice([rng.randrange(10), 10, 255]), b[i][1])
    elif field == "binding role":
        i = rng.randrange(len(b))
        b[i] = (b[i][0], rng.choice([0, 1, 2, 3, 255]))
    elif field == "add binding":
        b.insert(rng.randrange(len(b) + 1), (rng.randrange(10), rng.randrange(3)))
    else:
        del b[rng.randrange(len(b))]
    k.bindings = tuple(b)
    return f"kernel '{k.name}' {field}: regs {k.regs} push {k.push} bindings {k.bindings}"


def mutate_constant(m, rng):
    if not m.constants:
        return None
    i = rng.randrange(len(m.constants))
    c = m.constants[i]
    field = rng.choice(["kind", "element", "dim", "dim", "rank", "data length", "data word", "value"])
    if field == "kind":
        c.kind = rng.choice([CONST_INT, CONST_FLOAT, CONST_LAYOUT, CONST_DATA])
        c.value = 1.0 if c.kind == CONST_FLOAT else 1
    elif field == "element":
        c.element = rng.choice([rng.randrange(10), 10, 15, 255])
    elif field == "dim":
        shape = list(c.shape) or [1]
        shape[rng.randrange(len(shape))] = rng.choice(BIG_DIMS + (rng.randrange(9),))
        c.shape = tuple(shape)
    elif field == "rank":
        c.shape = rng.choice([(), c.shape[:-1], c.shape + (1,), (1,) * 9, (2,) * 100, c.shape[::-1]])
    elif field == "data length":
        data = bytes(c.data)   # a loaded module's constants are views of its bytes
        c.data = rng.choice([data[:-1], data[:len(data) // 2], data + bytes(8), b"", data * 2])
    elif field == "data word":
        if len(c.data) < 8:
            return None
        j = rng.randrange(len(c.data) // 8) * 8
        c.data = bytes(c.data[:j]) + struct.pack("<q", rng.choice(I64_SPECIALS)) + bytes(c.data[j + 8:])
    elif c.kind == CONST_INT:
        c.value = rng.choice(I64_SPECIALS)
    elif c.kind == CONST_FLOAT:
        c.value = rng.choice([float("nan"), float("inf"), -0.0, 1e308, 2.0**63])
    else:
        return None
    return f"constant {i} {field}: kind {c.kind} element {c.element} shape {c.shape[:12]} {len(c.data)} bytes"


def mutate_regs(m, rng):
    if not m.functions:
        return None
    f = rng.choice(m.functions)
    regs = list(f.regs)
    b = rng.randrange(3)
    regs[b] = rng.choice([0, max(regs[b] - 1, 0), regs[b] + 1, 255, 256, 257, 2**16])
    f.regs = tuple(regs)
    return f"function '{f.name}' regs := {f.regs}"


def mutate_signature(m, rng):
    owners = m.functions + m.imports
    if not owners:
        return None
    owner = rng.choice(owners)
    sig = owner.signature
    inputs, results = list(sig.inputs), list(sig.results)
    field = rng.choice(["input type", "result type", "add input", "drop input", "add result", "drop result", "abi"])
    lst = inputs if "input" in field else results
    if field == "abi":
        sig.abi = "sync" if sig.abi != "sync" else "coarse-fences"
    elif field.startswith("add"):
        lst.insert(rng.randrange(len(lst) + 1), rng.choice(TYPES))
    elif not lst:
        return None
    elif field.startswith("drop"):
        del lst[rng.randrange(len(lst))]
    else:
        lst[rng.randrange(len(lst))] = rng.choice(TYPES)
    sig.inputs, sig.results = tuple(inputs), tuple(results)
    return f"signature of '{owner.name}' {field}: {sig} [{sig.abi}]"


def mutate_ordinals(m, rng):
    """Exports, imports, globals and initializers."""
    field = rng.choice(["export", "import", "global bank", "global initial", "global type", "initializer"])
    if field == "export" and m.exports:
        e = rng.choice(m.exports)
        e.function = _pick_u32(rng, e.function, len(m.functions))
        return f"export '{e.name}' function := {e.function}"
    if field == "import" and m.imports:
        imp = rng.choice(m.imports)
        imp.name = rng.choice(["module_a.abs", "module_b.mul", "module_a.mul", "nowhere.f", "module_b", ""])
        return f"import := '{imp.name}'"
    if field.startswith("global") and m.globals:
        g = rng.choice(m.globals)
        if field == "global bank":
            g.bank = rng.choice("ifr")
        elif field == "global initial":
            g.initial = rng.choice([-1, -2, len(m.constants), rng.randrange(max(len(m.constants), 1)), 2**62])
        else:
            g.type = rng.choice(TYPES)
        return f"global '{g.name}' {field}: {g.type} bank {g.bank} initial {g.initial}"
    if field == "initializer" and m.functions:
        ordinal = rng.choice([rng.randrange(len(m.functions)), len(m.functions), U32])
        if m.initializers and rng.random() < 0.5:
            m.initializers[rng.randrange(len(m.initializers))] = ordinal
        else:
            m.initializers.append(ordinal)
        return f"initializers := {m.initializers}"
    return None


STRUCTURED = [(mutate_host_word, 6), (mutate_code_length, 1), (mutate_host_sequence, 2), (mutate_tile_word, 4),
              (mutate_tile_sequence, 3), (mutate_kernel, 2), (mutate_constant, 4), (mutate_regs, 1),
              (mutate_signature, 2), (mutate_ordinals, 2)]


def _sections(payload):
    """[(offset of the section header, tag, body length)]."""
    out, pos = [], 0
    while pos + 8 <= len(payload):
        tag, n = bytes(payload[pos:pos + 4]), struct.unpack_from("<I", payload, pos + 4)[0]
        out.append((pos, tag, n))
        pos += 8 + n
        pos += -pos % 8
    return out


def mutate_raw(blob, rng):
    """A section length, a count word at a section's start, or a byte, in the
    encoded file; the header's length and checksum are made right again."""
    payload = bytearray(blob[HEADER.size:])
    pos, tag, n = rng.choice(_sections(payload))
    field = rng.choice(["length", "count", "byte"])
    if field == "length":
        new = rng.choice([n + 1, n + 4, n + 8, max(n - 1, 0), max(n - 8, 0), 0, U32])
        struct.pack_into("<I", payload, pos + 4, new)
    elif n >= 4 and field == "count":
        new = rng.choice([0, 1, 255, U32, 2**28, struct.unpack_from("<I", payload, pos + 8)[0] + 1])
        struct.pack_into("<I", payload, pos + 8, new)
    elif n:
        at = pos + 8 + rng.randrange(n)
        new = rng.randrange(256)
        payload[at] = new
    else:
        return blob, None
    payload = bytes(payload)
    return (HEADER.pack(MAGIC, 1, zlib.crc32(payload), len(payload)) + payload,
            f"raw {tag.decode(errors='replace')} {field} := {new}")


def make_mutant(program, seed):
    """(blob, [mutation descriptions]) of mutant `seed` of a seed program."""
    rng = random.Random(f"{program}:{seed}")
    m = copy.deepcopy(seed_module(program))
    mutators, weights = zip(*STRUCTURED)
    wanted, done, tries = rng.randint(1, 3), [], 0
    raw = rng.random() < 0.15
    while len(done) < wanted - raw and tries < 50:
        tries += 1
        what = rng.choices(mutators, weights)[0](m, rng)
        if what:
            done.append(what)
    blob = serialize(m)
    if raw:
        blob, what = mutate_raw(blob, rng)
        if what:
            done.append(what)
    return blob, done
