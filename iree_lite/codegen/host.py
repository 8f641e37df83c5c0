"""Host code generation: dispatch items -> register bytecode.

Each function is lowered to instructions over virtual registers, registers
are allocated (regalloc) and instructions encoded with the ISA table.

Coarse-fences functions keep a *timeline* fence: the fence after which all
work queued so far is done. Each queued dispatch or async call waits on the
timeline and signals a fresh fence that becomes the new timeline; at return
the timeline is forwarded to the caller's signal fence. Nothing on this path
blocks the host. Sync functions run dispatches to completion in order.
"""
import math
from array import array

from ..ir.attributes import DenseElementsAttr, StringAttr
from ..ir.core import INITIALIZER, Diagnostic, Operation
from ..ir.elements import pack, unpack
from ..ir.types import ScalarType, TensorType
from ..passes.abi import COARSE_FENCES, lowered_abi, output_arguments
from ..dialects import lookup
from ..dialects.cf import edges
from ..dialects.check import DEFAULT_TOLERANCE
from ..passes.dispatch import Group, elementwise_kind
from . import isa
from .limits import check_call_values, check_ranks
from .kernels import KernelTooLarge, build_kernel, copy_kernel, fill_kernel, scalar_kernel
from .module import (CONST_DATA, CONST_FLOAT, CONST_INT, CONST_LAYOUT, Constant, Export, Function,
                     GlobalDef, Import, Module, Signature)
from .regalloc import Label, RegisterLimitError, VReg, allocate


CMPI_SGE = [name for name, _ in isa.CMPI_PREDICATES].index("sge")
CMPI_EQ = [name for name, _ in isa.CMPI_PREDICATES].index("eq")


def bank_of(t):
    if isinstance(t, TensorType):
        return "r"
    return "f" if t.is_float else "i"


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
        check_call_values(func, [bank_of(a.type) for a in func.arguments] + fences,
                          [bank_of(t) for t in func.type.results], self.error)
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
            self.module.globals.append(GlobalDef(g.name, str(g.type), bank_of(g.type), initial))
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


