"""The build script that writes the native VM's view of the instruction set
(setup.py runs it; nothing at run time imports it):

csrc/isa_opcodes.pxi: the opcode enum, the VM's capacities, element, binding,
  constant and combiner codes, the tile error table, the fields every word
  has (opcode_of, tile_type, ...) and one unchecked operand accessor per
  operand field of every instruction (`OP_operand(ip)`, as Lua's lopcodes.h
  names GETARG_x), written from encoding.fields and encoding.bit_range, the
  layout the checked decoder reads.
csrc/isa_kernels.pxi: one typed loop per element-wise tile op and element
  type, its copy per instruction set in the table the tile interpreter calls
  through, the small float tables and the kernels' instruction sets.
csrc/isa_reduce.pxi: buffer.reduce's combiners: their element functions,
  element types and order-freedom, and the dispatch on them.
"""
import math
import os
import re

from . import module
from .encoding import bit_range, fields
from .smallfloat import FORMATS, tables
from .table import (
    ARITY, BIND_GATHERED, BIND_INPUT, BIND_OUTPUT, BY_NAME, CMPF_PREDICATES, CMPI_PREDICATES, CONVERSIONS,
    ELEMENTWISE, ELEMENT_CODES, KERNEL_ISAS, MAX_BUFFER_BYTES, OPS, ORDER_FREE_COMBINERS, REDUCE_COMBINERS,
    REDUCE_ELEMENTS, REDUCE_ELEMENT_ERROR, REDUCE_SEGMENT, SUPERINSTRUCTIONS, TILE, TILE_ERRORS, TILE_REGS,
    TILE_TEMPS, TILE_TYPE_BITS, VM_LIMITS, c_name, fingerprint)
from .types import FLOATS, I1, INTS, KERNEL_TYPES, reduce_elements

# Every tile kernel's parameters: the destination, up to three sources, a
# compare's predicate, the element count.
KERNEL_PARAMS = "char* d_, const char* a_, const char* b_, const char* c_, int extra, Py_ssize_t n"
GENERATED = "# Generated from iree_lite/isa/ by iree_lite/isa/gen_native.py (setup.py). Do not edit."

# (op, element type code) -> a C function of csrc/lite_tile.h that computes
# the op over a block, f(d, a, ..., n), in place of the loop over its
# expression: the same results, vectorized where gcc can't vectorize the
# expression (a libm call).
BLOCK_KERNELS = {("exp", "F32"): "lite_exp_f32", ("erf", "F32"): "lite_erf_f32"}

# libm functions whose f32 form gives the double form's result rounded to
# f32, exactly (fmaf: the exact result rounded once, which fma in double then
# rounded to f32 is not). Every other one computes in double for f32, as the reference
# interpreter defines (its ops compute in double and round once): glibc's
# f32 forms differ from that in up to a fifth of their inputs (tanh, sinh).
EXACT_IN_F32 = {"fabs", "fmod", "copysign", "floor", "ceil", "round", "trunc", "nearbyint",
                "fma"}

# libm functions that never make a NaN from operands none of which is NaN.
# Every other one's NaN for an operand outside its domain has whatever sign
# glibc gives (asin's is clear, sin's set): the kernel replaces it with the
# machine's default NaN (csrc/kernels.pxi's default_nan_if_new), as the
# hardware's own invalid operations make and the reference interpreter defines.
NEVER_MAKE_NAN = {"fabs", "copysign", "floor", "ceil", "round", "trunc", "nearbyint"}

# A tile op's cost per element in simple-op units (TILE_COST), for the VM's
# choice to run a dispatch on the submitting thread (csrc/dispatch.pxi): an op
# calling any other libm function (in double, or a block kernel in its place)
# costs at least this many simple ones (measured: exp about 24, erf about 47).
LIBM_COST = 24


