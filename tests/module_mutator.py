"""Structured module mutator (test support, not product code).

Decodes a compiled seed module into its dataclasses, applies 1-3 random
structured mutations from a seeded RNG (instruction fields, kernel tiles and
bindings, constants, register counts, signatures, ordinals, raw section
lengths), re-encodes it with a fresh checksum, and loads it and calls every
export in a child process under a timeout. Each mutant is named by
(program, seed), which regenerates it exactly.

    python tests/module_mutator.py run --count 2000 [--first 0] [--timeout 5]
    python tests/module_mutator.py repro PROGRAM SEED [-o mutant.vmfb]

Outcome classes: rejected (a clean error at load), ok, error (a clean error
at run time), and the failures: signal, hang (interruptible: the child
answered SIGINT within a second; uninterruptible: it had to be killed),
traceback (any other exception, an INTERNAL status, or a child that died
without a signal). A hang that does not answer SIGINT is run again on the
reference interpreter: if that loops too, the program loops
("hang: loops, not interruptible"), else the native VM hangs where the
program would end ("hang: uninterruptible").
"""
import argparse
import copy
import functools
import os
import pickle
import random
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from iree_lite.codegen import isa  # noqa: E402
from iree_lite.codegen.module import (  # noqa: E402
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
    "index_ops": ("index_ops.mlir", "async-external", ()),
    "check_module": ("check_module.mlir", "host-only", ()),
}
PROGRAMS = sorted(SEEDS)
FAILURES = ("signal", "hang: uninterruptible", "traceback")
CLEAN = ("rejected", "ok", "error")
# A program that loops forever must be interruptible; "not interruptible"
# counts those that are not (the reference interpreter loops on them too):
# cancellation of a running call is not this tool's to fix.
LOOPS = ("hang: loops", "hang: loops, not interruptible")
OUTCOMES = CLEAN + LOOPS + FAILURES

U32 = 0xFFFFFFFF
FENCE_TIMEOUT = 2.0   # seconds a call waits for its finish fence
BIG_DIMS = (2**62, 2**62 - 1, 2**62 + 1, 2**63 - 1, 2**40, 2**32, 2**31, -1, -2, -2**63, 0)
I64_SPECIALS = (0, 1, -1, -2, 2, 7, 8, 255, 256, 2**31, 2**32, 2**62, 2**63 - 1, -2**63)
TYPES = ("tensor<4xf32>", "tensor<?xf32>", "tensor<4096xf32>", "tensor<2x3xi32>", "tensor<?x?xf32>",
         "tensor<4xi64>", "tensor<4xindex>", "tensor<4xi1>", "tensor<1x1x1x1x1x1x1x1x1xf32>", "tensor<f32>",
         "f32", "f64", "i1", "i32", "i64", "index", "tensor<4xf32", "!fence", "tensor<0xf16>")


_COMPILED = {}   # seed name -> module bytes (a child gets them from its parent)


def seed_blob(name):
    if name not in _COMPILED:
        from iree_lite.compiler import compile_module
        source, model, _ = SEEDS[name]
        path = os.path.join(LIT, source)
        with open(path) as f:
            _COMPILED[name] = serialize(compile_module(f.read(), path, model))
    return _COMPILED[name]


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
    return rng.choice([v + 1, max(v - 1, 0), 0, n, n + 1, max(n - 1, 0), U32, 2**31, 2**16,
                       rng.randrange(max(n, 1) + 8)])


def _functions_with_code(m):
    return [f for f in m.functions if len(f.code)]


def mutate_host_word(m, rng):
    funcs = _functions_with_code(m)
    if not funcs:
        return None
    f = rng.choice(funcs)
    instrs = _instructions(f.code)
    if not instrs:
        return None
    pc, op, longs, lists = rng.choice(instrs)
    shorts = [k for _, k in op.operands if k in isa.SHORT_KINDS]
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
    funcs = _functions_with_code(m)
    if not funcs:
        return None
    f = rng.choice(funcs)
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
    kernels = [k for k in m.kernels if len(k.code)]
    if not kernels:
        return None
    k = rng.choice(kernels)
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
    kernels = [k for k in m.kernels if len(k.code)]
    if not kernels:
        return None
    k = rng.choice(kernels)
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
        donor = rng.choice(kernels)
        code.insert(j, donor.code[rng.randrange(len(donor.code))])
    k.code = type(k.code)("I", code)
    return f"kernel '{k.name}' {action} {i} {j}"


