"""Dispatch formation: fuse element-wise ops into tile kernels.

A function body becomes a list of items: ordinary operations, and `Group`s.
A group is a DAG of element-wise ops over one shape (or over scalars) that
runs as one kernel, so its intermediate values live in tile registers and
never in full-size buffers. Splat constants feeding a group are folded into
it as push constants.

Greedy rule, in program order: an element-wise op joins the open groups of
its operands (merging them) when they have its shape; a group closes as soon
as any other operation uses one of its values, so a group only ever runs at
the position of its last op, after all of its inputs exist.

A direct convolution (iree_lite.conv2d) or a matrix product from +0.0
(iree_lite.matmul without an init) whose result the next group reads
joins that group as its `producer`: the group's kernel is its epilogue
(bias, BatchNorm, activation, residual add), run on each block of output
rows while they are in cache (buffer.conv2d.dispatch,
buffer.matmul.fresh.dispatch).
"""
from ..dialects import lookup
from ..ir.attributes import DenseElementsAttr
from ..ir.types import TensorType

# Keep kernels within the tile register file (TILE_REGS) with room for loads
# (and gathers, loads through an index, which do not count).
MAX_GROUP_OPS = 16


class Group:
    def __init__(self, key):
        self.key = key            # the shape tuple, or None for scalars
        self.ops = []
        self.position = -1        # index of its last op in the block
        self.splats = {}          # splat constant Value -> its scalar value
        self.open = True
        self.producer = None      # the op (runs_epilogue) this group is the epilogue of
        self.views = []           # iree_lite.view ops of the producer's result (reshapes) it reads through

    @property
    def is_scalar(self):
        return self.key is None

    def all_ops(self):
        """The ops the group runs: its producer, if any, then its element-wise ops."""
        return ([self.producer] if self.producer is not None else []) + self.views + self.ops

    def members(self):
        return {r for op in self.ops for r in op.results}

    def inputs(self):
        """Values read from outside the group (tensors are bound, scalars
        pushed), in first-use order."""
        inside = self.members()
        seen = []
        for op in self.ops:
            for v in op.operands:
                if v not in inside and v not in self.splats and v not in seen:
                    seen.append(v)
        return seen

    def gathers(self):
        """Member ops that read their first operand at computed positions."""
        return [op for op in self.ops if lookup(op.name).elementwise == "gather"]

    def elementwise_inputs(self):
        """Tensor inputs read element by element (not only gathered): they
        have the group's shape, and kernels bind them as input buffers."""
        gathers = self.gathers()
        read = {v for op in self.ops for v in (op.operands[1:] if op in gathers else op.operands)}
        return [v for v in self.inputs() if isinstance(v.type, TensorType) and v in read]

    def outputs(self, users):
        """Member values used by anything outside the group."""
        ops = set(map(id, self.ops))
        return [r for op in self.ops for r in op.results
                if any(id(u) not in ops for u in users.get(r, ()))]


def item_ops(item):
    """The ops a dispatch item runs."""
    return item.all_ops() if isinstance(item, Group) else [item]


def elementwise_kind(op):
    d = lookup(op.name)
    return d.elementwise if d is not None and d.fusible(op) else None


def splat_value(op):
    """The scalar of a splat tensor constant, else None."""
    if op.name != "arith.constant":
        return None
    attr = op.attributes.get("value")
    if isinstance(attr, DenseElementsAttr) and attr.splat:
        return attr.values[0]
    return None


def all_operands(op):
    """op's operands, and those of every op nested in its regions."""
    yield from op.operands
    for region in op.regions:
        for block in region.blocks:
            for inner in block.operations:
                yield from all_operands(inner)


def compute_users(*blocks):
    """Value -> ops of `blocks` using it (a use inside a region counts as a
    use by the op holding the region)."""
    users = {}
    for block in blocks:
        for op in block.operations:
            for v in all_operands(op):
                users.setdefault(v, []).append(op)
    return users


def kernel_values(ops):
    """A bound on the bindings and push constants a kernel of `ops` takes:
    the values they read from outside, and every result (any may turn out
    to be an output)."""
    results = {r for op in ops for r in op.results}
    inputs = {v for op in ops for v in op.operands if v not in results}
    return len(inputs) + len(results)


def lone_copy(group):
    """Whether `group` is one iree_lite.expand through a linear map."""
    op = group.ops[0]
    return len(group.ops) == 1 and op.name == "iree_lite.expand" and op.attributes["map"].linear() is not None


