"""Bytecode verifier: run once when a module is loaded.

After it accepts a module, the VM executes without checking opcodes,
register numbers, ordinals or list lengths: everything that could make the
unchecked loop read or write out of bounds is checked here, from the ISA
table. Run-time facts (shapes of caller buffers, fences) are checked by the
instructions that need them.
"""
import copy
import math
import re

from .. import isa
from ..isa.module import ABI_COARSE_FENCES, CONST_DATA, CONST_FLOAT, CONST_INT, CONST_LAYOUT
from ..ir.boundary import PUBLIC
from ..ir.linear import exact_dimension
from ..ir.elements import CONV_WINDOW_LIMIT, SIZES, size_error, unpack
from ..isa.smallfloat import FORMATS

_FLOAT_CODES = {isa.ELEMENT_CODES[n] for n in ("f16", "bf16", "f32", "f64")}


class VerifyError(Exception):
    pass


def i64_entries(c, otherwise):
    """The entries of data constant `c` when they are i64, else `otherwise`
    (what fails the caller's check)."""
    return unpack("i64", c.data) if isa.ELEMENT_NAMES[c.element] == "i64" else otherwise


def strided_operands(layout):
    """{name: (sizes, strides, reach)} of acc, lhs and rhs under a
    buffer.matmul.strided layout: each operand's batch, row and column
    counts and strides, and the offset of its last element (0 for none)."""
    batches, rows, k, n = layout[:4]
    sizes = {"acc": (batches, rows, n), "lhs": (batches, rows, k), "rhs": (batches, k, n)}
    return {name: (d, layout[4 + 3 * i:7 + 3 * i],
                   0 if 0 in d else sum((size - 1) * s for size, s in zip(d, layout[4 + 3 * i:7 + 3 * i])))
            for i, (name, d) in enumerate(sizes.items())}


def strided_layout_problem(entries):
    """What is wrong with a buffer.matmul.strided layout, or None: every
    size and stride not negative; each operand's elements and reach (its
    last element's offset) within MAX_BUFFER_BYTES, so that no offset the
    kernel computes overflows; lhs's k stride and acc's column stride 1,
    one of rhs's 1 (what the kernel reads in place); no two of acc's
    elements in one place (it writes them from several workers)."""
    if len(entries) != 13 or min(entries) < 0:
        return "13 entries, none negative"
    operands = strided_operands(entries)
    for name, (sizes, _, reach) in operands.items():
        if math.prod(sizes) > isa.MAX_BUFFER_BYTES or reach >= isa.MAX_BUFFER_BYTES:
            return f"{name} reaches too far"
    strides = {name: s for name, (_, s, _) in operands.items()}
    if strides["lhs"][2] != 1 or strides["acc"][2] != 1 or 1 not in strides["rhs"][1:]:
        return "lhs's k stride and acc's column stride 1, one of rhs's 1"
    sizes = operands["acc"][0]
    spans = sorted((s, d) for s, d in zip(strides["acc"], sizes) if d > 1) if all(sizes) else []
    reach = 0   # each dimension's stride past everything the smaller ones reach: no element twice
    for s, d in spans:
        if s <= reach:
            return "no two acc elements in one place"
        reach += (d - 1) * s
    return None


def check_limit(where, count, what, limit):
    """Raise unless `count` `what` (a plural noun) fit isa.VM_LIMITS[limit]."""
    if count > isa.VM_LIMITS[limit]:
        raise VerifyError(f"{where}: {count} {what}, more than the VM's limit of {isa.VM_LIMITS[limit]} ({limit})")


_ISSUER = object()


class VerifiedModule:
    """A module verify_module accepted: the only thing the native VM loads
    (iree_lite._vm.load_module), so no bytecode reaches its unchecked loop
    unverified. It holds its own copy, which nothing changes afterwards."""
    __slots__ = ("module",)

    def __init__(self, module, issuer):
        if issuer is not _ISSUER:
            raise TypeError("only verify_module issues a VerifiedModule")
        self.module = module


