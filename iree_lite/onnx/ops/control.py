"""If, Loop and Scan: scf.if, scf.while and scf.for whose regions hold the
imported subgraphs (names of the enclosing graphs stay visible in them).

An If whose condition is known at import time is the chosen branch inlined.
Loop carries its iteration number, condition and loop-carried values
through an scf.while and grows each scan output by one slice per iteration
(a dynamic leading dimension: the trip count is a run-time value), or is an
scf.for when the trip count is known at import time and the condition can
only stay true. Scan runs an scf.for over the scan axis (its length static,
or read at run time), its outputs preallocated.
"""
import numpy as np

from ..emitter import NodeError, Sequence, Value, fmt_shape, tensor_type


def scalar(e, v, what):
    """The element of a one-element tensor v as an MLIR scalar."""
    if v.shape and (None in v.shape or int(np.prod(v.shape)) != 1):
        raise NodeError(f"{what} must hold one element, not shape {fmt_shape(v.shape)}")
    v = e.reshape(v, ())
    return e.emit(f"tensor.extract {e.materialize(v)}[] : {v.type}")


def scalar_tensor(e, name, dtype):
    """A rank-0 tensor Value of the scalar SSA `name`."""
    return Value((), dtype, ssa=e.emit(f"tensor.from_elements {name} : {tensor_type((), dtype)}"))


def cast(e, v, shape):
    """v as the type of `shape` (same rank; dimensions only made dynamic or
    static), by tensor.cast."""
    if tuple(shape) == v.shape:
        return e.materialize(v)
    t = tensor_type(shape, v.dtype)
    return e.emit(f"tensor.cast {e.materialize(v)} : {v.type} to {t}")


def results(e, name, count):
    """The SSA names of an op's `count` results named `name`."""
    return [f"{name}#{i}" for i in range(count)] if count > 1 else [name]


def flatten(values, what):
    """The tensors of a subgraph's outputs, sequences spelled out, and how to
    regroup a list of the same length into that structure."""
    flat, layout = [], []
    for v in values:
        if isinstance(v, Sequence):
            flat += v.items
            layout.append((len(v.items), v.dtype))
        elif v is None:
            raise NodeError(f"{what} yields an empty optional, which is not supported")
        else:
            flat.append(v)
            layout.append(None)
    return flat, layout


def regroup(flat, layout):
    out, at = [], 0
    for item in layout:
        if item is None:
            out.append(flat[at])
            at += 1
        else:
            out.append(Sequence(flat[at:at + item[0]], item[1]))
            at += item[0]
    return out


def join(a, b, what):
    """The shape both a and b can be cast to: a dimension they disagree on
    becomes dynamic."""
    if a.dtype != b.dtype or a.rank != b.rank:
        raise NodeError(f"{what}: the branches yield {a.dtype}{fmt_shape(a.shape)} and "
                        f"{b.dtype}{fmt_shape(b.shape)}, of different element types or ranks")
    return tuple(x if x == y else None for x, y in zip(a.shape, b.shape))


def convert_if(node):
    e, cond = node.e, node.inputs[0]
    graphs = {name: node.attrs.get(name) for name in ("then_branch", "else_branch")}
    if cond.const is not None:
        branch = "then_branch" if cond.const.reshape(-1)[0] else "else_branch"
        return node.graph.subgraph(graphs[branch], [], branch)
    flag = scalar(e, cond, "the condition")
    bodies, outputs = {}, {}
    for name, graph in graphs.items():
        bodies[name] = []
        with e.region(bodies[name]):
            outputs[name] = flatten(node.graph.subgraph(graph, [], name), name)
    (then_flat, layout), (else_flat, else_layout) = outputs["then_branch"], outputs["else_branch"]
    if layout != else_layout:
        raise NodeError("the branches yield sequences of different lengths, known only at run time")
    shapes = [join(a, b, f"output {i}") for i, (a, b) in enumerate(zip(then_flat, else_flat))]
    types = [tensor_type(s, v.dtype) for s, v in zip(shapes, then_flat)]
    for name, flat in (("then_branch", then_flat), ("else_branch", else_flat)):
        with e.region(bodies[name]):
            yielded = [cast(e, v, s) for v, s in zip(flat, shapes)]
            e.lines.append(f"  scf.yield {', '.join(yielded)} : {', '.join(types)}")
    name = e.fresh()
    count = f":{len(types)}" if len(types) > 1 else ""
    e.lines.append(f"  {name}{count} = scf.if {flag} -> ({', '.join(types)}) {{")
    e.lines += bodies["then_branch"] + ["  } else {"] + bodies["else_branch"] + ["  }"]
    flat = [Value(s, v.dtype, ssa=r) for s, v, r in zip(shapes, then_flat, results(e, name, len(types)))]
    return regroup(flat, layout)


