"""Whole models side by side (issue #13): ResNet-50 and SqueezeNet (the onnx
package's light models with seeded random weights, as tests/model_corpus.py
builds them) and a BERT-style encoder (2 layers, d=256, seq 128, built with
onnx.helper), each through

  - iree-lite: `iree-lite import-onnx` + `compile`, then calls in-process;
  - IREE llvm-cpu: iree-import-onnx + iree-compile + iree-benchmark-module;
  - onnxruntime (CPU provider);

timed per inference (best of several), with iree-lite's and IREE's outputs
checked against onnxruntime's (rtol 1e-3). Also the import and compile wall
times and compile peak memory of both compilers. On N workers, iree-lite's
1 -> N speedup, and its N-worker calls' throughput over N single-worker
copies' side by side (what splitting a call costs, the machine held
fixed), from the same rounds (compare.split_scaling).

    python bench/models.py [--models resnet50,squeezenet,bert] [--workers N]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

from compare import best, iree_benchmark, iree_tools, parallel_capacity, split_scaling, timed  # noqa: E402

RTOL, ATOL = 1e-3, 1e-5


def light_model(name):
    import onnx
    import model_corpus
    model = model_corpus.randomize_weights(onnx.load(model_corpus.light_models()[name]), seed=0)
    return onnx.version_converter.convert_version(model, 17)


def bert_encoder(layers=2, seq=128, dim=256, heads=4, hidden=1024, seed=0):
    """A BERT-style encoder of primitive ONNX ops: per layer self-attention,
    erf-GELU feed-forward, residuals and LayerNormalization; random weights."""
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(seed)
    hd = dim // heads
    weights = {"heads_shape": np.array([1, seq, heads, hd], np.int64), "flat_shape": np.array([1, seq, dim], np.int64),
               "scale": np.array(1 / np.sqrt(hd), np.float32), "sqrt2": np.array(np.sqrt(2), np.float32),
               "one": np.array(1, np.float32), "half": np.array(0.5, np.float32)}
    nodes = []

    def node(op, ins, outs, **attrs):
        nodes.append(helper.make_node(op, ins, outs, **attrs))

    x = "x"
    for i in range(layers):
        def w(name, *shape, scale=None):
            fan_in = shape[0] if len(shape) == 2 else 1
            value = rng.standard_normal(shape) * (scale if scale is not None else 1 / np.sqrt(fan_in))
            weights[f"{name}{i}"] = value.astype(np.float32)
            return f"{name}{i}"
        v = lambda name: f"{name}{i}"  # noqa: E731
        for p in "qkv":
            node("MatMul", [x, w(f"w{p}", dim, dim)], [v(f"{p}0")])
            node("Add", [v(f"{p}0"), w(f"b{p}", dim, scale=0.1)], [v(f"{p}1")])
            node("Reshape", [v(f"{p}1"), "heads_shape"], [v(f"{p}2")])
            node("Transpose", [v(f"{p}2")], [v(f"{p}3")], perm=[0, 2, 3, 1] if p == "k" else [0, 2, 1, 3])
        node("MatMul", [v("q3"), v("k3")], [v("s0")])
        node("Mul", [v("s0"), "scale"], [v("s1")])
        node("Softmax", [v("s1")], [v("s2")], axis=-1)
        node("MatMul", [v("s2"), v("v3")], [v("a0")])
        node("Transpose", [v("a0")], [v("a1")], perm=[0, 2, 1, 3])
        node("Reshape", [v("a1"), "flat_shape"], [v("a2")])
        node("MatMul", [v("a2"), w("wo", dim, dim)], [v("a3")])
        node("Add", [v("a3"), w("bo", dim, scale=0.1)], [v("a4")])
        node("Add", [v("a4"), x], [v("r1")])
        weights[v("ln1s")] = (np.abs(rng.standard_normal(dim)) + 0.5).astype(np.float32)
        node("LayerNormalization", [v("r1"), v("ln1s"), w("ln1b", dim, scale=0.1)], [v("n1")])
        node("MatMul", [v("n1"), w("w1", dim, hidden)], [v("f0")])
        node("Add", [v("f0"), w("b1", hidden, scale=0.1)], [v("f1")])
        node("Div", [v("f1"), "sqrt2"], [v("g0")])
        node("Erf", [v("g0")], [v("g1")])
        node("Add", [v("g1"), "one"], [v("g2")])
        node("Mul", [v("f1"), v("g2")], [v("g3")])
        node("Mul", [v("g3"), "half"], [v("g4")])
        node("MatMul", [v("g4"), w("w2", hidden, dim)], [v("f2")])
        node("Add", [v("f2"), w("b2", dim, scale=0.1)], [v("f3")])
        node("Add", [v("f3"), v("n1")], [v("r2")])
        weights[v("ln2s")] = (np.abs(rng.standard_normal(dim)) + 0.5).astype(np.float32)
        out = "y" if i == layers - 1 else v("out")
        node("LayerNormalization", [v("r2"), v("ln2s"), w("ln2b", dim, scale=0.1)], [out])
        x = out
    f = TensorProto.FLOAT
    graph = helper.make_graph(nodes, "bert_encoder", [helper.make_tensor_value_info("x", f, [1, seq, dim])],
                              [helper.make_tensor_value_info("y", f, [1, seq, dim])],
                              [numpy_helper.from_array(a, n) for n, a in weights.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


MODELS = {"resnet50": lambda: light_model("resnet50"), "squeezenet": lambda: light_model("squeezenet"),
          "bert": bert_encoder}


def report(row, name, value, unit):
    row[name] = value
    print(f"    {name:36s} {value:10.3f} {unit}" if isinstance(value, float) else f"    {name:36s} {value}")


def lite_vmfb(name, onnx_path, tmp, row):
    """`iree-lite import-onnx` and `compile` of a model, timed into `row`:
    the module's path, or None where either failed (said in `row`)."""
    lite = [sys.executable, "-m", "iree_lite"]
    mlir, vmfb = os.path.join(tmp, f"{name}.mlir"), os.path.join(tmp, f"{name}.lite.vmfb")
    for step, cmd in (("import-onnx", [*lite, "import-onnx", onnx_path, "-o", mlir]),
                      ("compile", [*lite, "compile", mlir, "-o", vmfb])):
        seconds, peak, proc = timed(cmd)
        if proc.returncode:
            report(row, f"iree-lite {step}", f"FAILED: {proc.stderr.strip().splitlines()[-2:]}", "")
            return None
        report(row, f"iree-lite {step}", seconds, "s")
    report(row, "iree-lite compile peak memory", peak, "MiB")
    return vmfb