_DIMS = re.compile(r"((?:(?:\d+|\?)x)*)(\w+)")   # `2x?x` then the element type (`index` has an x)


def parse_tensor_type(type_str):
    """'tensor<2x?xf32>' -> ('f32', (2, None)); a scalar type -> (name, None).
    Raises VerifyError for anything else."""
    if not type_str.startswith("tensor<"):
        element, shape = type_str, None
    else:
        match = _DIMS.fullmatch(type_str[7:-1]) if type_str.endswith(">") else None
        if match is None:
            raise VerifyError(f"malformed signature type '{type_str}'")
        dims, element = match.groups()
        shape = tuple(None if d == "?" else int(d) for d in dims.split("x")[:-1])
        check_limit(f"signature type '{type_str}'", len(shape), "dimensions", "MAX_RANK")
    if element not in isa.ELEMENT_CODES and not (shape is not None and element in PUBLIC):
        raise VerifyError(f"malformed signature type '{type_str}'")
    return element, shape


def register_banks(signature):
    """Per-bank counts of (arguments, results) under the calling convention:
    arguments then, for coarse-fences, the wait and signal fences."""
    args = [isa.register_bank(t) for t in signature.inputs]
    if signature.abi == ABI_COARSE_FENCES:
        args += ["r", "r"]
    results = [isa.register_bank(t) for t in signature.results]
    return ({b: args.count(b) for b in "ifr"}, {b: results.count(b) for b in "ifr"})


def verify_module(m):
    """Check module `m`; returns a VerifiedModule holding a copy of it (the
    copy is what was checked). Raises VerifyError."""
    m = copy.deepcopy(m)
    if m.isa != isa.fingerprint():
        raise VerifyError(f"module '{m.name}' was compiled for another instruction set "
                          f"({m.isa or 'unknown'}, this VM runs {isa.fingerprint()}); recompile it")
    for i, c in enumerate(m.constants):
        # Every constant's shape: the VM copies it into MAX_RANK slots, whatever its kind.
        check_limit(f"constant {i}", len(c.shape), "dimensions", "MAX_RANK")
        if c.kind in (CONST_LAYOUT, CONST_DATA):
            lowest = -1 if c.kind == CONST_LAYOUT else 0   # -1: a dynamic dimension
            if c.element not in isa.ELEMENT_NAMES or any(d < lowest for d in c.shape):
                raise VerifyError("malformed constant layout")
            _verify_size(i, c)
        if c.kind == CONST_DATA:
            n = 1
            for d in c.shape:
                n *= d
            size = SIZES[isa.ELEMENT_NAMES[c.element]]
            if len(c.data) != n * size:
                raise VerifyError(f"constant data is {len(c.data)} bytes, its layout needs {n * size}")
    for what, f in [*(("function", f) for f in m.functions), *(("import", f) for f in m.imports)]:
        for t in f.signature.inputs + f.signature.results:
            parse_tensor_type(t)
        for kind, counts in zip(("arguments", "results"), register_banks(f.signature)):
            for bank, n in counts.items():
                check_limit(f"{what} '{f.name}'", n, f"{isa.BANK_NAMES[bank]} {kind}", "MAX_CALL_VALUES")
    for g in m.globals:
        want = {"i": CONST_INT, "f": CONST_FLOAT, "r": CONST_DATA}[g.bank]
        if g.initial != -1 and not (0 <= g.initial < len(m.constants) and m.constants[g.initial].kind == want):
            raise VerifyError(f"global '{g.name}' has a bad initial value")
    for f in m.initializers:   # (a coarse-fences function takes two fences: not one of these)
        if f >= len(m.functions) or any(n for counts in register_banks(m.functions[f].signature)
                                         for n in counts.values()):
            raise VerifyError("initializers must be functions of no arguments and no results")
    for what, items, check in (("kernel", m.kernels, _verify_kernel),
                               ("function", m.functions, lambda f: _verify_function(m, f))):
        for item in items:
            try:
                check(item)
            except isa.DecodeError as e:
                raise VerifyError(f"{what} '{item.name}': {e}") from None
    for e in m.exports:
        if e.function >= len(m.functions):
            raise VerifyError(f"export '{e.name}' names a missing function")
    return VerifiedModule(m, _ISSUER)


