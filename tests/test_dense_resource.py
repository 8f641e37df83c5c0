"""`dense_resource<NAME>` constants and the trailing `{-# dialect_resources #-}`
section that holds their blobs (how IREE's importers write weights)."""
import subprocess
import sys

import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic

SOURCE = """func.func @f() -> (tensor<3xf32>, tensor<2xi1>) {
  %w = arith.constant dense_resource<w.0> : tensor<3xf32>
  %b = arith.constant dense_resource<"flags"> : tensor<2xi1>
  return %w, %b : tensor<3xf32>, tensor<2xi1>
}
{-#
  dialect_resources: {
    builtin: {
      w.0: "0x040000000000803F00000040000040C0",
      "flags": "0x010000000100"
    }
  }
#-}
"""


def test_resources_are_the_constants_bytes(tmp_path):
    (tmp_path / "r.mlir").write_text(SOURCE)
    proc = subprocess.run([sys.executable, "-m", "iree_lite", "run-mlir", str(tmp_path / "r.mlir")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "EXEC @f\nresult[0]: hal.buffer_view\n3xf32=1 2 -3\nresult[1]: hal.buffer_view\n2xi1=01 00\n"


def error_text(source):
    with pytest.raises(Diagnostic) as e:
        compile_module(source, "t.mlir")
    return e.value.render()


@pytest.mark.parametrize("edit,expected", [
    (("<w.0>", "<w.1>"), "t.mlir:2:38: error: unknown resource 'w.1' (no such entry in the file's dialect_resources)\n"
                         "  %w = arith.constant dense_resource<w.1> : tensor<3xf32>\n                                     ^"),
    (("<w.0> : tensor<3xf32>", "<w.0> : tensor<4xf32>"),
     "t.mlir:2:38: error: resource 'w.0' has 12 bytes, 'tensor<4xf32>' needs 16\n"
     "  %w = arith.constant dense_resource<w.0> : tensor<4xf32>\n                                     ^"),
    (("0x040000000000803F", "0x0400000000zz803F"),
     "t.mlir:9:13: error: resource 'w.0' is not a hex blob with a 4-byte alignment prefix\n"
     '      w.0: "0x0400000000zz803F00000040000040C0",\n            ^'),
    (("#-}", "#"), "t.mlir:6:1: error: unterminated resource section: expected '#-}'\n{-#\n^"),
])
def test_resource_errors_are_located(edit, expected):
    assert error_text(SOURCE.replace(*edit)) == expected
