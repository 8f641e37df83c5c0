"""IREE's own end-to-end tests as a corpus: set IREE_E2E_DIR to an iree-org/iree
checkout (or its tests/e2e) to run every in-scope file (see iree_e2e.py).

iree_e2e_passing.txt lists the files that pass today: a listed file that fails is
a regression, and an unlisted one that passes must be added, so the list (and the
count in README.md) stays true."""
import os

import pytest

from iree_e2e import in_scope_files, run_file

ROOT = os.environ.get("IREE_E2E_DIR")
PASSING = {line.strip() for line in open(os.path.join(os.path.dirname(__file__), "iree_e2e_passing.txt"))
           if line.strip() and not line.startswith("#")}
BASE, FILES = in_scope_files(ROOT) if ROOT else (None, [])


@pytest.mark.skipif(not ROOT, reason="IREE_E2E_DIR is not set (an iree-org/iree checkout)")
@pytest.mark.parametrize("rel", FILES or [None])
def test_iree_e2e_file(rel, tmp_path):
    ok, detail = run_file(BASE, rel, str(tmp_path))
    if ok is None:
        pytest.skip(detail)
    if rel in PASSING:
        assert ok, f"{rel} passed before and now fails: {detail}"
    else:
        assert not ok, f"{rel} now passes: add it to tests/iree_e2e_passing.txt (and the README's count)"
