"""lit configuration: IREE's tool names map onto iree-lite subcommands."""
import os
import shlex
import sys

import lit.formats

config.name = "iree-lite"
# The seed runs a `( ... )` subshell, which only an external shell handles.
config.test_format = lit.formats.ShTest(execute_external=True, force_execute_external=True)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
# Modules imported by other tests, not tests themselves.
config.excludes = ["module_a.mlir", "module_b.mlir", "Inputs"]

# Run the package from this checkout with this interpreter, installed or not.
repo = os.path.dirname(os.path.dirname(config.test_source_root))
iree_lite = f"{shlex.quote(sys.executable)} -m iree_lite"
config.environment["PYTHONPATH"] = repo + os.pathsep + os.environ.get("PYTHONPATH", "")
# A portable `not` (LLVM's is rarely installed).
config.environment["PATH"] = (os.path.join(config.test_source_root, "Inputs", "bin") + os.pathsep
                              + os.environ.get("PATH", ""))
for tool in ("compile", "run-module", "run-mlir", "check-module", "benchmark-module", "dump-module", "batch"):
    config.substitutions.append((f"iree-{tool}", f"{iree_lite} {tool}"))
config.substitutions.append(("FileCheck", f"{shlex.quote(sys.executable)} -m filecheck"))
config.substitutions.append(("%python", shlex.quote(sys.executable)))