def _verify_size(i, c):
    """A constant's layout, its dynamic dimensions counted as 1, must fit a
    buffer: the VM then computes the sizes of its static dimensions unchecked."""
    error = size_error(isa.ELEMENT_NAMES[c.element], [1 if d == -1 else d for d in c.shape], c.shape)
    if error is not None:
        raise VerifyError(f"constant {i}: {error[1]}")


_I1 = isa.ELEMENT_CODES["i1"]
_SMALL_FLOAT_SOURCES = {"t.fdecode": isa.ELEMENT_CODES["i8"], "t.fencode": isa.ELEMENT_CODES["f32"]}


def _verify_kernel(k):
    """Besides bounds, track each tile register's element type, so no
    instruction reads a register as a wider type than it holds (which
    would read past the end of a bound buffer's tile)."""
    where = f"kernel '{k.name}'"
    if not 0 < k.regs <= isa.KERNEL_TILE_REGS:
        raise VerifyError(f"{where}: {k.regs} tile registers")
    check_limit(where, len(k.bindings), "bindings", "MAX_BINDINGS")
    check_limit(where, k.push, "push constants", "MAX_PUSH")
    if not any(role == isa.BIND_OUTPUT for _, role in k.bindings):
        raise VerifyError(f"{where}: no output binding")
    for element, role in k.bindings:
        if element not in isa.ELEMENT_NAMES or role not in (isa.BIND_INPUT, isa.BIND_OUTPUT, isa.BIND_GATHERED):
            raise VerifyError(f"{where}: bad binding (element type {element}, role {role})")
    reg_type = [None] * k.regs
    bound = {}   # register -> element type its next write must have
    for pc in range(len(k.code)):
        op = isa.BY_CODE.get(isa.opcode_of(k.code[pc]))
        if op is not None and op.form != "tile":
            raise VerifyError(f"{where} pc {pc}: host instruction '{op.name}' in a kernel")
        op, values, type_code, _ = isa.decode(k.code, pc)
        at = f"{where} pc {pc} ({op.name})"
        if isa.ELEMENT_NAMES.get(type_code) not in isa.TYPE_CLASSES[op.types]:
            raise VerifyError(f"{at}: element type {isa.ELEMENT_NAMES.get(type_code, type_code)} "
                              f"not accepted ({op.types})")
        for n, kind in op.operands:
            v = values[n]
            if kind in ("td", "ts") and v >= k.regs:
                raise VerifyError(f"{at}: tile register {v} out of range")
            if kind == "bind":
                if v >= len(k.bindings):
                    raise VerifyError(f"{at}: binding {v} out of range")
                if k.bindings[v][0] != type_code:
                    raise VerifyError(f"{at}: binding {v} element type mismatch")
                role = k.bindings[v][1]
                if op.name in ("t.store", "t.bind") and role != isa.BIND_OUTPUT:
                    raise VerifyError(f"{at}: store to input binding {v}")
                gathers = op.name in ("t.gather", "t.spread")   # gathered bindings have their own size
                if gathers != (role == isa.BIND_GATHERED) and op.name not in ("t.store", "t.bind"):
                    raise VerifyError(f"{at}: binding {v} is {'not ' if gathers else ''}gathered")
            if kind == "push" and v >= k.push:
                raise VerifyError(f"{at}: push constant {v} out of range")
            if kind == "cmpf" and v >= len(isa.CMPF_PREDICATES) or kind == "cmpi" and v >= len(isa.CMPI_PREDICATES):
                raise VerifyError(f"{at}: bad predicate {v}")
            if kind == "element" and v not in isa.ELEMENT_NAMES:
                raise VerifyError(f"{at}: bad source element type {v}")
            if kind == "format" and v >= len(FORMATS):
                raise VerifyError(f"{at}: bad small float format {v}")
        # Types of the registers read, and of the result.
        reads = [(values[n], type_code) for n, kind in op.operands if kind == "ts"]
        if op.name == "t.select":
            reads[0] = (values["a"], _I1)
        elif op.name == "t.gather":
            reads = [(values["a"], isa.ELEMENT_CODES["index"])]
        elif op.name in _SMALL_FLOAT_SOURCES:
            reads = [(values["a"], _SMALL_FLOAT_SOURCES[op.name])]
        elif op.name in ("t.convs", "t.convu", "t.bitcast"):
            reads = [(values["a"], values["src"])]
            if op.name == "t.bitcast" and (SIZES[isa.ELEMENT_NAMES[values["src"]]]
                                           != SIZES[isa.ELEMENT_NAMES[type_code]]):
                raise VerifyError(f"{at}: bitcast between types of different widths")
        for r, want in reads:
            if reg_type[r] != want:
                have = "nothing" if reg_type[r] is None else isa.ELEMENT_NAMES[reg_type[r]]
                raise VerifyError(f"{at}: reads t{r} as {isa.ELEMENT_NAMES[want]} but it holds {have}")
        if op.name == "t.bind":
            bound[values["d"]] = type_code
        elif op.name == "t.load" and values["d"] in bound:
            # The VM points the register at the binding and leaves the bind
            # pending: a later write of another type would overrun the output.
            raise VerifyError(f"{at}: loads into t{values['d']}, bound to an output by t.bind")
        elif "d" in values and op.operands[0][1] == "td":
            result = isa.ELEMENT_CODES[op.result] if op.result else type_code
            # Tiles are written front to back as they are read: in place, d must be no wider.
            for r, have in reads:
                if r == values["d"] and SIZES[isa.ELEMENT_NAMES[have]] < SIZES[isa.ELEMENT_NAMES[result]]:
                    raise VerifyError(f"{at}: writes t{r} as {isa.ELEMENT_NAMES[result]}, wider than the "
                                      f"{isa.ELEMENT_NAMES[have]} it reads from it")
            if bound.pop(values["d"], result) != result:
                raise VerifyError(f"{at}: result type differs from its bound output's")
            reg_type[values["d"]] = result


