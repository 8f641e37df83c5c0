"""iree_linalg_ext ops for the converters: scan, sort and scatter, each
with a scalar region, and the i64 positions along an axis they work with."""
import numpy as np

from ..emitter import Body, Value, tensor_type


def region_op(e, head, ins, outs, arguments, body, yielded=None):
    """`head ins(..) outs(..) { ^bb0(arguments): body(b, args) } -> ..`:
    ins and outs are Values (outs as the starting tensors), arguments the
    region's element types, body(b, args) the yielded scalar (of type
    `yielded`, else the first argument's). Returns one Value per outs operand."""
    b = Body(e)
    args = [e.fresh() for _ in arguments]
    result = body(b, args)
    name = e.fresh()
    bare = name if len(outs) == 1 else f"{name}:{len(outs)}"
    ins_text = f"ins({', '.join(e.materialize(v) for v in ins)} : {', '.join(v.type for v in ins)}) " if ins else ""
    types = ", ".join(v.type for v in outs)
    e.lines.append(f"  {bare} = {head} {ins_text}outs({', '.join(e.materialize(v) for v in outs)} : {types}) {{")
    e.lines.append(f"  ^bb0({', '.join(f'{a}: {t}' for a, t in zip(args, arguments))}):")
    e.lines += b.lines
    e.lines.append(f"    iree_linalg_ext.yield {result} : {yielded or arguments[0]}")
    e.lines.append(f"  }} -> {types}")
    if len(outs) == 1:
        return [Value(outs[0].shape, outs[0].dtype, ssa=name)]
    return [Value(v.shape, v.dtype, ssa=f"{name}#{i}") for i, v in enumerate(outs)]


def positions(e, shape, axis):
    """An i64 tensor of `shape` holding each element's position along axis."""
    return e.generic([], shape, np.int64, lambda b, args, acc: b.emit(
        f"arith.index_cast {b.emit(f'linalg.index {axis} : index')} : index to i64"))


def empty_value(e, shape, dtype):
    """A new tensor of shape and dtype (its contents to be overwritten)."""
    return Value(shape, dtype, ssa=e.empty(shape, dtype))


def reverse(e, v, axis):
    """v with the order along axis reversed (read by tensor.extract: IREE's
    tiling mishandles a reversing indexing map)."""
    src = e.materialize(v)

    def body(b, args, acc):
        at = [b.emit(f"linalg.index {i} : index") for i in range(v.rank)]
        at[axis] = b.emit(f"arith.subi {b.emit(f'arith.constant {v.shape[axis] - 1} : index')}, {at[axis]} : index")
        return b.emit(f"tensor.extract {src}[{', '.join(at)}] : {v.type}")
    return e.generic([], v.shape, v.dtype, body)


def scalar_of(e, v):
    """The single element of a 0-d or 1-element tensor v, as an SSA scalar."""
    flat = e.reshape(v, ())
    return e.emit(f"tensor.extract {e.materialize(flat)}[] : {tensor_type((), v.dtype)}")


def check(e, condition, message):
    """A run-time check: the call fails with message where condition (i1) is false."""
    e.lines.append(f'  cf.assert {condition}, "{message}"')
