"""iree-lite's worker curve (issue 13: "where a machine with more cores is
lent, the curve to 16 workers recorded"): the 4M chain, the ResNet
convolution and the whole models (bench/models.py) on local-task at each
worker count, with onnxruntime at the same thread counts beside the
convolution and the models. Each workload's counts are timed in turn
(compare.best_each), so a machine that drifts weighs on all of them alike.

    python bench/curve.py [--workers 1,2,4,8,16] [--models resnet50,squeezenet,bert|none]
"""
import argparse
import os
import platform
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

from compare import CONV, N_CHAIN, SCALING_TIMING, best_each, chain_source, onnx_conv_session  # noqa: E402
from iree_lite import _vm  # noqa: E402   (compare.py put the checkout on sys.path)
from iree_lite.compiler import compile_module  # noqa: E402
from iree_lite.isa import ELEMENT_CODES  # noqa: E402
from iree_lite.runtime.context import Context  # noqa: E402


def print_curve(title, counts, lite, ort=()):
    """Times of the per-count calls `lite` (and `ort`, where given), taken in
    turn, with each one's speedup over its own first count."""
    times = best_each([*lite, *ort], **SCALING_TIMING)
    lite_ms, ort_ms = times[:len(lite)], times[len(lite):]
    print(f"\nCurve: {title} (speedup over {counts[0]} worker{'s' if counts[0] > 1 else ''})")
    print((f"  {'workers':>7s} {'iree-lite':>12s} {'':7s}" + (f" {'onnxruntime':>12s} {'':7s} {'lite/ort':>8s}" if ort else "")).rstrip())
    for i, w in enumerate(counts):
        line = f"  {w:7d} {lite_ms[i]:9.3f} ms {lite_ms[0] / lite_ms[i]:6.2f}x"
        if ort:
            line += f" {ort_ms[i]:9.3f} ms {ort_ms[0] / ort_ms[i]:6.2f}x {lite_ms[i] / ort_ms[i]:7.2f}x"
        print(line)


def kernel_curves(counts):
    """The 4M chain and the ResNet convolution on local-task at each count."""
    rng = np.random.default_rng(1)
    chain = [rng.standard_normal(N_CHAIN).astype(np.float32) for _ in range(3)]
    conv = [rng.standard_normal((1, 64, 56, 56)).astype(np.float32),
            rng.standard_normal((64, 64, 3, 3)).astype(np.float32)]
    for title, source, name, arrays in (("the 4M chain", chain_source(N_CHAIN), "chain", chain),
                                        ("conv 3x3 64->64 56x56", CONV, "conv", conv)):
        views = [_vm.BufferView.from_bytes(ELEMENT_CODES["f32"], a.shape, a) for a in arrays]
        module = compile_module(source, f"{name}.mlir")
        lite = []
        for w in counts:
            ctx = Context("local-task", w)
            ctx.load(module)
            lite.append(lambda ctx=ctx, fn=ctx.lookup(name): ctx.invoke(fn, views))
        sessions = [onnx_conv_session(w) for w in counts] if name == "conv" else []
        ort = [lambda s=s: s.run(None, {"x": arrays[0], "w": arrays[1]}) for s in sessions if s]
        print_curve(f"{title} on local-task", counts, lite, ort if len(ort) == len(counts) else ())


def model_curve(name, counts, tmp):
    import onnxruntime
    from models import ATOL, RTOL, lite_vmfb, saved_model
    from iree_lite.api import load_vm_flatbuffer
    path, input_name, x = saved_model(name, tmp)
    print(f"\n{name}: input {input_name} {x.shape}")
    vmfb = lite_vmfb(name, path, tmp, {})
    if not vmfb:
        return
    lite, ort = [], []
    for w in counts:
        module = load_vm_flatbuffer(vmfb, driver="local-task", workers=w)
        lite.append(lambda fn=module[module.exports[0]]: fn(x))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = w
        options.log_severity_level = 3   # not its warnings of unused initializers
        session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        ort.append(lambda s=session: s.run(None, {input_name: x}))
    want = ort[0]()[0]
    for w, fn in zip(counts, lite):   # every count's output, not only the first's
        if not np.allclose(np.asarray(fn().to_host()), want, rtol=RTOL, atol=ATOL):
            print(f"    iree-lite does NOT match onnxruntime on {w} workers")
            return
    print("    iree-lite matches onnxruntime on every count")
    print_curve(f"{name} per inference", counts, lite, ort)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default=",".join(str(w) for w in (1, 2, 4, 8, 16) if w <= os.cpu_count()),
                        help="worker counts, comma-separated")
    parser.add_argument("--models", default="resnet50,squeezenet,bert",
                        help="whole models (bench/models.py), comma-separated; 'none' for none")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    print(f"iree-lite worker curve, {time.strftime('%Y-%m-%d %H:%M')}, {cpu_name()}, {os.cpu_count()} cores")
    kernel_curves(counts)
    if args.models != "none":
        with tempfile.TemporaryDirectory() as tmp:
            for name in args.models.split(","):
                model_curve(name, counts, tmp)


if __name__ == "__main__":
    main()
