"""Ops that compute with element positions: ArgMax/ArgMin, GatherElements,
Trilu, and the normalizations over an axis (RMSNormalization, LpNormalization)."""
import numpy as np

from ..emitter import NodeError
from ..scalars import Scalars
from .elementwise import check_float
from .nn import static
from .shape import wrapped_index


def arg_extreme(kind):
    """The first (or last) position of the max (min) along an axis, as int64."""
    def convert(node):
        x = static(node.inputs[0])
        axis = node.attrs.get("axis", 0) % x.rank
        keepdims, last = node.attrs.get("keepdims", 1), node.attrs.get("select_last_index", 0)
        y = extreme_position(node.e, x, axis, kind, last)
        return node.e.reshape(y, [1 if i == axis else d for i, d in enumerate(x.shape)]) if keepdims else y
    return convert


def extreme_position(e, x, axis, kind, last=False):
    """The first (last) position of the max (min) of x along axis, as int64
    of x's shape without axis."""
    t = x.element
    if x.is_float:
        combine, start = ("arith.maximumf", -np.inf) if kind == "max" else ("arith.minimumf", np.inf)
    else:
        info = np.iinfo(x.dtype)
        combine, start = ("arith.maxsi", info.min) if kind == "max" else ("arith.minsi", info.max)
    best = e.reduce(x, [axis], x.dtype, start, lambda b, v, acc: b.emit(f"{combine} {v}, {acc} : {t}"))
    n = x.rank
    kept = [i for i in range(n) if i != axis]
    full = [f"d{kept.index(i)}" if i != axis else f"d{n - 1}" for i in range(n)]
    init = e.fill(-1 if last else x.shape[axis], best.shape, np.int64)
    eq = "arith.cmpf oeq" if x.is_float else "arith.cmpi eq"

    def body(b, args, acc):   # position where x equals the extreme, else a sentinel; then min (max)
        pos = b.emit(f"arith.index_cast {b.emit(f'linalg.index {n - 1} : index')} : index to i64")
        hit = b.emit(f"{eq}, {args[0]}, {args[1]} : {t}")
        value = b.emit(f"arith.select {hit}, {pos}, {b.const(-1 if last else x.shape[axis], np.int64)} : i64")
        return b.emit(f"{'arith.maxsi' if last else 'arith.minsi'} {value}, {acc} : i64")
    return e.generic([(x, full), (best, [f"d{j}" for j in range(n - 1)])], best.shape, np.int64, body,
                     reduce_dims=[axis], init=init)


def gather_elements(node):
    """out[p] = x[p with p[axis] = indices[p]], read from x's flat view."""
    x, indices = static(node.inputs[0]), static(node.inputs[1], "indices")
    axis = node.attrs.get("axis", 0) % x.rank
    e, it = node.e, indices.element
    flat = e.reshape(x, (int(np.prod(x.shape)),))
    strides = [int(np.prod(x.shape[i + 1:])) for i in range(x.rank)]
    n = x.shape[axis]

    def body(b, args, acc):
        r = wrapped_index(b, args[0], n, indices.dtype)
        offset = None
        for i, stride in enumerate(strides):
            k = b.emit(f"arith.index_cast {r} : {it} to index") if i == axis else b.emit(f"linalg.index {i} : index")
            term = b.emit(f"arith.muli {k}, {b.emit(f'arith.constant {stride} : index')} : index")
            offset = term if offset is None else b.emit(f"arith.addi {offset}, {term} : index")
        return b.emit(f"tensor.extract {e.materialize(flat)}[{offset}] : {flat.type}")
    return e.generic([(indices, [f"d{i}" for i in range(indices.rank)])], indices.shape, x.dtype, body)


