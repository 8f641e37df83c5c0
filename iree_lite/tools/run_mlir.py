"""`iree-lite run-mlir`: compile MLIR in memory and run it in one process,
like iree-run-mlir. With no --function it runs the only export, or else
every zero-argument export, each after its `EXEC @name` line."""
from .compile import check_targets, read_source
from .run_module import ToolError, create_context, report_errors, run_function, select_function


@report_errors
def run(ns):
    from ..compiler import compile_module
    from ..ir.core import Diagnostic
    from ..vm.errors import VMError
    source = read_source(ns.input)
    if source is None:
        return 1
    text, name = source
    target_error = check_targets(ns, name)
    if target_error:
        raise ToolError(target_error)
    try:
        module = compile_module(text, name, ns.execution_model)
    except Diagnostic as d:
        raise ToolError(d.render()) from None
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
