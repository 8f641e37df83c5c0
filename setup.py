"""Build: generate the native VM's view of the ISA table (iree_lite/isa/gen_native.py), then compile csrc/ with -O3."""
import glob
import importlib.util
import os
import platform
import sys

from setuptools import Extension, setup
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))


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
    from Cython.Build import cythonize
    generate_sources()
    ext = Extension(
        "iree_lite._vm",
        sources=["csrc/_vm.pyx"],
        depends=glob.glob(os.path.join(HERE, "csrc", "*.h")),   # rebuild when a C header changes
        include_dirs=["csrc"],
        extra_compile_args=["-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math", "-fno-strict-aliasing", "-Wno-unused-function"],
        extra_link_args=["-lpthread", "-lm"],   # -lm: bind the current libm symbols (an unlinked expf binds the old, errno-setting wrapper)
    )
    return cythonize([ext], language_level=3, compiler_directives={
        "boundscheck": False, "wraparound": False, "cdivision": True,
        "initializedcheck": False})


class ManPageDistribution(Distribution):
    # setuptools' editable_wheel installs data files only when the distribution
    # answers has_data(), a method Distribution lacks (it has has_data_files), so
    # `pip install -e .` silently dropped the man page.
    def has_data(self):
        return self.has_data_files()


setup(distclass=ManPageDistribution, ext_modules=extensions(),
      data_files=man_pages())
