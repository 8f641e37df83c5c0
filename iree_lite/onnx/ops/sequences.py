"""Sequence ops on sequences whose length is known at import time: a
sequence is a list of tensor Values in the importer (emitter.Sequence), so
these ops emit nothing of their own but the slices and concatenations of
SplitToSequence and ConcatFromSequence; SequenceMap is its body imported
once per element."""
import numpy as np

from ..emitter import NodeError, Sequence, Value
from .shape import pieces_along


def sequence_input(node, i=0):
    v = node.input(i)
    if not isinstance(v, Sequence):
        raise NodeError(f"input {i} ('{node.proto.input[i]}') must be a sequence")
    return v


def tensor_input(node, i):
    v = node.input(i)
    if isinstance(v, Sequence):
        raise NodeError(f"input {i} ('{node.proto.input[i]}') must be a tensor, not a sequence")
    return v


def position(node, i, length, insert=False):
    """The position operand (in [-n, n-1], or up to n when inserting) as an
    index into the list: it picks an element, so it must be known at import
    time."""
    if node.input(i) is None:
        return length if insert else length - 1
    if node.input(i).const is None:
        raise NodeError(f"input {i} ('{node.proto.input[i]}', the position) must be known at import time: "
                        "it picks a sequence element, whose type could depend on it")
    p = int(node.input(i).const.reshape(-1)[0])
    high = length if insert else length - 1
    if not -length <= p <= high:
        raise NodeError(f"position {p} is out of range for a sequence of {length} elements")
    return p + length if p < 0 else p


def sequence_construct(node):
    items = [tensor_input(node, i) for i in range(len(node.inputs))]
    if len({v.dtype for v in items}) > 1:
        raise NodeError("the elements must have one element type")
    return Sequence(items, items[0].dtype)


def sequence_empty(node):
    from onnx import helper
    return Sequence([], helper.tensor_dtype_to_np_dtype(node.attrs.get("dtype", 1)))


def sequence_at(node):
    seq = sequence_input(node)
    if not seq.items:
        raise NodeError("the sequence is empty")
    return seq.items[position(node, 1, len(seq.items))]


def sequence_insert(node):
    seq, value = sequence_input(node), tensor_input(node, 1)
    if value.dtype != seq.dtype:
        raise NodeError(f"cannot insert a {value.dtype} tensor into a sequence of {seq.dtype}")
    at = position(node, 2, len(seq.items), insert=True)
    return Sequence(seq.items[:at] + [value] + seq.items[at:], seq.dtype)


def sequence_erase(node):
    seq = sequence_input(node)
    if not seq.items:
        raise NodeError("the sequence is empty")
    at = position(node, 1, len(seq.items))
    return Sequence(seq.items[:at] + seq.items[at + 1:], seq.dtype)


def sequence_length(node):
    n = np.array(len(sequence_input(node).items), np.int64)
    return Value((), np.int64, const=n)


def split_to_sequence(node):
    e, x = node.e, tensor_input(node, 0)
    axis = node.attrs.get("axis", 0) % x.rank
    keepdims = node.attrs.get("keepdims", 1)
    if None in x.shape:
        raise NodeError("the input's shape must be static: it decides the sequence's length")
    if node.input(1) is not None and node.input(1).const is None:
        raise NodeError("input 1 ('split') must be known at import time: it decides the sequence's length")
    split = node.input(1).const if node.input(1) is not None else None
    n = x.shape[axis]
    if split is None:
        sizes = [1] * n
    elif split.ndim == 0:
        sizes = [int(split)] * (n // int(split)) + ([n % int(split)] if n % int(split) else [])
    else:
        sizes = [int(s) for s in split]
    if sum(sizes) != n or min(sizes, default=1) < 0:
        raise NodeError(f"split sizes {sizes} do not add up to dimension {axis} ({n})")
    items = pieces_along(e, x, axis, sizes)
    if split is None and not keepdims:
        items = [e.reshape(piece, x.shape[:axis] + x.shape[axis + 1:]) for piece in items]
    return Sequence(items, x.dtype)


def concat_from_sequence(node):
    e, seq = node.e, sequence_input(node)
    if not seq.items:
        raise NodeError("the sequence is empty: there is nothing to concatenate")
    rank = seq.items[0].rank
    new_axis = node.attrs.get("new_axis", 0)
    axis = node.attrs.get("axis") % (rank + 1 if new_axis else rank)
    items = seq.items
    if any(None in v.shape for v in items):
        raise NodeError("the elements' shapes must be static")
    if new_axis:
        items = [e.reshape(v, v.shape[:axis] + (1,) + v.shape[axis:]) for v in items]
    if len({v.shape[:axis] + v.shape[axis + 1:] for v in items}) > 1:
        raise NodeError("the elements' shapes differ off the concatenation axis")
    return e.concat(items, axis)


def sequence_map(node):
    """The body once per element; the extra inputs are sequences (taken
    element by element, of the first's length) or tensors (passed whole)."""
    body = node.attrs.get("body")
    first = sequence_input(node)
    outputs = [[] for _ in body.output]
    for k in range(len(first.items)):
        inputs = []
        for i, v in enumerate(node.inputs):
            if isinstance(v, Sequence):
                if len(v.items) != len(first.items):
                    raise NodeError(f"input {i} has {len(v.items)} elements, input 0 has {len(first.items)}")
                inputs.append(v.items[k])
            else:
                inputs.append(v)
        for out, v in zip(outputs, node.graph.subgraph(body, inputs, f"body (element {k})")):
            out.append(v)
    from onnx import helper
    return [Sequence(items, items[0].dtype if items else helper.tensor_dtype_to_np_dtype(
        v.type.sequence_type.elem_type.tensor_type.elem_type or v.type.tensor_type.elem_type))
        for items, v in zip(outputs, body.output)]


CONVERTERS = {
    "SequenceConstruct": sequence_construct, "SequenceEmpty": sequence_empty, "SequenceAt": sequence_at,
    "SequenceInsert": sequence_insert, "SequenceErase": sequence_erase, "SequenceLength": sequence_length,
    "SplitToSequence": split_to_sequence, "ConcatFromSequence": concat_from_sequence,
    "SequenceMap": sequence_map,
}
