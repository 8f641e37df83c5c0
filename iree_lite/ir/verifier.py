"""Module verification: op rules from each OpDef, plus the rules that span
functions (calls against declarations, returns, ABI attributes)."""
from .attributes import IntegerAttr
from .core import INITIALIZER, Diagnostic
from .dominance import check_dominance


TERMINATORS = ("func.return", "scf.yield", "scf.condition", "linalg.yield", "tensor.yield",
               "iree_linalg_ext.yield", "cf.br", "cf.cond_br", "cf.switch")


def verify_module(module, lookup):
    """Raise a located Diagnostic for the first problem; `lookup` maps an op
    name to its OpDef (iree_lite.dialects.lookup)."""
    def fail_at(loc):
        def fail(message):
            raise Diagnostic(message, loc, module.source)
        return fail

    seen = {}
    for g in module.globals:
        if g.name in seen:
            fail_at(g.loc)(f"redefinition of symbol named '{g.name}'")
        seen[g.name] = g
    seen = {}
    for fn in module.functions:
        fail = fail_at(fn.loc)
        if fn.name in seen:
            fail(f"redefinition of symbol named '{fn.name}'")
        seen[fn.name] = fn
        if fn.body is None and fn.visibility == "public":
            fail(f"'func.func' op symbol declaration '{fn.name}' cannot have public visibility")
        for i, arg in enumerate(fn.arguments):
            attr = arg.attributes.get("iree.abi.output")
            if attr is None:
                continue
            if not isinstance(attr, IntegerAttr) or not 0 <= attr.value < len(fn.type.results):
                fail(f"argument {i} of '{fn.name}': iree.abi.output must be a result index "
                     f"below {len(fn.type.results)}")
            if fn.type.results[attr.value] != arg.type:
                fail(f"argument {i} of '{fn.name}' is '{arg.type}' but is storage for result "
                     f"{attr.value} of type '{fn.type.results[attr.value]}'")

    def walk(block, parent=None):
        """(op, the name of the op whose region holds it, None at function level)."""
        for op in block.operations:
            yield op, parent
            for region in op.regions:
                for inner in region.blocks:
                    yield from walk(inner, op.name)

    def check_terminators(block):
        """A terminator comes last in its block (the parser checks that each
        block ends in the right one)."""
        for i, op in enumerate(block.operations):
            if op.name in TERMINATORS and i != len(block.operations) - 1:
                fail_at(op.loc)(f"'{op.name}' must be the last operation of its block")
            for region in op.regions:
                for inner in region.blocks:
                    check_terminators(inner)

    for fn in module.functions:
        if fn.body is None:
            continue
        blocks = fn.blocks
        for block in blocks:
            check_terminators(block)
        for op, parent in (item for block in blocks for item in walk(block)):
            fail = fail_at(op.loc)
            definition = lookup(op.name)
            if definition.parents is not None and parent not in definition.parents:
                fail(definition.outside)
            definition.verify(op, fail)
            if op.name in ("util.global.load", "util.global.store"):
                g = module.lookup_global(op.attributes["global"].name)
                if g is None:
                    fail(f"'{op.name}' op '@{op.attributes['global'].name}' does not reference a util.global")
                t = op.results[0].type if op.results else op.operands[0].type
                if t != g.type:
                    fail(f"'{op.name}' op uses '@{g.name}' as '{t}' but it is '{g.type}'")
                if op.name == "util.global.store" and not g.mutable and INITIALIZER not in fn.attributes:
                    fail(f"'util.global.store' to immutable global '@{g.name}' outside an initializer")
            if op.name == "func.call":
                callee = seen.get(op.attributes["callee"].name)
                if callee is None:
                    fail(f"'func.call' op '{op.attributes['callee'].name}' does not reference a valid function")
                have = tuple(v.type for v in op.operands), tuple(r.type for r in op.results)
                if have != (callee.type.inputs, callee.type.results):
                    fail(f"'func.call' op has type '{_sig(*have)}' but '@{callee.name}' is declared "
                         f"as '{_sig(callee.type.inputs, callee.type.results)}'")
            elif op.name == "func.return":
                have = tuple(v.type for v in op.operands)
                if have != fn.type.results:
                    fail(f"'func.return' op returns '({', '.join(map(str, have))})' but '@{fn.name}' "
                         f"returns '({', '.join(map(str, fn.type.results))})'")
                if not any(op.parent is b and op is b.operations[-1] for b in blocks):
                    fail("'func.return' op must be the last operation of the function body")
        check_dominance(blocks, fail_at)


def _sig(inputs, results):
    return f"({', '.join(map(str, inputs))}) -> ({', '.join(map(str, results))})"
