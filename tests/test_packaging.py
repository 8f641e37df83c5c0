"""Packaging: the wheel installs without a compiler and carries the man page,
and an editable install keeps the man page too."""
import os
import shutil
import subprocess
import sys
import venv
import zipfile

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAM = "func.func @double(%a: tensor<2xf32>) -> tensor<2xf32> {\n" \
          "  %r = arith.addf %a, %a : tensor<2xf32>\n  return %r : tensor<2xf32>\n}\n"


def distribution():
    """The Distribution setup.py builds, stopped before any command runs."""
    import setuptools  # noqa: F401  (distutils is setuptools' copy from here on)
    from distutils.core import run_setup
    cwd = os.getcwd()
    os.chdir(REPO)   # setup.py names its files relative to the source tree
    try:
        return run_setup("setup.py", ["--name"], stop_after="init")
    finally:
        os.chdir(cwd)


def test_editable_install_installs_the_man_page():
    # setuptools' editable_wheel installs data files only when has_data()
    # answers true (setuptools/command/editable_wheel.py, _run_install("data")).
    pytest.importorskip("argparse_manpage")
    dist = distribution()
    assert dist.has_data()
    (target, files), = dist.data_files
    assert target == "share/man/man1"
    assert [os.path.basename(f) for f in files] == ["iree-lite.1"]
    assert open(os.path.join(REPO, files[0])).read().startswith(r".TH IREE\-LITE ")


def test_a_kept_native_build_is_reused_only_for_the_same_inputs(tmp_path, monkeypatch):
    # setup.py's build_ext reuses the last build whose inputs hash the same
    # (pip wheel, install and install -e build it in fresh environments):
    # a change to any csrc/ source or compiler flag must change the hash.
    from distutils.ccompiler import new_compiler
    from distutils.sysconfig import customize_compiler
    dist = distribution()
    build_ext = dist.get_command_obj("build_ext")
    build_ext.compiler = new_compiler()
    customize_compiler(build_ext.compiler)
    (ext,) = dist.ext_modules
    shutil.copytree(os.path.join(REPO, "csrc"), tmp_path / "csrc", ignore=shutil.ignore_patterns("*.c"))
    monkeypatch.setitem(type(build_ext).inputs_hash.__globals__, "HERE", str(tmp_path))
    first = build_ext.inputs_hash(ext)
    for source in ("_vm.pyx", "pool.pxi", "isa_kernels.pxi", "lite_vm.h"):
        path = tmp_path / "csrc" / source
        text = path.read_text()
        path.write_text(text + "\n")
        assert build_ext.inputs_hash(ext) != first, source
        path.write_text(text)
    assert build_ext.inputs_hash(ext) == first
    ext.extra_compile_args = [*ext.extra_compile_args, "-O2"]
    assert build_ext.inputs_hash(ext) != first


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), REPO],
                         capture_output=True, text=True, timeout=1500)
    if run.returncode != 0:
        pytest.fail(f"pip wheel failed:\n{run.stdout}\n{run.stderr}")
    (path,) = out.glob("iree_lite-*.whl")
    return path


def test_wheel_carries_the_native_vm_and_the_man_page(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("iree_lite/_vm.") and n.endswith(".so") for n in names)
    assert "iree_lite-0.1.0.data/data/share/man/man1/iree-lite.1" in names
    assert "iree_lite/py.typed" in names
    assert not [n for n in names if n.endswith((".pyx", ".pxi", ".c", ".h"))]


def test_wheel_installs_and_runs_without_a_compiler(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = str(env_dir / "bin" / "python")
    # No compiler reachable: installing a wheel must not need one.
    env = dict(os.environ, CC="/bin/false", CXX="/bin/false", PATH=f"{env_dir / 'bin'}:/usr/bin:/bin",
               PYTHONPATH="")
    install = subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                             capture_output=True, text=True, env=env, timeout=300)
    assert install.returncode == 0, install.stderr
    assert (env_dir / "share" / "man" / "man1" / "iree-lite.1").is_file()
    source = tmp_path / "double.mlir"
    source.write_text(PROGRAM)
    run = subprocess.run([str(env_dir / "bin" / "iree-lite"), "run-mlir", str(source), "--input=2xf32=1.5,-2"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == "EXEC @double\nresult[0]: hal.buffer_view\n2xf32=3 -4\n"
    where = subprocess.run([python, "-c", "import iree_lite._vm as m; print(m.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert where.stdout.startswith(str(env_dir))


def test_the_build_elsewhere_says_it_needs_x86_64():
    script = ("import platform, sys\nplatform.machine = lambda: 'aarch64'\nsys.argv = ['setup.py', '--name']\n"
              "exec(compile(open('setup.py').read(), 'setup.py', 'exec'), {'__file__': 'setup.py', '__name__': '__main__'})")
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == "error: iree-lite's native VM builds only for x86-64; this machine is aarch64\n"


def test_a_bare_build_without_argparse_manpage_warns_and_goes_on():
    script = ("import importlib.util, sys\nfind = importlib.util.find_spec\n"
              "importlib.util.find_spec = lambda name, *a: None if name == 'argparse_manpage' else find(name, *a)\n"
              "sys.argv = ['setup.py', '--name']\n"
              "exec(compile(open('setup.py').read(), 'setup.py', 'exec'), {'__file__': 'setup.py', '__name__': '__main__'})")
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert (run.returncode, run.stdout) == (0, "iree-lite\n")
    assert run.stderr.startswith("warning: argparse-manpage is not installed; building without the man page\n")
