"""What each output of a reduction body (linalg.reduce, or a linalg.generic
with reduction iterators) folds: the body is read as one small pattern per
output, so that the folds run as parallel reductions (passes/linalg.py).

An output either folds a value with a combiner (`Fold`: `%s = arith.addf
%in, %acc`), or picks a value where another output's max or min is reached
(`Pick`: argmax, `%c = arith.cmpf ogt, %in, %max_acc` then `%i = arith.select
%c, %index, %idx_acc`). The folded and picked values come from the inputs
(and the iteration coordinates) alone: the body's other ops never read an
accumulator, so they apply element-wise first.
"""
from dataclasses import dataclass

COMBINERS = {"arith.addf": "addf", "arith.mulf": "mulf", "arith.maximumf": "maximumf",
             "arith.minimumf": "minimumf", "arith.maxnumf": "maxnumf", "arith.minnumf": "minnumf",
             "arith.addi": "addi", "arith.muli": "muli", "arith.maxsi": "maxsi",
             "arith.minsi": "minsi", "arith.maxui": "maxui", "arith.minui": "minui", "arith.andi": "andi",
             "arith.ori": "ori", "arith.xori": "xori"}
EXTREMES = {"maximumf": "max", "maxsi": "max", "minimumf": "min", "minsi": "min"}
# The comparison of a new value v with the accumulator, as `cmp v, acc`,
# that a pick follows: for each kind of extreme, the predicates that take
# the first index reaching it (strict) and those that take the last.
PICKS = {"max": ({"ogt", "sgt"}, {"oge", "sge"}), "min": ({"olt", "slt"}, {"ole", "sle"})}
SWAPPED = {"ogt": "olt", "oge": "ole", "olt": "ogt", "ole": "oge", "sgt": "slt", "sge": "sle", "slt": "sgt",
           "sle": "sge"}


@dataclass
class Fold:
    """Output folds `value` into its accumulator with `combiner`."""
    combiner: str
    value: object


@dataclass
class Pick:
    """Output holds `value` at the first (or, `last`, the last) iteration
    point whose folded value reaches output `of`'s max or min, when that
    beats output `of`'s initial value as `predicate` (v, init) says;
    else its own initial value."""
    of: int
    value: object
    predicate: str
    last: bool


def reduction_plan(op, fail):
    """The Fold or Pick of each output of a reduction op (its last block
    arguments are the accumulators, in output order), and the body's ops
    that read no accumulator, in order."""
    from . import lookup
    body = op.regions[0].blocks[0]
    ops = body.operations
    yielded = ops[-1].operands
    accs = body.arguments[len(body.arguments) - len(yielded):]
    shape = ("iree-lite supports reduction bodies that end by combining the accumulator with one of "
             f"{', '.join(sorted(COMBINERS))} (each output's), or by selecting a value where a comparison with a "
             "max or min output's accumulator holds (argmax), the other ops not using the accumulators")
    defined = {r: inner for inner in ops for r in inner.results}
    folds = {}
    for k, (y, acc) in enumerate(zip(yielded, accs)):
        last = defined.get(y)
        if last is not None and last.name in COMBINERS and len(last.operands) == 2 and acc in last.operands:
            value = last.operands[1] if last.operands[0] is acc else last.operands[0]
            folds[k] = Fold(COMBINERS[last.name], value)
    plan, combining = [], set()
    for k, (y, acc) in enumerate(zip(yielded, accs)):
        if k in folds:
            plan.append(folds[k])
            combining.add(defined[y])
            continue
        select = defined.get(y)
        compare = defined.get(select.operands[0]) if select is not None and select.name == "arith.select" else None
        if compare is None or compare.name not in ("arith.cmpf", "arith.cmpi") or select.operands[2] is not acc:
            fail(shape)
        words = lookup(compare.name).predicates
        predicate = words[compare.attributes["predicate"].value]
        a, b = compare.operands
        of = next((j for j, fold in folds.items() if {a, b} == {fold.value, accs[j]}
                   and fold.combiner in EXTREMES), None)
        if of is None:
            fail(shape)
        if a is accs[of]:
            predicate = SWAPPED.get(predicate, "")
        first, last = PICKS[EXTREMES[folds[of].combiner]]
        if predicate not in first | last:
            fail(f"iree-lite picks the first index reaching a {EXTREMES[folds[of].combiner]} with the "
                 f"comparison {' or '.join(sorted(first))} of the new value with the accumulator, or the "
                 f"last with {' or '.join(sorted(last))}; not '{words[compare.attributes['predicate'].value]}'")
        plan.append(Pick(of, select.operands[1], predicate, predicate in last))
        combining |= {select, compare}
    tainted, elementwise = set(accs), []   # the values computed from an accumulator: the combining ops' alone
    for inner in ops[:-1]:
        if any(v in tainted for v in inner.operands):
            if inner not in combining:
                fail(shape)
            tainted.update(inner.results)
        else:
            elementwise.append(inner)
    if any(step.value in tainted for step in plan):
        fail(shape)
    return plan, elementwise


def combiner_of(op, fail):
    """The combiner of a one-output reduction and the value it folds."""
    (step,), _ = reduction_plan(op, fail)
    if not isinstance(step, Fold):
        fail("a one-output reduction must combine its accumulator with a value")
    return step.combiner, step.value
