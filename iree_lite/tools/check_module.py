"""`iree-lite check-module`: run every zero-argument export of the last
module as a test, like iree-check-module; exit 1 if any fails."""
from .run_module import ToolError, create_context, report_errors


@report_errors
def run(ns):
    from ..vm.errors import VMError
    ctx = create_context(ns)
    module = ctx.modules[-1]
    tests = [e.name for e in module.exports if not module.functions[e.function].signature.inputs]
    if not tests:
        raise ToolError(f"INVALID_ARGUMENT; module '{module.name}' exports no zero-argument functions to run "
                        "as tests")
    failed = []
    ran = 0
    print(f"[==========] Running {len(tests)} tests from module {module.name}", flush=True)
    for name in tests:
        test = f"{module.name}.{name}"
        print(f"[ RUN      ] {test}", flush=True)
        ran += 1
        try:
            ctx.invoke(ctx.lookup(name), [])
        except VMError as e:
            print(e, flush=True)
            print(f"[  FAILED  ] {test}", flush=True)
            failed.append(test)
            if e.code_name == "DEADLINE_EXCEEDED" and ns.timeout is not None:
                break   # past --timeout: the tests left cannot run
        else:
            print(f"[       OK ] {test}", flush=True)
    print(f"[==========] {ran} tests ran.")
    print(f"[  PASSED  ] {ran - len(failed)} tests.")
    if failed:
        print(f"[  FAILED  ] {len(failed)} tests, listed below:")
        for test in failed:
            print(f"[  FAILED  ] {test}")
    return 1 if failed else 0