def _verify_function(m, f):
    where = f"function '{f.name}'"
    nregs = dict(zip("ifr", f.regs))
    if any(n > isa.HOST_REGS for n in f.regs):
        raise VerifyError(f"{where}: too many registers")
    args, results = register_banks(f.signature)
    for b in "ifr":
        if args[b] > nregs[b]:
            raise VerifyError(f"{where}: {args[b]} {b} arguments but {nregs[b]} registers")
    pc, last = 0, None
    starts, targets = set(), []
    while pc < len(f.code):
        starts.add(pc)
        op, values, _, nxt = isa.decode(f.code, pc)
        if op.form != "host":
            raise VerifyError(f"{where} pc {pc}: tile instruction '{op.name}' in a function")
        at = f"{where} pc {pc} ({op.name})"
        for n, kind in op.operands:
            v = values[n]
            if kind in ("ri", "rf", "rr"):
                if v >= nregs[kind[1]]:
                    raise VerifyError(f"{at}: register {kind[1]}{v} out of range")
            elif kind in isa.LIST_KINDS:
                if n == "index_i":   # the only list no other check bounds (buffer.load/store)
                    check_limit(at, len(v), "indices", "MAX_RANK")
                if any(r >= nregs[kind[1]] for r in v):
                    raise VerifyError(f"{at}: register list out of range")
            elif kind == "const":
                want = dict(op.consts)[n]
                if v >= len(m.constants) or m.constants[v].kind != want:
                    raise VerifyError(f"{at}: bad constant ordinal {v}")
            elif kind == "func" and v >= len(m.functions):
                raise VerifyError(f"{at}: bad function ordinal {v}")
            elif kind == "import" and v >= len(m.imports):
                raise VerifyError(f"{at}: bad import ordinal {v}")
            elif kind == "kernel" and v >= len(m.kernels):
                raise VerifyError(f"{at}: bad kernel ordinal {v}")
            elif kind == "global" and (v >= len(m.globals) or m.globals[v].bank != op.name[-1]):
                raise VerifyError(f"{at}: bad global ordinal {v}")
            elif kind == "target":
                targets.append((at, v))
        if "layout" in values:
            dynamic = m.constants[values["layout"]].shape.count(-1)
            if dynamic and not op.dynamic_layout:
                raise VerifyError(f"{at}: a layout with dynamic dimensions")
            if op.name == "buffer.view" and (dynamic > 1 or values["dims_i"]) and len(values["dims_i"]) != dynamic:
                raise VerifyError(f"{at}: a view infers at most one dynamic dimension; {len(values['dims_i'])} "
                                  f"sizes for {dynamic} dynamic dimensions")
            if op.name == "buffer.alloc.dyn" and len(values["dims_i"]) != dynamic:
                raise VerifyError(f"{at}: {len(values['dims_i'])} sizes for {dynamic} dynamic dimensions")
        if op.name in ("buffer.slice", "buffer.insert"):
            sizes = m.constants[values["sizes"]]
            counts = i64_entries(sizes, [-2])
            dynamic = counts.count(-1)
            layout = m.constants[values["layout"]].shape if op.name == "buffer.slice" else None
            if min(counts, default=0) < -1 or len(values["at_i"]) != 2 * len(counts) + dynamic or layout is not None \
                    and (layout.count(-1) != dynamic or not dynamic and math.prod(counts) != math.prod(layout)):
                raise VerifyError(f"{at}: slice sizes must be i64, one per dimension, with an offset and a step "
                                  "each (and a size each if dynamic), and fill the layout")
        if op.name == "buffer.expand":
            amap = m.constants[values["map"]]
            layout = m.constants[values["layout"]].shape
            cols = len(layout) + 1
            entries = i64_entries(amap, [0])
            rows = [entries[k:k + cols] for k in range(0, len(entries), cols)]
            fed = {exact_dimension(row[:-1], row[-1]) for row in rows}
            if len(entries) % cols or len(rows) > isa.MAX_RANK or \
                    len(values["dims_i"]) != sum(d == -1 and k not in fed for k, d in enumerate(layout)):
                raise VerifyError(f"{at}: an expansion map needs i64 rows of a coefficient per dimension of the "
                                  "layout and a constant, and a size for each dynamic dimension no row is")
        if op.name == "buffer.reduce" and not 0 <= m.constants[values["combiner"]].value < len(isa.REDUCE_COMBINERS):
            raise VerifyError(f"{at}: unknown combiner")
        if op.name in ("buffer.conv2d", "buffer.conv2d.dispatch"):
            window = m.constants[values["window"]]
            entries = i64_entries(window, [])
            if len(entries) != 8 or not all(1 <= e <= CONV_WINDOW_LIMIT for e in entries[:4] + entries[6:7]) \
                    or not all(0 <= e <= CONV_WINDOW_LIMIT for e in entries[4:6]) or entries[7] not in (0, 1):
                raise VerifyError(f"{at}: a convolution window must be i64 strides and dilations in "
                                  f"1..{CONV_WINDOW_LIMIT}, pads in 0..{CONV_WINDOW_LIMIT}, groups "
                                  f"in 1..{CONV_WINDOW_LIMIT} and fresh 0 or 1")
        if op.name == "buffer.pool2d":
            window = m.constants[values["window"]]
            entries = i64_entries(window, [])
            combiner = m.constants[values["combiner"]].value
            if len(entries) != 9 or not all(1 <= e <= CONV_WINDOW_LIMIT for e in entries[:6]) \
                    or not all(0 <= e <= CONV_WINDOW_LIMIT for e in entries[6:8]) or entries[8] not in (0, 1) or \
                    not 0 <= combiner < len(isa.REDUCE_COMBINERS) or \
                    isa.REDUCE_COMBINERS[combiner] not in isa.POOL_PADDING:
                raise VerifyError(f"{at}: a pooling window must be i64 sizes, strides and dilations in "
                                  f"1..{CONV_WINDOW_LIMIT}, pads in 0..{CONV_WINDOW_LIMIT} and fresh 0 or 1, "
                                  f"its combiner one of {', '.join(isa.POOL_PADDING)}")
        if op.name in ("buffer.matmul.strided", "buffer.matmul.strided.dispatch"):
            problem = strided_layout_problem(i64_entries(m.constants[values["layout"]], []))
            if problem:
                raise VerifyError(f"{at}: a strided matmul layout must be i64 [B, M, K, N] and three strides "
                                  f"for each of acc, lhs and rhs: {problem}")
        if op.name == "buffer.scatter":
            strides = m.constants[values["strides"]]
            if (isa.ELEMENT_NAMES[strides.element] != "i64" or len(strides.data) % 8
                    or any(v < 0 for v in unpack("i64", strides.data))):
                raise VerifyError(f"{at}: strides must be a base and a stride per dimension, i64, not negative")
        _verify_lists(m, f, op, values, at, results)
        last = op.name
        pc = nxt
    if last not in ("ret", "br"):
        raise VerifyError(f"{where}: does not end in 'ret' or 'br' (execution would run off the end)")
    for at, target in targets:
        if target not in starts:
            raise VerifyError(f"{at}: branch target {target} is not an instruction")


