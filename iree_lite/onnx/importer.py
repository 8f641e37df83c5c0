"""ONNX model -> MLIR text at IREE's input level (func, arith, math, tensor,
linalg), one `func.func` named after the graph.

The graph is walked in order. Values known at import time (initializers,
Constant, Shape of a static tensor, and any node whose inputs are all known)
are folded with onnx's reference evaluator and emitted as constants only where
a computed op uses them; that is how shape computations (Shape, Gather,
Concat, ... feeding a Reshape) become the static shapes MLIR needs.
"""
import os
import re

import numpy as np

from .emitter import Emitter, NodeError, Sequence, Value, element_type, fmt_shape
from .shapes import declared_shapes


class OnnxImportError(Exception):
    """A model iree-lite cannot import; str() is the one-line message."""


def require_onnx():
    try:
        import onnx
    except ImportError:
        raise OnnxImportError("importing ONNX models needs the onnx package: "
                              "pip install 'iree-lite[onnx]'") from None
    return onnx


def load_model(source, opset=None, data_dir=None, data_prop=False):
    """A ModelProto from a path or a ModelProto: external data loaded,
    converted to `opset` when given, shapes inferred."""
    onnx = require_onnx()
    from google.protobuf.message import DecodeError
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        from ..fileio import open_input
        try:
            with open_input(path) as f:
                model = onnx.load(f, load_external_data=False)
        except OSError as e:
            raise OnnxImportError(f"cannot read '{path}': {e.strerror or e}") from None
        except (DecodeError, RuntimeError, ValueError) as e:
            raise OnnxImportError(f"'{path}' is not a valid ONNX model: {e}") from None
        if model.ir_version == 0:   # every ONNX writer sets it; an empty file parses as an empty model
            raise OnnxImportError(f"'{path}' is not a valid ONNX model: it has no IR version (an empty file?)")
        base = data_dir if data_dir is not None else os.path.dirname(os.path.abspath(path))
    else:
        model, base = source, data_dir
    if uses_external_data(model):
        if base is None:
            raise OnnxImportError("the model keeps weights in external data files; give their folder (--data-dir)")
        from onnx.external_data_helper import load_external_data_for_model
        try:
            load_external_data_for_model(model, base)
        except Exception as e:   # OSError, or onnx's checker refusing the file
            raise OnnxImportError(f"cannot load the model's external data from '{base}': "
                                  f"{getattr(e, 'strerror', None) or e}") from None
    if opset is not None:
        from onnx import version_converter
        try:
            model = version_converter.convert_version(model, opset)
        except Exception as e:   # the converter raises bare RuntimeErrors and others
            raise OnnxImportError(f"cannot convert the model to opset {opset}: {first_line(e)}") from None
    try:
        model = onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=data_prop)
    except Exception as e:   # onnx's InferenceError and the C++ errors it wraps
        raise OnnxImportError(f"shape inference failed: {first_line(e)}") from None
    return model


def uses_external_data(model):
    from onnx.external_data_helper import _get_all_tensors, uses_external_data as external
    return any(external(t) for t in _get_all_tensors(model))


def first_line(e):
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


WEIGHTS = ("resource", "inline")


def import_model(source, opset=None, weights="resource", data_dir=None, data_prop=False):
    """MLIR text for an ONNX model (a path or a ModelProto). weights:
    `resource` (dense_resource blobs in a trailing dialect_resources
    section) or `inline` (hex dense literals); both are exact."""
    if weights not in WEIGHTS:
        raise OnnxImportError(f"weights must be one of {', '.join(WEIGHTS)}, not '{weights}'")
    model = load_model(source, opset, data_dir, data_prop)
    return GraphImporter(model, weights).run()


class Attrs:
    """A node's attributes; those no converter read are reported as unsupported."""

    def __init__(self, node):
        from onnx import helper
        self.values = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        self.read = set()

    def get(self, name, default=None):
        self.read.add(name)
        value = self.values.get(name, default)
        return value.decode() if isinstance(value, bytes) else value

    def __contains__(self, name):
        return name in self.values

    def unread(self):
        return [n for n in self.values if n not in self.read]


