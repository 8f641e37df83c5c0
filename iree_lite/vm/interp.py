"""The reference interpreter: the living definition of every opcode.

Pure Python and deliberately plain: it decodes every instruction with the
ISA table each time it runs it, keeps buffers as bytearrays and computes one
element at a time. The Cython VM must produce the same results (tests
compare them); where they disagree, this file is right or the ISA doc is
wrong.

It is cut along the native VM's seams, each file the twin of one there:
this host loop (calls, moves, globals) of csrc/loop.pxi; buffer_ops.py of
csrc/buffer_ops.pxi and csrc/check_ops.pxi; dispatch.py of csrc/dispatch.pxi;
tiles.py (the tile interpreter) of csrc/kernels.pxi; elementwise.py (element
semantics) of the generated csrc/isa_kernels.pxi; values.py of
csrc/buffers.pxi and csrc/sync.pxi.
"""
from .. import isa
from ..isa.module import ABI_COARSE_FENCES
from .buffer_ops import BufferOps
from .dispatch import DispatchOps
from .errors import VMError
from .link import resolve_imports
from .values import Buffer, Fence
from .verifier import verify_module


# -- functions ------------------------------------------------------------

class Frame:
    def __init__(self, module_index, function, depth=0):
        self.module_index = module_index
        self.function = function
        self.depth = depth   # calls nested below the called function
        ni, nf, nr = function.regs
        self.i = [0] * ni
        self.f = [0.0] * nf
        self.r = [None] * nr