def tensor_inputs(values, what):
    for i, v in enumerate(values):
        if isinstance(v, Sequence):
            raise NodeError(f"{what} {i} is a sequence, which is not supported here")
        if v is None:
            raise NodeError(f"{what} {i} is omitted")
    return values


def convert_loop(node):
    """An scf.while carrying the iteration number and condition; an scf.for
    (static scan outputs) where the trip count is known at import time and
    the condition can only stay true."""
    e, body = node.e, node.attrs.get("body")
    trip, cond = node.input(0), node.input(1)
    if trip is None and cond is None:
        raise NodeError("it has neither a trip count nor a condition, so it would never end")
    if any(isinstance(v, Sequence) for v in node.inputs[2:]):
        return unrolled_loop(node)
    carried = tensor_inputs(node.inputs[2:], "loop-carried input")
    # The body is imported first: its block arguments are named now, their
    # types (the scan outputs') and the loop's form known once it is.
    iv, flag = e.fresh(), e.fresh()
    args = [e.fresh() for _ in carried]
    bufs = [e.fresh() for _ in range(len(body.output) - 1 - len(carried))]
    lines = []
    with e.region(lines):
        inputs = [scalar_tensor(e, iv, np.int64), scalar_tensor(e, flag, np.bool_)]
        inputs += [Value(v.shape, v.dtype, ssa=a) for v, a in zip(carried, args)]
        outputs = tensor_inputs(node.graph.subgraph(body, inputs, "body"), "body output")
        stays_true = outputs[0].ssa == inputs[1].ssa or outputs[0].const is not None and outputs[0].const.all()
        steps = int(trip.const.reshape(-1)[0]) if trip is not None and trip.const is not None else None
        fixed = steps is not None and stays_true and (cond is None or cond.const is not None and cond.const.all())
        yielded = [] if fixed else [e.emit(f"arith.addi {iv}, {e.emit('arith.constant 1 : i64')} : i64"),
                                    scalar(e, outputs[0], "the body's condition")]
        yielded += carry(e, carried, outputs[1:], "loop-carried value")
        at = e.emit(f"arith.index_cast {iv} : i64 to index") if fixed and bufs else None
        scanned = []
        for buf, out in zip(bufs, outputs[1 + len(carried):]):
            check_static(out)
            if fixed:
                scanned.append(Value((max(steps, 0),) + out.shape, out.dtype))
                yielded.append(insert_row(e, out, buf, at, scanned[-1]))
            else:
                scanned.append(Value((None,) + out.shape, out.dtype))
                one = e.reshape(out, (1,) + out.shape)
                yielded.append(e.emit(f"tensor.concat dim(0) {buf}, {e.materialize(one)} : "
                                      f"({scanned[-1].type}, {one.type}) -> {scanned[-1].type}"))
    if fixed:
        index = e.fresh()
        lines[:0] = [f"  {iv} = arith.index_cast {index} : index to i64", f"  {flag} = arith.constant true"]
        inits = [e.materialize(v) for v in carried] + [e.empty(v.shape, v.dtype) for v in scanned]
        upper = e.emit(f"arith.constant {max(steps, 0)} : index")
        return emit_for(e, index, upper, args + bufs, inits, carried + scanned, lines, yielded)
    types = ["i64", "i1"] + [v.type for v in carried + scanned]
    inits = [e.emit("arith.constant 0 : i64"), scalar(e, cond, "the condition") if cond is not None
             else e.emit("arith.constant true")] + [e.materialize(v) for v in carried]
    limit = scalar(e, trip, "the trip count") if trip is not None else None
    for v in scanned:
        empty = e.emit(f"tensor.empty() : {tensor_type((0,) + v.shape[1:], v.dtype)}")
        inits.append(e.emit(f"tensor.cast {empty} : {tensor_type((0,) + v.shape[1:], v.dtype)} to {v.type}"))
    before = [e.fresh() for _ in types]
    name = e.fresh()
    signature = ", ".join(types)
    e.lines.append(f"  {name}:{len(types)} = scf.while ({', '.join(f'{b} = {i}' for b, i in zip(before, inits))}) : "
                   f"({signature}) -> ({signature}) {{")
    test = before[1]
    if limit is not None:
        below = e.emit(f"arith.cmpi slt, {before[0]}, {limit} : i64")
        test = e.emit(f"arith.andi {below}, {before[1]} : i1")
    e.lines.append(f"  scf.condition({test}) {', '.join(before)} : {signature}")
    e.lines.append("  } do {")
    e.lines.append(f"  ^bb0({', '.join(f'{a}: {t}' for a, t in zip([iv, flag] + args + bufs, types))}):")
    e.lines += lines
    e.lines.append(f"  scf.yield {', '.join(yielded)} : {signature}")
    e.lines.append("  }")
    return [Value(v.shape, v.dtype, ssa=r) for v, r in zip(carried + scanned, results(e, name, len(types))[2:])]