class Node:
    """What a converter sees: the node, its input Values (None for an
    omitted optional input), attributes, opset and the emitter."""

    def __init__(self, proto, inputs, opset, emitter, label="", declared=None, graph=None):
        self.proto, self.inputs, self.opset, self.e = proto, inputs, opset, emitter
        self.graph = graph   # the GraphImporter, which imports the node's subgraphs
        self.attrs = Attrs(proto)
        self.op_type = proto.op_type
        self.label = label   # names the node in run-time check messages
        self.declared = declared or {}

    def input(self, i):
        return self.inputs[i] if i < len(self.inputs) else None

    def const_input(self, i, what=None):
        """Input i's array, which must be known at import time (None if omitted)."""
        v = self.input(i)
        if v is None:
            return None
        if v.const is None and 0 in v.shape:   # no elements: nothing to wait for
            return np.zeros(v.shape, v.dtype)
        if v.const is None:
            raise NodeError(f"input {i} ('{self.proto.input[i]}'{', ' + what if what else ''}) must be a "
                            "constant known at import time")
        return v.const

    def known(self, i):
        """Whether input i is omitted or its value is known at import time."""
        v = self.input(i)
        return v is None or v.const is not None or 0 in v.shape

    def output_shape(self, index, because):
        """Output `index`'s shape as the model declares it (graph outputs,
        value_info, onnx shape inference), which must be static: `because`
        says which run-time operand needs it."""
        name = self.proto.output[index] if index < len(self.proto.output) else ""
        shape = self.declared.get(name)
        if shape is None or None in shape:
            raise NodeError(f"{because} is known only at run time, so output {index} ('{name}') needs a static "
                            f"declared shape (it has {'none' if shape is None else fmt_shape(shape)})")
        return shape


ONNX_FUNCTION_NAME = re.compile(r"^[A-Za-z_][\w$.]*$")


