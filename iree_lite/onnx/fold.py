"""Import-time evaluation of nodes whose inputs are all known (shape
computations, weight transforms), with onnx's reference evaluator."""
import numpy as np

from .emitter import Value

# Values folded only up to this many elements: larger ones (a weight
# transform) are cheaper to compute at run time than to store twice.
MAX_FOLDED_ELEMENTS = 1 << 22

# Never folded: random, or with no inputs to be known.
NOT_FOLDED = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial",
              "Bernoulli", "Dropout"}


def fold(node):
    """The node's outputs as constant Values, or None to convert it."""
    proto = node.proto
    if proto.op_type == "Shape" and node.inputs and node.inputs[0] is not None:
        return fold_shape(node)
    if proto.op_type in NOT_FOLDED or any(v is None or v.const is None for v in node.inputs if v is not None):
        return None
    if proto.op_type != "Constant" and not any(v is not None for v in node.inputs):
        return None
    if proto.op_type == "ConstantOfShape":
        return None   # a splat: the converter keeps it as one
    if sum(v.const.size for v in node.inputs if v is not None) > MAX_FOLDED_ELEMENTS:
        return None
    outputs = evaluate(node)
    if outputs is None:
        return None
    return [Value(a.shape, a.dtype, const=a) for a in outputs]


def fold_shape(node):
    v = node.inputs[0]
    start, end = node.attrs.get("start", 0), node.attrs.get("end", None)
    dims = v.shape[start:end] if end is not None else v.shape[start:]
    if None in dims:
        return None
    array = np.array(dims, np.int64)
    return [Value(array.shape, array.dtype, const=array)]


def evaluate(node):
    """Run the node alone on its constant inputs; None where the reference
    evaluator cannot."""
    from onnx import helper
    from onnx.reference import ReferenceEvaluator
    proto = node.proto
    names = [f"in{i}" if n else "" for i, n in enumerate(proto.input)]
    single = helper.make_node(proto.op_type, names, [f"out{i}" for i in range(len(proto.output))],
                              domain=proto.domain)
    single.attribute.extend(proto.attribute)
    feeds = {name: v.const for name, v in zip(names, node.inputs) if name}
    graph = helper.make_graph([single], "fold", [helper.make_tensor_value_info(n, 0, None) for n in feeds],
                              [helper.make_tensor_value_info(o, 0, None) for o in single.output])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", node.opset)])
    try:
        results = ReferenceEvaluator(model).run(None, feeds)
    except Exception:   # unsupported by the reference: convert the node instead
        return None
    if any(isinstance(r, list) for r in results):   # a sequence: the converter makes its list of Values
        return None
    arrays = [np.asarray(r) for r in results]
    if any(a.dtype == object or a.size > MAX_FOLDED_ELEMENTS for a in arrays):
        return None
    for a in node.attrs.values:   # folding reads every attribute
        node.attrs.read.add(a)
    return arrays
