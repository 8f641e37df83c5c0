"""IREE's own end-to-end tests as a corpus: set IREE_E2E_DIR to an iree-org/iree
checkout (or its tests/e2e) to run every in-scope file and sample (see iree_e2e.py) against
the list of files that pass, iree_e2e_passing.txt."""
import os

import pytest

from iree_e2e import in_scope_files, run_file
from passing_lists import assert_as_listed

ROOT = os.environ.get("IREE_E2E_DIR")
BASE, FILES = in_scope_files(ROOT) if ROOT else (None, [])


@pytest.mark.skipif(not ROOT, reason="IREE_E2E_DIR is not set (an iree-org/iree checkout)")
@pytest.mark.parametrize("rel", FILES or [None])
def test_iree_e2e_file(rel, tmp_path):
    ok, detail = run_file(BASE, rel, str(tmp_path))
    if ok is None:
        pytest.skip(detail)
    assert_as_listed(rel, ok, detail, "iree_e2e_passing.txt")