class GraphImporter:
    def __init__(self, model, weights):
        self.model, self.graph = model, model.graph
        self.opsets = {o.domain or "ai.onnx": o.version for o in model.opset_import}
        self.e = Emitter(weights)
        self.values = {}
        self.declared = declared_shapes(self.graph)
        self.add_initializers(self.graph)

    def add_initializers(self, graph):
        from onnx import numpy_helper
        for t in graph.initializer:
            try:
                array = numpy_helper.to_array(t)
            except Exception as e:
                raise OnnxImportError(f"initializer '{t.name}': {first_line(e)}") from None
            self.values[t.name] = Value(array.shape, array.dtype, const=array)

    def run(self):
        args = []
        for i, vi in enumerate(self.graph.input):
            if vi.name in self.values:
                continue
            shape, dtype = value_info_type(vi, f"graph input '{vi.name}'")
            v = Value(shape, dtype, ssa=f"%arg{len(args)}")
            args.append((vi.name, v))
            self.values[vi.name] = v
        self.import_nodes()
        self.arguments = args
        return self.function_text(args)

    def import_nodes(self):
        for index, proto in enumerate(self.graph.node):
            opset = self.opsets.get(proto.domain or "ai.onnx")
            label = f"node '{node_name(proto, index)}' ({proto.op_type}, opset {opset})"
            undefined = [n for n in proto.input if n and n not in self.values]
            if undefined:
                raise OnnxImportError(f"{label}: input '{undefined[0]}' is not defined before it")
            try:
                self.convert(proto, opset, label)
            except NodeError as e:
                raise OnnxImportError(f"{label}: {e}") from None
            except Exception as e:   # a form no converter expects: still one line naming the node
                raise OnnxImportError(f"{label}: cannot convert it: {type(e).__name__}: {first_line(e)}") from None

    def subgraph(self, graph, inputs, what):
        """The output Values of `graph` (a node's attribute, named `what` in
        errors) on the Values `inputs` for its inputs, its nodes emitted where
        the emitter is now; names of the enclosing graphs stay visible."""
        import copy
        from collections import ChainMap
        inner = copy.copy(self)   # the model, opsets and emitter shared
        inner.graph = graph
        inner.values = ChainMap({}, self.values)
        inner.declared = ChainMap(declared_shapes(graph), self.declared)
        inner.add_initializers(graph)
        if len(inputs) != len(graph.input):
            raise NodeError(f"{what} takes {len(graph.input)} inputs, not {len(inputs)}")
        for vi, v in zip(graph.input, inputs):
            inner.values.maps[0][vi.name] = v
        try:
            inner.import_nodes()
        except OnnxImportError as e:
            raise NodeError(f"{what}: {e}") from None
        missing = [o.name for o in graph.output if o.name not in inner.values]
        if missing:
            raise NodeError(f"{what}: output '{missing[0]}' is not computed by any node")
        return [inner.values[o.name] for o in graph.output]

    def convert(self, proto, opset, label):
        from .fold import fold
        from .ops import CONVERTERS
        if proto.domain not in ("", "ai.onnx"):
            raise NodeError(f"operator domain '{proto.domain}' is not supported")
        node = Node(proto, [self.values[n] if n else None for n in proto.input], opset, self.e, label,
                    self.declared, self)
        if proto.op_type == "Identity" and isinstance(node.inputs[0], Sequence):
            return self.bind(proto, [node.inputs[0]])
        outputs = fold(node)
        if outputs is None:
            converter = CONVERTERS.get(proto.op_type)
            if converter is None:
                raise NodeError(f"operator '{proto.op_type}' is not supported")
            outputs = converter(node)
            unread = node.attrs.unread()
            if unread:
                raise NodeError(f"attribute '{unread[0]}' is not supported")
        self.bind(proto, outputs)

    def bind(self, proto, outputs):
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        if len([o for o in proto.output if o]) > len(outputs):
            raise NodeError(f"output {len(outputs)} ('{proto.output[len(outputs)]}') is not supported")
        for name, v in zip(proto.output, outputs):
            if name:
                self.values[name] = v

    def function_text(self, args):
        results = []
        self.results = []   # (name, Value or Sequence): a sequence is one function result per element
        for vi in self.graph.output:
            if vi.name not in self.values:
                raise OnnxImportError(f"graph output '{vi.name}' is not computed by any node")
            v = self.values[vi.name]
            elements = [(f"{vi.name}[{i}]", x) for i, x in enumerate(v.items)] if isinstance(v, Sequence) \
                else [(vi.name, v)]
            try:
                results += [(name, self.e.materialize(x), x.type) for name, x in elements]
                self.results.append((vi.name, v))
            except NodeError as e:
                raise OnnxImportError(f"graph output '{vi.name}': {e}") from None
        name = self.graph.name or "main"
        symbol = f"@{name}" if ONNX_FUNCTION_NAME.match(name) else f'@"{escape(name)}"'
        params = ", ".join(f"{v.ssa}: {v.type}" for _, v in args)
        reflection = (f'onnx.inputs = "{escape(",".join(n for n, _ in args))}", '
                      f'onnx.outputs = "{escape(",".join(n for n, _, _ in results))}"')
        lines = [f"func.func {symbol}({params}) -> ({', '.join(t for _, _, t in results)}) "
                 f"attributes {{iree.reflection = {{{reflection}}}}} {{"]
        lines += self.e.lines
        lines.append(f"  return {', '.join(s for _, s, _ in results)} : {', '.join(t for _, _, t in results)}"
                     if results else "  return")
        lines.append("}")
        return "\n".join(lines) + "\n" + self.e.resource_section()


def node_name(proto, index):
    """The node's name, else its first output's, else its position."""
    return proto.name or next((o for o in proto.output if o), f"#{index}")


def escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def value_info_type(vi, what):
    """(shape, dtype) of a tensor ValueInfoProto; dim_param dimensions are None."""
    from onnx import helper
    t = vi.type
    if t.WhichOneof("value") == "sequence_type":
        raise OnnxImportError(f"{what} is a sequence, whose length is known only at run time: "
                              "only sequences built inside the model are supported")
    if t.WhichOneof("value") != "tensor_type":
        raise OnnxImportError(f"{what}: only tensor types are supported, not {t.WhichOneof('value')}")
    tt = t.tensor_type
    try:
        dtype = helper.tensor_dtype_to_np_dtype(tt.elem_type)
        element_type(dtype)
    except (KeyError, NodeError):
        from onnx import TensorProto
        raise OnnxImportError(f"{what}: element type {TensorProto.DataType.Name(tt.elem_type)} "
                              "is not supported") from None
    if not tt.HasField("shape"):
        raise OnnxImportError(f"{what}: its rank is unknown")
    shape = tuple(d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim)
    return shape, dtype