class FunctionLowering:
    def __init__(self, mb, func):
        self.mb = mb
        self.func = func
        self.insts = []      # (name, operands, loc)
        self.values = {}     # ir Value -> VReg
        self.next_id = 0
        self.timeline = None
        self.null = None
        self.is_async = mb.abi(func) == COARSE_FENCES
        self.in_region = 0   # inside scf regions, work runs synchronously
        self.run_at = {}     # id(op) -> its position in the function body's execution order
        self.owned = set()   # values whose buffers groups of this function allocated
        self.traced = 0      # element-wise dispatches traced so far (--iree-flow-trace-dispatch-tensors)

    def new(self, bank):
        self.next_id += 1
        return VReg(bank, self.next_id)

    def emit(self, name, loc=None, **operands):
        self.insts.append((name, operands, loc))

    def null_fence(self):
        if self.null is None:
            self.null = self.new("r")
            self.insts.insert(0, ("ref.null", {"dst": self.null}, None))
        return self.null

    def wait_fence(self):
        return self.timeline if self.timeline is not None else self.null_fence()

    def lower(self):
        f = self.func
        signature = self.mb.signature(f)   # first: it names a call the VM cannot make
        args = []
        for v in f.body.arguments:
            self.values[v] = self.new(bank_of(v.type))
            args.append(self.values[v])
        if self.is_async:
            self.timeline, self.signal = self.new("r"), self.new("r")
            args += [self.timeline, self.signal]
        blocks = f.blocks
        lowered = [f.dispatch[id(b)] for b in blocks]   # dispatch formation's items, and the users
        self.plan = f.buffers
        for block, (items, _) in zip(blocks, lowered):
            order = {id(op): i for i, op in enumerate(block.operations)}
            for it in items:   # where each top-level op runs in its block: a group's ops at its last one
                for op in (it.ops if isinstance(it, Group) else [it]):
                    self.run_at[id(op)] = it.position if isinstance(it, Group) else order[id(op)]
        for n, arg_index in sorted(output_arguments(f).items()):
            self.emit("buffer.check", src=self.values[f.body.arguments[arg_index]],
                      layout=self.mb.layout(f.type.results[n]))
        self.block_labels = {id(b): Label() for b in blocks[1:]}
        for b in blocks[1:]:
            for v in b.arguments:
                self.values[v] = self.new(bank_of(v.type))
        for block, lowered_block in zip(blocks, lowered):
            if block is not f.body:
                self.emit("label", at=self.block_labels[id(block)])
                self.timeline = None   # branches settle the timeline before they leave a block
            self.lower_items(*lowered_block)
        try:
            phys, counts = allocate([(n, o) for n, o, _ in self.insts], args)
        except RegisterLimitError as e:
            raise self.mb.error(f"function '{f.name}' is too large: {e}", f.loc) from None
        # Two passes: the first places labels, the second encodes targets.
        pc = 0
        for name, operands, _ in self.insts:
            if name == "label":
                operands["at"].pc = pc
            else:
                pc += len(isa.encode(name, {k: _physical(v, phys, 0) for k, v in operands.items()}))
        code, locs = [], []
        for name, operands, loc in self.insts:
            if name == "label":
                continue
            if loc is not None:
                locs.append((len(code), loc.line, loc.col))
            code.extend(isa.encode(name, {k: _physical(v, phys) for k, v in operands.items()}))
        return Function(f.name, signature, counts, array("I", code), locs)

    def lower_items(self, items, users):
        """Lower a block's dispatch items; returns its terminator (scf.yield
        or scf.condition), if any."""
        for item in items:
            if isinstance(item, Group):
                self.lower_group(item, users)
            elif item.name in ("scf.yield", "scf.condition"):
                return item
            else:
                self.lower_op(item)
        return None

    def lower_region(self, region, arguments=()):
        """Lower a region's block with its arguments bound to registers;
        returns the registers of the values it yields."""
        block = region.blocks[0]
        for v, reg in zip(block.arguments, arguments):
            self.values[v] = reg
        self.in_region += 1
        yielded = self.lower_items(*self.func.dispatch[id(block)])
        self.in_region -= 1
        return [self.values[v] for v in yielded.operands]

    def label(self):
        at = Label()
        self.emit("label", at=at)
        return at

    def copy(self, dst, src, loc):
        self.emit({"i": "mov.i", "f": "mov.f", "r": "mov.r"}[dst.bank], loc, dst=dst, src=src)

    def parallel_copy(self, dsts, srcs, loc):
        """dsts[k] = srcs[k] for all k at once: when a source is also a
        destination (loop-carried values passed around), through temporaries."""
        moves = [(d, s) for d, s in zip(dsts, srcs) if d is not s]
        if any(s is d for _, s in moves for d, _ in moves):
            temps = [self.new(d.bank) for d, _ in moves]
            for t, (_, s) in zip(temps, moves):
                self.copy(t, s, loc)
            moves = [(d, t) for t, (d, _) in zip(temps, moves)]
        for d, s in moves:
            self.copy(d, s, loc)

    def settle_timeline(self, loc):
        """Regions run their work synchronously (a loop-carried timeline fence
        is future work): wait for what is queued before entering one."""
        if self.is_async and self.timeline is not None:
            self.emit("fence.await", loc, fence=self.timeline)
            self.timeline = None

    def op_scf_for(self, op):
        self.settle_timeline(op.loc)
        lb, ub, step = (self.values[v] for v in op.operands[:3])
        element = op.operands[0].type.name
        carried = [self.new(bank_of(r.type)) for r in op.results]
        iv = self.new("i")
        self.copy(iv, lb, op.loc)
        for reg, v in zip(carried, op.operands[3:]):
            self.copy(reg, self.values[v], op.loc)
        head, done = self.label(), Label()
        finished = self.new("i")
        self.emit("eval", op.loc, kernel=self.mb.kernel(scalar_kernel("cmpi", element, "i1", pred=CMPI_SGE)),
                  push_f=[], push_i=[iv, ub], dst_f=[], dst_i=[finished])
        self.emit("br.if", op.loc, cond=finished, target=done)
        yielded = self.lower_region(op.regions[0], [iv] + carried)
        self.parallel_copy(carried, yielded, op.loc)
        self.emit("eval", op.loc, kernel=self.mb.kernel(scalar_kernel("addi", element, element)),
                  push_f=[], push_i=[iv, step], dst_f=[], dst_i=[iv])
        self.emit("br", op.loc, target=head)
        self.emit("label", at=done)
        for r, reg in zip(op.results, carried):
            self.values[r] = reg

    def op_scf_while(self, op):
        self.settle_timeline(op.loc)
        carried = [self.new(bank_of(v.type)) for v in op.operands]
        for reg, v in zip(carried, op.operands):
            self.copy(reg, self.values[v], op.loc)
        results = [self.new(bank_of(r.type)) for r in op.results]
        head, body, end = self.label(), Label(), Label()
        cond, *forwarded = self.lower_region(op.regions[0], carried)
        # Forwarded values go through `results`: they are both the loop's
        # results and the after region's arguments.
        for reg, value in zip(results, forwarded):
            self.copy(reg, value, op.loc)
        self.emit("br.if", op.loc, cond=cond, target=body)
        self.emit("br", op.loc, target=end)
        self.emit("label", at=body)
        self.parallel_copy(carried, self.lower_region(op.regions[1], results), op.loc)
        self.emit("br", op.loc, target=head)
        self.emit("label", at=end)
        for r, reg in zip(op.results, results):
            self.values[r] = reg

    def op_scf_if(self, op):
        self.settle_timeline(op.loc)
        results = [self.new(bank_of(r.type)) for r in op.results]
        then, end = Label(), Label()
        self.emit("br.if", op.loc, cond=self.values[op.operands[0]], target=then)
        for branch, region in ((None, op.regions[1] if len(op.regions) > 1 else None), (then, op.regions[0])):
            if branch is not None:
                self.emit("label", at=branch)
            if region is not None:
                for reg, y in zip(results, self.lower_region(region)):
                    self.copy(reg, y, op.loc)
            if branch is None:
                self.emit("br", op.loc, target=end)
        self.emit("label", at=end)
        for r, reg in zip(op.results, results):
            self.values[r] = reg

    # -- cf branches between the blocks of a function -------------------------

    def jump(self, block, values, loc):
        """Pass `values` to block's arguments and continue at it."""
        self.parallel_copy([self.values[v] for v in block.arguments], [self.values[v] for v in values], loc)
        self.emit("br", loc, target=self.block_labels[id(block)])

    def branch_if(self, cond, block, values, loc):
        """Continue at `block` with `values` if register `cond` is nonzero;
        returns the (label, block, values) of an edge still to lower, when
        values must be passed on the way."""
        if not values:
            self.emit("br.if", loc, cond=cond, target=self.block_labels[id(block)])
            return None
        at = Label()
        self.emit("br.if", loc, cond=cond, target=at)
        return at, block, values

    def lower_edges(self, pending, loc):
        for at, block, values in filter(None, pending):
            self.emit("label", at=at)
            self.jump(block, values, loc)

    def op_cf_br(self, op):
        self.settle_timeline(op.loc)
        self.jump(*edges(op)[0], op.loc)

    def op_cf_cond_br(self, op):
        self.settle_timeline(op.loc)
        taken, otherwise = edges(op)
        pending = self.branch_if(self.values[op.operands[0]], *taken, op.loc)
        self.jump(*otherwise, op.loc)
        self.lower_edges([pending], op.loc)

    def op_cf_switch(self, op):
        self.settle_timeline(op.loc)
        flag = op.operands[0]
        default, *cases = edges(op)
        kernel = self.mb.kernel(scalar_kernel("cmpi", flag.type.name, "i1", pred=CMPI_EQ))
        pending = []
        for value, (block, values) in zip(op.attributes["case_values"], cases):
            equal = self.new("i")
            self.emit("eval", op.loc, kernel=kernel, push_f=[],
                      push_i=[self.values[flag], self.scalar_constant(value, flag.type)], dst_f=[], dst_i=[equal])
            pending.append(self.branch_if(equal, block, values, op.loc))
        self.jump(*default, op.loc)
        self.lower_edges(pending, op.loc)

    # -- dispatch groups ----------------------------------------------------

    def lower_group(self, group, users):
        outputs = group.outputs(users)
        if not outputs:
            return   # dead: nothing reads what it computes
        try:
            plan = build_kernel("", group, outputs, lookup)
        except KernelTooLarge as e:
            raise self.mb.error(f"element-wise region {e}", group.ops[0].loc) from None
        kernel = self.mb.kernel(plan.kernel)
        push_f, push_i = [], []
        for v, value, etype in plan.push:
            reg = self.values[v] if value is None else self.scalar_constant(value, etype)
            (push_f if reg.bank == "f" else push_i).append(reg)
        loc = group.ops[-1].loc
        if group.is_scalar:
            dst_f, dst_i = [], []
            for v in plan.outputs:
                reg = self.values[v] = self.new(bank_of(v.type))
                (dst_f if reg.bank == "f" else dst_i).append(reg)
            self.emit("eval", loc, kernel=kernel, push_f=push_f, push_i=push_i, dst_f=dst_f, dst_i=dst_i)
            return
        ins = [self.values[v] for v in plan.inputs]
        # Inputs read element by element (not gathered) have the group's shape.
        shaped = [v for v, (_, role) in zip(plan.inputs, plan.kernel.bindings) if role == isa.BIND_INPUT]
        dynamic = not group.ops[-1].results[0].type.is_static
        if dynamic:   # the inputs' shapes are known only now: they must agree
            if not shaped:
                raise self.mb.error("an element-wise op of dynamic shape needs a tensor operand", loc)
            for v in shaped[1:]:
                user = next(op for op in group.ops if v in op.operands)
                self.emit("buffer.match", user.loc, a=self.values[v], b=self.values[shaped[0]],
                          where=self.where(user))
        outs = []
        for v in plan.outputs:
            storage = self.plan.in_place.get(v)
            dead = self.dead_input(group, v, shaped, users)
            if storage is not None:
                self.values[v] = self.values[storage]
                if dynamic:
                    self.emit("buffer.match", loc, a=self.values[v], b=self.values[shaped[0]],
                              where=self.where(group.ops[-1]))
            elif dead is not None:   # its buffer, read for the last time here, takes the result
                self.values[v] = self.values[dead]
                self.owned.discard(dead)
                self.owned.add(v)
            else:
                self.values[v] = self.alloc(v.type, loc, like=self.values[shaped[0]] if dynamic else None)
                self.owned.add(v)
            outs.append(self.values[v])
        if self.mb.trace_dispatch_tensors:
            self.traced_dispatch(group, kernel, (plan.inputs, ins), (plan.outputs, outs), push_f, push_i, loc)
        else:
            self.dispatch(kernel, ins + outs, push_f, push_i, loc)

    def traced_dispatch(self, group, kernel, ins, outs, push_f, push_i, loc):
        """A group's dispatch between debug.trace of its inputs and of its
        outputs (each (values, registers)), as IREE traces an element-wise
        dispatch: its entry point's name (`f_dispatch_0::f_dispatch_0_elementwise_6_f32`,
        D for a dynamic size) and its tensors collapsed to one dimension. It
        runs synchronously, so that the outputs are there to print."""
        name = f"{self.func.name}_dispatch_{self.traced}"
        self.traced += 1
        size = "D" if None in group.key else str(math.prod(group.key))
        key = f"{name}::{name}_elementwise_{size}_{group.ops[-1].results[0].type.element}"
        self.settle_timeline(loc)
        for (values, regs), what in ((ins, "inputs"), (outs, "outputs")):
            views = []
            for v, reg in zip(values, regs):
                if v.type.rank != 1:
                    views.append(self.new("r"))
                    flat = TensorType((math.prod(v.type.shape) if v.type.is_static else None,), v.type.element)
                    self.emit("buffer.view", loc, dst=views[-1], src=reg, layout=self.mb.layout(flat), dims_i=[])
                else:
                    views.append(reg)
            self.emit("debug.trace", loc, key=self.mb.text(f"{key} {what}".encode()), view_r=views)
            if what == "inputs":
                self.emit("dispatch", loc, kernel=kernel, bind_r=ins[1] + outs[1], push_f=push_f, push_i=push_i)

    def dead_input(self, group, out, inputs, users):
        """An input of `group` of `out`'s type whose buffer this function
        allocated and nothing reads after the group: `out` can be computed
        into it, since kernels write each tile after reading it. Only values
        read by groups and element reads qualify: other ops may alias the
        buffer (views) or keep it."""
        if self.in_region:
            return None
        members = set(map(id, group.ops))
        block = group.ops[-1].parent   # in a function of several blocks, all of it happens in this one
        for v in inputs:
            if v in self.owned and v.type == out.type and v.owner.parent is block and all(
                    id(u) in members or u.parent is block and self.run_at.get(id(u), group.position) <
                    group.position and (u.name in ("tensor.extract", "tensor.dim") or elementwise_kind(u) is not None)
                    for u in users.get(v, ())):
                return v
        return None

    def alloc(self, t, loc, like=None, dims=None):
        """A new buffer of tensor type t; its dynamic dimensions are those of
        buffer `like`, or the index registers `dims` in order."""
        reg = self.new("r")
        if t.is_static:
            self.emit("buffer.alloc", loc, dst=reg, layout=self.mb.layout(t))
            return reg
        if dims is None:
            dims = []
            for axis, d in enumerate(t.shape):
                if d is None:
                    dims.append(self.new("i"))
                    self.emit("buffer.dim", loc, dst=dims[-1], src=like,
                              axis=self.scalar_constant(axis, ScalarType("index")))
        self.emit("buffer.alloc.dyn", loc, dst=reg, layout=self.mb.layout(t), dims_i=dims)
        return reg

    def dispatch(self, kernel, bindings, push_f, push_i, loc):
        if self.is_async and not self.in_region:
            done = self.new("r")
            self.emit("fence.create", loc, dst=done)
            self.emit("dispatch.async", loc, wait=self.wait_fence(), signal=done, kernel=kernel,
                      bind_r=bindings, push_f=push_f, push_i=push_i)
            self.timeline = done
        else:
            self.emit("dispatch", loc, kernel=kernel, bind_r=bindings, push_f=push_f, push_i=push_i)

    def scalar_constant(self, value, etype):
        """A register holding `value` as the element type holds it (an f32
        constant is rounded to f32 here, once)."""
        reg = self.new("f" if etype.is_float else "i")
        (value,) = unpack(etype.name, pack(etype.name, [value]))
        kind = CONST_FLOAT if etype.is_float else CONST_INT
        self.emit("const.f" if etype.is_float else "const.i", dst=reg,
                  value=self.mb.constant(Constant(kind, value=value)))
        return reg

    # -- other operations ---------------------------------------------------

    def lower_op(self, op):
        handler = getattr(self, "op_" + op.name.replace(".", "_"), None)
        if handler is None:
            raise self.mb.error(f"'{op.name}' is not supported by the iree-lite code generator", op.loc)
        if op.name not in DYNAMIC_SHAPE_OPS and any(
                isinstance(v.type, TensorType) and not v.type.is_static for v in (*op.operands, *op.results)):
            raise self.mb.error(f"'{op.name}' on dynamic shapes is not supported by iree-lite yet", op.loc)
        handler(op)

    def op_arith_constant(self, op):
        attr = op.attributes["value"]
        t = op.results[0].type
        if not isinstance(t, TensorType):
            self.values[op.results[0]] = self.scalar_constant(attr.value, t)
            return
        reg = self.values[op.results[0]] = self.new("r")
        if attr.splat:
            # Fill at run time rather than storing every element in the module.
            self.emit("buffer.alloc", op.loc, dst=reg, layout=self.mb.layout(t))
            etype = t.element
            kernel = self.mb.kernel(fill_kernel(etype))
            value = self.scalar_constant(attr.values[0], etype)
            self.dispatch(kernel, [reg], [value] if value.bank == "f" else [],
                          [value] if value.bank == "i" else [], op.loc)
        else:
            data = self.mb.constant(Constant(CONST_DATA, isa.ELEMENT_CODES[t.element.name], t.shape,
                                             data=attr.data))
            self.emit("buffer.const", op.loc, dst=reg, data=data)

    op_util_unfoldable_constant = op_arith_constant

    def op_util_optimization_barrier(self, op):
        for r, v in zip(op.results, op.operands):
            self.values[r] = self.values[v]

    def where(self, op):
        """The op's source location (and name, for shape checks), as a
        constant the VM names in errors."""
        text = f"{op.loc.file}:{op.loc.line}:{op.loc.col}".encode()
        if not op.name.startswith(("check.", "cf.")):
            text = f"'{op.name}' at ".encode() + text
        return self.mb.text(text)

    def op_check_expect_true(self, op, name="check.true"):
        self.emit(name, op.loc, cond=self.values[op.operands[0]], where=self.where(op))

    def op_cf_assert(self, op):
        message = op.attributes["msg"].value.encode()
        text = self.mb.constant(Constant(CONST_DATA, isa.ELEMENT_CODES["i8"], (len(message),), data=message))
        self.emit("cf.assert", op.loc, cond=self.values[op.operands[0]], where=self.where(op), message=text)

    def op_check_expect_false(self, op):
        self.op_check_expect_true(op, "check.false")

    def expected_buffer(self, op):
        if "expected" not in op.attributes:
            return self.values[op.operands[1]]
        attr = op.attributes["expected"]
        t = attr.type
        reg = self.new("r")
        data = self.mb.constant(Constant(CONST_DATA, isa.ELEMENT_CODES[t.element.name], t.shape,
                                         data=attr.flat_data()))
        self.emit("buffer.const", op.loc, dst=reg, data=data)
        return reg

    def op_check_expect_eq(self, op):
        if self.is_async and self.timeline is not None:
            # Checks read tensor contents: wait for the work queued so far.
            self.emit("fence.await", op.loc, fence=self.timeline)
            self.timeline = None
        expected = self.expected_buffer(op)
        if "almost" not in op.name:
            self.emit("check.eq", op.loc, actual=self.values[op.operands[0]], expected=expected,
                      where=self.where(op))
            return
        tol = {k: self.mb.constant(Constant(CONST_FLOAT, value=float(op.attributes.get(k, d).value)))
               for k, d in DEFAULT_TOLERANCE.items()}
        self.emit("check.almost_eq", op.loc, actual=self.values[op.operands[0]], expected=expected,
                  where=self.where(op), **tol)

    op_check_expect_eq_const = op_check_expect_eq
    op_check_expect_almost_eq = op_check_expect_eq
    op_check_expect_almost_eq_const = op_check_expect_eq

    def op_util_global_load(self, op):
        reg = self.values[op.results[0]] = self.new(bank_of(op.results[0].type))
        self.emit(f"global.load.{reg.bank}", op.loc, dst=reg, **{"global": self.mb._globals[op.attributes["global"].name]})

    def op_util_global_store(self, op):
        src = self.values[op.operands[0]]
        self.emit(f"global.store.{src.bank}", op.loc, src=src, **{"global": self.mb._globals[op.attributes["global"].name]})

    def op_tensor_extract(self, op):
        self.settle_timeline(op.loc)   # reads contents
        t, *indices = op.operands
        reg = self.values[op.results[0]] = self.new(bank_of(op.results[0].type))
        self.emit("buffer.load.f" if reg.bank == "f" else "buffer.load.i", op.loc, dst=reg, src=self.values[t],
                  index_i=[self.values[i] for i in indices])

    def op_tensor_insert(self, op):
        self.settle_timeline(op.loc)   # copies contents
        value, t, *indices = op.operands
        reg = self.values[op.results[0]] = self.new("r")
        self.emit("buffer.clone", op.loc, dst=reg, src=self.values[t])
        self.store(self.values[value], reg, [self.values[i] for i in indices], op.loc)

    def store(self, value, dst, indices, loc):
        self.emit("buffer.store.f" if value.bank == "f" else "buffer.store.i", loc, value=value, dst=dst,
                  index_i=indices)

    def op_tensor_splat(self, op):
        t = op.results[0].type
        reg = self.values[op.results[0]] = self.alloc(t, op.loc, dims=[self.values[d] for d in op.operands[1:]])
        value = self.values[op.operands[0]]
        self.dispatch(self.mb.kernel(fill_kernel(t.element)), [reg], [value] if value.bank == "f" else [],
                      [value] if value.bank == "i" else [], op.loc)

    def op_tensor_from_elements(self, op):
        t = op.results[0].type
        reg = self.values[op.results[0]] = self.new("r")
        self.emit("buffer.alloc", op.loc, dst=reg, layout=self.mb.layout(t))
        for flat, v in enumerate(op.operands):
            indices, rest = [], flat
            for size in reversed(t.shape):
                indices.insert(0, self.scalar_constant(rest % size, ScalarType("index")))
                rest //= size
            self.store(self.values[v], reg, indices, op.loc)

    def op_tensor_dim(self, op):
        t, index = op.operands
        owner = index.owner
        if isinstance(owner, Operation) and owner.name == "arith.constant":
            dim = owner.attributes["value"].value
            if not 0 <= dim < t.type.rank:
                raise self.mb.error(f"dimension {dim} out of range for '{t.type}'", op.loc)
            if t.type.shape[dim] is not None:
                self.values[op.results[0]] = self.scalar_constant(t.type.shape[dim], ScalarType("index"))
                return
        reg = self.values[op.results[0]] = self.new("i")
        self.emit("buffer.dim", op.loc, dst=reg, src=self.values[t], axis=self.values[index])

    def op_tensor_cast(self, op):
        src, dst = op.operands[0].type, op.results[0].type
        self.values[op.results[0]] = self.values[op.operands[0]]
        if any(a is None and b is not None for a, b in zip(src.shape, dst.shape)):   # checked at run time
            self.emit("buffer.cast", op.loc, src=self.values[op.operands[0]], layout=self.mb.layout(dst),
                      where=self.where(op))

    def op_iree_lite_view(self, op):
        reg = self.values[op.results[0]] = self.new("r")
        self.emit("buffer.view", op.loc, dst=reg, src=self.values[op.operands[0]],
                  layout=self.mb.layout(op.results[0].type), dims_i=[self.values[v] for v in op.operands[1:]])

    def accumulator(self, op):
        """A fresh copy of the op's init operand, to accumulate into."""
        self.settle_timeline(op.loc)   # reads contents now
        reg = self.values[op.results[0]] = self.new("r")
        self.emit("buffer.clone", op.loc, dst=reg, src=self.values[op.operands[0]])
        return reg

    def op_iree_lite_reduce(self, op):
        acc = self.accumulator(op)
        combiner = self.mb.constant(Constant(CONST_INT, value=isa.REDUCE_COMBINERS.index(op.attributes["combiner"])))
        self.emit("buffer.reduce", op.loc, acc=acc, src=self.values[op.operands[1]], combiner=combiner)

    def op_iree_lite_matmul(self, op):
        acc = self.accumulator(op)
        self.emit("buffer.matmul", op.loc, acc=acc, lhs=self.values[op.operands[1]], rhs=self.values[op.operands[2]])

    def op_iree_lite_conv2d(self, op):
        acc = self.accumulator(op)
        self.emit("buffer.conv2d", op.loc, acc=acc, input=self.values[op.operands[1]],
                  filter=self.values[op.operands[2]], window=self.mb.i64_data(list(op.attributes["window"])))

    def op_iree_lite_expand(self, op):
        self.settle_timeline(op.loc)   # copies contents now
        src, amap = op.operands[0], op.attributes["map"]
        forms = amap.linear()
        if forms is None:
            raise self.mb.error("iree-lite copies only linear indexing maps outside a fused dispatch", op.loc)
        # Rows per source dimension: a coefficient per result dimension, then the constant.
        entries = [x for coeffs, const in forms for x in (*coeffs, const)]
        reg = self.values[op.results[0]] = self.new("r")
        self.emit("buffer.expand", op.loc, dst=reg, src=self.values[src], layout=self.mb.layout(op.results[0].type),
                  map=self.mb.i64_data(entries), dims_i=[self.values[v] for v in op.operands[1:]])

    def strides_constant(self, base, strides):
        """The [base, strides...] i64 constant of buffer.scatter."""
        return self.mb.i64_data([base] + list(strides))

    def slice_operands(self, op, tensors):
        """The `sizes` constant and `at` registers (offsets, then steps) of
        buffer.slice/insert for a slice op with `tensors` tensor operands."""
        dynamic = iter(self.values[v] for v in op.operands[tensors:])   # in the order of the lists
        regs = {key: [next(dynamic) if x is None else self.scalar_constant(x, ScalarType("index"))
                      for x in op.attributes[key]] for key in ("offsets", "sizes", "strides")}
        sizes = [-1 if n is None else n for n in op.attributes["sizes"]]
        data = self.mb.i64_data(sizes)
        dynamic_sizes = [r for r, n in zip(regs["sizes"], sizes) if n == -1]
        return data, regs["offsets"] + regs["strides"] + dynamic_sizes

    def op_tensor_extract_slice(self, op):
        self.settle_timeline(op.loc)   # copies contents now
        sizes, at = self.slice_operands(op, 1)
        reg = self.values[op.results[0]] = self.new("r")
        self.emit("buffer.slice", op.loc, dst=reg, src=self.values[op.operands[0]],
                  layout=self.mb.layout(op.results[0].type), sizes=sizes, at_i=at)

    def op_tensor_insert_slice(self, op):
        self.settle_timeline(op.loc)
        src, dest = op.operands[:2]
        sizes, at = self.slice_operands(op, 2)
        reg = self.values[op.results[0]] = self.new("r")
        self.emit("buffer.clone", op.loc, dst=reg, src=self.values[dest])
        self.emit("buffer.insert", op.loc, acc=reg, src=self.values[src], sizes=sizes, at_i=at)

    def op_tensor_concat(self, op):
        self.settle_timeline(op.loc)
        t = op.results[0].type
        dim = op.attributes["dim"]
        row = row_major_strides(t.shape)
        reg = self.values[op.results[0]] = self.new("r")
        self.emit("buffer.alloc", op.loc, dst=reg, layout=self.mb.layout(t))
        at = 0
        for v in op.operands:
            self.emit("buffer.scatter", op.loc, acc=reg, src=self.values[v],
                      strides=self.strides_constant(at * row[dim], row))
            at += v.type.shape[dim]

    def op_tensor_pad(self, op):
        self.settle_timeline(op.loc)
        src, value = op.operands
        t = op.results[0].type
        reg = self.values[op.results[0]] = self.new("r")
        self.emit("buffer.alloc", op.loc, dst=reg, layout=self.mb.layout(t))
        fill = self.values[value]
        # Filled synchronously: the scatter that follows reads nothing queued.
        self.emit("dispatch", op.loc, kernel=self.mb.kernel(fill_kernel(t.element)), bind_r=[reg],
                  push_f=[fill] if fill.bank == "f" else [], push_i=[fill] if fill.bank == "i" else [])
        row = row_major_strides(t.shape)
        base = sum(lo * r for lo, r in zip(op.attributes["low"], row))
        self.emit("buffer.scatter", op.loc, acc=reg, src=self.values[src], strides=self.strides_constant(base, row))

    def op_tensor_empty(self, op):
        self.values[op.results[0]] = self.alloc(op.results[0].type, op.loc,
                                                dims=[self.values[d] for d in op.operands])

    def op_func_call(self, op):
        name = op.attributes["callee"].name
        callee = self.mb.ir.lookup(name)
        args = [self.values[v] for v in op.operands]
        callee_async = self.mb.abi(callee) == COARSE_FENCES
        done = None
        if callee_async:
            done = self.new("r")
            self.emit("fence.create", op.loc, dst=done)
            args += [self.wait_fence(), done]
        elif self.timeline is not None and self.is_async:
            # A sync callee reads its arguments at once: wait for queued work.
            self.emit("fence.await", op.loc, fence=self.timeline)
            self.timeline = None
        results = []
        for r in op.results:
            self.values[r] = self.new(bank_of(r.type))
            results.append(self.values[r])
        lists = _by_bank(args, "args") | _by_bank(results, "dst")
        if callee.is_declaration:
            self.emit("call.import", op.loc, callee=self.mb.import_ordinal(callee), **lists)
        else:
            self.emit("call", op.loc, callee=self.mb._functions[name], **lists)
        if done is not None:
            if self.is_async and not self.in_region:
                self.timeline = done
            else:
                self.emit("fence.await", op.loc, fence=done)

    def op_func_return(self, op):
        returned = [self.values[v] for v in op.operands]
        for n, _, storage in self.plan.copies:
            value = op.operands[n]
            if value is storage:
                continue
            dst = self.values[storage]
            t = value.type
            kernel = self.mb.kernel(copy_kernel(t.element))
            self.dispatch(kernel, [self.values[value], dst], [], [], op.loc)
            returned[n] = dst
        if self.is_async and not self.signal_last_work_directly():
            self.emit("fence.forward", op.loc, src=self.wait_fence(), dst=self.signal)
        self.emit("ret", op.loc, **_by_bank(returned, "args"))

    def signal_last_work_directly(self):
        """When the timeline is a fence created only to be signalled by the
        last queued op, let that op signal the caller's fence instead."""
        fence = self.timeline
        uses = [i for i, (_, operands, _) in enumerate(self.insts)
                if any(v is fence or (isinstance(v, list) and any(r is fence for r in v))
                       for v in operands.values())]
        if (fence is None or len(uses) != 2 or self.insts[uses[0]][0] != "fence.create"
                or uses[1] != uses[0] + 1):
            return False
        name, operands, loc = self.insts[uses[1]]
        operands = {k: (self.signal if v is fence else
                        [self.signal if r is fence else r for r in v] if isinstance(v, list) else v)
                    for k, v in operands.items()}
        self.insts[uses[1]] = (name, operands, loc)
        del self.insts[uses[0]]
        return True


