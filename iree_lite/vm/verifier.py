"""Bytecode verifier: run once when a module is loaded.

After it accepts a module, the VM executes without checking opcodes,
register numbers, ordinals or list lengths: everything that could make the
unchecked loop read or write out of bounds is checked here, from the ISA
table. Run-time facts (shapes of caller buffers, fences) are checked by the
instructions that need them.
"""
from ..codegen import isa
from ..codegen.module import ABI_COARSE_FENCES, CONST_DATA, CONST_FLOAT, CONST_INT, CONST_LAYOUT
from ..ir.elements import SIZES

# Which constant kind each constant-reading instruction needs.
_CONST_KIND = {"const.i": CONST_INT, "const.f": CONST_FLOAT, "buffer.alloc": CONST_LAYOUT,
               "buffer.check": CONST_LAYOUT, "buffer.const": CONST_DATA}
_FLOAT_CODES = {isa.ELEMENT_CODES[n] for n in ("f16", "bf16", "f32", "f64")}
MAX_RANK = 8


class VerifyError(Exception):
    pass


def bank_of_type(type_str):
    if type_str.startswith("tensor<"):
        return "r"
    return "f" if type_str in ("f16", "bf16", "f32", "f64") else "i"


def register_banks(signature):
    """Per-bank counts of (arguments, results) under the calling convention:
    arguments then, for coarse-fences, the wait and signal fences."""
    args = [bank_of_type(t) for t in signature.inputs]
    if signature.abi == ABI_COARSE_FENCES:
        args += ["r", "r"]
    results = [bank_of_type(t) for t in signature.results]
    return ({b: args.count(b) for b in "ifr"}, {b: results.count(b) for b in "ifr"})


def verify_module(m):
    for c in m.constants:
        if c.kind in (CONST_LAYOUT, CONST_DATA):
            if c.element not in isa.ELEMENT_NAMES or len(c.shape) > MAX_RANK or any(d < 0 for d in c.shape):
                raise VerifyError("malformed constant layout")
        if c.kind == CONST_DATA:
            n = 1
            for d in c.shape:
                n *= d
            size = SIZES[isa.ELEMENT_NAMES[c.element]]
            if len(c.data) != n * size:
                raise VerifyError(f"constant data is {len(c.data)} bytes, its layout needs {n * size}")
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


def _verify_kernel(k):
    where = f"kernel '{k.name}'"
    if not 0 < k.regs <= isa.TILE_REGS:
        raise VerifyError(f"{where}: {k.regs} tile registers")
    if not any(out for _, out in k.bindings):
        raise VerifyError(f"{where}: no output binding")
    for element, _ in k.bindings:
        if element not in isa.ELEMENT_NAMES:
            raise VerifyError(f"{where}: bad binding element type {element}")
    for pc in range(len(k.code)):
        op = isa.BY_CODE.get(k.code[pc] & 0xFF)
        if op is not None and op.form != "tile":
            raise VerifyError(f"{where} pc {pc}: host instruction '{op.name}' in a kernel")
        op, values, type_code, _ = isa.decode(k.code, pc)
        if type_code not in isa.ELEMENT_NAMES:
            raise VerifyError(f"{where} pc {pc}: bad element type {type_code}")
        if op.types == "float" and type_code not in _FLOAT_CODES:
            raise VerifyError(f"{where} pc {pc}: '{op.name}' needs a float type")
        for n, kind in op.operands:
            v = values[n]
            if kind in ("td", "ts") and v >= k.regs:
                raise VerifyError(f"{where} pc {pc}: tile register {v} out of range")
            if kind == "bind":
                if v >= len(k.bindings):
                    raise VerifyError(f"{where} pc {pc}: binding {v} out of range")
                if k.bindings[v][0] != type_code:
                    raise VerifyError(f"{where} pc {pc}: binding {v} element type mismatch")
                if op.name in ("t.store", "t.bind") and not k.bindings[v][1]:
                    raise VerifyError(f"{where} pc {pc}: store to input binding {v}")
            if kind == "push" and v >= k.push:
                raise VerifyError(f"{where} pc {pc}: push constant {v} out of range")


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
    while pc < len(f.code):
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
                if any(r >= nregs[kind[1]] for r in v):
                    raise VerifyError(f"{at}: register list out of range")
            elif kind == "const":
                if v >= len(m.constants) or m.constants[v].kind != _CONST_KIND[op.name]:
                    raise VerifyError(f"{at}: bad constant ordinal {v}")
            elif kind == "func" and v >= len(m.functions):
                raise VerifyError(f"{at}: bad function ordinal {v}")
            elif kind == "import" and v >= len(m.imports):
                raise VerifyError(f"{at}: bad import ordinal {v}")
            elif kind == "kernel" and v >= len(m.kernels):
                raise VerifyError(f"{at}: bad kernel ordinal {v}")
            elif kind == "target":
                raise VerifyError(f"{at}: branch targets are not supported")
        _verify_lists(m, f, op, values, at, results)
        last = op.name
        pc = nxt
    if last != "ret":
        raise VerifyError(f"{where}: does not end in 'ret'")


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
    elif op.name in ("dispatch", "dispatch.async", "eval"):
        k = m.kernels[values["kernel"]]
        push = len(values["push_f"]) + len(values["push_i"])
        if push != k.push:
            raise VerifyError(f"{at}: {push} push constants, kernel '{k.name}' takes {k.push}")
        if op.name == "eval":
            if any(not out for _, out in k.bindings):
                raise VerifyError(f"{at}: kernel '{k.name}' reads buffers")
            dst = [*(("f", r) for r in values["dst_f"]), *(("i", r) for r in values["dst_i"])]
            if len(dst) != len(k.bindings) or any(
                    (b == "f") != (e in _FLOAT_CODES) for (b, _), (e, _) in zip(dst, k.bindings)):
                raise VerifyError(f"{at}: destinations do not match kernel '{k.name}' outputs")
        elif len(values["bind_r"]) != len(k.bindings):
            raise VerifyError(f"{at}: {len(values['bind_r'])} bindings, kernel '{k.name}' takes {len(k.bindings)}")
