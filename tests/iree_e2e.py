"""Run IREE's own end-to-end tests (tests/e2e of an iree-org/iree checkout) and the
RUN lines of its samples with iree-lite.

A file runs as IREE's build runs it: a file with `// RUN:` lines as lit would (IREE's
tool names mapped onto iree-lite's subcommands, `%s` the file, pipes under pipefail);
any other file as a check test: compiled for llvm-cpu, then every zero-argument export
run by check-module. Files whose RUN lines test IREE's internal IR (`iree-opt` pass
pipelines, `--compile-to=` stages we do not print) are out of scope, and so are programs
in a front end's dialect (StableHLO, TOSA, ...) and the folders of GPU targets. Of the
samples, the files with RUN lines are in scope; those needing a native module or plugin
built by IREE's build (`$IREE_BINARY_DIR`) or a GPU are skipped with that reason.

As a script, `python tests/iree_e2e.py DIR` prints each file's outcome and the count.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

# Folders of tests/e2e whose inputs are linalg/tensor/arith programs.
IN_SCOPE = ("linalg", "linalg_ext_ops", "regression", "tensor_ops")
# Subfolders and files that target other front ends or GPUs.
OUT_OF_SCOPE = re.compile(r"(^|/)(stablehlo|cuda|hip)/|gfx\d+|amdgpu|rocm|vulkan")
# Samples that need what IREE's build makes: a native plugin or module, or a
# custom VM module written in C++ with its own runner.
_BUILT_BY_IREE = re.compile(r"\$IREE_BINARY_DIR|(^|/)samples/custom_module/")
_INTERNAL_IR = re.compile(r"\biree-opt\b|--compile-to=(?!input\b)")
_FRONT_END = re.compile(r"\b(stablehlo|tosa|mhlo|chlo|torch)\.\w")
# Files IREE's build only compiles (no driver in their test suite).
COMPILE_ONLY = {"regression/dynamic_matmuls_on_same_accumulator_issue_12060.mlir"}
TOOLS = ("compile", "run-module", "run-mlir", "check-module", "benchmark-module", "dump-module")
TIMEOUT = 300


def _mlir_files(base, folder):
    for dirpath, _, names in os.walk(os.path.join(base, folder)):
        for name in names:
            rel = os.path.relpath(os.path.join(dirpath, name), base).replace(os.sep, "/")
            if name.endswith(".mlir") and not OUT_OF_SCOPE.search(rel):
                yield rel


def in_scope_files(root):
    """(base, relative paths) of the in-scope files under `root`, which is a
    checkout's top folder or its tests/e2e. Paths under tests/e2e are relative
    to it (`linalg/argmax.mlir`); a checkout's samples are named from the top
    (`samples/multiple_modules/pipeline_sync.mlir`, as `../../samples/...`)."""
    e2e = os.path.join(root, "tests", "e2e")
    base = e2e if os.path.isdir(e2e) else root
    found = [rel for folder in IN_SCOPE for rel in _mlir_files(base, folder)]
    if base == e2e:
        found += [f"../../{rel}" for rel in _mlir_files(root, "samples")
                  if run_lines(open(os.path.join(root, rel), encoding="utf-8").read())]
    return base, sorted(found)


def run_lines(text):
    """The file's RUN commands, continuation lines (`\\` at the end) joined."""
    commands, current = [], ""
    for line in text.splitlines():
        match = re.match(r"\s*//\s*RUN:(.*)$", line)
        if not match:
            continue
        part = match.group(1).rstrip()
        if part.endswith("\\"):
            current += part[:-1] + " "
        else:
            commands.append((current + part).strip())
            current = ""
    return commands


def _substitute(command, path, cwd):
    python = shlex.quote(sys.executable)
    for tool in TOOLS:
        command = re.sub(rf"(?<![\w-])iree-{tool}(?![\w-])", f"{python} -m iree_lite {tool}", command)
    command = re.sub(r"(?<![\w-])FileCheck(?![\w-])", f"{python} -m filecheck", command)
    # lit's %s (the file), %p (its folder) and %t (a path for temporaries).
    return (command.replace("%s", shlex.quote(path)).replace("%p", shlex.quote(os.path.dirname(path)))
            .replace("%t", shlex.quote(os.path.join(cwd, "t"))))


def run_file(base, rel, cwd):
    """(passed, detail) for one file."""
    path = os.path.join(base, rel)
    text = open(path, encoding="utf-8").read()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.environ.get("PYTHONPATH", "")]))
    if _FRONT_END.search(re.sub(r"//.*", "", text)):
        return None, "a front end's dialect (lower it to linalg first)"
    commands = run_lines(text)
    if commands:
        if any(_INTERNAL_IR.search(c) for c in commands):
            return None, "tests IREE's internal IR"
        if _BUILT_BY_IREE.search(rel) or any(_BUILT_BY_IREE.search(c) for c in commands):
            return None, "needs a native module or plugin built by IREE's build"
        steps = [["bash", "-o", "pipefail", "-c", _substitute(c, path, cwd)] for c in commands]
    else:
        module = os.path.join(cwd, "module.vmfb")
        prefix = [sys.executable, "-m", "iree_lite"]
        steps = [[*prefix, "compile", "--iree-hal-target-backends=llvm-cpu", path, "-o", module],
                 [*prefix, "check-module", "--device=local-task", f"--module={module}"]]
        if rel in COMPILE_ONLY:
            steps = steps[:1]
    for step in steps:
        try:
            proc = subprocess.run(step, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return False, f"timed out after {TIMEOUT} s"
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            return False, lines[0] if lines else f"exit status {proc.returncode}"
    return True, ""


def main(argv):
    base, files = in_scope_files(argv[0])
    passed = total = 0
    for rel in files:
        with tempfile.TemporaryDirectory() as cwd:
            ok, detail = run_file(base, rel, cwd)
        if ok is None:
            print(f"SKIP {rel}: {detail}")
            continue
        total += 1
        passed += ok
        print(f"{'PASS' if ok else 'FAIL'} {rel}{': ' + detail if detail else ''}", flush=True)
    print(f"{passed} of {total} in-scope files pass")


if __name__ == "__main__":
    main(sys.argv[1:])