def _subst(expr, t, i="[i]"):
    """Cython for element expression `expr` in element type t, its operands
    A, B, C read as a{i}, b{i}, c{i}."""
    code, ctype, utype, bits, suffix = t
    body = re.sub(r"(\w+)\{f\}", lambda m: m.group(1) + (suffix if m.group(1) in EXACT_IN_F32 else ""), expr)
    body = body.replace("{T}", ctype).replace("{U}", utype).replace("{bits}", str(bits))
    for var in "ABC":
        body = re.sub(rf"\b{var}\b", f"{var.lower()}{i}", body)
    return body


def _field(name):
    """Cython reading the non-register operand (predicate or source element
    type) of tile op `name` from its instruction word `w`: its accessor."""
    op = BY_NAME["t." + name]
    return f"{c_name(op)[3:]}_{op.operands[-1][0]}(w)"


def _kernel(name, decls, body):
    return ["", "", f"cdef inline int k_{name}({KERNEL_PARAMS}) noexcept nogil:", *decls,
            "    cdef Py_ssize_t i", *body, "    return 0"]


def _elementwise_loop(name, arity, types, expr, t):
    """(declarations, body) of op `name`'s kernel in element type t."""
    code, ctype, utype, bits, _ = t
    out = "uint8_t" if types == "float->i1" else ctype
    ins = ["uint8_t", ctype, ctype] if types == "select" else [ctype] * 3
    decls = [f"    cdef {out}* d = <{out}*>d_"]
    decls += [f"    cdef const {ins[j]}* {v} = <const {ins[j]}*>{v}_" for j, v in enumerate("abc"[:arity])]
    body = []
    if types in ("sdiv", "udiv"):   # reject before dividing: no SIGFPE
        body += ["    for i in range(n):", "        if b[i] == 0:", "            return TILE_DIVISION_BY_ZERO"]
        if types == "sdiv":
            body += [f"        if (a[i] == <{ctype}>(<{utype}>1 << {bits - 1})) & (b[i] == -1):",
                     "            return TILE_DIVISION_OVERFLOW"]
    if (name, code) in BLOCK_KERNELS:
        body += [f"    {BLOCK_KERNELS[name, code]}(d, {', '.join('abc'[:arity])}, n)"]
    else:
        value = _subst(expr, t)
        if types == "float" and set(re.findall(r"(\w+)\{f\}\(", expr)) - NEVER_MAKE_NAN:
            not_nan = " and ".join(f"{v}[i] == {v}[i]" for v in "abc"[:arity])
            value = f"default_nan_if_new(<{ctype}>({value}), {not_nan})"
        body += ["    for i in range(n):", f"        d[i] = {value}"]
    return decls, body


def _compare_loop(predicates, t):
    """(declarations, body) of a compare's kernel in element type t."""
    ctype = t[1]
    body = []
    for p, (_, expr) in enumerate(predicates):
        body += [f"    {'if' if p == 0 else 'elif'} extra == {p}:", "        for i in range(n):",
                 f"            d[i] = {_subst(expr, t)}"]
    body += ["    else:", "        return -1"]
    return ["    cdef uint8_t* d = <uint8_t*>d_", f"    cdef const {ctype}* a = <const {ctype}*>a_",
            f"    cdef const {ctype}* b = <const {ctype}*>b_"], body


