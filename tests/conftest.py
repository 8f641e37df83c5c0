import shutil

import pytest

import iree_lite.compiler


def _verifying(compile_module):
    """compile_module, also asserting that the VM's bytecode verifier accepts
    the module it made: installed before any test module imports it, so
    every program any test compiles in this process is checked (the
    compiler must never emit bytecode its verifier rejects)."""
    def compile_and_verify(text, filename="<stdin>", execution_model="async-internal", **options):
        from iree_lite.isa.module import serialize
        from iree_lite.vm.format import deserialize
        from iree_lite.vm.verifier import VerifyError, verify_module
        module = compile_module(text, filename, execution_model, **options)
        try:
            verify_module(deserialize(serialize(module)))
        except VerifyError as e:
            pytest.fail(f"the verifier rejects the compiled {filename} ({execution_model}): {e}")
        return module
    compile_and_verify.__doc__ = compile_module.__doc__
    return compile_and_verify


iree_lite.compiler.compile_module = _verifying(iree_lite.compiler.compile_module)


@pytest.fixture(scope="session")
def reference_iree():
    """Paths of the real iree-compile and iree-run-module (`pip install '.[compare]'`)."""
    tools = {name: shutil.which(name) for name in ("iree-compile", "iree-run-module")}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        pytest.skip(f"reference IREE not installed ({', '.join(missing)} not on PATH)")
    return tools


@pytest.fixture
def seed_context():
    """A factory: a context with the seed's three modules, async-external."""
    import os

    from iree_lite.compiler import compile_module
    from iree_lite.runtime.context import Context
    lit = os.path.join(os.path.dirname(__file__), "lit")

    def make(device="local-task", workers=2):
        ctx = Context(device, workers)
        for name in ("module_a", "module_b", "pipeline_async"):
            path = os.path.join(lit, name + ".mlir")
            ctx.load(compile_module(open(path).read(), path, "async-external"))
        return ctx
    return make


@pytest.fixture
def both_vms():
    """A factory: MLIR source loaded into a native context and into the
    reference interpreter, as (native, reference)."""
    from iree_lite.compiler import compile_module
    from iree_lite.runtime.context import Context
    from iree_lite.vm import interp

    def load(source, filename="t.mlir", device="local-sync", workers=None):
        module = compile_module(source, filename)
        ctx = Context(device, workers)
        ctx.load(module)
        ref = interp.Context()
        ref.load(module)
        return ctx, ref
    return load


@pytest.fixture
def kernel_isa(request):
    """Run under the instruction set request.param (indirect
    parametrization) of the C kernels (csrc/lite_tile.h), if the machine has it."""
    from iree_lite import _vm
    if _vm.kernel_isa(request.param) != request.param:
        _vm.kernel_isa("avx512")
        pytest.skip(f"no {request.param} on this CPU")
    yield request.param
    _vm.kernel_isa("avx512")
