"""Einsum as one linalg.generic: a loop per label (the output's, then the
summed ones), each operand read through its labels (a repeated label reads
a diagonal), the product of the operands summed into the output."""
import re

from ..emitter import NodeError, fmt_shape
from .nn import static

TERM = re.compile(r"^(?:[A-Za-z]|\.\.\.)*$")


def labels(term, rank, what):
    """The term's labels for an operand of `rank`, the ellipsis spelled as
    ('...', k) labels counted from the right."""
    if not TERM.match(term) or term.count("...") > 1:
        raise NodeError(f"{what} '{term}' is not a valid einsum term")
    if "..." not in term:
        if len(term) != rank:
            raise NodeError(f"{what} '{term}' has {len(term)} labels for an operand of rank {rank}")
        return list(term)
    head, tail = term.split("...")
    count = rank - len(head) - len(tail)
    if count < 0:
        raise NodeError(f"{what} '{term}' has more labels than the operand's rank {rank}")
    return list(head) + [("...", count - 1 - j) for j in range(count)] + list(tail)


def einsum(node):
    equation = node.attrs.get("equation").replace(" ", "")
    operands = [static(v) for v in node.inputs]
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise NodeError(f"equation '{equation}' has {len(terms)} terms for {len(operands)} inputs")
    dtype = operands[0].dtype
    if any(v.dtype != dtype for v in operands) or dtype.kind == "b":
        raise NodeError(f"element types {', '.join(str(v.dtype) for v in operands)} are not supported")
    per_operand = [labels(t, v.rank, f"term {i}") for i, (t, v) in enumerate(zip(terms, operands))]
    sizes = {}
    for v, ls in zip(operands, per_operand):
        for label, size in zip(ls, v.shape):
            old = sizes.get(label, 1)
            if size != old and 1 not in (size, old):
                raise NodeError(f"label '{label if isinstance(label, str) else '...'}' has sizes {old} and {size} "
                                f"(shapes {', '.join(fmt_shape(v.shape) for v in operands)})")
            sizes[label] = max(size, old)
    ellipsis = sorted((label for label in sizes if not isinstance(label, str)), key=lambda l: -l[1])
    if arrow:
        out = labels(rhs, len(rhs.replace("...", "")) + len(ellipsis), "the output")
        unknown = [l for l in out if l not in sizes]
        if unknown or len(set(out)) != len(out):
            raise NodeError(f"output '{rhs}' must use distinct labels of the inputs")
    else:   # implicit output: the ellipsis, then the labels used once, in alphabetical order
        counts = [l for ls in per_operand for l in ls if isinstance(l, str)]
        out = ellipsis + sorted(l for l in set(counts) if counts.count(l) == 1)
    summed = [l for l in dict.fromkeys(l for ls in per_operand for l in ls) if l not in out]
    loop = {l: f"d{i}" for i, l in enumerate(out + summed)}
    ins = [(v, ["0" if size == 1 and sizes[l] != 1 else loop[l] for l, size in zip(ls, v.shape)])
           for v, ls in zip(operands, per_operand)]
    e, t = node.e, operands[0].element
    mul, add = ("arith.mulf", "arith.addf") if operands[0].is_float else ("arith.muli", "arith.addi")
    shape = tuple(sizes[l] for l in out)

    def body(b, args, acc):
        product = args[0]
        for a in args[1:]:
            product = b.emit(f"{mul} {product}, {a} : {t}")
        return b.emit(f"{add} {product}, {acc} : {t}") if summed else product
    init = e.fill(0.0 if operands[0].is_float else 0, shape, dtype) if summed else None
    return e.generic(ins, shape, dtype, body, reduce_dims=summed, init=init)


CONVERTERS = {"Einsum": einsum}
