"""The onnx package's node conformance suite (onnx.backend.test.case.node)
through iree-lite: each case's model imported, compiled, run on its first
data set and compared with its expected outputs at the case's tolerances.

`python tests/onnx_conformance.py` runs every case and rewrites
tests/onnx_conformance_passing.txt (the passing cases) and prints the pass
count per op for the README, and how many of the cases onnxruntime itself
passes pass here too (the issue's measure); tests/test_onnx_conformance.py
checks the list.
"""
import collections
import os
import sys
import warnings

import numpy as np

PASSING_LIST = "onnx_conformance_passing.txt"


def collect():
    """{case name: TestCase} of the node suite."""
    from onnx.backend.test.case.node import collect_testcases
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return {c.name: c for c in collect_testcases()}


def op_of(case):
    """The op a case tests: its single node's type, else `expanded` (a
    function body spelled out in primitive ops) or `multi-node`."""
    nodes = case.model.graph.node
    if len(nodes) == 1:
        return nodes[0].op_type
    return "expanded" if "expanded" in case.name else "multi-node"


def run_case(case):
    """'' when the case passes, else why not (one line)."""
    from iree_lite.compiler import compile_module
    from iree_lite.ir.core import Diagnostic
    from iree_lite.onnx.importer import GraphImporter, OnnxImportError, load_model
    from iree_lite.onnx.emitter import Sequence, signed_view
    from iree_lite.runtime.context import Context
    from iree_lite.vm.errors import VMError
    inputs, expected = case.data_sets[0]
    try:
        importer = GraphImporter(load_model(case.model), "resource")
        text = importer.run()
    except OnnxImportError as e:
        return f"import: {e}"
    try:
        module = compile_module(text, case.name)
    except Diagnostic as e:
        return f"compile: {str(e).splitlines()[0]}"
    try:
        ctx = Context("local-sync")
        ctx.load(module)
        args = [signed_view(np.array(as_array(x), order="C")) for x in inputs]
        flat = iter(ctx.invoke(ctx.lookup(module.exports[0].name), args))
    except VMError as e:
        return f"run: {e}"
    results = [[next(flat) for _ in v.items] if isinstance(v, Sequence) else next(flat) for _, v in importer.results]
    return mismatch([name for name, _ in importer.results], results, expected, case)


def run_case_onnxruntime(case):
    """'' when onnxruntime itself passes the case, else why not: the
    denominator of the issue's target is the cases onnxruntime passes."""
    import onnxruntime
    onnxruntime.set_default_logger_severity(3)   # its warnings about the cases' models are not ours to show
    inputs, expected = case.data_sets[0]
    try:
        session = onnxruntime.InferenceSession(case.model.SerializeToString(), providers=["CPUExecutionProvider"])
        feeds = {i.name: x if isinstance(x, list) else as_array(x) for i, x in zip(session.get_inputs(), inputs)}
        results = session.run(None, feeds)
    except Exception as e:   # onnxruntime's own refusal: an opset it lacks, a type, a kernel
        return f"onnxruntime: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    return mismatch([o.name for o in session.get_outputs()], results, expected, case)


def mismatch(names, results, expected, case):
    """'' when every result equals its expected output at the case's
    tolerances, else the first difference."""
    for name, have, want in zip(names, results, expected):
        if isinstance(want, list) or isinstance(have, list):
            if not isinstance(want, list) or not isinstance(have, list) or len(have) != len(want):
                return f"output '{name}': a sequence of another length"
            detail = mismatch([name] * len(want), have, want, case)
            if detail:
                return detail
            continue
        want = as_array(want)
        have = np.asarray(have)
        have = have.astype(np.bool_) if want.dtype == np.bool_ else have.view(want.dtype) \
            if have.dtype.itemsize == want.dtype.itemsize and have.dtype.kind != "O" else have
        if have.shape != want.shape or have.dtype != want.dtype:
            return f"output '{name}': {have.dtype}{list(have.shape)}, expected {want.dtype}{list(want.shape)}"
        if want.dtype.kind == "f":
            ok = np.allclose(have, want, rtol=case.rtol, atol=case.atol, equal_nan=True)
        else:
            ok = np.array_equal(have, want)
        if not ok:
            if want.dtype.kind not in "biuf":
                return f"output '{name}': differs"
            return f"output '{name}': max abs difference {np.max(np.abs(have.astype(float) - want.astype(float)))}"
    return ""


def as_array(data):
    """A data set entry as an array (some cases keep TensorProtos)."""
    from onnx import TensorProto, numpy_helper
    return numpy_helper.to_array(data) if isinstance(data, TensorProto) else np.asarray(data)


def per_op(names, cases):
    return collections.Counter(op_of(cases[n]) for n in names)


def main():
    cases = collect()
    passing, failures = [], collections.Counter()
    for i, (name, case) in enumerate(sorted(cases.items())):
        try:
            with np.errstate(all="ignore"):
                detail = run_case(case)
        except Exception as e:   # a bug in iree-lite: counted and shown, never hidden
            detail = f"internal: {type(e).__name__}: {e}"
        if detail:
            failures[detail.split(":")[0]] += 1
            print(f"FAIL {name}: {detail}", flush=True)
        else:
            passing.append(name)
            print(f"PASS {name}", flush=True)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), PASSING_LIST)
    with open(path, "w") as f:
        f.write("# onnx node conformance cases that pass through iree-lite, as `op case`\n"
                "# (rewritten by `python tests/onnx_conformance.py`).\n")
        f.writelines(f"{op_of(cases[n])} {n}\n" for n in passing)
    totals, passed = per_op(cases, cases), per_op(passing, cases)
    print(f"\n{len(passing)} of {len(cases)} cases pass; failures by stage: {dict(failures)}")
    with np.errstate(all="ignore"):
        by_onnxruntime = {name for name, case in cases.items() if not run_case_onnxruntime(case)}
    both = by_onnxruntime.intersection(passing)
    print(f"{len(both)} of the {len(by_onnxruntime)} cases onnxruntime passes "
          f"({100 * len(both) / len(by_onnxruntime):.1f}%)")
    print(", ".join(f"{op} {passed[op]}/{totals[op]}" for op in sorted(passed)))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main()
