"""Run the lit suite (tests/lit) from pytest, so CI counts it."""
import os
import subprocess
import sys

LIT_DIR = os.path.join(os.path.dirname(__file__), "lit")


def test_lit_suite():
    proc = subprocess.run([sys.executable, "-c", "from lit.main import main; main()", "-v", LIT_DIR],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Failed" not in proc.stdout


DIALECTS = ("arith", "math", "tensor", "linalg", "scf", "util", "check", "func", "affine", "cf", "iree_linalg_ext")
# Ops the parser handles itself, not through a dialect's OPS: module-level
# util ops and func.func, and the spellings that compile as func's ops.
EXTRA_OPS = ("func.func", "util.global", "util.initializer", "util.func", "util.call", "util.return")


def user_facing_ops():
    import importlib
    names = set(EXTRA_OPS)
    for dialect in DIALECTS:
        ops = importlib.import_module(f"iree_lite.dialects.{dialect}").OPS
        names.update(name for name in ops if not name.startswith("iree_lite."))   # internal ops
    return sorted(names)


def test_every_op_has_a_lit_test():
    """A new op needs a lit test: each name appears in some tests/lit/*.mlir."""
    import re
    text = "".join(open(os.path.join(LIT_DIR, f)).read() for f in sorted(os.listdir(LIT_DIR)) if f.endswith(".mlir"))
    ops = user_facing_ops()
    assert len(ops) > 150 and "arith.addf" in ops and "util.global.load" in ops
    # Not followed by a name character or a dot: `util.global.load` does not count for `util.global`.
    missing = [op for op in ops if not re.search(re.escape(op) + r"(?![\w.])", text)]
    assert missing == []
