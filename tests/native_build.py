"""Build a C file of tests/native/ as the extension's C is built (its
compile flags, csrc/ on the include path): an executable, or a shared
library to preload."""
import os

from test_packaging import REPO, distribution


def build_native(name, out_dir, shared=False):
    """tests/native/NAME.c built in out_dir; the path of what was built."""
    from distutils.ccompiler import new_compiler
    from distutils.sysconfig import customize_compiler
    (ext,) = distribution().ext_modules
    compiler = new_compiler()
    customize_compiler(compiler)
    objects = compiler.compile([os.path.join(REPO, "tests", "native", f"{name}.c")], output_dir=str(out_dir),
                               include_dirs=[os.path.join(REPO, "csrc")], extra_postargs=ext.extra_compile_args)
    if shared:
        path = os.path.join(str(out_dir), f"{name}.so")
        compiler.link_shared_object(objects, path, libraries=["dl"])
    else:
        compiler.link_executable(objects, name, output_dir=str(out_dir))
        path = os.path.join(str(out_dir), name)
    return path
