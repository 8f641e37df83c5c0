"""NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (inference: the
loss value, reduced or not)."""
import numpy as np

from ..emitter import NodeError
from .elementwise import check_float
from .nn import static
from .reduce import log_softmax_along


def nll(e, logp, target, weight, reduction, ignore_index):
    """-logp[n, target[n, r...], r...] * weight[target], 0 where ignored;
    mean divides the sum by the applied weights' sum."""
    if reduction not in ("none", "sum", "mean"):
        raise NodeError(f"reduction '{reduction}' is not supported")
    static(logp)
    static(target, "target")
    t, dt, it = logp.element, logp.dtype, target.element
    classes = logp.shape[1]
    rest = logp.shape[2:]
    inner = int(np.prod(rest))
    flat = e.reshape(logp, (int(np.prod(logp.shape)),))
    strides = [int(np.prod(rest[j + 1:])) for j in range(len(rest))]
    dims = [f"d{i}" for i in range(target.rank)]

    def class_index(b, label):
        """The label as an index, 0 where ignored, and whether it counts."""
        if ignore_index is None:
            return b.emit(f"arith.index_cast {label} : {it} to index"), None
        valid = b.emit(f"arith.cmpi ne, {label}, {b.const(ignore_index, target.dtype)} : {it}")
        safe = b.emit(f"arith.select {valid}, {label}, {b.const(0, target.dtype)} : {it}")
        return b.emit(f"arith.index_cast {safe} : {it} to index"), valid

    def applied_weight(b, label):
        k, valid = class_index(b, label)
        w = b.const(1.0, dt) if weight is None else \
            b.emit(f"tensor.extract {e.materialize(weight)}[{k}] : {weight.type}")
        return k, (w if valid is None else b.emit(f"arith.select {valid}, {w}, {b.const(0.0, dt)} : {t}"))

    weights = e.generic([(target, dims)], target.shape, dt, lambda b, a, acc: applied_weight(b, a[0])[1])

    def loss(b, a, acc):
        k, _ = class_index(b, a[0])
        offset = b.emit(f"arith.muli {b.emit('linalg.index 0 : index')}, "
                        f"{b.emit(f'arith.constant {classes * inner} : index')} : index")
        row = b.emit(f"arith.muli {k}, {b.emit(f'arith.constant {inner} : index')} : index")
        offset = b.emit(f"arith.addi {offset}, {row} : index")
        for j, stride in enumerate(strides):
            term = b.emit(f"arith.muli {b.emit(f'linalg.index {j + 1} : index')}, "
                          f"{b.emit(f'arith.constant {stride} : index')} : index")
            offset = b.emit(f"arith.addi {offset}, {term} : index")
        value = b.emit(f"tensor.extract {e.materialize(flat)}[{offset}] : {flat.type}")
        return b.emit(f"arith.negf {b.emit(f'arith.mulf {value}, {a[1]} : {t}')} : {t}")
    losses = e.generic([(target, dims), (weights, dims)], target.shape, dt, loss)
    if reduction == "none":
        return losses
    total = e.sum_over(losses, list(range(target.rank)))
    if reduction == "sum":
        return total
    count = e.sum_over(weights, list(range(target.rank)))
    return e.elementwise([total, count], dt, lambda b, a: b.emit(f"arith.divf {a[0]}, {a[1]} : {t}"))


def nll_loss(node):
    x = node.inputs[0]
    check_float(x)
    return nll(node.e, x, node.inputs[1], node.input(2), node.attrs.get("reduction", "mean"),
               node.attrs.get("ignore_index"))


def softmax_cross_entropy(node):
    x = static(node.inputs[0])
    check_float(x)
    log_prob = log_softmax_along(node.e, x, 1)
    loss = nll(node.e, log_prob, node.inputs[1], node.input(2), node.attrs.get("reduction", "mean"),
               node.attrs.get("ignore_index"))
    return [loss, log_prob]


CONVERTERS = {"NegativeLogLikelihoodLoss": nll_loss, "SoftmaxCrossEntropyLoss": softmax_cross_entropy}
