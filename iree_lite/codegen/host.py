"""Host code generation: the module's functions -> register bytecode.

ModuleBuilder holds what a module's functions share (constants, kernels,
imports, globals, function ordinals) and builds the isa.module.Module;
each function is lowered by lowering.FunctionLowering, which hands each op
to the lowering its dialect's lower_*.py module registers.
"""
from ..ir.attributes import DenseElementsAttr, StringAttr
from ..ir.core import INITIALIZER, Diagnostic
from ..ir.elements import pack, unpack
from ..passes.abi import COARSE_FENCES, lowered_abi
from .. import isa
# The lower_* modules register their ops' lowerings (lowering.lowers) when imported.
from . import lower_cf, lower_check, lower_func, lower_iree_lite, lower_scf, lower_tensor, lower_util  # noqa: F401
from .limits import check_call_values, check_ranks
from .lowering import FunctionLowering
from ..isa.module import CONST_DATA, CONST_FLOAT, CONST_INT, CONST_LAYOUT, Constant, Export, GlobalDef, Import, Module, \
    Signature


class ModuleBuilder:
    def __init__(self, ir_module, compiler_version, trace_dispatch_tensors=False):
        self.ir = ir_module
        self.trace_dispatch_tensors = trace_dispatch_tensors
        self.module = Module(ir_module.name, compiler_version, source=ir_module.loc.file if ir_module.loc else "",
                             isa=isa.fingerprint())
        self._constants = {}
        self._kernels = {}
        self._imports = {}
        self._functions = {}
        self._globals = {}

    def error(self, message, loc):
        return Diagnostic(message, loc, self.ir.source)

    def abi(self, func):
        return lowered_abi(func)

    def signature(self, func):
        abi = self.abi(func)
        fences = ["r", "r"] if abi == COARSE_FENCES else []   # the wait and signal fences
        check_call_values(func, [isa.register_bank(a.type) for a in func.arguments] + fences,
                          [isa.register_bank(t) for t in func.type.results], self.error)
        public = func.public_type or func.type
        return Signature(tuple(map(str, public.inputs)), tuple(map(str, public.results)), abi)

    def constant(self, c):
        key = (c.kind, c.element, c.shape, c.value, c.data)
        if key not in self._constants:
            self._constants[key] = len(self.module.constants)
            self.module.constants.append(c)
        return self._constants[key]

    def i64_data(self, values):
        """A constant of i64 data (strides, sizes, maps of buffer ops)."""
        return self.constant(Constant(CONST_DATA, isa.ELEMENT_CODES["i64"], (len(values),),
                                      data=pack("i64", values)))

    def text(self, data):
        """A constant of i8 data: bytes the VM prints or names in errors."""
        return self.constant(Constant(CONST_DATA, isa.ELEMENT_CODES["i8"], (len(data),), data=data))

    def layout(self, t):
        """A tensor type as a layout constant, -1 for a dynamic dimension."""
        shape = tuple(-1 if d is None else d for d in t.shape)
        return self.constant(Constant(CONST_LAYOUT, isa.ELEMENT_CODES[t.element.name], shape))

    def kernel(self, k):
        key = (k.code.tobytes(), k.bindings, k.push)
        if key not in self._kernels:
            k.name = f"{self.module.name}_dispatch_{len(self.module.kernels)}" if not k.name else k.name
            self._kernels[key] = len(self.module.kernels)
            self.module.kernels.append(k)
        return self._kernels[key]

    def function_ordinal(self, name):
        return self._functions[name]

    def global_ordinal(self, name):
        return self._globals[name]

    def import_ordinal(self, func):
        if func.name not in self._imports:
            self._imports[func.name] = len(self.module.imports)
            self.module.imports.append(Import(func.name, self.signature(func)))
        return self._imports[func.name]

    def build(self):
        check_ranks(self.ir, self.error)
        for g in self.ir.globals:
            initial = -1
            if isinstance(g.initial, DenseElementsAttr):
                t = g.initial.type
                initial = self.constant(Constant(CONST_DATA, isa.ELEMENT_CODES[t.element.name], t.shape,
                                                 data=g.initial.flat_data()))
            elif g.initial is not None:
                e = g.type.name
                (value,) = unpack(e, pack(e, [g.initial.value]))
                initial = self.constant(Constant(CONST_FLOAT if g.type.is_float else CONST_INT, value=value))
            self._globals[g.name] = len(self.module.globals)
            self.module.globals.append(GlobalDef(g.name, str(g.type), isa.register_bank(g.type), initial))
        bodies = [f for f in self.ir.functions if not f.is_declaration]
        for i, f in enumerate(bodies):
            self._functions[f.name] = i
            if INITIALIZER in f.attributes:
                self.module.initializers.append(i)
        for f in bodies:
            self.module.functions.append(FunctionLowering(self, f).lower())
            if f.visibility == "public":
                sig = self.signature(f)
                # IREE's reflection text, which the tools print in error context.
                ins = ", ".join(f"%input{i}: {t}" for i, t in enumerate(sig.inputs))
                outs = ", ".join(f"%output{i}: {t}" for i, t in enumerate(sig.results))
                kind = "async" if sig.abi == COARSE_FENCES else "sync"
                refl = [("iree.abi.declaration", f"{kind} func @{f.name}({ins}) -> ({outs})")]
                if self.abi(f) == COARSE_FENCES:
                    refl.append(("iree.abi.model", COARSE_FENCES))
                # A function's own `iree.reflection = {key = "value"}` entries, as IREE exports them.
                extra = f.attributes.get("iree.reflection")
                if isinstance(extra, dict):
                    refl += [(k, v.value) for k, v in extra.items() if isinstance(v, StringAttr)]
                self.module.exports.append(Export(f.name, self._functions[f.name], tuple(refl)))
        return self.module


def generate(ir_module, compiler_version, trace_dispatch_tensors=False):
    """The bytecode module of `ir_module`, which the pass pipeline has run over."""
    return ModuleBuilder(ir_module, compiler_version, trace_dispatch_tensors).build()