# Iterations at most of a Loop unrolled at import time.
MAX_UNROLLED = 4096


def unrolled_loop(node):
    """A Loop carrying a sequence: its body imported once per iteration, so
    that the sequence's length stays known; the trip count must be known at
    import time and the condition too, iteration by iteration."""
    e, body = node.e, node.attrs.get("body")
    trip, cond = node.input(0), node.input(1)
    why = "a sequence is carried through the loop, so it is unrolled at import time and "
    if trip is None or trip.const is None:
        raise NodeError(why + "needs the trip count (input 0) known then")
    steps = int(trip.const.reshape(-1)[0])
    if steps > MAX_UNROLLED:
        raise NodeError(why + f"its trip count {steps} must be at most {MAX_UNROLLED}")
    if cond is not None and cond.const is None:
        raise NodeError(why + "needs the condition (input 1) known then")
    going = cond is None or bool(cond.const.all())
    carried, rows, i = list(node.inputs[2:]), [], 0
    while going and i < steps:
        inputs = [Value((), np.int64, const=np.array(i, np.int64)), Value((), np.bool_, const=np.array(True))]
        outputs = node.graph.subgraph(body, inputs + carried, f"body (iteration {i})")
        if outputs[0].const is None:
            raise NodeError(why + f"needs the body's condition known then (iteration {i})")
        going, i = bool(outputs[0].const.all()), i + 1
        carried = outputs[1:1 + len(carried)]
        rows.append(tensor_inputs(outputs[1 + len(carried):], "scan output"))
    if not rows and len(body.output) > 1 + len(carried):
        raise NodeError(why + "it runs no iteration, which leaves its scan outputs' shapes unknown")
    scans = [e.concat([e.reshape(v, (1,) + v.shape) for v in column], 0) for column in zip(*rows)]
    return carried + scans


def carry(e, values, outputs, what):
    """The body's next values of the loop-carried `values`, which must keep
    their element type and static dimensions."""
    yielded = []
    for i, (v, out) in enumerate(zip(values, outputs)):
        if out.dtype != v.dtype or out.rank != v.rank or \
                any(None not in (a, b) and a != b for a, b in zip(out.shape, v.shape)):
            raise NodeError(f"{what} {i} changes from {v.dtype}{fmt_shape(v.shape)} to "
                            f"{out.dtype}{fmt_shape(out.shape)} in the body: not supported")
        yielded.append(cast(e, out, v.shape))
    return yielded


def check_static(out):
    if None in out.shape:
        raise NodeError(f"a scan output has a dynamic shape {fmt_shape(out.shape)} in the body: not supported")


def insert_row(e, out, buf, at, stacked):
    """buf (of stacked's type) with row `at` (an index SSA) set to out."""
    offsets = ", ".join([at] + ["0"] * out.rank)
    return e.emit(f"tensor.insert_slice {e.materialize(out)} into {buf}[{offsets}] "
                  f"[{', '.join(map(str, (1,) + out.shape))}] [{', '.join(['1'] * (out.rank + 1))}] : "
                  f"{out.type} into {stacked.type}")


def emit_for(e, iv, upper, args, inits, values, lines, yielded):
    """An scf.for of `upper` (an index SSA) iterations, induction variable
    `iv`, carrying the block arguments `args` (initially `inits`, of the
    Values `values`' types) through the body `lines`, which computes
    `yielded`; its results as Values."""
    types = [v.type for v in values]
    lower, one = (e.emit(f"arith.constant {n} : index") for n in (0, 1))
    name = e.fresh()
    count = f":{len(types)}" if len(types) > 1 else ""
    e.lines.append(f"  {name}{count} = scf.for {iv} = {lower} to {upper} step {one} iter_args("
                   f"{', '.join(f'{a} = {i}' for a, i in zip(args, inits))}) -> ({', '.join(types)}) {{")
    e.lines += lines
    e.lines.append(f"  scf.yield {', '.join(yielded)} : {', '.join(types)}")
    e.lines.append("  }")
    return [Value(v.shape, v.dtype, ssa=r) for v, r in zip(values, results(e, name, len(types)))]


def convert_scan(node):
    """Opset 9 on: states then scan inputs, per-input axes and directions."""
    e, body = node.e, node.attrs.get("body")
    count = node.attrs.get("num_scan_inputs")
    states, scanned = node.inputs[:len(node.inputs) - count], node.inputs[len(node.inputs) - count:]
    tensor_inputs(node.inputs, "input")
    in_axes = [a % v.rank if v.rank else a for a, v in zip(node.attrs.get("scan_input_axes", [0] * count), scanned)]
    in_dirs = node.attrs.get("scan_input_directions", [0] * count)
    n_out = len(body.output) - len(states)
    out_axes = node.attrs.get("scan_output_axes", [0] * n_out)
    out_dirs = node.attrs.get("scan_output_directions", [0] * n_out)
    return scan(node, states, scanned, in_axes, in_dirs, out_axes, out_dirs)


