"""Lowering tensor dialect ops to buffer instructions. Those that read or
copy tensor contents on the host settle the timeline first."""
from ..ir.core import Operation
from ..ir.linear import row_major_strides
from .kernels import fill_kernel
from .lowering import INDEX, lowers


def store(fl, value, dst, indices, loc):
    fl.emit("buffer.store.f" if value.bank == "f" else "buffer.store.i", loc, value=value, dst=dst, index_i=indices)


@lowers("tensor.empty", dynamic=True)
def lower_empty(fl, op):
    fl.values[op.results[0]] = fl.alloc(op.results[0].type, op.loc, dims=[fl.values[d] for d in op.operands])


@lowers("tensor.extract", dynamic=True)
def lower_extract(fl, op):
    fl.timeline.settle(op.loc)   # reads contents
    t, *indices = op.operands
    reg = fl.result(op)
    fl.emit("buffer.load.f" if reg.bank == "f" else "buffer.load.i", op.loc, dst=reg, src=fl.values[t],
            index_i=[fl.values[i] for i in indices])


@lowers("tensor.insert", dynamic=True)
def lower_insert(fl, op):
    fl.timeline.settle(op.loc)   # copies contents
    value, t, *indices = op.operands
    reg = fl.result(op)
    fl.emit("buffer.clone", op.loc, dst=reg, src=fl.values[t])
    store(fl, fl.values[value], reg, [fl.values[i] for i in indices], op.loc)


@lowers("tensor.splat", dynamic=True)
def lower_splat(fl, op):
    t = op.results[0].type
    reg = fl.values[op.results[0]] = fl.alloc(t, op.loc, dims=[fl.values[d] for d in op.operands[1:]])
    fl.fill(fl.mb.kernel(fill_kernel(t.element)), reg, fl.values[op.operands[0]], op.loc)


@lowers("tensor.from_elements")
def lower_from_elements(fl, op):
    t = op.results[0].type
    reg = fl.result(op)
    fl.emit("buffer.alloc", op.loc, dst=reg, layout=fl.mb.layout(t))
    for flat, v in enumerate(op.operands):
        indices, rest = [], flat
        for size in reversed(t.shape):
            indices.insert(0, fl.scalar_constant(rest % size, INDEX))
            rest //= size
        store(fl, fl.values[v], reg, indices, op.loc)


@lowers("tensor.dim", dynamic=True)
def lower_dim(fl, op):
    t, index = op.operands
    owner = index.owner
    if isinstance(owner, Operation) and owner.name == "arith.constant":
        dim = owner.attributes["value"].value
        if not 0 <= dim < t.type.rank:
            raise fl.error(f"dimension {dim} out of range for '{t.type}'", op.loc)
        if t.type.shape[dim] is not None:
            fl.values[op.results[0]] = fl.scalar_constant(t.type.shape[dim], INDEX)
            return
    reg = fl.result(op, "i")
    fl.emit("buffer.dim", op.loc, dst=reg, src=fl.values[t], axis=fl.values[index])


@lowers("tensor.cast", dynamic=True)
def lower_cast(fl, op):
    src, dst = op.operands[0].type, op.results[0].type
    fl.values[op.results[0]] = fl.values[op.operands[0]]
    if any(a is None and b is not None for a, b in zip(src.shape, dst.shape)):   # checked at run time
        fl.emit("buffer.cast", op.loc, src=fl.values[op.operands[0]], layout=fl.mb.layout(dst), where=fl.where(op))


def slice_operands(fl, op, tensors):
    """The `sizes` constant and `at` registers (offsets, then steps) of
    buffer.slice/insert for a slice op with `tensors` tensor operands."""
    dynamic = iter(fl.values[v] for v in op.operands[tensors:])   # in the order of the lists
    regs = {key: [next(dynamic) if x is None else fl.scalar_constant(x, INDEX) for x in op.attributes[key]]
            for key in ("offsets", "sizes", "strides")}
    sizes = [-1 if n is None else n for n in op.attributes["sizes"]]
    dynamic_sizes = [r for r, n in zip(regs["sizes"], sizes) if n == -1]
    return fl.mb.i64_data(sizes), regs["offsets"] + regs["strides"] + dynamic_sizes


@lowers("tensor.extract_slice", dynamic=True)
def lower_extract_slice(fl, op):
    fl.timeline.settle(op.loc)   # copies contents now
    sizes, at = slice_operands(fl, op, 1)
    reg = fl.result(op)
    fl.emit("buffer.slice", op.loc, dst=reg, src=fl.values[op.operands[0]],
            layout=fl.mb.layout(op.results[0].type), sizes=sizes, at_i=at)


@lowers("tensor.insert_slice", dynamic=True)
def lower_insert_slice(fl, op):
    fl.timeline.settle(op.loc)
    src, dest = op.operands[:2]
    sizes, at = slice_operands(fl, op, 2)
    reg = fl.result(op)
    fl.emit("buffer.clone", op.loc, dst=reg, src=fl.values[dest])
    fl.emit("buffer.insert", op.loc, acc=reg, src=fl.values[src], sizes=sizes, at_i=at)


def scatter_strides(fl, base, strides):
    """The [base, strides...] i64 constant of buffer.scatter."""
    return fl.mb.i64_data([base] + list(strides))


@lowers("tensor.concat")
def lower_concat(fl, op):
    """Operands computed into their parts of the buffer (BufferPlan.parts)
    are there already; the others are copied in."""
    t = op.results[0].type
    dim = op.attributes["dim"]
    row = row_major_strides(t.shape)
    if op.results[0] not in fl.values:
        fl.values[op.results[0]] = fl.alloc(t, op.loc)
    reg = fl.values[op.results[0]]
    at = 0
    for v in op.operands:
        if v not in fl.plan.parts:
            fl.timeline.settle(op.loc)
            fl.emit("buffer.scatter", op.loc, acc=reg, src=fl.values[v],
                    strides=scatter_strides(fl, at * row[dim], row))
        at += v.type.shape[dim]


@lowers("tensor.pad")
def lower_pad(fl, op):
    fl.timeline.settle(op.loc)
    src, value = op.operands
    t = op.results[0].type
    reg = fl.result(op)
    fl.emit("buffer.alloc", op.loc, dst=reg, layout=fl.mb.layout(t))
    fill = fl.values[value]
    # Filled synchronously: the scatter that follows reads nothing queued.
    fl.emit("dispatch", op.loc, kernel=fl.mb.kernel(fill_kernel(t.element)), bind_r=[reg],
            push_f=[fill] if fill.bank == "f" else [], push_i=[fill] if fill.bank == "i" else [])
    row = row_major_strides(t.shape)
    base = sum(lo * r for lo, r in zip(op.attributes["low"], row))
    fl.emit("buffer.scatter", op.loc, acc=reg, src=fl.values[src], strides=scatter_strides(fl, base, row))
