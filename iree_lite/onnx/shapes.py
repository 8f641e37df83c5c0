"""The static shapes a model declares for its values (graph outputs,
value_info, onnx shape inference), carried through element-wise ops both
ways: the shape a node's result needs when an operand that gives it is
known only at run time (ReduceSum's axes, Reshape's shape, Range's limit)."""

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
    dimension: what value_info, the graph's inputs, outputs and
    initializers say, with dimensions that element-wise ops make equal
    unified (forwards and backwards) until nothing changes."""
    dims, shapes = Dims(), {}
    for vi in list(graph.input) + list(graph.value_info) + list(graph.output):
        shape = tensor_shape(vi)
        if shape is not None:
            tie(dims, shapes, vi.name, [dims.new(d) for d in shape])
    for t in graph.initializer:
        tie(dims, shapes, t.name, [dims.new(d) for d in t.dims])
    nodes = [n for n in graph.node if n.domain in ("", "ai.onnx") and len(n.output) == 1 and n.input]
    for _ in range(MAX_PASSES):   # forwards, then backwards
        if not any([unify_node(dims, shapes, n) for n in nodes + nodes[::-1]]):
            break
    return {name: tuple(dims.value(d) for d in ids) for name, ids in shapes.items()}


# Passes over the graph at most: one more where a dimension found to be 1
# lets a broadcast tie others.
MAX_PASSES = 8


class Dims:
    """Dimension variables in equality classes, each with its size or None."""

    def __init__(self):
        self.parent, self.size = [], []

    def new(self, size=None):
        self.parent.append(len(self.parent))
        self.size.append(size)
        return len(self.parent) - 1

    def find(self, d):
        while self.parent[d] != d:
            self.parent[d] = self.parent[self.parent[d]]
            d = self.parent[d]
        return d

    def value(self, d):
        return self.size[self.find(d)]

    def union(self, a, b):
        """Make a and b one class; False where they already are or their
        sizes disagree (an inconsistent model, reported where it matters)."""
        a, b = self.find(a), self.find(b)
        if a == b or None not in (self.size[a], self.size[b]) and self.size[a] != self.size[b]:
            return False
        self.parent[b] = a
        self.size[a] = self.size[a] if self.size[a] is not None else self.size[b]
        return True


def tie(dims, shapes, name, ids):
    """name has the dimensions ids: taken if it had none, else unified
    with its own (when the ranks agree)."""
    if name not in shapes:
        shapes[name] = list(ids)
        return True
    mine = shapes[name]
    return len(mine) == len(ids) and any([dims.union(a, b) for a, b in zip(mine, ids)])


def unify_node(dims, shapes, node):
    """Equalities node's op makes between its input and output dimensions:
    a same-shape op's output is its first input's shape; a broadcasting op's
    output dimension is the one its inputs reaching it share, ignoring
    those known to be 1."""
    out = node.output[0]
    if node.op_type in SAME_SHAPE:
        first = node.input[0]
        if first in shapes:
            return tie(dims, shapes, out, shapes[first])
        return out in shapes and tie(dims, shapes, first, shapes[out])
    if node.op_type not in BROADCASTING:
        return False
    ins = [shapes.get(n) for n in node.input if n]
    if any(s is None for s in ins):
        return False
    rank = max(len(s) for s in ins)
    changed = out not in shapes and tie(dims, shapes, out, [dims.new() for _ in range(rank)])
    if len(shapes[out]) != rank:
        return changed
    for i, d in enumerate(shapes[out]):
        reaching = [s[i - rank + len(s)] for s in ins if len(s) >= rank - i]
        others = [r for r in reaching if dims.value(r) != 1]
        sized = [r for r in others if dims.value(r) is not None]
        if not others:
            if dims.value(d) is None:
                changed |= dims.union(d, dims.new(1))
        elif len({dims.find(r) for r in others}) == 1:
            changed |= dims.union(d, others[0])
        elif sized and len({dims.value(r) for r in sized}) == 1:   # the one size other than 1 there
            changed |= dims.union(d, sized[0])
    return changed
