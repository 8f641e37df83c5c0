"""Build: generate the native VM's view of the ISA table (iree_lite/isa/gen_native.py), then
cythonize and compile csrc/ with -O3, or reuse the last build from the same inputs."""
import glob
import hashlib
import importlib.util
import itertools
import os
import platform
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
KEPT = os.path.join(HERE, "build", "native")   # the last build of each extension, by its inputs' hash


def generate_sources():
    # Importing the package is cheap and needs no native VM (iree_lite/__init__.py).
    sys.path.insert(0, HERE)
    from iree_lite.isa import gen_native
    gen_native.write_sources(os.path.join(HERE, "csrc"))


def man_pages():
    """data_files for iree-lite.1 (iree_lite/tools/manpage.py). pip's builds have
    argparse-manpage (a build requirement); a bare `setup.py build_ext` may not."""
    if importlib.util.find_spec("argparse_manpage") is None:
        print("warning: argparse-manpage is not installed; building without the man page", file=sys.stderr)
        return []
    sys.path.insert(0, HERE)
    from iree_lite.tools.manpage import render
    path = os.path.join("build", "man", "iree-lite.1")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(render())
    return [("share/man/man1", [path])]


def extensions():
    if platform.machine().lower() not in ("x86_64", "amd64"):
        # The kernels use x86 intrinsics; say so instead of a compiler error about immintrin.h.
        sys.exit(f"error: iree-lite's native VM builds only for x86-64; this machine is {platform.machine()}")
    generate_sources()
    ext = Extension(
        "iree_lite._vm",
        sources=["csrc/_vm.pyx"],
        depends=glob.glob(os.path.join(HERE, "csrc", "*.h")),   # rebuild when a C header changes
        include_dirs=["csrc"],
        extra_compile_args=["-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math", "-fno-strict-aliasing", "-Wno-unused-function"],
        extra_link_args=["-lpthread", "-lm"],   # -lm: bind the current libm symbols (an unlinked expf binds the old, errno-setting wrapper)
    )
    # setuptools' build_ext is Cython's where Cython is installed (a build requirement): it cythonizes with these.
    ext.cython_directives = {"language_level": 3, "boundscheck": False, "wraparound": False, "cdivision": True,
                             "initializedcheck": False}
    return [ext]


class KeptBuildExt(build_ext):
    """Reuse the last build of an extension whose inputs have not changed.

    pip builds every install and wheel in a fresh isolated environment, whose
    just-installed Cython includes are newer than csrc/_vm.c: by timestamps,
    `pip install .`, `pip install -e .` and `pip wheel .` each regenerated and
    recompiled the whole VM (75 CPU-seconds of gcc), three times a CI run.
    The hash covers what the timestamps did not: Cython, compiler and Python."""

    def build_extension(self, ext):
        target = self.get_ext_fullpath(ext.name)
        kept = os.path.join(KEPT, f"{self.inputs_hash(ext)}-{os.path.basename(target)}")
        if not self.force and os.path.exists(kept):
            self.mkpath(os.path.dirname(target))
            self.copy_file(kept, target)
            return
        # The inputs changed, so build whatever the timestamps say (they miss a new flag or Cython).
        force, self.force = self.force, True
        try:
            super().build_extension(ext)
        finally:
            self.force = force
        os.makedirs(KEPT, exist_ok=True)
        for old in glob.glob(os.path.join(KEPT, "*-" + os.path.basename(target))):
            os.remove(old)
        shutil.copyfile(target, kept + ".tmp")
        os.replace(kept + ".tmp", kept)   # whole or absent, for a build running beside this one

    def inputs_hash(self, ext):
        import Cython
        cc = self.compiler
        command = list(itertools.takewhile(lambda arg: not arg.startswith("-"), cc.compiler_so))
        version = subprocess.run([*command, "--version"], capture_output=True, text=True, check=True).stdout
        h = hashlib.sha256(repr((sys.version, Cython.__version__, version, sorted(ext.cython_directives.items()),
                                 cc.compiler_so, cc.linker_so, cc.include_dirs, cc.macros, cc.library_dirs,
                                 ext.include_dirs, ext.define_macros, ext.libraries, ext.extra_compile_args,
                                 ext.extra_link_args)).encode())
        for path in sorted(glob.glob(os.path.join(HERE, "csrc", "*"))):
            if path.endswith((".pyx", ".pxi", ".pxd", ".h")):
                with open(path, "rb") as f:
                    h.update(os.path.basename(path).encode() + b"\0" + f.read())
        return h.hexdigest()[:20]


class ManPageDistribution(Distribution):
    # setuptools' editable_wheel installs data files only when the distribution
    # answers has_data(), a method Distribution lacks (it has has_data_files), so
    # `pip install -e .` silently dropped the man page.
    def has_data(self):
        return self.has_data_files()


setup(distclass=ManPageDistribution, ext_modules=extensions(), cmdclass={"build_ext": KeptBuildExt},
      data_files=man_pages())