def saved_model(name, tmp):
    """(path, input name, seeded input) of a model saved under tmp."""
    import onnx
    import model_corpus
    model = MODELS[name]()
    path = os.path.join(tmp, f"{name}.onnx")
    onnx.save(model, path)
    (input_name, shape), = model_corpus.data_inputs(model)
    return path, input_name, np.random.default_rng(1).standard_normal(shape).astype(np.float32)


def run_model(name, tools, tmp, workers):
    import onnxruntime as ort
    path, input_name, x = saved_model(name, tmp)
    np.save(os.path.join(tmp, "x.npy"), x)
    options = ort.SessionOptions()
    options.intra_op_num_threads = workers
    options.log_severity_level = 3   # not its warnings of unused initializers
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    want, = session.run(None, {input_name: x})
    print(f"\n{name}: input {input_name} {x.shape}")
    row = {}
    report(row, "onnxruntime per inference", best(lambda: session.run(None, {input_name: x}), repeat=5), "ms")

    vmfb = lite_vmfb(name, path, tmp, row)
    if vmfb:
        from iree_lite.api import load_vm_flatbuffer_file
        module = load_vm_flatbuffer_file(vmfb, driver="local-task")
        fn = module[module.exports[0]]
        have = np.asarray(fn(x).to_host())
        report(row, "iree-lite matches onnxruntime", bool(np.allclose(have, want, rtol=RTOL, atol=ATOL)), "")
        if workers > 1:   # issue 13 asks 1 -> 2 workers >= 1.8x
            from iree_lite.api import load_vm_flatbuffer
            one, *copies = (load_vm_flatbuffer(vmfb, driver="local-task", workers=1)[module.exports[0]]
                            for _ in range(workers + 1))
            scaling = split_scaling(lambda: one(x), lambda: fn(x), [lambda copy=copy: copy(x) for copy in copies])
            report(row, "iree-lite per inference", scaling["split"], "ms")
            report(row, "iree-lite per inference, 1 worker", scaling["single"], "ms")
            report(row, f"iree-lite 1 -> {workers} workers", scaling["speedup"], "x")
            report(row, f"iree-lite {workers} workers / {workers} copies apart", scaling["share of copies"], "x")
        else:
            report(row, "iree-lite per inference", best(lambda: fn(x), repeat=5), "ms")

    if tools["iree-compile"]:
        torch_mlir, ref = os.path.join(tmp, f"{name}.torch.mlir"), os.path.join(tmp, f"{name}.iree.vmfb")
        seconds, _, proc = timed(["iree-import-onnx", "--opset-version", "17", path, "-o", torch_mlir])
        if not proc.returncode:
            report(row, "iree-import-onnx", seconds, "s")
            seconds, peak, proc = timed([tools["iree-compile"], "--iree-hal-target-backends=llvm-cpu",
                                         "--iree-llvmcpu-target-cpu=host", torch_mlir, "-o", ref])
        if proc.returncode:
            report(row, "IREE llvm-cpu", f"FAILED: {proc.stderr.strip().splitlines()[-2:]}", "")
        else:
            report(row, "iree-compile llvm-cpu", seconds, "s")
            report(row, "iree-compile peak memory", peak, "MiB")
            out = os.path.join(tmp, "y.npy")
            subprocess.run([tools["iree-run-module"], f"--module={ref}", f"--input=@{tmp}/x.npy",
                            f"--output=@{out}"], check=True, capture_output=True, timeout=600)
            report(row, "IREE matches onnxruntime", bool(np.allclose(np.load(out), want, rtol=RTOL, atol=ATOL)), "")
            function = re.search(r"func\.func @([\w$.-]+)", open(torch_mlir).read()).group(1)
            ms = iree_benchmark(tools, [ref], function, [f"@{tmp}/x.npy"], "local-task", workers)
            report(row, "IREE llvm-cpu per inference", ms if ms is not None else "n/a", "ms")
    for other in ("IREE llvm-cpu per inference", "onnxruntime per inference"):
        if isinstance(row.get("iree-lite per inference"), float) and isinstance(row.get(other), float):
            print(f"    iree-lite / {other.split(' per')[0]:22s} {row['iree-lite per inference'] / row[other]:10.2f}x")
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    tools = iree_tools()
    print(f"iree-lite model benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
          f"{args.workers} workers")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            run_model(name, tools, tmp, args.workers)
            parallel_capacity()


if __name__ == "__main__":
    main()