def mutate_host_sequence(m, rng):
    """Duplicate, move or drop a whole host instruction."""
    funcs = _functions_with_code(m)
    if not funcs:
        return None
    f = rng.choice(funcs)
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
        c.data = rng.choice([c.data[:-1], c.data[:len(c.data) // 2], c.data + bytes(8), b"", c.data * 2])
    elif field == "data word":
        if len(c.data) < 8:
            return None
        j = rng.randrange(len(c.data) // 8) * 8
        c.data = c.data[:j] + struct.pack("<q", rng.choice(I64_SPECIALS)) + c.data[j + 8:]
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


# --------------------------------------------------------------------------
# Running a mutant (in the child process).

def _input(type_str, index):
    """A small argument for a parameter of the seed's signature."""
    import numpy as np
    from iree_lite.runtime.context import _NUMPY_DTYPES
    from iree_lite.vm.verifier import parse_tensor_type
    element, shape = parse_tensor_type(type_str)
    if shape is None:
        return 1.5 if element.startswith(("f", "bf")) else 2
    shape = tuple(3 if d is None else d for d in shape)
    n = int(np.prod(shape, dtype=np.int64))
    values = (np.arange(n) + index) % 5
    if element.startswith(("f", "bf")):
        values = values - 1.5
    if element == "bf16":
        return values.astype(np.float32)   # rejected as the wrong dtype: a clean error
    return values.astype(_NUMPY_DTYPES[element]).reshape(shape)


def run_mutant(program, seed, device):
    """The outcome class and a detail line for one mutant, run in this process."""
    import numpy as np
    from iree_lite.runtime.context import Context
    from iree_lite.vm.disasm import disassemble_module
    from iree_lite.vm.errors import VMError
    blob, _ = make_mutant(program, seed)
    ctx = Context(device, 2 if device == "local-task" else None)
    for dep in SEEDS[program][2]:
        ctx.load_bytes(seed_blob(dep))
    try:
        module = ctx.load_bytes(blob)
    except VMError as e:
        return ("traceback" if e.code_name == "INTERNAL" else "rejected"), str(e)
    disassemble_module(module)   # dump-module shows any module the verifier accepts
    original = seed_module(program)
    outcome, detail = "ok", ""
    for export in module.exports:
        want = original.export(export.name) or export
        sig = original.functions[want.function].signature if original.export(export.name) else None
        inputs = module.functions[export.function].signature.inputs if sig is None else sig.inputs
        try:
            args = [_input(t, i) for i, t in enumerate(inputs)]
            # A coarse-fences function that never signals its fence ends in DEADLINE_EXCEEDED.
            for r in ctx.invoke(export.name, args, timeout=FENCE_TIMEOUT):
                if hasattr(r, "tobytes"):
                    np.asarray(r).sum()
        except VMError as e:
            if e.code_name == "INTERNAL":
                return "traceback", f"{export.name}: {e}"
            outcome, detail = "error", detail or f"{export.name}: {e}"
    return outcome, detail


def run_on_reference(program, seed):
    """Run the mutant on the reference interpreter (pure Python), to tell a
    program that loops from a native VM that hangs: any end will do."""
    from iree_lite.vm import interp
    from iree_lite.vm.format import deserialize
    from iree_lite.vm.verifier import parse_tensor_type
    ctx = interp.Context()
    for dep in SEEDS[program][2]:
        ctx.load(deserialize(seed_blob(dep)))
    module = deserialize(make_mutant(program, seed)[0])
    ctx.load(module)
    original = seed_module(program)
    for export in module.exports:
        want = original.export(export.name)
        sig = original.functions[want.function].signature if want else module.functions[export.function].signature
        args = []
        for i, t in enumerate(sig.inputs):
            value = _input(t, i)
            args.append(interp.Buffer(parse_tensor_type(t)[0], value.shape, bytearray(value.tobytes()))
                        if hasattr(value, "shape") else value)
        ctx.invoke(export.name, args)
    return "ended", ""


def child_main(seed_file):
    """Read `vm program seed device` lines (vm: native or reference); answer
    `outcome<TAB>detail` lines."""
    import traceback
    with open(seed_file, "rb") as f:
        _COMPILED.update(pickle.load(f))
    for line in sys.stdin:
        vm, program, seed, device = line.split()
        try:
            if vm == "native":
                outcome, detail = run_mutant(program, int(seed), device)
            else:
                outcome, detail = run_on_reference(program, int(seed))
        except KeyboardInterrupt:
            outcome, detail = "hang: loops", "interrupted"
        except Exception:
            outcome, detail = "traceback", traceback.format_exc().strip().splitlines()[-1]
        sys.stdout.write(f"{outcome}\t{' '.join(detail.split())[:300]}\n")
        sys.stdout.flush()


# --------------------------------------------------------------------------
# The parent: feeds mutants to a child, restarting it after a crash or hang.

class Runner:
    def __init__(self, timeout=5.0, memory_limit=3 << 30):
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.dir = tempfile.TemporaryDirectory(prefix="mutator")
        self.seed_file = os.path.join(self.dir.name, "seeds.pickle")
        with open(self.seed_file, "wb") as f:
            pickle.dump({name: seed_blob(name) for name in SEEDS}, f)
        self.child = None

    def _start(self):
        limit = self.memory_limit

        def limits():
            import ctypes
            import resource
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG: die with the parent
            if limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        self.stderr = open(os.path.join(self.dir.name, "stderr"), "w+b")
        env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "child", self.seed_file],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                      preexec_fn=limits, env=env, cwd=ROOT)

    def _stop(self):
        if self.child is not None:
            self.child.kill()
            self.child.wait()
            self.child.stdin.close()
            self.child.stdout.close()
            self.stderr.close()
            self.child = None

    def _answer(self, timeout):
        ready, _, _ = select.select([self.child.stdout], [], [], timeout)
        return self.child.stdout.readline().decode() if ready else None

    def run(self, program, seed, device, vm="native"):
        """(outcome, detail) of one mutant."""
        if self.child is None:
            self._start()
        self.child.stdin.write(f"{vm} {program} {seed} {device}\n".encode())
        self.child.stdin.flush()
        line = self._answer(self.timeout)
        if line is None:
            self.child.send_signal(signal.SIGINT)
            line = self._answer(1.0)
            self._stop()
            if line:
                return "hang: loops", f"answered SIGINT after {self.timeout:g} s"
            if vm == "native" and self.run(program, seed, device, "reference")[0] == "hang: loops":
                return "hang: loops, not interruptible", (f"no answer to SIGINT after {self.timeout:g} s; "
                                                           "the reference interpreter loops too")
            return "hang: uninterruptible", f"no answer to SIGINT after {self.timeout:g} s"
        if line:
            outcome, _, detail = line.rstrip("\n").partition("\t")
            return outcome, detail
        code = self.child.wait()
        self.stderr.seek(0)
        tail = " ".join(self.stderr.read().decode(errors="replace").split()[-30:])
        self._stop()
        if code < 0:
            return "signal", f"{signal.Signals(-code).name} {tail}"
        return "traceback", f"child exited with status {code}: {tail}"

    def close(self):
        self._stop()
        self.dir.cleanup()


def campaign(count, first=0, timeout=5.0, log=None, memory_limit=3 << 30):
    """Run mutants first..first+count-1, spread over the seed programs.
    Returns ({outcome: count}, [(outcome, program, seed, device, detail, mutations)] of the mutants
    whose outcome is not a clean one)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    failures = []
    runner = Runner(timeout, memory_limit)
    try:
        for seed in range(first, first + count):
            program, device = mutant_target(seed)
            outcome, detail = runner.run(program, seed, device)
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome not in CLEAN:
                failures.append((outcome, program, seed, device, detail, make_mutant(program, seed)[1]))
                if log:
                    log(f"{outcome}: {program} {seed} {device}: {detail}")
    finally:
        runner.close()
    return counts, failures


def mutant_target(seed):
    """The (program, device) mutant `seed` of a campaign runs."""
    rng = random.Random(seed)
    return PROGRAMS[seed % len(PROGRAMS)], rng.choice(["local-sync", "local-task"])


def table(counts):
    return "\n".join(f"  {name:32} {n:7}" for name, n in counts.items())


def describe(failure):
    outcome, program, seed, device, detail, mutations = failure
    return (f"{outcome}: mutant {program} {seed} on {device} (reproduce: python tests/module_mutator.py repro "
            f"{program} {seed} --device {device})\n    {detail}\n    mutations: " + "; ".join(mutations))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a campaign and print the outcome table")
    r.add_argument("--count", type=int, default=1000)
    r.add_argument("--first", type=int, default=0)
    r.add_argument("--timeout", type=float, default=5.0)
    r.add_argument("--memory-limit", type=float, default=3.0,
                   help="GiB of address space per child; 0: none (a VM built with -fsanitize=address)")
    x = sub.add_parser("repro", help="describe one mutant, write it out, and run it in a child")
    x.add_argument("program", choices=PROGRAMS)
    x.add_argument("seed", type=int)
    x.add_argument("--device", default=None)
    x.add_argument("-o", "--output", help="write the mutant's .vmfb here")
    x.add_argument("--timeout", type=float, default=5.0)
    c = sub.add_parser("child")
    c.add_argument("seed_file")
    args = p.parse_args(argv)
    if args.command == "child":
        child_main(args.seed_file)
    elif args.command == "run":
        start = time.time()
        counts, failures = campaign(args.count, args.first, args.timeout, log=print,
                                    memory_limit=int(args.memory_limit * (1 << 30)))
        print(f"{args.count} mutants in {time.time() - start:.0f} s:\n{table(counts)}")
        for failure in failures:
            print(describe(failure))
        return 1 if any(f[0] in FAILURES for f in failures) else 0
    else:
        blob, mutations = make_mutant(args.program, args.seed)
        for what in mutations:
            print("mutation:", what)
        if args.output:
            with open(args.output, "wb") as f:
                f.write(blob)
        device = args.device or mutant_target(args.seed)[1]
        runner = Runner(args.timeout)
        try:
            print("outcome: %s: %s" % runner.run(args.program, args.seed, device))
        finally:
            runner.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
