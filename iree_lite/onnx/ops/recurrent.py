"""RNN, GRU and LSTM: one scf.for over time per direction, carrying the
hidden (and cell) state and the output sequence, so the program's size does
not grow with the sequence length.

Before the loop, every time step's input projection X*W^T + Wb + Rb is one
linalg.matmul over the whole sequence; inside it, a linalg.matmul per step
accumulates the state's projection H*R^T into that step's slice of it, and
the gates are element-wise generics over (batch, hidden). With sequence_lens, a batch entry's state stops
changing at its length (so Y_h is its last valid step, and the reverse
direction starts there) and the Y frames past it are zeros.
"""
import numpy as np

from ..emitter import NodeError, Value, element_type, fmt_shape, tensor_type
from ..scalars import Scalars
from .elementwise import check_float, elu, hard_sigmoid, leaky_relu, sigmoid, softplus, softsign, \
    thresholded_relu
from .nn import matmul_values, static


def affine(b, x, t, dtype, alpha, beta):
    scaled = b.emit(f"arith.mulf {x}, {b.const(alpha, dtype)} : {t}")
    return b.emit(f"arith.addf {scaled}, {b.const(beta, dtype)} : {t}")


def scaled_tanh(b, x, t, dtype, alpha, beta):
    inner = b.emit(f"math.tanh {b.emit(f'arith.mulf {x}, {b.const(beta, dtype)} : {t}')} : {t}")
    return b.emit(f"arith.mulf {inner}, {b.const(alpha, dtype)} : {t}")


# lower-case name -> (build(b, x, t, dtype, alpha, beta), alpha default, beta default);
# a default of None: the function takes no such value; "required": it must be given.
ACTIVATIONS = {
    "relu": (lambda b, x, t, d, al, be: b.emit(f"arith.maximumf {x}, {b.const(0.0, d)} : {t}"), None, None),
    "tanh": (lambda b, x, t, d, al, be: b.emit(f"math.tanh {x} : {t}"), None, None),
    "sigmoid": (lambda b, x, t, d, al, be: sigmoid(b, x, t, d), None, None),
    "affine": (affine, 1.0, 0.0),
    "leakyrelu": (lambda b, x, t, d, al, be: leaky_relu(b, x, t, {"alpha": al}, d), 0.01, None),
    "thresholdedrelu": (lambda b, x, t, d, al, be: thresholded_relu(b, x, t, {"alpha": al}, d), 1.0, None),
    "scaledtanh": (scaled_tanh, "required", "required"),
    "hardsigmoid": (lambda b, x, t, d, al, be: hard_sigmoid(b, x, t, {}, d, al, be), 0.2, 0.5),
    "elu": (lambda b, x, t, d, al, be: elu(b, x, t, {"alpha": al}, d), 1.0, None),
    "softsign": (lambda b, x, t, d, al, be: softsign(b, x, t, None, d), None, None),
    "softplus": (lambda b, x, t, d, al, be: softplus(b, x, t, None, d), None, None),
}


class Activation:
    """One activation function with its alpha and beta, applied to a scalar."""

    def __init__(self, name, alpha, beta):
        self.name, self.alpha, self.beta = name, alpha, beta

    def __call__(self, b, x, t, dtype):
        return ACTIVATIONS[self.name.lower()][0](b, x, t, dtype, self.alpha, self.beta)


def activations(node, defaults, directions):
    """The node's activation functions, `len(defaults)` per direction:
    alphas and betas are consumed in order by the functions that take them
    (the defaults of the ONNX operators of the same name once they run out).
    A list of one direction's functions serves both directions; RNN's
    schema default (Tanh, Tanh) for one direction takes the first, as
    onnxruntime does."""
    a = node.attrs
    names = list(a.get("activations", None) or defaults * directions)
    names = [n.decode() if isinstance(n, bytes) else n for n in names]
    if len(names) == len(defaults) and directions == 2:
        names = names * 2
    if node.op_type == "RNN" and len(names) == 2 and directions == 1:
        names = names[:1]
    if len(names) != len(defaults) * directions:
        raise NodeError(f"activations lists {len(names)} functions; {node.op_type} takes {len(defaults)} per "
                        f"direction ({len(defaults) * directions} here)")
    alphas = list(a.get("activation_alpha", None) or [])
    betas = list(a.get("activation_beta", None) or [])
    out = []
    for name in names:
        if name.lower() not in ACTIVATIONS:
            raise NodeError(f"activation function '{name}' is not supported (one of Relu, Tanh, Sigmoid, Affine, "
                            "LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus is)")
        _, alpha_default, beta_default = ACTIVATIONS[name.lower()]
        values = []
        for default, given, what in ((alpha_default, alphas, "activation_alpha"),
                                     (beta_default, betas, "activation_beta")):
            if default is None:
                values.append(None)
            elif given:
                values.append(float(given.pop(0)))
            elif default == "required":
                raise NodeError(f"activation function '{name}' needs a value in {what}")
            else:
                values.append(default)
        out.append(Activation(name, *values))
    return [out[d * len(defaults):(d + 1) * len(defaults)] for d in range(directions)]


