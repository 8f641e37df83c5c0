"""`dense_resource<NAME>` constants and the trailing `{-# dialect_resources #-}`
section that holds their blobs (how IREE's importers write weights): quoted
names and i1 blobs. Located errors: tests/test_mlir_syntax.py."""
import subprocess
import sys

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