def _counts(values, prefix):
    return {b: len(values.get(f"{prefix}_{b}", ())) for b in "ifr"}


def _verify_lists(m, f, op, values, at, own_results):
    if op.name == "ret":
        if _counts(values, "args") != own_results:
            raise VerifyError(f"{at}: returns {_counts(values, 'args')}, signature needs {own_results}")
    elif op.name in ("call", "call.import"):
        callee = (m.functions if op.name == "call" else m.imports)[values["callee"]]
        args, results = register_banks(callee.signature)
        if _counts(values, "args") != args or _counts(values, "dst") != results:
            raise VerifyError(f"{at}: operands do not match the signature of '{callee.name}'")
    elif op.name in ("dispatch", "dispatch.async", "eval", "buffer.conv2d.dispatch",
                     "buffer.matmul.fresh.dispatch", "buffer.matmul.strided.dispatch"):
        k = m.kernels[values["kernel"]]
        push = len(values["push_f"]) + len(values["push_i"])
        if push != k.push:
            raise VerifyError(f"{at}: {push} push constants, kernel '{k.name}' takes {k.push}")
        if op.name == "eval":
            if any(role != isa.BIND_OUTPUT for _, role in k.bindings):
                raise VerifyError(f"{at}: kernel '{k.name}' reads buffers")
            dst = [*(("f", r) for r in values["dst_f"]), *(("i", r) for r in values["dst_i"])]
            if len(dst) != len(k.bindings) or any(
                    (b == "f") != (e in _FLOAT_CODES) for (b, _), (e, _) in zip(dst, k.bindings)):
                raise VerifyError(f"{at}: destinations do not match kernel '{k.name}' outputs")
        elif len(values["bind_r"]) != len(k.bindings):
            raise VerifyError(f"{at}: {len(values['bind_r'])} bindings, kernel '{k.name}' takes {len(k.bindings)}")
