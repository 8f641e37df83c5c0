"""The onnx node conformance suite through iree-lite (tests/onnx_conformance.py):
each op's listed cases must still pass (so no op's pass count drops), and a
case that now passes must be added to the list (and the README's counts).
Skips without the onnx extra."""
import collections

import numpy as np
import pytest

from passing_lists import read

pytest.importorskip("onnx")
onnx_conformance = pytest.importorskip("onnx_conformance")

LISTED = read(onnx_conformance.PASSING_LIST)
BY_OP = collections.defaultdict(list)
for line in sorted(LISTED):
    op, name = line.split()
    BY_OP[op].append(name)


@pytest.fixture(scope="module")
def cases():
    return onnx_conformance.collect()


def run(case):
    with np.errstate(all="ignore"):
        return onnx_conformance.run_case(case)


@pytest.mark.parametrize("op", sorted(BY_OP))
def test_listed_cases_pass(op, cases):
    failed = {name: detail for name in BY_OP[op] for detail in [run(cases[name])] if detail}
    assert not failed, f"{op}: {len(failed)} of {len(BY_OP[op])} listed cases now fail: {failed}"


def test_unlisted_cases_fail(cases):
    listed = {line.split()[1] for line in LISTED}
    passing = [name for name, case in sorted(cases.items()) if name not in listed and not run(case)]
    assert not passing, (f"now passing: {passing}; add them to tests/{onnx_conformance.PASSING_LIST} "
                         "(python tests/onnx_conformance.py) and the README's counts")


def test_outputs_are_compared_at_the_case_tolerances(cases):
    case = cases["test_abs"]
    _, (want,) = case.data_sets[0]
    assert onnx_conformance.mismatch(["y"], [want.copy()], [want], case) == ""
    have = want.copy()
    have.flat[7] = 0
    assert onnx_conformance.mismatch(["y"], [have], [want], case) == \
        f"output 'y': max abs difference {float(want.flat[7])}"
    assert onnx_conformance.mismatch(["y"], [want[:1]], [want], case) == \
        "output 'y': float32[1, 4, 5], expected float32[3, 4, 5]"


def test_onnxruntime_is_measured_on_the_same_cases(cases):
    pytest.importorskip("onnxruntime")
    assert onnx_conformance.run_case_onnxruntime(cases["test_abs"]) == ""
    assert onnx_conformance.run_case_onnxruntime(cases["test_adagrad"]).startswith(
        "onnxruntime: Fail: [ONNXRuntimeError] : 1 : FAIL : Fatal error: ai.onnx.preview.training:Adagrad(-1) "
        "is not a registered function/op")