def form_dispatch_regions(block, max_values, users=None):
    """Items (Operation | Group) in execution order, and the users map
    (given: the users in all blocks of a function of several).
    A group grows only while kernel_values stays within `max_values` (the
    kernel limits of the VM), so that its kernel fits."""
    users = compute_users(block) if users is None else users
    order = {id(op): i for i, op in enumerate(block.operations)}
    group_of = {}      # result Value -> Group
    groups, others = [], []
    for op in block.operations:
        if elementwise_kind(op) is None:
            for v in all_operands(op):
                if v in group_of:
                    group_of[v].open = False
            others.append(op)
            continue
        t = op.results[0].type
        key = t.shape if isinstance(t, TensorType) else None
        candidates = []
        gathers = elementwise_kind(op) == "gather"   # reads its source anywhere: it must be complete
        for v in op.operands:
            g = group_of.get(v)
            if g is not None and (g.key != key or gathers and v is op.operands[0]):
                g.open = False   # read by another kind of group: it must not grow past this op
            elif g is not None and g.open and g not in candidates:
                candidates.append(g)

        def fits(gs):
            # Gathers count as the loads they are (a pooling window's points, say).
            return sum(elementwise_kind(o) != "gather" for g in gs for o in g.ops) < MAX_GROUP_OPS and \
                kernel_values([op, *(o for g in gs for o in g.ops)]) <= max_values
        if candidates and not fits(candidates):
            # Those that fit, smallest first (a gather feeding this op, say,
            # rather than leave it a lone copy); the rest close: read by a
            # later group, growing past it would run it too late.
            chosen = []
            for g in sorted(candidates, key=lambda g: len(g.ops)):
                if fits(chosen + [g]):
                    chosen.append(g)
            for other in candidates:
                if other not in chosen:
                    other.open = False
            candidates = chosen
        if candidates:
            g = candidates[0]
            for other in candidates[1:]:
                g.ops.extend(other.ops)
                groups.remove(other)
            g.ops.sort(key=lambda o: order[id(o)])
        else:
            g = Group(key)
            groups.append(g)
        g.ops.append(op)
        g.position = order[id(op)]
        for member in g.ops:
            for r in member.results:
                group_of[r] = g

    for g in [g for g in groups if lone_copy(g)]:
        # A strided copy (a window, transpose or broadcast) alone: the host's
        # buffer.expand copies it by runs, where a kernel would compute every
        # element's index in tile registers.
        groups.remove(g)
        others.append(g.ops[0])
        del group_of[g.ops[0].results[0]]
    for g in groups:
        if g.is_scalar:
            continue
        for op in g.ops:
            if elementwise_kind(op) == "gather":   # gathers read buffers
                continue
            for v in op.operands:
                owner = v.owner
                if v not in group_of and hasattr(owner, "attributes") and splat_value(owner) is not None:
                    g.splats[v] = splat_value(owner)

    def folded(op):
        # A splat constant used only by groups that fold it needs no buffer.
        r = op.results[0] if op.results else None
        return (r is not None and splat_value(op) is not None and
                all(u.results and u.results[0] in group_of and r in group_of[u.results[0]].splats
                    and elementwise_kind(u) != "gather" for u in users.get(r, ())))

    def dead(op):
        # Storage nobody reads (a linalg init the body ignores, say; a padded
        # copy whose convolution reads the unpadded input; the zero fill of a
        # convolution that starts its sums from zero itself).
        return op.name in ("tensor.empty", "tensor.pad", "tensor.splat") and not users.get(op.results[0])

    items = [op for op in others if not folded(op) and not dead(op)] + groups
    items.sort(key=lambda it: it.position if isinstance(it, Group) else order[id(it)])
    return fuse_epilogues(items), users


def runs_epilogue(op):
    """Whether op can run the group reading its result as its epilogue: a
    convolution, or a matrix product that writes its result whole."""
    return op.name == "iree_lite.conv2d" or op.name == "iree_lite.matmul" and len(op.operands) == 2


def fuse_epilogues(items):
    """`items` with each op that runs_epilogue whose result the next group
    (of static shape) reads, or reads through reshapes of it (static
    iree_lite.views: the same elements in the same order), made that
    group's `producer`, the reshapes its `views`. Only constants and groups
    that read no tensor may stand between the two: they read nothing the
    producer writes (a splat tensor's fill, a fill), so it may as well run
    after them."""
    fused, producer, views, aliases = [], None, [], set()
    for it in items:
        if isinstance(it, Group):
            inputs = it.inputs()
            if producer is not None and not it.is_scalar and it.ops[-1].results[0].type.is_static \
                    and aliases & set(inputs):
                it.producer, it.views = producer, views
                for op in [producer] + views:
                    fused.remove(op)
                producer = None
            elif any(isinstance(v.type, TensorType) for v in inputs):
                producer = None
        elif runs_epilogue(it):
            producer, views, aliases = it, [], {it.results[0]}
        elif producer is not None and it.name == "iree_lite.view" and it.operands[0] in aliases \
                and it.results[0].type.is_static:
            views.append(it)
            aliases.add(it.results[0])
        elif it.name != "arith.constant":
            producer = None
        fused.append(it)
    return fused