def _convert_expr(kind, src, dst):
    """Cython for one converted element A (of type src) as type dst."""
    s_code, s_ctype, s_utype, s_bits, _ = src
    d_code, d_ctype, d_utype, d_bits, _ = dst
    s_float, d_float = src in FLOATS, dst in FLOATS
    if kind == "bitcast":
        return None
    if s_float and d_float:
        return f"<{d_ctype}>A"
    if s_float:   # saturating, truncating toward zero; NaN gives 0
        if d_bits == 1:
            return "(A != 0) & (A == A)"
        if kind == "convs":
            hi = float(2 ** (d_bits - 1))
            return (f"0 if A != A else (<{d_ctype}>(<{d_utype}>-1 >> 1) if A >= {hi!r} else "
                    f"(<{d_ctype}>(<{d_utype}>1 << {d_bits - 1}) if A <= {-hi!r} else <{d_ctype}>A))")
        hi = float(2 ** d_bits)
        return (f"0 if (A != A) | (A <= -1) else (<{d_ctype}>(<{d_utype}>-1) if A >= {hi!r} else "
                f"<{d_ctype}>(<{d_utype}>A))")
    # Integer source: its value as signed (i1 true is -1) or unsigned.
    if kind == "convs":
        value = "(-<int64_t>(A & 1))" if s_bits == 1 else "<int64_t>A"
    else:
        value = f"<uint64_t>(<{s_utype}>A)"
    if d_float:
        return f"<{d_ctype}>{value}"
    if d_bits == 1:
        return f"<uint8_t>({value} & 1)"
    return f"<{d_ctype}>(<{d_utype}>{value})"


def _convert_loop(kind, src, dst):
    """(declarations, body) of conversion `kind`'s kernel from src to dst."""
    expr = _convert_expr(kind, src, dst)
    decls = [f"    cdef {dst[1]}* d = <{dst[1]}*>d_", f"    cdef const {src[1]}* a = <const {src[1]}*>a_"]
    if expr is None:   # bitcast: the same bytes
        body = ["    memcpy(d, a, n * sizeof(d[0]))"]
    else:
        body = ["    for i in range(n):", f"        d[i] = {_subst(expr, src)}"]
    return decls, body


def _small_float_tables():
    """The small float formats' tables (iree_lite.isa.smallfloat), 256
    entries a format: each code's value, the rounding bounds (the first
    SMALL_NBOUNDS[f]), and per format its bit mask, sign bit, NaN and
    overflow codes and kind (SMALL_KINDS)."""
    def literal(x):
        if x != x:
            return "-NAN" if math.copysign(1.0, x) < 0 else "NAN"
        return {math.inf: "INFINITY", -math.inf: "-INFINITY"}.get(x, repr(x))
    values, bounds, per = [], [], {k: [] for k in ("NBOUNDS", "MASK", "SIGN", "NAN", "OVERFLOW", "KIND")}
    for name, f in FORMATS.items():
        t = tables(name)
        values += [literal(v) for v in t.values] + ["0"] * (256 - len(t.values))
        bounds += [literal(b) for b in t.bounds] + ["0"] * (256 - len(t.bounds))
        for key, v in (("NBOUNDS", len(t.bounds)), ("MASK", (1 << f.bits) - 1), ("SIGN", t.sign), ("NAN", t.nan),
                       ("OVERFLOW", t.overflow), ("KIND", SMALL_KINDS.index(f.kind))):
            per[key].append(str(v))
    n = len(FORMATS)
    lines = ["", "", "from libc.math cimport NAN", "cdef enum:", f"    SMALL_FORMATS = {n}"]
    lines += [f"    SK_{kind.upper()} = {i}" for i, kind in enumerate(SMALL_KINDS)]
    lines += [f"cdef float SMALL_VALUES[{n * 256}]", f"SMALL_VALUES[:] = [{', '.join(values)}]",
              f"cdef float SMALL_BOUNDS[{n * 256}]", f"SMALL_BOUNDS[:] = [{', '.join(bounds)}]"]
    for key, items in per.items():
        lines += [f"cdef int SMALL_{key}[{n}]", f"SMALL_{key}[:] = [{', '.join(items)}]"]
    return lines


SMALL_KINDS = ["ieee", "fn", "fnuz", "finite", "e8m0"]   # Format.kind, numbered for the native VM


# Per instruction set (KERNEL_ISAS), gcc's target for its kernels' copies
# (the module is built for the baseline).
ISA_TARGETS = {"sse2": None, "avx2": "avx2,fma", "avx512": "avx512f"}


def _code(t):
    return ELEMENT_CODES[t[0].lower()]