def convert_scan8(node):
    """Opset 8: a leading batch axis on every input; each batch element is
    scanned on its own and the results stacked."""
    body = node.attrs.get("body")
    if node.input(0) is not None:
        raise NodeError("input 0 (sequence_lens) is not supported: every sequence must be the whole scan axis")
    inputs = tensor_inputs(node.inputs[1:], "input")
    count = node.attrs.get("num_scan_inputs")
    dirs = node.attrs.get("directions", [0] * count)
    batch = {v.shape[0] if v.rank else None for v in inputs}
    if len(batch) != 1 or None in batch:
        raise NodeError("the inputs must share a static batch dimension")
    n_states, per_batch = len(inputs) - count, []
    n_out = len(body.output) - n_states
    for b in range(batch.pop()):
        rows = [node.e.reshape(node.e.extract_slice(v, [b] + [0] * (v.rank - 1), (1,) + v.shape[1:]), v.shape[1:])
                for v in inputs]
        per_batch.append(scan(node, rows[:n_states], rows[n_states:], [0] * count, dirs, [0] * n_out, [0] * n_out))
    return [node.e.concat([node.e.reshape(v, (1,) + v.shape) for v in outs], 0) for outs in zip(*per_batch)]


def scan(node, states, scanned, in_axes, in_dirs, out_axes, out_dirs):
    e, body = node.e, node.attrs.get("body")
    lengths = {v.shape[a] for v, a in zip(scanned, in_axes)} - {None}
    if len(lengths) > 1:
        raise NodeError(f"the scan inputs' scan axes differ in length: {', '.join(map(str, sorted(lengths)))}")
    steps = lengths.pop() if lengths else None   # None: the first input's length, read at run time
    if steps is None:
        axis = e.emit(f"arith.constant {in_axes[0]} : index")
        upper = e.emit(f"tensor.dim {e.materialize(scanned[0])}, {axis} : {scanned[0].type}")
    else:
        upper = e.emit(f"arith.constant {steps} : index")
    iv = e.fresh()
    args = [e.fresh() for _ in states]
    bufs = [e.fresh() for _ in range(len(body.output) - len(states))]
    lines = []
    with e.region(lines):
        last = e.emit(f"arith.subi {upper}, {e.emit('arith.constant 1 : index')} : index")
        backwards = e.emit(f"arith.subi {last}, {iv} : index")
        inputs = [Value(v.shape, v.dtype, ssa=a) for v, a in zip(states, args)]
        for v, axis, reverse in zip(scanned, in_axes, in_dirs):
            shape = v.shape[:axis] + v.shape[axis + 1:]
            offsets = ["0"] * v.rank
            offsets[axis] = backwards if reverse else iv
            if None in shape:
                raise NodeError(f"scan input {fmt_shape(v.shape)} has a dynamic dimension off its scan axis")
            sizes = list(v.shape)
            sizes[axis] = 1
            inputs.append(Value(shape, v.dtype, ssa=e.emit(
                f"tensor.extract_slice {e.materialize(v)}[{', '.join(offsets)}] [{', '.join(map(str, sizes))}] "
                f"[{', '.join(['1'] * v.rank)}] : {v.type} to {tensor_type(shape, v.dtype)}")))
        outputs = tensor_inputs(node.graph.subgraph(body, inputs, "body"), "body output")
        yielded = carry(e, states, outputs, "state")
        stacked = []
        for buf, out, reverse in zip(bufs, outputs[len(states):], out_dirs):
            check_static(out)
            stacked.append(Value((steps,) + out.shape, out.dtype))
            yielded.append(insert_row(e, out, buf, backwards if reverse else iv, stacked[-1]))
    inits = [e.materialize(v) for v in states]
    inits += [e.emit(f"tensor.empty({'' if steps is not None else upper}) : {v.type}") for v in stacked]
    outs = emit_for(e, iv, upper, args + bufs, inits, states + stacked, lines, yielded)
    for i, axis in enumerate(out_axes):
        v = outs[len(states) + i]
        axis %= v.rank
        perm = list(range(1, axis + 1)) + [0] + list(range(axis + 1, v.rank))
        outs[len(states) + i] = e.transpose(v, perm)
    return outs


def convert_any_scan(node):
    return convert_scan8(node) if node.opset < 9 else convert_scan(node)


CONVERTERS = {"If": convert_if, "Loop": convert_loop, "Scan": convert_any_scan}