class Context(BufferOps, DispatchOps):
    """Modules loaded in order; imports resolve against earlier modules."""

    def __init__(self, trace=None):
        self.modules = []
        self.links = []
        self.globals = []   # per module: each global's current value
        self.trace = trace  # trace(module, function, pc, op, operands, frame) after each instruction
        self.deadline = None  # a vm.deadline.Deadline: checked on backward branches and in waits
        self.debug_sink = None  # debug_sink(key, buffers) for debug.trace, or None

    def load(self, module):
        verify_module(module)
        self.links.append(resolve_imports(module, self.modules))
        self.modules.append(module)
        values = []
        for g in module.globals:
            c = module.constants[g.initial] if g.initial >= 0 else None
            if g.bank == "r":
                values.append(None if c is None else
                              Buffer(isa.ELEMENT_NAMES[c.element], c.shape, bytearray(c.data), readonly=True))
            else:
                values.append(c.value if c is not None else (0.0 if g.bank == "f" else 0))
        self.globals.append(values)
        for f in module.initializers:
            self.call(len(self.modules) - 1, module.functions[f], [])

    def export(self, name, module=None):
        m = self.modules[-1] if module is None else next(x for x in self.modules if x.name == module)
        e = m.export(name)
        if e is None:
            raise VMError("NOT_FOUND", f"no function '{name}' exported by module")
        return self.modules.index(m), m.functions[e.function]

    def invoke(self, name, args, module=None, timeout=10.0):
        """Call an export with Buffers and Python numbers; waits for async work."""
        mi, fn = self.export(name, module)
        args = list(args)
        signal = None
        if fn.signature.abi == ABI_COARSE_FENCES:
            signal = Fence()
            args += [None, signal]
        results = self.call(mi, fn, args)
        if signal is not None:
            try:
                self._wait(signal, timeout)
            except VMError as e:
                raise VMError(e.code_name, f"{e.message}; waiting on finish fence") from None
        return results

    def _wait(self, fence, timeout=None):
        """fence.wait(timeout), or until the call's deadline where it has one."""
        if self.deadline is not None:
            self.deadline.wait(fence)
        else:
            fence.wait(timeout)

    def call(self, mi, fn, args):
        """Run function `fn` of module `mi`; `args` in signature order
        (then the wait and signal fences for coarse-fences functions)."""
        frame = Frame(mi, fn)
        banks = [isa.register_bank(t) for t in fn.signature.inputs]
        banks += ["r"] * (len(args) - len(banks))
        _place(frame, banks, args)
        return isa.signature_order(self.execute(frame), [isa.register_bank(t) for t in fn.signature.results])

    def execute(self, frame):
        m = self.modules[frame.module_index]
        code = frame.function.code
        pc = 0
        while True:
            at = pc
            op, v, _, pc = isa.decode(code, pc)
            if op.name == "br" or op.name == "br.if" and frame.i[v["cond"]]:
                pc = v["target"]
                if pc <= at and self.deadline is not None:   # every loop takes a backward branch
                    self.deadline.check()
            elif op.name != "br.if":
                out = getattr(self, "op_" + op.name.replace(".", "_"))(frame, m, v)
            if self.trace is not None:
                self.trace(m, frame.function, at, op, v, frame)
            if op.name == "ret":
                return out

    # Each op_<name> implements the ISA entry of that name.

    def op_ret(self, fr, m, v):
        return [fr.i[r] for r in v["args_i"]] + [fr.f[r] for r in v["args_f"]] + [fr.r[r] for r in v["args_r"]]

    def _call(self, fr, v, mi, fn):
        if fr.depth == isa.MAX_CALL_DEPTH:
            raise VMError("RESOURCE_EXHAUSTED", f"call depth exceeds {isa.MAX_CALL_DEPTH}")
        callee = Frame(mi, fn, fr.depth + 1)
        for bank in "ifr":
            regs = getattr(fr, bank)
            getattr(callee, bank)[:len(v["args_" + bank])] = [regs[r] for r in v["args_" + bank]]
        results = self.execute(callee)   # by bank, as the dst lists are
        k = 0
        for bank in "ifr":
            regs = getattr(fr, bank)
            for r in v["dst_" + bank]:
                regs[r] = results[k]
                k += 1

    def op_call(self, fr, m, v):
        self._call(fr, v, fr.module_index, m.functions[v["callee"]])

    def op_call_import(self, fr, m, v):
        mi, fi = self.links[fr.module_index][v["callee"]]
        self._call(fr, v, mi, self.modules[mi].functions[fi])

    def op_const_i(self, fr, m, v):
        fr.i[v["dst"]] = m.constants[v["value"]].value

    def op_const_f(self, fr, m, v):
        fr.f[v["dst"]] = m.constants[v["value"]].value

    def op_mov_i(self, fr, m, v):
        fr.i[v["dst"]] = fr.i[v["src"]]

    def op_mov_f(self, fr, m, v):
        fr.f[v["dst"]] = fr.f[v["src"]]

    def _global_load(self, fr, m, v, bank):
        getattr(fr, bank)[v["dst"]] = self.globals[fr.module_index][v["global"]]

    def _global_store(self, fr, m, v, bank):
        self.globals[fr.module_index][v["global"]] = getattr(fr, bank)[v["src"]]

    def op_global_load_i(self, fr, m, v):
        self._global_load(fr, m, v, "i")

    def op_global_load_f(self, fr, m, v):
        self._global_load(fr, m, v, "f")

    def op_global_load_r(self, fr, m, v):
        self._global_load(fr, m, v, "r")

    def op_global_store_i(self, fr, m, v):
        self._global_store(fr, m, v, "i")

    def op_global_store_f(self, fr, m, v):
        self._global_store(fr, m, v, "f")

    def op_global_store_r(self, fr, m, v):
        self._global_store(fr, m, v, "r")

    def op_mov_r(self, fr, m, v):
        fr.r[v["dst"]] = fr.r[v["src"]]

    def op_ref_null(self, fr, m, v):
        fr.r[v["dst"]] = None


def _place(frame, banks, values):
    """Put values into a frame's first registers of their banks, in order."""
    used = {"i": 0, "f": 0, "r": 0}
    for bank, x in zip(banks, values):
        getattr(frame, bank)[used[bank]] = x
        used[bank] += 1