def trilu(node):
    x = static(node.inputs[0])
    upper = node.attrs.get("upper", 1)
    n = x.rank
    if n < 2:
        raise NodeError("Trilu needs a tensor of rank 2 or more")
    if node.input(1) is None:
        k = Scalars(node).const(0)
    else:   # a literal where known, else read at run time (outside the loop)
        k = Scalars(node).ints(1, "k")
        if len(k) != 1:
            raise NodeError(f"input 1 ('{node.proto.input[1]}', k) must have one element, not {len(k)}")
        k = k[0]

    def body(b, args, acc):   # keep x where col - row >= k (upper) or <= k (lower)
        row = b.emit(f"arith.index_cast {b.emit(f'linalg.index {n - 2} : index')} : index to i64")
        col = b.emit(f"arith.index_cast {b.emit(f'linalg.index {n - 1} : index')} : index to i64")
        diff = b.emit(f"arith.subi {col}, {row} : i64")
        keep = b.emit(f"arith.cmpi {'sge' if upper else 'sle'}, {diff}, {k} : i64")
        zero = b.const(0.0 if x.is_float else 0, x.dtype)
        return b.emit(f"arith.select {keep}, {args[0]}, {zero} : {x.element}")
    return node.e.generic([(x, [f"d{i}" for i in range(n)])], x.shape, x.dtype, body)


def normalize_over(node, x, axes, square, finish):
    """x times finish(sum over axes of x*x (or |x|)) broadcast back."""
    e, t, dt = node.e, x.element, x.dtype
    pre = (lambda b, v: b.emit(f"arith.mulf {v}, {v} : {t}")) if square else (lambda b, v: b.emit(f"math.absf {v} : {t}"))
    total = e.sum_over(x, axes, pre=pre)
    factor = e.elementwise([total], dt, lambda b, a: finish(b, a[0]))
    kept = [f"d{i}" for i in range(x.rank) if i not in axes]
    return e.generic([(x, [f"d{i}" for i in range(x.rank)]), (factor, kept)], x.shape, dt,
                     lambda b, a, acc: b.emit(f"arith.mulf {a[0]}, {a[1]} : {t}"))


def rms_norm(node):
    x, scale = static(node.inputs[0]), node.inputs[1]
    check_float(x)
    axis = node.attrs.get("axis", -1) % x.rank
    eps = node.attrs.get("epsilon", 1e-5)
    if node.attrs.get("stash_type", 1) != 1:
        raise NodeError("stash_type other than 1 (float) is not supported")
    t, dt = x.element, x.dtype
    count = int(np.prod(x.shape[axis:]))

    def finish(b, s):
        mean = b.emit(f"arith.divf {s}, {b.const(count, dt)} : {t}")
        return b.emit(f"math.rsqrt {b.emit(f'arith.addf {mean}, {b.const(eps, dt)} : {t}')} : {t}")
    y = normalize_over(node, x, list(range(axis, x.rank)), True, finish)
    return node.e.elementwise([y, scale], dt, lambda b, a: b.emit(f"arith.mulf {a[0]}, {a[1]} : {t}"))


def lp_norm(node):
    x = static(node.inputs[0])
    check_float(x)
    axis, p = node.attrs.get("axis", -1) % x.rank, node.attrs.get("p", 2)
    if p not in (1, 2):
        raise NodeError(f"p={p} is not supported (1 or 2 are)")
    t, dt = x.element, x.dtype

    def finish(b, s):   # an all-zero vector stays zero (as onnxruntime), not 0 * inf = NaN
        norm = b.emit(f"math.sqrt {s} : {t}") if p == 2 else s
        zero = b.const(0.0, dt)
        inverse = b.emit(f"arith.divf {b.const(1.0, dt)}, {norm} : {t}")
        return b.emit(f"arith.select {b.emit(f'arith.cmpf oeq, {norm}, {zero} : {t}')}, {zero}, {inverse} : {t}")
    return normalize_over(node, x, [axis], p == 2, finish)


CONVERTERS = {
    "ArgMax": arg_extreme("max"), "ArgMin": arg_extreme("min"), "GatherElements": gather_elements,
    "Trilu": trilu, "RMSNormalization": rms_norm, "LpNormalization": lp_norm,
}
