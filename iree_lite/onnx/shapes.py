"""The static shapes a model declares for its values (graph outputs,
value_info, onnx shape inference), refined backwards through element-wise
ops: the shape a node's result needs when an operand that gives it is known
only at run time (ReduceSum's axes, Reshape's shape, ...)."""

# Ops whose output has the shape of their first input.
SAME_SHAPE = {
    "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Cast", "CastLike", "Ceil", "Celu", "Clip",
    "Cos", "Cosh", "Elu", "Erf", "Exp", "Floor", "Gelu", "HardSigmoid", "HardSwish", "Identity", "IsInf",
    "IsNaN", "LeakyRelu", "Log", "LogSoftmax", "Mish", "Neg", "Not", "Reciprocal", "Relu", "Round", "Selu",
    "Sigmoid", "Sign", "Sin", "Sinh", "Softmax", "Softplus", "Softsign", "Sqrt", "Swish", "Tan", "Tanh",
    "ThresholdedRelu", "Trilu",
}

# Ops whose output is the multidirectional broadcast of their inputs.
BROADCASTING = {
    "Add", "And", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "Div", "Equal", "Greater",
    "GreaterOrEqual", "Less", "LessOrEqual", "Max", "Mean", "Min", "Mod", "Mul", "Or", "Pow", "PRelu",
    "Sub", "Sum", "Where", "Xor",
}


def tensor_shape(vi):
    """The shape of a ValueInfoProto (None for an unknown dimension), or
    None when it has no tensor shape."""
    t = vi.type
    if t.WhichOneof("value") != "tensor_type" or not t.tensor_type.HasField("shape"):
        return None
    return tuple(d.dim_value if d.HasField("dim_value") else None for d in t.tensor_type.shape.dim)


def declared_shapes(graph):
    """{value name: shape} of the graph's values, None for an unknown
    dimension: the more static of value_info and the graph outputs, then
    refined backwards through element-wise ops."""
    shapes = {}
    for vi in list(graph.value_info) + list(graph.output):
        shape = tensor_shape(vi)
        if shape is not None:
            shapes[vi.name] = merge(shapes.get(vi.name), shape)
    fixed = {vi.name: tensor_shape(vi) for vi in graph.input}
    fixed.update({t.name: tuple(t.dims) for t in graph.initializer})
    produced = {o for node in graph.node for o in node.output}
    for node in reversed(graph.node):
        refine_inputs(node, shapes, fixed, produced)
    return shapes


def merge(old, new):
    """Two views of one shape: each dimension where either knows it."""
    if old is None or len(old) != len(new):
        return new
    return tuple(a if a is not None else b for a, b in zip(old, new))


def refine_inputs(node, shapes, fixed, produced):
    """Input shapes that node's static output shape implies: all of it for
    a same-shape op; for a broadcasting op, each dimension the other inputs
    leave to this one (they have 1 there or do not reach it)."""
    if node.domain not in ("", "ai.onnx") or len(node.output) != 1:
        return
    out = shapes.get(node.output[0])
    if out is None or None in out:
        return
    def shape_of(name):
        return fixed[name] if name in fixed else shapes.get(name)
    if node.op_type in SAME_SHAPE and node.input and node.input[0] in produced:
        old = shapes.get(node.input[0])
        if old is None or (len(old) == len(out) and all(a in (None, b) for a, b in zip(old, out))):
            shapes[node.input[0]] = out
    if node.op_type not in BROADCASTING:
        return
    for k, name in enumerate(node.input):
        mine = shapes.get(name)
        if name not in produced or mine is None or len(mine) != len(out) or None not in mine:
            continue
        others = [shape_of(n) for j, n in enumerate(node.input) if n and j != k]
        if any(o is None for o in others):
            continue

        def left_to_me(i):
            return all(len(o) < len(out) - i or o[i - len(out) + len(o)] == 1 for o in others)
        shapes[name] = tuple(out[i] if d is None and (out[i] == 1 or left_to_me(i)) else d
                             for i, d in enumerate(mine))
