"""Dominance in a function body: a value may be used only where its
definition dominates the use. In one block the definition comes first (a
region's op counts as its nested ops' position); across the function's
blocks every path from the entry block to the use passes through the
definition's block. The order of the blocks in the text does not matter."""


def dominators(blocks):
    """{id(block): set of ids of the blocks dominating it} for the blocks
    reachable from blocks[0] (the entry); unreachable blocks are left out."""
    order = reachable(blocks[0])
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


def reachable(entry):
    """The blocks reachable from `entry`, in reverse postorder: each block
    after every block that dominates it."""
    post, seen = [], {id(entry)}
    stack = [(entry, iter(successors_of(entry)))]
    while stack:
        block, successors = stack[-1]
        for s in successors:
            if id(s) not in seen:
                seen.add(id(s))
                stack.append((s, iter(successors_of(s))))
                break
        else:
            post.append(block)
            stack.pop()
    return post[::-1]


def successors_of(block):
    ops = block.operations
    return ops[-1].successors if ops else []


def check_dominance(blocks, fail_at):
    """Fail (at the using op) where a value is used where its definition
    does not dominate. Uses in unreachable blocks are checked within their
    block only, as MLIR does."""
    position = {}   # Value -> (id of its block, index of its op there; -1 for a block argument)

    def record(block):
        for v in block.arguments:
            position[v] = (id(block), -1)
        for i, op in enumerate(block.operations):
            for r in op.results:
                position[r] = (id(block), i)
            for region in op.regions:
                for inner in region.blocks:
                    record(inner)
    for b in blocks:
        record(b)
    top_level = {id(b) for b in blocks}
    dom = dominators(blocks) if len(blocks) > 1 else {id(blocks[0]): {id(blocks[0])}}

    def check(op, enclosing, home):
        """`enclosing`: {id(block): index in it of the op holding `op` (or of `op`)}."""
        for i, v in enumerate(op.operands):
            where = position.get(v)
            if where is None:
                continue
            block, at = where
            if block in enclosing:
                ok = at < enclosing[block]
            else:
                ok = block in top_level and (home not in dom or block in dom[home])
            if not ok:
                fail_at(op.loc)(f"operand #{i} does not dominate this use")
        for region in op.regions:
            for inner in region.blocks:
                for j, nested in enumerate(inner.operations):
                    check(nested, {**enclosing, id(inner): j}, home)
    for b in blocks:
        for j, op in enumerate(b.operations):
            check(op, {id(b): j}, id(b))
