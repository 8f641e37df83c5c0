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