# Ops whose lowering handles tensors of dynamic shape (element-wise groups do too).
DYNAMIC_SHAPE_OPS = {"tensor.empty", "tensor.dim", "tensor.cast", "tensor.splat", "tensor.extract", "tensor.insert",
                     "tensor.extract_slice", "tensor.insert_slice", "iree_lite.view", "iree_lite.expand",
                     "func.call", "func.return", "iree_lite.reduce", "iree_lite.matmul", "check.expect_eq",
                     "check.expect_almost_eq", "util.optimization_barrier", "scf.for", "scf.if", "scf.while",
                     "cf.br", "cf.cond_br", "cf.switch"}


def row_major_strides(shape):
    strides = [1] * len(shape)
    for k in range(len(shape) - 2, -1, -1):
        strides[k] = strides[k + 1] * shape[k + 1]
    return strides


def _by_bank(regs, prefix):
    return {f"{prefix}_{b}": [r for r in regs if r.bank == b] for b in "ifr"}


def _physical(v, phys, unplaced=None):
    """An operand's encoding: registers and labels resolved (a label not yet
    placed encodes as `unplaced`, for sizing)."""
    if isinstance(v, VReg):
        return phys[v]
    if isinstance(v, Label):
        return getattr(v, "pc", unplaced) if unplaced is not None else v.pc
    if isinstance(v, list):
        return [phys[r] for r in v]
    return v


def generate(ir_module, compiler_version, trace_dispatch_tensors=False):
    """The bytecode module of `ir_module`, which the pass pipeline has run over."""
    return ModuleBuilder(ir_module, compiler_version, trace_dispatch_tensors).build()
