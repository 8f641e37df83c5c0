"""Dominance between the blocks of a function body: a value defined in one
block may be used in another only if every path from the entry block to
the use passes through the definition."""


def dominators(blocks):
    """{id(block): set of ids of the blocks dominating it} for the blocks
    reachable from blocks[0] (the entry); unreachable blocks are left out."""
    order, seen = [], set()
    stack = [blocks[0]]
    while stack:   # reachable blocks, with their predecessors
        b = stack.pop()
        if id(b) in seen:
            continue
        seen.add(id(b))
        order.append(b)
        stack.extend(successors_of(b))
    preds = {id(b): [] for b in order}
    for b in order:
        for s in successors_of(b):
            preds[id(s)].append(id(b))
    everything = set(preds)
    dom = {i: set(everything) for i in preds}
    dom[id(blocks[0])] = {id(blocks[0])}
    changed = True
    while changed:
        changed = False
        for b in order[1:]:
            new = set.intersection(*(dom[p] for p in preds[id(b)])) | {id(b)}
            if new != dom[id(b)]:
                dom[id(b)], changed = new, True
    return dom


def successors_of(block):
    ops = block.operations
    return ops[-1].successors if ops else []


def check_dominance(blocks, fail_at):
    """Fail (at the using op) where a value of one block is used in a
    reachable block its definition does not dominate."""
    if len(blocks) < 2:
        return
    defined_in = {}
    for b in blocks:
        for v in b.arguments:
            defined_in[v] = id(b)
        for op in b.operations:
            for r in op.results:
                defined_in[r] = id(b)
    dom = dominators(blocks)

    def check(op, home):
        for i, v in enumerate(op.operands):
            where = defined_in.get(v)
            if where is not None and where != home and where not in dom[home]:
                fail_at(op.loc)(f"operand #{i} does not dominate this use")
        for region in op.regions:
            for inner in region.blocks:
                for nested in inner.operations:
                    check(nested, home)
    for b in blocks:
        if id(b) in dom:
            for op in b.operations:
                check(op, id(b))
