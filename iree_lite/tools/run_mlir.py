"""`iree-lite run-mlir`: compile MLIR in memory and run it in one process,
like iree-run-mlir. With no --function it runs the only export, or else
every zero-argument export, each after its `EXEC @name` line."""
from .compile import CompileError, compile_input
from .run_module import ToolError, create_context, report_errors, run_function, select_function


@report_errors
def run(ns):
    from ..vm.errors import VMError
    try:
        module = compile_input(ns)
    except CompileError as e:
        raise ToolError(str(e)) from None
    ns.modules = list(ns.modules)   # --module= dependencies load first
    ctx = create_context(ns, allow_empty=True)
    try:
        ctx.load(module)
    except VMError as e:
        raise ToolError(f"{e}; loading the compiled module; creating run context") from None
    if ns.function is not None:
        return run_function(ctx, select_function(ctx, ns.function), ns)
    exports = module.exports
    if len(exports) != 1:
        exports = [e for e in exports if not module.functions[e.function].signature.inputs]
    status = 0
    for export in exports:
        status |= run_function(ctx, ctx.lookup(export.name), ns)
    return status
