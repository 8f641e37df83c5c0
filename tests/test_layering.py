"""The import layering of the instruction set: iree_lite/isa/ is the ground
floor (it imports nothing else of iree_lite), and the VM and the runtime
take the instruction set from it, never from the compiler (codegen)."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "iree_lite"


def imported_modules(path):
    """The absolute names of the modules `path` imports (`from . import x`
    counted as the package and as package.x)."""
    package = ["iree_lite", *path.relative_to(ROOT).parent.parts]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def files(folder):
    return sorted((ROOT / folder).rglob("*.py"))


def test_the_resolver_sees_relative_and_absolute_imports():
    names = imported_modules(ROOT / "vm" / "verifier.py")
    assert {"iree_lite.isa", "iree_lite.isa.module", "iree_lite.ir.boundary"} <= names


@pytest.mark.parametrize("folder", ["vm", "runtime"])
def test_the_vm_and_the_runtime_do_not_import_the_compiler(folder):
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in imported_modules(p) if n.startswith("iree_lite.codegen"))
                 for p in files(folder)}
    assert {p: n for p, n in offenders.items() if n} == {}
    assert any("iree_lite.isa" in imported_modules(p) or any(n.startswith("iree_lite.isa.") for n in imported_modules(p))
               for p in files(folder))


def test_the_instruction_set_imports_nothing_else_of_iree_lite():
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in imported_modules(p)
                                                  if n.startswith("iree_lite") and not n.startswith("iree_lite.isa"))
                 for p in files("isa")}
    assert {p: n for p, n in offenders.items() if n} == {}


def test_the_native_generator_is_a_build_script_nothing_imports():
    users = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
             if any(n.startswith("iree_lite.isa.gen_native") for n in imported_modules(p))]
    assert users == []
