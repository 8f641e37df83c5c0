"""The onnx package's light models, lowered by IREE's own importer, run by iree-lite
and compared with onnxruntime on the same random input (rtol 1e-3). Needs the
`compare` extra (iree-import-onnx, iree-compile, onnx, onnxruntime); skips without it.
Squeezenet and ShuffleNet also run with seeded random weights (model_corpus.py)."""
import shutil
import subprocess
import sys

import numpy as np
import pytest

from passing_lists import assert_as_listed

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
model_corpus = pytest.importorskip("model_corpus")

CASES = [*((name, False) for name in model_corpus.light_models()),
         *((name, True) for name in model_corpus.RANDOM_WEIGHTS)]


def _saved_and_lowered(name, random_weights, folder):
    """(model, its path, input-level MLIR): the light model (with random weights
    where asked) saved in folder and lowered by IREE's importer and compiler."""
    model = onnx.load(model_corpus.light_models()[name])
    if random_weights:
        model = model_corpus.randomize_weights(model, seed=0)
    model_path = str(folder / "model.onnx")
    onnx.save(model, model_path)
    return model, model_path, model_corpus.plain_function(model_corpus.lower_with_iree(model_path, str(folder)))


@pytest.fixture(scope="module")
def lowered(request, tmp_path_factory):
    """lowered(name, random_weights): _saved_and_lowered's result. While a test
    compiles and runs one model, the next selected one is lowered on a
    background thread, so IREE's tools run on the other core (CI has 2)."""
    from concurrent.futures import ThreadPoolExecutor
    order = [(item.callspec.params["name"], item.callspec.params["random_weights"]) for item in request.session.items
             if getattr(item, "module", None) is request.module
             and item.originalname == "test_light_model_matches_onnxruntime"]
    futures = {}
    with ThreadPoolExecutor(1) as pool:
        def start(case):
            if case not in futures:
                futures[case] = pool.submit(_saved_and_lowered, *case, tmp_path_factory.mktemp("model"))

        def get(*case):
            start(case)
            if case in order and order.index(case) + 1 < len(order):
                start(order[order.index(case) + 1])
            return futures[case].result()
        yield get


@pytest.mark.parametrize("name,random_weights", CASES,
                         ids=[f"{n}{'-random' if r else ''}" for n, r in CASES])
def test_light_model_matches_onnxruntime(name, random_weights, tmp_path, reference_iree, lowered):
    if shutil.which("iree-import-onnx") is None:
        pytest.skip("iree-import-onnx not installed")
    model, model_path, text = lowered(name, random_weights)
    rng = np.random.default_rng(1)
    (input_name, shape), = model_corpus.data_inputs(model)
    x = rng.standard_normal(shape).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    want, = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"]).run(None, {input_name: x})

    (tmp_path / "model.mlir").write_text(text)
    iree_lite = [sys.executable, "-m", "iree_lite"]
    steps = [[*iree_lite, "compile", str(tmp_path / "model.mlir"), "-o", str(tmp_path / "model.vmfb")],
             [*iree_lite, "run-module", f"--module={tmp_path / 'model.vmfb'}", f"--input=@{tmp_path / 'x.npy'}",
              f"--output=@{tmp_path / 'y.npy'}"]]
    detail = ""
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True, timeout=1200)
        if proc.returncode:
            detail = (proc.stderr or proc.stdout).strip().splitlines()[0]
            break
    else:
        have = np.load(tmp_path / "y.npy")
        if have.shape != want.shape:
            detail = f"shape {have.shape}, onnxruntime's is {want.shape}"
        elif not np.allclose(have, want, rtol=1e-3, atol=1e-6):
            detail = f"max abs difference {np.max(np.abs(have - want))}"
    case = f"{name}{'-random' if random_weights else ''}"
    assert_as_listed(case, not detail, detail, "model_corpus_passing.txt")