def part(e, v, offsets, sizes):
    """A static slice of v: folded where v is known at import time."""
    if v.const is not None and v.ssa is None:
        index = tuple(slice(o, o + s) for o, s in zip(offsets, sizes))
        return Value(sizes, v.dtype, const=np.ascontiguousarray(v.const[index]))
    return e.extract_slice(v, list(offsets), list(sizes))


def transposed(e, v, perm):
    """v permuted: folded where v is known at import time."""
    if v.const is not None and v.ssa is None:
        return Value(tuple(v.shape[p] for p in perm), v.dtype, const=np.ascontiguousarray(v.const.transpose(perm)))
    return e.transpose(v, perm)


def direction_of(e, v, d, layout_batch_first=False):
    """Direction d's [rows, cols] matrix of a [dirs, rows, cols] input (or of
    [batch, dirs, hidden] when batch-first)."""
    if layout_batch_first:
        v = transposed(e, v, (1, 0, 2))
    return e.reshape(part(e, v, (d, 0, 0), (1,) + v.shape[1:]), v.shape[1:])


class Cell:
    """What a direction's step reads: its activations, the clip, the
    sequence lengths (None: no masking) and the step's index as i64."""

    def __init__(self, e, acts, clip, lens, dtype):
        self.e, self.acts, self.clip, self.lens = e, acts, clip, lens
        self.dtype, self.element = dtype, element_type(dtype)
        self.t64 = None   # set by the loop body

    def gate_in(self, v, k):
        """(Value, exprs): gate k's (batch, hidden) plane of a (batch, gates, hidden) v."""
        return (v, ["d0", str(k), "d1"])

    def masked(self, ins, prev, body):
        """A generic over (batch, hidden) of body(b, args) (args: ins then
        prev's element), kept at prev where the step is past the batch
        entry's length."""
        extra = [(prev, ["d0", "d1"])] + ([(self.lens, ["d0"])] if self.lens is not None else [])
        t = prev.element

        def full(b, args, acc):
            new = body(b, args[:len(ins) + 1])
            if self.lens is None:
                return new
            length = args[len(ins) + 1]
            if self.lens.element != "i64":
                length = b.emit(f"arith.extsi {length} : {self.lens.element} to i64")
            live = b.emit(f"arith.cmpi slt, {self.t64}, {length} : i64")
            return b.emit(f"arith.select {live}, {new}, {args[len(ins)]} : {t}")
        return self.e.generic(list(ins) + extra, prev.shape, prev.dtype, full)

    def project(self, h, r_t, into=None):
        """into (zeros where None) + h * R^T, as (batch, gates, hidden):
        linalg.matmul accumulates into its output, so a step's input
        projection (batch, gates * hidden) is that output."""
        e = self.e
        shape = (h.shape[0], r_t.shape[1])
        init = e.fill(0.0, shape, h.dtype) if into is None else e.materialize(into)
        y = e.named("linalg.matmul", [h, r_t], init, shape, h.dtype)
        return e.reshape(y, (h.shape[0], r_t.shape[1] // h.shape[1], h.shape[1]))

    def act(self, b, k, x):
        """Activation k of the direction on x, clipped first when the node clips."""
        t, dtype = self.element, self.dtype
        if self.clip is not None:
            x = b.emit(f"arith.maximumf {x}, {b.const(-self.clip, dtype)} : {t}")
            x = b.emit(f"arith.minimumf {x}, {b.const(self.clip, dtype)} : {t}")
        return self.acts[k](b, x, t, dtype)


def add(b, t, *xs):
    acc = xs[0]
    for x in xs[1:]:
        acc = b.emit(f"arith.addf {acc}, {x} : {t}")
    return acc


def mul(b, t, x, y):
    return b.emit(f"arith.mulf {x}, {y} : {t}")


def rnn_step(cell, xt, states, weights):
    """Ht = f(Xt*Wi^T + Ht-1*Ri^T + Wbi + Rbi)."""
    (h,), (r_t,) = states, weights["R"]
    pre = cell.project(h, r_t, xt)
    return [cell.masked([cell.gate_in(pre, 0)], h, lambda b, a: cell.act(b, 0, a[0]))]


def gru_step(cell, xt, states, weights):
    """z and r gates, then ht from the reset state (linear_before_reset=0)
    or the reset projection (1); Ht = (1 - zt) * ht + zt * Ht-1."""
    (h,) = states
    t, d, e = h.element, h.dtype, cell.e
    batch, hidden = h.shape

    def blend(b, z, hh, prev):
        one_minus = b.emit(f"arith.subf {b.const(1.0, d)}, {z} : {t}")
        return add(b, t, mul(b, t, one_minus, hh), mul(b, t, z, prev))
    if weights["Rbh"] is None:   # linear_before_reset = 0: the h rows apply to the reset state
        zr = cell.project(h, weights["R"][0], e.extract_slice(xt, [0, 0], [batch, 2 * hidden]))
        reset = e.generic([cell.gate_in(zr, 1), (h, ["d0", "d1"])], h.shape, d,
                          lambda b, a, acc: mul(b, t, cell.act(b, 0, a[0]), a[1]))
        hh = cell.project(reset, weights["R"][1], e.extract_slice(xt, [0, 2 * hidden], [batch, hidden]))
        return [cell.masked([cell.gate_in(zr, 0), cell.gate_in(hh, 0)], h,
                            lambda b, a: blend(b, cell.act(b, 0, a[0]), cell.act(b, 1, a[1]), a[2]))]
    hp = cell.project(h, weights["R"][0])
    xp = e.reshape(xt, (batch, 3, hidden))

    def body(b, a):
        r = cell.act(b, 0, add(b, t, a[2], a[3]))
        hh = cell.act(b, 1, add(b, t, a[4], mul(b, t, r, add(b, t, a[5], a[6]))))
        return blend(b, cell.act(b, 0, add(b, t, a[0], a[1])), hh, a[7])
    return [cell.masked([cell.gate_in(xp, 0), cell.gate_in(hp, 0), cell.gate_in(xp, 1), cell.gate_in(hp, 1),
                         cell.gate_in(xp, 2), cell.gate_in(hp, 2), (weights["Rbh"], ["d1"])], h, body)]


def lstm_step(cell, xt, states, weights):
    """Gates i, o, f, c (peepholes P for i, o, f): Ct = ft * Ct-1 + it * ct,
    Ht = ot * h(Ct); with input_forget, ft = 1 - it."""
    (h, c), p = states, weights["P"]
    t, d = h.element, h.dtype
    pre = cell.project(h, weights["R"][0], xt)

    def peeped(b, x, peep, state):
        return x if peep is None else add(b, t, x, mul(b, t, peep, state))
    peeps = [(p, [str(k), "d1"]) for k in range(3)] if p is not None else []

    def cell_body(b, a):
        pi, pf = (a[3], a[4]) if p is not None else (None, None)
        prev = a[-1]
        i = cell.act(b, 0, peeped(b, a[0], pi, prev))
        if weights["input_forget"]:
            fg = b.emit(f"arith.subf {b.const(1.0, d)}, {i} : {t}")
        else:
            fg = cell.act(b, 0, peeped(b, a[1], pf, prev))
        return add(b, t, mul(b, t, fg, prev), mul(b, t, i, cell.act(b, 1, a[2])))
    c_ins = [cell.gate_in(pre, 0), cell.gate_in(pre, 2), cell.gate_in(pre, 3)] + peeps[0:3:2]
    c_new = cell.masked(c_ins, c, cell_body)

    def hidden_body(b, a):
        o = cell.act(b, 0, peeped(b, a[0], a[2] if p is not None else None, a[1]))
        return mul(b, t, o, cell.acts[2](b, a[1], t, d))   # h(Ct): not a gate, so never clipped
    h_ins = [cell.gate_in(pre, 1), (c_new, ["d0", "d1"])] + peeps[1:2]
    return [cell.masked(h_ins, h, hidden_body), c_new]


# op -> (gates, default activations, state count, step)
OPS = {
    "RNN": (1, ["Tanh"], 1, rnn_step),
    "GRU": (3, ["Sigmoid", "Tanh"], 1, gru_step),
    "LSTM": (4, ["Sigmoid", "Tanh", "Tanh"], 2, lstm_step),
}


def time_loop(e, steps, reverse, carried, body):
    """An scf.for over `steps` time steps (last to first when reverse)
    carrying the Values `carried`: body(t, t64, values) returns their next
    Values (t the step's index, t64 it as i64). Returns the final Values."""
    c0, c1 = e.emit("arith.constant 0 : index"), e.emit("arith.constant 1 : index")
    count = e.emit(f"arith.constant {steps} : index")
    last = e.emit(f"arith.constant {steps - 1} : index") if reverse else None
    for v in carried:
        e.materialize(v)
    result, iv = e.fresh(), e.fresh()
    args = [e.fresh() for _ in carried]
    types = ", ".join(v.type for v in carried)
    n = len(carried)
    e.lines.append(f"  {result}{f':{n}' if n > 1 else ''} = scf.for {iv} = {c0} to {count} step {c1} "
                   f"iter_args({', '.join(f'{a} = {v.ssa}' for a, v in zip(args, carried))}) -> ({types}) {{")
    t = e.emit(f"arith.subi {last}, {iv} : index") if reverse else iv
    t64 = e.emit(f"arith.index_cast {t} : index to i64")
    new = body(t, t64, [Value(v.shape, v.dtype, ssa=a) for v, a in zip(carried, args)])
    e.lines.append(f"    scf.yield {', '.join(v.ssa for v in new)} : {types}")
    e.lines.append("  }")
    return [Value(v.shape, v.dtype, ssa=f"{result}#{i}" if n > 1 else result) for i, v in enumerate(carried)]


def sequence_lengths(node, steps, batch):
    """sequence_lens as a Value to mask with, or None where every entry runs
    all `steps` steps; values outside [0, steps] are an error (at import
    time where known, else when the call runs)."""
    v = node.input(4)
    if v is None:
        return None
    if v.shape != (batch,) or v.dtype.kind != "i":
        raise NodeError(f"sequence_lens of shape {fmt_shape(v.shape)} and type {v.dtype}: an int32 vector of "
                        f"the batch size {batch} is needed")
    what = f"sequence_lens values must be in [0, {steps}]"
    if v.const is not None:
        if ((v.const < 0) | (v.const > steps)).any():
            raise NodeError(f"{what}, not {v.const.tolist()}")
        return None if (v.const == steps).all() else v
    e = node.e

    def outside(b, x):   # 1 for an entry out of range, else 0: counted (iree-lite reduces with addi)
        x64 = b.emit(f"arith.extsi {x} : {v.element} to i64") if v.element != "i64" else x
        low = b.emit(f"arith.cmpi slt, {x64}, {b.const(0, np.int64)} : i64")
        high = b.emit(f"arith.cmpi sgt, {x64}, {b.const(steps, np.int64)} : i64")
        return b.emit(f"arith.extui {b.emit(f'arith.ori {low}, {high} : i1')} : i1 to i64")
    count = e.reduce(v, [0], np.int64, 0, lambda b, x, acc: b.emit(f"arith.addi {x}, {acc} : i64"), pre=outside)
    none = e.emit(f"arith.cmpi eq, {e.emit(f'tensor.extract {count.ssa}[] : {count.type}')}, "
                  f"{e.emit('arith.constant 0 : i64')} : i64")
    Scalars(node).check(none, what)
    return v


def recurrent(node):
    gates, default_acts, state_count, step = OPS[node.op_type]
    e, a = node.e, node.attrs
    layout = a.get("layout", 0)
    if layout not in (0, 1):
        raise NodeError(f"layout {layout} is not supported (0 or 1 is)")
    x = node.input(0)
    check_float(x)
    static(x, "X")
    if x.rank == 3 and layout:
        x = transposed(e, x, (1, 0, 2))
    direction, dirs, hidden = check_shapes(node, x, gates, layout)
    acts = activations(node, default_acts, dirs)
    clip = a.get("clip", None)
    if clip is not None and not clip > 0:
        raise NodeError(f"clip {clip} is not supported (a positive value is)")
    options = {"lbr": a.get("linear_before_reset", 0) if node.op_type == "GRU" else 0,
               "input_forget": a.get("input_forget", 0) if node.op_type == "LSTM" else 0}
    steps, batch = x.shape[:2]
    lens = sequence_lengths(node, steps, batch)
    may_be_empty = lens is not None and (lens.const is None or (lens.const == 0).any())
    want_y = bool(node.proto.output) and bool(node.proto.output[0])
    ys, finals = [], [[] for _ in range(state_count)]
    for d in range(dirs):
        cell = Cell(e, acts[d], clip, lens, x.dtype)
        out = direction_loop(node, cell, x, d, direction == "reverse" or d == 1, hidden, layout, options, want_y)
        for i in range(state_count):   # an entry of length 0 ends with zero states, as onnxruntime's do
            final = e.reshape(out[i], (1, batch, hidden))
            finals[i].append(zero_past_lengths(e, final, lens) if may_be_empty else final)
        if want_y:
            ys.append(e.reshape(zero_past_lengths(e, out[state_count], lens), (steps, 1, batch, hidden)))
    results = [None]
    if want_y:
        y = e.concat(ys, 1)
        results[0] = transposed(e, y, (2, 0, 1, 3)) if layout else y
    for i in range(state_count):
        s = e.concat(finals[i], 0)
        results.append(transposed(e, s, (1, 0, 2)) if layout else s)
    return results


def check_shapes(node, x, gates, layout):
    """(direction, direction count, hidden size), once every input has the
    shape and type the others imply."""
    w, r = node.input(1), node.input(2)
    for v, what in ((x, "X"), (w, "W"), (r, "R")):
        if v.rank != 3:
            raise NodeError(f"{what} of shape {fmt_shape(v.shape)}: 3 dimensions are needed")
    steps, batch, inputs = x.shape
    dirs, hidden = r.shape[0], r.shape[2]
    direction = node.attrs.get("direction", "forward")
    if direction not in ("forward", "reverse", "bidirectional"):
        raise NodeError(f"direction '{direction}' is not supported (forward, reverse or bidirectional is)")
    if dirs != (2 if direction == "bidirectional" else 1):
        raise NodeError(f"R of shape {fmt_shape(r.shape)} does not have the {direction} direction count")
    size = node.attrs.get("hidden_size", hidden)
    if size != hidden:
        raise NodeError(f"hidden_size {size} disagrees with R of shape {fmt_shape(r.shape)}")
    state = (batch, dirs, hidden) if layout else (dirs, batch, hidden)
    expect = {"W": (1, (dirs, gates * hidden, inputs)), "R": (2, (dirs, gates * hidden, hidden)),
              "B": (3, (dirs, 2 * gates * hidden)), "initial_h": (5, state)}
    if node.op_type == "LSTM":
        expect.update({"initial_c": (6, state), "P": (7, (dirs, 3 * hidden))})
    for what, (i, shape) in expect.items():
        v = node.input(i)
        if v is not None and (v.shape != shape or v.dtype != x.dtype):
            raise NodeError(f"{what} of shape {fmt_shape(v.shape)} and type {v.dtype}: {fmt_shape(shape)} of "
                            f"{x.dtype} is needed")
    return direction, dirs, hidden


def direction_loop(node, cell, x, d, reverse, hidden, layout, options, want_y):
    """Direction d's loop over time: its final states, then (with want_y)
    its (steps, batch, hidden) outputs."""
    e = node.e
    gates, _, state_count, step = OPS[node.op_type]
    steps, batch, inputs = x.shape
    r_d = direction_of(e, node.input(2), d)
    sum_bias, rbh = input_bias(e, node.input(3), d, gates, hidden, options["lbr"], x.dtype)
    w_t = transposed(e, direction_of(e, node.input(1), d), (1, 0))
    xw = matmul_values(e, e.reshape(x, (steps * batch, inputs)), w_t)
    xw = e.generic([(xw, ["d0", "d1"]), (sum_bias, ["d1"])], xw.shape, x.dtype,
                   lambda b, args, acc: b.emit(f"arith.addf {args[0]}, {args[1]} : {x.element}"))
    xp = e.reshape(xw, (steps, batch, gates * hidden))
    if node.op_type == "GRU" and not options["lbr"]:   # the z and r rows; the h rows apply to the reset state
        recur = [transposed(e, part(e, r_d, (0, 0), (2 * hidden, hidden)), (1, 0)),
                 transposed(e, part(e, r_d, (2 * hidden, 0), (hidden, hidden)), (1, 0))]
    else:
        recur = [transposed(e, r_d, (1, 0))]
    weights = {"R": recur, "Rbh": rbh, "input_forget": options["input_forget"],
               "P": peepholes(e, node.input(7) if node.op_type == "LSTM" else None, d, hidden)}
    for v in [xp, cell.lens, rbh, weights["P"]] + recur:   # defined before the loop that reads them
        if v is not None:
            e.materialize(v)
    init = [initial_state(e, node.input(5 + i), d, batch, hidden, layout, x.dtype) for i in range(state_count)]
    if want_y:
        init.append(Value((steps, batch, hidden), x.dtype, ssa=e.empty((steps, batch, hidden), x.dtype)))

    def body(t, t64, carried):
        cell.t64 = t64
        xt = Value((batch, gates * hidden), x.dtype, ssa=e.emit(
            f"tensor.extract_slice {xp.ssa}[{t}, 0, 0] [1, {batch}, {gates * hidden}] [1, 1, 1] : "
            f"{xp.type} to {tensor_type((batch, gates * hidden), x.dtype)}"))
        new = step(cell, xt, carried[:state_count], weights)
        if want_y:
            y = carried[state_count]
            new.append(Value(y.shape, y.dtype, ssa=e.emit(
                f"tensor.insert_slice {new[0].ssa} into {y.ssa}[{t}, 0, 0] [1, {batch}, {hidden}] [1, 1, 1] : "
                f"{new[0].type} into {y.type}")))
        return new
    return time_loop(e, steps, reverse, init, body)


def input_bias(e, bias, d, gates, hidden, lbr, dtype):
    """(Wb + Rb of direction d, added to the input projection; Rbh kept
    apart, or None): with linear_before_reset, GRU's Rbh is inside the reset
    product, so the sum takes only Wbh for the h gate."""
    if bias is None:
        zeros = Value((gates * hidden,), dtype, const=np.zeros(gates * hidden, dtype))
        return zeros, (Value((hidden,), dtype, const=np.zeros(hidden, dtype)) if lbr else None)
    wb = e.reshape(part(e, bias, (d, 0), (1, gates * hidden)), (gates * hidden,))
    rb = e.reshape(part(e, bias, (d, gates * hidden), (1, gates * hidden)), (gates * hidden,))
    rbh = None
    if lbr:
        rbh = part(e, rb, ((gates - 1) * hidden,), (hidden,))
        zeros = Value((hidden,), dtype, const=np.zeros(hidden, dtype))
        rb = joined(e, [part(e, rb, (0,), ((gates - 1) * hidden,)), zeros])
    if wb.const is not None and rb.const is not None:
        return Value(wb.shape, dtype, const=wb.const + rb.const), rbh
    total = e.elementwise([wb, rb], dtype, lambda b, args: b.emit(f"arith.addf {args[0]}, {args[1]} : {wb.element}"))
    return total, rbh


def joined(e, values):
    """The 1-D values end to end: folded where all are known."""
    if all(v.const is not None and v.ssa is None for v in values):
        return Value((sum(v.shape[0] for v in values),), values[0].dtype,
                     const=np.concatenate([v.const for v in values]))
    return e.concat(values, 0)


def peepholes(e, p, d, hidden):
    """Direction d's peephole weights as (3, hidden): rows i, o, f."""
    if p is None:
        return None
    return e.reshape(part(e, p, (d, 0), (1, 3 * hidden)), (3, hidden))


def initial_state(e, v, d, batch, hidden, layout, dtype):
    """Direction d's (batch, hidden) starting state: zeros where not given."""
    if v is None:
        return Value((batch, hidden), dtype, ssa=e.fill(0.0, (batch, hidden), dtype))
    return direction_of(e, v, d, layout_batch_first=bool(layout))


def zero_past_lengths(e, y, lens):
    """y (steps, batch, hidden) with the frames at or past each batch
    entry's length set to zero."""
    if lens is None:
        return y
    t = y.element

    def body(b, args, acc):
        step = b.emit(f"arith.index_cast {b.emit('linalg.index 0 : index')} : index to i64")
        length = args[1] if lens.element == "i64" else b.emit(f"arith.extsi {args[1]} : {lens.element} to i64")
        live = b.emit(f"arith.cmpi slt, {step}, {length} : i64")
        return b.emit(f"arith.select {live}, {args[0]}, {b.const(0.0, y.dtype)} : {t}")
    return e.generic([(y, ["d0", "d1", "d2"]), (lens, ["d1"])], y.shape, y.dtype, body)


CONVERTERS = {"RNN": recurrent, "GRU": recurrent, "LSTM": recurrent}
