"""Real model graphs as IREE's own importer lowers them, run by iree-lite.

The onnx package's light models go through `iree-import-onnx --opset-version 17` and
`iree-compile --compile-to=input`; the ABI wrapper IREE adds (hal.buffer_view
arguments and fences) is rewritten into a plain `func.func` over tensors, which is
what any linalg compiler takes (see shared/reference/models-through-iree.md).
"""
import os
import re
import subprocess

import numpy as np

# Light models whose splat weights are replaced by seeded random ones, so that
# their outputs depend on every layer (small enough to compile quickly).
RANDOM_WEIGHTS = ("squeezenet", "shufflenet")


def light_models():
    """{name: path} of the onnx package's light models."""
    import onnx
    folder = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light")
    return {name[len("light_"):-len(".onnx")]: os.path.join(folder, name)
            for name in sorted(os.listdir(folder)) if name.endswith(".onnx")}


def randomize_weights(model, seed):
    """Replace each ConstantOfShape weight by a seeded random initializer: He-scaled
    for filters and matrices, in [0.5, 1.5) for 1-D parameters (BatchNorm variances
    must be positive). IR version 3 needs each initializer listed as an input too."""
    import onnx
    from onnx import numpy_helper
    rng = np.random.default_rng(seed)
    shapes = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    kept = []
    for node in model.graph.node:
        if node.op_type != "ConstantOfShape" or node.input[0] not in shapes:
            kept.append(node)
            continue
        shape = tuple(int(d) for d in shapes[node.input[0]])
        if len(shape) >= 2:
            weight = rng.standard_normal(shape) * np.sqrt(2.0 / max(1, int(np.prod(shape[1:]))))
        else:
            weight = rng.uniform(0.5, 1.5, shape)
        tensor = numpy_helper.from_array(weight.astype(np.float32), node.output[0])
        model.graph.initializer.append(tensor)
        model.graph.input.append(onnx.helper.make_tensor_value_info(node.output[0], onnx.TensorProto.FLOAT, shape))
    del model.graph.node[:]
    model.graph.node.extend(kept)
    return model


def data_inputs(model):
    """The graph inputs that are not initializers: (name, shape) each."""
    weights = {t.name for t in model.graph.initializer}
    return [(i.name, tuple(d.dim_value for d in i.type.tensor_type.shape.dim))
            for i in model.graph.input if i.name not in weights]


def lower_with_iree(model_path, workdir):
    """Input-level MLIR text for the model, as IREE's importer and compiler give it."""
    torch_mlir = os.path.join(workdir, "model.torch.mlir")
    input_mlir = os.path.join(workdir, "model.input.mlir")
    subprocess.run(["iree-import-onnx", "--opset-version", "17", model_path, "-o", torch_mlir],
                   check=True, capture_output=True, timeout=600)
    subprocess.run(["iree-compile", "--compile-to=input", "--mlir-print-elementsattrs-with-hex-if-larger=64",
                    torch_mlir, "-o", input_mlir], check=True, capture_output=True, timeout=600)
    return open(input_mlir).read()


_ASYNC = re.compile(r"^\s*util\.func public @([\w.-]+)\$async\(")
_IMPORT = re.compile(r"^\s*(%[\w.#-]+) = hal\.tensor\.import wait\(%\w+\) => (%arg\d+) : !hal\.buffer_view -> (.+)$")
_BARRIER = re.compile(r"^\s*(%[\w.-]+)(?::\d+)? = hal\.tensor\.barrier join\((.*)\) => %\w+ : !hal\.fence$")
_EXPORT = re.compile(r"^\s*(%[\w.-]+) = hal\.tensor\.export (%[\w.#-]+) : .*$")
_RETURN = re.compile(r"^\s*util\.return (.*) : .*$")


def plain_function(text):
    """IREE's `NAME$async` ABI function as `func.func @NAME` over tensors: each
    hal.tensor.import becomes an argument (in argument order), the barrier's joined
    values are returned in the order the exports return them, and the synchronous
    wrapper goes. Module-level text outside the functions is kept."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if _ASYNC.match(line))
    end = next(i for i in range(start + 1, len(lines)) if lines[i] == "  }")
    name = _ASYNC.match(lines[start]).group(1)
    args, joined, exported, body, results = [], {}, {}, [], []
    for line in lines[start + 1:end]:
        if m := _IMPORT.match(line):
            args.append((int(m.group(2)[4:]), m.group(1), m.group(3)))
        elif m := _BARRIER.match(line):
            values = [v.strip().rsplit(" : ", 1) for v in _split_top(m.group(2))]
            for k, (value, type_) in enumerate(values):
                joined[f"{m.group(1)}#{k}" if len(values) > 1 else m.group(1)] = (value, type_)
        elif m := _EXPORT.match(line):
            exported[m.group(1)] = joined[m.group(2)]
        elif m := _RETURN.match(line):
            results = [exported[v.strip()] for v in m.group(1).split(",")]
        else:
            body.append(line)
    signature = ", ".join(f"{ssa}: {type_}" for _, ssa, type_ in sorted(args))
    returns = ", ".join(v for v, _ in results)
    types = ", ".join(t for _, t in results)
    function = [f"  func.func @{name}({signature}) -> ({types}) {{", *body,
                f"    return {returns} : {types}", "  }"]
    wrapper_end = next(i for i in range(end + 1, len(lines)) if lines[i] == "  }")
    return "\n".join(lines[:start] + function + lines[wrapper_end + 1:]) + "\n"


def _split_top(text):
    """Split at the commas outside <...> and (...)."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += ch
    return parts + [current]