def _kernels():
    """(op, variant, kernel name, Cython) for every tile kernel: an op's
    variant is its element type's code, a conversion's (source code <<
    TILE_TYPE_BITS) + that."""
    def kernel(op, variant, types, loop):
        name = "_".join([op, *(t[0].lower() for t in types)])
        return op, variant, name, _kernel(name, *loop)
    for name, arity, types, expr, _ in ELEMENTWISE:
        for t in KERNEL_TYPES[types]:
            yield kernel(name, _code(t), [t], _elementwise_loop(name, arity, types, expr, t))
    for name, predicates, types in (("cmpf", CMPF_PREDICATES, FLOATS), ("cmpi", CMPI_PREDICATES, INTS)):
        for t in types:
            yield kernel(name, _code(t), [t], _compare_loop(predicates, t))
    every = FLOATS + INTS + I1
    for kind, _ in CONVERSIONS:
        for src in every:
            for dst in every:
                if kind != "bitcast" or max(1, src[3] // 8) == max(1, dst[3] // 8):
                    yield kernel(kind, (_code(src) << TILE_TYPE_BITS) + _code(dst), [src, dst],
                                 _convert_loop(kind, src, dst))


def _slots(op):
    """Tile op `op`'s slots in the kernel table: one per value of its type
    field, times one per value of a conversion's source field, so that any
    word's fields index inside its own op's slots."""
    source = fields(BY_NAME["t." + op])[-1] if op in dict(CONVERSIONS) else None
    return (1 << TILE_TYPE_BITS) << (bit_range("tile", source.index)[1] if source else 0)


def _kernel_slots(kernels):
    """(first, {slot: kernel name}, slots) for _kernels()' list: each op's
    first slot in the kernel table."""
    first, slots, nslots = {}, {}, 0
    for op, variant, name, _ in kernels:
        if op not in first:
            first[op], nslots = nslots, nslots + _slots(op)
        slots[first[op] + variant] = name
    return first, slots, nslots


def _kernel_table(first, kernels, nslots):
    """Cython and C for the kernel table: each kernel's copy per instruction
    set (a call of the kernel, which flatten inlines into it, compiled for
    that target), the table of their addresses by lite_isa() and slot, and
    tile_kernel_slot / tile_kernel_extra, reading a tile word's slot and
    predicate. The table is C naming Cython's functions, so a name Cython
    spells differently fails at import (an undefined symbol), never
    silently runs another copy."""
    prefix = "__pyx_f_9iree_lite_3_vm_"
    protos, rows, copies = [], [], []
    for isa in KERNEL_ISAS:
        attribute = "flatten" + (f', target("{ISA_TARGETS[isa]}")' if ISA_TARGETS[isa] else "")
        for slot, kernel in sorted(kernels.items()):
            protos.append(f"    __attribute__(({attribute})) static int {prefix}k_{kernel}_{isa}(LITE_TILE_KERNEL_ARGS);")
            copies += ["", f"cdef int k_{kernel}_{isa}({KERNEL_PARAMS}) noexcept nogil:",
                       f"    return k_{kernel}(d_, a_, b_, c_, extra, n)"]
        rows.append("        {" + ", ".join(f"[{slot}] = {prefix}k_{kernel}_{isa}"
                                             for slot, kernel in sorted(kernels.items())) + "}")
    firsts = [str(first.get(op.name[2:], -1)) for op in OPS if op.form == "tile"]
    lines = ["", "", "cdef extern from *:", '    """',
             "    #define LITE_TILE_KERNEL_ARGS char *, char const *, char const *, char const *, int, Py_ssize_t",
             "    typedef int (*tile_kernel_fn)(LITE_TILE_KERNEL_ARGS);",
             *protos,
             f"    static tile_kernel_fn const lite_tile_kernels[{len(KERNEL_ISAS)}][{nslots}] = {{",
             ",\n".join(rows), "    };", '    """',
             "    ctypedef int (*tile_kernel_fn)(char*, const char*, const char*, const char*, int, Py_ssize_t) noexcept nogil",
             f"    const tile_kernel_fn lite_tile_kernels[{len(KERNEL_ISAS)}][{nslots}]",
             *copies, "", "",
             "# Per tile op: its first slot in lite_tile_kernels, or -1 (no kernels).",
             f"cdef int TILE_KERNEL_FIRST[{len(firsts)}]", f"TILE_KERNEL_FIRST[:] = [{', '.join(firsts)}]", "", "",
             "cdef inline int tile_kernel_slot(int op, int t, uint32_t w) noexcept nogil:",
             '    """The slot of arithmetic tile op `op`\'s kernel for element type t',
             '    (and a conversion\'s source type in `w`), or -1 where op has none."""',
             "    cdef int first = TILE_KERNEL_FIRST[op - FIRST_TILE_OP]"]
    for kind, _ in CONVERSIONS:
        lines += [f"    if op == {c_name(BY_NAME['t.' + kind])}:",
                  f"        return first + ({_field(kind)} << {TILE_TYPE_BITS}) + t"]
    lines += ["    return first + t if first >= 0 else -1", "", "",
              "cdef inline int tile_kernel_extra(int op, uint32_t w) noexcept nogil:",
              "    # A compare's predicate; 0 for every other op.",
              *[f"    if op == {c_name(BY_NAME['t.' + name])}:\n        return {_field(name)}" for name in ("cmpf", "cmpi")],
              "    return 0"]
    return lines


def generate_kernels_pxi():
    """Text of csrc/isa_kernels.pxi: one typed loop per tile op and element
    type, their copies per instruction set in the table the tile
    interpreter calls through (tile_kernel_slot), the small float tables
    and the kernels' instruction sets. Returns of the kernels: 0, or a
    TILE_ERRORS code."""
    calls = {}
    for _, _, _, expr, _ in ELEMENTWISE:
        for fn, args in re.findall(r"(\w+)\{f\}\(([^()]*)\)", expr):
            calls[fn] = args.count(",") + 1
    lines = [GENERATED,
             "from libc.math cimport INFINITY", 'cdef extern from "<math.h>" nogil:']
    for fn, arity in sorted(calls.items()):
        for ctype, suffix in (("float", "f"), ("double", "")):
            lines.append(f"    {ctype} {fn}{suffix}({', '.join([ctype] * arity)})")
    lines.append('cdef extern from "lite_tile.h" nogil:')
    for (name, code), fn in sorted(BLOCK_KERNELS.items()):
        ctype = {t[0]: t[1] for t in FLOATS + INTS}[code]
        params = [f"{ctype}* d"] + [f"const {ctype}* {v}" for v in "abc"[:ARITY[name]]] + ["int64_t n"]
        lines.append(f"    void {fn}({', '.join(params)})")
    kernels = list(_kernels())
    for *_, code in kernels:
        lines += code
    lines += _kernel_table(*_kernel_slots(kernels))
    lines += ["", "", "# The instruction sets of the C kernels' variants (lite_tile.h's LITE_ISA_*), in order.",
              "KERNEL_ISAS = {" + ", ".join(f'"{isa}": LITE_ISA_{isa.upper()}' for isa in KERNEL_ISAS) + "}"]
    lines += _small_float_tables()
    names = ", ".join(f'b"{op.name[2:]}"' for op in OPS if op.form == "tile")
    first_tile = min(op.code for op in OPS if op.form == "tile")
    sources = ", ".join(str(sum(kind == "ts" for _, kind in op.operands)) for op in OPS if op.form == "tile")
    results = ", ".join(str(int(op.result == "i1")) for op in OPS if op.form == "tile")
    ntile = sum(op.form == "tile" for op in OPS)
    heavy = {f"t.{name}" for name, _, _, expr, _ in ELEMENTWISE
             if set(re.findall(r"(\w+)\{f\}\(", expr)) - EXACT_IN_F32}
    cost = {op.name: LIBM_COST if op.name in heavy else 1 for op in OPS if op.form == "tile"}
    for name, parts in SUPERINSTRUCTIONS.items():
        cost[f"t.{name}"] = sum(cost[f"t.{part}"] for part in parts)
    costs = ", ".join(str(cost[op.name]) for op in OPS if op.form == "tile")
    lines += ["", "", f"cdef const char* TILE_OP_NAMES[{ntile}]", f"TILE_OP_NAMES[:] = [{names}]",
              "# Source registers (ts operands) per tile op: the fields an op reads.",
              f"cdef int TILE_SOURCES[{ntile}]", f"TILE_SOURCES[:] = [{sources}]",
              "# Per tile op: 1 if its result is i1 whatever its `type` (Op.result).",
              f"cdef char TILE_RESULT_I1[{ntile}]", f"TILE_RESULT_I1[:] = [{results}]",
              "# Per tile op: its cost per element in simple ops (LIBM_COST for libm functions).",
              f"cdef int TILE_COST[{ntile}]", f"TILE_COST[:] = [{costs}]",
              f"cdef enum:\n    FIRST_TILE_OP = {first_tile}"]
    return "\n".join(lines) + "\n"


def _bits(word, place, index=0):
    """Cython reading slot or field `index` (or the opcode, or the type) of
    instruction word `word` (encoding.bit_range)."""
    shift, bits = bit_range(place, index)
    return f"({word} >> {shift}) & {(1 << bits) - 1}" if shift else f"{word} & {(1 << bits) - 1}"


# The tile ops the tile interpreter runs through the kernel table: their register
# operands are d, then the sources (tile_source).
_ARITHMETIC = [f"t.{name}" for name, *_ in ELEMENTWISE] + ["t.cmpf", "t.cmpi"] + [f"t.{k}" for k, _ in CONVERSIONS]


def _word_accessors():
    """Cython for the fields instruction words share: the opcode, and a tile
    word's element type, destination and (arithmetic ops) sources."""
    tiles = [op for op in OPS if op.form == "tile"]
    # Every tile op names its destination (t.store: the register stored) d, first.
    assert all(op.operands[0][0] == "d" for op in tiles)
    # An arithmetic op's sources are the fields after d, each read as a register.
    for name in _ARITHMETIC:
        kinds = [kind for _, kind in BY_NAME[name].operands[1:]]
        assert kinds[:kinds.count("ts")] == ["ts"] * kinds.count("ts"), name
    first, bits = bit_range("tile", 1)
    return ["", "", "# The fields every instruction word, or every tile word, has.",
            "cdef inline int opcode_of(uint32_t w) noexcept nogil:", f"    return {_bits('w', 'opcode')}", "",
            "cdef inline int tile_type(uint32_t w) noexcept nogil:", f"    return {_bits('w', 'type')}", "",
            "cdef inline int tile_d(uint32_t w) noexcept nogil:",
            "    # Operand d of every tile op: the register it writes (t.store: stores).",
            f"    return {_bits('w', 'tile', 0)}", "",
            "cdef inline int tile_source(uint32_t w, int i) noexcept nogil:",
            "    # Source register i of a tile op with kernels (its fields after d).",
            f"    return (w >> ({first} + {bits} * i)) & {(1 << bits) - 1}"]


def generate_reduce_pxi():
    """Text of csrc/isa_reduce.pxi: buffer.reduce's combiners for the native
    VM (contract.pxi includes it where its fused type `num` is declared):
    which element types each folds, which are order-free, `combine` (one
    element function a combiner and C type, from its tile op's expression)
    and `reduce_combiner`, the dispatch calling reduce_with with the combiner
    a constant."""
    ncomb = len(REDUCE_COMBINERS)
    masks = [sum(1 << ELEMENT_CODES[e] for e in reduce_elements(c)) for c in REDUCE_COMBINERS]
    lines = [GENERATED, "", "# Per combiner: bit e set where it folds element type code e (isa.reduce_elements).",
             f"cdef int REDUCE_ELEMENT_MASK[{ncomb}]", f"REDUCE_ELEMENT_MASK[:] = [{', '.join(map(str, masks))}]",
             "# Per combiner: 1 where its fold may regroup and reorder (isa.ORDER_FREE_COMBINERS).",
             f"cdef char REDUCE_ORDER_FREE[{ncomb}]",
             f"REDUCE_ORDER_FREE[:] = [{', '.join(str(int(c in ORDER_FREE_COMBINERS)) for c in REDUCE_COMBINERS)}]",
             f"cdef int REDUCE_ELEMENT_STATUS = STATUS_{REDUCE_ELEMENT_ERROR[0]}",
             f"cdef const char* REDUCE_ELEMENT_TEXT = b{REDUCE_ELEMENT_ERROR[1]!r}"]
    expressions = {name: expr for name, _, _, expr, _ in ELEMENTWISE}
    # The C types `num` takes (contract.pxi), each with the combiners folding an element type stored as it.
    ctypes = {}
    for t in FLOATS + INTS:
        if t[0].lower() in REDUCE_ELEMENTS:
            combiners = [c for c in REDUCE_COMBINERS if t[0].lower() in reduce_elements(c)]
            assert ctypes.setdefault(t[1], (t, combiners))[1] == combiners, t
    combine, dispatch = [], []
    for i, (ctype, (t, combiners)) in enumerate(ctypes.items()):
        test = f"{'if' if i == 0 else 'elif'} num is {ctype}:"
        combine.append(f"    {test}")
        dispatch.append(f"    {test}")
        for k, c in enumerate(combiners):   # the last one is the rest: run_reduce admits no other
            branch = f"elif c == RC_{c.upper()}:" if k else f"if c == RC_{c.upper()}:"
            if k == len(combiners) - 1:
                branch = "else:"
            combine += [f"        {branch}", f"            return {_subst(expressions[c], t, '')}"]
            dispatch += [f"        {branch}",
                         f"            reduce_with(RC_{c.upper()}, acc, src, part, begin, end, n, segments)"]
    lines += ["", "", "cdef inline num combine(int c, num a, num b) noexcept nogil:",
              '    """a combined with b by combiner c (one folding num\'s element type)."""', *combine]
    lines += ["", "", "cdef inline void reduce_combiner(int c, num* acc, const num* src, num* part, int64_t begin, "
              "int64_t end,", "                          int64_t n, int64_t segments) noexcept nogil:",
              '    """reduce_with for combiner c: each call passes it as a constant, so',
              '    the loops are inlined for one combiner, with no branch on it per element."""', *dispatch]
    return "\n".join(lines) + "\n"


def _accessors(op):
    """Cython for op's operand accessors: `ip` points at the instruction's
    first word (host form); a tile accessor takes the word itself. An
    element type operand has a setter too (`OP_with_src(w, code)`)."""
    prefix = c_name(op)[3:]
    out = []

    def fn(name, ctype, arg, body):
        out.extend(["", f"cdef inline {ctype} {prefix}_{name}({arg}) noexcept nogil:", f"    return {body}"])
    if op.form == "tile":
        for f in fields(op):
            fn(f.name, "int", "uint32_t w", _bits("w", "tile", f.index))
            if f.kind == "element":   # the tile interpreter widens f16/bf16 sources to f32
                shift, bits = bit_range("tile", f.index)
                fn(f"with_{f.name}", "uint32_t", f"uint32_t w, int code",
                   f"(w & ~(<uint32_t>{(1 << bits) - 1} << {shift})) | (<uint32_t>code << {shift})")
        return out
    layout = fields(op)
    nwords = sum(f.place == "word" for f in layout)
    after = f"ip + {1 + nwords}"   # where the first list starts, and then the one after each
    for f in layout:
        if f.place == "slot":
            fn(f.name, "int", "const uint32_t* ip", _bits("ip[0]", "slot", f.index))
        elif f.place == "word":
            fn(f.name, "uint32_t", "const uint32_t* ip", f"ip[{1 + f.index}]")
        else:
            fn(f.name, "const uint32_t*", "const uint32_t* ip", after)
            after = f"list_end({prefix}_{f.name}(ip))"
    fn("next", "const uint32_t*", "const uint32_t* ip", after)
    return out


def generate_pxi():
    """Text of csrc/isa_opcodes.pxi: the Cython view of the table."""
    lines = [GENERATED, "from libc.stdint cimport uint32_t",
             f'ISA_FINGERPRINT = "{fingerprint()}"',
             "cdef enum:", f"    TILE = {TILE}", f"    TILE_REGS = {TILE_REGS}", f"    TILE_TEMPS = {TILE_TEMPS}",
             f"    REDUCE_SEGMENT = {REDUCE_SEGMENT}"]
    lines += [f"    {c_name(op)} = {op.code}" for op in OPS]
    lines += [f"    {name} = {value}" for name, value in VM_LIMITS.items()]
    lines += [f"    ET_{name.upper()} = {code}" for name, code in ELEMENT_CODES.items()]
    lines += [f"    {name} = {value}" for name, value in (("BIND_INPUT", BIND_INPUT), ("BIND_OUTPUT", BIND_OUTPUT),
                                                          ("BIND_GATHERED", BIND_GATHERED))]
    lines += [f"    {name} = {getattr(module, name)}" for name in ("CONST_INT", "CONST_FLOAT", "CONST_LAYOUT", "CONST_DATA")]
    lines += [f"    RC_{name.upper()} = {code}" for code, name in enumerate(REDUCE_COMBINERS)]
    lines += [f"    TILE_{name} = {code}" for name, (code, *_) in TILE_ERRORS.items()]
    lines += [f"cdef long long MAX_BUFFER_BYTES = {MAX_BUFFER_BYTES}   # too large for an enum (int)"]
    by_code = {-code: row for code, *row in TILE_ERRORS.values()}
    n = 1 + max(by_code)
    rows = [by_code.get(i, ("INTERNAL", "", "")) for i in range(n)]
    lines += ["", "# Tile kernels' errors, by minus their code (isa.TILE_ERRORS): status, dialect and text.",
              f"cdef int TILE_ERROR_STATUS[{n}]", f"TILE_ERROR_STATUS[:] = [{', '.join(f'STATUS_{s}' for s, _, _ in rows)}]",
              f"cdef const char* TILE_ERROR_DIALECT[{n}]",
              f"TILE_ERROR_DIALECT[:] = [{', '.join(f'b{d!r}' for _, d, _ in rows)}]",
              f"cdef const char* TILE_ERROR_TEXT[{n}]",
              f"TILE_ERROR_TEXT[:] = [{', '.join(f'b{t!r}' for _, _, t in rows)}]"]
    lines += ["", "", "# Register lists: a count word, then registers packed four to a word.",
              "cdef inline int list_reg(const uint32_t* l, int i) noexcept nogil:",
              "    return (l[1 + (i >> 2)] >> ((i & 3) * 8)) & 0xFF", "",
              "cdef inline const uint32_t* list_end(const uint32_t* l) noexcept nogil:",
              "    return l + 1 + ((<int>l[0] + 3) >> 2)"]
    lines += _word_accessors()
    lines += ["", "", "# Operand accessors, one per operand field (encoding.fields); unchecked: the",
              "# verifier decoded the same fields with every bound checked."]
    for op in OPS:
        lines += _accessors(op)
    return "\n".join(lines) + "\n"



def write_sources(csrc):
    """Write the generated files into directory `csrc`, leaving a file
    whose text is unchanged untouched (no rebuild)."""
    for name, text in (("isa_opcodes.pxi", generate_pxi()), ("isa_kernels.pxi", generate_kernels_pxi()),
                       ("isa_reduce.pxi", generate_reduce_pxi())):
        path = os.path.join(csrc, name)
        if not os.path.exists(path) or open(path).read() != text:
            with open(path, "w") as f:
                f.write(text)
