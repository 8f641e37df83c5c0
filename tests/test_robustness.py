"""Robustness of the Python side: how output files are written, inputs
checked before they are built, and bad input of every kind ending in a
located or one-line error, never `internal error`.
"""
import json
import os
import re
import stat
import struct
import subprocess
import sys
import threading

import pytest

from iree_lite import fileio
from iree_lite.runtime import io

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ABS = """func.func @abs(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = math.absf %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""
DYN = """func.func @neg(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = arith.negf %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}
"""
ABS_DECL = "`sync func @abs(%input0: tensor<4xf32>) -> (%output0: tensor<4xf32>)`"


def cli(*args, stdin=b"", umask=None, cwd=None):
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run([sys.executable, "-m", "iree_lite", *args], input=stdin, capture_output=True,
                          timeout=120, env=env, cwd=cwd, preexec_fn=None if umask is None else lambda: os.umask(umask))
    err = proc.stderr.decode()
    assert "Traceback" not in err and "internal error" not in err, err
    return proc.returncode, proc.stdout.decode(errors="replace"), err


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("robust")
    (d / "abs.mlir").write_text(ABS)
    (d / "dyn.mlir").write_text(DYN)
    for name in ("abs", "dyn"):
        rc, _, err = cli("compile", str(d / f"{name}.mlir"), "-o", str(d / f"{name}.vmfb"))
        assert rc == 0, err
    return d


def compiled_bytes(folder):
    return (folder / "abs.vmfb").read_bytes()


# -- output files ---------------------------------------------------------------

def test_symlink_is_kept_and_its_target_written(folder, tmp_path):
    (tmp_path / "target.vmfb").write_bytes(b"old")
    os.symlink("target.vmfb", tmp_path / "link.vmfb")
    os.symlink("new.vmfb", tmp_path / "dangling.vmfb")
    for link in ("link.vmfb", "dangling.vmfb"):
        assert cli("compile", str(folder / "abs.mlir"), "-o", str(tmp_path / link)) == (0, "", "")
        assert os.path.islink(tmp_path / link)
    assert (tmp_path / "target.vmfb").read_bytes() == compiled_bytes(folder)
    assert (tmp_path / "new.vmfb").read_bytes() == compiled_bytes(folder)
    assert sorted(os.listdir(tmp_path)) == ["dangling.vmfb", "link.vmfb", "new.vmfb", "target.vmfb"]


def test_fifo_is_written_through(folder, tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received = []
    # A daemon: if the FIFO were replaced, nothing would ever open it to write.
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert cli("compile", str(folder / "abs.mlir"), "-o", str(fifo)) == (0, "", "")
    reader.join(30)
    assert received == [compiled_bytes(folder)]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["out.fifo"]


def test_a_device_stays_a_device(folder, tmp_path):
    # As root a rename would replace the device node with a regular file. So
    # a null device of the test's own: never /dev/null itself as root, which
    # a regression would replace for the whole machine.
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        if os.geteuid() == 0:
            pytest.skip("root without the right to make device nodes")
        device = "/dev/null"   # which a user cannot replace
    assert cli("compile", str(folder / "abs.mlir"), "-o", str(device)) == (0, "", "")
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert os.listdir(tmp_path) in ([], ["null"])


def test_directory_is_refused(folder, tmp_path):
    rc, out, err = cli("compile", str(folder / "abs.mlir"), "-o", str(tmp_path))
    assert (rc, out, err) == (1, "", f"error: cannot write output file '{tmp_path}': Is a directory\n")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_get_the_umask_mode(folder, tmp_path, umask, mode):
    out = tmp_path / "m.vmfb"
    assert cli("compile", str(folder / "abs.mlir"), "-o", str(out), umask=umask) == (0, "", "")
    assert stat.S_IMODE(os.stat(out).st_mode) == mode


def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", ""])
    proc.wait()
    return proc.pid


def writers(folder, out):
    """Every tool flag that writes a file, writing `out`."""
    entry = {"modules": [str(folder / "abs.vmfb")], "function": "abs", "inputs": ["4xf32=-1"],
             "expected_outputs": ["4xf32=1"]}
    (folder / "runs.jsonl").write_text(json.dumps(entry) + "\n")
    run = ["run-module", f"--module={folder / 'abs.vmfb'}", "--input=4xf32=-1"]
    return {
        "compile -o": ["compile", str(folder / "abs.mlir"), "-o", str(out)],
        "run-module --output=@": [*run, f"--output=@{out}"],
        "run-module --trace": [*run, f"--trace={out}"],
        "batch --report": ["batch", str(folder / "runs.jsonl"), f"--report={out}"],
        "batch --junit": ["batch", str(folder / "runs.jsonl"), f"--junit={out}"],
        "benchmark --benchmark_out": ["benchmark-module", f"--module={folder / 'abs.vmfb'}", "--function=abs",
                                      "--input=4xf32=-1", "--benchmark_min_time=1x", f"--benchmark_out={out}"],
    }


WRITERS = ["compile -o", "run-module --output=@", "run-module --trace", "batch --report", "batch --junit",
           "benchmark --benchmark_out"]


@pytest.mark.parametrize("writer", WRITERS)
def test_every_writer_removes_stale_temporaries_and_keeps_live_ones(folder, tmp_path, writer):
    stale = tmp_path / f"{fileio.TEMP_PREFIX}{dead_pid()}-0badc0ffee00"
    live = tmp_path / f"{fileio.TEMP_PREFIX}{os.getpid()}-0123456789ab"   # this test's own: still writing
    stale.write_bytes(b"partial")
    live.write_bytes(b"partial")
    os.symlink("real.out", tmp_path / "link.out")
    rc, _, err = cli(*writers(folder, tmp_path / "link.out")[writer])
    assert rc == 0, err
    assert sorted(os.listdir(tmp_path)) == sorted(["link.out", "real.out", live.name])
    assert os.path.islink(tmp_path / "link.out") and os.path.getsize(tmp_path / "real.out") > 0


@pytest.mark.parametrize("writer,message", [
    ("compile -o", "error: cannot write output file '{out}': Is a directory"),
    ("run-module --output=@",
     "PERMISSION_DENIED; failed to write '{out}': Is a directory; processing function outputs"),
    ("run-module --trace", "error: cannot write trace file '{out}': Is a directory"),
    ("batch --report", "error: cannot write report '{out}': Is a directory"),
    ("batch --junit", "error: cannot write report '{out}': Is a directory"),
    ("benchmark --benchmark_out", "error: cannot write benchmark report '{out}': Is a directory"),
])
def test_every_writer_refuses_a_directory(folder, tmp_path, writer, message):
    out = tmp_path / "d"
    out.mkdir()
    rc, _, err = cli(*writers(folder, out)[writer])
    assert rc == 1 and err.splitlines()[-1] == message.format(out=out)
    assert os.listdir(out) == [] and os.listdir(tmp_path) == ["d"]


def test_a_failed_write_leaves_no_temporary(tmp_path):
    class Unwritable:   # bytes-like until written: fails inside the write
        pass
    with pytest.raises(TypeError):
        fileio.write_atomically(tmp_path / "x", Unwritable())
    assert os.listdir(tmp_path) == []


# -- inputs checked before they are built ----------------------------------------

MISMATCH = ("INVALID_ARGUMENT; input0 shape dimension 0 mismatch; expected 4 but have {n}; expected shape `4`, "
            "actual shape `{n}`; invoking function 'abs'; " + ABS_DECL + "\n")


def test_huge_splat_to_a_small_parameter_fails_with_the_shape_error(folder):
    rc, out, err = cli("run-module", f"--module={folder / 'abs.vmfb'}", "--input=200000000xf32=1")
    assert (rc, out, err) == (1, "EXEC @abs\n", MISMATCH.format(n=200000000))


def test_large_npy_to_a_small_parameter_fails_with_the_shape_error(folder, tmp_path):
    np = pytest.importorskip("numpy")
    np.save(tmp_path / "big.npy", np.ones(1 << 20, np.float32))   # 4 MiB
    rc, out, err = cli("run-module", f"--module={folder / 'abs.vmfb'}", f"--input=@{tmp_path / 'big.npy'}")
    assert (rc, out, err) == (1, "EXEC @abs\n", MISMATCH.format(n=1 << 20))


def npy(shape, descr="'<f4'", data=b"", fortran="False"):
    header = f"{{'descr': {descr}, 'fortran_order': {fortran}, 'shape': {shape}, }}".encode()
    return io.NPY_MAGIC + b"\x01\x00" + struct.pack("<H", len(header)) + header + data


def test_headers_that_do_not_fit_are_never_read_further(tmp_path):
    # Truncated after its header: reading the elements would fail.
    (tmp_path / "big.npy").write_bytes(npy("(1000000,)"))
    value = io.parse_value(f"@{tmp_path / 'big.npy'}", parameter="tensor<4xf32>")
    assert (value.shape, value.element, value.data) == ((1000000,), "f32", None)
    # A raw file that is not there: never opened.
    value = io.parse_value(f"1000000xf32=@{tmp_path / 'missing.bin'}", parameter="tensor<4xf32>")
    assert (value.shape, value.data) == ((1000000,), None)
    value = io.parse_value("200000000xf32=1", parameter="tensor<4xi32>")
    assert (value.shape, value.element, value.data) == ((200000000,), "f32", None)
    # One that fits is read in full.
    assert io.parse_value("2xf32=1 2", parameter="tensor<?xf32>").values() == [1, 2]


def test_rank_over_the_limit_is_a_rank_mismatch(folder):
    rc, out, err = cli("run-module", f"--module={folder / 'abs.vmfb'}", "--input=1x1x1x1x1x1x1x1x1xf32=1")
    assert (rc, out, err) == (1, "EXEC @abs\n", "INVALID_ARGUMENT; input0 shape rank mismatch; expected 1 but "
                                                f"have 9; invoking function 'abs'; {ABS_DECL}\n")


MALFORMED_NPY = [
    ("descr-int", npy("(4,)", "5"), "invalid dtype 5"),
    ("descr-empty", npy("(4,)", "''"), "invalid dtype ''"),
    ("descr-unknown", npy("(4,)", "'<c16'"), "unsupported dtype '<c16'"),
    ("descr-long", npy("(4,)", "'" + "x" * 5000 + "'"), "unsupported dtype 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."),
    ("shape-negative", npy("(-4,)"), "invalid shape (-4,)"),
    ("shape-bool", npy("(True,)"), "invalid shape (True,)"),
    ("shape-int", npy("4"), "invalid header"),
    ("fortran", npy("(4,)", fortran="'no'"), "invalid fortran_order 'no'"),
    ("deep", npy("(4,)", "[" * 500 + "]" * 500), "invalid header"),
    ("truncated-header", io.NPY_MAGIC + b"\x01\x00\x40\x00{'descr'", "truncated header"),
    ("truncated-data", npy("(4,)", data=b"\0" * 15), "truncated data"),
    ("huge-data", npy("(9223372036854775807,)"), "truncated data"),
    ("huge-header", io.NPY_MAGIC + b"\x02\x00\xff\xff\xff\x7f", "header of 2147483647 bytes (at most 65536)"),
    ("version", io.NPY_MAGIC + b"\x07\x00\x00\x00", "unsupported version 7"),
]


@pytest.mark.parametrize("name,content,why", MALFORMED_NPY, ids=[case[0] for case in MALFORMED_NPY])
def test_malformed_npy_names_the_file(folder, tmp_path, name, content, why):
    path = tmp_path / f"{name}.npy"
    path.write_bytes(content)
    rc, out, err = cli("run-module", f"--module={folder / 'dyn.vmfb'}", f"--input=@{path}")
    decl = "`sync func @neg(%input0: tensor<?xf32>) -> (%output0: tensor<?xf32>)`"
    assert (rc, out, err) == (1, "", f"INVALID_ARGUMENT; malformed .npy file '{path}': {why}; parsing input "
                                     f"`@{path}`; parsing function inputs; {decl}\n")


def test_a_shape_without_values_is_zeros(folder):
    for text in ("--input=4xf32", "--input=4xf32=", "--input=4xf32= "):
        rc, out, err = cli("run-module", f"--module={folder / 'abs.vmfb'}", text)
        assert (rc, out, err) == (0, "EXEC @abs\nresult[0]: hal.buffer_view\n4xf32=0 0 0 0\n", "")
    rc, _, err = cli("run-module", f"--module={folder / 'abs.vmfb'}", "--input=4xf32=[]")
    assert rc == 1 and err.startswith("OUT_OF_RANGE; input data string underflow: dst_i=0 < element_capacity=4;")


def test_more_outputs_than_results_is_an_error(folder, tmp_path):
    rc, out, err = cli("run-module", f"--module={folder / 'abs.vmfb'}", "--input=4xf32=1", "--output=-",
                       f"--output=@{tmp_path / 'x.npy'}")
    assert (rc, out, err) == (1, "EXEC @abs\n", "OUT_OF_RANGE; 2 outputs specified but the provided variant list "
                                                "only has 1 elements; outputting results; processing function "
                                                f"outputs; {ABS_DECL}\n")
    assert os.listdir(tmp_path) == []


SAME_AS_IREE = [
    ("abs", ["--input=4xf32"]), ("abs", ["--input=4xf32="]), ("abs", ["--input=4xf32= "]),
    ("abs", ["--input=4xf32=[]"]), ("abs", ["--input=4xf32=1", "--output=-", "--output=-"]),
    ("abs", ["--input=200000xf32=1"]), ("abs", ["--input=1x1x1x1x1x1x1x1x1xf32=2"]),
    ("dyn", ["--input=99999999999999xf32=1"]), ("dyn", ["--input=99999999999999xf32"]),
    ("dyn", ["--input=2x99999999999999999999999xf32=1"]), ("dyn", ["--input=9223372036854775807xf32=1"]),
    ("dyn", ["--input=4611686018427387904xf32=1"]), ("dyn", ["--input=2305843009213693952xf32=1"]),
    ("dyn", ["--input=4294967296x4294967296xf32=1"]), ("dyn", ["--input=4294967296x4294967295xf32=1"]),
    ("abs", ["--input=4294967296x4294967296xf32=1"]),
]


@pytest.mark.parametrize("module,args", SAME_AS_IREE, ids=[" ".join(a) for _, a in SAME_AS_IREE])
def test_same_as_iree(folder, tmp_path_factory, reference_iree, module, args):
    theirs = tmp_path_factory.getbasetemp() / f"{module}.iree.vmfb"
    if not theirs.exists():
        subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=vmvx",
                        str(folder / f"{module}.mlir"), "-o", str(theirs)], check=True, capture_output=True,
                       timeout=300)
    want = subprocess.run([reference_iree["iree-run-module"], f"--module={theirs}", *args], capture_output=True,
                          timeout=120)
    have = cli("run-module", f"--module={folder / module}.vmfb", *args)
    # IREE's errors start with the C source location, and a failed assertion
    # adds where the VM stood; the rest of the line is the same.
    want_err = re.sub(r"^c/runtime/\S+: ", "", want.stderr.decode())
    want_err = re.sub(r"; while invoking native function hal.buffer_view.assert; while calling import; \n"
                      r"\[ 0\] bytecode module@\S+ -", "", want_err)
    want_err = re.sub(r"; expected shape `4`, actual shape `1x1x1x1x1x1x1x1x1`", "", want_err)
    assert have == (want.returncode, want.stdout.decode(), want_err)


@pytest.mark.parametrize("text,error", [
    ("²xf32=1", "INVALID_ARGUMENT; invalid shape `²xf32`"),
    ("3x" + "9" * 5000 + "xf32=1", "INVALID_ARGUMENT; shape[1] invalid value '" + "9" * 5000 + "' of '3x"
     + "9" * 5000 + "'"),
    ("9223372036854775807x9223372036854775807xf32=1",
     "OUT_OF_RANGE; shape element count overflows device size at dimension 1"),
    ("1073741824x1073741824xf32=1", "RESOURCE_EXHAUSTED; libc allocator failed the request"),   # past any address space
])
def test_shapes_past_memory_or_int64_are_one_line_errors(text, error):
    with pytest.raises(io.IoError) as e:
        io.parse_value(text, parameter="tensor<?x?xf32>")
    assert str(e.value) == error


def test_npy_past_int64_or_from_a_pipe(tmp_path):
    (tmp_path / "big.npy").write_bytes(npy("(9223372036854775808,)"))
    with pytest.raises(io.IoError, match=r"malformed .npy file '.*big.npy': invalid shape \(9223372036854775808,\)$"):
        io.parse_value(f"@{tmp_path / 'big.npy'}")
    fifo = tmp_path / "x.npy"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(npy("(2,)", data=b"\0\0\x80\x3f" * 2)), daemon=True)
    writer.start()
    assert io.parse_value(f"@{fifo}").values() == [1.0, 1.0]
    writer.join(30)


# -- the compiler: nesting and literals ----------------------------------------

def nested_ifs_and_loops(depth):
    """`depth` nested scf.if / scf.for (alternating) around a linalg.generic."""
    lines = ["#id = affine_map<(d0) -> (d0)>", "func.func @f(%x: tensor<4xf32>, %c: i1) -> tensor<4xf32> {",
             "%c0 = arith.constant 0 : index", "%c1 = arith.constant 1 : index"]
    current = "%x"
    for i in range(depth):
        if i % 2:
            lines.append(f"%r{i} = scf.for %i{i} = %c0 to %c1 step %c1 iter_args(%a{i} = {current}) "
                         "-> (tensor<4xf32>) {")
            current = f"%a{i}"
        else:
            lines.append(f"%r{i} = scf.if %c -> (tensor<4xf32>) {{")
    lines += ["%e = tensor.empty() : tensor<4xf32>",
              "%g = linalg.generic {indexing_maps = [#id, #id], iterator_types = [\"parallel\"]} "
              f"ins({current} : tensor<4xf32>) outs(%e : tensor<4xf32>) {{",
              "^bb0(%v: f32, %o: f32):", "%s = arith.addf %v, %v : f32", "linalg.yield %s : f32",
              "} -> tensor<4xf32>", "scf.yield %g : tensor<4xf32>"]
    for i in reversed(range(depth)):
        lines.append("}" if i % 2 else "} else {\nscf.yield %x : tensor<4xf32>\n}")
        if i:
            lines.append(f"scf.yield %r{i} : tensor<4xf32>")
    return "\n".join(lines + ["return %r0 : tensor<4xf32>", "}"]) + "\n"


def test_deepest_nesting_allowed_compiles_and_runs(tmp_path):
    # 97 levels of scf, the generic's body and the function's: 99 regions.
    (tmp_path / "deep.mlir").write_text(nested_ifs_and_loops(97))
    assert cli("compile", str(tmp_path / "deep.mlir"), "-o", str(tmp_path / "deep.vmfb")) == (0, "", "")
    rc, out, err = cli("run-module", f"--module={tmp_path / 'deep.vmfb'}", "--input=4xf32=1 2 3 4", "--input=1")
    assert (rc, out, err) == (0, "EXEC @f\nresult[0]: hal.buffer_view\n4xf32=2 4 6 8\n", "")


@pytest.mark.parametrize("depth,line,column", [(99, 105, 38), (2000, 104, 85)])
def test_deeper_nesting_is_a_located_error(tmp_path, depth, line, column):
    # 99: the generic's attribute array is the 101st level; 2000: region 101.
    source = nested_ifs_and_loops(depth)
    (tmp_path / "deep.mlir").write_text(source)
    rc, out, err = cli("compile", str(tmp_path / "deep.mlir"), "-o", str(tmp_path / "deep.vmfb"))
    assert (rc, out) == (1, "")
    assert err == (f"{tmp_path / 'deep.mlir'}:{line}:{column}: error: nesting is deeper than 100 levels\n"
                   f"{source.splitlines()[line - 1]}\n{' ' * (column - 1)}^\n")
    assert source.splitlines()[line - 1][column - 1] == ("[" if depth == 99 else "{")
    assert not (tmp_path / "deep.vmfb").exists()


def compile_error(tmp_path, source):
    (tmp_path / "t.mlir").write_text(source)
    rc, out, err = cli("compile", str(tmp_path / "t.mlir"), "-o", str(tmp_path / "t.vmfb"))
    assert (rc, out) == (1, "") and not (tmp_path / "t.vmfb").exists()
    first = err.splitlines()[0]
    assert first.startswith(f"{tmp_path / 't.mlir'}:"), err
    return first[len(str(tmp_path / "t.mlir")) + 1:]


def apply_map(expression):
    return (f"#m = affine_map<(d0) -> ({expression})>\nfunc.func @f(%i: index) -> index {{\n"
            "  %r = affine.apply #m(%i)\n  return %r : index\n}\n")


LIMITS = [
    ("func.func @f() {\n  %c = arith.constant {a = " + "[" * 3000 + "]" * 3000 + "} 0 : i32\n  return\n}\n",
     "2:127: error: nesting is deeper than 100 levels"),   # the op's attr-dict is not a level: its value is
    ("func.func @f() -> tensor<1xi32> {\n  %c = arith.constant dense<" + "[" * 3000 + "1" + "]" * 3000
     + "> : tensor<1xi32>\n  return %c : tensor<1xi32>\n}\n", "2:127: error: nesting is deeper than 100 levels"),
    ("func.func @f(%x: " + "(" * 3000 + "f32" + ") -> f32" * 3000 + ") {\n  return\n}\n",
     "1:118: error: nesting is deeper than 100 levels"),
    (apply_map("(" * 3000 + "d0" + ")" * 3000), "1:125: error: nesting is deeper than 100 levels"),
    (apply_map("-" * 3000 + "d0"), "1:125: error: nesting is deeper than 100 levels"),
    (apply_map("d0" + " + 1" * 3000), "1:429: error: affine expression of more than 100 operations"),
    (apply_map("d0" + " mod 7" * 3000), "1:629: error: affine expression of more than 100 operations"),
    ("func.func @f(%x: tensor<99999999999999999999xf32>) {\n  return\n}\n", "1:25: error: invalid dimension"),
    ("func.func @f(%x: tensor<" + "9" * 5000 + "xf32>) {\n  return\n}\n", "1:25: error: invalid dimension"),
    ("func.func @f(%x: tensor<1e23xf32>) {\n  return\n}\n", "1:25: error: expected element type in tensor type"),
    ("func.func @f() -> i64 {\n  %c = arith.constant " + "9" * 5000 + " : i64\n  return %c : i64\n}\n",
     "2:23: error: integer literal of more than 1000 digits"),
    ("func.func @f() -> i64 {\n  %c = arith.constant 0x" + "f" * 5000 + " : i64\n  return %c : i64\n}\n",
     "2:23: error: integer literal of more than 1000 digits"),
]


@pytest.mark.parametrize("source,error", LIMITS, ids=[f"{i}-{e.split(': ')[-1]}" for i, (_, e) in enumerate(LIMITS)])
def test_compiler_limits_are_located_errors(tmp_path, source, error):
    assert compile_error(tmp_path, source) == error


def test_the_longest_affine_expression_allowed_compiles(tmp_path):
    (tmp_path / "t.mlir").write_text(apply_map("d0" + " + 1" * 100))
    assert cli("compile", str(tmp_path / "t.mlir"), "-o", str(tmp_path / "t.vmfb")) == (0, "", "")
    assert cli("run-module", f"--module={tmp_path / 't.vmfb'}", "--input=5") == (0, "EXEC @f\nresult[0]: i64=105\n", "")


# -- flagfiles, printing, closed stdout ------------------------------------------

def test_flagfile_cycles_are_refused(tmp_path):
    (tmp_path / "self.flags").write_text("--flagfile=self.flags\n")
    (tmp_path / "a.flags").write_text("# a\n--flagfile=b.flags\n")
    (tmp_path / "b.flags").write_text("--flagfile=./a.flags\n")
    assert cli("run-module", "--flagfile=self.flags", cwd=tmp_path) == (
        1, "", "iree-lite: error: flagfile 'self.flags' includes itself: self.flags -> self.flags\n")
    assert cli("run-module", "--flagfile", "a.flags", cwd=tmp_path) == (
        1, "", "iree-lite: error: flagfile './a.flags' includes itself: a.flags -> b.flags -> ./a.flags\n")


def test_the_same_flagfile_twice_is_no_cycle(folder, tmp_path):
    (tmp_path / "input.flags").write_text("--input=4xf32=-3\n")
    (tmp_path / "both.flags").write_text("--flagfile=input.flags\n")
    rc, out, err = cli("run-module", f"--module={folder / 'dyn.vmfb'}", "--flagfile=both.flags", "--output=-",
                       cwd=tmp_path)
    assert (rc, err) == (0, "") and out == "EXEC @neg\nhal.buffer_view\n4xf32=3 3 3 3\n"


def test_flagfile_not_utf8_is_refused(tmp_path):
    (tmp_path / "bad.flags").write_bytes(b"--input=1\n--function=\xff\xfe\n")
    assert cli("run-module", f"--flagfile={tmp_path / 'bad.flags'}") == (
        1, "", f"iree-lite: error: flagfile '{tmp_path / 'bad.flags'}' is not UTF-8 text (byte 21: b'\\xff')\n")


def test_dump_module_escapes_control_characters(tmp_path):
    (tmp_path / "q.mlir").write_text('module @"m\\1B[2Jx" {\n  func.func @"f\\0A\\07"(%x: f32) -> f32 {\n'
                                     "    return %x : f32\n  }\n}\n")
    assert cli("compile", str(tmp_path / "q.mlir"), "-o", str(tmp_path / "q.vmfb"))[0] == 0
    rc, out, err = cli("dump-module", str(tmp_path / "q.vmfb"))
    assert (rc, err) == (0, "")
    assert out.startswith("// module @m\\1B[2Jx (source ")
    assert "  f\\0A\\07(f32) -> (f32) [sync]\n" in out
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", out)
    rc, out, _ = cli("dump-module", str(tmp_path / "q.vmfb"), "--format=json")
    assert json.loads(out)["name"] == "m\x1b[2Jx"


def test_closed_stdout_ends_quietly(folder):
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.Popen([sys.executable, "-m", "iree_lite", "run-module", f"--module={folder / 'dyn.vmfb'}",
                             "--input=200000xf32=1.5", "--output_max_element_count=200000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout.readline() == b"EXEC @neg\n"
    proc.stdout.close()   # as `| head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and err == ""
