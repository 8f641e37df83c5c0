"""Lowering one function's dispatch items to instructions.

FunctionLowering walks the items dispatch formation left in each block and
hands each op to the lowering registered for its name (`lowers`) in the
lower_*.py module of its dialect; dispatch groups go to lower_group.py.
It holds what they share: the registers of IR values, the instruction list
(assembler.Assembler) and the async timeline (async_timeline.Timeline).
"""
from ..ir.elements import pack, unpack
from ..ir.types import ScalarType, TensorType
from ..passes.abi import COARSE_FENCES, output_arguments
from ..passes.dispatch import Group
from .assembler import Assembler
from .async_timeline import Timeline
from .lower_group import lower_group
from ..isa.module import CONST_FLOAT, CONST_INT, Constant, Function
from ..isa import register_bank
from .regalloc import Label, RegisterLimitError, VReg

INDEX = ScalarType("index")

# op name -> (lowering(fl, op), whether it handles tensors of dynamic shape)
LOWERINGS = {}


def lowers(*names, dynamic=False):
    """Register the decorated function as the lowering of ops `names`;
    `dynamic`: it handles tensors of dynamic shape."""
    def register(fn):
        for name in names:
            LOWERINGS[name] = (fn, dynamic)
        return fn
    return register


class FunctionLowering:
    def __init__(self, mb, func):
        self.mb = mb                  # the ModuleBuilder: constants, kernels, ordinals
        self.func = func
        self.asm = Assembler()
        self.values = {}              # ir Value -> VReg
        self.next_id = 0
        self.timeline = Timeline(self.asm, self.new, mb.abi(func) == COARSE_FENCES)
        self.plan = func.buffers      # the buffer planning pass's decisions
        self.block_labels = {}        # id(block) -> Label, for blocks other than the entry
        self.traced = 0               # element-wise dispatches traced so far (--iree-flow-trace-dispatch-tensors)

    def new(self, bank):
        self.next_id += 1
        return VReg(bank, self.next_id)

    def emit(self, name, loc=None, **operands):
        self.asm.emit(name, loc, **operands)

    def error(self, message, loc):
        return self.mb.error(message, loc)

    def lower(self):
        f = self.func
        signature = self.mb.signature(f)   # first: it names a call the VM cannot make
        args = []
        for v in f.body.arguments:
            self.values[v] = self.new(register_bank(v.type))
            args.append(self.values[v])
        args += self.timeline.arguments()
        blocks = f.blocks
        for n, arg_index in sorted(output_arguments(f).items()):
            self.emit("buffer.check", src=self.values[f.body.arguments[arg_index]],
                      layout=self.mb.layout(f.type.results[n]))
        self.block_labels = {id(b): Label() for b in blocks[1:]}
        for b in blocks[1:]:
            for v in b.arguments:
                self.values[v] = self.new(register_bank(v.type))
        for block in blocks:
            if block is not f.body:
                self.asm.place(self.block_labels[id(block)])
                self.timeline.enter_block()
            self.lower_items(*f.dispatch[id(block)])
        try:
            counts, code, locs = self.asm.assemble(args)
        except RegisterLimitError as e:
            raise self.error(f"function '{f.name}' is too large: {e}", f.loc) from None
        return Function(f.name, signature, counts, code, locs)

    def lower_items(self, items, users):
        """Lower a block's dispatch items; returns its terminator (scf.yield
        or scf.condition), if any."""
        for item in items:
            if isinstance(item, Group):
                lower_group(self, item, users)
            elif item.name in ("scf.yield", "scf.condition"):
                return item
            else:
                self.lower_op(item)
        return None

    def lower_op(self, op):
        fn, dynamic = LOWERINGS.get(op.name, (None, False))
        if fn is None:
            raise self.error(f"'{op.name}' is not supported by the iree-lite code generator", op.loc)
        if not dynamic and any(isinstance(v.type, TensorType) and not v.type.is_static
                               for v in (*op.operands, *op.results)):
            raise self.error(f"'{op.name}' on dynamic shapes is not supported by iree-lite yet", op.loc)
        fn(self, op)

    def lower_region(self, region, arguments=()):
        """Lower a region's block with its arguments bound to registers;
        returns the registers of the values it yields. Its work runs to
        completion (async_timeline.Timeline.queues)."""
        block = region.blocks[0]
        for v, reg in zip(block.arguments, arguments):
            self.values[v] = reg
        self.timeline.regions += 1
        yielded = self.lower_items(*self.func.dispatch[id(block)])
        self.timeline.regions -= 1
        return [self.values[v] for v in yielded.operands]

    def accumulator(self, op):
        """A fresh copy of the op's init operand to accumulate into, or the
        init itself where only this op reads it (BufferPlan.folds_into_init)."""
        self.timeline.settle(op.loc)   # reads contents now
        if op.results[0] in self.plan.folds_into_init:
            reg = self.values[op.results[0]] = self.values[op.operands[0]]
            return reg
        reg = self.result(op)
        self.emit("buffer.clone", op.loc, dst=reg, src=self.values[op.operands[0]])
        return reg

    def result(self, op, bank=None, n=0):
        """A new register for op's result `n` (of its type's bank unless given)."""
        r = op.results[n]
        reg = self.values[r] = self.new(bank or register_bank(r.type))
        return reg

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
                    self.emit("buffer.dim", loc, dst=dims[-1], src=like, axis=self.scalar_constant(axis, INDEX))
        self.emit("buffer.alloc.dyn", loc, dst=reg, layout=self.mb.layout(t), dims_i=dims)
        return reg

    def part(self, v, loc):
        """A view of the part of a concat's buffer that v is computed into
        (BufferPlan.parts); the first part lowered allocates the buffer."""
        concat, at = self.plan.parts[v]
        if concat not in self.values:
            self.values[concat] = self.alloc(concat.type, loc)
        reg = self.new("r")
        self.emit("buffer.part", loc, dst=reg, src=self.values[concat], layout=self.mb.layout(v.type),
                  at=self.mb.constant(Constant(CONST_INT, value=at)))
        return reg

    def dispatch(self, kernel, bindings, push_f, push_i, loc):
        self.timeline.dispatch(kernel, bindings, push_f, push_i, loc)

    def fill(self, kernel, reg, value, loc):
        """Dispatch a fill `kernel` of buffer `reg` with scalar register `value`."""
        self.dispatch(kernel, [reg], [value] if value.bank == "f" else [], [value] if value.bank == "i" else [], loc)

    def scalar_constant(self, value, etype):
        """A register holding `value` as the element type holds it (an f32
        constant is rounded to f32 here, once)."""
        reg = self.new("f" if etype.is_float else "i")
        (value,) = unpack(etype.name, pack(etype.name, [value]))
        kind = CONST_FLOAT if etype.is_float else CONST_INT
        self.emit("const.f" if etype.is_float else "const.i", dst=reg,
                  value=self.mb.constant(Constant(kind, value=value)))
        return reg

    def where(self, op):
        """The op's source location (and name, for shape checks), as a
        constant the VM names in errors."""
        text = f"{op.loc.file}:{op.loc.line}:{op.loc.col}".encode()
        if not op.name.startswith(("check.", "cf.")):
            text = f"'{op.name}' at ".encode() + text
        return self.mb.text(text)
