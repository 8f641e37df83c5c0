"""The lit programs as MLIR's printer writes them: `iree-compile
--compile-to=input` prints each (custom form, and every op in the generic
form with --mlir-print-op-generic), and iree-lite gives the same output
from the printed program as from the program itself, byte for byte."""
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from tool_runs import lite_run

LIT = os.path.join(os.path.dirname(__file__), "lit")

# Programs whose zero-argument exports run-mlir runs, and programs of checks (check-module).
RUN_FILES = ["ops_affine", "ops_arith", "ops_func", "ops_linalg", "ops_math", "ops_scf", "ops_tensor", "ops_util",
             "dynamic_shapes", "index_ops", "run_mlir_ops", "structured_ops"]
CHECK_FILES = ["ops_check", "check_module", "e2e_style"]
FORMS = {"custom": [], "generic": ["--mlir-print-op-generic"]}
# Functions IREE's parser rejects, left out of what it prints.
IREE_UNKNOWN = {"ops_linalg": ("binary_f32", "binary_i32", "unary_f32")}   # linalg.add, linalg.abs, ...
TOLERANCE_DICT = re.compile(r"\) \{atol = ([^ ]+) : f32(?:, rtol = ([^ ]+) : f32)?\} :")


def as_iree_reads(stem, text):
    """The program in the syntax IREE 3.13 parses: its check ops take
    tolerances as `, atol X, rtol Y)`, and some ops it does not know."""
    text = TOLERANCE_DICT.sub(lambda m: f", atol {m[1]}" + (f", rtol {m[2]}" if m[2] else "") + ") :", text)
    for name in IREE_UNKNOWN.get(stem, ()):
        text = re.sub(rf"^func\.func @{name}\(\).*?^\}}\n", "", text, flags=re.M | re.S)
    return text


def results(path, stem, tmp):
    """iree-lite's output for the program at `path`: run-mlir's, or
    check-module's with the failed checks' locations left out (the printed
    program has none of its own)."""
    if stem in RUN_FILES:
        return lite_run("run-mlir", "--device=local-task", str(path))
    vmfb = tmp / f"{stem}.vmfb"
    rc, out = lite_run("compile", str(path), "-o", str(vmfb))
    assert (rc, out) == (0, "")
    rc, out = lite_run("check-module", f"--module={vmfb}")
    return rc, re.sub(r"\S+\.mlir:\d+:\d+: ", "", out)


@pytest.fixture(scope="module")
def printed(reference_iree, tmp_path_factory):
    """{(stem, form): (the program's output, the printed program's output)}."""
    d = tmp_path_factory.mktemp("printed")

    def one(stem):
        (d / "source").mkdir(exist_ok=True)
        src = d / "source" / f"{stem}.mlir"
        src.write_text(as_iree_reads(stem, open(os.path.join(LIT, stem + ".mlir")).read()))
        out = {}
        for form, flags in FORMS.items():
            (d / form).mkdir(exist_ok=True)
            dst = d / form / f"{stem}.mlir"
            subprocess.run([reference_iree["iree-compile"], "--compile-to=input", "--iree-input-demote-f64-to-f32=false",
                            *flags, str(src), "-o", str(dst)], check=True, capture_output=True, timeout=300)
            out[form] = results(dst, stem, d / form)
        out["source"] = results(src, stem, d / "source")
        return stem, out
    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(one, RUN_FILES + CHECK_FILES))


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("stem", RUN_FILES + CHECK_FILES)
def test_printed_program_same_results(printed, stem, form):
    source, printed_form = printed[stem]["source"], printed[stem][form]
    assert source[1].count("EXEC @") + source[1].count("[ RUN      ]") >= 1
    assert printed_form == source


def test_generic_form_is_what_iree_prints(tmp_path, reference_iree):
    """The printed files really are in the generic form (no custom syntax left)."""
    src = tmp_path / "t.mlir"
    src.write_text(open(os.path.join(LIT, "ops_tensor.mlir")).read())
    text = subprocess.run([reference_iree["iree-compile"], "--compile-to=input", "--iree-input-demote-f64-to-f32=false",
                           "--mlir-print-op-generic", str(src)], check=True, capture_output=True, timeout=300).stdout
    starts = re.findall(r"^\s*(?:%\S+ = )?(\S+)", text.decode(), flags=re.M)
    assert len(starts) > 50 and all(s.startswith(('"', "^bb")) or s == "})" for s in starts)
