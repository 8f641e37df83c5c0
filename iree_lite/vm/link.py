"""Import resolution, shared by the reference interpreter and the native runtime.

A module's imports (`module.function`, split at the first dot) resolve
against the modules loaded into the context before it; the signature,
calling convention included, must match exactly.
"""
from .errors import VMError


def split_import(qualified):
    module, _, function = qualified.partition(".")
    return module, function


def resolve_imports(module, loaded):
    """[(index into loaded, function ordinal)] for each import of `module`."""
    by_name = {m.name: i for i, m in enumerate(loaded)}
    resolved = []
    for imp in module.imports:
        mod_name, fn_name = split_import(imp.name)
        i = by_name.get(mod_name)
        if i is None:
            raise VMError("NOT_FOUND", f"required module '{mod_name}' not available in the context; "
                                       f"resolving dependencies for '{module.name}'")
        provider = loaded[i]
        export = provider.export(fn_name)
        if export is None:
            raise VMError("NOT_FOUND", f"no function '{fn_name}' exported by module '{mod_name}'; "
                                       f"resolving import '{imp.name}' of '{module.name}'")
        have = provider.functions[export.function].signature
        if have != imp.signature:
            raise VMError("INVALID_ARGUMENT",
                          f"import '{imp.name}' of '{module.name}' expects {imp.signature} [{imp.signature.abi}] "
                          f"but '{mod_name}' exports {have} [{have.abi}] (calling convention mismatch)")
        resolved.append((i, export.function))
    return resolved


def load_order(modules):
    """Indices of `modules` ordered so each comes after the modules it
    imports from (stable: already-ordered input is unchanged). Raises
    VMError for an import cycle or a module nobody provides."""
    by_name = {m.name: i for i, m in enumerate(modules)}
    needs = []
    for m in modules:
        deps = set()
        for imp in m.imports:
            name = split_import(imp.name)[0]
            if name not in by_name:
                raise VMError("NOT_FOUND", f"required module '{name}' not available in the context; "
                                           f"resolving dependencies for '{m.name}'")
            deps.add(by_name[name])
        needs.append(deps)
    order, placed = [], set()
    while len(order) < len(modules):
        ready = [i for i in range(len(modules)) if i not in placed and needs[i] <= placed]
        if not ready:
            cycle = ", ".join(modules[i].name for i in range(len(modules)) if i not in placed)
            raise VMError("FAILED_PRECONDITION", f"modules import each other in a cycle: {cycle}")
        order.append(ready[0])
        placed.add(ready[0])
    return order
